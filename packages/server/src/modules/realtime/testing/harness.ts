/**
 * Test harness: the real app (buildApp) listening on 127.0.0.1:0 with a channel, agents
 * (signed in: session cookies), products and visitor tokens ready.
 */
import type { ChannelSettings, User } from '@flux/protocol';
import { SESSION_COOKIE, WS_PATH } from '@flux/protocol';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildApp } from '../../../app.ts';
import { signVisitorToken, VISITOR_TOKEN_SECRET_NAME } from '../../../auth/visitorToken.ts';
import { loadConfig } from '../../../config.ts';
import { createStorage } from '../../../storage/createStorage.ts';
import type { Storage, StoredChannel } from '../../../storage/Storage.ts';
import { createTestDatabase, type TestDatabase } from '../../../testing/databases.ts';
import type { RealtimeOptions } from '../index.ts';
import { WsTestClient } from './WsTestClient.ts';

export const TEST_ORIGIN = 'https://shop.test';

/** Short timings so tests of timeouts stay fast. */
export const FAST_OPTIONS: Partial<RealtimeOptions> = {
  heartbeatMs: 1000,
  helloTimeoutMs: 500,
  graceMs: 1500,
  sweepMs: 500,
  coalesceMs: 20,
  busHeartbeatMs: 500,
};

export interface TestServer {
  app: FastifyInstance;
  storage: Storage;
  wsUrl: string;
  httpUrl: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  databaseUrl: string;
  redisUrl?: string;
  realtime?: Partial<RealtimeOptions>;
  /** Used instead of one the server creates (and then not closed by it). */
  storage?: Storage;
  /** Further environment variables for loadConfig. */
  env?: Record<string, string>;
}

/** The URLs of an app listening on the loopback. */
export function listeningUrls(app: FastifyInstance): { wsUrl: string; httpUrl: string } {
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { wsUrl: `ws://127.0.0.1:${port}${WS_PATH}`, httpUrl: `http://127.0.0.1:${port}` };
}

export async function startServer(o: ServerOptions): Promise<TestServer> {
  const env: Record<string, string> = {
    DATABASE_URL: o.databaseUrl,
    LOG_LEVEL: 'silent',
    PORT: '0',
    PUBLIC_URL: 'http://127.0.0.1:1',
  };
  if (o.redisUrl) env.REDIS_URL = o.redisUrl;
  const config = loadConfig({ ...env, ...o.env });
  const storage = o.storage ?? createStorage(config.databaseUrl);
  const app = await buildApp(config, {
    storage,
    scryptN: 1024,
    logger: false,
    realtime: { ...FAST_OPTIONS, ...o.realtime },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    storage,
    ...listeningUrls(app),
    async close() {
      await app.close();
      if (!o.storage) await storage.close();
    },
  };
}

/** A server that a suite starts and stops itself: the handle has no `close`. */
export type SuiteServer = Omit<TestServer, 'close'>;

/**
 * The server of one test file or describe block: in beforeAll a new SQLite database and
 * `startServer` on it with these options; in afterAll the server is closed and the database
 * dropped. The handle reads through to that server, so use it inside tests and hooks (hooks
 * registered after this call run after the server started).
 */
export function suiteServer(
  o: Omit<ServerOptions, 'databaseUrl' | 'storage'> & {
    /** The storage to use, made on the suite's database (the server does not close it). */
    storage?: (databaseUrl: string) => Storage;
  } = {},
): SuiteServer {
  let db: TestDatabase | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    const { storage, ...rest } = o;
    server = await startServer({
      ...rest,
      databaseUrl: db.url,
      ...(storage ? { storage: storage(db.url) } : {}),
    });
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });
  const started = (): TestServer => {
    if (!server) throw new Error('the suite server starts in beforeAll: use it in tests and hooks');
    return server;
  };
  return {
    get app() {
      return started().app;
    },
    get storage() {
      return started().storage;
    },
    get wsUrl() {
      return started().wsUrl;
    },
    get httpUrl() {
      return started().httpUrl;
    },
  };
}

export interface Fixture {
  channel: StoredChannel;
  agents: User[];
  cookies: string[];
  visitorToken(origin?: string, expiresInMs?: number): Promise<string>;
}

/** A channel with `n` online agents (tags given per agent) and three products. */
export async function seed(
  storage: Storage,
  o: { agents?: { name: string; tags?: string[] }[]; settings?: Partial<ChannelSettings> } = {},
): Promise<Fixture> {
  const slug = `shop-${Math.random().toString(36).slice(2, 8)}`;
  const channel = await storage.createChannel({
    slug,
    name: 'Test shop',
    ...(o.settings ? { settings: o.settings } : {}),
  });
  const specs = o.agents ?? [{ name: 'Ada', tags: ['hats'] }];
  const agents: User[] = [];
  const cookies: string[] = [];
  for (const [i, spec] of specs.entries()) {
    const u = await storage.createUser({
      channelId: channel.id,
      email: `agent${i}-${slug}@shop.test`,
      name: spec.name,
      role: 'agent',
      passwordHash: 'x',
      tags: spec.tags ?? [],
    });
    const online = await storage.updateUser(u.id, { status: 'online' });
    agents.push(online ?? u);
    const token = await storage.createSession(u.id, new Date(Date.now() + 3600_000));
    cookies.push(`${SESSION_COOKIE}=${token}`);
  }
  for (const [sku, name] of [
    ['HAT-1', 'Blue hat'],
    ['HAT-2', 'Red hat'],
    ['HAT-3', 'Green hat'],
  ] as const) {
    await storage.createProduct(channel.id, { sku, name, price: 1999, currency: 'EUR' });
  }
  const secret = await storage.getOrCreateSecret(VISITOR_TOKEN_SECRET_NAME);
  return {
    channel,
    agents,
    cookies,
    visitorToken: (origin = TEST_ORIGIN, expiresInMs = 600_000) =>
      Promise.resolve(
        signVisitorToken(secret, {
          channelId: channel.id,
          channelSlug: channel.slug,
          origin,
          expiresAt: new Date(Date.now() + expiresInMs),
        }),
      ),
  };
}

/** A visitor socket that said hello. */
export async function visitor(
  server: SuiteServer,
  fx: Fixture,
): Promise<{ ws: WsTestClient; sessionId: string }> {
  const ws = new WsTestClient(server.wsUrl, { origin: TEST_ORIGIN });
  const w = await ws.hello('visitor', { token: await fx.visitorToken() });
  return { ws, sessionId: w.sessionId };
}

/**
 * The client's connection dies without closing (a laptop shut, a process that hangs): it reads
 * nothing more, so it answers no ping, and the server's socket stays open.
 */
export function silence(c: WsTestClient): void {
  (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
}

/** A console socket of agent `i` that said hello. */
export async function agent(server: SuiteServer, fx: Fixture, i = 0): Promise<WsTestClient> {
  const ws = new WsTestClient(server.wsUrl, {
    origin: server.httpUrl,
    cookie: fx.cookies[i] ?? '',
  });
  await ws.hello('agent');
  return ws;
}

/**
 * Changes the channel's settings as one of its admins does in the console: PATCH
 * /admin/settings on `app` (a new admin of the channel is signed in for it).
 */
export async function changeSettings(
  app: FastifyInstance,
  storage: Storage,
  fx: Fixture,
  settings: Partial<ChannelSettings>,
): Promise<void> {
  const admin = await storage.createUser({
    channelId: fx.channel.id,
    email: `admin-${Math.random().toString(36).slice(2, 8)}-${fx.channel.slug}@shop.test`,
    name: 'Sam',
    role: 'admin',
    passwordHash: 'x',
    tags: [],
  });
  const token = await storage.createSession(admin.id, new Date(Date.now() + 3600_000));
  const res = await app.inject({
    method: 'PATCH',
    url: '/api/v1/admin/settings',
    headers: { 'x-flux-console': '1', cookie: `${SESSION_COOKIE}=${token}` },
    payload: settings,
  });
  if (res.statusCode !== 200)
    throw new Error(`PATCH /admin/settings: ${res.statusCode} ${res.body}`);
}

/** The value, or a thrown error when it is missing (instead of a non-null assertion). */
export function must<T>(v: T | null | undefined, what = 'value'): T {
  if (v === null || v === undefined) throw new Error(`missing ${what}`);
  return v;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A visitor's offer, a console's answer and an ICE candidate, as the tests' calls send them. */
export const OFFER = { type: 'offer' as const, sdp: 'v=0 offer' };
export const ANSWER = { type: 'answer' as const, sdp: 'v=0 answer' };
export const CANDIDATE = {
  candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

/** `from` sends CANDIDATE on the call; resolves once `to` got exactly that. */
export async function relayCandidate(
  from: WsTestClient,
  to: WsTestClient,
  callId: string,
): Promise<void> {
  await from.request({
    type: 'call.signal',
    callId,
    signal: { kind: 'candidate', candidate: CANDIDATE },
  });
  expect((await to.next('call.signal')).signal).toEqual({
    kind: 'candidate',
    candidate: CANDIDATE,
  });
}
