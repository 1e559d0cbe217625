/**
 * The dispatcher's "this channel has no webhooks" cache (WebhookDispatcher) must not swallow
 * the events of a webhook added later: not in the process that added it, and not in another
 * process of the same deployment (told over the bus). One process on SQLite; two processes
 * on PostgreSQL and Redis.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { SESSION_COOKIE, type Call, type WebhookEvent } from '@flux/protocol';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBus } from '../../bus/RedisBus.ts';
import { createStorage } from '../../storage/createStorage.ts';
import type { Storage } from '../../storage/Storage.ts';
import { CONSOLE } from '../../testing/apiHarness.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/databases.ts';
import {
  agent,
  must,
  seed,
  startServer,
  visitor,
  type Fixture,
  type TestServer,
} from '../realtime/testing/harness.ts';
import { multiProcessSkipReason, TEST_REDIS_URL } from '../realtime/testing/services.ts';
import { AppEvents, withEvents } from './events.ts';
import { WebhookDispatcher } from './WebhookDispatcher.ts';

const PRIVATE_OK = { WEBHOOK_ALLOW_PRIVATE: 'true' }; // the receiver listens on 127.0.0.1

let rx: Server;
let rxUrl = '';
const got: WebhookEvent[] = [];

beforeAll(async () => {
  rx = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookEvent);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  rxUrl = `http://127.0.0.1:${String((rx.address() as AddressInfo).port)}/hook`;
});
afterAll(async () => {
  await new Promise<void>((r) => rx.close(() => r()));
});

/** A call on `server` that rings and is cancelled by the visitor: one `call.ended` event. */
async function cancelledCall(server: TestServer, fx: Fixture): Promise<string> {
  const c = await agent(server, fx);
  const { ws: v } = await visitor(server, fx);
  try {
    const { call } = await v.request({
      type: 'call.request',
      agentId: must(fx.agents[0]).id,
      productIds: [],
      pageUrl: 'https://shop.test/',
    });
    await c.next('call.incoming');
    await v.request({ type: 'call.hangup', callId: call.id });
    await c.next('call.state', (m) => m.call.status === 'ended');
    return call.id;
  } finally {
    v.close();
    c.close();
  }
}

/** Adds a webhook through the REST API of `server`, as the channel's admin. */
async function addWebhook(server: TestServer, storage: Storage, fx: Fixture): Promise<void> {
  const admin = await storage.createUser({
    channelId: fx.channel.id,
    email: `admin-${randomBytes(3).toString('hex')}@shop.test`,
    name: 'Admin',
    role: 'admin',
    passwordHash: 'x',
    tags: [],
  });
  const token = await storage.createSession(admin.id, new Date(Date.now() + 3600_000));
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/admin/webhooks',
    headers: { cookie: `${SESSION_COOKIE}=${token}`, ...CONSOLE },
    payload: { url: rxUrl },
  });
  expect(res.statusCode).toBe(201);
}

async function endedEventFor(callId: string): Promise<WebhookEvent> {
  const end = Date.now() + 5000;
  for (;;) {
    const e = got.find((x) => x.type === 'call.ended' && x.data.call.id === callId);
    if (e) return e;
    if (Date.now() > end) throw new Error(`no call.ended event for ${callId}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function deliveriesOf(storage: Storage, fx: Fixture): Promise<number> {
  const hooks = await storage.listWebhooks(fx.channel.id);
  let n = 0;
  for (const h of hooks) {
    n += (await storage.listWebhookDeliveries(fx.channel.id, h.id, { limit: 100 })).items.length;
  }
  return n;
}

describe('the dispatcher alone (no bus: only its own storage tells it)', () => {
  it('queues nothing for a channel without webhooks, and queues again once one is added', async () => {
    const db = await createTestDatabase('sqlite');
    const raw = createStorage(db.url);
    await raw.migrate();
    const events = new AppEvents();
    const storage = withEvents(raw, events);
    const dispatcher = new WebhookDispatcher(
      storage,
      Fastify({ logger: false }).log,
      () => new Date(),
      {
        allowPrivate: true,
        pollIntervalMs: 60_000,
      },
    );
    dispatcher.start(events);
    try {
      const fx = await seed(raw);
      let looked = 0;
      const enqueue = raw.enqueueWebhookEvent.bind(raw);
      raw.enqueueWebhookEvent = (input) => {
        looked++;
        return enqueue(input);
      };
      const call = { id: 'call-1', channelId: fx.channel.id } as Call;
      await dispatcher.emit(fx.channel.id, 'call.ended', { call });
      await dispatcher.emit(fx.channel.id, 'call.ended', { call });
      expect(looked).toBe(1); // the second event trusted "no webhooks here"
      await storage.createWebhook(fx.channel.id, rxUrl, 'whsec_cache_test', new Date());
      await dispatcher.emit(fx.channel.id, 'call.ended', { call: { ...call, id: 'call-2' } });
      expect(looked).toBe(2);
      expect(await deliveriesOf(raw, fx)).toBe(1);
    } finally {
      await dispatcher.close();
      await raw.close();
      await db.drop();
    }
  });
});

describe('a webhook added after the channel was found without any (one process)', () => {
  let db: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    server = await startServer({ databaseUrl: db.url, env: PRIVATE_OK });
  });
  afterAll(async () => {
    await server.close();
    await db.drop();
  });

  it('gets the next call.ended', async () => {
    const fx = await seed(server.storage);
    await cancelledCall(server, fx); // no webhook yet: remembered as none
    await addWebhook(server, server.storage, fx);
    const callId = await cancelledCall(server, fx);
    expect((await endedEventFor(callId)).data).toMatchObject({ call: { endReason: 'cancelled' } });
    expect(await deliveriesOf(server.storage, fx)).toBe(1);
  });
});

const skip = await multiProcessSkipReason('the webhook cache across processes');

describe.skipIf(skip !== null)('a webhook added in another process', () => {
  let db: TestDatabase;
  let storage: Storage;
  let a: TestServer;
  let b: TestServer;
  const prefix = `flux-test-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    storage = createStorage(db.url);
    await storage.migrate();
    const o = { redisUrl: TEST_REDIS_URL, realtime: { redisPrefix: prefix }, env: PRIVATE_OK };
    a = await startServer({ databaseUrl: db.url, ...o });
    b = await startServer({ databaseUrl: db.url, ...o });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await storage.close();
    const bus = await RedisBus.connect({ url: TEST_REDIS_URL, prefix });
    await bus.flushPrefix();
    await bus.close();
    await db.drop();
  });

  it('gets the next call.ended in the process that had found none', async () => {
    const fx = await seed(storage);
    await cancelledCall(b, fx); // B remembers: no webhooks in this channel
    // a console of the channel stays on B, so B follows the channel's bus topic
    const watcher = await agent(b, fx);
    try {
      await addWebhook(a, storage, fx);
      const onB = await cancelledCall(b, fx);
      expect((await endedEventFor(onB)).data).toMatchObject({ call: { id: onB } });
      const onA = await cancelledCall(a, fx);
      await endedEventFor(onA);
      expect(await deliveriesOf(storage, fx)).toBe(2);
    } finally {
      watcher.close();
    }
  });
});
