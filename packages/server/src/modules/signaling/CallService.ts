/**
 * The call lifecycle on the server: request → ringing → connected → ended, every move a
 * conditional write in storage (so concurrent moves, on one process or many, have exactly
 * one winner) pushed as `call.state` to both parties.
 *
 * Routing state lives on the bus (key `call:<id>`: channel, agent, visitor session, offer),
 * so any process can relay signals between a visitor and an agent held by different
 * processes. Ring timeouts run on the process that took the request; a sweeper on every
 * process ends calls whose process died (missed while ringing, lost when connected).
 */
import {
  FluxError,
  type Call,
  type CallAgent,
  type ClientMessageOf,
  type EndReason,
  type OutgoingServerMessage,
  type Product,
  type Signal,
} from '@flux/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { rejoinToken, rejoinTokenValid } from '../../auth/visitorToken.ts';
import { BoundedMap } from '../../lib/BoundedMap.ts';
import { RecentCache } from '../../lib/RecentCache.ts';
import { ENDED_AGENT, type Storage, type StoredChannel } from '../../storage/Storage.ts';
import type { PresenceService } from '../presence/PresenceService.ts';
import { toCallAgent } from '../public/routes.ts';
import { nodeOf, type Hub } from '../realtime/Hub.ts';
import type { Session } from '../realtime/Session.ts';

/** What every process needs to route a call. */
export interface CallRoute {
  callId: string;
  channelId: string;
  agentId: string;
  /** The visitor's session id. */
  visitor: string;
  offer: string | null;
  audioOnly: boolean;
  ringTimeoutSeconds: number;
  /** The console session that accepted (filled in once known). */
  accepted?: string | null;
  /** The console that set up the transport while it rang (filled in once known). */
  early?: string | null;
}

export interface CallServiceOptions {
  publicUrl: string;
  /** How long a party may be gone before its call counts as lost (ms). */
  graceMs: number;
  /** Interval of the sweeper that ends calls of dead processes (ms). */
  sweepMs: number;
  /** Call routes kept in memory (the oldest go past it and are read again from the bus). */
  maxCachedRoutes: number;
  /** The secret of visitors' rejoin tokens (the visitor-token secret, shared by every process). */
  rejoinSecret: string;
  now: () => Date;
}

const ROUTE_TTL = 24 * 3600;

/** What a new session names to take its side of a connected call (`session.hello` `rejoin`). */
export type Rejoin = NonNullable<ClientMessageOf<'session.hello'>['rejoin']>;

/**
 * The session of a party that has not rejoined a rebuilt route yet: on no process, so nothing
 * is sent to it, and the sweeper counts it gone once the parties had their grace period.
 */
const NO_SESSION = '-';
/** A sequenced `call.incoming` frame, as a session sends and replays it. */
const RING_FRAME = /^\{"seq":\d+,"type":"call\.incoming"/;
/**
 * Channel settings are re-read at most this often (ms), once at a time; a value up to
 * CHANNEL_STALE_MS old is used while the new one loads (lib/RecentCache.ts). A change of the
 * settings drops the cached copy at once (`forgetChannel`, app.ts), in every process that
 * follows the channel.
 */
const CHANNEL_CACHE_MS = 2000;
const CHANNEL_STALE_MS = 5000;
const key = {
  route: (id: string) => `call:${id}`,
  accepted: (id: string) => `call:${id}:acc`,
  /** The console whose prepared answer went to the visitor while it rang (early transport). */
  early: (id: string) => `call:${id}:early`,
  signals: (id: string) => `call:${id}:sig`,
};

export class CallService {
  readonly #hub: Hub;
  readonly #storage: Storage;
  readonly #presence: PresenceService;
  readonly #log: FastifyBaseLogger;
  readonly #opts: CallServiceOptions;
  /**
   * Routes this process made or read. A call that ends on another process is never forgotten
   * here, so the cache is bounded; a route that went is read again from the bus (which also
   * holds the accepting and early consoles).
   */
  readonly #routes: BoundedMap<string, CallRoute>;
  readonly #ringTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #sweeper: ReturnType<typeof setInterval>;
  readonly #startedAt = Date.now();
  /**
   * One process (memory bus): when the run before this one was last known alive, read at
   * start. A connected call nobody rejoins is dated then, not at its connect time.
   */
  #earlierRunSeenAt: number | null = null;
  /** Channels read in the last seconds (settings: ring timeout, misses). */
  readonly #channels: RecentCache<StoredChannel | null>;
  /** Agents whose missed-in-a-row count is known to be 0 (saves a write per accept). */
  readonly #missesZero = new Set<string>();
  #closed = false;

  constructor(
    hub: Hub,
    storage: Storage,
    presence: PresenceService,
    log: FastifyBaseLogger,
    opts: CallServiceOptions,
  ) {
    this.#hub = hub;
    this.#storage = storage;
    this.#presence = presence;
    this.#log = log;
    this.#opts = opts;
    this.#routes = new BoundedMap(opts.maxCachedRoutes);
    this.#channels = new RecentCache((id) => storage.getChannel(id), {
      ttlMs: CHANNEL_CACHE_MS,
      maxStaleMs: CHANNEL_STALE_MS,
    });
    this.#sweeper = setInterval(() => {
      void this.sweep(false);
    }, opts.sweepMs);
    this.#sweeper.unref();
    hub.onChannelMessage((m) => {
      if (m.k === 'misses' && typeof m.agentId === 'string') this.#missesZero.delete(m.agentId);
      if (m.k === 'channel' && typeof m.channelId === 'string') this.forgetChannel(m.channelId);
      // a party of the call rejoined with a new session on some process: read its route again
      if (m.k === 'route' && typeof m.callId === 'string') this.#routes.delete(m.callId);
    });
  }

  #channel(channelId: string): Promise<StoredChannel | null> {
    return this.#channels.get(channelId);
  }

  /** The channel's settings changed: the next call reads them from storage. */
  forgetChannel(channelId: string): void {
    this.#channels.delete(channelId);
  }

  /** Stops timers; with one process, notes the time it stopped for the next run. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const t of this.#ringTimers.values()) clearTimeout(t);
    this.#ringTimers.clear();
    await this.#beat();
  }

  /** One process (memory bus): notes in storage that it is alive now. Never throws. */
  async #beat(): Promise<void> {
    if (this.#hub.bus.kind !== 'memory') return;
    try {
      await this.#storage.recordProcessBeat(this.#hub.bus.nodeId, this.#now());
    } catch (e) {
      this.#log.warn({ err: e }, 'noting that the process is alive failed');
    }
  }

  #now(): Date {
    return this.#opts.now();
  }

  // ---------------------------------------------------------------- routes

  async #route(callId: string): Promise<CallRoute | null> {
    const cached = this.#routes.get(callId);
    if (cached) return cached;
    const raw = await this.#hub.bus.get(key.route(callId));
    if (!raw) return null;
    const route = JSON.parse(raw) as CallRoute;
    this.#routes.set(callId, route);
    return route;
  }

  /** The console session that accepted, or null (not yet, or closed unanswered). */
  async #acceptedSession(route: CallRoute): Promise<string | null> {
    if (route.accepted) return route.accepted;
    const acc = await this.#hub.bus.get(key.accepted(route.callId));
    if (!acc || acc.startsWith('!')) return null;
    route.accepted = acc;
    return acc;
  }

  /**
   * The answer slot of a ringing call: exactly one of accept, decline, miss and cancel takes
   * it (a SET NX on the bus, across processes), so a connected call can never be ended as
   * missed or cancelled by a racing timer or click. Returns true when `holder` got it.
   */
  #claimAnswer(callId: string, holder: string): Promise<boolean> {
    return this.#hub.bus.setIfAbsent(key.accepted(callId), holder, ROUTE_TTL);
  }

  #forget(callId: string, route: CallRoute | null): void {
    this.#routes.delete(callId);
    const t = this.#ringTimers.get(callId);
    if (t) clearTimeout(t);
    this.#ringTimers.delete(callId);
    // keep the route a while for late signals and ratings, without the offer (several KB of
    // SDP that nobody reads once the call ended); drop the signal buffer
    if (route?.offer) {
      const slim: CallRoute = { ...route, offer: null };
      void this.#hub.bus.set(key.route(callId), JSON.stringify(slim), ROUTE_TTL).catch(() => 0);
    }
    void this.#hub.bus.del(key.signals(callId)).catch(() => undefined);
  }

  /** The call, checked to be one the session is a party to. */
  async #partyCall(
    session: Session,
    callId: string,
  ): Promise<{ call: Call; route: CallRoute | null }> {
    const call = await this.#storage.getCall(callId);
    if (!call || call.channelId !== session.channelId)
      throw new FluxError('FLX_ERR_CALL_NOT_FOUND');
    const route = await this.#route(callId);
    if (session.role === 'visitor') {
      if (session.callId !== callId && route?.visitor !== session.id) {
        throw new FluxError('FLX_ERR_CALL_NOT_PARTY');
      }
    } else if (call.agentId !== session.userId) {
      throw new FluxError('FLX_ERR_CALL_NOT_PARTY');
    }
    return { call, route };
  }

  /** Cheaper party check for the hot relay path (route only). */
  async #partyRoute(session: Session, callId: string): Promise<CallRoute> {
    const route = await this.#route(callId);
    if (!route || route.channelId !== session.channelId)
      throw new FluxError('FLX_ERR_CALL_NOT_FOUND');
    if (
      session.role === 'visitor' ? route.visitor !== session.id : route.agentId !== session.userId
    ) {
      throw new FluxError('FLX_ERR_CALL_NOT_PARTY');
    }
    return route;
  }

  #toVisitor(route: CallRoute, msg: OutgoingServerMessage): void {
    this.#hub.toSession(route.visitor, msg);
  }

  // ---------------------------------------------------------------- request

  async request(
    session: Session,
    m: ClientMessageOf<'call.request'>,
  ): Promise<{ call: Call; rejoinToken: string }> {
    if (session.callId && session.callOpen) {
      const prev = await this.#storage.getCall(session.callId);
      if (prev && prev.status !== 'ended') {
        throw new FluxError('FLX_ERR_CALL_INVALID_TRANSITION', 'You are already in a call.');
      }
    }
    const channel = await this.#channel(session.channelId);
    if (!channel) throw new FluxError('FLX_ERR_CHANNEL_NOT_FOUND');
    // the reservation checks the agent (in the channel, online, active, free) in its own
    // conditional write; the agent's row is read only to name the error when it fails
    const counts = await this.#hub.bus.consoleCounts([m.agentId]);
    if ((counts.get(m.agentId) ?? 0) === 0) {
      throw await this.#unavailable(session.channelId, m.agentId);
    }
    const { products, unknownIds } = await this.#storage.resolveProducts(channel.id, m.productIds);
    const res = await this.#storage.reserveAgentAndCreateCall({
      channelId: channel.id,
      agentId: m.agentId,
      pageUrl: m.pageUrl || null,
      visitor: m.user ?? {},
      productIds: products.map((p) => p.id),
      unknownProductIds: unknownIds,
      at: this.#now(),
      // a console is connected and is rung right after: stored as ringing in the same write
      ringing: true,
    });
    if (!res.ok) {
      throw res.reason === 'not_found'
        ? new FluxError('FLX_ERR_AGENT_NOT_FOUND')
        : await this.#unavailable(session.channelId, m.agentId, 'FLX_ERR_AGENT_BUSY');
    }
    const call = res.call;
    const route: CallRoute = {
      callId: call.id,
      channelId: channel.id,
      agentId: call.agentId,
      visitor: session.id,
      offer: m.offer?.type === 'offer' ? (m.offer.sdp ?? null) : null,
      audioOnly: m.audioOnly ?? false,
      ringTimeoutSeconds: channel.settings.ringTimeoutSeconds,
    };
    this.#routes.set(call.id, route);
    await this.#hub.bus.set(key.route(call.id), JSON.stringify(route), ROUTE_TTL);
    session.callId = call.id;
    session.callOpen = true;
    if (session.closed) {
      // the visitor said goodbye while the reservation was being written: its session's
      // cleanup ran before the session knew of the call, so nobody would end it; nobody rings
      if (await this.#claimAnswer(call.id, '!cancelled')) {
        await this.#end(call.id, 'cancelled', 'visitor_gone', this.#now(), route);
      }
      return { call, rejoinToken: rejoinToken(this.#opts.rejoinSecret, call.id) };
    }
    // after the ack: ring the consoles (a tick queued now runs once the promise continuations
    // that send the ack have run, so the visitor's ack and its ringing state share one write)
    process.nextTick(() => {
      void this.#ring(route, call).catch((e: unknown) => {
        this.#log.error({ err: e, callId: call.id }, 'ringing failed');
      });
    });
    return { call, rejoinToken: rejoinToken(this.#opts.rejoinSecret, call.id) };
  }

  /**
   * Why the agent cannot be called: not in the channel, offline or deactivated, else
   * `otherwise` (no console connected: unavailable; reserved: busy).
   */
  async #unavailable(
    channelId: string,
    agentId: string,
    otherwise: 'FLX_ERR_AGENT_UNAVAILABLE' | 'FLX_ERR_AGENT_BUSY' = 'FLX_ERR_AGENT_UNAVAILABLE',
  ): Promise<FluxError> {
    const agent = await this.#storage.getUser(agentId);
    if (!agent || agent.channelId !== channelId) return new FluxError('FLX_ERR_AGENT_NOT_FOUND');
    if (agent.status !== 'online' || !agent.active) {
      return new FluxError('FLX_ERR_AGENT_UNAVAILABLE');
    }
    return new FluxError(otherwise);
  }

  #incoming(route: CallRoute, call: Call): OutgoingServerMessage {
    return {
      type: 'call.incoming',
      call,
      ...(route.offer === null ? {} : { offer: { type: 'offer' as const, sdp: route.offer } }),
      audioOnly: route.audioOnly,
      ringTimeoutSeconds: route.ringTimeoutSeconds,
    };
  }

  async #ring(route: CallRoute, call: Call): Promise<void> {
    this.#hub.toAgent(route.agentId, this.#incoming(route, call));
    // the reservation stored the call as ringing already (else move it now)
    const ringing =
      call.status === 'ringing'
        ? call
        : await this.#storage.transitionCall(call.id, 'ringing', this.#now());
    if (ringing) {
      this.#toVisitor(route, { type: 'call.state', call: ringing });
      this.#hub.toAgent(route.agentId, { type: 'call.state', call: ringing });
      this.#ringTimers.set(
        call.id,
        setTimeout(() => {
          this.#ringTimers.delete(call.id);
          void this.#missed(call.id).catch((e: unknown) => {
            this.#log.error({ err: e, callId: call.id }, 'ring timeout failed');
          });
        }, route.ringTimeoutSeconds * 1000),
      );
    }
    this.#presence.changed(route.channelId);
    // the agent was online and is now reserved: no need to ask storage
    this.#hub.toAgent(route.agentId, {
      type: 'agent.state',
      status: 'online',
      availability: 'busy',
    });
  }

  /** A console that (re)connects while its agent's call rings gets the ring again. */
  async replayRinging(session: Session): Promise<void> {
    if (!session.userId) return;
    const callId = await this.#storage.getAgentCurrentCall(session.userId);
    if (!callId) return;
    const [call, route] = await Promise.all([this.#storage.getCall(callId), this.#route(callId)]);
    if (!call || !route || (call.status !== 'ringing' && call.status !== 'requested')) return;
    session.send(this.#incoming(route, call));
    for (const raw of await this.#hub.bus.list(key.signals(callId))) {
      session.send({
        type: 'call.signal',
        callId,
        from: 'visitor',
        signal: JSON.parse(raw) as Signal,
      });
    }
  }

  /**
   * A console that resumed was replayed the rings it had missed. What was sent to its agent
   * while it had no socket went only to her attached consoles, so a replayed ring whose call
   * ended meanwhile (missed, cancelled, taken on another console) is followed here by that end:
   * the console must not show a ring for a call that is over.
   */
  async endReplayedRings(session: Session, replayed: readonly string[]): Promise<void> {
    for (const frame of replayed) {
      if (!RING_FRAME.test(frame)) continue;
      const id = (JSON.parse(frame) as { call?: { id?: unknown } }).call?.id;
      if (typeof id !== 'string') continue;
      const call = await this.#storage.getCall(id);
      if (call && call.status !== 'ringing' && call.status !== 'requested') {
        session.send({ type: 'call.state', call });
      }
    }
  }

  /**
   * The caller's open call, for the welcome snapshot; first, when a new session asks to rejoin
   * a connected call, it takes its side of the call if it may (see `rejoin`).
   */
  async welcomeCall(session: Session, rejoin?: Rejoin): Promise<Call | null> {
    if (rejoin) {
      try {
        await this.#rejoin(session, rejoin);
      } catch (e) {
        this.#log.warn({ err: e, callId: rejoin.callId }, 'rejoining a call failed');
      }
    }
    return this.activeCall(session);
  }

  /**
   * A new session takes a party's side of a connected call: the visitor's with its call's
   * rejoin token, the accepting console's with the call's agent signed in. Used when the
   * party's session could not be resumed: its process stopped (a restart, a deploy) or the
   * reconnect landed on another process. The media between the browsers never went through
   * the server, so the call goes on; from now on its messages reach the new session.
   */
  async #rejoin(session: Session, r: Rejoin): Promise<void> {
    const call = await this.#storage.getCall(r.callId);
    if (!call || call.channelId !== session.channelId || call.status !== 'connected') return;
    if (session.role === 'visitor') {
      if (!r.token || !rejoinTokenValid(this.#opts.rejoinSecret, call.id, r.token)) return;
    } else if (call.agentId !== session.userId) {
      return;
    }
    // with one process the routes went with the process that stopped: rebuilt from the record
    const route: CallRoute = (await this.#route(call.id)) ?? {
      callId: call.id,
      channelId: call.channelId,
      agentId: call.agentId,
      visitor: NO_SESSION,
      offer: null,
      audioOnly: false,
      ringTimeoutSeconds: 0,
      accepted: NO_SESSION,
    };
    if (session.role === 'visitor') route.visitor = session.id;
    else {
      route.accepted = session.id;
      await this.#hub.bus.set(key.accepted(call.id), session.id, ROUTE_TTL);
    }
    this.#routes.set(call.id, route);
    await this.#hub.bus.set(key.route(call.id), JSON.stringify(route), ROUTE_TTL);
    this.#hub.publishChannel(call.channelId, { k: 'route', callId: call.id });
    session.callId = call.id;
    session.callOpen = true;
    this.#log.info({ callId: call.id, role: session.role, sessionId: session.id }, 'call rejoined');
  }

  /** The caller's open call, for the welcome snapshot. */
  async activeCall(session: Session): Promise<Call | null> {
    const callId =
      session.role === 'agent' && session.userId
        ? await this.#storage.getAgentCurrentCall(session.userId)
        : session.callId;
    if (!callId) return null;
    const call = await this.#storage.getCall(callId);
    return call && call.status !== 'ended' ? call : null;
  }

  // ---------------------------------------------------------------- agent answers

  async accept(session: Session, m: ClientMessageOf<'call.accept'>): Promise<{ call: Call }> {
    const route = await this.#partyRoute(session, m.callId);
    const callId = route.callId;
    if (!(await this.#claimAnswer(callId, session.id))) {
      throw new FluxError(
        'FLX_ERR_CALL_INVALID_TRANSITION',
        'The call was already answered or ended.',
      );
    }
    // the transition decides (conditional write); no read first
    let connected = await this.#storage.transitionCall(callId, 'connected', this.#now());
    if (!connected) {
      // still `requested` (the ring's own move may be racing us): ring, then connect
      await this.#storage.transitionCall(callId, 'ringing', this.#now());
      connected = await this.#storage.transitionCall(callId, 'connected', this.#now());
    }
    if (!connected) {
      await this.#hub.bus.del(key.accepted(callId));
      const now = await this.#storage.getCall(callId);
      throw new FluxError(
        'FLX_ERR_CALL_INVALID_TRANSITION',
        `The call is ${now?.status ?? 'gone'}${now?.endReason ? ` (${now.endReason})` : ''}.`,
      );
    }
    const call = connected;
    route.accepted = session.id;
    session.callId = call.id;
    const t = this.#ringTimers.get(call.id);
    if (t) clearTimeout(t);
    this.#ringTimers.delete(call.id);
    void this.#hub.bus.del(key.signals(call.id)).catch(() => undefined);
    if (!this.#missesZero.has(call.agentId)) {
      await this.#storage.bumpMissedCalls(call.agentId, true);
      this.#missesZero.add(call.agentId);
    }
    // the visitor already has the answer of the console that set up the transport
    const early = route.early ?? (await this.#hub.bus.get(key.early(callId)));
    if (m.answer && early !== session.id) {
      this.#toVisitor(route, {
        type: 'call.signal',
        callId: call.id,
        from: 'agent',
        signal: { kind: 'description', description: m.answer },
      });
    }
    this.#toVisitor(route, { type: 'call.state', call: connected });
    this.#hub.toAgent(route.agentId, { type: 'call.state', call: connected }, session.id);
    return { call: connected };
  }

  async decline(session: Session, m: ClientMessageOf<'call.decline'>): Promise<{ call: Call }> {
    const { call, route } = await this.#partyCall(session, m.callId);
    if (call.status !== 'ringing' && call.status !== 'requested') {
      throw new FluxError('FLX_ERR_CALL_INVALID_TRANSITION', `The call is ${call.status}.`);
    }
    if (!(await this.#claimAnswer(call.id, '!declined'))) {
      throw new FluxError(
        'FLX_ERR_CALL_INVALID_TRANSITION',
        'The call was already answered or ended.',
      );
    }
    const ended = await this.#end(call.id, 'declined', null, this.#now(), route, session.id);
    if (!ended) {
      throw new FluxError('FLX_ERR_CALL_INVALID_TRANSITION', 'The call has already ended.');
    }
    if (m.goOffline) {
      await this.#storage.updateUser(call.agentId, { status: 'offline' });
      this.#presence.changed(call.channelId);
      await this.#presence.pushAgentState(call.agentId, 'declined_and_offline');
    }
    return { call: ended };
  }

  async hangup(session: Session, m: ClientMessageOf<'call.hangup'>): Promise<{ call: Call }> {
    // the route says whether an agent accepted; the conditional write decides the rest
    const route = await this.#partyRoute(session, m.callId).catch(() => null);
    let accepted: boolean;
    if (route) {
      // unanswered: take the answer slot so that no accept can win afterwards
      const unanswered = session.role === 'visitor' ? '!cancelled' : '!declined';
      accepted =
        !(await this.#claimAnswer(route.callId, unanswered)) &&
        (await this.#acceptedSession(route)) !== null;
    } else {
      const { call } = await this.#partyCall(session, m.callId);
      if (call.status === 'ended') return { call };
      accepted = call.status === 'connected';
    }
    const reason: EndReason =
      session.role === 'visitor'
        ? accepted
          ? 'visitor_hangup'
          : 'cancelled'
        : accepted
          ? 'agent_hangup'
          : 'declined';
    const ended = await this.#end(m.callId, reason, null, this.#now(), route, session.id);
    if (ended) return { call: ended };
    const call = await this.#storage.getCall(m.callId);
    if (!call) throw new FluxError('FLX_ERR_CALL_NOT_FOUND');
    return { call };
  }

  /**
   * One of the agent's consoles was cut off because nothing came back from it in time (its
   * ring or the heartbeat went unanswered: a laptop shut). If she has no console left on any
   * process and her call rings, nobody can answer it: it ends now as `missed` (detail
   * `agent_unreachable`) and the visitor gets the alternatives, instead of at the ring
   * timeout. Her missed-in-a-row count is not bumped: it was her connection that failed.
   */
  async unreachable(agentId: string): Promise<void> {
    if ((this.#hub.consoles.get(agentId)?.size ?? 0) > 0) return;
    const counts = await this.#hub.bus.consoleCounts([agentId]);
    if ((counts.get(agentId) ?? 0) > 0) return;
    const callId = await this.#storage.getAgentCurrentCall(agentId);
    if (!callId) return;
    const call = await this.#storage.getCall(callId);
    if (call?.status !== 'ringing' && call?.status !== 'requested') return;
    if (!(await this.#claimAnswer(callId, '!unreachable'))) return; // answered or ended first
    const route = await this.#route(callId);
    await this.#end(callId, 'missed', 'agent_unreachable', this.#now(), route);
  }

  async #missed(callId: string): Promise<void> {
    if (!(await this.#claimAnswer(callId, '!missed'))) return; // answered (or ended) first
    const route = await this.#route(callId);
    const ended = await this.#end(callId, 'missed', null, this.#now(), route);
    if (!ended) return;
    this.#missesZero.delete(ended.agentId);
    this.#hub.publishChannel(ended.channelId, { k: 'misses', agentId: ended.agentId });
    const misses = await this.#storage.bumpMissedCalls(ended.agentId, false);
    const channel = await this.#channel(ended.channelId);
    if (channel && misses >= channel.settings.missesBeforeOffline) {
      await this.#storage.updateUser(ended.agentId, { status: 'offline' });
      await this.#storage.bumpMissedCalls(ended.agentId, true);
      this.#missesZero.add(ended.agentId);
      this.#log.info({ agentId: ended.agentId, misses }, 'agent set offline after missed calls');
      this.#presence.changed(ended.channelId);
      await this.#presence.pushAgentState(ended.agentId, 'missed_calls');
    }
  }

  /**
   * Ends a call (if nobody else did first) and tells both parties; on a decline or miss the
   * visitor also gets same-tag alternatives. Returns null when the call had already ended.
   */
  async #end(
    callId: string,
    reason: EndReason,
    detail: string | null,
    at: Date,
    route: CallRoute | null,
    exceptSession?: string,
  ): Promise<Call | null> {
    const ended = await this.#storage.transitionCall(callId, 'ended', at, { reason, detail });
    if (!ended) return null;
    this.#log.info({ callId, reason, detail }, 'call ended');
    this.#forget(callId, route);
    const visitor = route ? this.#hub.sessions.get(route.visitor) : undefined;
    if (visitor?.callId === callId) visitor.callOpen = false;
    let alternatives: CallAgent[] | undefined;
    if (reason === 'declined' || reason === 'missed') {
      alternatives = await this.#alternatives(ended).catch(() => []);
    }
    if (route) {
      const msg: OutgoingServerMessage = alternatives
        ? { type: 'call.state', call: ended, alternatives }
        : { type: 'call.state', call: ended };
      if (route.visitor !== exceptSession) this.#toVisitor(route, msg);
    }
    this.#hub.toAgent(ended.agentId, { type: 'call.state', call: ended }, exceptSession);
    this.#presence.changed(ended.channelId);
    // the ended write returned the agent's status: no read for the state push
    const agent = ended[ENDED_AGENT];
    if (agent) await this.#presence.pushStateAfterCall(ended.agentId, agent);
    else await this.#presence.pushAgentState(ended.agentId, undefined, true);
    return ended;
  }

  async #alternatives(call: Call): Promise<CallAgent[]> {
    const agent = await this.#storage.getUser(call.agentId);
    const tags = new Set(agent?.tags ?? []);
    if (tags.size === 0) return [];
    const available = await this.#presence.availableAgents(call.channelId);
    return available
      .filter((u) => u.id !== call.agentId && u.tags.some((t) => tags.has(t)))
      .map((u) => toCallAgent(u, this.#opts.publicUrl));
  }

  // ---------------------------------------------------------------- in-call messages

  async signal(session: Session, m: ClientMessageOf<'call.signal'>): Promise<undefined> {
    const route = await this.#partyRoute(session, m.callId);
    if (session.role === 'visitor') {
      const acc = await this.#acceptedSession(route);
      const msg: OutgoingServerMessage = {
        type: 'call.signal',
        callId: m.callId,
        from: 'visitor',
        signal: m.signal,
      };
      if (acc) {
        this.#hub.toSession(acc, msg);
      } else {
        // ringing: every console prepares; one that connects later gets them from the buffer
        await this.#hub.bus.push(key.signals(m.callId), JSON.stringify(m.signal), ROUTE_TTL);
        this.#hub.toAgent(route.agentId, msg);
      }
    } else {
      const acc = await this.#acceptedSession(route);
      if (acc === null) {
        // ringing: the first console to send its prepared answer sets up the transport with
        // the visitor (no media yet); the other consoles' signals are dropped
        if (!(await this.#earlyConsole(route, session.id))) return undefined;
      } else if (acc !== session.id) {
        throw new FluxError('FLX_ERR_CALL_INVALID_TRANSITION', 'Another console has the call.');
      }
      this.#toVisitor(route, {
        type: 'call.signal',
        callId: m.callId,
        from: 'agent',
        signal: m.signal,
      });
    }
    return undefined;
  }

  /** True when `sessionId` is (or now becomes) the console that prepares the transport. */
  async #earlyConsole(route: CallRoute, sessionId: string): Promise<boolean> {
    if (route.early) return route.early === sessionId;
    if (await this.#hub.bus.setIfAbsent(key.early(route.callId), sessionId, ROUTE_TTL)) {
      route.early = sessionId;
      return true;
    }
    const holder = await this.#hub.bus.get(key.early(route.callId));
    if (holder) route.early = holder;
    return holder === sessionId;
  }

  async #toOtherParty(
    session: Session,
    route: CallRoute,
    msg: OutgoingServerMessage,
  ): Promise<void> {
    if (session.role === 'agent') {
      this.#toVisitor(route, msg);
      return;
    }
    const acc = await this.#acceptedSession(route);
    if (acc) this.#hub.toSession(acc, msg);
    else this.#hub.toAgent(route.agentId, msg);
  }

  async mediaState(session: Session, m: ClientMessageOf<'call.media_state'>): Promise<undefined> {
    const route = await this.#partyRoute(session, m.callId);
    await this.#toOtherParty(session, route, {
      type: 'call.peer_media_state',
      callId: m.callId,
      from: session.role,
      state: m.state,
    });
    if (m.state === 'failed') {
      const detail = `${session.role}: ${m.detail ?? 'media connection failed'}`;
      await this.#end(m.callId, 'failed', detail, this.#now(), route);
    }
    return undefined;
  }

  /**
   * A party's judgement of its link changed: stored on the call record (`weakSeconds`). Only
   * the console that has the call reports for the agent.
   */
  async quality(session: Session, m: ClientMessageOf<'call.quality'>): Promise<undefined> {
    const route = await this.#partyRoute(session, m.callId);
    if (session.role === 'agent' && (await this.#acceptedSession(route)) !== session.id) {
      throw new FluxError('FLX_ERR_CALL_NOT_PARTY', 'Another console has the call.');
    }
    await this.#storage.recordLinkQuality(m.callId, session.role, m.quality, this.#now());
    return undefined;
  }

  async #changeProducts(
    session: Session,
    callId: string,
    change: (ids: string[]) => string[],
  ): Promise<{ products: Product[] }> {
    const { call, route } = await this.#partyCall(session, callId);
    if (call.status === 'ended')
      throw new FluxError('FLX_ERR_CALL_INVALID_TRANSITION', 'The call has ended.');
    const products = await this.#storage.setCallProducts(
      callId,
      change(call.products.map((p) => p.id)),
    );
    const msg: OutgoingServerMessage = { type: 'call.products', callId, products };
    if (route) this.#toVisitor(route, msg);
    this.#hub.toAgent(call.agentId, msg, session.id);
    return { products };
  }

  async productAdd(
    session: Session,
    m: ClientMessageOf<'call.product_add'>,
  ): Promise<{ products: Product[] }> {
    const product = await this.#storage.getProduct(session.channelId, m.productId);
    if (!product) throw new FluxError('FLX_ERR_PRODUCT_NOT_FOUND');
    return this.#changeProducts(session, m.callId, (ids) =>
      ids.includes(product.id) ? ids : [...ids, product.id],
    );
  }

  async productRemove(
    session: Session,
    m: ClientMessageOf<'call.product_remove'>,
  ): Promise<{ products: Product[] }> {
    return this.#changeProducts(session, m.callId, (ids) => ids.filter((id) => id !== m.productId));
  }

  async productEvent(
    session: Session,
    m: ClientMessageOf<'call.product_event'>,
  ): Promise<undefined> {
    const { route } = await this.#partyCall(session, m.callId);
    const product = await this.#storage.getProduct(session.channelId, m.productId);
    if (!product) throw new FluxError('FLX_ERR_PRODUCT_NOT_FOUND');
    await this.#storage.recordProductEvent(m.callId, m.productId, m.kind, this.#now());
    if (route) {
      await this.#toOtherParty(session, route, {
        type: 'call.product_event',
        callId: m.callId,
        productId: m.productId,
        kind: m.kind,
      });
    }
    return undefined;
  }

  async chat(session: Session, m: ClientMessageOf<'call.chat'>): Promise<{ at: string }> {
    const route = await this.#partyRoute(session, m.callId);
    const at = this.#now().toISOString();
    await this.#toOtherParty(session, route, {
      type: 'call.chat',
      callId: m.callId,
      from: session.role,
      text: m.text,
      at,
    });
    return { at };
  }

  async rate(session: Session, m: ClientMessageOf<'call.rate'>): Promise<{ call: Call }> {
    const { call } = await this.#partyCall(session, m.callId);
    if (call.status !== 'connected' && call.status !== 'ended') {
      throw new FluxError('FLX_ERR_CALL_INVALID_TRANSITION', 'Rate a call once it has started.');
    }
    const rated = await this.#storage.setCallRating(m.callId, m.rating);
    return { call: rated ?? call };
  }

  async callback(
    session: Session,
    m: ClientMessageOf<'callback.request'>,
  ): Promise<{ callbackId: string }> {
    let callId: string | null = null;
    if (m.callId) {
      ({
        call: { id: callId },
      } = await this.#partyCall(session, m.callId));
    }
    const cb = await this.#storage.createCallback({
      channelId: session.channelId,
      callId,
      name: m.name,
      contact: m.contact,
      ...(m.note === undefined ? {} : { note: m.note }),
      pageUrl: m.pageUrl ?? null,
      at: this.#now(),
    });
    this.#hub.toChannelAgents(session.channelId, { type: 'callback.created', callbackId: cb.id });
    return { callbackId: cb.id };
  }

  // ---------------------------------------------------------------- parties going away

  /** A session's grace period ran out: its side of a call is gone. */
  async sessionGone(session: Session): Promise<void> {
    const callId = session.callId;
    if (!callId) return;
    const [call, route] = await Promise.all([this.#storage.getCall(callId), this.#route(callId)]);
    if (!call || call.status === 'ended') return;
    const lastSeen = new Date(session.lastSeen);
    if (session.role === 'visitor') {
      // the visitor's side went to a new session (rejoin): this one no longer speaks for it
      if (route && route.visitor !== session.id) return;
      if (call.status !== 'connected' && (await this.#claimAnswer(callId, '!cancelled'))) {
        await this.#end(callId, 'cancelled', 'visitor_gone', lastSeen, route);
      } else {
        await this.#end(callId, 'lost', 'visitor_gone', lastSeen, route);
      }
      return;
    }
    if (
      call.status === 'connected' &&
      route &&
      (await this.#acceptedSession(route)) === session.id
    ) {
      await this.#end(callId, 'lost', 'agent_gone', lastSeen, route);
    }
  }

  /**
   * Ends calls that no live process looks after: ringing past its timeout (the process that
   * timed it is gone) → missed; connected with a party on a dead process → lost, at the time
   * that process was last seen. With one process (memory bus), calls without a route are from
   * an earlier run of it: at start the ones still ringing are lost at once (their offer went
   * with the routes), and connected ones once the parties had `graceMs` to rejoin them.
   */
  async sweep(startup: boolean): Promise<void> {
    if (this.#closed) return;
    if (startup && this.#hub.bus.kind === 'memory') {
      try {
        const at = await this.#storage.takeEarlierProcessBeat(this.#hub.bus.nodeId);
        this.#earlierRunSeenAt = at?.getTime() ?? null;
      } catch (e) {
        this.#log.warn({ err: e }, 'reading when the earlier run was last alive failed');
      }
    }
    await this.#beat();
    let open: Call[];
    try {
      open = await this.#storage.listOpenCalls();
    } catch (e) {
      this.#log.warn({ err: e }, 'sweep: listing open calls failed');
      return;
    }
    const now = this.#now().getTime();
    for (const call of open) {
      try {
        await this.#sweepOne(call, now, startup);
      } catch (e) {
        this.#log.warn({ err: e, callId: call.id }, 'sweep failed for a call');
      }
    }
  }

  async #sweepOne(call: Call, now: number, startup: boolean): Promise<void> {
    if (this.#ringTimers.has(call.id)) return; // ours, still ringing
    const route = await this.#route(call.id);
    const lastMove = Math.max(
      ...[call.requestedAt, call.ringingAt, call.connectedAt]
        .filter((t): t is string => t !== null)
        .map((t) => Date.parse(t)),
    );
    if (!route) {
      // memory bus: routes die with the process, so a call without one is from an earlier run
      // (a call being created has no route for a moment, but it is not connected yet)
      const orphan =
        this.#hub.bus.kind === 'memory'
          ? call.status === 'connected'
            ? now - this.#startedAt > this.#opts.graceMs
            : startup
          : now - Date.parse(call.requestedAt) > 120_000;
      if (orphan) {
        // a connected call went on past its last move, at least while that run was alive
        const endedAt =
          call.status === 'connected' ? Math.max(lastMove, this.#earlierRunSeenAt ?? 0) : lastMove;
        await this.#end(call.id, 'lost', 'server_restarted', new Date(endedAt), null);
      }
      return;
    }
    if (call.status !== 'connected') {
      const ringSince = Date.parse(call.ringingAt ?? call.requestedAt);
      if (now - ringSince > route.ringTimeoutSeconds * 1000 + this.#opts.sweepMs) {
        await this.#missed(call.id);
      }
      return;
    }
    const acc = await this.#acceptedSession(route);
    const parties = [nodeOf(route.visitor), ...(acc ? [nodeOf(acc)] : [])];
    const seen = await this.#hub.bus.nodeLastSeen(parties);
    let deadSince: number | null = null;
    for (const node of parties) {
      if (node === this.#hub.bus.nodeId) continue;
      const last = seen.get(node) ?? (this.#hub.bus.kind === 'memory' ? this.#startedAt : lastMove);
      // a live process beats every heartbeatMs: never call it dead between two beats (with
      // one process, another one is an earlier run of it, whose parties had graceMs to rejoin)
      const limit =
        this.#hub.bus.kind === 'memory'
          ? this.#opts.graceMs
          : Math.max(this.#opts.graceMs, this.#hub.bus.heartbeatMs * 3);
      if (now - last > limit) deadSince = Math.max(deadSince ?? 0, last);
    }
    if (deadSince !== null) {
      await this.#end(
        call.id,
        'lost',
        'server_gone',
        new Date(Math.max(deadSince, lastMove)),
        route,
      );
    }
  }
}
