import { randomUUID } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { CONSOLE, createFixture, failure, PASSWORD, type Fixture } from './testing/apiHarness.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from './testing/databases.ts';
import { DEMO_API_KEY, DEMO_PASSWORD } from './demo/seed.ts';
import { createStorage } from './storage/createStorage.ts';
import { createAdmin } from './cli.ts';

const kinds = await databaseKinds('App');

describe.each(kinds)('app basics on %s', (kind) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture(kind);
  });
  afterAll(() => f.close());

  it('answers /healthz and /readyz', async () => {
    expect((await f.app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
    expect((await f.app.inject({ url: '/readyz' })).json()).toEqual({ ok: true, storage: kind });
  });

  it('serves the OpenAPI document and the docs UI', async () => {
    const doc = await f.app.inject({ url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    const paths = Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths);
    for (const p of [
      '/api/v1/public/channels/{channelId}/agents',
      '/api/v1/auth/sign-in',
      '/api/v1/me/photo',
      '/api/v1/admin/products/import',
      '/api/v1/admin/calls',
    ]) {
      expect(paths).toContain(p);
    }
    expect((await f.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('maps unknown routes and methods to FLX_ERR_NOT_FOUND', async () => {
    expect(failure(await f.app.inject({ url: '/api/v1/nope' }))).toEqual({
      status: 404,
      code: 'FLX_ERR_NOT_FOUND',
    });
    expect(failure(await f.app.inject({ method: 'DELETE', url: '/api/v1/me' })).code).toBe(
      'FLX_ERR_NOT_FOUND',
    );
  });

  it('refuses huge and malformed bodies with JSON errors, never a 500', async () => {
    const cookie = await f.signIn('mia@acme.test');
    const huge = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { ...CONSOLE, cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(failure(huge)).toEqual({ status: 413, code: 'FLX_ERR_BODY_TOO_LARGE' });
    for (const payload of ['', '{', 'null', '"str"', '[1,2]', '{"name":"a","name":"b"', '\u0000']) {
      const res = await f.app.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers: { ...CONSOLE, cookie, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode, JSON.stringify(payload)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, JSON.stringify(payload)).toBeLessThan(500);
      expect(['FLX_ERR_BAD_REQUEST', 'FLX_ERR_VALIDATION']).toContain(failure(res).code);
    }
    const proto = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { ...CONSOLE, cookie, 'content-type': 'application/json' },
      payload: '{"__proto__":{"role":"admin"},"name":"x"}',
    });
    expect(failure(proto).code).toBe('FLX_ERR_BAD_REQUEST');
    expect((await f.storage.getUser(f.agent.id))?.role).toBe('agent');
  });
});

describe('demo mode and static files (SQLite)', () => {
  let db: TestDatabase;
  let root: string;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    root = mkdtempSync(join(tmpdir(), 'flux-static-'));
    const files: Record<string, string> = {
      'packages/sdk/dist/flux-player.js': 'console.log("entry")',
      'packages/sdk/dist/chunks/calls-AbCd1234Ef.js': 'export const x = 1',
      'apps/console/dist/index.html': '<!doctype html><title>Console</title>',
      'apps/console/dist/assets/app-Zx9y8w7v.js': 'app()',
      'apps/demo-shop/dist/index.html': '<!doctype html><title>Groovy Hats</title>',
      'apps/demo-shop/dist/product/123.html': '<!doctype html><title>Blue shirt</title>',
      'apps/demo-shop/dist/product/124/index.html': '<!doctype html><title>Red pants</title>',
      'apps/demo-shop/dist/demo/avatars/mia.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    };
    for (const [p, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), content);
    }
  });
  afterAll(async () => {
    rmSync(root, { recursive: true, force: true });
    await db.drop();
  });

  const demoConfig = () =>
    loadConfig(
      {
        DATABASE_URL: db.url,
        LOG_LEVEL: 'silent',
        STATIC_ROOT: root,
        PUBLIC_URL: 'http://localhost:8080',
      },
      ['--demo'],
    );

  it('seeds the demo channel once; a second start keeps the data and adds nothing', async () => {
    const app = await buildApp(demoConfig(), { scryptN: 1024, logger: false });
    try {
      const agents = await app.inject({
        url: `/api/v1/public/channels/groovy-hats/products?apiKey=${DEMO_API_KEY}&ids=ITM-BLUE-SHIRT,EXT-RED-PANTS`,
        headers: { origin: 'http://localhost:8080' },
      });
      expect(agents.json()).toMatchObject({
        products: [
          {
            sku: 'ITM-BLUE-SHIRT',
            name: 'Blue Oxford Shirt',
            price: 4900,
            currency: 'EUR',
            pageUrl: '/product/123',
          },
          { externalId: 'EXT-RED-PANTS', name: 'Red Chino Pants', price: 5900, currency: 'EUR' },
        ],
        unknownIds: [],
      });
      const signIn = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        headers: CONSOLE,
        payload: { channel: 'groovy-hats', email: 'mia@groovy-hats.test', password: DEMO_PASSWORD },
      });
      expect(signIn.json()).toMatchObject({
        user: {
          name: 'Mia Alvarez',
          tags: ['fashion-support', 'styling'],
          profilePhotoUrl: '/demo/avatars/mia.svg',
        },
      });
      // a change made in the demo survives the restart
      const cookie = `flux_session=${signIn.cookies.find((c) => c.name === 'flux_session')?.value ?? ''}`;
      await app.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers: { ...CONSOLE, cookie },
        payload: { name: 'Mia A.' },
      });
    } finally {
      await app.close();
    }
    const count = async () => {
      const s = createStorage(db.url);
      const ch = await s.getChannelBySlug('groovy-hats');
      const users = await s.listUsers(ch?.id ?? '', { limit: 100 });
      const products = await s.listProducts(ch?.id ?? '', { limit: 100 });
      const keys = await s.listApiKeys(ch?.id ?? '');
      await s.close();
      return {
        users: users.items.map((u) => u.name),
        products: products.items.length,
        keys: keys.length,
      };
    };
    const first = await count();
    const s2 = createStorage(db.url);
    const demo = await s2.getChannelBySlug('groovy-hats');
    expect((await s2.listOrigins(demo?.id ?? '')).map((o) => o.origin)).toEqual([
      'http://localhost:8080',
    ]);
    await s2.close();
    expect(first.users).toContain('Mia A.');
    expect(first.users).toHaveLength(4);
    expect(first.products).toBeGreaterThanOrEqual(8);
    const again = await buildApp(demoConfig(), { scryptN: 1024, logger: false });
    await again.close();
    expect(await count()).toEqual(first);
  });

  it('serves the SDK with its cache and CORS headers', async () => {
    const app = await buildApp(demoConfig(), { scryptN: 1024, logger: false });
    try {
      const entry = await app.inject({ url: '/sdk/v1/flux-player.js' });
      expect(entry.statusCode).toBe(200);
      expect(entry.headers['cache-control']).toBe('public, max-age=300');
      expect(entry.headers['access-control-allow-origin']).toBe('*');
      expect(entry.headers['content-type']).toContain('javascript');
      const chunk = await app.inject({ url: '/sdk/v1/chunks/calls-AbCd1234Ef.js' });
      expect(chunk.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(failure(await app.inject({ url: '/sdk/v1/missing.js' })).code).toBe(
        'FLX_ERR_NOT_FOUND',
      );
      expect(failure(await app.inject({ url: '/sdk/v1/../../../package.json' })).code).toBe(
        'FLX_ERR_NOT_FOUND',
      );
      expect(failure(await app.inject({ url: '/sdk/v1/%2e%2e/%2e%2e/config.ts' })).code).toBe(
        'FLX_ERR_NOT_FOUND',
      );
    } finally {
      await app.close();
    }
  });

  it('serves the console as a single-page app and the demo shop pages', async () => {
    const app = await buildApp(demoConfig(), { scryptN: 1024, logger: false });
    try {
      expect((await app.inject({ url: '/console' })).statusCode).toBe(302);
      expect((await app.inject({ url: '/console/' })).body).toContain('<title>Console</title>');
      expect((await app.inject({ url: '/console/admin/agents' })).body).toContain(
        '<title>Console</title>',
      );
      expect((await app.inject({ url: '/console/assets/app-Zx9y8w7v.js' })).body).toBe('app()');
      expect((await app.inject({ url: '/console/assets/missing.js' })).statusCode).toBe(404);
      expect((await app.inject({ url: '/' })).body).toContain('Groovy Hats');
      expect((await app.inject({ url: '/product/123' })).body).toContain('Blue shirt');
      expect((await app.inject({ url: '/product/124' })).body).toContain('Red pants');
      expect(failure(await app.inject({ url: '/product/999' })).code).toBe(
        'FLX_ERR_PRODUCT_NOT_FOUND',
      );
      expect(
        (await app.inject({ url: '/demo/avatars/mia.svg' })).headers['content-type'],
      ).toContain('svg');
      expect(failure(await app.inject({ url: '/api/v1/unknown' })).code).toBe('FLX_ERR_NOT_FOUND');
    } finally {
      await app.close();
    }
  });

  it('starts without any build folders', async () => {
    const app = await buildApp(
      loadConfig(
        { DATABASE_URL: db.url, LOG_LEVEL: 'silent', STATIC_ROOT: join(root, 'nothing-here') },
        ['--demo'],
      ),
      { scryptN: 1024, logger: false },
    );
    try {
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect(failure(await app.inject({ url: '/sdk/v1/flux-player.js' })).code).toBe(
        'FLX_ERR_NOT_FOUND',
      );
      expect(failure(await app.inject({ url: '/console/' })).code).toBe('FLX_ERR_NOT_FOUND');
    } finally {
      await app.close();
    }
  });
});

describe('CLI create-admin (SQLite)', () => {
  it('creates a channel and its first admin, and prints a key once', async () => {
    const db = await createTestDatabase('sqlite');
    const prev = process.env.DATABASE_URL;
    process.env.DATABASE_URL = db.url;
    try {
      const lines: string[] = [];
      await createAdmin(
        [
          '--channel',
          'new-shop',
          '--name',
          'New Shop',
          '--email',
          'Boss@New.test',
          '--password',
          PASSWORD,
        ],
        (l) => lines.push(l),
      );
      expect(lines[0]).toBe('Created channel new-shop (New Shop).');
      const key = /pk_[A-Za-z0-9_-]+/.exec(lines.join('\n'))?.[0] ?? '';
      const s = createStorage(db.url);
      const ch = await s.getChannelBySlug('new-shop');
      expect(ch?.name).toBe('New Shop');
      expect((await s.getUserAuth(ch?.id ?? '', 'boss@new.test'))?.user.role).toBe('admin');
      expect((await s.findApiKey(ch?.id ?? '', key))?.revoked).toBe(false);
      await s.close();
    } finally {
      if (prev === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = prev;
      await db.drop();
    }
  });
});

describe('rate limits shared through Redis (REDIS_URL)', () => {
  const REDIS_URL = 'redis://127.0.0.1:6379';
  // the servers' bus keys (each process's liveness key lives 24 h) under a prefix of this
  // run's own, removed after
  const realtime = { redisPrefix: `flux-test-${randomUUID().slice(0, 8)}:` };
  const addresses: string[] = [];
  /** A client of the machine's Redis, or null when it is not there. */
  const connectRedis = async () => {
    const { Redis } = await import('ioredis');
    const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
    r.on('error', () => undefined);
    const up = await r.connect().then(
      () => true,
      () => false,
    );
    if (up) return r;
    r.disconnect();
    return null;
  };
  afterAll(async () => {
    const r = await connectRedis();
    if (!r) return;
    const keys = await r.keys(`${realtime.redisPrefix}*`);
    // and the rate limiter's counters of the addresses this run made up
    for (const a of addresses) keys.push(...(await r.keys(`flux-rate-limit:*|${a}|*`)));
    if (keys.length) await r.del(...keys);
    r.disconnect();
  });
  /** Skips (or, on CI, fails) when the machine's Redis is not there. */
  const needRedis = async (ctx: { skip: () => void }): Promise<boolean> => {
    const probe = await connectRedis();
    probe?.disconnect();
    if (probe) return true;
    if (process.env.CI === 'true')
      throw new Error('Redis at 127.0.0.1:6379 is unreachable and CI=true');
    console.warn('[SKIPPED] Redis-backed rate limit: Redis at 127.0.0.1:6379 is unreachable');
    ctx.skip();
    return false;
  };
  /**
   * A client address no earlier run used: the counters live in the shared Redis for the
   * window's 60 s, so a reused address would start with a spent budget.
   */
  const freshAddress = () => {
    const u = randomUUID();
    const address = `2001:db8:${u.slice(0, 4)}:${u.slice(4, 8)}:${u.slice(9, 13)}::7`;
    addresses.push(address);
    return address;
  };
  const agents = (app: FastifyInstance, apiKey: string, remoteAddress: string) =>
    app.inject({
      url: `/api/v1/public/channels/acme/agents?apiKey=${apiKey}`,
      headers: { origin: 'https://shop.acme.test' },
      remoteAddress,
    });

  it('counts requests of two processes against one budget', async (ctx) => {
    if (!(await needRedis(ctx))) return;
    const env = { REDIS_URL, PUBLIC_RATE_LIMIT: '3' };
    const a = await createFixture('sqlite', env, realtime);
    const b = await createFixture('sqlite', env, realtime);
    try {
      const remoteAddress = freshAddress();
      expect((await agents(a.app, a.key, remoteAddress)).statusCode).toBe(200);
      expect((await agents(b.app, b.key, remoteAddress)).statusCode).toBe(200);
      expect((await agents(a.app, a.key, remoteAddress)).statusCode).toBe(200);
      expect(failure(await agents(b.app, b.key, remoteAddress))).toEqual({
        status: 429,
        code: 'FLX_ERR_RATE_LIMITED',
      });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('counts the requests that arrive while the Redis connection is still being made', async (ctx) => {
    if (!(await needRedis(ctx))) return;
    // A proxy to Redis that holds back the rate limiter's connection (it names itself
    // flux-rate-limit; the bus's connections pass) until released: a slow first connection.
    const sockets = new Set<Socket>();
    const held: (() => void)[] = [];
    let holding = true;
    let sawLimiter = false;
    const release = () => {
      holding = false;
      for (const pass of held.splice(0)) pass();
    };
    const proxy = createServer((client) => {
      sockets.add(client);
      client.once('data', (first: Buffer) => {
        client.pause();
        const pass = () => {
          const upstream = connect(6379, '127.0.0.1');
          sockets.add(upstream);
          upstream.write(first);
          client.pipe(upstream).pipe(client);
          const end = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on('error', end).on('close', end);
          upstream.on('error', end).on('close', end);
        };
        const limiter = first.includes('flux-rate-limit');
        sawLimiter ||= limiter;
        if (holding && limiter) held.push(pass);
        else pass();
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const db = await createTestDatabase('sqlite');
    const app = await buildApp(
      loadConfig({
        DATABASE_URL: db.url,
        PUBLIC_URL: 'http://flux.test',
        LOG_LEVEL: 'silent',
        STATIC_ROOT: '/nonexistent-flux-static',
        REDIS_URL: `redis://127.0.0.1:${String((proxy.address() as AddressInfo).port)}`,
        PUBLIC_RATE_LIMIT: '2',
      }),
      { logger: false, realtime },
    );
    // An app that is ready before its limiter can count answers the first request uncounted;
    // one that waits for the connection is let through by this fallback.
    const fallback = setTimeout(release, 1000);
    try {
      await app.ready();
      const remoteAddress = freshAddress();
      // a malformed key: 400 once the limiter counted the request, 429 when the budget is spent
      const codes = [(await agents(app, 'none', remoteAddress)).statusCode];
      release();
      for (let i = 0; i < 2; i++) codes.push((await agents(app, 'none', remoteAddress)).statusCode);
      expect(sawLimiter).toBe(true);
      expect(codes).toEqual([400, 400, 429]);
    } finally {
      clearTimeout(fallback);
      release();
      await app.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
      await db.drop();
    }
  });
});
