/**
 * Webhooks end to end on a real app and real local HTTP receivers (so with
 * WEBHOOK_ALLOW_PRIVATE; guard.integration.test.ts covers the guard): admin CRUD with URL
 * validation at the edge, signed call.ended and callback.requested events, retries with
 * backoff on 500s and on a dead receiver, and the deliveries list.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CreatedWebhook,
  PageOf,
  Webhook,
  WebhookDelivery,
  WebhookEvent,
} from '@flux/protocol';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { hashPassword } from '../../auth/password.ts';
import { CONSOLE, failure, ORIGIN, TEST_SCRYPT_N } from '../../testing/apiHarness.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../../testing/databases.ts';
import type { StoredChannel } from '../../storage/Storage.ts';
import { verifySignature } from './signature.ts';

const kinds = await databaseKinds('Webhooks');
const PASSWORD = 'correct horse battery';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1:0 answering with the next status of `statuses` (then the last). */
async function receiver(statuses: number[] = [204]) {
  const got: Received[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses[Math.min(n, statuses.length - 1)] ?? 204;
      n++;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/hooks/flux`,
    got,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function until<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(kinds)('webhooks on %s', (kind) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let acme: StoredChannel;
  let agentId: string;
  let cookie: string;
  let key: string;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const config = loadConfig({
      DATABASE_URL: db.url,
      PUBLIC_URL: 'http://flux.test',
      LOG_LEVEL: 'silent',
      STATIC_ROOT: '/nonexistent-flux-static',
      WEBHOOK_ALLOW_PRIVATE: 'true', // the receivers listen on 127.0.0.1
    });
    app = await buildApp(config, {
      scryptN: TEST_SCRYPT_N,
      logger: false,
      webhooks: { backoffMs: [30, 60, 120, 240], pollIntervalMs: 20, timeoutMs: 2000 },
    });
    const s = app.ctx.storage;
    acme = await s.createChannel({ slug: 'acme', name: 'Acme Hats' });
    await s.addOrigin(acme.id, ORIGIN);
    key = (await s.createApiKey(acme.id, 'Shop')).key;
    const hash = await hashPassword(PASSWORD, TEST_SCRYPT_N);
    await s.createUser({
      channelId: acme.id,
      email: 'admin@acme.test',
      name: 'Ada Admin',
      role: 'admin',
      passwordHash: hash,
      tags: [],
    });
    agentId = (
      await s.createUser({
        channelId: acme.id,
        email: 'mia@acme.test',
        name: 'Mia',
        role: 'agent',
        passwordHash: hash,
        tags: [],
      })
    ).id;
    await s.updateUser(agentId, { status: 'online' });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      headers: CONSOLE,
      payload: { channel: 'acme', email: 'admin@acme.test', password: PASSWORD },
    });
    cookie = `flux_session=${res.cookies.find((c) => c.name === 'flux_session')?.value ?? ''}`;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    app.inject({
      method,
      url: `/api/v1/admin${url}`,
      headers: { ...CONSOLE, cookie },
      ...(payload ? { payload } : {}),
    });

  async function addHook(url: string): Promise<CreatedWebhook> {
    const res = await admin('POST', '/webhooks', { url });
    expect(res.statusCode).toBe(201);
    return res.json<CreatedWebhook>();
  }
  async function removeAll(): Promise<void> {
    for (const h of (await admin('GET', '/webhooks')).json<{ items: Webhook[] }>().items) {
      expect((await admin('DELETE', `/webhooks/${h.id}`)).statusCode).toBe(200);
    }
  }
  const deliveries = async (id: string) =>
    (await admin('GET', `/webhooks/${id}/deliveries`)).json<PageOf<WebhookDelivery>>().items;

  /** A call that rings and is declined, through the app's storage (as the call engine does). */
  async function endCall() {
    const s = app.ctx.storage;
    const r = await s.reserveAgentAndCreateCall({
      channelId: acme.id,
      agentId,
      pageUrl: 'https://shop.acme.test/p/1',
      visitor: { name: 'Vera' },
      productIds: [],
      unknownProductIds: [],
      at: new Date(),
    });
    if (!r.ok) throw new Error('not reserved');
    await s.transitionCall(r.call.id, 'ringing', new Date());
    return s.transitionCall(r.call.id, 'ended', new Date(), { reason: 'declined' });
  }

  it('refuses bad URLs at the edge, writing nothing', async () => {
    for (const url of [
      'ftp://example.test/x',
      'not a url',
      'https://user:pw@example.test/x',
      'https://example.test/x#frag',
      'javascript:alert(1)',
      '',
    ]) {
      const res = await admin('POST', '/webhooks', { url });
      expect(failure(res), url).toEqual({ status: 400, code: 'FLX_ERR_VALIDATION' });
      expect(res.json<{ error: { details: { field: string }[] } }>().error.details[0]?.field).toBe(
        'url',
      );
    }
    expect(failure(await admin('POST', '/webhooks', { url: 'https://x.test', extra: 1 }))).toEqual({
      status: 400,
      code: 'FLX_ERR_VALIDATION',
    });
    expect((await admin('GET', '/webhooks')).json()).toEqual({ items: [] });
    expect(failure(await admin('DELETE', '/webhooks/nope'))).toEqual({
      status: 404,
      code: 'FLX_ERR_NOT_FOUND',
    });
    expect(failure(await admin('GET', '/webhooks/nope/deliveries'))).toEqual({
      status: 404,
      code: 'FLX_ERR_NOT_FOUND',
    });
    const noCsrf = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/webhooks',
      headers: { cookie },
      payload: { url: 'https://x.test/h' },
    });
    expect(failure(noCsrf)).toEqual({ status: 403, code: 'FLX_ERR_AUTH_CSRF' });
  });

  it('signs call.ended and callback.requested; the secret is shown once', async () => {
    const rx = await receiver([204]);
    try {
      const created = await addHook(rx.url);
      expect(created.secret).toMatch(/^whsec_[\w-]{40,}$/);
      expect(created.webhook.url).toBe(rx.url);
      const listed = (await admin('GET', '/webhooks')).json<{ items: Webhook[] }>();
      expect(listed.items).toEqual([created.webhook]);
      expect(JSON.stringify(listed)).not.toContain(created.secret);

      const call = await endCall();
      const [first] = await until(
        () => rx.got,
        (g) => g.length >= 1,
      );
      if (!first) throw new Error('nothing received');
      const event = JSON.parse(first.body) as WebhookEvent;
      expect(event).toMatchObject({ type: 'call.ended', data: { call } });
      expect(first.headers['content-type']).toBe('application/json');
      expect(first.headers['x-flux-event']).toBe('call.ended');
      expect(first.headers['x-flux-event-id']).toBe(event.id);
      const sig = first.headers['x-flux-signature'] as string;
      const now = Math.floor(Date.now() / 1000);
      expect(verifySignature(created.secret, first.body, sig, now)).toBe(true);
      expect(verifySignature('whsec_wrong', first.body, sig, now)).toBe(false);
      expect(verifySignature(created.secret, `${first.body} `, sig, now)).toBe(false);
      expect(verifySignature(created.secret, first.body, sig, now + 3600)).toBe(false);

      // a callback left through the public REST route
      const cb = await app.inject({
        method: 'POST',
        url: `/api/v1/public/channels/acme/callbacks?apiKey=${key}`,
        headers: { origin: ORIGIN },
        payload: { name: 'Linus', contact: '+49 30 1' },
      });
      expect(cb.statusCode).toBe(201);
      const got = await until(
        () => rx.got,
        (g) => g.length >= 2,
      );
      const second = got[1];
      if (!second) throw new Error('nothing received');
      const cbEvent = JSON.parse(second.body) as WebhookEvent;
      expect(cbEvent).toMatchObject({
        type: 'callback.requested',
        data: { callback: { id: cb.json<{ id: string }>().id, name: 'Linus' } },
      });
      expect(
        verifySignature(
          created.secret,
          second.body,
          second.headers['x-flux-signature'] as string,
          Math.floor(Date.now() / 1000),
        ),
      ).toBe(true);
      const list = await until(
        () => deliveries(created.webhook.id),
        (d) => d.length === 2 && d.every((x) => x.status === 'delivered'),
      );
      expect(list.map((d) => [d.event, d.attempts, d.lastStatusCode])).toEqual([
        ['callback.requested', 1, 204],
        ['call.ended', 1, 204],
      ]);
    } finally {
      await removeAll();
      await rx.close();
    }
  });

  it('retries a receiver that answers 500 twice, then 200: three attempts, one event id', async () => {
    const rx = await receiver([500, 500, 200]);
    try {
      const { webhook, secret } = await addHook(rx.url);
      await endCall();
      const [d] = await until(
        () => deliveries(webhook.id),
        (list) => list[0]?.status === 'delivered',
      );
      expect(d).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null });
      expect(rx.got).toHaveLength(3);
      const ids = new Set(rx.got.map((g) => g.headers['x-flux-event-id']));
      expect(ids.size).toBe(1);
      for (const g of rx.got) {
        expect(g.body).toBe(rx.got[0]?.body);
        expect(
          verifySignature(
            secret,
            g.body,
            g.headers['x-flux-signature'] as string,
            Math.floor(Date.now() / 1000),
          ),
        ).toBe(true);
      }
    } finally {
      await removeAll();
      await rx.close();
    }
  });

  it('gives up after the last attempt on a receiver that is down, and every webhook gets its own copy', async () => {
    // the live receiver first: opened after the dead one closed, it could be given the port
    // just freed, and the "dead" webhook then got a 200 (seen once in CI)
    const ok = await receiver([200]);
    const dead = await receiver();
    await dead.close(); // nothing listens on this port any more
    try {
      const down = await addHook(dead.url);
      const up = await addHook(ok.url);
      await endCall();
      const [failed] = await until(
        () => deliveries(down.webhook.id),
        (list) => list[0]?.status === 'failed',
      );
      expect(failed).toMatchObject({ attempts: 5, lastStatusCode: null, nextAttemptAt: null });
      expect(failed?.lastError).toMatch(/ECONNREFUSED|refused|fetch failed/i);
      expect((await deliveries(up.webhook.id))[0]).toMatchObject({
        status: 'delivered',
        attempts: 1,
      });
      expect(ok.got).toHaveLength(1);
      // deleting the webhook removes its deliveries
      expect((await admin('DELETE', `/webhooks/${down.webhook.id}`)).json()).toEqual({ ok: true });
      expect(failure(await admin('GET', `/webhooks/${down.webhook.id}/deliveries`)).status).toBe(
        404,
      );
    } finally {
      await removeAll();
      await ok.close();
    }
  });
});
