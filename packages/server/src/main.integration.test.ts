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
  /**
   * Resolves 'printed' once stdout holds `text`, 'exited' if the process ends first, 'late'
   * after `ms`: a crash is reported at once, with the output, instead of at the deadline.
   */
  const printed = (text: string, ms: number) =>
    new Promise<'printed' | 'exited' | 'late'>((resolve) => {
      const check = () => {
        if (out.includes(text)) done('printed');
      };
      const done = (how: 'printed' | 'exited' | 'late') => {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve(how);
      };
      const timer = setTimeout(() => done('late'), ms);
      child.stdout.on('data', check);
      void exited.then(() => done(out.includes(text) ? 'printed' : 'exited'));
      check();
    });
  return { child, exited, printed, output: () => ({ out, err }) };
}

it('exits 1 naming a bad variable', async () => {
  const p = start({ DATABASE_URL: db.url, PORT: 'eighty' });
  expect(await p.exited).toBe(1);
  expect(p.output().err).toContain('PORT must be an integer');
}, 20_000);

it('starts, prints its URLs and demo sign-ins, serves /healthz, and stops on SIGTERM', async () => {
  const port = await freePort();
  const p = start({ DATABASE_URL: db.url, PORT: String(port) }, ['--demo']);
  // about 3 s on an idle 2-core machine, 11-12 s with eight busy loops beside it (tsx
  // transpiles the server's sources at start; the bundle in dist/ starts in about 2/3 the time)
  const started = await p.printed('FluxPlayer Calls is running', 15_000);
  const { out, err } = p.output();
  expect(started, `stdout:\n${out}\nstderr:\n${err}`).toBe('printed');
  expect(out).toContain(`http://localhost:${String(port)}/console/`);
  expect(out).toContain('mia@groovy-hats.test');
  expect(out).toContain('flux-demo-2026');
  const res = await fetch(`http://127.0.0.1:${String(port)}/healthz`);
  expect(await res.json()).toEqual({ ok: true });
  p.child.kill('SIGTERM');
  expect(await p.exited).toBe(0);
  await expect(fetch(`http://127.0.0.1:${String(port)}/healthz`)).rejects.toThrow();
}, 30_000);
