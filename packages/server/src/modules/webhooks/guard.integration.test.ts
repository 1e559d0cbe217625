/**
 * The server-side request forgery guard on a real app (SQLite) with WEBHOOK_ALLOW_PRIVATE
 * off: registration refuses URLs whose host is a non-public address with a 400
 * FLX_ERR_WEBHOOK_URL_PRIVATE naming the field, writing nothing; a name that resolved to
 * nothing at registration but resolves to loopback at delivery time is refused then, and a
 * real local receiver never sees a request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedWebhook, PageOf, Webhook, WebhookDelivery } from '@flux/protocol';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { hashPassword } from '../../auth/password.ts';
import type { Lookup } from '../../net/addressGuard.ts';
import { CONSOLE, errorOf, failure, PASSWORD, TEST_SCRYPT_N } from '../../testing/apiHarness.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/databases.ts';
import type { StoredChannel } from '../../storage/Storage.ts';

let db: TestDatabase;
let app: FastifyInstance;
let acme: StoredChannel;
let cookie: string;
let rx: Server;
let rxPort = 0;
let hits = 0;
const asked: string[] = [];

/** DNS as the dispatcher sees it: `rebound.example` now points at this machine. */
const lookup: Lookup = (host) => {
  asked.push(host);
  if (host === 'rebound.example') return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
  return Promise.reject(new Error(`getaddrinfo ENOTFOUND ${host}`));
};

beforeAll(async () => {
  db = await createTestDatabase('sqlite');
  const config = loadConfig({
    DATABASE_URL: db.url,
    PUBLIC_URL: 'http://flux.test',
    LOG_LEVEL: 'silent',
    STATIC_ROOT: '/nonexistent-flux-static',
  });
  expect(config.webhookAllowPrivate).toBe(false);
  app = await buildApp(config, {
    scryptN: TEST_SCRYPT_N,
    logger: false,
    webhooks: { backoffMs: [30], pollIntervalMs: 20, timeoutMs: 2000, lookup },
  });
  const s = app.ctx.storage;
  acme = await s.createChannel({ slug: 'acme', name: 'Acme Hats' });
  await s.createUser({
    channelId: acme.id,
    email: 'admin@acme.test',
    name: 'Ada Admin',
    role: 'admin',
    passwordHash: await hashPassword(PASSWORD, TEST_SCRYPT_N),
    tags: [],
  });
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    headers: CONSOLE,
    payload: { channel: 'acme', email: 'admin@acme.test', password: PASSWORD },
  });
  cookie = `flux_session=${res.cookies.find((c) => c.name === 'flux_session')?.value ?? ''}`;
  rx = createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  rxPort = (rx.address() as AddressInfo).port;
});
afterAll(async () => {
  await app.close();
  await new Promise<void>((r) => rx.close(() => r()));
  await db.drop();
});

const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  app.inject({
    method,
    url: `/api/v1/admin${url}`,
    headers: { ...CONSOLE, cookie },
    ...(payload ? { payload } : {}),
  });

describe('webhook URL guard (WEBHOOK_ALLOW_PRIVATE off)', () => {
  it('refuses loopback, private, link-local, multicast and unspecified hosts with a clear 400', async () => {
    const refused: [string, RegExp][] = [
      [`http://127.0.0.1:${String(rxPort)}/hook`, /127\.0\.0\.1 is a loopback address/],
      ['http://127.1/hook', /127\.0\.0\.1 is a loopback address/], // the URL parser expands it
      ['http://2130706433/hook', /127\.0\.0\.1 is a loopback address/],
      ['http://0x7f000001/hook', /127\.0\.0\.1 is a loopback address/],
      ['https://localhost/hook', /localhost is a loopback address/],
      ['https://api.localhost./hook', /api\.localhost is a loopback address/],
      ['http://[::1]:8080/hook', /::1 is a loopback address/],
      ['http://[::ffff:127.0.0.1]/hook', /::ffff:7f00:1 is a loopback address/],
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
      ['http://[fe80::1]/hook', /fe80::1 is a link-local address/],
      ['https://10.0.0.5/hook', /10\.0\.0\.5 is a private network address/],
      ['https://172.16.8.1/hook', /a private network address/],
      ['https://192.168.1.10/hook', /a private network address/],
      ['https://100.64.0.1/hook', /a private network address/],
      ['https://[fd00::1]/hook', /fd00::1 is a private network address/],
      ['http://0.0.0.0:8080/hook', /0\.0\.0\.0 is an unspecified address/],
      ['http://[::]/hook', /:: is an unspecified address/],
      ['http://224.0.0.1/hook', /a multicast address/],
      ['http://255.255.255.255/hook', /a reserved address/],
    ];
    for (const [url, message] of refused) {
      const res = await admin('POST', '/webhooks', { url });
      expect(failure(res), url).toEqual({ status: 400, code: 'FLX_ERR_WEBHOOK_URL_PRIVATE' });
      const error = errorOf(res);
      expect(error.message, url).toMatch(message);
      expect(error.message).toMatch(/webhooks go to public addresses only/);
      const details = error.details as { field: string; message: string }[];
      expect(details.map((d) => d.field)).toEqual(['url']);
      expect(details[0]?.message).toMatch(message);
    }
    expect((await admin('GET', '/webhooks')).json()).toEqual({ items: [] });
  });

  it('accepts a public address and a name that does not resolve yet', async () => {
    for (const url of ['https://93.184.215.14/hook', 'https://[2606:4700::1111]/hook']) {
      expect((await admin('POST', '/webhooks', { url })).statusCode, url).toBe(201);
    }
    const res = await admin('POST', '/webhooks', { url: 'https://hooks.shop.invalid/flux' });
    expect(res.statusCode).toBe(201);
    for (const h of (await admin('GET', '/webhooks')).json<{ items: Webhook[] }>().items) {
      expect((await admin('DELETE', `/webhooks/${h.id}`)).statusCode).toBe(200);
    }
  });

  it('refuses at delivery a name that now resolves to loopback: no request is sent', async () => {
    const created = await admin('POST', '/webhooks', {
      url: `http://rebound.example:${String(rxPort)}/hook`,
    });
    expect(created.statusCode).toBe(201);
    const { webhook } = created.json<CreatedWebhook>();
    await app.ctx.storage.createCallback({
      channelId: acme.id,
      name: 'Vera',
      contact: '+1 555 0100',
      pageUrl: 'https://shop.acme.test/',
      at: new Date(),
    });
    const end = Date.now() + 5000;
    let list: WebhookDelivery[] = [];
    while (Date.now() < end) {
      list = (await admin('GET', `/webhooks/${webhook.id}/deliveries`)).json<
        PageOf<WebhookDelivery>
      >().items;
      if (list[0]?.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(list[0]).toMatchObject({ status: 'failed', attempts: 2, lastStatusCode: null });
    expect(list[0]?.lastError).toBe(
      'Refused: rebound.example resolves to 127.0.0.1, a loopback address (WEBHOOK_ALLOW_PRIVATE is off)',
    );
    expect(asked).toEqual(['rebound.example', 'rebound.example']);
    expect(hits).toBe(0);
  });
});
