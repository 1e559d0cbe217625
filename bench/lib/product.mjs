/**
 * The product's server under test: packages/server/dist/main.js --demo, started like the e2e
 * harness does (free port, temporary SQLite file or a temporary PostgreSQL database), but with
 * the benchmark's probe preloaded and the rate limits lifted so that load is not refused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, PROBE, REPO_ROOT, startNode, waitForHttp, whenStopped } from './proc.mjs';

export const DEMO = {
  channelId: 'groovy-hats',
  apiKey: 'pk_demo_groovy_hats_2026',
  password: 'flux-demo-2026',
  admin: 'admin@groovy-hats.test',
  agents: ['mia@groovy-hats.test', 'jonas@groovy-hats.test', 'aiko@groovy-hats.test'],
};

export const SERVER_MAIN = join(REPO_ROOT, 'packages/server/dist/main.js');

export function productAvailable() {
  return existsSync(SERVER_MAIN);
}

function psql(sql) {
  const r = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-c', sql], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
}

/**
 * Starts the product server; `db` is 'sqlite' (temp file), 'postgres' (temp database), or one
 * of two diagnostics that show what the disk's flushes cost: 'sqlite-tmpfs' (temp file on
 * /dev/shm) and 'postgres-async' (temp database whose commits do not wait for the WAL flush,
 * `synchronous_commit = off`).
 */
export async function startProduct({ db = 'sqlite', env = {}, nodeArgs = [] } = {}) {
  const port = await freePort();
  // 'sqlite-tmpfs' (a diagnostic): the SQLite file on /dev/shm, where fsync costs nothing
  const dataDir = mkdtempSync(join(db === 'sqlite-tmpfs' ? '/dev/shm' : tmpdir(), 'flux-bench-'));
  let databaseUrl = `sqlite:${join(dataDir, 'flux.db')}`;
  let pgName = null;
  if (db === 'postgres' || db === 'postgres-async') {
    pgName = `flux_bench_${process.pid}_${Date.now()}`;
    psql(`CREATE DATABASE ${pgName}`);
    if (db === 'postgres-async') psql(`ALTER DATABASE ${pgName} SET synchronous_commit = off`);
    databaseUrl = `postgres://postgres@127.0.0.1:5432/${pgName}`;
  }
  const forgetData = whenStopped(() => {
    rmSync(dataDir, { recursive: true, force: true });
    if (pgName) dropDb(pgName);
  });
  const url = `http://localhost:${port}`;
  const proc = startNode(SERVER_MAIN, ['--demo'], {
    nodeArgs: ['--expose-gc', '--import', PROBE, ...nodeArgs],
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      PUBLIC_RATE_LIMIT: '1000000',
      SIGN_IN_RATE_LIMIT: '1000000',
      NODE_ENV: 'production',
      ...env,
    },
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, proc, 60_000);
  } catch (e) {
    await proc.stop('SIGKILL');
    forgetData();
    rmSync(dataDir, { recursive: true, force: true });
    if (pgName) dropDb(pgName);
    throw e;
  }
  return {
    url,
    port,
    wsUrl: `ws://127.0.0.1:${port}/api/v1/ws`,
    proc,
    db,
    async stop() {
      await proc.stop('SIGKILL');
      forgetData();
      rmSync(dataDir, { recursive: true, force: true });
      if (pgName) dropDb(pgName);
    },
  };
}

function dropDb(name) {
  try {
    psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } catch {
    /* best effort */
  }
}

/** Signs in; returns the session cookie `flux_session=…`. */
export async function signIn(base, email, password = DEMO.password) {
  const res = await fetch(`${base}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-flux-console': '1' },
    body: JSON.stringify({ channel: DEMO.channelId, email, password }),
  });
  if (!res.ok) throw new Error(`sign-in ${email}: ${res.status} ${await res.text()}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0];
}

/** A console REST call with a session cookie. */
export async function api(base, cookie, method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      cookie,
      'x-flux-console': '1',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** The public agents list with a visitor token, as the SDK fetches it from a shop's page. */
export async function publicAgents(base, origin = base) {
  const res = await fetch(
    `${base}/api/v1/public/channels/${DEMO.channelId}/agents?apiKey=${DEMO.apiKey}`,
    { headers: { origin } },
  );
  if (!res.ok) throw new Error(`public agents: ${res.status} ${await res.text()}`);
  return res.json();
}
