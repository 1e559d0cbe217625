/**
 * Application close codes of the WebSocket channel (4000–4999).
 * Server: close the socket with one of these and a short reason.
 * Client: 4001, 4003 and 4026 are final (do not reconnect); the others may reconnect with backoff.
 * @public
 */
export const CLOSE_CODES = {
  /** No valid session cookie or visitor token. Final. */
  UNAUTHENTICATED: 4001,
  /** Authenticated but not allowed (deactivated account, revoked key, foreign origin). Final. */
  FORBIDDEN: 4003,
  /** The first frame was not a valid session.hello in time. */
  HELLO_TIMEOUT: 4008,
  /** Protocol version outside what the server supports. Final. */
  PROTOCOL_VERSION: 4026,
  /** Too many invalid frames or too many messages per second. */
  ABUSE: 4029,
  /** Missed heartbeats. */
  HEARTBEAT_TIMEOUT: 4040,
  /** The server is shutting down; reconnect (to another process). */
  SERVER_SHUTDOWN: 4050,
} as const;
/** @public */
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];
/** Close codes after which a client must not reconnect. @public */
export const FINAL_CLOSE_CODES: readonly number[] = [
  CLOSE_CODES.UNAUTHENTICATED,
  CLOSE_CODES.FORBIDDEN,
  CLOSE_CODES.PROTOCOL_VERSION,
];
/** Largest WebSocket frame either side may send, in bytes. @public */
export const MAX_MESSAGE_BYTES = 64 * 1024;
