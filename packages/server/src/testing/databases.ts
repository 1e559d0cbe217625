/**
 * Test databases: a temporary SQLite file, or a uniquely named PostgreSQL database on
 * postgres://postgres@127.0.0.1:5432 (override with FLUX_TEST_PG_URL) that is dropped after.
 *
 * When PostgreSQL is unreachable: with CI=true the tests fail loudly; otherwise they are
 * skipped and say so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type DbKind = 'sqlite' | 'postgres';

export interface TestDatabase {
  kind: DbKind;
  url: string;
  drop(): Promise<void>;
}

const PG_ADMIN_URL = process.env.FLUX_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let pgProbe: Promise<string | null> | undefined;

/** null when PostgreSQL answers, else why not. */
export function postgresUnavailable(): Promise<string | null> {
  pgProbe ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgProbe;
}

/**
 * Which database kinds to run a parameterised suite on. PostgreSQL is left out (with a
 * message) when unreachable outside CI; in CI an unreachable PostgreSQL throws.
 */
export async function databaseKinds(suite: string): Promise<DbKind[]> {
  const why = await postgresUnavailable();
  if (why === null) return ['sqlite', 'postgres'];
  if (process.env.CI === 'true') {
    throw new Error(
      `${suite}: PostgreSQL at ${PG_ADMIN_URL} is unreachable (${why}) and CI=true: these tests must run.`,
    );
  }
  // eslint-disable-next-line no-console -- a skipped suite must say so where the runner shows it
  console.warn(
    `\n[SKIPPED] ${suite} on PostgreSQL: ${PG_ADMIN_URL} is unreachable (${why}). ` +
      'Only SQLite was tested. Set CI=true to make this a failure.\n',
  );
  return ['sqlite'];
}

export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'flux-test-'));
    return {
      kind,
      url: `sqlite:${join(dir, 'flux.db')}`,
      drop: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const name = `flux_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        // A pool's end() resolves once it has asked its connections to close, not once they
        // have: terminating one that is still closing makes its pool emit 'error', which
        // throws where the test's pool has no listener. Let them go first (2 s at most);
        // force only what is left.
        for (let i = 0; i < 100; i++) {
          const r = await c.query<{ n: string }>(
            'select count(*) as n from pg_stat_activity where datname = $1',
            [name],
          );
          if (r.rows[0]?.n === '0') break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
