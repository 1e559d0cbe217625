/**
 * API test fixture: a real app (buildApp, never listening) on a fresh database of the given
 * kind, with two channels seeded through storage:
 *   acme  (origin https://shop.acme.test, localhost NOT allowed): admin, two agents, a key,
 *         a revoked key, two products
 *   other (allows localhost): one admin, its own key
 * Requests go through `app.inject()`.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { ApiErrorBody, Product, User } from '@flux/protocol';
import { buildApp, type AppOverrides } from '../app.ts';
import { loadConfig } from '../config.ts';
import type { Storage, StoredChannel } from '../storage/Storage.ts';
import { createTestDatabase, type DbKind, type TestDatabase } from './databases.ts';
import { hashPassword } from '../auth/password.ts';

export const TEST_SCRYPT_N = 1024;
export const PASSWORD = 'correct horse battery';
export const ORIGIN = 'https://shop.acme.test';
export const CONSOLE = { 'x-flux-console': '1' } as const;

const TABLES = [
  'channels',
  'server_secrets',
  'api_keys',
  'allowed_origins',
  'users',
  'sessions',
  'photos',
  'products',
  'calls',
  'call_products',
  'call_product_events',
  'callbacks',
] as const;

export interface Fixture {
  kind: DbKind;
  app: FastifyInstance;
  storage: Storage;
  db: TestDatabase;
  acme: StoredChannel;
  other: StoredChannel;
  key: string;
  revokedKey: string;
  otherKey: string;
  admin: User;
  agent: User;
  agent2: User;
  otherAdmin: User;
  shirt: Product;
  pants: Product;
  /** Signs in and returns the Cookie header value. */
  signIn(email: string, channel?: string, password?: string): Promise<string>;
  /** Row count of every table (through a separate connection). */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function createFixture(
  kind: DbKind,
  env: Record<string, string> = {},
  /** Realtime options (a test on the shared Redis gives its own key prefix). */
  realtime?: AppOverrides['realtime'],
): Promise<Fixture> {
  const db = await createTestDatabase(kind);
  const config = loadConfig({
    DATABASE_URL: db.url,
    PUBLIC_URL: 'http://flux.test',
    LOG_LEVEL: 'silent',
    STATIC_ROOT: '/nonexistent-flux-static',
    PUBLIC_RATE_LIMIT: '100000',
    SIGN_IN_RATE_LIMIT: '100000',
    ...env,
  });
  const app = await buildApp(config, {
    scryptN: TEST_SCRYPT_N,
    logger: false,
    ...(realtime ? { realtime } : {}),
  });
  const storage = app.ctx.storage;
  const hash = await hashPassword(PASSWORD, TEST_SCRYPT_N);

  const acme = await storage.createChannel({ slug: 'acme', name: 'Acme Hats' });
  await storage.addOrigin(acme.id, ORIGIN);
  const { key } = await storage.createApiKey(acme.id, 'Shop');
  const revoked = await storage.createApiKey(acme.id, 'Old');
  await storage.revokeApiKey(acme.id, revoked.apiKey.id, new Date());
  const user = (
    email: string,
    name: string,
    role: 'admin' | 'agent',
    channelId: string,
    tags: string[] = [],
  ) => storage.createUser({ channelId, email, name, role, passwordHash: hash, tags });
  const admin = await user('admin@acme.test', 'Ada Admin', 'admin', acme.id);
  const agent = await user('mia@acme.test', 'Mia', 'agent', acme.id, ['fashion-support']);
  const agent2 = await user('jo@acme.test', 'Jo', 'agent', acme.id, ['hats']);
  const shirt = await storage.createProduct(acme.id, {
    sku: 'ITM-BLUE-SHIRT',
    name: 'Blue Oxford Shirt',
    price: 4900,
    currency: 'EUR',
    pageUrl: '/product/123',
  });
  const pants = await storage.createProduct(acme.id, {
    externalId: 'EXT-RED-PANTS',
    name: 'Red Chino Pants',
    price: 5900,
    currency: 'EUR',
  });

  const other = await storage.createChannel({ slug: 'other', name: 'Other', allowLocalhost: true });
  const otherKey = (await storage.createApiKey(other.id, 'Other shop')).key;
  const otherAdmin = await user('admin@other.test', 'Otto', 'admin', other.id);

  return {
    kind,
    app,
    storage,
    db,
    acme,
    other,
    key,
    revokedKey: revoked.key,
    otherKey,
    admin,
    agent,
    agent2,
    otherAdmin,
    shirt,
    pants,
    async signIn(email, channel = 'acme', password = PASSWORD) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        headers: CONSOLE,
        payload: { channel, email, password },
      });
      if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.body}`);
      const c = res.cookies.find((x) => x.name === 'flux_session');
      if (!c) throw new Error('no session cookie');
      return `flux_session=${c.value}`;
    },
    async counts() {
      const out: Record<string, number> = {};
      if (kind === 'sqlite') {
        const raw = new BetterSqlite3(db.url.replace(/^sqlite:/, ''), { readonly: true });
        try {
          for (const t of TABLES) {
            out[t] = (raw.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n;
          }
        } finally {
          raw.close();
        }
      } else {
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        try {
          for (const t of TABLES) {
            const r = await c.query<{ n: string }>(`select count(*) as n from ${t}`);
            out[t] = Number(r.rows[0]?.n);
          }
        } finally {
          await c.end();
        }
      }
      return out;
    },
    async close() {
      await app.close(); // closes its storage too
      await db.drop();
    },
  };
}

/** The parsed error body of a response (fails the test when it is not one). */
export function errorOf(res: LightMyRequestResponse): ApiErrorBody['error'] {
  const body = res.json<ApiErrorBody>();
  if (typeof body.error.code !== 'string') throw new Error(`not an error body: ${res.body}`);
  return body.error;
}

/** `{ status, code }` of an error response, for compact assertions. */
export function failure(res: LightMyRequestResponse): { status: number; code: string } {
  return { status: res.statusCode, code: errorOf(res).code };
}
