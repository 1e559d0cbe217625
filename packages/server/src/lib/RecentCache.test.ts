import { describe, expect, it } from 'vitest';
import { RecentCache } from './RecentCache.ts';

/** A load whose answers the test releases by hand, counting what was asked. */
function manualLoader() {
  const pending: { key: string; resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const load = (key: string) =>
    new Promise<string>((resolve, reject) => pending.push({ key, resolve, reject }));
  return { load, pending };
}

const flush = () => new Promise((r) => setImmediate(r));

/** A cache (ttl 100 ms, stale up to 300 ms) on a clock the test moves by hand. */
function setup() {
  const clock = { now: 0 };
  const { load, pending } = manualLoader();
  const cache = new RecentCache(load, { ttlMs: 100, maxStaleMs: 300, now: () => clock.now });
  return { cache, pending, clock };
}

/** The same, with key 'a' loaded as 'A1' at time 0. */
async function withA1() {
  const t = setup();
  const first = t.cache.get('a');
  t.pending.shift()?.resolve('A1');
  await first;
  return t;
}

describe('RecentCache', () => {
  it('loads a key once however many callers ask while it loads', async () => {
    const { cache, pending, clock } = setup();
    const asks = [cache.get('a'), cache.get('a'), cache.get('a'), cache.get('b')];
    expect(pending.map((p) => p.key)).toEqual(['a', 'b']);
    pending[0]?.resolve('A1');
    pending[1]?.resolve('B1');
    expect(await Promise.all(asks)).toEqual(['A1', 'A1', 'A1', 'B1']);
    clock.now = 99;
    expect(await cache.get('a')).toBe('A1');
    expect(cache.loads).toBe(2);
  });

  it('serves the old value while one reload runs, then the new one', async () => {
    const { cache, pending, clock } = await withA1();
    clock.now = 150; // expired, still within maxStaleMs
    expect(await cache.get('a')).toBe('A1');
    expect(await cache.get('a')).toBe('A1');
    expect(pending).toHaveLength(1); // one reload for both
    pending.shift()?.resolve('A2');
    await flush();
    expect(await cache.get('a')).toBe('A2');
    expect(cache.loads).toBe(2);
  });

  it('makes callers wait for a value older than maxStaleMs', async () => {
    const { cache, pending, clock } = await withA1();
    clock.now = 1000;
    let settled: string | null = null;
    const late = cache.get('a').then((v) => (settled = v));
    await flush();
    expect(settled).toBeNull(); // not the hour-old value: waits for the load
    pending.shift()?.resolve('A2');
    await late;
    expect(settled).toBe('A2');
  });

  it('does not cache a failure: its callers get the error, the next caller loads again', async () => {
    const { cache, pending, clock } = setup();
    const a = cache.get('a');
    const b = cache.get('a');
    pending.shift()?.reject(new Error('database down'));
    await expect(a).rejects.toThrow('database down');
    await expect(b).rejects.toThrow('database down');
    const c = cache.get('a');
    expect(pending).toHaveLength(1);
    pending.shift()?.resolve('A1');
    expect(await c).toBe('A1');
    // a failed background reload keeps the value served until maxStaleMs
    clock.now = 150;
    expect(await cache.get('a')).toBe('A1');
    pending.shift()?.reject(new Error('blip'));
    await flush();
    clock.now = 200;
    expect(await cache.get('a')).toBe('A1');
    expect(pending).toHaveLength(1); // the next caller started a new reload
  });

  it('forgets a deleted key and starts again empty past maxKeys', async () => {
    const { load, pending } = manualLoader();
    const cache = new RecentCache(load, { ttlMs: 100, maxStaleMs: 100, maxKeys: 2 });
    const get = async (k: string) => {
      const p = cache.get(k);
      pending.shift()?.resolve(k.toUpperCase());
      return p;
    };
    await get('a');
    cache.delete('a');
    await get('a');
    expect(cache.loads).toBe(2);
    await get('b');
    await get('c'); // third key: the cache starts again empty
    expect(await get('a')).toBe('A');
    expect(cache.loads).toBe(5);
  });
});
