/**
 * PostgreSQL and Redis started for one test run inside the test's network namespace (the
 * machine's own services are not reachable from there): a throwaway PostgreSQL cluster
 * (initdb as the `postgres` user, trust auth, loopback only) and a Redis without persistence.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/server.ts';

function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort().reverse() : [];
  for (const v of versions) {
    const p = join(root, v, 'bin', name);
    if (existsSync(p)) return p;
  }
  throw new Error(`PostgreSQL's ${name} not found under ${root}`);
}

async function waitForPort(port: number, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => {
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${String(port)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Service {
  url: string;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), 'flux-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const asPostgres = (cmd: string, args: string[]) =>
    spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' });
  const init = asPostgres(pgBin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const start = asPostgres(pgBin('pg_ctl'), [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${String(port)} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}${start.stdout}`);
  await waitForPort(port, 'PostgreSQL');
  return {
    url: `postgres://postgres@127.0.0.1:${String(port)}/postgres`,
    stop: async () => {
      asPostgres(pgBin('pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
      await Promise.resolve();
    },
  };
}

export async function startRedis(): Promise<Service> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, 'Redis');
  return {
    url: `redis://127.0.0.1:${String(port)}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
