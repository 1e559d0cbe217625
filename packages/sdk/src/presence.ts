/**
 * The loader's presence-only WebSocket: `session.hello` (visitor token) → `session.welcome`
 * → `presence.subscribe` → ack `{agents, open}`, then `presence.roster` on every change.
 * It keeps the widget live without polling and without the call engine, which opens its
 * own signaling connection only when a call starts (docs/sdk.md › Connections).
 *
 * Reconnects with jittered exponential backoff (1 s … 30 s); each reconnect first calls
 * `refresh()` (the public agents GET) for a fresh token, which also refreshes the roster.
 * Close codes 4003 (forbidden) and 4026 (protocol version) are final.
 */
import { PROTOCOL_VERSION, WS_PATH } from '@flux/protocol';
import type { CallAgent } from '@flux/protocol';
import { diag } from './diag.ts';
import { Level, Msg } from './keys.ts';
import { SDK_VERSION as sdkVersion } from './version.ts';

/** CLOSE_CODES.FORBIDDEN and CLOSE_CODES.PROTOCOL_VERSION (a unit test keeps them equal). */
export const FINAL_CODES = [4003, 4026];

export type OnRoster = (agents: CallAgent[], open: boolean) => void;

/** Starts following the roster; returns the function that stops it. */
export function followPresence(
  base: string,
  token: string,
  refresh: () => Promise<string>,
  onRoster: OnRoster,
): () => void {
  let ws: WebSocket | undefined;
  let retries = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  let stopped = false;

  const connect = (t: string): void => {
    if (stopped) return;
    const sock = (ws = new WebSocket(base.replace(/^http/, 'ws') + WS_PATH));
    // Only called while the socket is open (a send on a closing socket is dropped, not thrown).
    const send = (msg: object): void => {
      sock.send(JSON.stringify(msg));
    };
    sock.onopen = () => {
      send({
        type: 'session.hello',
        protocolVersion: PROTOCOL_VERSION,
        role: 'visitor',
        token: t,
        sdkVersion,
      });
    };
    sock.onmessage = ({ data }) => {
      let m: {
        type?: string;
        reqId?: string;
        heartbeatMs?: number; // always in session.welcome
        agents?: CallAgent[];
        open?: boolean;
        data?: typeof m;
      };
      try {
        m = JSON.parse(data as string) as typeof m;
      } catch {
        return;
      }
      if (m.type === 'session.welcome') {
        retries = 0;
        ping = setInterval(send, m.heartbeatMs, { type: 'session.ping' });
        send({ type: 'presence.subscribe', reqId: 'presence' });
        diag(Level.debug, Msg.PresenceUp);
      }
      const roster = m.type === 'presence.roster' ? m : m.reqId === 'presence' ? m.data : null;
      if (roster?.agents) onRoster(roster.agents, roster.open !== false);
    };
    sock.onclose = ({ code, reason }) => {
      clearInterval(ping);
      if (!stopped) closed(code, reason);
    };
  };

  /** After a close: final codes stop here; others retry with backoff and a fresh token. */
  const closed = (code: number, reason: string): void => {
    if (FINAL_CODES.includes(code)) {
      diag(Level.warn, Msg.PresenceFinal, code, reason);
      return;
    }
    const delay = Math.round(Math.min(30_000, 1000 * 2 ** retries++) * (0.5 + Math.random() / 2));
    diag(Level.debug, Msg.PresenceRetry, code, delay);
    timer = setTimeout(() => {
      refresh().then(connect, () => {
        closed(code, reason);
      });
    }, delay);
  };

  connect(token);
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearInterval(ping);
    ws?.close(1000);
  };
}
