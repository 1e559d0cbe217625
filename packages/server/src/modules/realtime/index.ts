/**
 * The realtime module: WebSocket signaling (Gateway), presence (PresenceService) and the call
 * lifecycle (CallService), connected across processes by the bus (MemoryBus alone, RedisBus
 * with REDIS_URL). The app calls `createRealtime(deps)` and then `attach(app)` before listen.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { createBus, type Bus } from '../../bus/index.ts';
import { VISITOR_TOKEN_SECRET_NAME } from '../../auth/visitorToken.ts';
import type { Config } from '../../config.ts';
import type { Storage } from '../../storage/Storage.ts';
import type { Presence } from '../presence/Presence.ts';
import { PresenceService } from '../presence/PresenceService.ts';
import { CallService } from '../signaling/CallService.ts';
import { Gateway, type GatewayOptions } from './Gateway.ts';
import { Hub } from './Hub.ts';
import { RingCheck } from './RingCheck.ts';

/** Timings and limits of the realtime module; tests shorten them. */
export interface RealtimeOptions extends GatewayOptions {
  /** Presence changes within this window make one roster push (ms). */
  coalesceMs: number;
  /** Interval of the sweeper that ends calls of dead processes (ms). */
  sweepMs: number;
  /** Redis key prefix (several deployments or tests on one Redis). */
  redisPrefix: string;
  /** How often a process refreshes its liveness key in Redis (ms). */
  busHeartbeatMs: number;
  /** Call routes a process keeps in memory; the oldest are read again from the bus. */
  maxCachedRoutes: number;
  /**
   * A console from which nothing came back this long after a ring is cut off, and the call
   * ends if the agent has no console left (RingCheck; ms, 0: off).
   */
  ringCheckMs: number;
}

export const DEFAULT_REALTIME_OPTIONS: RealtimeOptions = {
  heartbeatMs: 25_000,
  helloTimeoutMs: 5_000,
  graceMs: 30_000,
  maxBadFrames: 10,
  // 2x the largest legitimate burst measured (docs/protocol.md, ratelimit.test.ts)
  rateBurst: 200,
  ratePerSecond: 50,
  confirmWithinMs: 30,
  coalesceMs: 50,
  sweepMs: 10_000,
  redisPrefix: 'flux:',
  busHeartbeatMs: 2_000,
  maxCachedRoutes: 5_000,
  ringCheckMs: 5_000,
};

export interface RealtimeDeps {
  config: Config;
  storage: Storage;
  log: FastifyBaseLogger;
  /** Overrides of the timings (tests). Env FLUX_WS_OPTIONS (JSON) is read too. */
  options?: Partial<RealtimeOptions>;
  /** A bus to use instead of the one REDIS_URL selects (tests). */
  bus?: Bus;
  /** The clock (tests). */
  now?: () => Date;
}

export interface Realtime {
  presence: Presence;
  /** Attach the WebSocket endpoint (WS_PATH) to the app's HTTP server; called before listen. */
  attach(app: FastifyInstance): void;
  /** Closes every client's socket (SERVER_SHUTDOWN) and refuses new ones; see Gateway.close. */
  closeSockets(): Promise<void>;
  /** Closes the sockets, then stops timers and bus connections. */
  close(): Promise<void>;
}

/** The realtime module plus handles for tests and benchmarks. */
export interface RealtimeInternals extends Realtime {
  presenceService: PresenceService;
  calls: CallService;
  hub: Hub;
  bus: Bus;
  options: RealtimeOptions;
}

function envOptions(): Partial<RealtimeOptions> {
  const raw = process.env.FLUX_WS_OPTIONS;
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return typeof v === 'object' && v !== null ? v : {};
  } catch {
    return {};
  }
}

export async function createRealtime(deps: RealtimeDeps): Promise<RealtimeInternals> {
  const { config, storage, log } = deps;
  const options: RealtimeOptions = {
    ...DEFAULT_REALTIME_OPTIONS,
    ...envOptions(),
    ...deps.options,
  };
  const now = deps.now ?? (() => new Date());
  const onError = (e: unknown): void => {
    log.warn({ err: e }, 'bus error');
  };
  const ownBus = deps.bus === undefined;
  const bus =
    deps.bus ??
    (await createBus({
      redisUrl: config.redisUrl,
      prefix: options.redisPrefix,
      heartbeatMs: options.busHeartbeatMs,
      onError,
    }));
  const hub = new Hub(bus, onError);
  await hub.start();
  const presence = new PresenceService(hub, storage, log, {
    coalesceMs: options.coalesceMs,
    publicUrl: config.publicUrl,
    now,
  });
  const visitorSecret = await storage.getOrCreateSecret(VISITOR_TOKEN_SECRET_NAME);
  const calls = new CallService(hub, storage, presence, log, {
    publicUrl: config.publicUrl,
    graceMs: options.graceMs,
    sweepMs: options.sweepMs,
    maxCachedRoutes: options.maxCachedRoutes,
    rejoinSecret: visitorSecret,
    now,
  });
  const gateway = new Gateway(
    {
      hub,
      storage,
      log,
      ice: config,
      publicUrl: config.publicUrl,
      visitorSecret,
      ctx: { hub, presence, calls },
      now,
      async onSessionStart(session) {
        if (session.role !== 'agent' || !session.userId) return;
        if (await hub.addConsole(session)) presence.changed(session.channelId);
      },
      async afterWelcome(session, resumed, replayed) {
        // roster pushes are snapshots, not replayed: a resumed subscriber gets the current one
        if (resumed && session.presence) await presence.sendRoster(session);
        if (session.role !== 'agent' || !session.userId) return;
        // the agent's other consoles (other processes too) learn that it is reachable again
        if (hub.consoles.get(session.userId)?.size === 1) {
          await presence.pushAgentState(session.userId);
        }
        // a snapshot of the agent's own state after every welcome (not replayed: the next
        // welcome brings a fresh one)
        const st = await presence.agentState(session.userId);
        if (st) {
          session.sendUnsequenced({
            type: 'agent.state',
            status: st.status,
            availability: st.availability,
            user: st.user,
          });
        }
        if (resumed) await calls.endReplayedRings(session, replayed);
        else await calls.replayRinging(session);
      },
      onSessionDetach(session) {
        if (session.role !== 'agent' || !session.userId) return;
        if (hub.removeConsole(session)) {
          presence.changed(session.channelId);
          const agentId = session.userId;
          void presence.pushAgentState(agentId).catch(onError);
        }
      },
      onCutOff(session) {
        if (session.role !== 'agent' || !session.userId) return;
        calls.unreachable(session.userId).catch((e: unknown) => {
          log.error({ err: e }, 'ending the ring of an unreachable agent failed');
        });
      },
      async onSessionGone(session) {
        hub.removeSubscriber(session);
        await calls.sessionGone(session);
      },
      welcomeCall: (session, rejoin) => calls.welcomeCall(session, rejoin),
    },
    options,
  );
  const ringCheck = new RingCheck(options.ringCheckMs, (session) => {
    gateway.cutOff(session, 'ring not answered');
  });
  hub.onAgentDelivery = (session, body) => {
    ringCheck.delivered(session, body);
  };
  await calls.sweep(true);
  return {
    presence,
    presenceService: presence,
    calls,
    hub,
    bus,
    options,
    attach(app) {
      gateway.attach(app.server);
    },
    closeSockets() {
      return gateway.close();
    },
    async close() {
      await gateway.close();
      presence.close();
      await calls.close();
      if (ownBus) await bus.close();
    },
  };
}
