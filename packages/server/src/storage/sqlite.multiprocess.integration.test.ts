/**
 * Several processes on one SQLite file: concurrent reservations of one agent still give
 * exactly one `ok` (the conditional write holds across processes through SQLite's locks).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { createTestDatabase } from '../testing/databases.ts';
import { createStorage } from './createStorage.ts';

const run = promisify(execFile);
const worker = fileURLToPath(new URL('./reserveWorker.ts', import.meta.url));
const db = await createTestDatabase('sqlite');
afterAll(() => db.drop());

it('gives exactly one reservation to 4 processes × 10 concurrent callers', async () => {
  const storage = createStorage(db.url);
  await storage.migrate();
  const channel = await storage.createChannel({ slug: 'multi', name: 'Multi' });
  const agent = await storage.createUser({
    channelId: channel.id,
    email: 'a@multi.test',
    name: 'A',
    role: 'agent',
    passwordHash: 'x',
  });
  await storage.updateUser(agent.id, { status: 'online' });
  await storage.close();

  const startAt = String(Date.now() + 2500);
  const outs = await Promise.all(
    Array.from({ length: 4 }, () =>
      run(
        process.execPath,
        ['--import', 'tsx', worker, db.url, channel.id, agent.id, startAt, '10'],
        {
          timeout: 30_000,
        },
      ),
    ),
  );
  const results = outs.map(
    (o) => JSON.parse(o.stdout) as { ok: number; busy: number; errors: string[] },
  );
  expect(results.flatMap((r) => r.errors)).toEqual([]);
  expect(results.reduce((n, r) => n + r.ok, 0)).toBe(1);
  expect(results.reduce((n, r) => n + r.busy, 0)).toBe(39);
}, 40_000);
