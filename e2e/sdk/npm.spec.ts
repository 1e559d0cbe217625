/**
 * The npm package as a merchant gets it: `npm pack` of packages/sdk (built: npm run build),
 * installed from the tarball into a fresh project outside the monorepo, then
 *   1. a consumer written from the spec's example type-checks with tsc (strict, the package's
 *      declarations checked too: skipLibCheck off), and misuse is a type error;
 *   2. the consumer bundled with esbuild runs in Chromium on a shop page (its own origin,
 *      `customDomain` pointing at the real server): the widget shows the online agent, the
 *      call UI chunk comes from the package and loads only when a call starts, and the call
 *      request reaches the agent with the spec's products.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect, test } from '@playwright/test';
import * as esbuild from 'esbuild';
import { DEMO, REPO_ROOT, freePort, startServer, type RunningServer } from '../harness/server.ts';
import { connectAgent, type TestAgent } from './agent.ts';

const SDK = join(REPO_ROOT, 'packages/sdk');
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');

/** The merchant's code: the spec's example, typed against the installed package only. */
const CONSUMER = `
import FluxPlayer, { isSdkError, type CallAgent, type CallRouting } from '@flux/sdk';

declare const FLUX_SERVER: string;

declare global {
  interface Window {
    shop: { startCall(): Promise<string>; version: string; initError: string | null };
  }
}

const handle = await FluxPlayer.init({
  apiKey: '${DEMO.apiKey}',
  channelId: '${DEMO.channelId}',
  customDomain: FLUX_SERVER,
  widgets: {
    calls: {
      renderTo: '.my-cool-call-widget',
      strings: {
        title: 'Call us now',
        text: 'Your call agent for today is {{name}}',
      },
      whitelist: [/\\/product\\/123$/m],
      onBeforeRender: (callAgents: CallAgent[]): CallRouting | null => {
        const callAgent = callAgents.find((callAgent) => callAgent.tags.includes('fashion-support'));
        if (!callAgent) return null;
        return {
          callAgentId: callAgent.id,
          productIds: ['ITM-BLUE-SHIRT', 'EXT-RED-PANTS'],
        };
      },
    },
  },
});

window.shop = {
  version: FluxPlayer.version,
  initError: handle.error ? handle.error.code : null,
  startCall: () =>
    FluxPlayer.Widgets.Calls.startCall().then(
      () => 'resolved',
      (e: unknown) => (isSdkError(e) ? e.code : String(e)),
    ),
};
`;

/** Misuse the declarations must reject (tsc fails on an unused @ts-expect-error). */
const MISUSE = `
import FluxPlayer, { type CallAgent, type ErrorCode } from '@flux/sdk';

export async function misuse(): Promise<void> {
  await FluxPlayer.init({
    apiKey: 'pk_x',
    channelId: 'c',
    widgets: {
      calls: {
        renderTo: '.w',
        // @ts-expect-error the answer is { callAgentId, productIds }, not { agentId }
        onBeforeRender: (agents) => ({ agentId: agents[0]?.id ?? '' }),
      },
    },
  });
  // @ts-expect-error init needs apiKey and channelId
  await FluxPlayer.init({ widgets: { calls: { renderTo: '.w' } } });
  // @ts-expect-error renderTo is a CSS selector string
  await FluxPlayer.init({ apiKey: 'k', channelId: 'c', widgets: { calls: { renderTo: 1 } } });
  const agent = {} as CallAgent;
  // @ts-expect-error the spec's field is profile_photo_url
  void agent.profilePhotoUrl;
  // @ts-expect-error status is 'online' | 'offline'
  const status: CallAgent['status'] = 'away';
  // @ts-expect-error error codes are a closed union (inlined from the protocol)
  const code: ErrorCode = 'FLX_ERR_NO_SUCH_CODE';
  // @ts-expect-error startCall() takes no arguments and returns a promise
  const n: number = FluxPlayer.Widgets.Calls.startCall('agent');
  void status;
  void code;
  void n;
}
`;

/** What the consumer puts on `window` (and the test adds). */
interface ShopWindow {
  shop: { startCall(): Promise<string>; version: string; initError: string | null };
  started: Promise<string>;
}

let work = '';
let app = '';
let server: RunningServer;
let mia: TestAgent;
let shop: Server;
let shopUrl = '';
/** Output file names of the bundle that came from the package's call UI chunk. */
let callUiFiles: string[] = [];

const run = (cmd: string, args: string[], cwd: string): string => {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
};

test.beforeAll(async () => {
  test.setTimeout(90_000);
  work = mkdtempSync(join(tmpdir(), 'flux-npm-'));
  app = join(work, 'shop');
  // 1. Pack the built package, install the tarball into an empty project.
  const packed = JSON.parse(
    run('npm', ['pack', SDK, '--pack-destination', work, '--json', '--ignore-scripts'], work),
  ) as { filename: string; files: { path: string }[] }[];
  const tarball = join(work, packed[0]?.filename ?? 'missing.tgz');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'shop', private: true, type: 'module' }),
  );
  run('npm', ['install', tarball, '--no-audit', '--no-fund', '--offline'], app);

  // 2. Bundle the consumer (top-level await: ES2022 module; the package's lazy parts stay
  //    separate chunks through code splitting).
  writeFileSync(join(app, 'main.ts'), CONSUMER);
  const built = await esbuild.build({
    entryPoints: [join(app, 'main.ts')],
    bundle: true,
    format: 'esm',
    splitting: true,
    target: 'es2022',
    outdir: join(app, 'public'),
    absWorkingDir: app,
    metafile: true,
    define: { FLUX_SERVER: '"__SERVER__"' },
    logLevel: 'silent',
  });
  callUiFiles = Object.entries(built.metafile.outputs)
    .filter(([, o]) =>
      Object.keys(o.inputs).some((i) => /node_modules\/@flux\/sdk\/dist\/chunks\/call-ui-/.test(i)),
    )
    .map(([f]) => basename(f));

  server = await startServer();
  mia = await connectAgent(server, DEMO.agents.mia);
  await mia.setStatus('online');

  // The merchant's site on its own origin: /product/123 and the bundle.
  const port = await freePort();
  shopUrl = `http://localhost:${port}`;
  shop = createServer((req, res) => {
    const path = new URL(req.url ?? '/', shopUrl).pathname;
    if (path === '/product/123') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Blue shirt</h1><div class="my-cool-call-widget"></div>
<script type="module" src="/main.js"></script></body></html>`,
      );
    } else if (/^\/[\w-]+\.js$/.test(path)) {
      const js = readFileSync(join(app, 'public', path.slice(1)), 'utf8');
      res
        .writeHead(200, { 'content-type': 'text/javascript' })
        .end(js.replaceAll('__SERVER__', server.url));
    } else res.writeHead(path === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((resolve) => shop.listen(port, '127.0.0.1', resolve));
});

test.afterAll(async () => {
  mia.close();
  await server.stop();
  await new Promise((resolve) => shop.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

test('the installed package holds the ES module build and one self-contained declaration file', () => {
  const pkg = JSON.parse(
    readFileSync(join(app, 'node_modules/@flux/sdk/package.json'), 'utf8'),
  ) as Record<string, unknown>;
  expect(pkg.dependencies).toBeUndefined();
  expect(pkg.peerDependencies).toBeUndefined();
  const dist = join(app, 'node_modules/@flux/sdk/dist');
  expect(readdirSync(dist).sort()).toEqual(['chunks', 'index.d.ts', 'index.mjs']);
  expect(readdirSync(join(dist, 'chunks')).some((f) => /^call-ui-\w+\.mjs$/.test(f))).toBe(true);
  // Nothing else was installed: no runtime dependencies came along.
  expect(readdirSync(join(app, 'node_modules')).filter((d) => !d.startsWith('.'))).toEqual([
    '@flux',
  ]);
  const dts = readFileSync(join(dist, 'index.d.ts'), 'utf8');
  expect(dts).not.toMatch(/\bimport\b|\bfrom\s+['"]|typebox|@flux\/protocol/);
});

test('a strict TypeScript consumer type-checks against the package; misuse does not', () => {
  writeFileSync(join(app, 'misuse.ts'), MISUSE);
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'bundler',
        lib: ['ES2022', 'DOM'],
        types: [],
        noEmit: true,
        skipLibCheck: false,
        noUncheckedIndexedAccess: true,
      },
      files: ['main.ts', 'misuse.ts'],
    }),
  );
  run(process.execPath, [TSC, '-p', 'tsconfig.json'], app);
  // The check can fail: without the @ts-expect-error lines misuse.ts is rejected.
  writeFileSync(join(app, 'misuse.ts'), MISUSE.replaceAll('// @ts-expect-error', '//'));
  expect(() => run(process.execPath, [TSC, '-p', 'tsconfig.json'], app)).toThrow(
    /misuse\.ts\(\d+,\d+\): error TS2322/,
  );
});

test('the bundled package renders the widget and starts a call from a shop page', async ({
  page,
}) => {
  expect(callUiFiles.length).toBeGreaterThan(0);
  const requested: string[] = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname.slice(1)));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`${shopUrl}/product/123`);
  const w = page.locator('.my-cool-call-widget [data-flux-widget=calls]');
  await expect(w).toHaveAttribute('data-flux-state', 'ready');
  await expect(w.locator('b')).toHaveText('Call us now');
  await expect(w.locator('p')).toHaveText('Your call agent for today is Mia Alvarez');
  expect(await page.evaluate(() => (window as unknown as ShopWindow).shop.initError)).toBeNull();
  expect(await page.evaluate(() => (window as unknown as ShopWindow).shop.version)).toBe(
    (JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8')) as { version: string }).version,
  );
  // The call UI is not part of the page load.
  expect(requested.filter((f) => callUiFiles.includes(f))).toEqual([]);

  const before = mia.received.filter((m) => m.type === 'call.incoming').length;
  await page.evaluate(() => {
    const w = window as unknown as ShopWindow;
    w.started = w.shop.startCall();
  });
  const ui = page.locator('[data-flux-call-ui]');
  await expect(ui).toHaveAttribute('data-flux-state', 'check');
  expect(requested.filter((f) => callUiFiles.includes(f)).length).toBeGreaterThan(0);
  await ui.getByRole('button', { name: 'Start call' }).click();
  expect(await page.evaluate(() => (window as unknown as ShopWindow).started)).toBe('resolved');
  await expect
    .poll(() => mia.received.filter((m) => m.type === 'call.incoming').length)
    .toBe(before + 1);
  const incoming = mia.received.filter((m) => m.type === 'call.incoming').at(-1) as unknown as {
    call: { products: { name: string }[]; unknownProductIds: string[] };
  };
  expect(incoming.call.products.map((p) => p.name).sort()).toEqual([
    'Blue Oxford Shirt',
    'Red Chino Pants',
  ]);
  expect(incoming.call.unknownProductIds).toEqual([]);
  await ui.getByRole('button', { name: 'Cancel' }).click();
  await expect(ui).toHaveCount(0);
  expect(errors).toEqual([]);
});
