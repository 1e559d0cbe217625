/**
 * The signaling connection: one WebSocket to WS_PATH, the hello/welcome handshake, typed
 * request/ack, server pushes, heartbeat, reconnect with backoff and session resume.
 *
 *   disconnected ──▶ connecting ──▶ connected ◀──▶ reconnecting
 *                        │              │            ▲  │
 *                        └──────────────┼────────────┘  │     (a failed first attempt
 *                                       └───────────────┴──▶ closed (terminal)   retries too)
 *
 * Only `transition()` changes `state`.
 */
import { FINAL_CLOSE_CODES, FluxError, isErrorCode, PROTOCOL_VERSION } from '@flux/protocol';
import type { ServerMessage, ServerMessageOf, SessionWelcome } from '@flux/protocol';
import { Emitter } from './Emitter.ts';
import { networkError } from './errors.ts';
import { silentLogger, type Logger } from './logger.ts';
import { DefaultReconnectPolicy } from './ReconnectPolicy.ts';
import type {
  ReconnectPolicy,
  RequestInput,
  RequestResult,
  RequestType,
  SignalingEvents,
  SignalingRole,
  SignalingState,
  WebSocketFactory,
  WebSocketLike,
} from './types.ts';

/** A `call.signal` message. */
type CallSignal = ServerMessageOf<'call.signal'>;
type CallStateMessage = ServerMessageOf<'call.state'>;
/** How long the signals of a ring that no session took are kept (ms), and how many at most. */
const HOLD_SIGNALS_MS = 120_000;
const MAX_HELD_SIGNALS = 64;

/** Allowed moves of the signaling state machine. @public */
export const SIGNALING_TRANSITIONS = {
  disconnected: ['connecting', 'closed'],
  connecting: ['connected', 'reconnecting', 'closed'],
  connected: ['reconnecting', 'closed'],
  reconnecting: ['connected', 'closed'],
  closed: [],
} as const satisfies Record<SignalingState, readonly SignalingState[]>;

/** Timer functions (inject fakes in tests). @public */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** @public */
export interface SignalingClientOptions {
  url: string;
  role: SignalingRole;
  getToken?: () => string | Promise<string>;
  WebSocketImpl?: WebSocketFactory;
  reconnectPolicy?: ReconnectPolicy;
  logger?: Logger;
  sdkVersion?: string;
  requestTimeoutMs?: number;
  helloTimeoutMs?: number;
  timers?: Timers;
  /**
   * What says the device's network is back (its `online` events): default the page
   * (`globalThis`) where it has events, none elsewhere; `null` for none.
   */
  network?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null;
}

interface Pending {
  type: RequestType;
  frame: string;
  sent: boolean;
  resolve: (data: unknown) => void;
  reject: (error: FluxError) => void;
  timer: unknown;
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => {
    globalThis.clearTimeout(h as ReturnType<typeof setTimeout>);
  },
  now: () => Date.now(),
};

const OPEN = 1;
/**
 * How long the heartbeat's ping waits for anything to come back before the socket is taken
 * for dead (at most the heartbeat interval). A pong comes back within a round trip; 10 s leaves
 * a slow mobile link room, and an idle console that a network change left silent is replaced
 * 10–35 s after the change (25 s heartbeat) instead of up to 62 s.
 */
const HEARTBEAT_ANSWER_MS = 10_000;

/**
 * @example
 * const signaling = new SignalingClient({ url: 'wss://calls.example/api/v1/ws', role: 'agent' });
 * const welcome = await signaling.connect();
 * signaling.on('call.incoming', (incoming) => { … });
 * const { call } = await signaling.request({ type: 'call.accept', callId });
 * @public
 */
export class SignalingClient {
  readonly role: SignalingRole;
  #state: SignalingState = 'disconnected';
  #welcome: SessionWelcome | null = null;
  #sessionId: string | null = null;
  #lastSeq = 0;
  #ws: WebSocketLike | null = null;
  #pending = new Map<string, Pending>();
  /**
   * What came for calls that rang here and that no call session has taken yet (by call id):
   * their signals, and the latest `call.state`. A console opens its camera before it makes the
   * session for a ring, and what arrives meanwhile would otherwise be lost: the visitor's
   * trickled candidates (with a TURN server the offer carries only its first candidate, and the
   * call could fail for want of the others), or the ring's end (the visitor hung up at once; a
   * console that comes back is replayed a ring and then its end), which would leave the ring
   * ringing.
   */
  readonly #unclaimed = new Map<
    string,
    { since: number; signals: CallSignal[]; state: CallStateMessage | null }
  >();
  #reqCounter = 0;
  readonly #reqPrefix = Math.random().toString(36).slice(2, 8);
  readonly #events: Emitter<SignalingEvents>;
  readonly #opts: SignalingClientOptions;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #policy: ReconnectPolicy;
  #connectWaiter: { resolve: (w: SessionWelcome) => void; reject: (e: FluxError) => void } | null =
    null;
  #helloTimer: unknown = null;
  #heartbeatTimer: unknown = null;
  #retryTimer: unknown = null;
  /** A retry waits for its timer (`#scheduleRetry`). */
  #retryDue = false;
  /** The connection check in progress (`checkConnection`): its socket, timer and deadline. */
  #check: { ws: WebSocketLike; timer: unknown; due: number } | null = null;
  #lastRx = 0;
  #lostAt = 0;
  #retryCount = 0;
  #lastCloseCode: number | undefined;
  /**
   * The connected call to take part in again should the session be lost (its server stopped,
   * or the reconnect reached another one): sent in every hello while set. CallSession sets it
   * while its call is connected and clears it when the call ends.
   */
  rejoin: { callId: string; token?: string } | null = null;

  constructor(options: SignalingClientOptions) {
    this.#opts = options;
    this.role = options.role;
    this.#log = options.logger ?? silentLogger;
    this.#timers = options.timers ?? defaultTimers;
    this.#policy = options.reconnectPolicy ?? new DefaultReconnectPolicy();
    this.#events = new Emitter<SignalingEvents>((error, event) => {
      this.#log.warn('listener threw', { event: String(event), error: String(error) });
      if (event !== 'listenerError')
        this.#events.emit('listenerError', { error, event: String(event) });
    });
  }

  get state(): SignalingState {
    return this.#state;
  }
  get sessionId(): string | null {
    return this.#sessionId;
  }
  /** The last session.welcome (ICE servers, heartbeat, active call). */
  get welcome(): SessionWelcome | null {
    return this.#welcome;
  }

  on<K extends keyof SignalingEvents>(
    event: K,
    fn: (payload: SignalingEvents[K]) => void,
  ): () => void {
    return this.#events.on(event, fn);
  }
  once<K extends keyof SignalingEvents>(
    event: K,
    fn: (payload: SignalingEvents[K]) => void,
  ): () => void {
    return this.#events.once(event, fn);
  }
  off<K extends keyof SignalingEvents>(event: K, fn: (payload: SignalingEvents[K]) => void): void {
    this.#events.off(event, fn);
  }

  /** Opens the connection; resolves with the welcome, rejects with a FluxError. */
  connect(): Promise<SessionWelcome> {
    if (this.#state === 'closed') return Promise.reject(networkError('The client is closed.'));
    if (this.#state !== 'disconnected' && this.#welcome) return Promise.resolve(this.#welcome);
    return new Promise((resolve, reject) => {
      const prev = this.#connectWaiter;
      this.#connectWaiter = {
        resolve: (w) => {
          prev?.resolve(w);
          resolve(w);
        },
        reject: (e) => {
          prev?.reject(e);
          reject(e);
        },
      };
      if (this.#state === 'disconnected') {
        this.#transition('connecting', 'connect()');
        this.#network()?.addEventListener('online', this.#onOnline);
        void this.#open();
      }
    });
  }

  /**
   * Sends a request and resolves with its ack's data.
   * @example
   * const { agents } = await signaling.request({ type: 'presence.subscribe' });
   */
  request<M extends RequestInput>(message: M): Promise<RequestResult<M['type']>> {
    if (this.#state === 'closed') return Promise.reject(networkError('The client is closed.'));
    const reqId = `${this.#reqPrefix}${(++this.#reqCounter).toString(36)}`;
    const frame = JSON.stringify({ ...message, reqId });
    return new Promise<RequestResult<M['type']>>((resolve, reject) => {
      const p: Pending = {
        type: message.type,
        frame,
        sent: false,
        resolve: resolve as (d: unknown) => void,
        reject,
        timer: this.#timers.setTimeout(() => {
          if (this.#pending.delete(reqId)) {
            reject(networkError(`No answer to ${message.type} in time.`));
          }
        }, this.#opts.requestTimeoutMs ?? 15_000),
      };
      this.#pending.set(reqId, p);
      if (this.#state === 'connected') this.#sendPending(p);
    });
  }

  /** Closes for good: no reconnect; pending requests reject. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#shutdown(networkError('The client was closed.'), 'close()');
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      detach(ws);
      try {
        ws.close(1000, 'bye');
      } catch {
        /* already closed */
      }
    }
  }

  /** Drops the current socket as if the network failed (reconnects by policy). For tests and "retry now". */
  dropConnection(): void {
    const ws = this.#ws;
    if (!ws) return;
    this.#onSocketClosed(ws, 1006, 'dropped');
    try {
      ws.close();
    } catch {
      /* ignore */
    }
  }

  /**
   * Checks that the socket still carries anything, for a caller with a reason to doubt it (a
   * call's media just went down: the network may have changed). A network change can leave a
   * socket that neither closes nor carries, which the heartbeat's own check notices only after
   * its next ping (10–35 s). This sends a ping; when nothing at all has arrived `timeoutMs`
   * later, the socket is taken for dead and replaced (reconnect and resume, as after a drop).
   * A healthy socket costs one ping and its pong; anything at all that comes back answers it.
   * Does nothing unless connected. While a check of the same socket is under way (its ping
   * out, nothing back yet) no other ping goes: the check then ends by the sooner of the two
   * deadlines.
   */
  checkConnection(timeoutMs = 3000): void {
    const ws = this.#ws;
    if (!ws || this.#state !== 'connected') return;
    const due = this.#timers.now() + timeoutMs;
    const pending = this.#check;
    if (pending?.ws === ws) {
      if (due < pending.due) {
        this.#timers.clearTimeout(pending.timer);
        this.#check = { ws, due, timer: this.#checkTimer(ws, timeoutMs) };
      }
      return;
    }
    try {
      ws.send(JSON.stringify({ type: 'session.ping', t: this.#timers.now() }));
    } catch {
      /* close follows */
    }
    this.#check = { ws, due, timer: this.#checkTimer(ws, timeoutMs) };
  }

  /**
   * The end of a check of `ws`: nothing has come back since its ping (a frame ends the check
   * at once, `#onFrame`), so the socket is taken for dead.
   */
  #checkTimer(ws: WebSocketLike, timeoutMs: number): unknown {
    return this.#timers.setTimeout(() => {
      this.#check = null;
      if (this.#ws !== ws) return;
      this.#log.warn('no answer to a connection check');
      this.#onSocketClosed(ws, 4040, 'no answer to a connection check');
      try {
        ws.close();
      } catch {
        /* ignore */
      }
    }, timeoutMs);
  }

  // -------------------------------------------------------------------------------------

  #network(): SignalingClientOptions['network'] {
    const { network } = this.#opts;
    if (network !== undefined) return network;
    return typeof globalThis.addEventListener === 'function' ? globalThis : null;
  }

  /**
   * The device's network is back, or another one is up: reconnect now rather than at the end of
   * the backoff (up to 10 s), and check a connected socket, which the old network may have
   * left silent.
   */
  readonly #onOnline = (): void => {
    if (this.#state === 'connected') {
      this.checkConnection();
    } else if (this.#state === 'reconnecting' && this.#retryDue) {
      this.#timers.clearTimeout(this.#retryTimer);
      this.#retryDue = false;
      this.#retryCount = 0;
      this.#log.info('network back: reconnecting now');
      void this.#open();
    }
  };

  #transition(to: SignalingState, reason?: string): boolean {
    const from = this.#state;
    if (from === to) return false;
    if (!(SIGNALING_TRANSITIONS[from] as readonly SignalingState[]).includes(to)) {
      this.#log.warn('invalid signaling transition ignored', { from, to });
      return false;
    }
    this.#state = to;
    this.#log.info(`signaling ${from} → ${to}`, reason ? { reason } : undefined);
    this.#events.emit('stateChanged', reason === undefined ? { from, to } : { from, to, reason });
    return true;
  }

  async #open(): Promise<void> {
    let token: string | undefined;
    try {
      token = this.#opts.getToken ? await this.#opts.getToken() : undefined;
    } catch (e) {
      this.#failAttempt(1006, networkError('Could not get a visitor token.', e));
      return;
    }
    if (this.#state === 'closed') return;
    const Impl = this.#opts.WebSocketImpl ?? (globalThis.WebSocket as unknown as WebSocketFactory);
    let ws: WebSocketLike;
    try {
      ws = new Impl(this.#opts.url);
    } catch (e) {
      this.#failAttempt(1006, networkError('Could not open the WebSocket.', e));
      return;
    }
    this.#ws = ws;
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      const hello: Record<string, unknown> = {
        type: 'session.hello',
        protocolVersion: PROTOCOL_VERSION,
        role: this.role,
      };
      if (token !== undefined) hello.token = token;
      if (this.#opts.sdkVersion) hello.sdkVersion = this.#opts.sdkVersion;
      if (this.#sessionId) hello.resume = { sessionId: this.#sessionId, lastSeq: this.#lastSeq };
      if (this.rejoin) hello.rejoin = this.rejoin;
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (ev) => {
      if (this.#ws === ws) this.#onFrame(ev.data);
    };
    ws.onclose = (ev) => {
      this.#onSocketClosed(ws, ev.code, ev.reason);
    };
    ws.onerror = () => {
      /* onclose follows */
    };
    this.#helloTimer = this.#timers.setTimeout(() => {
      if (this.#ws !== ws || this.#welcomedSocket === ws) return;
      this.#log.warn('no welcome in time');
      this.#onSocketClosed(ws, 4008, 'no welcome');
      try {
        ws.close();
      } catch {
        /* ignore */
      }
    }, this.#opts.helloTimeoutMs ?? 10_000);
  }

  #welcomedSocket: WebSocketLike | null = null;

  #onFrame(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: ServerMessage;
    try {
      msg = JSON.parse(data) as ServerMessage;
    } catch {
      this.#log.warn('unparsable frame from server');
      return;
    }
    this.#lastRx = this.#timers.now();
    // anything at all answers a connection check: a check answered is over at once, so that it
    // holds back no other (the heartbeat's 10 s check, say, a call's quicker one)
    this.#endCheck();
    if (msg.seq > 0) {
      if (msg.seq <= this.#lastSeq) return; // replayed twice
      this.#lastSeq = msg.seq;
    }
    if (msg.type === 'session.welcome') {
      this.#onWelcome(msg);
      return;
    }
    if (msg.type === 'session.pong') return;
    if (msg.type === 'ack') {
      const p = this.#pending.get(msg.reqId);
      if (p) {
        this.#pending.delete(msg.reqId);
        this.#timers.clearTimeout(p.timer);
        p.resolve(msg.data);
      }
    } else if (msg.type === 'error') {
      const p = msg.reqId === undefined ? undefined : this.#pending.get(msg.reqId);
      if (p && msg.reqId !== undefined) {
        this.#pending.delete(msg.reqId);
        this.#timers.clearTimeout(p.timer);
        p.reject(new FluxError(isErrorCode(msg.code) ? msg.code : 'FLX_ERR_INTERNAL', msg.message));
      } else {
        this.#log.warn('server error', { code: msg.code, message: msg.message });
      }
    }
    if (msg.type === 'call.incoming') this.#holdSignals(msg.call.id);
    else if (msg.type === 'call.signal') {
      const held = this.#unclaimed.get(msg.callId)?.signals;
      if (held && held.length < MAX_HELD_SIGNALS) held.push(msg);
    } else if (msg.type === 'call.state') {
      const held = this.#unclaimed.get(msg.call.id);
      if (held) held.state = msg;
    }
    this.#events.emit(msg.type, msg);
  }

  /**
   * What came for a call that rang here before its session was made: its signals, and its
   * latest state if one came; from now on they go to that session only. @internal
   */
  takeEarly(callId: string): { signals: CallSignal[]; state: CallStateMessage | null } {
    const held = this.#unclaimed.get(callId);
    this.#unclaimed.delete(callId);
    return { signals: held?.signals ?? [], state: held?.state ?? null };
  }

  #holdSignals(callId: string): void {
    const now = this.#timers.now();
    // rings that no session took (the console was busy) are forgotten after a while
    for (const [id, held] of this.#unclaimed) {
      if (now - held.since > HOLD_SIGNALS_MS) this.#unclaimed.delete(id);
    }
    if (!this.#unclaimed.has(callId)) {
      this.#unclaimed.set(callId, { since: now, signals: [], state: null });
    }
  }

  #onWelcome(w: SessionWelcome): void {
    const ws = this.#ws;
    this.#welcomedSocket = ws;
    this.#timers.clearTimeout(this.#helloTimer);
    const continued = w.resumed && w.sessionId === this.#sessionId;
    if (!continued) this.#lastSeq = 0;
    this.#sessionId = w.sessionId;
    this.#welcome = w;
    this.#retryCount = 0;
    this.#lastCloseCode = undefined;
    this.#transition('connected', continued ? 'resumed' : 'welcome');
    // requests: re-send what the resumed session may not have answered; otherwise reject
    // the ones that were sent into a session that no longer exists
    for (const [reqId, p] of this.#pending) {
      if (p.sent && !continued) {
        this.#pending.delete(reqId);
        this.#timers.clearTimeout(p.timer);
        p.reject(networkError(`The connection was lost during ${p.type}.`));
      } else {
        this.#sendPending(p);
      }
    }
    this.#startHeartbeat(w.heartbeatMs);
    const waiter = this.#connectWaiter;
    this.#connectWaiter = null;
    waiter?.resolve(w);
    this.#events.emit('welcome', w);
  }

  #sendPending(p: Pending): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== OPEN) return;
    try {
      ws.send(p.frame);
      p.sent = true;
    } catch (e) {
      this.#log.warn('send failed', { error: String(e) });
    }
  }

  #startHeartbeat(heartbeatMs: number): void {
    this.#timers.clearTimeout(this.#heartbeatTimer);
    const interval = Math.max(1000, heartbeatMs);
    this.#lastRx = this.#timers.now();
    const tick = (): void => {
      const ws = this.#ws;
      if (!ws || this.#state !== 'connected') return;
      if (this.#timers.now() - this.#lastRx > interval * 2.5) {
        this.#log.warn('heartbeat timeout');
        this.#onSocketClosed(ws, 4040, 'heartbeat timeout');
        try {
          ws.close();
        } catch {
          /* ignore */
        }
        return;
      }
      // The heartbeat's ping is a connection check: a socket that a network change left silent
      // is replaced HEARTBEAT_ANSWER_MS after the ping, not 2.5 intervals after the last frame.
      this.checkConnection(Math.min(HEARTBEAT_ANSWER_MS, interval));
      this.#heartbeatTimer = this.#timers.setTimeout(tick, interval);
    };
    this.#heartbeatTimer = this.#timers.setTimeout(tick, interval);
  }

  #onSocketClosed(ws: WebSocketLike, code: number, reason: string): void {
    if (this.#ws !== ws) return;
    detach(ws);
    this.#ws = null;
    this.#timers.clearTimeout(this.#helloTimer);
    this.#timers.clearTimeout(this.#heartbeatTimer);
    this.#endCheck();
    const wasWelcomed = this.#welcomedSocket === ws;
    this.#welcomedSocket = null;
    this.#log.info('socket closed', { code, reason });
    this.#events.emit('socketClosed', { code, reason });
    if (this.#state === 'closed') return;
    if (FINAL_CLOSE_CODES.includes(code)) {
      this.#shutdown(closeError(code, reason, this.role), `closed ${code}`);
      return;
    }
    if (this.#state === 'connecting' && !wasWelcomed) {
      this.#failAttempt(code, closeError(code, reason, this.role));
      return;
    }
    this.#lastCloseCode = code;
    if (this.#state === 'connected') {
      this.#lostAt = this.#timers.now();
      this.#retryCount = 0;
      this.#transition('reconnecting', `closed ${code}`);
    }
    this.#scheduleRetry();
  }

  /** A connect attempt failed before welcome: connect() rejects, retries go on by policy. */
  #failAttempt(code: number, error: FluxError): void {
    this.#lastCloseCode = code;
    if (this.#state === 'connecting') {
      const waiter = this.#connectWaiter;
      this.#connectWaiter = null;
      waiter?.reject(error);
      this.#lostAt = this.#timers.now();
      this.#retryCount = 0;
      this.#transition('reconnecting', error.message);
    }
    if (this.#state === 'reconnecting') this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    const delay = this.#policy.nextRetryDelayInMs({
      retryCount: this.#retryCount,
      elapsedMs: this.#timers.now() - this.#lostAt,
      closeCode: this.#lastCloseCode,
    });
    if (delay === null) {
      this.#shutdown(networkError('Could not reconnect to the server.'), 'gave up');
      return;
    }
    this.#retryCount++;
    this.#log.debug('reconnecting', { delay, retry: this.#retryCount });
    this.#retryDue = true;
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryDue = false;
      if (this.#state === 'reconnecting') void this.#open();
    }, delay);
  }

  #endCheck(): void {
    if (!this.#check) return;
    this.#timers.clearTimeout(this.#check.timer);
    this.#check = null;
  }

  #shutdown(error: FluxError, reason: string): void {
    this.#timers.clearTimeout(this.#helloTimer);
    this.#timers.clearTimeout(this.#heartbeatTimer);
    this.#endCheck();
    this.#network()?.removeEventListener('online', this.#onOnline);
    this.#timers.clearTimeout(this.#retryTimer);
    this.#transition('closed', reason);
    for (const p of this.#pending.values()) {
      this.#timers.clearTimeout(p.timer);
      p.reject(error);
    }
    this.#pending.clear();
    const waiter = this.#connectWaiter;
    this.#connectWaiter = null;
    waiter?.reject(error);
  }
}

function detach(ws: WebSocketLike): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onclose = null;
  ws.onerror = null;
}

/** The error a close code means; the server puts an error code in the close reason. */
function closeError(code: number, reason: string, role: SignalingRole): FluxError {
  if (isErrorCode(reason)) return new FluxError(reason);
  switch (code) {
    case 4001:
      return new FluxError(
        role === 'visitor' ? 'FLX_ERR_AUTH_TOKEN_INVALID' : 'FLX_ERR_AUTH_REQUIRED',
      );
    case 4003:
      return new FluxError('FLX_ERR_AUTH_FORBIDDEN');
    case 4026:
      return new FluxError('FLX_ERR_PROTOCOL_VERSION');
    default:
      return networkError(`The connection closed (${code}${reason ? `: ${reason}` : ''}).`);
  }
}
