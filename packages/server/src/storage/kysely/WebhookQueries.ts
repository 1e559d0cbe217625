/**
 * Webhooks and their delivery queue (one row per event and webhook, polled by the
 * dispatcher of modules/webhooks). Used by KyselyStorage.
 */
import type { Kysely } from 'kysely';
import type { PageOf, Webhook, WebhookDelivery, WebhookEventType } from '@flux/protocol';
import type { ClaimedDelivery } from '../Storage.ts';
import type { Database } from './schema.ts';
import { decodeCursor } from '../cursor.ts';
import { iso, isoOrNull, newId, page, type Row } from './rows.ts';

function toWebhook(r: Row<'webhooks'>): Webhook {
  return {
    id: r.id,
    url: r.url,
    secretPrefix: r.secret.slice(0, 10),
    createdAt: iso(r.created_at),
  };
}

function toDelivery(r: Row<'webhook_deliveries'>): WebhookDelivery {
  return {
    id: r.id,
    webhookId: r.webhook_id,
    eventId: r.event_id,
    event: r.event as WebhookEventType,
    status: r.status as WebhookDelivery['status'],
    attempts: r.attempts,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    createdAt: iso(r.created_at),
    nextAttemptAt: r.status === 'pending' ? isoOrNull(r.next_attempt_at) : null,
    deliveredAt: isoOrNull(r.delivered_at),
  };
}

export class WebhookQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async createWebhook(channelId: string, url: string, secret: string, at: Date): Promise<Webhook> {
    const row: Row<'webhooks'> = {
      id: newId(),
      channel_id: channelId,
      url,
      secret,
      created_at: at.getTime(),
    };
    await this.db.insertInto('webhooks').values(row).execute();
    return toWebhook(row);
  }

  async listWebhooks(channelId: string): Promise<Webhook[]> {
    const rows = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('channel_id', '=', channelId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(toWebhook);
  }

  async deleteWebhook(channelId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const found = await trx
        .selectFrom('webhooks')
        .select('id')
        .where('channel_id', '=', channelId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!found) return false;
      await trx.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
      await trx.deleteFrom('webhooks').where('id', '=', id).execute();
      return true;
    });
  }

  async enqueueWebhookEvent(input: {
    channelId: string;
    eventId: string;
    event: WebhookEventType;
    payload: string;
    at: Date;
  }): Promise<number> {
    const hooks = await this.db
      .selectFrom('webhooks')
      .select('id')
      .where('channel_id', '=', input.channelId)
      .execute();
    if (hooks.length === 0) return 0;
    const at = input.at.getTime();
    await this.db
      .insertInto('webhook_deliveries')
      .values(
        hooks.map((h) => ({
          id: newId(),
          webhook_id: h.id,
          channel_id: input.channelId,
          event_id: input.eventId,
          event: input.event,
          payload: input.payload,
          status: 'pending',
          attempts: 0,
          next_attempt_at: at,
          last_status_code: null,
          last_error: null,
          created_at: at,
          delivered_at: null,
        })),
      )
      .execute();
    return hooks.length;
  }

  async claimWebhookDeliveries(
    now: Date,
    leaseUntil: Date,
    limit: number,
  ): Promise<ClaimedDelivery[]> {
    const due = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select([
        'd.id',
        'd.event_id',
        'd.event',
        'd.payload',
        'd.attempts',
        'd.next_attempt_at',
        'w.url',
        'w.secret',
      ])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now.getTime())
      .orderBy('d.next_attempt_at', 'asc')
      .limit(limit)
      .execute();
    const claimed: ClaimedDelivery[] = [];
    for (const d of due) {
      if (d.next_attempt_at === null) continue;
      // conditional write: only one process moves the due time it read
      const res = await this.db
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: leaseUntil.getTime() })
        .where('id', '=', d.id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '=', d.next_attempt_at)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) continue;
      claimed.push({
        id: d.id,
        eventId: d.event_id,
        event: d.event as WebhookEventType,
        payload: d.payload,
        attempts: d.attempts,
        url: d.url,
        secret: d.secret,
      });
    }
    return claimed;
  }

  async recordWebhookAttempt(
    id: string,
    result: {
      at: Date;
      statusCode: number | null;
      error: string | null;
      outcome: 'delivered' | 'failed' | 'retry';
      retryAt?: Date;
    },
  ): Promise<void> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .select('attempts')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return; // the webhook was deleted meanwhile
    await this.db
      .updateTable('webhook_deliveries')
      .set({
        attempts: row.attempts + 1,
        last_status_code: result.statusCode,
        last_error: result.error === null ? null : result.error.slice(0, 500),
        status: result.outcome === 'retry' ? 'pending' : result.outcome,
        next_attempt_at:
          result.outcome === 'retry' ? (result.retryAt ?? result.at).getTime() : null,
        delivered_at: result.outcome === 'delivered' ? result.at.getTime() : null,
      })
      .where('id', '=', id)
      .execute();
  }

  async listWebhookDeliveries(
    channelId: string,
    webhookId: string,
    query: { limit: number; cursor?: string },
  ): Promise<PageOf<WebhookDelivery>> {
    let q = this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('webhook_id', '=', webhookId);
    if (query.cursor !== undefined) {
      const [at, id] = decodeCursor(query.cursor, 'number');
      q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(at, id)));
    }
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return page(rows, query.limit, toDelivery, (r) => [r.created_at, r.id]);
  }
}
