/**
 * One call: one RTCPeerConnection, one state machine (see callMachine.ts for the diagram).
 * Created by startVisitorCall() or prepareAgentCall(); single-use.
 *
 * This file keeps the call level: the state machine, the server's messages, products, chat and
 * rating, and the media connection's health. The first offer/answer travels inside
 * call.request / call.accept so that the agent prepares while it rings; SDP and ICE work is in
 * NegotiationManager.ts, the local tracks (held until accept, mute) in LocalMediaManager.ts.
 */
import { FluxError } from '@flux/protocol';
import type {
  Call,
  CallAgent,
  CallIncoming,
  Product,
  ServerMessageOf,
  VisitorUser,
} from '@flux/protocol';
import { canCallSessionTransition, isReachable } from './callMachine.ts';
import { Emitter } from './Emitter.ts';
import { invalidStateError, mediaErrorFrom, networkError, toFluxError } from './errors.ts';
import { LocalMediaManager } from './LocalMediaManager.ts';
import { silentLogger, type Logger } from './logger.ts';
import { NegotiationManager, type CandidateKind } from './NegotiationManager.ts';
import type { SignalingClient } from './SignalingClient.ts';
import { summarizeStats } from './stats.ts';
import {
  QUALITY_INTERVAL_MS,
  QualityMeter,
  qualitySample,
  qualityWindow,
  type LinkQuality,
  type QualitySample,
} from './quality.ts';
import type {
  CallEndReason,
  CallState,
  CallStats,
  ChatMessage,
  PeerConnectionFactory,
  PeerMediaState,
  RequestInput,
  StateChange,
} from './types.ts';

/** Events of a CallSession. @public */
export interface CallSessionEvents {
  stateChanged: StateChange<CallState>;
  call: Call;
  remoteStream: MediaStream;
  products: Product[];
  chat: ChatMessage;
  productEvent: { productId: string; kind: 'click' | 'add_to_cart' };
  peerMediaState: PeerMediaState;
  /** The link's quality changed while the call is up (quality.ts); it starts `good`. */
  quality: LinkQuality;
  error: FluxError;
  listenerError: { error: unknown; event: string };
}

/** Options common to both sides. @public */
export interface CallSessionCommonOptions {
  signaling: SignalingClient;
  createPeerConnection?: PeerConnectionFactory;
  iceTransportPolicy?: RTCIceTransportPolicy;
  /**
   * How long at most to gather candidates before sending the first offer/answer (ms); it goes
   * sooner once it holds a candidate that reaches the other browser. Default 1000.
   */
  iceGatheringTimeoutMs?: number;
  /** How long the media may stay reconnecting before the call is reported failed (ms). Default 30000. */
  mediaFailTimeoutMs?: number;
  /**
   * When the media goes down, how long the signaling socket has to show it is alive before it
   * is replaced (ms; `SignalingClient.checkConnection`). Default 3000.
   */
  connectionCheckMs?: number;
  logger?: Logger;
}

/** @public */
export interface VisitorCallOptions extends CallSessionCommonOptions {
  localStream: MediaStream;
  agentId: string;
  productIds: string[];
  pageUrl: string;
  user?: VisitorUser;
  audioOnly?: boolean;
}

/** @public */
export interface AgentCallOptions extends CallSessionCommonOptions {
  incoming: CallIncoming;
  localStream?: MediaStream | null;
}

type Role = 'visitor' | 'agent';
/** What a side tells the server of its own end of the call (`#report`). */
type ReportType = 'call.media_state' | 'call.quality';
type ReportValue = PeerMediaState | LinkQuality;

const MEDIA_STATE: Partial<Record<RTCPeerConnectionState, PeerMediaState>> = {
  new: 'connecting',
  connecting: 'connecting',
  connected: 'connected',
  disconnected: 'reconnecting',
  failed: 'reconnecting',
};

/**
 * A call in progress. See the package README for the full API.
 * @example
 * const call = startVisitorCall({ signaling, localStream, agentId, productIds: [], pageUrl: location.href });
 * call.on('remoteStream', (s) => (video.srcObject = s));
 * await call.when('active');
 * @public
 */
export class CallSession {
  readonly role: Role;
  #state: CallState = 'idle';
  #callId: string | null = null;
  /** Visitor: what a new session presents to take this side of the call (call.request answer). */
  #rejoinToken: string | undefined;
  #call: Call | null = null;
  #endReason: CallEndReason | null = null;
  #error: FluxError | null = null;
  #products: Product[] = [];
  #unknownProductIds: string[] = [];
  #alternatives: CallAgent[] = [];
  #chat: ChatMessage[] = [];
  #remoteStream: MediaStream | null = null;
  #peerMediaState: PeerMediaState | null = null;

  readonly #signaling: SignalingClient;
  readonly #events: Emitter<CallSessionEvents>;
  readonly #log: Logger;
  readonly #opts: CallSessionCommonOptions;
  readonly #pc: RTCPeerConnection;
  readonly #negotiation: NegotiationManager;
  readonly #media: LocalMediaManager;
  /** Pushes for our call that arrived before we knew its id (visitor, before the ack). */
  #early: Array<() => void> = [];
  #offs: Array<() => void> = [];
  /**
   * This side's media state and link quality as the server should have them, and the requests
   * that carry them (`#report`). A request lost with the connection is sent again after it.
   */
  readonly #reports = new Map<ReportType, { value: ReportValue; sent: object | null }>();
  #disconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #failTimer: ReturnType<typeof setTimeout> | null = null;
  #prepared: Promise<RTCSessionDescriptionInit | null> = Promise.resolve(null);
  /** What `#prepared` resolved with, once it has (so accept() need not wait a microtask). */
  #preparedAnswer: RTCSessionDescriptionInit | null | undefined;
  #hangupRequested = false;
  readonly #quality = new QualityMeter();
  #qualityTimer: ReturnType<typeof setInterval> | null = null;
  #qualityBase: QualitySample | null = null;
  /** The last quality window got no packet in (`QualityWindow.silent`). */
  #silent = false;

  /** @internal Use startVisitorCall() or prepareAgentCall(). */
  constructor(role: Role, options: CallSessionCommonOptions, localStream: MediaStream | null) {
    this.role = role;
    this.#opts = options;
    this.#signaling = options.signaling;
    this.#log = options.logger ?? silentLogger;
    this.#events = new Emitter<CallSessionEvents>((error, event) => {
      this.#log.warn('call listener threw', { event: String(event), error: String(error) });
      if (event !== 'listenerError')
        this.#events.emit('listenerError', { error, event: String(event) });
    });
    const config: RTCConfiguration = {
      iceServers: this.#signaling.welcome?.iceServers ?? [],
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    };
    if (options.iceTransportPolicy) config.iceTransportPolicy = options.iceTransportPolicy;
    const factory = options.createPeerConnection ?? ((c) => new RTCPeerConnection(c));
    this.#pc = factory(config);
    this.#media = new LocalMediaManager(this.#pc, localStream, this.#log);
    this.#negotiation = new NegotiationManager({
      pc: this.#pc,
      role,
      signaling: this.#signaling,
      log: this.#log,
      iceGatheringTimeoutMs: options.iceGatheringTimeoutMs ?? 1000,
      enoughCandidate: enoughCandidate(config),
      callId: () => this.#callId,
      ended: () => this.#ended(),
      onError: (err) => {
        this.#events.emit('error', err);
      },
      onAccepted: () => {
        // The agent is accepting: the gates open at the same moment as the agent's, and the
        // call is connecting at once, so the page lays out its call screen before the agent's
        // first picture arrives instead of waiting for the stored accept (10-15 ms later on a
        // quiet machine, 30-55 ms with a core taken). 'active' still follows the record's
        // call.state connected (docs/protocol.md).
        if (this.#state !== 'ringing') return;
        void this.#media.startSending();
        this.#transition('connecting', 'accepted');
      },
    });
    this.#wirePeerConnection();
    this.#wireSignaling();
  }

  // ---------------------------------------------------------------- read-only state

  get state(): CallState {
    return this.#state;
  }
  get callId(): string | null {
    return this.#callId;
  }
  get call(): Call | null {
    return this.#call;
  }
  get endReason(): CallEndReason | null {
    return this.#endReason;
  }
  get error(): FluxError | null {
    return this.#error;
  }
  get products(): Product[] {
    return this.#products;
  }
  get unknownProductIds(): string[] {
    return this.#unknownProductIds;
  }
  get alternatives(): CallAgent[] {
    return this.#alternatives;
  }
  get chat(): ChatMessage[] {
    return this.#chat;
  }
  get localStream(): MediaStream | null {
    return this.#media.stream;
  }
  get remoteStream(): MediaStream | null {
    return this.#remoteStream;
  }
  get peerMediaState(): PeerMediaState | null {
    return this.#peerMediaState;
  }
  /** How well the media gets through, judged while the call is active (quality.ts). */
  get quality(): LinkQuality {
    return this.#quality.quality;
  }
  get muted(): { audio: boolean; video: boolean } {
    return this.#media.muted;
  }
  /** The underlying peer connection (for diagnostics). */
  get peerConnection(): RTCPeerConnection {
    return this.#pc;
  }

  on<K extends keyof CallSessionEvents>(
    event: K,
    fn: (p: CallSessionEvents[K]) => void,
  ): () => void {
    return this.#events.on(event, fn);
  }
  once<K extends keyof CallSessionEvents>(
    event: K,
    fn: (p: CallSessionEvents[K]) => void,
  ): () => void {
    return this.#events.once(event, fn);
  }
  off<K extends keyof CallSessionEvents>(event: K, fn: (p: CallSessionEvents[K]) => void): void {
    this.#events.off(event, fn);
  }

  /** Resolves when the session is in `state`; rejects once it can no longer get there. */
  when(state: CallState): Promise<void> {
    if (this.#state === state) return Promise.resolve();
    if (!isReachable(this.#state, state)) return Promise.reject(this.#unreachable(state));
    return new Promise((resolve, reject) => {
      const off = this.#events.on('stateChanged', ({ to }) => {
        if (to === state) {
          off();
          resolve();
        } else if (!isReachable(to, state)) {
          off();
          reject(this.#unreachable(state));
        }
      });
    });
  }

  // ---------------------------------------------------------------- actions

  /** Agent: accept the ringing call (sends the answer prepared while ringing). */
  async accept(options: { localStream?: MediaStream | null } = {}): Promise<void> {
    if (this.role !== 'agent') throw invalidStateError('Only an agent can accept a call.');
    if (this.#state !== 'ringing') {
      throw invalidStateError(`Cannot accept a call that is ${this.#state}.`, {
        state: this.#state,
      });
    }
    const callId = this.#requireCallId();
    if (options.localStream) this.#media.hold(options.localStream);
    this.#transition('connecting', 'accepted');
    // Prepared while it rang (the usual case): the accepted signal goes out and the gates open
    // in the caller's task. Awaiting even a settled promise would first run every microtask the
    // page queued before, such as a UI framework's render of the call screen (10-17 ms in the
    // console), and the first picture would leave after it.
    let answer = this.#preparedAnswer;
    if (answer === undefined) {
      try {
        answer = await this.#prepared;
      } catch (e) {
        this.#fail(mediaErrorFrom(e));
        throw this.#error ?? mediaErrorFrom(e);
      }
    }
    if (this.#ended()) throw this.#unreachable('connecting');
    // the transport may already be up (prepared while ringing): media starts now, on both
    // sides at once (the visitor hears of it through the console that set up the transport;
    // when that is another console, the server drops this signal and call.state starts it)
    if (answer) this.#negotiation.sendAccepted();
    await this.#media.startSending();
    try {
      const msg: {
        type: 'call.accept';
        callId: string;
        answer?: { type: 'answer'; sdp?: string };
      } = { type: 'call.accept', callId };
      if (answer?.type === 'answer') msg.answer = { type: 'answer', sdp: answer.sdp ?? '' };
      const { call } = await this.#signaling.request(msg);
      this.#negotiation.setReady();
      this.#negotiation.releaseCandidates();
      this.#applyCall(call);
      if (!answer) void this.#negotiation.negotiate();
    } catch (e) {
      const err = toFluxError(e);
      if (!this.#ended()) {
        this.#error = err;
        this.#events.emit('error', err);
        // the call may have been cancelled or accepted elsewhere: the record tells
        if (this.#call?.status === 'ended') this.#end(this.#call.endReason ?? 'cancelled');
        else this.#end('failed', err.message);
      }
      throw err;
    }
  }

  /** Agent: decline the ringing call, optionally going offline. */
  async decline(options: { goOffline?: boolean } = {}): Promise<void> {
    if (this.role !== 'agent') throw invalidStateError('Only an agent can decline a call.');
    const callId = this.#requireCallId();
    if (this.#state === 'ended') return;
    this.#end('declined');
    const msg: { type: 'call.decline'; callId: string; goOffline?: boolean } = {
      type: 'call.decline',
      callId,
    };
    if (options.goOffline) msg.goOffline = true;
    const { call } = await this.#signaling.request(msg);
    this.#updateCall(call);
  }

  /** Either side: end the call (cancel while it rings, hang up when connected). */
  async hangup(): Promise<void> {
    if (this.#state === 'ended') return;
    const reason: CallEndReason =
      this.#state === 'requesting' || this.#state === 'ringing'
        ? this.role === 'visitor'
          ? 'cancelled'
          : 'declined'
        : this.role === 'visitor'
          ? 'visitor_hangup'
          : 'agent_hangup';
    this.#hangupRequested = true;
    this.#end(reason);
    const callId = this.#callId;
    if (!callId) return; // the request's ack will hang it up
    try {
      const { call } = await this.#signaling.request({ type: 'call.hangup', callId });
      this.#updateCall(call);
    } catch (e) {
      this.#log.warn('hangup request failed', { error: String(e) });
    }
  }

  /** Mutes or unmutes the local audio or video track (no renegotiation). */
  setMuted(kind: 'audio' | 'video', muted: boolean): void {
    this.#media.setMuted(kind, muted);
  }

  /**
   * Replaces the outgoing video (camera switch, screen share). Uses replaceTrack when a video
   * sender exists; otherwise adds the track and renegotiates.
   */
  replaceVideoTrack(track: MediaStreamTrack | null): Promise<void> {
    return this.#media.replaceVideoTrack(track);
  }

  /** Agent: add a catalog product to the call; resolves with the new list. */
  async addProduct(productId: string): Promise<Product[]> {
    const { products } = await this.#signaling.request({
      type: 'call.product_add',
      callId: this.#requireCallId(),
      productId,
    });
    this.#setProducts(products);
    return products;
  }

  /** Agent: remove a product from the call; resolves with the new list. */
  async removeProduct(productId: string): Promise<Product[]> {
    const { products } = await this.#signaling.request({
      type: 'call.product_remove',
      callId: this.#requireCallId(),
      productId,
    });
    this.#setProducts(products);
    return products;
  }

  /** Visitor: record a product click or add-to-cart (forwarded to the agent). */
  async productEvent(productId: string, kind: 'click' | 'add_to_cart'): Promise<void> {
    await this.#signaling.request({
      type: 'call.product_event',
      callId: this.#requireCallId(),
      productId,
      kind,
    });
  }

  /** Sends a chat line; resolves with it (as the other side sees it). */
  async sendChat(text: string): Promise<ChatMessage> {
    const { at } = await this.#signaling.request({
      type: 'call.chat',
      callId: this.#requireCallId(),
      text,
    });
    const line: ChatMessage = { from: this.role, text, at };
    this.#chat.push(line);
    this.#events.emit('chat', line);
    return line;
  }

  /** Visitor: rate the call 1–5 (during or after it). */
  async rate(rating: number): Promise<Call> {
    const { call } = await this.#signaling.request({
      type: 'call.rate',
      callId: this.#requireCallId(),
      rating,
    });
    this.#updateCall(call);
    return call;
  }

  /** Summarised WebRTC statistics (frames decoded, packets received, selected candidate pair). */
  async getStats(): Promise<CallStats> {
    try {
      return summarizeStats(await this.#pc.getStats());
    } catch {
      return summarizeStats(null);
    }
  }

  /** Stops listening and closes the peer connection; does not stop the tracks you passed. */
  dispose(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#clearMediaTimers();
    try {
      this.#pc.close();
    } catch {
      /* already closed */
    }
    this.#media.release();
  }

  // ---------------------------------------------------------------- internal: setup

  /** @internal Visitor: offer + gather, then call.request. */
  startVisitor(o: VisitorCallOptions): void {
    this.#transition('requesting', 'start');
    void this.#runVisitor(o);
  }

  async #runVisitor(o: VisitorCallOptions): Promise<void> {
    let offer: RTCSessionDescriptionInit;
    try {
      // the m-lines say sendrecv, but the tracks go out only once the agent accepts: the
      // transport can come up while it rings without the agent seeing or hearing anyone
      this.#media.addVisitorTransceivers(o.localStream, o.audioOnly);
      offer = await this.#negotiation.createInitialOffer();
    } catch (e) {
      this.#requestFailed(mediaErrorFrom(e));
      return;
    }
    if (this.#state === 'ended') return; // hung up while preparing
    const req: RequestInput<'call.request'> = {
      type: 'call.request',
      agentId: o.agentId,
      productIds: o.productIds,
      pageUrl: o.pageUrl,
      offer: { type: 'offer', sdp: offer.sdp ?? '' },
    };
    if (o.user) req.user = o.user;
    if (o.audioOnly) req.audioOnly = true;
    let call: Call;
    try {
      ({ call, rejoinToken: this.#rejoinToken } = await this.#signaling.request(req));
    } catch (e) {
      this.#requestFailed(toFluxError(e, 'FLX_ERR_SDK_NETWORK'));
      return;
    }
    this.#callId = call.id;
    this.#negotiation.releaseCandidates();
    if (this.#hangupRequested || this.#ended()) {
      this.#signaling.request({ type: 'call.hangup', callId: call.id }).then(
        (r) => {
          this.#updateCall(r.call);
        },
        () => undefined,
      );
      return;
    }
    this.#updateCall(call);
    this.#unknownProductIds = call.unknownProductIds;
    this.#setProducts(call.products);
    if (call.status === 'requested' || call.status === 'ringing') {
      this.#transition('ringing', 'requested');
    }
    this.#applyCall(call);
    const early = this.#early;
    this.#early = [];
    for (const run of early) run();
  }

  /** @internal Agent: apply the offer, create the answer, gather — while it rings. */
  prepareAgent(o: AgentCallOptions): void {
    const { call } = o.incoming;
    this.#callId = call.id;
    this.#updateCall(call);
    this.#unknownProductIds = call.unknownProductIds;
    this.#products = call.products;
    this.#transition('ringing', 'incoming');
    const offer = o.incoming.offer;
    if (this.#media.stream) this.#media.hold(this.#media.stream);
    const prepared = this.#negotiation.prepareAnswer(offer?.sdp, () =>
      this.#media.prepareTransceivers(),
    );
    this.#prepared = prepared;
    this.#preparedAnswer = undefined;
    prepared.then(
      (answer) => {
        if (this.#prepared === prepared) this.#preparedAnswer = answer;
      },
      // an unhandled failure here surfaces at accept()
      (e: unknown) => {
        if (!this.#ended()) this.#log.warn('preparing the answer failed', { error: String(e) });
      },
    );
    // what came while the console opened its camera: the visitor's candidates, mostly, and
    // the ring's end if it is over already (the session is then born ended)
    const early = this.#signaling.takeEarly(call.id);
    for (const m of early.signals) this.#negotiation.onSignal(m.signal);
    if (early.state) this.#onCallState(early.state);
  }

  // ---------------------------------------------------------------- internal: wiring

  #wirePeerConnection(): void {
    const pc = this.#pc;
    pc.ontrack = (ev) => {
      let stream = ev.streams[0] ?? this.#remoteStream;
      if (!stream) {
        stream = new MediaStream();
      }
      if (!stream.getTracks().includes(ev.track)) stream.addTrack(ev.track);
      if (stream !== this.#remoteStream) {
        this.#remoteStream = stream;
        this.#events.emit('remoteStream', stream);
      }
    };
    pc.onconnectionstatechange = () => {
      this.#onConnectionState(pc.connectionState);
    };
  }

  #wireSignaling(): void {
    const s = this.#signaling;
    const mine = (callId: string, run: () => void): void => {
      if (this.#callId === callId) run();
      else if (this.#callId === null && this.role === 'visitor' && this.#state === 'requesting') {
        this.#early.push(() => {
          if (this.#callId === callId) run();
        });
      }
    };
    this.#offs.push(
      s.on('call.state', (m) => {
        mine(m.call.id, () => {
          this.#onCallState(m);
        });
      }),
      s.on('call.signal', (m) => {
        mine(m.callId, () => {
          this.#negotiation.onSignal(m.signal);
        });
      }),
      s.on('call.products', (m) => {
        mine(m.callId, () => {
          this.#setProducts(m.products);
        });
      }),
      s.on('call.chat', (m) => {
        mine(m.callId, () => {
          const line: ChatMessage = { from: m.from, text: m.text, at: m.at };
          this.#chat.push(line);
          this.#events.emit('chat', line);
        });
      }),
      s.on('call.product_event', (m) => {
        mine(m.callId, () => {
          this.#events.emit('productEvent', { productId: m.productId, kind: m.kind });
        });
      }),
      s.on('call.peer_media_state', (m) => {
        mine(m.callId, () => {
          if (this.#peerMediaState === m.state) return; // sent again after a reconnect
          this.#peerMediaState = m.state;
          this.#events.emit('peerMediaState', m.state);
        });
      }),
      s.on('welcome', (w) => {
        if (!this.#callId || this.#state === 'ended') return;
        if (!w.resumed) {
          // a fresh session: the server tells us whether our call still exists
          if (w.activeCall?.id !== this.#callId) {
            this.#end('lost', 'the signaling session was lost');
            return;
          }
          this.#applyCall(w.activeCall);
        }
        this.#reportAgain(!w.resumed);
        this.#negotiation.resendUnconfirmed(!w.resumed);
        // Back after a drop while no media comes in: both were likely one network change, so
        // the ICE restart goes now, not once the browser gives the path up (some seconds) and
        // the usual wait for it to recover by itself has passed.
        const waiting =
          this.#disconnectTimer !== null && this.#pc.connectionState === 'disconnected';
        if (waiting || (this.#state === 'active' && this.#silent)) {
          if (this.#disconnectTimer) clearTimeout(this.#disconnectTimer);
          this.#disconnectTimer = null;
          this.#negotiation.restartIce();
        }
      }),
    );
  }

  #onCallState(m: ServerMessageOf<'call.state'>): void {
    if (m.alternatives) this.#alternatives = m.alternatives;
    this.#applyCall(m.call);
  }

  /** Follows the server's record. */
  #applyCall(call: Call): void {
    this.#updateCall(call);
    if (call.products.length || this.#products.length) {
      if (!sameProducts(call.products, this.#products)) this.#setProducts(call.products);
    }
    switch (call.status) {
      case 'requested':
      case 'ringing':
        return;
      case 'connected':
        if (this.#state === 'ringing') {
          if (this.role === 'agent' && !this.#negotiation.ready) {
            // another console of this agent accepted
            this.#end('answered_elsewhere');
            return;
          }
          this.#transition('connecting', 'accepted');
        }
        // should the server stop or the socket reach another one, the next session takes
        // this side of the call
        this.#signaling.rejoin = {
          callId: call.id,
          ...(this.#rejoinToken ? { token: this.#rejoinToken } : {}),
        };
        if (this.role === 'visitor') void this.#media.startSending();
        if (this.#state === 'connecting' && this.#pc.connectionState === 'connected') {
          this.#transition('active', 'media connected');
        }
        return;
      case 'ended':
        this.#end(call.endReason ?? 'lost', call.endDetail ?? undefined);
        return;
    }
  }

  #updateCall(call: Call): void {
    this.#call = call;
    this.#events.emit('call', call);
  }

  #setProducts(products: Product[]): void {
    this.#products = products;
    this.#events.emit('products', products);
  }

  // ---------------------------------------------------------------- internal: media state

  #onConnectionState(cs: RTCPeerConnectionState): void {
    if (this.#state === 'ended') return;
    const reported = MEDIA_STATE[cs];
    if (reported) this.#reportMedia(reported);
    if (cs === 'connected') {
      const back = this.#state === 'reconnecting';
      this.#clearMediaTimers();
      if (this.#state === 'connecting' || this.#state === 'reconnecting') {
        this.#transition('active', 'media connected');
      }
      // back after an outage: the far side waits for a key frame (LocalMediaManager)
      if (back) this.#media.freshPicture();
      return;
    }
    if (cs === 'disconnected' || cs === 'failed') {
      if (this.#state === 'active') this.#transition('reconnecting', `media ${cs}`);
      if (this.#state !== 'reconnecting' && this.#state !== 'connecting') return;
      // The ICE restart below needs the signaling. If the network changed, its socket may be
      // dead without closing: check it now rather than find out a minute later (the heartbeat).
      this.#signaling.checkConnection(this.#opts.connectionCheckMs);
      if (cs === 'failed') {
        this.#negotiation.restartIce();
      } else if (!this.#disconnectTimer) {
        this.#disconnectTimer = setTimeout(() => {
          this.#disconnectTimer = null;
          if (this.#pc.connectionState === 'disconnected') this.#negotiation.restartIce();
        }, 2000);
      }
      if (!this.#failTimer) {
        this.#failTimer = setTimeout(() => {
          this.#failTimer = null;
          if (this.#state === 'reconnecting' || this.#state === 'connecting') {
            this.#mediaFailed();
          }
        }, this.#opts.mediaFailTimeoutMs ?? 30_000);
      }
    }
  }

  #reportMedia(state: PeerMediaState): void {
    if (
      this.#state !== 'connecting' &&
      this.#state !== 'active' &&
      this.#state !== 'reconnecting'
    ) {
      return;
    }
    this.#report('call.media_state', state);
  }

  /**
   * Tells the server this side's media state or link quality, unless it was already sent. A
   * request that fails (its session was lost, or it timed out while offline) is forgotten, so
   * `#reportAgain` sends the value once there is a connection again.
   */
  #report(type: ReportType, value: ReportValue): void {
    const callId = this.#callId;
    const had = this.#reports.get(type);
    if (!callId || (had?.value === value && had.sent)) return;
    const sent = {};
    this.#reports.set(type, { value, sent });
    const request =
      type === 'call.quality'
        ? this.#signaling.request({ type, callId, quality: value as LinkQuality })
        : this.#signaling.request({ type, callId, state: value as PeerMediaState });
    request.catch(() => {
      const now = this.#reports.get(type);
      if (now?.sent === sent) now.sent = null;
    });
  }

  /**
   * After a reconnect: sends again what the server may not have. With a new session, the
   * requests sent into the old one are failing; with a resumed one, the unanswered ones are
   * sent again by the signaling client and only those that timed out offline are missing.
   */
  #reportAgain(newSession: boolean): void {
    if (this.#state === 'ended') return;
    for (const [type, r] of this.#reports) {
      if (newSession) r.sent = null;
      this.#report(type, r.value);
    }
  }

  #mediaFailed(): void {
    const callId = this.#callId;
    const err = new FluxError('FLX_ERR_MEDIA_CONNECTION_FAILED');
    this.#error = err;
    this.#events.emit('error', err);
    if (callId) {
      this.#signaling
        .request({ type: 'call.media_state', callId, state: 'failed', detail: 'ice failed' })
        .catch(() => undefined);
    }
    this.#end('failed', 'media connection failed');
  }

  #clearMediaTimers(): void {
    if (this.#disconnectTimer) clearTimeout(this.#disconnectTimer);
    if (this.#failTimer) clearTimeout(this.#failTimer);
    this.#disconnectTimer = null;
    this.#failTimer = null;
    this.#watchQuality(false);
  }

  // ---------------------------------------------------------------- internal: quality

  /**
   * Reads the statistics every QUALITY_INTERVAL_MS while the call is active. Stopped while
   * it reconnects (that is shown as such), with no window spanning the gap.
   */
  #watchQuality(on: boolean): void {
    if (on && this.#qualityTimer === null) {
      this.#qualityTimer = setInterval(() => void this.#readQuality(), QUALITY_INTERVAL_MS);
    } else if (!on && this.#qualityTimer !== null) {
      clearInterval(this.#qualityTimer);
      this.#qualityTimer = null;
      this.#qualityBase = null;
      this.#silent = false;
    }
  }

  async #readQuality(): Promise<void> {
    let sample: QualitySample;
    try {
      sample = qualitySample(await this.#pc.getStats());
    } catch {
      return; // closed meanwhile
    }
    if (this.#qualityTimer === null) return; // stopped while it read
    const base = this.#qualityBase;
    this.#qualityBase = sample;
    if (!base) return;
    const win = qualityWindow(base, sample);
    // Packets again after a silent window, with no word from the browser (a path that came
    // back before it called the media disconnected): the far side waits for a key frame too.
    if (this.#silent && !win.silent) this.#media.freshPicture();
    this.#silent = win.silent;
    // Nothing came in for a whole window: if the network changed, the signaling socket may be
    // dead too, and the browser will say the media is down only seconds later.
    if (win.silent) this.#signaling.checkConnection(this.#opts.connectionCheckMs);
    const before = this.#quality.quality;
    const now = this.#quality.push(win.poor);
    if (now === before) return;
    this.#log.info(`link quality ${now}`, { callId: this.#callId, ...win });
    this.#events.emit('quality', now);
    // kept in the call record (weakSeconds), for the shop's call log
    this.#report('call.quality', now);
  }

  // ---------------------------------------------------------------- internal: state

  #transition(to: CallState, reason?: string): boolean {
    const from = this.#state;
    if (from === to) return false;
    if (!canCallSessionTransition(from, to)) {
      this.#log.warn('invalid call transition ignored', { from, to, reason });
      return false;
    }
    this.#state = to;
    this.#watchQuality(to === 'active');
    this.#log.info(`call ${from} → ${to}`, { callId: this.#callId, reason });
    this.#events.emit('stateChanged', reason === undefined ? { from, to } : { from, to, reason });
    return true;
  }

  #end(reason: CallEndReason, detail?: string): void {
    if (this.#state === 'ended') return;
    this.#endReason = reason;
    if (this.#signaling.rejoin?.callId === this.#callId) this.#signaling.rejoin = null;
    this.#transition('ended', detail ? `${reason}: ${detail}` : reason);
    this.#clearMediaTimers();
    try {
      this.#pc.close();
    } catch {
      /* ignore */
    }
    this.#media.release();
    // keep listening for call.state so the final record (duration, rating) still arrives
    for (const off of this.#offs.splice(1)) off();
  }

  #requestFailed(err: FluxError): void {
    this.#error = err;
    this.#events.emit('error', err);
    this.#end('request_failed', err.code);
  }

  #fail(err: FluxError): void {
    this.#error = err;
    this.#events.emit('error', err);
    this.#end('failed', err.message);
  }

  /** Reads the state without type narrowing (it changes across awaits). */
  #ended(): boolean {
    return this.#state === 'ended';
  }

  #requireCallId(): string {
    if (!this.#callId) throw invalidStateError('The call has no id yet.', { state: this.#state });
    return this.#callId;
  }

  #unreachable(state: CallState): FluxError {
    return (
      this.#error ??
      invalidStateError(`The call cannot become ${state} (it is ${this.#state}).`, {
        state: this.#state,
        endReason: this.#endReason,
      })
    );
  }
}

function sameProducts(a: Product[], b: Product[]): boolean {
  return a.length === b.length && a.every((p, i) => p.id === b[i]?.id);
}

/**
 * Visitor: starts a call. Returns at once (state `requesting`); the offer is created and ICE
 * gathered before `call.request` goes out, so the agent can prepare while it rings.
 * @example
 * const call = startVisitorCall({ signaling, localStream, agentId, productIds: ['SKU-1'], pageUrl: location.href });
 * await call.when('active');
 * @public
 */
export function startVisitorCall(options: VisitorCallOptions): CallSession {
  if (options.signaling.role !== 'visitor') {
    throw invalidStateError('startVisitorCall needs a visitor signaling client.');
  }
  const session = new CallSession('visitor', options, options.localStream);
  session.startVisitor(options);
  return session;
}

/**
 * Agent: prepares a ringing call from a `call.incoming` push: applies the visitor's offer,
 * creates the answer and gathers ICE while it rings, so `accept()` only sends it.
 * @example
 * signaling.on('call.incoming', (incoming) => { const call = prepareAgentCall({ signaling, incoming, localStream }); … });
 * @public
 */
export function prepareAgentCall(options: AgentCallOptions): CallSession {
  if (options.signaling.role !== 'agent') {
    throw invalidStateError('prepareAgentCall needs an agent signaling client.');
  }
  if (options.signaling.state === 'closed') throw networkError('The signaling client is closed.');
  const session = new CallSession('agent', options, options.localStream ?? null);
  session.prepareAgent(options);
  return session;
}

/**
 * The kind of local candidate that lets the first offer or answer go before gathering ends
 * (NegotiationManager's `#gathered`): a relay candidate when a TURN server is configured (it
 * reaches the other browser through any NAT), a server-reflexive one with STUN only, a host
 * one with neither (one network, as in development).
 */
function enoughCandidate(config: RTCConfiguration): CandidateKind {
  const urls = (config.iceServers ?? []).flatMap((s) =>
    typeof s.urls === 'string' ? [s.urls] : s.urls,
  );
  if (config.iceTransportPolicy === 'relay' || urls.some((u) => /^turns?:/i.test(u))) {
    return 'relay';
  }
  return urls.some((u) => /^stuns?:/i.test(u)) ? 'srflx' : 'host';
}
