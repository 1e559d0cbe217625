/**
 * A page of the call log reads an index in the page's order and stops after the page, for the
 * filters whose matches are rare in a channel's history (an end reason such as `failed`, a
 * status other than `ended`, a weak link) and for a cursor deep in it: checked with each database's own
 * planner on a database migrated by the server and holding thousands of ended calls.
 */
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallStatus, EndReason } from '@flux/protocol';
import { createStorage } from '../createStorage.ts';
import { encodeCursor } from '../cursor.ts';
import { sqlitePath } from '../sqlite.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../../testing/databases.ts';
import { channelWithAgent } from '../../testing/seed.ts';
import type { CallFilter } from '../Storage.ts';
import { callsPageQuery } from './CallQueries.ts';
import type { Database } from './schema.ts';

const ENDED = 5000;
const T0 = 1_700_000_000_000;
const kinds = await databaseKinds('Call log indexes');

/** The one call whose link was weak, deep in the history. */
const WEAK = 42;

/** `ENDED` ended calls (common end reasons), one failed, one ringing: newest last. */
function callRows(): string {
  const common: EndReason[] = ['visitor_hangup', 'agent_hangup', 'missed'];
  const row = (i: number, status: CallStatus, reason: EndReason | null) =>
    `('call-${String(i).padStart(5, '0')}', $channel, $agent, '${status}', ${T0 + i * 1000},
      ${status === 'ended' ? T0 + i * 1000 + 60_000 : 'NULL'},
      ${reason === null ? 'NULL' : `'${reason}'`}, '{}', '[]', '', ${i === WEAK ? 1 : 0})`;
  return Array.from({ length: ENDED }, (_, i) => row(i, 'ended', common[i % 3] ?? null))
    .concat(row(ENDED, 'ended', 'failed'), row(ENDED + 1, 'ringing', null))
    .join(',');
}
const INSERT = `INSERT INTO calls (id, channel_id, agent_id, status, requested_at, ended_at,
  end_reason, visitor, unknown_product_ids, notes, weak_link) VALUES `;

async function migrated(kind: 'sqlite' | 'postgres') {
  const tdb: TestDatabase = await createTestDatabase(kind);
  const storage = createStorage(tdb.url);
  await storage.migrate();
  const { channelId, agentId } = await channelWithAgent(storage, 'call-log');
  return { tdb, storage, channelId, agentId };
}

/** The filters to check, and the index each must read in the page's order. */
function cases(channelId: string): [string, CallFilter, RegExp][] {
  const deep = encodeCursor([T0 + 1000 * 1000, 'call-01000']);
  return [
    [
      'a rare end reason',
      { channelId, endReason: 'failed', limit: 25 },
      /calls_channel_end_reason/,
    ],
    ['an open status', { channelId, status: 'ringing', limit: 25 }, /calls_open/],
    [
      'a cursor deep in the history',
      { channelId, cursor: deep, limit: 25 },
      // SQLite: `(requested_at,id)<(?,?)` in the search; PostgreSQL: a ROW(...) < ROW(...)
      // index condition
      /calls_channel_requested.*(\(requested_at,id\)<\(\?,\?\)|ROW\(requested_at, id\) < ROW)/s,
    ],
    [
      'an end reason and a cursor',
      { channelId, endReason: 'missed', cursor: deep, limit: 25 },
      /calls_channel_end_reason.*(\(requested_at,id\)<\(\?,\?\)|ROW\(requested_at, id\) < ROW)/s,
    ],
    ['a weak link', { channelId, weakLink: true, limit: 25 }, /calls_channel_weak/],
  ];
}

describe('the call log', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('reads an index in the page order for rare filters and deep cursors on SQLite', async () => {
    const { tdb, storage, channelId, agentId } = await migrated('sqlite');
    const raw = new BetterSqlite3(sqlitePath(tdb.url));
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
    cleanups.push(async () => {
      await db.destroy();
      await storage.close();
      await tdb.drop();
    });
    raw.prepare(INSERT + callRows()).run({ channel: channelId, agent: agentId });

    // the server never runs ANALYZE on SQLite: the plans must hold without statistics and with
    for (const analyzed of [false, true]) {
      if (analyzed) raw.exec('ANALYZE');
      for (const [what, filter, index] of cases(channelId)) {
        const { sql, parameters } = callsPageQuery(db, filter).compile();
        const plan = raw
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all(...(parameters as unknown[]))
          .map((r) => (r as { detail: string }).detail)
          .join(' | ');
        expect(plan, `${what}, analyzed: ${analyzed}`).toMatch(index);
        expect(plan, `${what}, analyzed: ${analyzed}`).not.toMatch(/SCAN calls/);
      }
    }

    // and the pages hold what they should
    const failed = await storage.listCalls({ channelId, endReason: 'failed', limit: 25 });
    expect(failed.items.map((c) => c.id)).toEqual([`call-0${ENDED}`]);
    const ringing = await storage.listCalls({ channelId, status: 'ringing', limit: 25 });
    expect(ringing.items.map((c) => c.id)).toEqual([`call-0${ENDED + 1}`]);
    const weak = await storage.listCalls({ channelId, weakLink: true, limit: 25 });
    expect(weak.items.map((c) => c.id)).toEqual([`call-000${WEAK}`]);
    const deep = await storage.listCalls(cases(channelId)[2]?.[1] ?? { channelId, limit: 1 });
    expect(deep.items.map((c) => c.id)).toEqual(
      Array.from({ length: 25 }, (_, k) => `call-${String(999 - k).padStart(5, '0')}`),
    );
  });

  it.skipIf(!kinds.includes('postgres'))(
    'reads an index in the page order for rare filters and deep cursors on PostgreSQL',
    async () => {
      const { tdb, storage, channelId, agentId } = await migrated('postgres');
      const pool = new pg.Pool({ connectionString: tdb.url, max: 1 });
      // only compiles the queries: Kysely never opens the pool, so its destroy() would not
      // close it either
      const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
      cleanups.push(async () => {
        await pool.end();
        await storage.close();
        await tdb.drop();
      });
      await pool.query(
        (INSERT + callRows()).replaceAll('$channel', '$1').replaceAll('$agent', '$2'),
        [channelId, agentId],
      );
      // autovacuum analyzes a table as it grows (and the server a young calls table); right
      // after a bulk insert, with no statistics, the planner would guess
      await pool.query('ANALYZE calls');
      for (const [what, filter, index] of cases(channelId)) {
        const { sql, parameters } = callsPageQuery(db, filter).compile();
        const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN ${sql}`,
          parameters as unknown[],
        );
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan, what).toMatch(index);
        expect(plan, what).not.toMatch(/Seq Scan on calls/);
      }
      const failed = await storage.listCalls({ channelId, endReason: 'failed', limit: 25 });
      expect(failed.items.map((c) => c.id)).toEqual([`call-0${ENDED}`]);
      const weak = await storage.listCalls({ channelId, weakLink: true, limit: 25 });
      expect(weak.items.map((c) => c.id)).toEqual([`call-000${WEAK}`]);
    },
  );
});
