/**
 * A callback request left through the REST route (`POST /public/channels/:id/callbacks`) is
 * announced to the channel's consoles at once, as one left over the WebSocket is.
 */
import { describe, expect, it } from 'vitest';
import { agent, seed, suiteServer, TEST_ORIGIN } from '../realtime/testing/harness.ts';

const server = suiteServer();

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
