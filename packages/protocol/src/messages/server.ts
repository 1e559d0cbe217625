/**
 * Messages the server sends. Every server message carries `seq` (per session, increasing
 * from 1) so that a resuming client can ask for what it missed.
 */
import type { ErrorCode } from '../errors.ts';
import type { CallAgent, Call, IceServer, Product, User } from '../models.ts';
import type { AgentAvailability, AgentStatus } from '../states.ts';
import type { Signal } from './client.ts';

interface Base {
  seq: number;
}

export interface SessionWelcome extends Base {
  type: 'session.welcome';
  sessionId: string;
  protocolVersion: number;
  heartbeatMs: number;
  iceServers: IceServer[];
  /** True when this continued an earlier session (messages after lastSeq were replayed). */
  resumed: boolean;
  /** The caller's active call, if any, as a snapshot after a (re)connect. */
  activeCall: Call | null;
}
export interface SessionPong extends Base {
  type: 'session.pong';
  t?: number;
}
/** Answer to a request. `data` depends on the request type (see AckData). */
export interface Ack extends Base {
  type: 'ack';
  reqId: string;
  data?: unknown;
}
export interface ErrorMessage extends Base {
  type: 'error';
  reqId?: string;
  code: ErrorCode;
  message: string;
}
/** Visitor: the channel's agents who can take a call now (whole list, on subscribe and on every change). */
export interface PresenceRoster extends Base {
  type: 'presence.roster';
  agents: CallAgent[];
  open: boolean;
}
/** Agent: my own availability changed (e.g. set offline after missed calls). */
export interface AgentState extends Base {
  type: 'agent.state';
  status: AgentStatus;
  availability: AgentAvailability;
  /** Why it changed, e.g. 'missed_calls', 'declined_and_offline', 'admin'. */
  reason?: string;
  user?: User;
}
/** Agent: a call rings. */
export interface CallIncoming extends Base {
  type: 'call.incoming';
  call: Call;
  offer?: { type: 'offer'; sdp?: string };
  audioOnly: boolean;
  ringTimeoutSeconds: number;
}
/** Both: the call record changed state. On a decline or miss, `alternatives` lists same-tag agents available now. */
export interface CallStateMessage extends Base {
  type: 'call.state';
  call: Call;
  alternatives?: CallAgent[];
}
/** Both: a relayed WebRTC signal from the other party. */
export interface CallSignal extends Base {
  type: 'call.signal';
  callId: string;
  from: 'visitor' | 'agent';
  signal: Signal;
}
/** Both: the call's product list changed (full list). */
export interface CallProducts extends Base {
  type: 'call.products';
  callId: string;
  products: Product[];
}
/** Agent: a visitor's product interaction. */
export interface CallProductEvent extends Base {
  type: 'call.product_event';
  callId: string;
  productId: string;
  kind: 'click' | 'add_to_cart';
}
export interface CallChat extends Base {
  type: 'call.chat';
  callId: string;
  from: 'visitor' | 'agent';
  text: string;
  at: string;
}
/** Both: the other party's media connection state. */
export interface CallPeerMediaState extends Base {
  type: 'call.peer_media_state';
  callId: string;
  from: 'visitor' | 'agent';
  state: 'connecting' | 'connected' | 'reconnecting' | 'failed';
}
/** Agents: a callback request was left in the channel. */
export interface CallbackCreated extends Base {
  type: 'callback.created';
  callbackId: string;
}

export type ServerMessage =
  | SessionWelcome
  | SessionPong
  | Ack
  | ErrorMessage
  | PresenceRoster
  | AgentState
  | CallIncoming
  | CallStateMessage
  | CallSignal
  | CallProducts
  | CallProductEvent
  | CallChat
  | CallPeerMediaState
  | CallbackCreated;
export type ServerMessageType = ServerMessage['type'];
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;
/** A server message before the session stamps its seq. */
export type OutgoingServerMessage = ServerMessage extends infer M
  ? M extends Base
    ? Omit<M, 'seq'>
    : never
  : never;

/** What `ack.data` holds for each request type. */
export interface AckData {
  'presence.subscribe': { agents: CallAgent[]; open: boolean };
  'presence.unsubscribe': undefined;
  /** `rejoinToken`: what a new session presents to take the visitor's side of this call (`session.hello` `rejoin`). */
  'call.request': { call: Call; rejoinToken: string };
  'call.accept': { call: Call };
  'call.decline': { call: Call };
  'call.hangup': { call: Call };
  'call.signal': undefined;
  'call.media_state': undefined;
  'call.quality': undefined;
  'call.product_add': { products: Product[] };
  'call.product_remove': { products: Product[] };
  'call.product_event': undefined;
  'call.chat': { at: string };
  'call.rate': { call: Call };
  'callback.request': { callbackId: string };
}
