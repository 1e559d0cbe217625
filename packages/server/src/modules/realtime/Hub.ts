/**
 * Where sessions live and how messages reach them, on this process or another one.
 *
 * Delivery:
 * - to a session: directly when it is on this process, else over the bus topic of the
 *   process that holds it (session ids start with the process's node id);
 * - to an agent: the bus topic `agent:<id>`, to which every process holding one of the
 *   agent's consoles subscribes;
 * - to a channel's agents (callbacks) and presence changes: the topic `channel:<id>`.
 */
import type { OutgoingServerMessage } from '@flux/protocol';
import type { Bus, BusMessage } from '../../bus/Bus.ts';
import type { Session } from './Session.ts';

export const topics = {
  node: (nodeId: string) => `node:${nodeId}`,
  agent: (agentId: string) => `agent:${agentId}`,
  channel: (channelId: string) => `channel:${channelId}`,
};

/** The process id a session id starts with. */
export function nodeOf(sessionId: string): string {
  const dot = sessionId.indexOf('.');
  return dot > 0 ? sessionId.slice(0, dot) : '';
}

type ChannelListener = (message: BusMessage) => void;

export class Hub {
  readonly bus: Bus;
  /** Every session of this process, attached or within its grace period. */
  readonly sessions = new Map<string, Session>();
  /** Attached console sessions per agent. */
  readonly consoles = new Map<string, Set<Session>>();
  /** Attached console sessions per channel. */
  readonly channelConsoles = new Map<string, Set<Session>>();
  /** Visitors following presence, per channel. */
  readonly subscribers = new Map<string, Set<Session>>();
  readonly #topicRefs = new Map<string, { count: number; off: Promise<() => void> }>();
  readonly #channelListeners: ChannelListener[] = [];
  readonly #onError: (e: unknown) => void;
  /** Told of each console of this process that a message to its agent reached (RingCheck). */
  onAgentDelivery: ((console: Session, body: string) => void) | null = null;

  constructor(bus: Bus, onError: (e: unknown) => void) {
    this.bus = bus;
    this.#onError = onError;
  }

  async start(): Promise<void> {
    await this.bus.subscribe(topics.node(this.bus.nodeId), (m) => {
      const s = this.sessions.get(String(m.s));
      if (s && typeof m.b === 'string') s.sendBody(m.b);
    });
  }

  /** Listens to every channel topic this process follows (presence changes, callbacks). */
  onChannelMessage(fn: ChannelListener): void {
    this.#channelListeners.push(fn);
  }

  // ---------------------------------------------------------------- delivery

  toSession(sessionId: string, msg: OutgoingServerMessage | string): void {
    const body = typeof msg === 'string' ? msg : JSON.stringify(msg);
    const local = this.sessions.get(sessionId);
    if (local) {
      local.sendBody(body);
      return;
    }
    const node = nodeOf(sessionId);
    if (node && node !== this.bus.nodeId)
      this.bus.publish(topics.node(node), { s: sessionId, b: body });
  }

  /** Every console of the agent, on every process; `except` skips one session. */
  toAgent(agentId: string, msg: OutgoingServerMessage | string, except?: string): void {
    const body = typeof msg === 'string' ? msg : JSON.stringify(msg);
    const m: BusMessage = { b: body };
    if (except) m.x = except;
    this.bus.publish(topics.agent(agentId), m);
  }

  /** Every console of every agent of the channel. */
  toChannelAgents(channelId: string, msg: OutgoingServerMessage): void {
    this.bus.publish(topics.channel(channelId), { k: 'agents', b: JSON.stringify(msg) });
  }

  publishChannel(channelId: string, message: BusMessage): void {
    this.bus.publish(topics.channel(channelId), message);
  }

  // ---------------------------------------------------------------- indexes

  /**
   * Registers an attached console; resolves (once the bus subscriptions are live) with true
   * when it is the agent's first console on this process.
   */
  async addConsole(s: Session): Promise<boolean> {
    if (!s.userId) return false;
    let set = this.consoles.get(s.userId);
    const first = !set;
    if (!set) {
      set = new Set();
      this.consoles.set(s.userId, set);
      this.#ref(topics.agent(s.userId), (m) => {
        const body = m.b;
        if (typeof body !== 'string') return;
        for (const c of this.consoles.get(s.userId ?? '') ?? []) {
          if (c.id === m.x) continue;
          c.sendBody(body);
          this.onAgentDelivery?.(c, body);
        }
      });
    }
    set.add(s);
    let ch = this.channelConsoles.get(s.channelId);
    if (!ch) {
      ch = new Set();
      this.channelConsoles.set(s.channelId, ch);
      this.#refChannel(s.channelId);
    }
    ch.add(s);
    await Promise.all([
      this.bus.setConsoleCount(s.userId, set.size),
      this.#ready(topics.agent(s.userId)),
      this.#ready(topics.channel(s.channelId)),
    ]);
    return first;
  }

  /** Unregisters a console; true when the agent has no console left on this process. */
  removeConsole(s: Session): boolean {
    if (!s.userId) return false;
    const set = this.consoles.get(s.userId);
    if (!set?.delete(s)) return false;
    const ch = this.channelConsoles.get(s.channelId);
    if (ch?.delete(s) && ch.size === 0) {
      this.channelConsoles.delete(s.channelId);
      this.#unrefChannel(s.channelId);
    }
    void this.bus.setConsoleCount(s.userId, set.size).catch(this.#onError);
    if (set.size > 0) return false;
    this.consoles.delete(s.userId);
    this.#unref(topics.agent(s.userId));
    return true;
  }

  /** Adds a presence subscriber; resolves once the channel topic is followed. */
  async addSubscriber(s: Session): Promise<void> {
    if (s.presence) return;
    s.presence = true;
    let set = this.subscribers.get(s.channelId);
    if (!set) {
      set = new Set();
      this.subscribers.set(s.channelId, set);
      this.#refChannel(s.channelId);
    }
    set.add(s);
    await this.#ready(topics.channel(s.channelId));
  }

  removeSubscriber(s: Session): void {
    if (!s.presence) return;
    s.presence = false;
    const set = this.subscribers.get(s.channelId);
    if (set?.delete(s) && set.size === 0) {
      this.subscribers.delete(s.channelId);
      this.#unrefChannel(s.channelId);
    }
  }

  #refChannel(channelId: string): void {
    this.#ref(topics.channel(channelId), (m) => {
      if (m.k === 'agents' && typeof m.b === 'string') {
        for (const c of this.channelConsoles.get(channelId) ?? []) c.sendBody(m.b);
        return;
      }
      for (const fn of this.#channelListeners) {
        try {
          fn({ ...m, channelId });
        } catch (e) {
          this.#onError(e);
        }
      }
    });
  }

  #unrefChannel(channelId: string): void {
    this.#unref(topics.channel(channelId));
  }

  #ref(topic: string, handler: (m: BusMessage) => void): void {
    const r = this.#topicRefs.get(topic);
    if (r) {
      r.count++;
      return;
    }
    const off = this.bus.subscribe(topic, handler);
    off.catch(this.#onError);
    this.#topicRefs.set(topic, { count: 1, off });
  }

  async #ready(topic: string): Promise<void> {
    await this.#topicRefs.get(topic)?.off;
  }

  #unref(topic: string): void {
    const r = this.#topicRefs.get(topic);
    if (!r) return;
    if (--r.count > 0) return;
    this.#topicRefs.delete(topic);
    r.off.then((off) => off(), this.#onError);
  }
}
