/**
 * PostgreSQL adapter: a pg Pool (DATABASE_POOL_SIZE connections, default 20). BIGINT (int8)
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

export function createPostgresStorage(
  connectionString: string,
  options: { poolSize?: number } = {},
): KyselyStorage {
  const pool = new pg.Pool({ connectionString, max: options.poolSize ?? DEFAULT_POOL_SIZE });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new KyselyStorage('postgres', db, new PostgresHotPath(pool));
}
