/**
 * The built server writes through its writer thread: packages/server/build.mjs bundles into a
 * fresh directory (under the repo's .tmp/, so the bundle finds node_modules and the repo root
 * as dist/ does), `node <dir>/main.js` runs on a temporary SQLite file, and a visitor's call
 * (reservation, then hang-up) over the WebSocket must land in the file. A database file is
 * written only by the worker started from <dir>/sqlite-writer.js: if the bundle lacks it or
 * cannot start it, the call request fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { WS_PATH } from '@flux/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { must, seed, TEST_ORIGIN } from '../../modules/realtime/testing/harness.ts';
import { WsTestClient } from '../../modules/realtime/testing/WsTestClient.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/databases.ts';
import { createStorage } from '../createStorage.ts';
import { WRITER_WORKER_FILE } from './sqliteWriter.ts';
import { freePort } from '../../testing/ports.ts';

const serverDir = fileURLToPath(new URL('../../../', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

let buildRoot: string;
let db: TestDatabase | undefined;
let child: ChildProcess | undefined;

beforeAll(() => {
  mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
  buildRoot = mkdtempSync(join(repoRoot, '.tmp', 'writer-build-'));
});
afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(buildRoot, { recursive: true, force: true });
  await db?.drop();
});

it('writes a call through dist/sqlite-writer.js into the SQLite file', async () => {
  const dist = join(buildRoot, 'dist');
  const built = spawnSync(process.execPath, [join(serverDir, 'build.mjs'), '--outdir', dist], {
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
  expect(existsSync(join(dist, WRITER_WORKER_FILE))).toBe(true);
  // the bundle starts the worker from the file (no code in strings, no eval)
  expect(readFileSync(join(dist, 'main.js'), 'utf8')).not.toMatch(/eval:\s*true/);

  const test = await createTestDatabase('sqlite');
  db = test;
  const storage = createStorage(test.url);
  await storage.migrate();
  const fx = await seed(storage);
  await storage.close();
  const agentId = must(fx.agents[0]).id;

  const port = await freePort();
  const httpUrl = `http://127.0.0.1:${String(port)}`;
  const proc = spawn(process.execPath, [join(dist, 'main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: test.url,
      PORT: String(port),
      PUBLIC_URL: httpUrl,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const deadline = Date.now() + 15_000;
  while (!out.includes('FluxPlayer Calls is running') && Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(out).toContain('FluxPlayer Calls is running');

  const wsUrl = `ws://127.0.0.1:${String(port)}${WS_PATH}`;
  const agent = new WsTestClient(wsUrl, { origin: httpUrl, cookie: must(fx.cookies[0]) });
  await agent.hello('agent');
  const visitor = new WsTestClient(wsUrl, { origin: TEST_ORIGIN });
  await visitor.hello('visitor', { token: await fx.visitorToken() });
  const { call } = await visitor.request({
    type: 'call.request',
    agentId,
    productIds: ['HAT-1'],
    pageUrl: 'https://shop.test/hats',
    offer: { type: 'offer', sdp: 'v=0 offer' },
  });
  await agent.next('call.incoming');

  const file = new BetterSqlite3(test.url.slice('sqlite:'.length), { readonly: true });
  try {
    const row = file
      .prepare('SELECT agent_id, page_url, status FROM calls WHERE id = ?')
      .get(call.id) as { agent_id: string; page_url: string; status: string } | undefined;
    expect(row).toMatchObject({ agent_id: agentId, page_url: 'https://shop.test/hats' });
    expect(['requested', 'ringing']).toContain(row?.status);
    expect(
      file
        .prepare(
          'SELECT products.sku FROM call_products JOIN products ON products.id = product_id ' +
            'WHERE call_id = ?',
        )
        .all(call.id),
    ).toEqual([{ sku: 'HAT-1' }]);
    expect(file.prepare('SELECT current_call_id FROM users WHERE id = ?').get(agentId)).toEqual({
      current_call_id: call.id,
    });

    await visitor.request({ type: 'call.hangup', callId: call.id });
    // hung up before it was answered: ended, reason as the server told the agent
    const ended = await agent.next('call.state', (m) => m.call.status === 'ended');
    expect(ended.call.endReason).toBe('cancelled');
    expect(file.prepare('SELECT status, end_reason FROM calls WHERE id = ?').get(call.id)).toEqual({
      status: 'ended',
      end_reason: 'cancelled',
    });
    expect(file.prepare('SELECT current_call_id FROM users WHERE id = ?').get(agentId)).toEqual({
      current_call_id: null,
    });
  } finally {
    file.close();
    visitor.close();
    agent.close();
  }
  expect(err).not.toMatch(/SQLite writer/);
}, 60_000);

it('refuses to start, naming the file, when the bundle lacks the writer', () => {
  // runs after the test above: the same build, without its writer
  const dist = join(buildRoot, 'dist');
  rmSync(join(dist, WRITER_WORKER_FILE));
  const run = spawnSync(process.execPath, [join(dist, 'main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: `sqlite:${join(buildRoot, 'no-writer.db')}`,
      PORT: '0',
      LOG_LEVEL: 'warn',
    },
    encoding: 'utf8',
    timeout: 15_000,
  });
  expect(run.status).not.toBe(0);
  expect(run.stdout + run.stderr).toContain(`${WRITER_WORKER_FILE} is missing`);
}, 30_000);
