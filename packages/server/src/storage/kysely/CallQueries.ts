/**
 * The call records: the atomic reservation of an agent, the conditional status moves, and the
 * call list queries. Used by KyselyStorage.
 */
import { sql, type Kysely } from 'kysely';
import {
  CALL_STATUSES,
  canTransition,
  type Call,
  type CallStatus,
  type EndReason,
  type PageOf,
  type Product,
  type VisitorUser,
} from '@flux/protocol';
import type { CallFilter, NewCall, ReserveResult } from '../Storage.ts';
import type { Database } from './schema.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import {
  iso,
  isoOrNull,
  newId,
  parseJson,
  STATUS_COLUMN,
  toProduct,
  type Db,
  type Row,
} from './rows.ts';

export class CallQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async reserveAgentAndCreateCall(input: NewCall): Promise<ReserveResult> {
    const callId = newId();
    return this.db.transaction().execute(async (trx): Promise<ReserveResult> => {
      const res = await trx
        .updateTable('users')
        .set({ current_call_id: callId })
        .where('id', '=', input.agentId)
        .where('channel_id', '=', input.channelId)
        .where('current_call_id', 'is', null)
        .where('status', '=', 'online')
        .where('active', '=', 1)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) {
        const exists = await trx
          .selectFrom('users')
          .select('id')
          .where('id', '=', input.agentId)
          .where('channel_id', '=', input.channelId)
          .executeTakeFirst();
        return { ok: false, reason: exists ? 'busy' : 'not_found' };
      }
      await trx
        .insertInto('calls')
        .values({
          id: callId,
          channel_id: input.channelId,
          agent_id: input.agentId,
          status: 'requested',
          requested_at: input.at.getTime(),
          ringing_at: null,
          connected_at: null,
          ended_at: null,
          end_reason: null,
          end_detail: null,
          page_url: input.pageUrl,
          visitor: JSON.stringify(input.visitor),
          unknown_product_ids: JSON.stringify(input.unknownProductIds),
          rating: null,
          notes: '',
        })
        .execute();
      await this.writeCallProducts(trx, callId, input.productIds);
      const call = await this.loadCall(trx, callId);
      if (!call) throw new Error('call vanished inside its own transaction');
      return { ok: true, call };
    });
  }

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

  async transitionCall(
    callId: string,
    to: CallStatus,
    at: Date,
    end?: { reason: EndReason; detail?: string | null },
  ): Promise<Call | null> {
    if (to === 'ended' && !end) throw new Error('transitionCall: ended needs an end reason');
    const from = CALL_STATUSES.filter((s) => canTransition(s, to));
    if (from.length === 0) return null;
    return this.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('calls')
        .set({
          status: to,
          [STATUS_COLUMN[to]]: at.getTime(),
          ...(to === 'ended' && end
            ? { end_reason: end.reason, end_detail: end.detail ?? null }
            : {}),
        })
        .where('id', '=', callId)
        .where('status', 'in', from)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return null;
      if (to === 'ended') {
        await trx
          .updateTable('users')
          .set({ current_call_id: null })
          .where('current_call_id', '=', callId)
          .execute();
      }
      return this.loadCall(trx, callId);
    });
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
    return rows.map((r) => {
      const connected = r.connected_at;
      const ended = r.ended_at;
      return {
        id: r.id,
        channelId: r.channel_id,
        agentId: r.agent_id,
        agentName: r.agent_name,
        status: r.status as CallStatus,
        endReason: r.end_reason as EndReason | null,
        endDetail: r.end_detail,
        pageUrl: r.page_url,
        visitor: parseJson<VisitorUser>(r.visitor, {}),
        products: links.filter((l) => l.link_call_id === r.id).map(toProduct),
        unknownProductIds: parseJson<string[]>(r.unknown_product_ids, []),
        requestedAt: iso(r.requested_at),
        ringingAt: isoOrNull(r.ringing_at),
        connectedAt: isoOrNull(r.connected_at),
        endedAt: isoOrNull(r.ended_at),
        durationSeconds:
          connected !== null && ended !== null
            ? Math.max(0, Math.round((ended - connected) / 1000))
            : null,
        rating: r.rating,
        notes: r.notes,
      };
    });
  }

  async listCalls(filter: CallFilter): Promise<PageOf<Call>> {
    let q = this.db
      .selectFrom('calls')
      .innerJoin('users', 'users.id', 'calls.agent_id')
      .selectAll('calls')
      .select('users.name as agent_name')
      .where('calls.channel_id', '=', filter.channelId);
    if (filter.agentId !== undefined) q = q.where('calls.agent_id', '=', filter.agentId);
    if (filter.status !== undefined) q = q.where('calls.status', '=', filter.status);
    if (filter.endReason !== undefined) q = q.where('calls.end_reason', '=', filter.endReason);
    if (filter.from !== undefined) q = q.where('calls.requested_at', '>=', filter.from.getTime());
    if (filter.to !== undefined) q = q.where('calls.requested_at', '<', filter.to.getTime());
    if (filter.cursor !== undefined) {
      const [at, id] = decodeCursor(filter.cursor, 'number');
      q = q.where((eb) =>
        eb.or([
          eb('calls.requested_at', '<', at),
          eb.and([eb('calls.requested_at', '=', at), eb('calls.id', '<', id)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('calls.requested_at', 'desc')
      .orderBy('calls.id', 'desc')
      .limit(filter.limit + 1)
      .execute();
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
    let q = this.db
      .selectFrom('calls')
      .innerJoin('users', 'users.id', 'calls.agent_id')
      .selectAll('calls')
      .select('users.name as agent_name')
      .where('calls.status', '!=', 'ended');
    if (channelId !== undefined) q = q.where('calls.channel_id', '=', channelId);
    const rows = await q.orderBy('calls.requested_at').orderBy('calls.id').execute();
    return this.toCalls(this.db, rows);
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

  async setCallRating(callId: string, rating: number): Promise<Call | null> {
    await this.db.updateTable('calls').set({ rating }).where('id', '=', callId).execute();
    return this.getCall(callId);
  }

  async setCallNotes(callId: string, notes: string): Promise<Call | null> {
    await this.db.updateTable('calls').set({ notes }).where('id', '=', callId).execute();
    return this.getCall(callId);
  }

  async bumpMissedCalls(agentId: string, reset: boolean): Promise<number> {
    const r = await this.db
      .updateTable('users')
      .set(reset ? { missed_in_a_row: 0 } : { missed_in_a_row: sql<number>`missed_in_a_row + 1` })
      .where('id', '=', agentId)
      .returning('missed_in_a_row')
      .executeTakeFirst();
    return r ? r.missed_in_a_row : 0;
  }

  async getAgentCurrentCall(agentId: string): Promise<string | null> {
    const r = await this.db
      .selectFrom('users')
      .select('current_call_id')
      .where('id', '=', agentId)
      .executeTakeFirst();
    return r?.current_call_id ?? null;
  }
}
