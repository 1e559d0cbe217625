/**
 * Starts the built server (packages/server/dist/main.js) as a child process on a free
 * loopback port with its own temporary SQLite database and the demo seed, and waits for
 * /readyz. Each call gives an isolated server; stop() kills it and removes its data.
 *
 *   const server = await startServer();          // demo channel `groovy-hats`
 *   await page.goto(server.url + '/product/123');
 *   await server.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const DEMO = {
  channelId: 'groovy-hats',
  apiKey: 'pk_demo_groovy_hats_2026',
  password: 'flux-demo-2026',
  admin: 'admin@groovy-hats.test',
  agents: {
    mia: 'mia@groovy-hats.test',
    jonas: 'jonas@groovy-hats.test',
    aiko: 'aiko@groovy-hats.test',
  },
} as const;

export interface RunningServer {
  /** e.g. http://localhost:41234 (localhost, which the demo channel allows as an origin) */
  url: string;
  port: number;
  dataDir: string;
  /** Everything the process printed, for diagnosing a failure. */
  output: () => string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => {
        resolve(port);
      });
    });
  });
}

export async function startServer(
  options: {
    env?: Record<string, string>;
    demo?: boolean;
    /** Reuse this data folder (kept on stop) instead of a fresh temporary one. */
    dataDir?: string;
    /** Listen on this port (a restart at the pages' origin) instead of a free one. */
    port?: number;
  } = {},
): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'flux-e2e-'));
  const url = `http://localhost:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'packages/server/dist/main.js'),
      ...(options.demo === false ? [] : ['--demo']),
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: url,
        DATABASE_URL: `sqlite:${join(dataDir, 'flux.db')}`,
        LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`server exited with ${child.exitCode} before it was ready:\n${output}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready within 20 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    port,
    dataDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
