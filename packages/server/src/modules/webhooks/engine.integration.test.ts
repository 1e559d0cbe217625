/**
 * The call engine's own paths emit the webhook events: a call declined over the WebSocket
 * reaches a real local receiver as `call.ended`, a callback request over the WebSocket as
 * `callback.requested`, both signed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookEvent } from '@flux/protocol';
import { createTestDatabase, type TestDatabase } from '../../testing/databases.ts';
import {
  agent,
  must,
  seed,
  startServer,
  visitor,
  type TestServer,
} from '../realtime/testing/harness.ts';
import { verifySignature } from './signature.ts';

let db: TestDatabase;
let server: TestServer;
let rx: Server;
let rxUrl = '';
const got: { body: string; signature: string }[] = [];

beforeAll(async () => {
  db = await createTestDatabase('sqlite');
  server = await startServer({
    databaseUrl: db.url,
    env: { WEBHOOK_ALLOW_PRIVATE: 'true' }, // the receiver listens on 127.0.0.1
  });
  rx = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['x-flux-signature']),
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  rxUrl = `http://127.0.0.1:${String((rx.address() as AddressInfo).port)}/hook`;
});
afterAll(async () => {
  await server.close();
  await new Promise<void>((r) => rx.close(() => r()));
  await db.drop();
});

async function nextEvent(
  n: number,
): Promise<{ event: WebhookEvent; body: string; signature: string }> {
  const end = Date.now() + 5000;
  while (got.length < n) {
    if (Date.now() > end) throw new Error(`no webhook event #${String(n)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const g = must(got[n - 1]);
  return { event: JSON.parse(g.body) as WebhookEvent, ...g };
}

describe('webhooks from the call engine', () => {
  it('sends call.ended for a declined call and callback.requested for a WebSocket callback', async () => {
    const fx = await seed(server.storage);
    const secret = 'whsec_engine_test_secret';
    await server.storage.createWebhook(fx.channel.id, rxUrl, secret, new Date());
    const console0 = await agent(server, fx);
    const { ws: v } = await visitor(server, fx);
    try {
      const { call } = await v.request({
        type: 'call.request',
        agentId: must(fx.agents[0]).id,
        productIds: [],
        pageUrl: 'https://shop.test/p/1',
        user: { name: 'Vera' },
        offer: { type: 'offer', sdp: 'v=0 offer' },
      });
      await console0.next('call.incoming');
      await console0.request({ type: 'call.decline', callId: call.id });
      const first = await nextEvent(1);
      expect(first.event).toMatchObject({
        type: 'call.ended',
        data: { call: { id: call.id, status: 'ended', endReason: 'declined' } },
      });
      const now = Math.floor(Date.now() / 1000);
      expect(verifySignature(secret, first.body, first.signature, now)).toBe(true);

      const { callbackId } = await v.request({
        type: 'callback.request',
        name: 'Vera',
        contact: 'vera@x.test',
      });
      const second = await nextEvent(2);
      expect(second.event).toMatchObject({
        type: 'callback.requested',
        data: { callback: { id: callbackId, name: 'Vera' } },
      });
      expect(verifySignature(secret, second.body, second.signature, now)).toBe(true);
      expect(got).toHaveLength(2);
    } finally {
      console0.close();
      v.close();
    }
  });
});
