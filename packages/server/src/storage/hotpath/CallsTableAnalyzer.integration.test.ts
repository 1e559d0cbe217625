/**
 * A new database's calls table gets planner statistics from the server as it fills, so the
 * hot path's cached (generic) plans stop reading the whole table. Checked with PostgreSQL's
 * own planner: the batched move to `connected`, prepared on a session of its own and planned
 * generically as the pool's connections do, before and after the server's ANALYZE.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '@flux/protocol';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../../testing/databases.ts';
import { onlineAgents } from '../../testing/seed.ts';
import { createStorage } from '../createStorage.ts';
import type { Storage, StoredChannel } from '../Storage.ts';
import { PostgresHotPath, transitionBatchSql } from './PostgresHotPath.ts';

const SUITE = 'PostgreSQL: statistics of a young calls table';
const kinds = await databaseKinds(SUITE);

/** The generic plan of the batched move to connected, as a fresh pooled connection makes it. */
async function genericPlan(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SET plan_cache_mode = force_generic_plan');
    await client.query(
      `PREPARE move(text[], bigint[], text[], text[], int[]) AS ${transitionBatchSql('connected')}`,
    );
    const r = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN EXECUTE move('{a,b}', '{1,2}', '{NULL,NULL}', '{NULL,NULL}', '{0,1}')`,
    );
    return r.rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

describe.skipIf(!kinds.includes('postgres'))(SUITE, () => {
  let db: TestDatabase;
  let storage: Storage;
  let pool: pg.Pool;
  let channel: StoredChannel;
  let agents: User[];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    storage = createStorage(db.url, { poolSize: 4 });
    await storage.migrate();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    // autovacuum stays out of this database's calls table, so only the server analyzes it
    await pool.query('ALTER TABLE calls SET (autovacuum_enabled = false)');
    channel = await storage.createChannel({
      slug: `young-${randomBytes(4).toString('hex')}`,
      name: 'Shop',
    });
    agents = await onlineAgents(storage, channel.id, 50);
  });

  afterAll(async () => {
    await pool.end();
    await storage.close();
    await db.drop();
  });

  /**
   * `n` calls through the hot path, in rounds of one call per agent (each round ends the
   * agents' calls of the round before); between rounds the analyzer's check, if one started,
   * is let finish, so checks come at fixed counts of calls.
   */
  async function calls(hot: PostgresHotPath, n: number): Promise<void> {
    for (let done = 0; done < n; done += agents.length) {
      const round = agents.slice(0, Math.min(agents.length, n - done));
      await Promise.all(
        round.map(async (agent) => {
          const current = await hot.getAgentCurrentCall(agent.id);
          if (current) {
            await hot.transitionCall(current, 'ended', new Date(), { reason: 'declined' });
          }
          const r = await hot.reserveAgentAndCreateCall({
            channelId: channel.id,
            agentId: agent.id,
            pageUrl: 'https://shop.example/products/linen-shirt',
            visitor: { name: 'Visitor', email: 'shopper@example.com' },
            productIds: [],
            unknownProductIds: [],
            at: new Date(),
            ringing: true,
          });
          if (!r.ok) throw new Error(`reserve failed: ${r.reason}`);
        }),
      );
      await hot.analyzer.settled();
    }
  }

  const lastAnalyze = async (): Promise<string | null> =>
    (
      await pool.query<{ at: string | null }>(
        `SELECT last_analyze::text AS at FROM pg_stat_user_tables WHERE relname = 'calls'`,
      )
    ).rows[0]?.at ?? null;

  it('analyzes the table as it grows, and the moves are then planned on an index', async () => {
    const hot = new PostgresHotPath(pool, { analyze: { checkEvery: 500 } });
    await calls(hot, 450);
    // the problem: never analyzed, the table is costed as the few pages it is, and read whole
    expect(await genericPlan(db.url)).toMatch(/Seq Scan on calls c\b/);
    expect(hot.analyzer.checks).toBe(0);
    expect(await lastAnalyze()).toBeNull();

    // checked after 500, 1,000 and 1,500 calls: never analyzed, then grown each time
    await calls(hot, 1150);
    expect(hot.analyzer.checks).toBe(3);
    expect(hot.analyzer.analyses).toBe(3);
    expect(await lastAnalyze()).not.toBeNull();
    const plan = await genericPlan(db.url);
    expect(plan).not.toMatch(/Seq Scan on calls c\b/);
    expect(plan).toMatch(/Index Scan using (calls_open|calls_pkey) on calls c\b/);
  });

  it('leaves a table that grew little since its analysis, and a grown-up table, alone', async () => {
    // the table holds the 1,600 calls of the test before; a fifth of it is 320
    await pool.query('ANALYZE calls');
    const quiet = new PostgresHotPath(pool, { analyze: { checkEvery: 100 } });
    await calls(quiet, 100);
    expect(quiet.analyzer.checks).toBe(1);
    expect(quiet.analyzer.analyses).toBe(0);

    // past `youngUntil` it stops checking, however much the table grows (analyzed again
    // first, so that its one check finds the same little growth as above)
    await pool.query('ANALYZE calls');
    const grown = new PostgresHotPath(pool, { analyze: { checkEvery: 100, youngUntil: 1000 } });
    await calls(grown, 100);
    expect(grown.analyzer.checks).toBe(1);
    await calls(grown, 500);
    expect(grown.analyzer.checks).toBe(1);
    expect(grown.analyzer.analyses).toBe(0);
  });

  it('leaves the table to autovacuum under a role that may not analyze it', async () => {
    const role = `flux_dml_${randomBytes(4).toString('hex')}`;
    await pool.query(`CREATE ROLE ${role} LOGIN`);
    await pool.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
    );
    const url = new URL(db.url);
    url.username = role;
    const limited = new pg.Pool({ connectionString: url.toString(), max: 4 });
    try {
      const hot = new PostgresHotPath(limited, { analyze: { checkEvery: 50 } });
      await calls(hot, 50);
      expect(hot.analyzer.checks).toBe(1);
      await calls(hot, 100);
      expect(hot.analyzer.checks).toBe(1);
      expect(hot.analyzer.analyses).toBe(0);
    } finally {
      await limited.end();
      await pool.query(`DROP OWNED BY ${role}`);
      await pool.query(`DROP ROLE ${role}`);
    }
  });
});
