/**
 * Several processes on one SQLite file: concurrent reservations of one agent still give
 * exactly one `ok` (the conditional write holds across processes through SQLite's locks).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createTestDatabase } from '../testing/databases.ts';
import { channelWithAgent } from '../testing/seed.ts';
import { createStorage } from './createStorage.ts';

const worker = fileURLToPath(new URL('./reserveWorker.ts', import.meta.url));
const db = await createTestDatabase('sqlite');
afterAll(() => db.drop());

it('gives exactly one reservation to 4 processes × 10 concurrent callers', async () => {
  const storage = createStorage(db.url);
  await storage.migrate();
  const { channelId, agentId } = await channelWithAgent(storage, 'multi', { online: true });
  await storage.close();

  const workers = Array.from({ length: 4 }, () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', worker, db.url, channelId, agentId, '10'],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let out = '';
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready\n')) resolve();
      });
    });
    const done = new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => {
        if (code === 0) resolve(out.split('\n').filter((l) => l.startsWith('{'))[0] ?? '');
        else reject(new Error(`worker exited with ${String(code)}`));
      });
    });
    return { child, ready, done };
  });
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.stdin.write('go\n');
  const results = (await Promise.all(workers.map((w) => w.done))).map(
    (line) => JSON.parse(line) as { ok: number; busy: number; errors: string[] },
  );
  expect(results.flatMap((r) => r.errors)).toEqual([]);
  expect(results.reduce((n, r) => n + r.ok, 0)).toBe(1);
  expect(results.reduce((n, r) => n + r.busy, 0)).toBe(39);
}, 40_000);
