/**
 * Row ↔ wire mappings and small helpers shared by the Kysely storage classes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import {
  DEFAULT_CHANNEL_SETTINGS,
  FluxError,
  type AgentStatus,
  type ApiKey,
  type Call,
  type CallbackRequest,
  type CallStatus,
  type EndReason,
  type ChannelSettings,
  type PageOf,
  type Product,
  type User,
  type UserRole,
  type VisitorUser,
} from '@flux/protocol';
import type { StoredChannel } from '../Storage.ts';
import type { Database } from './schema.ts';
import { encodeCursor } from '../cursor.ts';

export type Db = Kysely<Database> | Transaction<Database>;
export type Row<T extends keyof Database> = Selectable<Database[T]>;

/** URL-safe random id (16 chars). */
let lastMs = 0;
let seq = 0;

/**
 * A new row id: 9 base36 characters of the creation time, 4 of a per-process sequence, then
 * 12 random base64url characters. Ids made by one process sort in creation order, so lists
 * ordered by (created_at, id) are deterministic even for rows created in the same millisecond.
 */
export function newId(): string {
  const now = Date.now();
  if (now === lastMs) seq += 1;
  else {
    lastMs = now;
    seq = 0;
  }
  const time = now.toString(36).padStart(9, '0');
  const order = (seq % 36 ** 4).toString(36).padStart(4, '0');
  return time + order + randomBytes(9).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toChannel(r: Row<'channels'>): StoredChannel {
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

export function toUser(r: Row<'users'>): User {
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

export function toApiKey(r: Row<'api_keys'>): ApiKey {
  return {
    id: r.id,
    label: r.label,
    prefix: r.prefix,
    createdAt: iso(r.created_at),
    revokedAt: isoOrNull(r.revoked_at),
  };
}

export function toProduct(r: Row<'products'>): Product {
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

/** A call row (with its agent's name) and its products, in order → the wire shape. */
export function toCall(r: Row<'calls'>, agentName: string, products: Product[]): Call {
  const connected = r.connected_at;
  const ended = r.ended_at;
  return {
    id: r.id,
    channelId: r.channel_id,
    agentId: r.agent_id,
    agentName,
    status: r.status as CallStatus,
    endReason: r.end_reason as EndReason | null,
    endDetail: r.end_detail,
    pageUrl: r.page_url,
    visitor: parseJson<VisitorUser>(r.visitor, {}),
    products,
    unknownProductIds: parseJson<string[]>(r.unknown_product_ids, []),
    requestedAt: iso(r.requested_at),
    ringingAt: isoOrNull(r.ringing_at),
    connectedAt: isoOrNull(connected),
    endedAt: isoOrNull(ended),
    durationSeconds:
      connected !== null && ended !== null
        ? Math.max(0, Math.round((ended - connected) / 1000))
        : null,
    rating: r.rating,
    notes: r.notes,
    weakSeconds: {
      visitor: weakSeconds(r.visitor_weak_ms, r.visitor_weak_since, ended),
      agent: weakSeconds(r.agent_weak_ms, r.agent_weak_since, ended),
    },
  };
}

/**
 * A side's weak time: its ended spells, and the one still going up to the call's end (or to
 * the moment of the read while the call is up). Rounded as the duration is (so it is never
 * longer), but a weak time under half a second counts as 1 s: the call log's filter lists such
 * a call, and a side judges its link weak only after two poor windows of statistics (4 s), so
 * even the shortest spell stands for a weak link.
 */
function weakSeconds(ms: number, since: number | null, ended: number | null): number {
  const total = ms + (since === null ? 0 : Math.max(0, (ended ?? Date.now()) - since));
  return total > 0 ? Math.max(1, Math.round(total / 1000)) : 0;
}

export function toCallback(r: Row<'callbacks'>): CallbackRequest {
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

export function conflict(e: unknown, what: string): never {
  if (isUniqueViolation(e)) throw new FluxError('FLX_ERR_CONFLICT', `${what} already exists.`);
  throw e;
}

export const STATUS_COLUMN = {
  requested: 'requested_at',
  ringing: 'ringing_at',
  connected: 'connected_at',
  ended: 'ended_at',
} as const satisfies Record<CallStatus, keyof Database['calls']>;

/** A page of `limit` items from `limit + 1` rows, with the cursor of the last one. */

export function page<R, T>(
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
