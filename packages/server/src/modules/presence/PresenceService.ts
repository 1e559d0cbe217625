/**
 * Presence: who can take a call now, and the live roster pushed to subscribed widgets.
 *
 * An agent is available when their status is online, their account is active, at least one
 * console socket is connected (on any process: the bus counts them) and they are not
 * reserved for a call (storage's current call). Changes are announced on the channel's bus
 * topic; every process recomputes the roster once per burst (coalesced) and pushes it to its
 * subscribers when it changed.
 */
import type {
  AgentAvailability,
  AgentStatus,
  CallAgent,
  PresenceRoster,
  User,
} from '@flux/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { isOpen } from '../../lib/openingHours.ts';
import type { Storage } from '../../storage/Storage.ts';
import { toCallAgent } from '../public/routes.ts';
import type { Hub } from '../realtime/Hub.ts';
import type { Session } from '../realtime/Session.ts';
import type { Presence } from './Presence.ts';

interface RosterEntry {
  agents: CallAgent[];
  open: boolean;
  /** The `presence.roster` frame (seq 0), built once and written to every subscriber. */
  frame: Buffer;
}

export interface PresenceOptions {
  /**
   * Window in which changes are coalesced into one roster push (ms). The first change after a
   * quiet window is pushed at once; later ones in the window wait for its end.
   */
  coalesceMs: number;
  publicUrl: string;
  now: () => Date;
}

export class PresenceService implements Presence {
  readonly #hub: Hub;
  readonly #storage: Storage;
  readonly #log: FastifyBaseLogger;
  readonly #opts: PresenceOptions;
  readonly #rosters = new Map<string, RosterEntry>();
  /** Per channel: cancels the scheduled flush's wait (a timer, or an immediate when quiet). */
  readonly #timers = new Map<string, () => void>();
  /** Per channel: the queued or running flush (flushes of a channel run one after another). */
  readonly #flushing = new Map<string, Promise<void>>();
  /** Per channel: when the last flush was scheduled to run (ms, performance clock). */
  readonly #lastFlush = new Map<string, number>();
  readonly #refresh: ReturnType<typeof setInterval>;
  #closed = false;

  constructor(hub: Hub, storage: Storage, log: FastifyBaseLogger, opts: PresenceOptions) {
    this.#hub = hub;
    this.#storage = storage;
    this.#log = log;
    this.#opts = opts;
    hub.onChannelMessage((m) => {
      if (m.k === 'presence' && typeof m.channelId === 'string') this.#schedule(m.channelId);
    });
    // opening hours move with the clock: look again every minute
    this.#refresh = setInterval(() => {
      for (const channelId of this.#hub.subscribers.keys()) this.#schedule(channelId);
    }, 60_000);
    this.#refresh.unref();
  }

  // ---------------------------------------------------------------- Presence port

  async availableAgents(channelId: string): Promise<User[]> {
    const online = await this.#storage.listOnlineAgents(channelId);
    if (online.length === 0) return [];
    const counts = await this.#hub.bus.consoleCounts(online.map((u) => u.id));
    const connected = online.filter((u) => u.active && (counts.get(u.id) ?? 0) > 0);
    const reserved = await Promise.all(
      connected.map((u) => this.#storage.getAgentCurrentCall(u.id)),
    );
    return connected
      .filter((_, i) => reserved[i] === null)
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  agentChanged(channelId: string, agentId: string): void {
    this.changed(channelId);
    void this.pushAgentState(agentId).catch((e: unknown) => {
      this.#log.warn({ err: e, agentId }, 'agent state push failed');
    });
  }

  // ---------------------------------------------------------------- realtime side

  /** Announce that availability in the channel may have changed (all processes). */
  changed(channelId: string): void {
    this.#hub.publishChannel(channelId, { k: 'presence' });
  }

  /**
   * The roster a subscriber gets now (cached between changes). The cache is what the
   * subscribers were last sent: while a change is pending this waits for its flush (which
   * also pushes to the new subscriber) instead of answering with a read that a push may
   * already have overtaken, and it never overwrites what a flush stored.
   */
  async roster(channelId: string): Promise<{ agents: CallAgent[]; open: boolean }> {
    await this.#flushing.get(channelId);
    return this.#rosters.get(channelId) ?? (await this.#load(channelId));
  }

  /**
   * Sends a subscribed session the roster its channel's subscribers were last sent: after a
   * resume, since roster pushes are snapshots and not replayed. The cache is read and the
   * frame written in one step, so no push can slip in between and be overtaken.
   */
  async sendRoster(session: Session): Promise<void> {
    await this.#flushing.get(session.channelId);
    const cached = this.#rosters.get(session.channelId);
    session.sendShared((cached ?? (await this.#load(session.channelId))).frame);
  }

  /** The agent's own status and availability. */
  async agentState(
    agentId: string,
    /** The caller knows the agent holds no reservation (it just released it). */
    knownFree = false,
  ): Promise<{ status: AgentStatus; availability: AgentAvailability; user: User } | null> {
    const user = await this.#storage.getUser(agentId);
    if (!user) return null;
    let availability: AgentAvailability = 'offline';
    if (user.status === 'online' && user.active) {
      const counts = await this.#hub.bus.consoleCounts([agentId]);
      if ((counts.get(agentId) ?? 0) > 0) {
        const reserved = knownFree ? null : await this.#storage.getAgentCurrentCall(agentId);
        availability = reserved ? 'busy' : 'available';
      }
    }
    return { status: user.status, availability, user };
  }

  /** Sends `agent.state` to every console of the agent. */
  async pushAgentState(agentId: string, reason?: string, knownFree = false): Promise<void> {
    const st = await this.agentState(agentId, knownFree);
    if (!st) return;
    this.#hub.toAgent(agentId, {
      type: 'agent.state',
      status: st.status,
      availability: st.availability,
      user: st.user,
      ...(reason === undefined ? {} : { reason }),
    });
  }

  /**
   * Sends `agent.state` after the agent's call ended, from the status and active flag the
   * ended write returned (no read): available when online, active and a console is connected.
   * Without `user`: nothing of the profile changed.
   */
  async pushStateAfterCall(
    agentId: string,
    agent: { status: AgentStatus; active: boolean },
  ): Promise<void> {
    let availability: AgentAvailability = 'offline';
    if (agent.status === 'online' && agent.active) {
      const counts = await this.#hub.bus.consoleCounts([agentId]);
      if ((counts.get(agentId) ?? 0) > 0) availability = 'available';
    }
    this.#hub.toAgent(agentId, { type: 'agent.state', status: agent.status, availability });
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#refresh);
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    this.#flushing.clear();
    this.#lastFlush.clear();
  }

  // ---------------------------------------------------------------- internal

  /** A roster read while nothing is cached; kept as the cache unless a flush got there first. */
  async #load(channelId: string): Promise<RosterEntry> {
    const fresh = await this.#compute(channelId);
    const latest = this.#rosters.get(channelId); // a flush finished meanwhile: newer
    if (latest) return latest;
    if (this.#hub.subscribers.has(channelId) && !this.#flushing.has(channelId)) {
      this.#rosters.set(channelId, fresh);
    }
    return fresh;
  }

  #schedule(channelId: string): void {
    if (this.#closed || this.#timers.has(channelId)) return;
    if (!this.#hub.subscribers.has(channelId)) {
      this.#rosters.delete(channelId);
      this.#lastFlush.delete(channelId);
      return;
    }
    // The timer entry goes when the timer fires: a change during the flush's reads then
    // schedules the next flush (queued behind this one) instead of being lost.
    // Leading edge: a change after a quiet window goes out on the next tick (which still
    // merges a same-tick burst); changes during the window wait for its end.
    const now = performance.now();
    const quiet =
      !this.#flushing.has(channelId) &&
      now - (this.#lastFlush.get(channelId) ?? -Infinity) >= this.#opts.coalesceMs;
    const delay = quiet ? 0 : this.#opts.coalesceMs;
    this.#lastFlush.set(channelId, now + delay);
    let fire = (): void => undefined;
    const due = new Promise<void>((resolve) => (fire = resolve));
    const go = (): void => {
      this.#timers.delete(channelId);
      fire();
    };
    // setTimeout waits at least 1 ms even for 0: a quiet change goes on the next turn
    if (quiet) {
      const t = setImmediate(go);
      this.#timers.set(channelId, () => clearImmediate(t));
    } else {
      const t = setTimeout(go, delay);
      this.#timers.set(channelId, () => clearTimeout(t));
    }
    const before = this.#flushing.get(channelId);
    const run = Promise.all([due, before]).then(() => this.#flush(channelId));
    this.#flushing.set(channelId, run);
    void run.finally(() => {
      if (this.#flushing.get(channelId) === run) this.#flushing.delete(channelId);
    });
  }

  async #flush(channelId: string): Promise<void> {
    let next: RosterEntry;
    try {
      next = await this.#compute(channelId);
    } catch (e) {
      this.#log.warn({ err: e, channelId }, 'roster computation failed');
      return;
    }
    const subs = this.#hub.subscribers.get(channelId);
    if (!subs) {
      this.#rosters.delete(channelId);
      return;
    }
    const prev = this.#rosters.get(channelId);
    this.#rosters.set(channelId, next);
    if (prev?.frame.equals(next.frame)) return;
    // the same frame to every subscriber, written at once (Session.sendShared)
    for (const s of subs) s.sendShared(next.frame);
  }

  async #compute(channelId: string): Promise<RosterEntry> {
    const channel = await this.#storage.getChannel(channelId);
    const open = channel ? isOpen(channel.settings.openingHours, this.#opts.now()) : false;
    const agents = open
      ? (await this.availableAgents(channelId)).map((u) => toCallAgent(u, this.#opts.publicUrl))
      : [];
    const msg: PresenceRoster = { seq: 0, type: 'presence.roster', agents, open };
    return { agents, open, frame: Buffer.from(JSON.stringify(msg)) };
  }
}
