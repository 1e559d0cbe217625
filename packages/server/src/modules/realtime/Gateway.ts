/**
 * The WebSocket endpoint (WS_PATH): `ws` in noServer mode on the HTTP server's `upgrade`
 * event. Handshake, validation, limits, heartbeats, resume. docs/protocol.md describes it.
 *
 * Per socket we keep one Session (small) and attach shared listener functions (no closures
 * per socket) to hold idle memory near a bare `ws` server.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  ClientMessageSchema,
  CLOSE_CODES,
  FluxError,
  MAX_MESSAGE_BYTES,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  SESSION_COOKIE,
  WS_PATH,
  type Call,
  type ClientMessage,
  type ClientMessageOf,
  type ErrorCode,
  type User,
} from '@flux/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { Compile } from 'typebox/compile';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { verifyVisitorToken } from '../../auth/visitorToken.ts';
import { findNul } from '../../lib/nul.ts';
import type { Storage } from '../../storage/Storage.ts';
import type { Rejoin } from '../signaling/CallService.ts';
import type { Handler, HandlerContext } from './handlers.ts';
import { handlers } from './handlers.ts';
import type { Hub } from './Hub.ts';
import { iceServersFor, type IceConfig } from './iceServers.ts';
import { DeliveryConfirmer, Session, type Role } from './Session.ts';

const checkMessage = Compile(ClientMessageSchema);

/** Requests that are harmless to do twice: their answers are not remembered for re-sends. */
const IDEMPOTENT = new Set<ClientMessage['type']>(['presence.subscribe', 'presence.unsubscribe']);

export interface GatewayOptions {
  /** Server ping interval; a socket silent for two intervals is dropped. */
  heartbeatMs: number;
  /** Time allowed for the first frame (session.hello). */
  helloTimeoutMs: number;
  /** How long a session outlives its socket for `resume`. */
  graceMs: number;
  /** Invalid frames before the socket is closed with ABUSE. */
  maxBadFrames: number;
  /** Token bucket: burst size and refill per second. */
  rateBurst: number;
  ratePerSecond: number;
  /**
   * A session that holds fewer than 16 unconfirmed messages asks for a delivery confirmation
   * this long after sending (`DeliveryConfirmer`); 0: only every 16th message asks.
   */
  confirmWithinMs: number;
}

interface Pending {
  origin: string | null;
  host: string | null;
  cookie: string | null;
  timer: ReturnType<typeof setTimeout>;
  busy: boolean;
  queued: RawData[] | null;
}

type FluxSocket = WebSocket & { flux?: Session | Pending; gw?: Gateway };

function isSession(x: Session | Pending | undefined): x is Session {
  return x instanceof Session;
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

function hostname(hostOrUrl: string): string | null {
  try {
    return new URL(hostOrUrl.includes('://') ? hostOrUrl : `http://${hostOrUrl}`).hostname;
  } catch {
    return null;
  }
}

export interface GatewayDeps {
  hub: Hub;
  storage: Storage;
  log: FastifyBaseLogger;
  ice: IceConfig;
  publicUrl: string;
  visitorSecret: string;
  ctx: HandlerContext;
  now: () => Date;
  /** A new session started (agent consoles count towards presence). */
  onSessionStart(session: Session): Promise<void>;
  /** The welcome and the replay (`replayed`: the frames, when resumed) went out. */
  afterWelcome(session: Session, resumed: boolean, replayed: readonly string[]): Promise<void>;
  /** A session's socket closed (it may still resume). */
  onSessionDetach(session: Session): void;
  /**
   * A session's socket was cut off because nothing came back from it in time (`cutOff`): its
   * client is likely gone for good (a laptop shut), though the session keeps its grace period.
   */
  onCutOff(session: Session): void;
  /** A session's grace period ran out. */
  onSessionGone(session: Session): Promise<void>;
  /**
   * The session's open call for its welcome; a new session that names a call to rejoin takes
   * its side of it first, if it may.
   */
  welcomeCall(session: Session, rejoin?: Rejoin): Promise<Call | null>;
}

export class Gateway {
  readonly #wss: WebSocketServer;
  readonly #d: GatewayDeps;
  readonly #o: GatewayOptions;
  readonly #sweep: ReturnType<typeof setInterval>;
  readonly #confirmer: DeliveryConfirmer;
  #server: Server | null = null;
  #closing = false;
  /** Sockets that have not said hello yet (the sessions' are in the hub). */
  readonly #pending = new Set<FluxSocket>();

  constructor(deps: GatewayDeps, options: GatewayOptions) {
    this.#d = deps;
    this.#o = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_MESSAGE_BYTES,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.#sweep = setInterval(() => {
      this.#heartbeat();
    }, options.heartbeatMs);
    this.#sweep.unref();
    this.#confirmer = new DeliveryConfirmer(options.confirmWithinMs);
  }

  attach(server: Server): void {
    this.#server = server;
    server.on('upgrade', this.#onUpgrade);
  }

  /**
   * Closes every socket with SERVER_SHUTDOWN (clients reconnect, to another process if there is
   * one) and refuses new ones. Resolves once every socket is gone: those that have not answered
   * the closing handshake within `graceMs` are cut. The HTTP server cannot close while a socket
   * it upgraded is open, so this runs before it does (the app's preClose hook).
   */
  async close(graceMs = 1000): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#sweep);
    this.#confirmer.close();
    this.#server?.off('upgrade', this.#onUpgrade);
    // the sessions' sockets and those still saying hello (the server keeps no list of all)
    const open: WebSocket[] = [...this.#pending];
    for (const s of this.#d.hub.sessions.values()) {
      s.closed = true;
      if (s.ws) open.push(s.ws);
    }
    this.#d.hub.sessions.clear();
    this.#pending.clear();
    const gone = open.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === ws.CLOSED) resolve();
          else ws.once('close', () => resolve());
        }),
    );
    for (const ws of open) ws.close(CLOSE_CODES.SERVER_SHUTDOWN, 'server shutdown');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(gone),
      new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    for (const ws of open) ws.terminate();
    this.#wss.close();
  }

  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH || this.#closing) {
      socket.end(`HTTP/1.1 ${this.#closing ? '503 Service Unavailable' : '404 Not Found'}\r\n\r\n`);
      return;
    }
    // no closure here: one that captured `req` would keep the whole upgrade request alive as
    // long as the socket (ws handles socket errors itself)
    this.#wss.handleUpgrade(req, socket, head, this.#onUpgraded);
  };

  readonly #onUpgraded = (ws: WebSocket, req: IncomingMessage): void => {
    this.#onConnection(ws, req);
  };

  #onConnection(ws: FluxSocket, req: IncomingMessage): void {
    ws.gw = this;
    this.#pending.add(ws);
    ws.flux = {
      origin: typeof req.headers.origin === 'string' ? req.headers.origin : null,
      host: typeof req.headers.host === 'string' ? req.headers.host : null,
      cookie: cookieValue(req.headers.cookie, SESSION_COOKIE),
      timer: setTimeout(() => {
        closeWith(ws, CLOSE_CODES.HELLO_TIMEOUT, 'FLX_ERR_PROTOCOL_HELLO_REQUIRED');
      }, this.#o.helloTimeoutMs),
      busy: false,
      queued: null,
    };
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('pong', onPong);
    ws.on('error', onError);
  }

  // ---------------------------------------------------------------- handshake

  /** @internal */
  handleFrame(ws: FluxSocket, data: RawData, isBinary: boolean): void {
    const state = ws.flux;
    if (isSession(state)) {
      this.#onFrame(state, data, isBinary);
      return;
    }
    if (!state) return;
    if (state.busy) {
      (state.queued ??= []).push(data);
      return;
    }
    state.busy = true;
    void this.#hello(ws, state, data, isBinary).catch((e: unknown) => {
      this.#d.log.error({ err: e }, 'hello failed');
      closeWith(ws, 1011, 'FLX_ERR_INTERNAL');
    });
  }

  async #hello(ws: FluxSocket, p: Pending, data: RawData, isBinary: boolean): Promise<void> {
    const frame = isBinary ? null : parse(data);
    const msg = frame?.value;
    if (
      !frame ||
      !checkMessage.Check(msg) ||
      msg.type !== 'session.hello' ||
      (frame.mayHoldNul && findNul(msg) !== null)
    ) {
      clearTimeout(p.timer);
      sendRaw(ws, {
        type: 'error',
        code: 'FLX_ERR_PROTOCOL_HELLO_REQUIRED',
        message: 'The first message must be a valid session.hello.',
      });
      closeWith(ws, CLOSE_CODES.HELLO_TIMEOUT, 'FLX_ERR_PROTOCOL_HELLO_REQUIRED');
      return;
    }
    if (msg.protocolVersion < MIN_PROTOCOL_VERSION || msg.protocolVersion > PROTOCOL_VERSION) {
      clearTimeout(p.timer);
      sendRaw(ws, {
        type: 'error',
        code: 'FLX_ERR_PROTOCOL_VERSION',
        message: `This server speaks protocol ${MIN_PROTOCOL_VERSION}–${PROTOCOL_VERSION}.`,
      });
      closeWith(ws, CLOSE_CODES.PROTOCOL_VERSION, 'FLX_ERR_PROTOCOL_VERSION');
      return;
    }
    const who = await this.#authenticate(msg, p);
    clearTimeout(p.timer);
    if (ws.readyState !== 1) return;
    if ('close' in who) {
      sendRaw(ws, { type: 'error', code: who.code, message: new FluxError(who.code).message });
      closeWith(ws, who.close, who.code);
      return;
    }
    const now = Date.now();
    let session: Session | null = null;
    let resumed = false;
    let replay: string[] | null = null;
    if (msg.resume) {
      const old = this.#d.hub.sessions.get(msg.resume.sessionId);
      if (
        old &&
        !old.closed &&
        old.role === who.role &&
        old.channelId === who.channelId &&
        old.userId === who.userId &&
        old.origin === who.origin
      ) {
        replay = old.replayAfter(msg.resume.lastSeq);
        if (replay) {
          session = old;
          resumed = true;
          const prev: FluxSocket | null = old.ws;
          if (prev && prev !== ws) {
            prev.flux = undefined;
            prev.terminate();
          }
          old.ws = ws;
          old.confirming = 0; // a ping on the old socket is never answered
          old.detachedAt = 0;
          old.alive = true;
          old.lastSeen = now;
        }
      }
    }
    if (!session) {
      session = new Session({
        id: `${this.#d.hub.bus.nodeId}.${randomBytes(12).toString('base64url')}`,
        role: who.role,
        channelId: who.channelId,
        userId: who.userId,
        origin: who.origin,
        ws,
        now,
        burst: this.#o.rateBurst,
        confirmer: this.#confirmer,
      });
      this.#d.hub.sessions.set(session.id, session);
    }
    ws.flux = session;
    this.#pending.delete(ws);
    await this.#d.onSessionStart(session);
    if (!isOpen(ws) || session.ws !== ws) return;
    session.sendUnsequenced({
      type: 'session.welcome',
      sessionId: session.id,
      protocolVersion: PROTOCOL_VERSION,
      heartbeatMs: this.#o.heartbeatMs,
      iceServers: iceServersFor(this.#d.ice, session.id.slice(-12), this.#d.now()),
      resumed,
      activeCall: await this.#d.welcomeCall(session, resumed ? undefined : msg.rejoin),
    });
    for (const frame of replay ?? []) ws.send(frame);
    await this.#d.afterWelcome(session, resumed, replay ?? []);
    this.#d.log.debug({ sessionId: session.id, role: session.role, resumed }, 'session started');
    // frames that came in while the hello was being handled
    for (const q of p.queued ?? []) this.#onFrame(session, q, false);
  }

  async #authenticate(
    msg: ClientMessageOf<'session.hello'>,
    p: Pending,
  ): Promise<
    | { role: Role; channelId: string; userId: string | null; origin: string | null }
    | { close: number; code: ErrorCode }
  > {
    if (msg.role === 'visitor') {
      if (!msg.token)
        return { close: CLOSE_CODES.UNAUTHENTICATED, code: 'FLX_ERR_AUTH_TOKEN_INVALID' };
      const claims = verifyVisitorToken(this.#d.visitorSecret, msg.token, this.#d.now());
      if (typeof claims === 'string') return { close: CLOSE_CODES.UNAUTHENTICATED, code: claims };
      if (p.origin !== claims.origin) {
        return { close: CLOSE_CODES.FORBIDDEN, code: 'FLX_ERR_ORIGIN_NOT_ALLOWED' };
      }
      return { role: 'visitor', channelId: claims.channelId, userId: null, origin: claims.origin };
    }
    if (!p.cookie || p.cookie.length > 200) {
      return { close: CLOSE_CODES.UNAUTHENTICATED, code: 'FLX_ERR_AUTH_REQUIRED' };
    }
    // cross-site WebSocket hijacking: a console socket must come from this site
    if (p.origin !== null) {
      const o = hostname(p.origin);
      if (o === null || (o !== hostname(p.host ?? '') && o !== hostname(this.#d.publicUrl))) {
        return { close: CLOSE_CODES.FORBIDDEN, code: 'FLX_ERR_AUTH_FORBIDDEN' };
      }
    }
    const user: User | null = await this.#d.storage.getSessionUser(p.cookie, this.#d.now());
    if (!user) return { close: CLOSE_CODES.UNAUTHENTICATED, code: 'FLX_ERR_AUTH_REQUIRED' };
    if (!user.active) return { close: CLOSE_CODES.FORBIDDEN, code: 'FLX_ERR_AUTH_DEACTIVATED' };
    return { role: 'agent', channelId: user.channelId, userId: user.id, origin: null };
  }

  // ---------------------------------------------------------------- frames

  #onFrame(s: Session, data: RawData, isBinary: boolean): void {
    const now = Date.now();
    s.lastSeen = now;
    s.alive = true;
    // token bucket
    s.tokens = Math.min(
      this.#o.rateBurst,
      s.tokens + ((now - s.tokensAt) / 1000) * this.#o.ratePerSecond,
    );
    s.tokensAt = now;
    if (s.tokens < 1) {
      this.#d.log.warn({ sessionId: s.id }, 'message rate exceeded');
      closeWith(s.ws, CLOSE_CODES.ABUSE, 'FLX_ERR_RATE_LIMITED');
      return;
    }
    s.tokens -= 1;
    const frame = isBinary ? null : parse(data);
    const raw = frame?.value ?? null;
    if (frame === null || raw === null || typeof raw !== 'object') {
      this.#bad(s, undefined, 'FLX_ERR_MESSAGE_INVALID', 'The message is not JSON.');
      return;
    }
    const reqId = (raw as { reqId?: unknown }).reqId;
    const rid = typeof reqId === 'string' && reqId.length <= 40 ? reqId : undefined;
    if (!checkMessage.Check(raw)) {
      const type = (raw as { type?: unknown }).type;
      const known = typeof type === 'string' && Object.hasOwn(handlers, type);
      this.#bad(
        s,
        rid,
        known ? 'FLX_ERR_VALIDATION' : 'FLX_ERR_MESSAGE_INVALID',
        known ? `The ${type} message does not match its schema.` : 'Unknown message type.',
      );
      return;
    }
    const msg = raw;
    const nulAt = frame.mayHoldNul ? findNul(msg) : null;
    if (nulAt !== null) {
      this.#bad(
        s,
        rid,
        'FLX_ERR_VALIDATION',
        `The ${msg.type} message holds the NUL character (U+0000) in ${nulAt}.`,
      );
      return;
    }
    if (msg.type === 'session.ping') {
      s.sendUnsequenced(
        msg.t === undefined ? { type: 'session.pong' } : { type: 'session.pong', t: msg.t },
      );
      return;
    }
    if (!('reqId' in msg)) {
      this.#bad(s, undefined, 'FLX_ERR_BAD_REQUEST', 'The session already started.');
      return;
    }
    const answers = s.answers;
    if (answers?.has(msg.reqId)) {
      const prev = answers.get(msg.reqId);
      // answered before: answer again (null: still running, the answer will come)
      if (prev) s.rememberAnswer(msg.reqId, [s.sendBody(prev[1], false), prev[1]]);
      return;
    }
    if (!IDEMPOTENT.has(msg.type)) s.rememberAnswer(msg.reqId, null);
    const run = (): Promise<void> => this.#dispatch(s, msg);
    const next = (s.chain ?? Promise.resolve()).then(run);
    s.chain = next;
    void next.then(() => {
      if (s.chain === next) s.chain = null;
    });
  }

  async #dispatch(s: Session, msg: Extract<ClientMessage, { reqId: string }>): Promise<void> {
    let body: string;
    try {
      const handler = handlers[msg.type] as unknown as Handler<typeof msg.type>;
      if (handler.role !== 'any' && handler.role !== s.role) {
        throw new FluxError('FLX_ERR_AUTH_FORBIDDEN', `${msg.type} is not for a ${s.role}.`);
      }
      const data = await handler.run(s, msg, this.#d.ctx);
      body = JSON.stringify(
        data === undefined
          ? { type: 'ack', reqId: msg.reqId }
          : { type: 'ack', reqId: msg.reqId, data },
      );
    } catch (e) {
      let code: ErrorCode = 'FLX_ERR_INTERNAL';
      let message = 'Something went wrong on our side.';
      if (e instanceof FluxError) {
        code = e.code;
        message = e.message;
      } else {
        this.#d.log.error({ err: e, type: msg.type, sessionId: s.id }, 'handler failed');
      }
      body = JSON.stringify({ type: 'error', reqId: msg.reqId, code, message });
    }
    if (s.closed) return;
    const seq = s.sendBody(body, false);
    if (!IDEMPOTENT.has(msg.type)) s.rememberAnswer(msg.reqId, [seq, body]);
  }

  #bad(s: Session, reqId: string | undefined, code: ErrorCode, message: string): void {
    s.badFrames++;
    s.send(
      reqId === undefined
        ? { type: 'error', code, message }
        : { type: 'error', reqId, code, message },
    );
    if (s.badFrames >= this.#o.maxBadFrames) {
      this.#d.log.warn({ sessionId: s.id }, 'too many invalid frames');
      closeWith(s.ws, CLOSE_CODES.ABUSE, 'FLX_ERR_MESSAGE_INVALID');
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** @internal */
  /**
   * The socket closed. A session waits for its client for the grace period (a dropped
   * connection resumes), unless the client said goodbye (close 1000 "bye", what
   * SignalingClient.close() sends): then it is gone now, and so is its side of a call.
   */
  handleClose(ws: FluxSocket, bye = false): void {
    const state = ws.flux;
    ws.flux = undefined;
    this.#pending.delete(ws);
    if (!state) return;
    if (!isSession(state)) {
      clearTimeout(state.timer);
      return;
    }
    if (state.ws !== ws) return;
    state.ws = null;
    state.detachedAt = Date.now();
    if (this.#closing) return;
    this.#d.onSessionDetach(state);
    if (bye) this.#drop(state);
  }

  /**
   * The session is over: forgotten here, and its calls hear of it (onSessionGone) once the
   * requests it sent before leaving are answered (a visitor's page sends its hang-up right
   * before the goodbye: the call ends as that hang-up, not as a party gone).
   */
  #drop(s: Session): void {
    s.closed = true;
    this.#d.hub.sessions.delete(s.id);
    const gone = (): Promise<void> => this.#d.onSessionGone(s);
    void (s.chain ? s.chain.then(gone) : gone()).catch((e: unknown) => {
      this.#d.log.error({ err: e, sessionId: s.id }, 'session cleanup failed');
    });
  }

  /**
   * Cuts off the socket of a session from which nothing came back in time (a missed
   * heartbeat, or a console that did not answer its ring: RingCheck). The session is
   * detached now rather than on the socket's close event, so the agent's consoles are counted
   * without it at once, and `onCutOff` is told.
   */
  cutOff(s: Session, why: string): void {
    const ws = s.ws;
    if (!ws) return;
    this.#d.log.debug({ sessionId: s.id, why }, 'socket silent: dropping it');
    ws.terminate();
    this.handleClose(ws);
    this.#d.onCutOff(s);
  }

  #heartbeat(): void {
    const now = Date.now();
    for (const s of this.#d.hub.sessions.values()) {
      const ws = s.ws;
      if (ws) {
        if (!s.alive) {
          this.cutOff(s, 'heartbeat missed');
          continue;
        }
        s.alive = false;
        s.ping();
        s.trimReplay(now, this.#o.graceMs);
      } else if (now - s.detachedAt > this.#o.graceMs) {
        this.#drop(s);
      }
    }
  }
}

/** Reads readyState afresh (it changes across awaits). */
function isOpen(ws: WebSocket): boolean {
  return ws.readyState === 1;
}

/** A text frame's JSON, and whether its text could hold a NUL (null: not JSON). */
function parse(data: RawData): { value: unknown; mayHoldNul: boolean } | null {
  try {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data).toString('utf8');
    // JSON can carry NUL only as the escape \u0000, so a frame without it needs no walk
    return { value: JSON.parse(text) as unknown, mayHoldNul: text.includes('\\u0000') };
  } catch {
    return null;
  }
}

function sendRaw(ws: WebSocket, msg: { type: 'error'; code: ErrorCode; message: string }): void {
  if (ws.readyState === 1) ws.send(JSON.stringify({ seq: 0, ...msg }));
}

function closeWith(ws: WebSocket | null, code: number, reason: string): void {
  if (!ws || ws.readyState > 1) return;
  ws.close(code, reason);
  // a peer that never answers the close handshake is cut off
  setTimeout(() => {
    if (ws.readyState !== 3) ws.terminate();
  }, 2000).unref();
}

// shared listeners (this = the socket): no closures per connection
function onMessage(this: FluxSocket, data: RawData, isBinary: boolean): void {
  this.gw?.handleFrame(this, data, isBinary);
}
function onClose(this: FluxSocket, code: number, reason: Buffer): void {
  this.gw?.handleClose(this, code === 1000 && reason.toString() === 'bye');
}
function onPong(this: FluxSocket, payload: Buffer): void {
  const s = this.flux;
  if (isSession(s)) {
    s.alive = true;
    s.lastSeen = Date.now();
    s.delivered(payload);
  }
}
function onError(): void {
  /* close follows */
}
