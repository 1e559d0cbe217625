/**
 * Versioned migrations, in code. Kysely's Migrator runs the pending ones at start inside a
 * transaction (both dialects support transactional DDL) and records them in
 * `flux_migrations`. Never edit a migration that has shipped: add the next one.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

function migrations(dialect: Dialect): Record<string, Migration> {
  const blob = dialect === 'postgres' ? sql`bytea` : sql`blob`;
  return {
    '0001_initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('channels')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('slug', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('settings', 'text', (c) => c.notNull())
          .addColumn('allow_localhost', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('server_secrets')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('api_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('channel_id', 'text', (c) =>
            c.notNull().references('channels.id').onDelete('cascade'),
          )
          .addColumn('key_hash', 'text', (c) => c.notNull().unique())
          .addColumn('prefix', 'text', (c) => c.notNull())
          .addColumn('label', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('revoked_at', 'bigint')
          .execute();
        await db.schema
          .createIndex('api_keys_channel')
          .on('api_keys')
          .columns(['channel_id', 'created_at'])
          .execute();

        await db.schema
          .createTable('allowed_origins')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('channel_id', 'text', (c) =>
            c.notNull().references('channels.id').onDelete('cascade'),
          )
          .addColumn('origin', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('allowed_origins_channel_origin', ['channel_id', 'origin'])
          .execute();

        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('channel_id', 'text', (c) =>
            c.notNull().references('channels.id').onDelete('cascade'),
          )
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull().defaultTo('offline'))
          .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('profile_photo_url', 'text')
          .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('current_call_id', 'text')
          .addColumn('missed_in_a_row', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('users_channel_email', ['channel_id', 'email'])
          .execute();
        await db.schema
          .createIndex('users_channel_created')
          .on('users')
          .columns(['channel_id', 'created_at'])
          .execute();

        await db.schema
          .createTable('sessions')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) =>
            c.notNull().references('users.id').onDelete('cascade'),
          )
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

        await db.schema
          .createTable('photos')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) =>
            c.notNull().references('users.id').onDelete('cascade'),
          )
          .addColumn('content_type', 'text', (c) => c.notNull())
          .addColumn('bytes', blob, (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('products')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('channel_id', 'text', (c) =>
            c.notNull().references('channels.id').onDelete('cascade'),
          )
          .addColumn('sku', 'text')
          .addColumn('external_id', 'text')
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('price', 'bigint', (c) => c.notNull())
          .addColumn('currency', 'text', (c) => c.notNull())
          .addColumn('image_url', 'text')
          .addColumn('page_url', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('products_channel_sku', ['channel_id', 'sku'])
          .addUniqueConstraint('products_channel_external_id', ['channel_id', 'external_id'])
          .execute();
        await db.schema
          .createIndex('products_channel_name')
          .on('products')
          .columns(['channel_id', 'name', 'id'])
          .execute();

        await db.schema
          .createTable('calls')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('channel_id', 'text', (c) =>
            c.notNull().references('channels.id').onDelete('cascade'),
          )
          .addColumn('agent_id', 'text', (c) =>
            c.notNull().references('users.id').onDelete('cascade'),
          )
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('requested_at', 'bigint', (c) => c.notNull())
          .addColumn('ringing_at', 'bigint')
          .addColumn('connected_at', 'bigint')
          .addColumn('ended_at', 'bigint')
          .addColumn('end_reason', 'text')
          .addColumn('end_detail', 'text')
          .addColumn('page_url', 'text')
          .addColumn('visitor', 'text', (c) => c.notNull())
          .addColumn('unknown_product_ids', 'text', (c) => c.notNull())
          .addColumn('rating', 'integer')
          .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
          .execute();
        await db.schema
          .createIndex('calls_channel_requested')
          .on('calls')
          .columns(['channel_id', 'requested_at', 'id'])
          .execute();
        await db.schema
          .createIndex('calls_agent_requested')
          .on('calls')
          .columns(['agent_id', 'requested_at', 'id'])
          .execute();
        await db.schema.createIndex('calls_status').on('calls').column('status').execute();

        await db.schema
          .createTable('call_products')
          .addColumn('call_id', 'text', (c) =>
            c.notNull().references('calls.id').onDelete('cascade'),
          )
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('product_id', 'text', (c) =>
            c.notNull().references('products.id').onDelete('cascade'),
          )
          .addPrimaryKeyConstraint('call_products_pk', ['call_id', 'position'])
          .execute();

        await db.schema
          .createTable('call_product_events')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('call_id', 'text', (c) =>
            c.notNull().references('calls.id').onDelete('cascade'),
          )
          .addColumn('product_id', 'text', (c) =>
            c.notNull().references('products.id').onDelete('cascade'),
          )
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('call_product_events_call')
          .on('call_product_events')
          .column('call_id')
          .execute();

        await db.schema
          .createTable('callbacks')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('channel_id', 'text', (c) =>
            c.notNull().references('channels.id').onDelete('cascade'),
          )
          .addColumn('call_id', 'text', (c) => c.references('calls.id').onDelete('set null'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('contact', 'text', (c) => c.notNull())
          .addColumn('note', 'text', (c) => c.notNull())
          .addColumn('page_url', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('taken_by', 'text', (c) => c.references('users.id').onDelete('set null'))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('callbacks_channel_created')
          .on('callbacks')
          .columns(['channel_id', 'created_at', 'id'])
          .execute();
      },
    },
    '0002_webhooks': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('webhooks')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('channel_id', 'text', (c) =>
            c.notNull().references('channels.id').onDelete('cascade'),
          )
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('secret', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('webhooks_channel')
          .on('webhooks')
          .columns(['channel_id', 'created_at'])
          .execute();

        await db.schema
          .createTable('webhook_deliveries')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('webhook_id', 'text', (c) =>
            c.notNull().references('webhooks.id').onDelete('cascade'),
          )
          .addColumn('channel_id', 'text', (c) =>
            c.notNull().references('channels.id').onDelete('cascade'),
          )
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('event', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_attempt_at', 'bigint')
          .addColumn('last_status_code', 'integer')
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('delivered_at', 'bigint')
          .execute();
        await db.schema
          .createIndex('webhook_deliveries_due')
          .on('webhook_deliveries')
          .columns(['status', 'next_attempt_at'])
          .execute();
        await db.schema
          .createIndex('webhook_deliveries_webhook')
          .on('webhook_deliveries')
          .columns(['webhook_id', 'created_at', 'id'])
          .execute();
      },
    },
    // The sweep (CallService.sweep, every 10 s in every process, and at start) lists the
    // calls that have not ended. `status <> 'ended'` cannot use a plain index on status, so
    // it read the whole table: with a million call records, 92 ms of the event loop on
    // SQLite and a 155 ms parallel scan on PostgreSQL, each time. The partial index holds
    // only the open calls (at most one per agent) and is what that query reads; a call
    // leaves it when it ends.
    '0003_open_calls': {
      async up(db: Kysely<unknown>) {
        await db.schema.dropIndex('calls_status').execute();
        await db.schema
          .createIndex('calls_open')
          .on('calls')
          .columns(['channel_id', 'requested_at', 'id'])
          .where(sql.ref('status'), '<>', sql.lit('ended'))
          .execute();
      },
    },
    // The admin's call log filtered by an end reason few calls have (failed, lost) walked the
    // channel's whole history for a page: with a million calls, 250 ms of the event loop on
    // SQLite for each page. This index holds the ended calls by channel and end reason in
    // the page's order; a call enters it once, when it ends.
    '0004_calls_end_reason': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createIndex('calls_channel_end_reason')
          .on('calls')
          .columns(['channel_id', 'end_reason', 'requested_at', 'id'])
          .where(sql.ref('end_reason'), 'is not', null)
          .execute();
      },
    },
    // calls_open read `status <> 'ended'`, which made every status move of a call touch an
    // indexed column: PostgreSQL wrote each move as a new row version with an entry in every
    // index of calls (none of them a HOT update). Keyed on `ended_at IS NULL` instead (set in
    // the same statement as status = 'ended', and only there), the moves before the end
    // (ringing, connected) change no indexed column and may stay on their page; on PostgreSQL
    // the table leaves a tenth of each page free for them.
    '0005_open_calls_by_end': {
      async up(db: Kysely<unknown>) {
        await db.schema.dropIndex('calls_open').execute();
        await db.schema
          .createIndex('calls_open')
          .on('calls')
          .columns(['channel_id', 'requested_at', 'id'])
          .where(sql.ref('ended_at'), 'is', null)
          .execute();
        if (dialect === 'postgres') await sql`ALTER TABLE calls SET (fillfactor = 90)`.execute(db);
      },
    },
    // With one process (no Redis), a restart cannot tell when the run before it stopped: a
    // connected call nobody came back to was dated at its connect time, with no duration.
    // Each process now notes here that it is alive (every sweep, and as it closes); the next
    // run dates such calls at the last note of the run before it.
    '0006_process_beats': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('process_beats')
          .addColumn('node_id', 'text', (c) => c.primaryKey())
          .addColumn('seen_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    // How long each side's link was weak during the call (the client's judgement, quality.ts
    // of @flux/client): the milliseconds of the weak spells that ended, and the start of the
    // one still going. Plain columns of the call's own row, written with one conditional
    // UPDATE each, so that any process can take a report; none of them is indexed, so the
    // call's other moves stay HOT updates on PostgreSQL (0005).
    '0007_call_link_quality': {
      async up(db: Kysely<unknown>) {
        for (const side of ['visitor', 'agent']) {
          await db.schema
            .alterTable('calls')
            .addColumn(`${side}_weak_ms`, 'bigint', (c) => c.notNull().defaultTo(0))
            .execute();
          await db.schema.alterTable('calls').addColumn(`${side}_weak_since`, 'bigint').execute();
        }
      },
    },
    // The call log's "weak link" filter. `weak_link` turns 1 at a call's first weak spell and
    // stays so, and the partial index of those calls is read in the page's order (as 0004 does
    // for an end reason), whatever share of the history they are. Only that first report
    // touches an indexed column: on PostgreSQL the call's other moves stay HOT updates (0005).
    '0008_calls_weak_link': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('calls')
          .addColumn('weak_link', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createIndex('calls_channel_weak')
          .on('calls')
          .columns(['channel_id', 'requested_at', 'id'])
          .where(sql.ref('weak_link'), '=', sql.lit(1))
          .execute();
      },
    },
  };
}

class CodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrations(this.dialect));
  }
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new CodeMigrationProvider(dialect),
    migrationTableName: 'flux_migrations',
    migrationLockTableName: 'flux_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Database migration ${failed?.migrationName ?? '(unknown)'} failed`, {
      cause: error,
    });
  }
}
