/**
 * Closing the app while consoles and widgets are connected: every socket gets SERVER_SHUTDOWN
 * (so clients reconnect, to another process if there is one) and the close completes. Before,
 * the HTTP server waited for the sockets it had upgraded, which waited for the app's close:
 * `app.close()` never returned, and a SIGTERM ended in the 10 s forced exit.
 */
import { CLOSE_CODES } from '@flux/protocol';
import { expect, it } from 'vitest';
import { createTestDatabase } from '../../testing/databases.ts';
import { agent, seed, startServer, TEST_ORIGIN, visitor } from './testing/harness.ts';
import { WsTestClient } from './testing/WsTestClient.ts';

it('closes with sockets open: each gets SERVER_SHUTDOWN, and the close returns', async () => {
  const db = await createTestDatabase('sqlite');
  const server = await startServer({ databaseUrl: db.url });
  try {
    const fx = await seed(server.storage);
    const console1 = await agent(server, fx);
    const { ws: shopper } = await visitor(server, fx);
    // a socket that has not said hello yet
    const silent = new WsTestClient(server.wsUrl, { origin: TEST_ORIGIN });
    await silent.open();

    const started = Date.now();
    await server.close();
    // well inside the 10 s a SIGTERM allows (main.ts), though one grace of 1 s may be spent
    expect(Date.now() - started).toBeLessThan(3000);
    for (const ws of [console1, shopper, silent]) {
      expect((await ws.closed).code).toBe(CLOSE_CODES.SERVER_SHUTDOWN);
    }
  } finally {
    await db.drop();
  }
});
