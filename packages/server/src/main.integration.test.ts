/**
 * The process itself: a bad variable stops it with a message naming it; a good start prints
 * the URLs, answers /healthz, and SIGTERM shuts it down cleanly (exit 0).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createTestDatabase } from './testing/databases.ts';
import { freePort } from './testing/ports.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const db = await createTestDatabase('sqlite');
afterAll(() => db.drop());

function start(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, exited, output: () => ({ out, err }) };
}

it('exits 1 naming a bad variable', async () => {
  const p = start({ DATABASE_URL: db.url, PORT: 'eighty' });
  expect(await p.exited).toBe(1);
  expect(p.output().err).toContain('PORT must be an integer');
}, 20_000);

it('starts, prints its URLs and demo sign-ins, serves /healthz, and stops on SIGTERM', async () => {
  const port = await freePort();
  const p = start({ DATABASE_URL: db.url, PORT: String(port) }, ['--demo']);
  const deadline = Date.now() + 15_000;
  while (!p.output().out.includes('FluxPlayer Calls is running') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const { out } = p.output();
  expect(out).toContain(`http://localhost:${String(port)}/console/`);
  expect(out).toContain('mia@groovy-hats.test');
  expect(out).toContain('flux-demo-2026');
  const res = await fetch(`http://127.0.0.1:${String(port)}/healthz`);
  expect(await res.json()).toEqual({ ok: true });
  p.child.kill('SIGTERM');
  expect(await p.exited).toBe(0);
  await expect(fetch(`http://127.0.0.1:${String(port)}/healthz`)).rejects.toThrow();
}, 30_000);
