/**
 * PostgreSQL adapter: a pg Pool (DATABASE_POOL_SIZE connections, default 20, of which 4 stay
 * open while idle). BIGINT (int8)
 * columns hold epoch milliseconds, which fit in a JS number, so int8 is parsed as a number.
 * The call hot path (`hotpath/PostgresHotPath.ts`) shares the pool and uses named
 * statements, one round trip per operation.
 */
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './kysely/schema.ts';
import { KyselyStorage } from './kysely/KyselyStorage.ts';
import { PostgresHotPath } from './hotpath/PostgresHotPath.ts';

pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

/** Connections per process when DATABASE_POOL_SIZE is not set. */
export const DEFAULT_POOL_SIZE = 20;
/** Connections kept open while idle: the hot path's kinds of statement, plus reads. */
const HOT_CONNECTIONS = 4;

export function createPostgresStorage(
  connectionString: string,
  options: { poolSize?: number } = {},
): KyselyStorage {
  const max = options.poolSize ?? DEFAULT_POOL_SIZE;
  const pool = new pg.Pool({
    connectionString,
    max,
    // Opening a connection under load takes tens of ms (a new backend, cold caches, the
    // hot path's statements prepared again) and every call waiting on it stalls: keep the
    // hot path's few connections (one statement per kind at a time) open while idle, and
    // let the extra ones of a burst go after a minute rather than pg's default 10 s.
    min: Math.min(HOT_CONNECTIONS, max),
    idleTimeoutMillis: 60_000,
  });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new KyselyStorage('postgres', db, new PostgresHotPath(pool));
}
