/**
 * ICE servers handed to browsers in session.welcome: STUN URLs as configured, and TURN with
 * time-limited credentials in coturn's `use-auth-secret` scheme (docs/coturn.md):
 * username = "<unix expiry>:<id>", credential = base64(HMAC-SHA1(secret, username)).
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from '@flux/protocol';

export interface IceConfig {
  stunUrls: string[];
  turnUrls: string[];
  turnSecret: string | null;
  turnTtlSeconds: number;
}

export function turnCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

export function iceServersFor(config: IceConfig, id: string, now: Date): IceServer[] {
  const out: IceServer[] = [];
  if (config.stunUrls.length > 0) out.push({ urls: config.stunUrls });
  if (config.turnUrls.length > 0 && config.turnSecret) {
    const expiry = Math.floor(now.getTime() / 1000) + config.turnTtlSeconds;
    const username = `${expiry}:${id}`;
    out.push({
      urls: config.turnUrls,
      username,
      credential: turnCredential(config.turnSecret, username),
    });
  }
  return out;
}
