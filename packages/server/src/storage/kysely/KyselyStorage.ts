/**
 * The one query layer behind both storage adapters. Everything here is portable SQL through
 * Kysely; the dialect-specific parts (connection setup, blob type, error codes) live in
 * `../sqlite.ts`, `../postgres.ts` and `./migrations.ts`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Kysely, type Selectable, type Transaction, sql } from 'kysely';
import {
  CALL_STATUSES,
  canTransition,
  DEFAULT_CHANNEL_SETTINGS,
  FluxError,
  type AgentStatus,
  type AllowedOrigin,
  type ApiKey,
  type Call,
  type CallbackRequest,
  type CallStatus,
  type ChannelSettings,
  type EndReason,
  type PageOf,
  type Product,
  type ProductInput,
  type ProductPatch,
  type User,
  type UserRole,
  type VisitorUser,
} from '@flux/protocol';
import type {
  CallFilter,
  NewCall,
  NewUser,
  Photo,
  ReserveResult,
  Storage,
  StoredChannel,
  UserPatch,
} from '../Storage.ts';
import type { Database } from './schema.ts';
import { migrateToLatest } from './migrations.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';

type Db = Kysely<Database> | Transaction<Database>;
type Row<T extends keyof Database> = Selectable<Database[T]>;

/** URL-safe random id (16 chars). */
export function newId(): string {
  return randomBytes(12).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toChannel(r: Row<'channels'>): StoredChannel {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    settings: {
      ...DEFAULT_CHANNEL_SETTINGS,
      ...parseJson<Partial<ChannelSettings>>(r.settings, {}),
    },
    allowLocalhost: r.allow_localhost === 1,
  };
}

function toUser(r: Row<'users'>): User {
  return {
    id: r.id,
    channelId: r.channel_id,
    email: r.email,
    name: r.name,
    role: r.role as UserRole,
    status: r.status as AgentStatus,
    tags: parseJson<string[]>(r.tags, []),
    profilePhotoUrl: r.profile_photo_url ?? '',
    active: r.active === 1,
    createdAt: iso(r.created_at),
  };
}

function toApiKey(r: Row<'api_keys'>): ApiKey {
  return {
    id: r.id,
    label: r.label,
    prefix: r.prefix,
    createdAt: iso(r.created_at),
    revokedAt: isoOrNull(r.revoked_at),
  };
}

function toProduct(r: Row<'products'>): Product {
  return {
    id: r.id,
    sku: r.sku,
    externalId: r.external_id,
    name: r.name,
    price: r.price,
    currency: r.currency,
    imageUrl: r.image_url,
    pageUrl: r.page_url,
  };
}

function toCallback(r: Row<'callbacks'>): CallbackRequest {
  return {
    id: r.id,
    channelId: r.channel_id,
    callId: r.call_id,
    name: r.name,
    contact: r.contact,
    note: r.note,
    pageUrl: r.page_url,
    status: r.status as CallbackRequest['status'],
    takenBy: r.taken_by,
    createdAt: iso(r.created_at),
  };
}

/** True when `e` is a unique-constraint violation in either dialect. */
export function isUniqueViolation(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const code = (e as { code?: unknown }).code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

function conflict(e: unknown, what: string): never {
  if (isUniqueViolation(e)) throw new FluxError('FLX_ERR_CONFLICT', `${what} already exists.`);
  throw e;
}

const STATUS_COLUMN = {
  requested: 'requested_at',
  ringing: 'ringing_at',
  connected: 'connected_at',
  ended: 'ended_at',
} as const satisfies Record<CallStatus, keyof Database['calls']>;

export class KyselyStorage implements Storage {
  constructor(
    readonly kind: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
    private readonly onClose: () => Promise<void> = () => Promise.resolve(),
  ) {}

  async migrate(): Promise<void> {
    await migrateToLatest(this.db as unknown as Kysely<unknown>, this.kind);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
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

  async getChannel(id: string): Promise<StoredChannel | null> {
    const r = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toChannel(r) : null;
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

  async getUser(id: string): Promise<User | null> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : null;
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
    page: { limit: number; cursor?: string },
  ): Promise<PageOf<User>> {
    let q = this.db.selectFrom('users').selectAll().where('channel_id', '=', channelId);
    if (page.cursor !== undefined) {
      const [at, id] = decodeCursor(page.cursor, 'number');
      q = q.where((eb) =>
        eb.or([eb('created_at', '>', at), eb.and([eb('created_at', '=', at), eb('id', '>', id)])]),
      );
    }
    const rows = await q
      .orderBy('created_at')
      .orderBy('id')
      .limit(page.limit + 1)
      .execute();
    return this.page(rows, page.limit, toUser, (r) => [r.created_at, r.id]);
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
    await this.db
      .insertInto('photos')
      .values({ id, user_id: userId, content_type: contentType, bytes, created_at: at.getTime() })
      .execute();
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
      q = q.where((eb) =>
        eb.or([eb('name', '>', name), eb.and([eb('name', '=', name), eb('id', '>', id)])]),
      );
    }
    const rows = await q
      .orderBy('name')
      .orderBy('id')
      .limit(query.limit + 1)
      .execute();
    return this.page(rows, query.limit, toProduct, (r) => [r.name, r.id]);
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

  // ---------------------------------------------------------------- calls

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
      q = q.where((eb) =>
        eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
      );
    }
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return this.page(rows, query.limit, toCallback, (r) => [r.created_at, r.id]);
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

  // ---------------------------------------------------------------- helpers

  private page<R, T>(
    rows: R[],
    limit: number,
    map: (r: R) => T,
    key: (r: R) => [number | string, string],
  ): PageOf<T> {
    const more = rows.length > limit;
    const pageRows = rows.slice(0, limit);
    const last = pageRows.at(-1);
    return {
      items: pageRows.map(map),
      nextCursor: more && last !== undefined ? encodeCursor(key(last)) : null,
    };
  }
}
