/**
 * The call records off the hot path: lists, products of a call, product events, rating and
 * notes. Used by KyselyStorage; the reservation, the status moves and the single-row reads
 * of a call setup are in ../hotpath (prepared statements per dialect).
 */
import { type Kysely, sql } from 'kysely';
import type { Call, LinkQuality, PageOf, Product } from '@flux/protocol';
import type { CallFilter } from '../Storage.ts';
import type { Database } from './schema.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { newId, toCall, toProduct, type Db, type Row } from './rows.ts';

/**
 * The calls that have not ended, oldest first. `ended_at IS NULL` is the condition of the
 * partial index `calls_open` (migrations 0003 and 0005), so that both planners match the two;
 * the server sets `ended_at` in the same write as `status = 'ended'`, and the status is
 * checked as well. It reads no other table (the agents' names come after), so that no join
 * order can lead a planner through an agent's or a channel's whole history: it reads the open
 * calls only.
 */
export function openCallsQuery(db: Kysely<Database>, channelId?: string) {
  let q = db
    .selectFrom('calls')
    .selectAll()
    .where('ended_at', 'is', null)
    .where('status', '<>', sql.lit('ended'));
  if (channelId !== undefined) q = q.where('channel_id', '=', channelId);
  return q.orderBy('requested_at').orderBy('id');
}

/**
 * One page of a channel's calls, newest first (`limit + 1` rows: the extra one says whether
 * there is a next page). Written so that each filter reads an index in the page's order and
 * stops after the page, whatever the channel's history holds:
 * - a status other than `ended` adds the condition of `calls_open` (`ended_at IS NULL`), so
 *   both planners read that partial index of the open calls (migrations 0003 and 0005)
 *   instead of walking the channel's history for a status few calls have;
 * - an end reason reads `calls_channel_end_reason` (migration 0004; `end_reason = ?` implies
 *   the index's `end_reason IS NOT NULL`);
 * - the weak link filter reads `calls_channel_weak` (migration 0008);
 * - the cursor is a row-value comparison, `(requested_at, id) < (?, ?)`, which both planners
 *   use as the start of an index range; written as `a < ? OR (a = ? AND id < ?)` it was a
 *   filter, and each page read the history from the newest call down to the cursor.
 */
export function callsPageQuery(db: Kysely<Database>, filter: CallFilter) {
  let q = db
    .selectFrom('calls')
    .innerJoin('users', 'users.id', 'calls.agent_id')
    .selectAll('calls')
    .select('users.name as agent_name')
    .where('calls.channel_id', '=', filter.channelId);
  if (filter.agentId !== undefined) q = q.where('calls.agent_id', '=', filter.agentId);
  if (filter.status !== undefined) {
    q = q.where('calls.status', '=', filter.status);
    if (filter.status !== 'ended') q = q.where('calls.ended_at', 'is', null);
  }
  if (filter.endReason !== undefined) q = q.where('calls.end_reason', '=', filter.endReason);
  // a literal, as in the index's predicate: SQLite matches a partial index only so
  if (filter.weakLink) q = q.where('calls.weak_link', '=', sql.lit(1));
  if (filter.from !== undefined) q = q.where('calls.requested_at', '>=', filter.from.getTime());
  if (filter.to !== undefined) q = q.where('calls.requested_at', '<', filter.to.getTime());
  if (filter.cursor !== undefined) {
    const [at, id] = decodeCursor(filter.cursor, 'number');
    q = q.where((eb) => eb(eb.refTuple('calls.requested_at', 'calls.id'), '<', eb.tuple(at, id)));
  }
  return q
    .orderBy('calls.requested_at', 'desc')
    .orderBy('calls.id', 'desc')
    .limit(filter.limit + 1);
}

export class CallQueries {
  constructor(private readonly db: Kysely<Database>) {}

  private async writeCallProducts(trx: Db, callId: string, productIds: string[]): Promise<void> {
    await trx.deleteFrom('call_products').where('call_id', '=', callId).execute();
    const unique = [...new Set(productIds)];
    if (unique.length === 0) return;
    await trx
      .insertInto('call_products')
      .values(
        unique.map((productId, position) => ({ call_id: callId, position, product_id: productId })),
      )
      .execute();
  }

  async getCall(id: string): Promise<Call | null> {
    return this.loadCall(this.db, id);
  }

  private async loadCall(db: Db, id: string): Promise<Call | null> {
    const rows = await db
      .selectFrom('calls')
      .innerJoin('users', 'users.id', 'calls.agent_id')
      .selectAll('calls')
      .select('users.name as agent_name')
      .where('calls.id', '=', id)
      .execute();
    const [call] = await this.toCalls(db, rows);
    return call ?? null;
  }

  private async toCalls(db: Db, rows: (Row<'calls'> & { agent_name: string })[]): Promise<Call[]> {
    if (rows.length === 0) return [];
    const links = await db
      .selectFrom('call_products')
      .innerJoin('products', 'products.id', 'call_products.product_id')
      .selectAll('products')
      .select(['call_products.call_id as link_call_id', 'call_products.position as link_position'])
      .where(
        'call_products.call_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('call_products.call_id')
      .orderBy('call_products.position')
      .execute();
    return rows.map((r) =>
      toCall(r, r.agent_name, links.filter((l) => l.link_call_id === r.id).map(toProduct)),
    );
  }

  async listCalls(filter: CallFilter): Promise<PageOf<Call>> {
    const rows = await callsPageQuery(this.db, filter).execute();
    const more = rows.length > filter.limit;
    const pageRows = rows.slice(0, filter.limit);
    const items = await this.toCalls(this.db, pageRows);
    const last = pageRows.at(-1);
    return {
      items,
      nextCursor: more && last ? encodeCursor([last.requested_at, last.id]) : null,
    };
  }

  async listOpenCalls(channelId?: string): Promise<Call[]> {
    const calls = await openCallsQuery(this.db, channelId).execute();
    if (calls.length === 0) return [];
    const agents = await this.db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('id', 'in', [...new Set(calls.map((c) => c.agent_id))])
      .execute();
    const names = new Map(agents.map((a) => [a.id, a.name]));
    return this.toCalls(
      this.db,
      calls.map((c) => ({ ...c, agent_name: names.get(c.agent_id) ?? '' })),
    );
  }

  async setCallProducts(callId: string, productIds: string[]): Promise<Product[]> {
    return this.db.transaction().execute(async (trx) => {
      await this.writeCallProducts(trx, callId, productIds);
      const call = await this.loadCall(trx, callId);
      return call?.products ?? [];
    });
  }

  async recordProductEvent(
    callId: string,
    productId: string,
    kind: 'click' | 'add_to_cart',
    at: Date,
  ): Promise<void> {
    await this.db
      .insertInto('call_product_events')
      .values({ id: newId(), call_id: callId, product_id: productId, kind, at: at.getTime() })
      .execute();
  }

  async recordLinkQuality(
    callId: string,
    side: 'visitor' | 'agent',
    quality: LinkQuality,
    at: Date,
  ): Promise<void> {
    const since = side === 'visitor' ? 'visitor_weak_since' : 'agent_weak_since';
    const ms = side === 'visitor' ? 'visitor_weak_ms' : 'agent_weak_ms';
    const t = at.getTime();
    const connected = this.db
      .updateTable('calls')
      .where('id', '=', callId)
      .where('status', '=', sql.lit('connected'));
    if (quality === 'poor') {
      await connected.set(since, t).set('weak_link', sql.lit(1)).where(since, 'is', null).execute();
      return;
    }
    // a clock step back between the two reports counts nothing rather than less than nothing
    const spell = sql<number>`CASE WHEN ${t} > ${sql.ref(since)} THEN ${t} - ${sql.ref(since)} ELSE 0 END`;
    await connected
      .set(ms, sql<number>`${sql.ref(ms)} + ${spell}`)
      .set(since, null)
      .where(since, 'is not', null)
      .execute();
  }

  async setCallRating(callId: string, rating: number): Promise<Call | null> {
    await this.db.updateTable('calls').set({ rating }).where('id', '=', callId).execute();
    return this.getCall(callId);
  }

  async setCallNotes(callId: string, notes: string): Promise<Call | null> {
    await this.db.updateTable('calls').set({ notes }).where('id', '=', callId).execute();
    return this.getCall(callId);
  }
}
