/**
 * The sweep's query for the calls that have not ended reads the partial index `calls_open`
 * (migration 0003), not the table of every call ever made: checked with each database's own
 * query planner, on a database migrated by the server and holding thousands of ended calls;
 * and a database that the release before it left gets the index at the server's next start.
 */
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage } from '../createStorage.ts';
import { sqlitePath } from '../sqlite.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../../testing/databases.ts';
import { channelWithAgent } from '../../testing/seed.ts';
import { openCallsQuery } from './CallQueries.ts';
import type { Database } from './schema.ts';

const ENDED = 5000;
const kinds = await databaseKinds('Open calls index');

/** A channel with one agent, `ENDED` ended calls and one ringing call, made by the server. */
async function migratedWithCalls(kind: 'sqlite' | 'postgres'): Promise<{
  tdb: TestDatabase;
  channelId: string;
  agentId: string;
}> {
  const tdb = await createTestDatabase(kind);
  const storage = createStorage(tdb.url);
  try {
    await storage.migrate();
    return { tdb, ...(await channelWithAgent(storage, 'open-calls')) };
  } finally {
    await storage.close();
  }
}

const callsSql = `INSERT INTO calls (id, channel_id, agent_id, status, requested_at, visitor,
  unknown_product_ids, notes) VALUES `;
const row = (i: number, status: string) =>
  `('call-${i}', $channel, $agent, '${status}', ${1_700_000_000_000 + i * 1000}, '{}', '[]', '')`;
const rows = () =>
  Array.from({ length: ENDED }, (_, i) => row(i, 'ended'))
    .concat(row(ENDED, 'ringing'))
    .join(',');

describe('the open calls query', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('reads the calls_open index on SQLite', async () => {
    const { tdb, channelId, agentId } = await migratedWithCalls('sqlite');
    const raw = new BetterSqlite3(sqlitePath(tdb.url));
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
    cleanups.push(async () => {
      await db.destroy();
      await tdb.drop();
    });
    raw.prepare(callsSql + rows()).run({ channel: channelId, agent: agentId });

    // the server never runs ANALYZE: the plan must hold without statistics and with them
    for (const analyzed of [false, true]) {
      if (analyzed) raw.exec('ANALYZE');
      for (const channel of [undefined, channelId]) {
        const q = openCallsQuery(db, channel);
        const { sql, parameters } = q.compile();
        const plan = raw
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all(...(parameters as unknown[]))
          .map((r) => (r as { detail: string }).detail)
          .join(' | ');
        expect(plan, `analyzed: ${analyzed}, channel: ${channel}`).toContain(
          'USING INDEX calls_open',
        );
        expect((await q.execute()).map((c) => c.status)).toEqual(['ringing']);
      }
    }
  });

  it('comes to a database that migration 0002 left, with its calls, at the next start', async () => {
    const { tdb, channelId, agentId } = await migratedWithCalls('sqlite');
    cleanups.push(() => tdb.drop());
    // the database as the release before 0003 left it
    const raw = new BetterSqlite3(sqlitePath(tdb.url));
    raw.exec(`DROP INDEX calls_open; DROP INDEX calls_channel_end_reason;
      CREATE INDEX calls_status ON calls (status);
      DELETE FROM flux_migrations WHERE name IN ('0003_open_calls', '0004_calls_end_reason');`);
    raw.prepare(callsSql + rows()).run({ channel: channelId, agent: agentId });
    raw.close();

    const storage = createStorage(tdb.url);
    try {
      await storage.migrate();
      expect((await storage.listOpenCalls()).map((c) => [c.id, c.status, c.agentName])).toEqual([
        [`call-${ENDED}`, 'ringing', 'Mia'],
      ]);
    } finally {
      await storage.close();
    }
    const after = new BetterSqlite3(sqlitePath(tdb.url), { readonly: true });
    const indexes = after
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls'`)
      .all()
      .map((r) => (r as { name: string }).name);
    after.close();
    expect(indexes).toContain('calls_open');
    expect(indexes).toContain('calls_channel_end_reason');
    expect(indexes).not.toContain('calls_status');
  });

  it.skipIf(!kinds.includes('postgres'))('reads the calls_open index on PostgreSQL', async () => {
    const { tdb, channelId, agentId } = await migratedWithCalls('postgres');
    const pool = new pg.Pool({ connectionString: tdb.url, max: 1 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    cleanups.push(async () => {
      await db.destroy();
      await tdb.drop();
    });
    await pool.query((callsSql + rows()).replaceAll('$channel', '$1').replaceAll('$agent', '$2'), [
      channelId,
      agentId,
    ]);
    // autovacuum analyzes a table as it grows; without statistics, right after this bulk
    // insert, the planner guesses 1,600 open calls and scans the table instead
    await pool.query('ANALYZE calls');
    for (const channel of [undefined, channelId]) {
      const q = openCallsQuery(db, channel);
      const { sql, parameters } = q.compile();
      const { rows: plan } = await pool.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN ${sql}`,
        parameters as unknown[],
      );
      expect(plan.map((r) => r['QUERY PLAN']).join('\n'), `channel: ${channel}`).toContain(
        'calls_open',
      );
      expect((await q.execute()).map((c) => c.status)).toEqual(['ringing']);
    }
  });
});
