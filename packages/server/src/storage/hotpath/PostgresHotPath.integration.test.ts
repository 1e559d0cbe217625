/**
 * Group commit on PostgreSQL: while a statement of a kind is out, that kind's new writes wait
 * and go together as the next statement. A row lock held by another connection keeps the
 * first statement out for as long as the test needs, so the batching is not left to timing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { User } from '@flux/protocol';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../../testing/databases.ts';
import { onlineAgents } from '../../testing/seed.ts';
import { createStorage } from '../createStorage.ts';
import type { Storage, StoredChannel } from '../Storage.ts';
import { PostgresHotPath } from './PostgresHotPath.ts';
import { hotPathPool } from '../postgres.ts';

const kinds = await databaseKinds('PostgreSQL hot path: group commit');
/** pg's warnings of a statement sent on a connection while another is out (pg 9 is to remove it). */
const overlapped: string[] = [];
process.on('warning', (w) => {
  if (w.message.includes('already executing a query')) overlapped.push(w.message);
});
const turn = () => new Promise((r) => setImmediate(r));

/** Resolves once `expected` statements of this database wait on a lock (out, and held). */
async function waitUntilBlocked(admin: pg.Client, expected: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const r = await admin.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (Number(r.rows[0]?.n) >= expected) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the first statement never waited on the lock');
}

describe.skipIf(!kinds.includes('postgres'))('PostgreSQL hot path: group commit', () => {
  let db: TestDatabase;
  let storage: Storage;
  let pool: pg.Pool;
  let hot: PostgresHotPath;
  let blocker: pg.Client;
  let admin: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    storage = createStorage(db.url, { poolSize: 4 });
    await storage.migrate();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    hot = new PostgresHotPath(pool);
    blocker = new pg.Client({ connectionString: db.url });
    admin = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await admin.connect();
  });

  afterAll(async () => {
    await blocker.end();
    await admin.end();
    await pool.end();
    await storage.close();
    await db.drop();
  });

  async function agents(n: number): Promise<{ channel: StoredChannel; agents: User[] }> {
    const channel = await storage.createChannel({
      slug: `gc-${randomBytes(4).toString('hex')}`,
      name: 'Shop',
    });
    return { channel, agents: await onlineAgents(storage, channel.id, n) };
  }

  const reserve = (channel: StoredChannel, agent: User, on: PostgresHotPath = hot) =>
    on.reserveAgentAndCreateCall({
      channelId: channel.id,
      agentId: agent.id,
      pageUrl: null,
      visitor: {},
      productIds: [],
      unknownProductIds: [],
      at: new Date(),
    });

  it('sends the reservations made while one is out as one statement after it', async () => {
    const {
      channel,
      agents: [first, ...rest],
    } = await agents(5);
    if (!first) throw new Error('no agent');
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [first.id]);
    const before = hot.writeStatements;
    const held = reserve(channel, first);
    await waitUntilBlocked(admin, 1);
    // four more, each in its own turn, while the first is out
    const later = [];
    for (const a of rest) {
      later.push(reserve(channel, a));
      await turn();
    }
    expect(hot.writeStatements - before).toBe(1);
    await blocker.query('COMMIT');
    const results = await Promise.all([held, ...later]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true]);
    expect(hot.writeStatements - before).toBe(2);
    for (const [i, r] of results.entries()) {
      if (!r.ok) throw new Error('expected ok');
      expect(await hot.getAgentCurrentCall([first, ...rest][i]?.id ?? '')).toBe(r.call.id);
    }
  });

  it('sends the moves to one status made while one is out as one statement; other statuses do not wait', async () => {
    const { channel, agents: list } = await agents(4);
    const calls = [];
    for (const a of list) {
      const r = await reserve(channel, a);
      if (!r.ok) throw new Error('expected ok');
      calls.push(r.call);
    }
    const [c0, c1, c2, c3] = calls;
    if (!c0 || !c1 || !c2 || !c3) throw new Error('no calls');
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM calls WHERE id = $1 FOR UPDATE', [c0.id]);
    const before = hot.writeStatements;
    const held = hot.transitionCall(c0.id, 'ringing', new Date());
    await waitUntilBlocked(admin, 1);
    const later = [];
    for (const c of [c1, c2]) {
      later.push(hot.transitionCall(c.id, 'ringing', new Date()));
      await turn();
    }
    // another status goes at once, not behind the held ringing statement
    const ended = await hot.transitionCall(c3.id, 'ended', new Date(), { reason: 'declined' });
    expect(ended?.status).toBe('ended');
    expect(hot.writeStatements - before).toBe(2);
    await blocker.query('COMMIT');
    const moved = await Promise.all([held, ...later]);
    expect(moved.map((m) => m?.status)).toEqual(['ringing', 'ringing', 'ringing']);
    expect(moved.map((m) => m?.id)).toEqual([c0.id, c1.id, c2.id]);
    expect(hot.writeStatements - before).toBe(3);
  });

  it("plans its statements once, generically, on the adapter's hot-path pool", async () => {
    // one connection, so the prepared statements read below are the ones the writes used; a
    // URL with startup options of its own keeps them and still gets the generic plans
    const url = `${db.url}${db.url.includes('?') ? '&' : '?'}options=-c%20statement_timeout%3D61000`;
    const ownPool = hotPathPool(url, 1);
    const own = new PostgresHotPath(ownPool);
    const rounds = 7;
    for (let round = 0; round < rounds; round++) {
      const { channel, agents: list } = await agents(3);
      const ids = [];
      for (const a of list) {
        const r = await reserve(channel, a, own);
        if (!r.ok) throw new Error('expected ok');
        ids.push(r.call.id);
      }
      // the three in one turn: one batch statement
      const moved = await Promise.all(
        ids.map((id) => own.transitionCall(id, 'ringing', new Date())),
      );
      expect(moved.map((m) => m?.status)).toEqual(['ringing', 'ringing', 'ringing']);
    }
    const { rows } = await ownPool.query<{ generic_plans: number; custom_plans: number }>(
      `SELECT generic_plans, custom_plans FROM pg_prepared_statements
        WHERE name = 'flux_transitions_ringing'`,
    );
    expect(rows).toEqual([{ generic_plans: rounds, custom_plans: 0 }]);
    const timeout = await ownPool.query<{ statement_timeout: string }>('SHOW statement_timeout');
    expect(timeout.rows[0]?.statement_timeout).toBe('61s');
    await own.close();
    await ownPool.end();
  });

  it('hands a new hot-path connection out only once its session is set', async () => {
    const ownPool = hotPathPool(db.url, 2);
    // two new connections, each used the moment it is handed out
    const clients = await Promise.all([ownPool.connect(), ownPool.connect()]);
    for (const c of clients) {
      const r = await c.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode');
      expect(r.rows[0]?.plan_cache_mode).toBe('force_generic_plan');
      c.release();
    }
    await ownPool.end();
    // nothing in this file (the adapter's pools included) sent a statement while one was out
    expect(overlapped).toEqual([]);
  });
});
