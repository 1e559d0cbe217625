/**
 * The FluxPlayer SDK in a real browser against the real server (demo seed): the spec's
 * example on the demo shop, plain test pages from e2e/sdk/pages served on the server's own
 * origin (an allowed origin of the demo channel) through Playwright routing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { DEMO, REPO_ROOT, freePort, startServer, type RunningServer } from '../harness/server.ts';
import { startTcpHop } from '../harness/tcpHop.ts';
import { connectAgent, type TestAgent } from './agent.ts';

let server: RunningServer;
let mia: TestAgent;

test.beforeAll(async () => {
  server = await startServer();
  mia = await connectAgent(server, DEMO.agents.mia);
  await mia.setStatus('online');
});
test.afterAll(async () => {
  mia.close();
  await server.stop();
});

const PAGES = join(REPO_ROOT, 'e2e/sdk/pages');
const snippet = readFileSync(join(REPO_ROOT, 'packages/sdk/dist/snippet.js'), 'utf8');
let pages: Server;
let pagesUrl = '';

/**
 * The merchant's site: e2e/sdk/pages served from another origin (http://localhost:<port>,
 * which the demo channel allows), loading the SDK cross-origin from the FluxPlayer server.
 */
test.beforeAll(async () => {
  const port = await freePort();
  pagesUrl = `http://localhost:${port}`;
  pages = createServer((req, res) => {
    const name = new URL(req.url ?? '/', pagesUrl).pathname.slice(1);
    if (!/^[\w-]+\.html$/.test(name)) {
      // The browser's own favicon request would log a 404 console error otherwise.
      res.writeHead(name === 'favicon.ico' ? 204 : 404).end();
      return;
    }
    const body = readFileSync(join(PAGES, name), 'utf8')
      .replace(
        '__SNIPPET__',
        snippet.replace('__FLUX_SCRIPT_URL__', '__SERVER__/sdk/v1/flux-player.js').trim(),
      )
      .replaceAll('__SERVER__', server.url);
    const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
    if (name === 'csp.html') {
      headers['content-security-policy'] =
        `default-src 'none'; script-src 'nonce-flux-test' 'strict-dynamic'; ` +
        `connect-src ${server.url} ws://localhost:${server.port}; img-src ${server.url}; style-src 'self'`;
    }
    res.writeHead(200, headers).end(body);
  });
  await new Promise<void>((resolve) => pages.listen(port, '127.0.0.1', resolve));
});
test.afterAll(async () => {
  await new Promise((resolve) => pages.close(resolve));
});

const testPage = (_page: Page, name: string): Promise<string> =>
  Promise.resolve(`${pagesUrl}/${name}`);

function consoleOf(page: Page) {
  const lines: { type: string; text: string }[] = [];
  page.on('console', (m) => lines.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => lines.push({ type: 'pageerror', text: e.message }));
  page.on('response', (r) => {
    if (r.status() >= 400) lines.push({ type: 'http', text: `${r.status()} ${r.url()}` });
  });
  return lines;
}

/** Names of the agents the public API lists as available now. */
async function availableAgents(): Promise<string[]> {
  const res = await fetch(
    `${server.url}/api/v1/public/channels/${DEMO.channelId}/agents?apiKey=${DEMO.apiKey}`,
    { headers: { origin: server.url } },
  );
  return ((await res.json()) as { agents: { name: string }[] }).agents.map((a) => a.name);
}

const widgets = (page: Page) => page.locator('.my-cool-call-widget [data-flux-widget=calls]');

test('the spec example renders in both placeholders of /product/123', async ({ page }) => {
  const log = consoleOf(page);
  await page.goto(`${server.url}/product/123`);
  await expect(widgets(page)).toHaveCount(2);
  for (const w of await widgets(page).all()) {
    await expect(w).toHaveAttribute('data-flux-state', 'ready');
    await expect(w.locator('b')).toHaveText('Call us now');
    await expect(w.locator('p')).toHaveText('Your call agent for today is Mia Alvarez');
    await expect(w.getByRole('button', { name: 'Start video call' })).toBeVisible();
  }
  expect(log.filter((l) => l.type === 'error' || l.type === 'pageerror')).toEqual([]);
});

test('a page outside the whitelist renders nothing and says why at debug level', async ({
  page,
}) => {
  const log = consoleOf(page);
  await page.goto(`${server.url}/product/125?flux_debug=1`);
  await expect
    .poll(() => log.find((l) => l.text.includes('matches no whitelist entry'))?.type)
    .toBe('debug');
  await expect(page.locator('[data-flux-widget]')).toHaveCount(0);
  const code = await page.evaluate(() =>
    FluxPlayer.Widgets.Calls.startCall().then(
      () => 'resolved',
      (e: unknown) => (e as { code: string }).code,
    ),
  );
  expect(code).toBe('FLX_ERR_SDK_NOT_WHITELISTED');
});

test('startCall() queued through the snippet before init rejects with FLX_ERR_SDK_NOT_INITIALIZED', async ({
  page,
}) => {
  await page.goto(await testPage(page, 'snippet.html'));
  expect(await page.evaluate(() => (window as unknown as { early: Promise<string> }).early)).toBe(
    'FLX_ERR_SDK_NOT_INITIALIZED',
  );
  // The queue is drained in order: init afterwards works.
  await page.evaluate(() =>
    FluxPlayer.init({
      apiKey: 'pk_demo_groovy_hats_2026',
      channelId: 'groovy-hats',
      widgets: { calls: { renderTo: '.call-widget' } },
    }),
  );
  await expect(page.locator('[data-flux-widget]')).toHaveAttribute('data-flux-state', 'ready');
});

test('an agent named like HTML shows as text', async ({ page }) => {
  const evil = '<img src=x onerror=alert(1)>';
  await mia.api.patch('/me', { name: evil });
  try {
    let dialog = false;
    page.on('dialog', (d) => {
      dialog = true;
      void d.dismiss();
    });
    await page.goto(`${server.url}/product/123`);
    const w = widgets(page).first();
    await expect(w.locator('p')).toHaveText(`Your call agent for today is ${evil}`);
    expect(await w.locator('img[src=x]').count()).toBe(0);
    expect(dialog).toBe(false);
  } finally {
    await mia.api.patch('/me', { name: 'Mia Alvarez' });
  }
});

test('onBeforeRender that throws, or picks an unknown agent, gets a console error and no widget', async ({
  page,
}) => {
  const log = consoleOf(page);
  await page.goto(await testPage(page, 'blank.html'));
  await page.evaluate(() =>
    FluxPlayer.init({
      apiKey: 'pk_demo_groovy_hats_2026',
      channelId: 'groovy-hats',
      widgets: {
        calls: {
          renderTo: '.call-widget',
          onBeforeRender: () => {
            throw new Error('routing table missing');
          },
        },
      },
    }),
  );
  await expect
    .poll(() => log.find((l) => l.type === 'error')?.text)
    .toContain('onBeforeRender threw or rejected (Error: routing table missing)');
  await expect(page.locator('[data-flux-widget]').first()).toHaveAttribute(
    'data-flux-state',
    'hidden',
  );

  const log2 = consoleOf(page);
  await page.goto(await testPage(page, 'blank.html'));
  await page.evaluate(() =>
    FluxPlayer.init({
      apiKey: 'pk_demo_groovy_hats_2026',
      channelId: 'groovy-hats',
      widgets: {
        calls: { renderTo: '.call-widget', onBeforeRender: () => ({ callAgentId: 'nobody-here' }) },
      },
    }),
  );
  await expect
    .poll(() => log2.find((l) => l.type === 'error')?.text)
    .toContain("returned callAgentId 'nobody-here', which is not one of the available agents");
  await expect(page.locator('[data-flux-widget]').first()).toHaveAttribute(
    'data-flux-state',
    'hidden',
  );
});

test('a page that loads while the server cannot be reached shows the widget once it can', async ({
  page,
}) => {
  // The server behind a hop that refuses connections: a deploy, or a phone between networks.
  const hop = await startTcpHop(server.port);
  try {
    hop.refuse(true);
    const log = consoleOf(page);
    await page.goto(await testPage(page, 'blank.html'));
    const error = await page.evaluate(async (base) => {
      const { error } = await FluxPlayer.init({
        apiKey: 'pk_demo_groovy_hats_2026',
        channelId: 'groovy-hats',
        customDomain: base,
        widgets: { calls: { renderTo: '.call-widget' } },
      });
      FluxPlayer.on('rendered', (d) => ((window as { shown?: unknown }).shown = d));
      return error?.code;
    }, `http://localhost:${hop.port}`);
    expect(error).toBe('FLX_ERR_SDK_NETWORK');
    const card = page.locator('[data-flux-widget]').first();
    await expect(card).toHaveAttribute('data-flux-state', 'error');
    await expect
      .poll(() => log.find((l) => l.type === 'error' && l.text.includes('[FluxPlayer]'))?.text)
      .toContain('FLX_ERR_SDK_NETWORK');
    expect(log.find((l) => l.text.includes('[FluxPlayer]'))?.text).toContain(
      'keeps trying in the background',
    );
    const before = hop.connections();
    hop.refuse(false);
    await expect(card).toHaveAttribute('data-flux-state', 'ready', { timeout: 10_000 });
    await expect(card.locator('b')).toHaveText('Talk to us live');
    expect(await page.evaluate(() => (window as { shown?: unknown }).shown)).toMatchObject({
      agent: { name: 'Mia Alvarez' },
    });
    // and it follows the roster: Mia goes offline, the card hides
    await expect.poll(() => hop.connections()).toBeGreaterThanOrEqual(before + 2);
    await mia.setStatus('offline');
    await expect(card).toHaveAttribute('data-flux-state', 'hidden');
  } finally {
    await mia.setStatus('online');
    await hop.stop();
  }
});

test('startCall() on a good page opens the call UI and sends the request', async ({ page }) => {
  await page.goto(`${server.url}/product/123`);
  await expect(widgets(page).first()).toHaveAttribute('data-flux-state', 'ready');
  const before = mia.received.filter((m) => m.type === 'call.incoming').length;
  await page.evaluate(() => {
    (window as unknown as { started: Promise<string> }).started =
      FluxPlayer.Widgets.Calls.startCall().then(
        () => 'resolved',
        (e: unknown) => (e as { code: string }).code,
      );
  });
  const ui = page.locator('[data-flux-call-ui]');
  await expect(ui).toHaveAttribute('data-flux-state', 'check');
  await ui.getByRole('button', { name: 'Start call' }).click();
  expect(
    await page.evaluate(() => (window as unknown as { started: Promise<string> }).started),
  ).toBe('resolved');
  await expect(ui).toHaveAttribute('data-flux-state', 'calling');
  await expect(ui.getByRole('heading', { name: 'Calling Mia Alvarez…' })).toBeVisible();
  await expect
    .poll(() => mia.received.filter((m) => m.type === 'call.incoming').length)
    .toBe(before + 1);
  await ui.getByRole('button', { name: 'Cancel' }).click();
  await expect(ui).toHaveCount(0);
  // The cancel reached the server: Mia is free again, and the card is back.
  await expect.poll(availableAgents).toEqual(['Mia Alvarez']);
  await expect(widgets(page).first()).toHaveAttribute('data-flux-state', 'ready');
});

test('the widget works on a page with a strict Content-Security-Policy', async ({ page }) => {
  const log = consoleOf(page);
  await page.goto(await testPage(page, 'csp.html'));
  await expect(page.locator('[data-flux-widget]')).toHaveAttribute('data-flux-state', 'ready');
  await expect(page.locator('[data-flux-widget] button')).toHaveCSS('border-radius', '99px');
  expect(log.filter((l) => /Refused|violat|error/i.test(l.type + l.text))).toEqual([]);
});

test('the widget hides when its agent goes offline and comes back when online', async ({
  page,
}) => {
  // Precondition: earlier tests' calls are over and Mia is available again.
  await expect.poll(availableAgents).toEqual(['Mia Alvarez']);
  await page.goto(`${server.url}/product/123`);
  const w = widgets(page).first();
  await expect(w).toHaveAttribute('data-flux-state', 'ready');
  // Listen before anything changes (awaited, so no event can slip past).
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { fluxSeen: string[] }).fluxSeen = seen;
    for (const type of ['flux:roster-changed', 'flux:hidden', 'flux:rendered']) {
      document.addEventListener(type, () => seen.push(type));
    }
  });
  const seen = () => page.evaluate(() => (window as unknown as { fluxSeen: string[] }).fluxSeen);
  await mia.setStatus('offline');
  await expect(w).toHaveAttribute('data-flux-state', 'hidden');
  await expect(w).toBeHidden();
  await mia.setStatus('online');
  await expect(w).toHaveAttribute('data-flux-state', 'ready');
  await expect
    .poll(seen)
    .toEqual(expect.arrayContaining(['flux:roster-changed', 'flux:hidden', 'flux:rendered']));
});

test('Arabic renders right-to-left', async ({ page }) => {
  await page.goto(await testPage(page, 'blank.html'));
  await page.evaluate(() =>
    FluxPlayer.init({
      apiKey: 'pk_demo_groovy_hats_2026',
      channelId: 'groovy-hats',
      language: 'ar',
      widgets: { calls: { renderTo: '.call-widget' } },
    }),
  );
  const card = page.locator('[data-flux-widget] [part=card]').first();
  await expect(card).toHaveAttribute('dir', 'rtl');
  await expect(card).toHaveAttribute('lang', 'ar');
  await expect(card.getByRole('button')).toHaveText('ابدأ مكالمة فيديو');
});

test('camera and microphone denied: the call window shows guidance, startCall() rejects with FLX_ERR_MEDIA_PERMISSION_DENIED', async ({
  page,
}) => {
  // The visitor's browser refuses the camera and microphone, as after "Block".
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  await page.goto(`${server.url}/product/123`);
  const card = widgets(page).first();
  await expect(card).toHaveAttribute('data-flux-state', 'ready');
  const before = mia.received.filter((m) => m.type === 'call.incoming').length;
  const code = await page.evaluate(() =>
    FluxPlayer.Widgets.Calls.startCall().then(
      () => 'resolved',
      (e: unknown) => (e as { code: string }).code,
    ),
  );
  expect(code).toBe('FLX_ERR_MEDIA_PERMISSION_DENIED');
  const ui = page.locator('[data-flux-call-ui]');
  await expect(ui).toHaveAttribute('data-flux-state', 'denied');
  await expect(
    ui.getByRole('heading', { name: 'Camera and microphone are blocked' }),
  ).toBeVisible();
  // Chromium's instructions (the address bar's camera icon).
  await expect(ui).toContainText('Click the camera icon in the address bar');
  await expect(ui.getByRole('button', { name: 'Try again' })).toBeVisible();
  await ui.locator('.bar').getByRole('button', { name: 'Close' }).click();
  await expect(ui).toHaveCount(0);
  await expect(card).toHaveAttribute('data-flux-state', 'ready');
  // No call was requested.
  expect(mia.received.filter((m) => m.type === 'call.incoming')).toHaveLength(before);
});

test('smoke: the built flux-player.js on a plain page logs no console error', async ({ page }) => {
  const log = consoleOf(page);
  await page.goto(await testPage(page, 'blank.html'));
  const handle = await page.evaluate(async () => {
    const h = await FluxPlayer.init({
      apiKey: 'pk_demo_groovy_hats_2026',
      channelId: 'groovy-hats',
      widgets: { calls: { renderTo: '.call-widget' } },
    });
    return { error: h.error, version: FluxPlayer.version };
  });
  expect(handle.error).toBeNull();
  expect(handle.version).toMatch(/^\d+\.\d+\.\d+/);
  await expect(page.locator('[data-flux-widget]')).toHaveCount(2);
  await page.locator('[data-flux-widget] button').first().hover();
  expect(log.filter((l) => ['error', 'pageerror', 'warning', 'http'].includes(l.type))).toEqual([]);
});
