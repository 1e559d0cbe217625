/**
 * The loader's presence-only WebSocket (its code is in FluxPlayer.ts#connect, which shares the
 * session's token and roster): `session.hello` (visitor token) → `session.welcome`
 * → `presence.subscribe` → ack `{agents, open}`, then `presence.roster` on every change.
 * It keeps the widget live without polling and without the call engine, which opens its
 * own signaling connection only when a call starts (docs/sdk.md › Connections).
 *
 * Reconnects with jittered exponential backoff (1 s … 30 s) with the visitor token it holds;
 * the public agents GET for a new one only when it is near its expiry or after a 4001 close.
 * A socket that answered nothing (not even a ping) for a whole heartbeat is replaced the same
 * way, without waiting for its close. Close codes 4003 (forbidden) and 4026 (protocol version)
 * are final.
 */
import type { CallAgent } from '@flux/protocol';

/** CLOSE_CODES.FORBIDDEN and CLOSE_CODES.PROTOCOL_VERSION (a unit test keeps them equal). */
export const FINAL_CODES = [4003, 4026];

/**
 * What the loader reads from a server message on the presence socket. The server sends JSON
 * only; the welcome is the one message with `heartbeatMs`, the subscribe ack the one with
 * `data` (the roster), presence.roster the one with `agents` (FluxPlayer.ts#connect).
 */
export interface PresenceMessage {
  heartbeatMs?: number;
  agents?: CallAgent[];
  open: boolean;
  data?: PresenceMessage;
}
