/**
 * Test helper process (sqlite.multiprocess.integration.test.ts): opens the database named
 * by argv[2], prints "ready", waits for a line on stdin (so that every worker starts
 * together), then makes argv[5] concurrent reservations of agent argv[4] in channel argv[3].
 * Prints `{ ok, busy, errors }` as JSON.
 */
import { createInterface } from 'node:readline';
import { createStorage } from './createStorage.ts';

const [url, channelId, agentId, count] = process.argv.slice(2);
if (url === undefined || channelId === undefined || agentId === undefined) {
  process.stderr.write('usage: reserveWorker <url> <channelId> <agentId> <count>\n');
  process.exit(2);
}
const storage = createStorage(url);
await storage.ping();
process.stdout.write('ready\n');
await new Promise<void>((resolve) => {
  createInterface({ input: process.stdin }).once('line', () => {
    resolve();
  });
});
const results = await Promise.allSettled(
  Array.from({ length: Number(count ?? 10) }, () =>
    storage.reserveAgentAndCreateCall({
      channelId,
      agentId,
      pageUrl: null,
      visitor: { name: `pid ${String(process.pid)}` },
      productIds: [],
      unknownProductIds: [],
      at: new Date(),
    }),
  ),
);
const out = { ok: 0, busy: 0, errors: [] as string[] };
for (const r of results) {
  if (r.status === 'rejected') out.errors.push(String(r.reason));
  else if (r.value.ok) out.ok++;
  else out.busy++;
}
await storage.close();
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
