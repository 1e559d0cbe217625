/**
 * Visitor tokens: what the public agents endpoint hands the SDK so that the visitor's
 * WebSocket can prove which channel and Origin it was issued for.
 *
 * Format: `base64url(JSON payload) + "." + base64url(HMAC-SHA256(secret, payloadPart))`,
 * payload `{ v: 1, c: channelId, s: channelSlug, o: origin, e: expiresAtMs }`, valid
 * VISITOR_TOKEN_TTL_MS (15 minutes).
 *
 * The secret: one random value per database (table server_secrets, name `visitor_token`),
 * so every process sharing the database accepts the others' tokens. Inside the server, read
 * it from the app context: `app.ctx.secrets.visitorToken` (set up by buildApp), or from
 * storage directly with `await storage.getOrCreateSecret(VISITOR_TOKEN_SECRET_NAME)`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ErrorCode } from '@flux/protocol';

export const VISITOR_TOKEN_SECRET_NAME = 'visitor_token';
export const VISITOR_TOKEN_TTL_MS = 15 * 60 * 1000;

export interface VisitorTokenClaims {
  channelId: string;
  channelSlug: string;
  origin: string;
  expiresAt: Date;
}

function mac(secret: string, data: string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

export function signVisitorToken(secret: string, claims: VisitorTokenClaims): string {
  const payload = Buffer.from(
    JSON.stringify({
      v: 1,
      c: claims.channelId,
      s: claims.channelSlug,
      o: claims.origin,
      e: claims.expiresAt.getTime(),
    }),
    'utf8',
  ).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The token's claims, or the error code to answer with. */
export function verifyVisitorToken(
  secret: string,
  token: string,
  now: Date = new Date(),
):
  | VisitorTokenClaims
  | Extract<ErrorCode, 'FLX_ERR_AUTH_TOKEN_INVALID' | 'FLX_ERR_AUTH_TOKEN_EXPIRED'> {
  if (typeof token !== 'string' || token.length > 4096) return 'FLX_ERR_AUTH_TOKEN_INVALID';
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return 'FLX_ERR_AUTH_TOKEN_INVALID';
  const payload = token.slice(0, dot);
  const sig = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, payload);
  if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) {
    return 'FLX_ERR_AUTH_TOKEN_INVALID';
  }
  let p: unknown;
  try {
    p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return 'FLX_ERR_AUTH_TOKEN_INVALID';
  }
  if (typeof p !== 'object' || p === null) return 'FLX_ERR_AUTH_TOKEN_INVALID';
  const { v, c, s, o, e } = p as Record<string, unknown>;
  if (
    v !== 1 ||
    typeof c !== 'string' ||
    typeof s !== 'string' ||
    typeof o !== 'string' ||
    typeof e !== 'number'
  ) {
    return 'FLX_ERR_AUTH_TOKEN_INVALID';
  }
  if (e <= now.getTime()) return 'FLX_ERR_AUTH_TOKEN_EXPIRED';
  return { channelId: c, channelSlug: s, origin: o, expiresAt: new Date(e) };
}

/**
 * What the visitor of a call presents to take its side of the call with a new session (a
 * server restart, a reconnect to another process): an HMAC of the call id under the same
 * secret, handed out only in the visitor's `call.request` answer. It is not stored anywhere,
 * so it survives the process that issued it.
 */
export function rejoinToken(secret: string, callId: string): string {
  return mac(secret, `rejoin:${callId}`).toString('base64url');
}

export function rejoinTokenValid(secret: string, callId: string, token: string): boolean {
  const given = Buffer.from(token, 'base64url');
  const expected = mac(secret, `rejoin:${callId}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
