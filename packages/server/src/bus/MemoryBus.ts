import { randomBytes } from 'node:crypto';
import type { Bus, BusHandler, BusMessage } from './Bus.ts';

/**
 * One process: topics and keys live in this process's memory. Expired keys are dropped when
 * read and, for the keys nobody reads again (most call routes), by a sweep every
 * `sweepMs`, so memory follows the keys' time to live rather than the number of calls ever made.
 */
export class MemoryBus implements Bus {
  readonly nodeId: string;
  readonly kind = 'memory' as const;
  readonly heartbeatMs = 5000;
  readonly #topics = new Map<string, Set<BusHandler>>();
  readonly #kv = new Map<string, { value: string | string[]; expires: number }>();
  readonly #consoles = new Map<string, number>();
  readonly #sweep: ReturnType<typeof setInterval>;

  constructor(nodeId: string = randomBytes(4).toString('base64url'), sweepMs = 60_000) {
    this.nodeId = nodeId;
    this.#sweep = setInterval(() => {
      const now = Date.now();
      for (const [k, e] of this.#kv) if (e.expires <= now) this.#kv.delete(k);
    }, sweepMs);
    this.#sweep.unref();
  }

  /** Keys held, expired or not (for tests and diagnostics). */
  get keyCount(): number {
    return this.#kv.size;
  }

  publish(topic: string, message: BusMessage): void {
    const set = this.#topics.get(topic);
    if (!set) return;
    for (const h of [...set]) h(message);
  }

  subscribe(topic: string, handler: BusHandler): Promise<() => void> {
    let set = this.#topics.get(topic);
    if (!set) {
      set = new Set();
      this.#topics.set(topic, set);
    }
    set.add(handler);
    return Promise.resolve(() => {
      const s = this.#topics.get(topic);
      if (!s) return;
      s.delete(handler);
      if (s.size === 0) this.#topics.delete(topic);
    });
  }

  #live(key: string): { value: string | string[]; expires: number } | undefined {
    const e = this.#kv.get(key);
    if (e && e.expires <= Date.now()) {
      this.#kv.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.#kv.set(key, { value, expires: Date.now() + ttlSeconds * 1000 });
    return Promise.resolve();
  }

  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.#live(key)) return Promise.resolve(false);
    this.#kv.set(key, { value, expires: Date.now() + ttlSeconds * 1000 });
    return Promise.resolve(true);
  }

  get(key: string): Promise<string | null> {
    const v = this.#live(key)?.value;
    return Promise.resolve(typeof v === 'string' ? v : null);
  }

  del(...keys: string[]): Promise<void> {
    for (const k of keys) this.#kv.delete(k);
    return Promise.resolve();
  }

  push(key: string, value: string, ttlSeconds: number): Promise<void> {
    const e = this.#live(key);
    const list = Array.isArray(e?.value) ? e.value : [];
    list.push(value);
    this.#kv.set(key, { value: list, expires: Date.now() + ttlSeconds * 1000 });
    return Promise.resolve();
  }

  list(key: string): Promise<string[]> {
    const v = this.#live(key)?.value;
    return Promise.resolve(Array.isArray(v) ? [...v] : []);
  }

  setConsoleCount(agentId: string, count: number): Promise<void> {
    if (count > 0) this.#consoles.set(agentId, count);
    else this.#consoles.delete(agentId);
    return Promise.resolve();
  }

  consoleCounts(agentIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const id of agentIds) out.set(id, this.#consoles.get(id) ?? 0);
    return Promise.resolve(out);
  }

  nodeLastSeen(nodeIds: readonly string[]): Promise<Map<string, number>> {
    // only this process exists; any other node id is from before a restart
    const out = new Map<string, number>();
    for (const id of nodeIds) if (id === this.nodeId) out.set(id, Date.now());
    return Promise.resolve(out);
  }

  close(): Promise<void> {
    clearInterval(this.#sweep);
    this.#topics.clear();
    this.#kv.clear();
    return Promise.resolve();
  }
}
