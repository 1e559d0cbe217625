/**
 * The one query layer behind both storage adapters. Everything here is portable SQL through
 * Kysely; the dialect-specific parts (connection setup, blob type, error codes) live in
 * `../sqlite.ts`, `../postgres.ts` and `./migrations.ts`.
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import {
  DEFAULT_CHANNEL_SETTINGS,
  FluxError,
  type AllowedOrigin,
  type ApiKey,
  type Call,
  type LinkQuality,
  type CallbackRequest,
  type CallStatus,
  type ChannelSettings,
  type EndReason,
  type PageOf,
  type Product,
  type ProductInput,
  type ProductPatch,
  type User,
} from '@flux/protocol';
import type {
  CallFilter,
  ClaimedDelivery,
  MovedCall,
  NewCall,
  NewUser,
  Photo,
  ReserveResult,
  Storage,
  StoredChannel,
  UserPatch,
} from '../Storage.ts';
import type { Webhook, WebhookDelivery, WebhookEventType } from '@flux/protocol';
import type { Database } from './schema.ts';
import { migrateToLatest } from './migrations.ts';
import { decodeCursor } from '../cursor.ts';
import { CallQueries } from './CallQueries.ts';
import { WebhookQueries } from './WebhookQueries.ts';
import type { HotPath } from '../hotpath/HotPath.ts';
import {
  conflict,
  iso,
  newId,
  page,
  sha256,
  toApiKey,
  toCallback,
  toChannel,
  toProduct,
  toUser,
  type Db,
  type Row,
} from './rows.ts';

export { isUniqueViolation, newId, sha256 } from './rows.ts';

export class KyselyStorage implements Storage {
  private readonly calls: CallQueries;
  private readonly webhooks: WebhookQueries;

  constructor(
    readonly kind: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
    /** The dialect's prepared statements for what every call setup does (../hotpath). */
    private readonly hot: HotPath,
    private readonly onClose: () => Promise<void> = () => Promise.resolve(),
  ) {
    this.calls = new CallQueries(db);
    this.webhooks = new WebhookQueries(db);
  }

  async migrate(): Promise<void> {
    await migrateToLatest(this.db as unknown as Kysely<unknown>, this.kind);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.hot.close();
    await this.db.destroy();
    await this.onClose();
  }

  // ---------------------------------------------------------------- channels

  async createChannel(input: {
    slug: string;
    name: string;
    settings?: Partial<ChannelSettings>;
    allowLocalhost?: boolean;
  }): Promise<StoredChannel> {
    const row: Row<'channels'> = {
      id: newId(),
      slug: input.slug,
      name: input.name,
      settings: JSON.stringify({ ...DEFAULT_CHANNEL_SETTINGS, ...input.settings }),
      allow_localhost: input.allowLocalhost === true ? 1 : 0,
      created_at: Date.now(),
    };
    try {
      await this.db.insertInto('channels').values(row).execute();
    } catch (e) {
      conflict(e, 'A channel with this slug');
    }
    return toChannel(row);
  }

  getChannel(id: string): Promise<StoredChannel | null> {
    return this.hot.getChannel(id);
  }

  async getChannelBySlug(slug: string): Promise<StoredChannel | null> {
    const r = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('slug', '=', slug)
      .executeTakeFirst();
    return r ? toChannel(r) : null;
  }

  async updateChannel(
    id: string,
    patch: { name?: string; settings?: Partial<ChannelSettings>; allowLocalhost?: boolean },
  ): Promise<StoredChannel> {
    return this.db.transaction().execute(async (trx) => {
      const cur = await trx
        .selectFrom('channels')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!cur) throw new FluxError('FLX_ERR_CHANNEL_NOT_FOUND');
      const settings = { ...toChannel(cur).settings, ...patch.settings };
      const next: Row<'channels'> = {
        ...cur,
        name: patch.name ?? cur.name,
        settings: JSON.stringify(settings),
        allow_localhost:
          patch.allowLocalhost === undefined ? cur.allow_localhost : patch.allowLocalhost ? 1 : 0,
      };
      await trx
        .updateTable('channels')
        .set({ name: next.name, settings: next.settings, allow_localhost: next.allow_localhost })
        .where('id', '=', id)
        .execute();
      return toChannel(next);
    });
  }

  async getOrCreateSecret(name: string): Promise<string> {
    await this.db
      .insertInto('server_secrets')
      .values({ name, value: randomBytes(32).toString('base64url'), created_at: Date.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const r = await this.db
      .selectFrom('server_secrets')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return r.value;
  }

  async recordProcessBeat(nodeId: string, at: Date): Promise<void> {
    const seen_at = at.getTime();
    await this.db
      .insertInto('process_beats')
      .values({ node_id: nodeId, seen_at })
      .onConflict((oc) => oc.column('node_id').doUpdateSet({ seen_at }))
      .execute();
  }

  async takeEarlierProcessBeat(nodeId: string): Promise<Date | null> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .selectFrom('process_beats')
        .select((eb) => eb.fn.max<number | null>('seen_at').as('seen_at'))
        .where('node_id', '<>', nodeId)
        .executeTakeFirst();
      await tx.deleteFrom('process_beats').where('node_id', '<>', nodeId).execute();
      const at = r?.seen_at ?? null;
      return at === null ? null : new Date(at);
    });
  }

  // ---------------------------------------------------------------- API keys

  async createApiKey(
    channelId: string,
    label: string,
    rawKey?: string,
  ): Promise<{ apiKey: ApiKey; key: string }> {
    const key = rawKey ?? `pk_${randomBytes(24).toString('base64url')}`;
    const row: Row<'api_keys'> = {
      id: newId(),
      channel_id: channelId,
      key_hash: sha256(key),
      prefix: key.slice(0, 10),
      label,
      created_at: Date.now(),
      revoked_at: null,
    };
    try {
      await this.db.insertInto('api_keys').values(row).execute();
    } catch (e) {
      conflict(e, 'This API key');
    }
    return { apiKey: toApiKey(row), key };
  }

  async listApiKeys(channelId: string): Promise<ApiKey[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('channel_id', '=', channelId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toApiKey);
  }

  async findApiKey(
    channelId: string,
    rawKey: string,
  ): Promise<{ apiKey: ApiKey; revoked: boolean } | null> {
    const r = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('key_hash', '=', sha256(rawKey))
      .executeTakeFirst();
    return r ? { apiKey: toApiKey(r), revoked: r.revoked_at !== null } : null;
  }

  async revokeApiKey(channelId: string, id: string, at: Date): Promise<ApiKey | null> {
    await this.db
      .updateTable('api_keys')
      .set({ revoked_at: at.getTime() })
      .where('channel_id', '=', channelId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    const r = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toApiKey(r) : null;
  }

  // ---------------------------------------------------------------- origins

  async listOrigins(channelId: string): Promise<AllowedOrigin[]> {
    const rows = await this.db
      .selectFrom('allowed_origins')
      .selectAll()
      .where('channel_id', '=', channelId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, origin: r.origin, createdAt: iso(r.created_at) }));
  }

  async addOrigin(channelId: string, origin: string): Promise<AllowedOrigin> {
    const row: Row<'allowed_origins'> = {
      id: newId(),
      channel_id: channelId,
      origin: origin.toLowerCase(),
      created_at: Date.now(),
    };
    try {
      await this.db.insertInto('allowed_origins').values(row).execute();
    } catch (e) {
      conflict(e, 'This origin');
    }
    return { id: row.id, origin: row.origin, createdAt: iso(row.created_at) };
  }

  async removeOrigin(channelId: string, id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('allowed_origins')
      .where('channel_id', '=', channelId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async isOriginAllowed(channelId: string, origin: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('allowed_origins')
      .select('id')
      .where('channel_id', '=', channelId)
      .where('origin', '=', origin.toLowerCase())
      .executeTakeFirst();
    return r !== undefined;
  }

  // ---------------------------------------------------------------- users

  async createUser(input: NewUser): Promise<User> {
    const row: Row<'users'> = {
      id: newId(),
      channel_id: input.channelId,
      email: input.email.toLowerCase(),
      name: input.name,
      role: input.role,
      password_hash: input.passwordHash,
      status: 'offline',
      tags: JSON.stringify(input.tags ?? []),
      profile_photo_url: input.profilePhotoUrl ?? null,
      active: 1,
      current_call_id: null,
      missed_in_a_row: 0,
      created_at: Date.now(),
    };
    try {
      await this.db.insertInto('users').values(row).execute();
    } catch (e) {
      conflict(e, 'A user with this email');
    }
    return toUser(row);
  }

  getUser(id: string): Promise<User | null> {
    return this.hot.getUser(id);
  }

  async getUserAuth(
    channelId: string,
    email: string,
  ): Promise<{ user: User; passwordHash: string } | null> {
    const r = await this.db
      .selectFrom('users')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst();
    return r ? { user: toUser(r), passwordHash: r.password_hash } : null;
  }

  async getPasswordHash(userId: string): Promise<string | null> {
    const r = await this.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', userId)
      .executeTakeFirst();
    return r?.password_hash ?? null;
  }

  async updateUser(id: string, patch: UserPatch): Promise<User | null> {
    const set: Partial<Row<'users'>> = {};
    if (patch.email !== undefined) set.email = patch.email.toLowerCase();
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.tags !== undefined) set.tags = JSON.stringify(patch.tags);
    if (patch.profilePhotoUrl !== undefined)
      set.profile_photo_url = patch.profilePhotoUrl === '' ? null : patch.profilePhotoUrl;
    if (patch.active !== undefined) set.active = patch.active ? 1 : 0;
    if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
    if (patch.status === 'online') set.missed_in_a_row = 0;
    return this.db.transaction().execute(async (trx) => {
      if (Object.keys(set).length > 0) {
        try {
          await trx.updateTable('users').set(set).where('id', '=', id).execute();
        } catch (e) {
          conflict(e, 'A user with this email');
        }
      }
      if (patch.active === false) {
        await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
      }
      const r = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toUser(r) : null;
    });
  }

  async listUsers(
    channelId: string,
    query: { limit: number; cursor?: string },
  ): Promise<PageOf<User>> {
    let q = this.db.selectFrom('users').selectAll().where('channel_id', '=', channelId);
    if (query.cursor !== undefined) {
      const [at, id] = decodeCursor(query.cursor, 'number');
      q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(at, id)));
    }
    const rows = await q
      .orderBy('created_at')
      .orderBy('id')
      .limit(query.limit + 1)
      .execute();
    return page(rows, query.limit, toUser, (r) => [r.created_at, r.id]);
  }

  async listOnlineAgents(channelId: string): Promise<User[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('status', '=', 'online')
      .where('active', '=', 1)
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toUser);
  }

  // ---------------------------------------------------------------- sessions

  async createSession(userId: string, expiresAt: Date): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    // expired sessions of this user go when they sign in again
    await this.db
      .deleteFrom('sessions')
      .where('user_id', '=', userId)
      .where('expires_at', '<=', Date.now())
      .execute();
    await this.db
      .insertInto('sessions')
      .values({
        token_hash: sha256(token),
        user_id: userId,
        expires_at: expiresAt.getTime(),
        created_at: Date.now(),
      })
      .execute();
    return token;
  }

  async getSessionUser(token: string, now: Date): Promise<User | null> {
    const r = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .where('sessions.token_hash', '=', sha256(token))
      .where('sessions.expires_at', '>', now.getTime())
      .where('users.active', '=', 1)
      .executeTakeFirst();
    return r ? toUser(r) : null;
  }

  async deleteSession(token: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', sha256(token)).execute();
  }

  async deleteUserSessions(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  // ---------------------------------------------------------------- photos

  async savePhoto(userId: string, contentType: string, bytes: Buffer, at: Date): Promise<Photo> {
    const id = newId();
    // one profile photo per user: an upload replaces the previous one
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('photos').where('user_id', '=', userId).execute();
      await trx
        .insertInto('photos')
        .values({ id, user_id: userId, content_type: contentType, bytes, created_at: at.getTime() })
        .execute();
    });
    return { id, userId, contentType, bytes, createdAt: at.toISOString() };
  }

  async getPhoto(id: string): Promise<Photo | null> {
    const r = await this.db
      .selectFrom('photos')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r
      ? {
          id: r.id,
          userId: r.user_id,
          contentType: r.content_type,
          bytes: Buffer.from(r.bytes),
          createdAt: iso(r.created_at),
        }
      : null;
  }

  // ---------------------------------------------------------------- products

  private productRow(channelId: string, input: ProductInput): Row<'products'> {
    return {
      id: newId(),
      channel_id: channelId,
      sku: input.sku ?? null,
      external_id: input.externalId ?? null,
      name: input.name,
      price: input.price,
      currency: input.currency,
      image_url: input.imageUrl ?? null,
      page_url: input.pageUrl ?? null,
      created_at: Date.now(),
    };
  }

  async createProduct(channelId: string, input: ProductInput): Promise<Product> {
    const row = this.productRow(channelId, input);
    try {
      await this.db.insertInto('products').values(row).execute();
    } catch (e) {
      conflict(e, 'A product with this SKU or external ID');
    }
    return toProduct(row);
  }

  async getProduct(channelId: string, id: string): Promise<Product | null> {
    const r = await this.db
      .selectFrom('products')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toProduct(r) : null;
  }

  async updateProduct(channelId: string, id: string, patch: ProductPatch): Promise<Product | null> {
    const set: Partial<Row<'products'>> = {};
    if (patch.sku !== undefined) set.sku = patch.sku;
    if (patch.externalId !== undefined) set.external_id = patch.externalId;
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.price !== undefined) set.price = patch.price;
    if (patch.currency !== undefined) set.currency = patch.currency;
    if (patch.imageUrl !== undefined) set.image_url = patch.imageUrl;
    if (patch.pageUrl !== undefined) set.page_url = patch.pageUrl;
    if (Object.keys(set).length > 0) {
      try {
        await this.db
          .updateTable('products')
          .set(set)
          .where('channel_id', '=', channelId)
          .where('id', '=', id)
          .execute();
      } catch (e) {
        conflict(e, 'A product with this SKU or external ID');
      }
    }
    return this.getProduct(channelId, id);
  }

  async deleteProduct(channelId: string, id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('products')
      .where('channel_id', '=', channelId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async listProducts(
    channelId: string,
    query: { q?: string; limit: number; cursor?: string },
  ): Promise<PageOf<Product>> {
    let q = this.db.selectFrom('products').selectAll().where('channel_id', '=', channelId);
    const text = query.q?.trim();
    if (text !== undefined && text !== '') {
      const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) =>
        eb.or([
          sql<boolean>`lower(${eb.ref('name')}) like ${pattern} escape '\\'`,
          sql<boolean>`lower(${eb.ref('sku')}) like ${pattern} escape '\\'`,
          sql<boolean>`lower(${eb.ref('external_id')}) like ${pattern} escape '\\'`,
        ]),
      );
    }
    if (query.cursor !== undefined) {
      const [name, id] = decodeCursor(query.cursor, 'string');
      q = q.where((eb) => eb(eb.refTuple('name', 'id'), '>', eb.tuple(name, id)));
    }
    const rows = await q
      .orderBy('name')
      .orderBy('id')
      .limit(query.limit + 1)
      .execute();
    return page(rows, query.limit, toProduct, (r) => [r.name, r.id]);
  }

  async resolveProducts(
    channelId: string,
    ids: string[],
  ): Promise<{ products: Product[]; unknownIds: string[] }> {
    if (ids.length === 0) return { products: [], unknownIds: [] };
    const rows = await this.db
      .selectFrom('products')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where((eb) => eb.or([eb('sku', 'in', ids), eb('external_id', 'in', ids)]))
      .execute();
    const products: Product[] = [];
    const seen = new Set<string>();
    const unknownIds: string[] = [];
    for (const id of ids) {
      const r = rows.find((x) => x.sku === id) ?? rows.find((x) => x.external_id === id);
      if (!r) {
        if (!unknownIds.includes(id)) unknownIds.push(id);
      } else if (!seen.has(r.id)) {
        seen.add(r.id);
        products.push(toProduct(r));
      }
    }
    return { products, unknownIds };
  }

  async upsertProducts(channelId: string, rows: ProductInput[]): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      // one look-up for the whole batch, then updates for known rows and one insert for new ones
      const skus = rows.map((r) => r.sku).filter((x): x is string => typeof x === 'string');
      const exts = rows.map((r) => r.externalId).filter((x): x is string => typeof x === 'string');
      const existing =
        skus.length + exts.length === 0
          ? []
          : await trx
              .selectFrom('products')
              .select(['id', 'sku', 'external_id'])
              .where('channel_id', '=', channelId)
              .where((eb) =>
                eb.or([
                  ...(skus.length > 0 ? [eb('sku', 'in', skus)] : []),
                  ...(exts.length > 0 ? [eb('external_id', 'in', exts)] : []),
                ]),
              )
              .execute();
      const fresh: Row<'products'>[] = [];
      for (const input of rows) {
        const hit =
          (input.sku != null ? existing.find((e) => e.sku === input.sku) : undefined) ??
          (input.externalId != null
            ? existing.find((e) => e.external_id === input.externalId)
            : undefined);
        if (hit) await this.updateExisting(trx, hit.id, input);
        else fresh.push(this.productRow(channelId, input));
      }
      try {
        for (let i = 0; i < fresh.length; i += 100) {
          await trx
            .insertInto('products')
            .values(fresh.slice(i, i + 100))
            .execute();
        }
      } catch (e) {
        conflict(e, 'A product with this SKU or external ID');
      }
      return rows.length;
    });
  }

  private async updateExisting(trx: Db, id: string, input: ProductInput): Promise<void> {
    const set: Partial<Row<'products'>> = {
      name: input.name,
      price: input.price,
      currency: input.currency,
    };
    if (input.sku !== undefined) set.sku = input.sku;
    if (input.externalId !== undefined) set.external_id = input.externalId;
    if (input.imageUrl !== undefined) set.image_url = input.imageUrl;
    if (input.pageUrl !== undefined) set.page_url = input.pageUrl;
    try {
      await trx.updateTable('products').set(set).where('id', '=', id).execute();
    } catch (e) {
      conflict(e, 'A product with this SKU or external ID');
    }
  }

  // ---------------------------------------------------------------- calls (CallQueries.ts)

  reserveAgentAndCreateCall(input: NewCall): Promise<ReserveResult> {
    return this.hot.reserveAgentAndCreateCall(input);
  }
  transitionCall(
    callId: string,
    to: CallStatus,
    at: Date,
    end?: { reason: EndReason; detail?: string | null },
  ): Promise<MovedCall | null> {
    return this.hot.transitionCall(callId, to, at, end);
  }
  getCall(id: string): Promise<Call | null> {
    return this.hot.getCall(id);
  }
  listCalls(filter: CallFilter): Promise<PageOf<Call>> {
    return this.calls.listCalls(filter);
  }
  listOpenCalls(channelId?: string): Promise<Call[]> {
    return this.calls.listOpenCalls(channelId);
  }
  setCallProducts(callId: string, productIds: string[]): Promise<Product[]> {
    return this.calls.setCallProducts(callId, productIds);
  }
  recordProductEvent(
    callId: string,
    productId: string,
    kind: 'click' | 'add_to_cart',
    at: Date,
  ): Promise<void> {
    return this.calls.recordProductEvent(callId, productId, kind, at);
  }
  recordLinkQuality(
    callId: string,
    side: 'visitor' | 'agent',
    quality: LinkQuality,
    at: Date,
  ): Promise<void> {
    return this.calls.recordLinkQuality(callId, side, quality, at);
  }
  setCallRating(callId: string, rating: number): Promise<Call | null> {
    return this.calls.setCallRating(callId, rating);
  }
  setCallNotes(callId: string, notes: string): Promise<Call | null> {
    return this.calls.setCallNotes(callId, notes);
  }
  bumpMissedCalls(agentId: string, reset: boolean): Promise<number> {
    return this.hot.bumpMissedCalls(agentId, reset);
  }
  getAgentCurrentCall(agentId: string): Promise<string | null> {
    return this.hot.getAgentCurrentCall(agentId);
  }

  // ---------------------------------------------------------------- callbacks

  async createCallback(input: {
    channelId: string;
    callId?: string | null;
    name: string;
    contact: string;
    note?: string;
    pageUrl?: string | null;
    at: Date;
  }): Promise<CallbackRequest> {
    const row: Row<'callbacks'> = {
      id: newId(),
      channel_id: input.channelId,
      call_id: input.callId ?? null,
      name: input.name,
      contact: input.contact,
      note: input.note ?? '',
      page_url: input.pageUrl ?? null,
      status: 'open',
      taken_by: null,
      created_at: input.at.getTime(),
    };
    await this.db.insertInto('callbacks').values(row).execute();
    return toCallback(row);
  }

  async listCallbacks(
    channelId: string,
    query: { status?: CallbackRequest['status']; limit: number; cursor?: string },
  ): Promise<PageOf<CallbackRequest>> {
    let q = this.db.selectFrom('callbacks').selectAll().where('channel_id', '=', channelId);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.cursor !== undefined) {
      const [at, id] = decodeCursor(query.cursor, 'number');
      q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(at, id)));
    }
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return page(rows, query.limit, toCallback, (r) => [r.created_at, r.id]);
  }

  async updateCallback(
    channelId: string,
    id: string,
    patch: { status: CallbackRequest['status']; takenBy?: string | null },
  ): Promise<CallbackRequest | null> {
    const set: Partial<Row<'callbacks'>> = { status: patch.status };
    if (patch.takenBy !== undefined) set.taken_by = patch.takenBy;
    await this.db
      .updateTable('callbacks')
      .set(set)
      .where('channel_id', '=', channelId)
      .where('id', '=', id)
      .execute();
    const r = await this.db
      .selectFrom('callbacks')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toCallback(r) : null;
  }

  // ---------------------------------------------------------------- webhooks

  createWebhook(channelId: string, url: string, secret: string, at: Date): Promise<Webhook> {
    return this.webhooks.createWebhook(channelId, url, secret, at);
  }
  listWebhooks(channelId: string): Promise<Webhook[]> {
    return this.webhooks.listWebhooks(channelId);
  }
  deleteWebhook(channelId: string, id: string): Promise<boolean> {
    return this.webhooks.deleteWebhook(channelId, id);
  }
  enqueueWebhookEvent(input: {
    channelId: string;
    eventId: string;
    event: WebhookEventType;
    payload: string;
    at: Date;
  }): Promise<number> {
    return this.webhooks.enqueueWebhookEvent(input);
  }
  claimWebhookDeliveries(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
    return this.webhooks.claimWebhookDeliveries(now, leaseUntil, limit);
  }
  recordWebhookAttempt(
    id: string,
    result: {
      at: Date;
      statusCode: number | null;
      error: string | null;
      outcome: 'delivered' | 'failed' | 'retry';
      retryAt?: Date;
    },
  ): Promise<void> {
    return this.webhooks.recordWebhookAttempt(id, result);
  }
  listWebhookDeliveries(
    channelId: string,
    webhookId: string,
    query: { limit: number; cursor?: string },
  ): Promise<PageOf<WebhookDelivery>> {
    return this.webhooks.listWebhookDeliveries(channelId, webhookId, query);
  }
}
