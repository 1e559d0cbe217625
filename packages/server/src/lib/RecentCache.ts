/**
 * A small read-through cache for values that change rarely but are read on every call
 * (channel settings): each key is loaded at most once at a time, however many callers ask
 * while it loads, and a value up to `maxStaleMs` old is served while a fresh one loads in
 * the background.
 *
 * Without the single flight, every request that arrives while an expired value reloads
 * sends its own query; on PostgreSQL such a burst takes more pool connections than the
 * steady state keeps, and opening them stalls every call behind it.
 *
 * - age < `ttlMs`: the cached value.
 * - `ttlMs` ≤ age < `maxStaleMs`: the cached value, and one reload starts (if none is out).
 * - older, or never loaded: the caller waits for the (shared) load.
 * - A failed load is not cached: its waiting callers get the error, the next caller retries,
 *   and a value still within `maxStaleMs` keeps being served meanwhile.
 */
export interface RecentCacheOptions {
  /** How long a loaded value is served as it is (ms). */
  ttlMs: number;
  /** Up to this age (ms) a value is served while it reloads; at least `ttlMs`. */
  maxStaleMs: number;
  /** Most keys kept; past it the cache starts again empty. */
  maxKeys?: number;
  now?: () => number;
}

interface Entry<V> {
  at: number;
  loaded: boolean;
  value: V | undefined;
  loading: Promise<V> | null;
}

export class RecentCache<V> {
  readonly #load: (key: string) => Promise<V>;
  readonly #opts: Required<RecentCacheOptions>;
  readonly #entries = new Map<string, Entry<V>>();
  /** Loads started (for tests and diagnostics). */
  loads = 0;

  constructor(load: (key: string) => Promise<V>, opts: RecentCacheOptions) {
    this.#load = load;
    this.#opts = {
      maxKeys: 1000,
      now: Date.now,
      ...opts,
      maxStaleMs: Math.max(opts.maxStaleMs, opts.ttlMs),
    };
  }

  get(key: string): Promise<V> {
    const now = this.#opts.now();
    let e = this.#entries.get(key);
    if (!e) {
      if (this.#entries.size >= this.#opts.maxKeys) this.#entries.clear();
      e = { at: 0, loaded: false, value: undefined, loading: null };
      this.#entries.set(key, e);
    }
    const age = now - e.at;
    if (e.loaded && age < this.#opts.ttlMs) return Promise.resolve(e.value as V);
    const loading = e.loading ?? this.#start(key, e);
    if (e.loaded && age < this.#opts.maxStaleMs) return Promise.resolve(e.value as V);
    return loading;
  }

  /** Forgets `key`: the next read loads it. */
  delete(key: string): void {
    this.#entries.delete(key);
  }

  #start(key: string, e: Entry<V>): Promise<V> {
    this.loads++;
    const loading = this.#load(key).then(
      (value) => {
        e.loading = null;
        e.value = value;
        e.loaded = true;
        e.at = this.#opts.now();
        return value;
      },
      (error: unknown) => {
        e.loading = null;
        throw error;
      },
    );
    e.loading = loading;
    // a background reload's failure is seen by the next caller's own load, not unhandled
    loading.catch(() => undefined);
    return loading;
  }
}
