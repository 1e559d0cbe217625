/**
 * PostgreSQL adapter: DATABASE_POOL_SIZE connections per process (default 20) in two pg pools.
 *
 * - **The call hot path** (`hotpath/PostgresHotPath.ts`): named statements, one round trip per
 *   batch of writes. A third of the connections, 1 to 6; 4 of them (or all, if fewer) stay
 *   open while idle. Its sessions plan each statement once, generically
 *   (`plan_cache_mode=force_generic_plan`): left to choose, PostgreSQL planned a batch statement
 *   again on every execution, for the length of its arrays, and that planning took 0.35 ms of
 *   a 0.8 ms statement (0.07 ms with the generic plan: docs/performance-log.md). The hot path's
 *   statements look rows up by key, and their generic plans do so too (index scans on the
 *   primary keys, checked with EXPLAIN on a calls table of 6,000 rows).
 * - **Everything else** (Kysely): the rest of the connections, planned as PostgreSQL chooses
 *   (a list or a report with a date range is better planned for its own values).
 *
 * BIGINT (int8) columns hold epoch milliseconds, which fit in a JS number, so int8 is parsed
 * as a number.
 */
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './kysely/schema.ts';
import { KyselyStorage } from './kysely/KyselyStorage.ts';
import { PostgresHotPath } from './hotpath/PostgresHotPath.ts';

pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

/** Connections per process when DATABASE_POOL_SIZE is not set. */
export const DEFAULT_POOL_SIZE = 20;
/** Most connections of the hot path: one per kind of write out at a time, plus its reads. */
const HOT_MAX = 6;
/** Hot-path connections kept open while idle. */
const HOT_IDLE = 4;

/** How `size` connections are split: the hot path's and the rest's (each at least one). */
export function splitPool(size: number): { hot: number; rest: number } {
  const hot = Math.max(1, Math.min(HOT_MAX, Math.floor(size / 3)));
  return { hot, rest: Math.max(1, size - hot) };
}

/**
 * The hot path's pool: `max` connections that plan each statement once, generically, kept
 * open while idle (opening one under load takes tens of ms: a new backend, cold caches, the
 * statements prepared again, and every call waiting on it stalls); the extra ones of a burst
 * go after a minute rather than pg's default 10 s.
 */
export function hotPathPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    min: Math.min(HOT_IDLE, max),
    idleTimeoutMillis: 60_000,
    // Set on each new connection before the pool hands it out. Not in the connection's startup
    // options: a DATABASE_URL with `?options=` of its own would replace them. Not queued from
    // the pool's 'connect' event either: the first statement would then be sent while the SET
    // is still out, which pg 8 warns of and pg 9 is to remove. A server that does not know the
    // setting (PostgreSQL before 12) plans as it chooses, as the rest does.
    // pg-pool awaits what this returns; @types/pg declares it void
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    onConnect: async (client) => {
      await client.query('SET plan_cache_mode = force_generic_plan').catch(() => undefined);
    },
  });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

export function createPostgresStorage(
  connectionString: string,
  options: { poolSize?: number } = {},
): KyselyStorage {
  const { hot, rest } = splitPool(options.poolSize ?? DEFAULT_POOL_SIZE);
  const pool = new pg.Pool({ connectionString, max: rest, idleTimeoutMillis: 60_000 });
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const hotPath = new PostgresHotPath(hotPathPool(connectionString, hot), { ownsPool: true });
  return new KyselyStorage('postgres', db, hotPath);
}
