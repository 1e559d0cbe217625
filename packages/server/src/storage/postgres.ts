/**
 * PostgreSQL adapter: a pg Pool. BIGINT (int8) columns hold epoch milliseconds, which fit in
 * a JS number, so int8 is parsed as a number.
 */
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './kysely/schema.ts';
import { KyselyStorage } from './kysely/KyselyStorage.ts';

pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export function createPostgresStorage(
  connectionString: string,
  options: { poolSize?: number } = {},
): KyselyStorage {
  const pool = new pg.Pool({ connectionString, max: options.poolSize ?? 10 });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new KyselyStorage('postgres', db);
}
