/**
 * Public types of the engine. Wire shapes come from @flux/protocol (type-only imports, so
 * no schema code ships in the browser bundle).
 */
import type {
  AckData,
  ClientMessage,
  EndReason,
  ServerMessageOf,
  ServerMessageType,
} from '@flux/protocol';

// ---------------------------------------------------------------------------------------
// Signaling

/**
 * States of the signaling connection.
 *
 *   disconnected ──▶ connecting ──▶ connected ──▶ reconnecting ──▶ connected …
 *        ▲               │              │              │
 *        └───────────────┴──────────────┴──────────────┴──▶ closed (terminal)
 *
 * @public
 */
export type SignalingState =
  'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Who is speaking on the socket. @public */
export type SignalingRole = 'visitor' | 'agent';

/** A request the client can send (every client message that carries a reqId). @public */
export type RequestMessage = Extract<ClientMessage, { reqId: string }>;
/** @public */
export type RequestType = RequestMessage['type'];
/** What `request()` takes: the message without `reqId` (the client assigns one). @public */
export type RequestInput<T extends RequestType = RequestType> = T extends RequestType
  ? Omit<Extract<RequestMessage, { type: T }>, 'reqId'>
  : never;
/** What `request()` resolves to for a request type. @public */
export type RequestResult<T extends RequestType> = AckData[T];

/** Minimal shape of a browser WebSocket the client needs (lets tests inject a fake). @public */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
/** A WebSocket constructor (the global `WebSocket` or a fake). @public */
export type WebSocketFactory = new (url: string) => WebSocketLike;

/** Context handed to a reconnect policy before each retry. @public */
export interface ReconnectContext {
  /** Retries already made since the connection was lost (0 before the first). */
  retryCount: number;
  /** Milliseconds since the connection was lost. */
  elapsedMs: number;
  /** Close code of the last socket, if any. */
  closeCode: number | undefined;
}
/** Decides when (or whether) to reconnect. Return null to give up. @public */
export interface ReconnectPolicy {
  nextRetryDelayInMs(context: ReconnectContext): number | null;
}

/** Payload of `stateChanged` events (signaling and call). @public */
export interface StateChange<S extends string> {
  from: S;
  to: S;
  reason?: string;
}

/** Events of a SignalingClient: every server push by its type, plus local events. @public */
export type SignalingEvents = { [K in ServerMessageType]: ServerMessageOf<K> } & {
  stateChanged: StateChange<SignalingState>;
  /** Each (re)connect's welcome; `resumed` tells whether the old session continued. */
  welcome: ServerMessageOf<'session.welcome'>;
  /** The socket closed with this code (before any reconnect). */
  socketClosed: { code: number; reason: string };
  listenerError: { error: unknown; event: string };
};

// ---------------------------------------------------------------------------------------
// Calls

/**
 * Client-side state of one call.
 *
 *   idle ─▶ requesting ─▶ ringing ─▶ connecting ─▶ active ◀─▶ reconnecting
 *    │          │            │            │           │             │
 *    └──────────┴────────────┴────────────┴───────────┴─────────────┴─▶ ended (terminal, has reason)
 *
 * Visitor: idle → requesting (offer ready, call.request sent) → ringing (acked) → connecting
 * (agent accepted) → active (media connected). Agent: idle → ringing (call.incoming prepared)
 * → connecting (accepted) → active.
 * @public
 */
export type CallState =
  'idle' | 'requesting' | 'ringing' | 'connecting' | 'active' | 'reconnecting' | 'ended';

/**
 * Why a call ended on this client: the server's EndReason; `request_failed` when the call
 * never got a record (agent busy/unavailable, network, media; see `CallSession.error`);
 * `answered_elsewhere` on an agent console when another console of the same agent accepted.
 * @public
 */
export type CallEndReason = EndReason | 'request_failed' | 'answered_elsewhere';

/** A chat line in a call. @public */
export interface ChatMessage {
  from: 'visitor' | 'agent';
  text: string;
  at: string;
}

/** The figures `getStats()` summarises from the peer connection. @public */
export interface CallStats {
  video: {
    framesDecoded: number;
    packetsReceived: number;
    bytesReceived: number;
    framesSent: number;
  };
  audio: { packetsReceived: number; bytesReceived: number; packetsSent: number };
  /** Selected candidate pair: candidate types (host, srflx, prflx, relay) and round trip. */
  candidatePair: {
    localType: string | null;
    remoteType: string | null;
    protocol: string | null;
    currentRoundTripTime: number | null;
  } | null;
  /** The raw report, for anything else. */
  report: RTCStatsReport | null;
}

/** The other party's reported media state. @public */
export type PeerMediaState = 'connecting' | 'connected' | 'reconnecting' | 'failed';

/** Creates the RTCPeerConnection of a call (inject a fake in tests). @public */
export type PeerConnectionFactory = (config: RTCConfiguration) => RTCPeerConnection;
