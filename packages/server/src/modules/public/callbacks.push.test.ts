/**
 * A callback request left through the REST route (`POST /public/channels/:id/callbacks`) is
 * announced to the channel's consoles at once, as one left over the WebSocket is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/databases.ts';
import {
  agent,
  seed,
  startServer,
  TEST_ORIGIN,
  type TestServer,
} from '../realtime/testing/harness.ts';

let db: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase('sqlite');
  server = await startServer({ databaseUrl: db.url });
});
afterAll(async () => {
  await server.close();
  await db.drop();
});

describe('POST /public/channels/:id/callbacks', () => {
  it('pushes callback.created to the channel’s consoles', async () => {
    const fx = await seed(server.storage);
    await server.storage.addOrigin(fx.channel.id, TEST_ORIGIN);
    const { key } = await server.storage.createApiKey(fx.channel.id, 'Shop');
    const console1 = await agent(server, fx);
    try {
      const res = await server.app.inject({
        method: 'POST',
        url: `/api/v1/public/channels/${fx.channel.slug}/callbacks?apiKey=${key}`,
        headers: { origin: TEST_ORIGIN },
        payload: { name: 'Vera', contact: 'vera@x.test', note: 'About hats' },
      });
      expect(res.statusCode).toBe(201);
      const { id } = res.json<{ id: string }>();
      expect((await console1.next('callback.created')).callbackId).toBe(id);
    } finally {
      console1.close();
    }
  });
});
