import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Bus, BusHandler, BusMessage } from './Bus.ts';

export interface RedisBusOptions {
  url: string;
  /** Prefix of every key and channel (tests use a unique one). */
  prefix?: string;
  nodeId?: string;
  heartbeatMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Several processes: Redis pub/sub for topics, Redis keys for routes, a hash per agent
 * (field = process, value = console count) and a heartbeat key per process.
 */
export class RedisBus implements Bus {
  readonly nodeId: string;
  readonly kind = 'redis' as const;
  readonly heartbeatMs: number;
  readonly #p: string;
  readonly #cmd: Redis;
  readonly #sub: Redis;
  readonly #handlers = new Map<string, Set<BusHandler>>();
  readonly #beat: ReturnType<typeof setInterval>;
  readonly #onError: (error: unknown) => void;
  #closed = false;

  private constructor(o: RedisBusOptions) {
    this.nodeId = o.nodeId ?? randomBytes(4).toString('base64url');
    this.heartbeatMs = o.heartbeatMs ?? 2000;
    this.#p = o.prefix ?? 'flux:';
    this.#onError = o.onError ?? (() => undefined);
    const opts = { maxRetriesPerRequest: 3, enableReadyCheck: true, lazyConnect: true };
    this.#cmd = new Redis(o.url, opts);
    this.#sub = new Redis(o.url, opts);
    this.#cmd.on('error', this.#onError);
    this.#sub.on('error', this.#onError);
    this.#sub.on('message', (channel: string, raw: string) => {
      const set = this.#handlers.get(channel);
      if (!set) return;
      let msg: BusMessage;
      try {
        msg = JSON.parse(raw) as BusMessage;
      } catch {
        return;
      }
      for (const h of [...set]) {
        try {
          h(msg);
        } catch (e) {
          this.#onError(e);
        }
      }
    });
    this.#beat = setInterval(() => {
      void this.#heartbeat();
    }, this.heartbeatMs);
    this.#beat.unref();
  }

  static async connect(o: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(o);
    await Promise.all([bus.#cmd.connect(), bus.#sub.connect()]);
    await bus.#heartbeat();
    return bus;
  }

  async #heartbeat(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#cmd.set(`${this.#p}node:${this.nodeId}`, String(Date.now()), 'EX', 24 * 3600);
    } catch (e) {
      this.#onError(e);
    }
  }

  publish(topic: string, message: BusMessage): void {
    if (this.#closed) return;
    this.#cmd.publish(this.#p + topic, JSON.stringify(message)).catch(this.#onError);
  }

  async subscribe(topic: string, handler: BusHandler): Promise<() => void> {
    const channel = this.#p + topic;
    let set = this.#handlers.get(channel);
    if (!set) {
      set = new Set();
      this.#handlers.set(channel, set);
      await this.#sub.subscribe(channel);
    }
    set.add(handler);
    return () => {
      const s = this.#handlers.get(channel);
      if (!s) return;
      s.delete(handler);
      if (s.size === 0) {
        this.#handlers.delete(channel);
        if (!this.#closed) this.#sub.unsubscribe(channel).catch(this.#onError);
      }
    };
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.#cmd.set(this.#p + key, value, 'EX', ttlSeconds);
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const r = await this.#cmd.set(this.#p + key, value, 'EX', ttlSeconds, 'NX');
    return r === 'OK';
  }

  async get(key: string): Promise<string | null> {
    return this.#cmd.get(this.#p + key);
  }

  async del(...keys: string[]): Promise<void> {
    if (keys.length) await this.#cmd.del(...keys.map((k) => this.#p + k));
  }

  async push(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.#cmd
      .multi()
      .rpush(this.#p + key, value)
      .expire(this.#p + key, ttlSeconds)
      .exec();
  }

  async list(key: string): Promise<string[]> {
    return this.#cmd.lrange(this.#p + key, 0, -1);
  }

  async setConsoleCount(agentId: string, count: number): Promise<void> {
    const key = `${this.#p}consoles:${agentId}`;
    if (count > 0) await this.#cmd.hset(key, this.nodeId, String(count));
    else await this.#cmd.hdel(key, this.nodeId);
  }

  async consoleCounts(agentIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (agentIds.length === 0) return out;
    const pipe = this.#cmd.pipeline();
    for (const id of agentIds) pipe.hgetall(`${this.#p}consoles:${id}`);
    const res = (await pipe.exec()) ?? [];
    const perAgent = res.map(([, v]) => (v ?? {}) as Record<string, string>);
    const nodes = new Set<string>();
    for (const h of perAgent) for (const n of Object.keys(h)) nodes.add(n);
    const seen = await this.nodeLastSeen([...nodes]);
    const now = Date.now();
    agentIds.forEach((id, i) => {
      let n = 0;
      for (const [node, count] of Object.entries(perAgent[i] ?? {})) {
        const last = seen.get(node);
        if (last !== undefined && now - last < this.heartbeatMs * 3) n += Number(count);
      }
      out.set(id, n);
    });
    return out;
  }

  async nodeLastSeen(nodeIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (nodeIds.length === 0) return out;
    const vals = await this.#cmd.mget(...nodeIds.map((n) => `${this.#p}node:${n}`));
    nodeIds.forEach((n, i) => {
      const v = vals[i];
      if (v != null) out.set(n, Number(v));
    });
    return out;
  }

  /** Deletes every key under this bus's prefix (tests). */
  async flushPrefix(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.#cmd.scan(cursor, 'MATCH', `${this.#p}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await this.#cmd.del(...keys);
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#beat);
    this.#handlers.clear();
    await Promise.allSettled([this.#cmd.quit(), this.#sub.quit()]);
  }
}
