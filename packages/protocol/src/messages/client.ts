/**
 * Messages a client (visitor SDK or agent console) sends on the WebSocket channel.
 * Every message but `session.hello` and `session.ping` carries a `reqId`, answered by an
 * `ack` (with a payload) or an `error` with the same reqId. A client may re-send a message
 * with the same reqId after a reconnect; the server answers it again without doing it twice.
 */
import { Type, type Static } from 'typebox';
import { IdSchema, LinkQualitySchema, VisitorUserSchema } from '../models.ts';

const ReqId = Type.String({ minLength: 1, maxLength: 40 });
const CallId = IdSchema;
const Sdp = Type.Object(
  {
    type: Type.Union([
      Type.Literal('offer'),
      Type.Literal('answer'),
      Type.Literal('pranswer'),
      Type.Literal('rollback'),
    ]),
    sdp: Type.Optional(Type.String({ maxLength: 30000 })),
  },
  { additionalProperties: false },
);
const Candidate = Type.Object(
  {
    candidate: Type.String({ maxLength: 1000 }),
    sdpMid: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    sdpMLineIndex: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: 64 }), Type.Null()]),
    ),
    usernameFragment: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
  },
  { additionalProperties: false },
);
/** A WebRTC signal relayed to the other party of a call. */
export const SignalSchema = Type.Union([
  Type.Object(
    { kind: Type.Literal('description'), description: Sdp },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('candidate'), candidate: Candidate },
    { additionalProperties: false },
  ),
  /**
   * The console that set up the transport is accepting: the visitor may send media now. Sent
   * just before `call.accept`, so that both sides start at the same moment; the record's
   * `call.state connected` follows.
   */
  Type.Object({ kind: Type.Literal('accepted') }, { additionalProperties: false }),
]);
export type Signal = Static<typeof SignalSchema>;

const msg = <T extends string, P extends Parameters<typeof Type.Object>[0]>(type: T, props: P) =>
  Type.Object({ type: Type.Literal(type), ...props }, { additionalProperties: false });

export const ClientMessageSchema = Type.Union([
  /** First frame. Visitors pass the token from the public agents response; agents rely on their session cookie. */
  msg('session.hello', {
    protocolVersion: Type.Integer({ minimum: 0 }),
    role: Type.Union([Type.Literal('visitor'), Type.Literal('agent')]),
    token: Type.Optional(Type.String({ maxLength: 1000 })),
    sdkVersion: Type.Optional(Type.String({ maxLength: 40 })),
    /** Resume a session after a reconnect: replays server messages after `lastSeq`. */
    resume: Type.Optional(
      Type.Object(
        { sessionId: Type.String({ maxLength: 64 }), lastSeq: Type.Integer({ minimum: 0 }) },
        { additionalProperties: false },
      ),
    ),
    /**
     * The connected call this client is in, for when the session cannot be resumed (a server
     * restart, another process): the new session takes its side of the call, and the welcome's
     * `activeCall` says whether it did. Visitors pass the `rejoinToken` of their call.request
     * answer; a console needs none (its cookie names the call's agent).
     */
    rejoin: Type.Optional(
      Type.Object(
        { callId: CallId, token: Type.Optional(Type.String({ maxLength: 64 })) },
        { additionalProperties: false },
      ),
    ),
  }),
  /** Application-level heartbeat; answered with session.pong. */
  msg('session.ping', { t: Type.Optional(Type.Number()) }),
  /** Visitor: follow the channel's available agents (answered with presence.roster, then pushed on change). */
  msg('presence.subscribe', { reqId: ReqId }),
  msg('presence.unsubscribe', { reqId: ReqId }),
  /** Visitor: call an agent. `offer` lets the agent prepare while it rings. Ack: { call }. */
  msg('call.request', {
    reqId: ReqId,
    agentId: IdSchema,
    productIds: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 }),
    pageUrl: Type.String({ maxLength: 2048 }),
    user: Type.Optional(VisitorUserSchema),
    audioOnly: Type.Optional(Type.Boolean()),
    offer: Type.Optional(Sdp),
  }),
  /** Agent: accept a ringing call, optionally with the prepared answer. */
  msg('call.accept', { reqId: ReqId, callId: CallId, answer: Type.Optional(Sdp) }),
  /** Agent: decline a ringing call; `goOffline` also sets the agent's status to offline. */
  msg('call.decline', { reqId: ReqId, callId: CallId, goOffline: Type.Optional(Type.Boolean()) }),
  /** Either side: end the call (cancel while ringing, hang up when connected). */
  msg('call.hangup', { reqId: ReqId, callId: CallId }),
  /** Either side: relay a WebRTC description or ICE candidate to the other party. */
  msg('call.signal', { reqId: ReqId, callId: CallId, signal: SignalSchema }),
  /** Either side: report media connection state (stored for diagnosis; `failed` ends the call). */
  msg('call.media_state', {
    reqId: ReqId,
    callId: CallId,
    state: Type.Union([
      Type.Literal('connecting'),
      Type.Literal('connected'),
      Type.Literal('reconnecting'),
      Type.Literal('failed'),
    ]),
    detail: Type.Optional(Type.String({ maxLength: 300 })),
  }),
  /**
   * Either side of a connected call: its judgement of the link changed (quality.ts of
   * @flux/client). Stored in the call record's `weakSeconds`; no answer but the ack.
   */
  msg('call.quality', { reqId: ReqId, callId: CallId, quality: LinkQualitySchema }),
  /** Agent: add a catalog product to the call (by product id). */
  msg('call.product_add', { reqId: ReqId, callId: CallId, productId: IdSchema }),
  /** Agent: remove a product from the call. */
  msg('call.product_remove', { reqId: ReqId, callId: CallId, productId: IdSchema }),
  /** Visitor: a product card was clicked or added to cart. */
  msg('call.product_event', {
    reqId: ReqId,
    callId: CallId,
    productId: IdSchema,
    kind: Type.Union([Type.Literal('click'), Type.Literal('add_to_cart')]),
  }),
  /** Either side: a chat message during the call. */
  msg('call.chat', {
    reqId: ReqId,
    callId: CallId,
    text: Type.String({ minLength: 1, maxLength: 2000 }),
  }),
  /** Visitor: rate an ended call, 1–5. */
  msg('call.rate', {
    reqId: ReqId,
    callId: CallId,
    rating: Type.Integer({ minimum: 1, maximum: 5 }),
  }),
  /** Visitor: leave a callback request (after a decline or miss, or when nobody is online). */
  msg('callback.request', {
    reqId: ReqId,
    callId: Type.Optional(CallId),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    contact: Type.String({ minLength: 3, maxLength: 320 }),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    pageUrl: Type.Optional(Type.String({ maxLength: 2048 })),
  }),
]);
export type ClientMessage = Static<typeof ClientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];
/** The message of a given type. */
export type ClientMessageOf<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;
