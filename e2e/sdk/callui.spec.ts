/**
 * The visitor's call UI in calls with a real agent console (two browser contexts):
 * - muting the microphone and turning the camera off and on changes what the agent receives
 *   (getStats() audio energy, decoded frames and their brightness on the agent's side) and the
 *   visitor's sender tracks, not only the buttons;
 * - in Arabic the call window is right-to-left with translated labels (screenshot in
 *   test-results/sdk-screenshots/call-ar.png);
 * - the merchant's `onCheckout` is called with the product and the call's id when the visitor
 *   presses add to cart, and a failing `onCheckout` becomes an `error` event.
 * The merchant's page is e2e/sdk/pages/blank.html on its own origin, loading the SDK from
 * the server.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { signIn } from '../console/helpers.ts';
import { DEMO, REPO_ROOT, freePort, startServer, type RunningServer } from '../harness/server.ts';
import { availableAgents } from './agent.ts';
import { expectSelfViewPlaysCamera, recordGetUserMedia } from './selfView.ts';

let server: RunningServer;
let pages: Server;
let pagesUrl = '';
let agent: Page;

/** Test instrumentation: keeps every RTCPeerConnection the page creates in `__fluxPcs`. */
function recordPeerConnections(): void {
  const Native = window.RTCPeerConnection;
  const all: RTCPeerConnection[] = [];
  (window as unknown as { __fluxPcs: RTCPeerConnection[] }).__fluxPcs = all;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      all.push(this);
    }
  };
}

test.beforeAll(async ({ browser }) => {
  server = await startServer();
  const port = await freePort();
  pagesUrl = `http://localhost:${String(port)}`;
  pages = createServer((req, res) => {
    if (new URL(req.url ?? '/', pagesUrl).pathname !== '/blank.html') {
      res.writeHead(req.url === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    const html = readFileSync(join(REPO_ROOT, 'e2e/sdk/pages/blank.html'), 'utf8');
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(html.replaceAll('__SERVER__', server.url));
  });
  await new Promise<void>((r) => pages.listen(port, '127.0.0.1', r));
  agent = await miaInConsole(browser);
});
test.afterAll(async () => {
  await agent.context().close();
  await new Promise((r) => pages.close(r));
  await server.stop();
});

async function miaInConsole(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await ctx.grantPermissions(['camera', 'microphone'], { origin: server.url });
  await ctx.addInitScript(recordPeerConnections);
  const page = await ctx.newPage();
  await signIn(page, server.url, DEMO.agents.mia);
  const toggle = page.getByTestId('status-switch');
  if ((await toggle.getAttribute('aria-checked')) !== 'true') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  return page;
}

interface Visitor {
  page: Page;
  ui: Locator;
  errors: string[];
}

/**
 * A visitor on the merchant's page in `language`, calling Mia with the shirt and the pants;
 * returns once the agent accepted and the call UI shows the call. `onCheckout` records its
 * items in `window.checkouts` and rejects for the pants.
 */
async function callMia(
  browser: Browser,
  language: 'en' | 'ar',
  viewport = { width: 1280, height: 800 },
): Promise<Visitor> {
  await expect.poll(() => availableAgents(server)).toContain('Mia Alvarez');
  const ctx = await browser.newContext({ viewport });
  await ctx.addInitScript(recordPeerConnections);
  await ctx.addInitScript(recordGetUserMedia);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${pagesUrl}/blank.html`);
  await page.evaluate(
    ({ apiKey, channelId, lang }) => {
      const w = window as unknown as { checkouts: unknown[]; events: unknown[] };
      w.checkouts = [];
      w.events = [];
      return FluxPlayer.init({
        apiKey,
        channelId,
        language: lang,
        onEvent: (e) => w.events.push(e),
        onCheckout: (item) => {
          w.checkouts.push(JSON.parse(JSON.stringify(item)));
          if (item.product.name === 'Red Chino Pants') {
            return Promise.reject(new Error('cart service down'));
          }
          return undefined;
        },
        widgets: {
          calls: {
            renderTo: '.call-widget',
            onBeforeRender: (agents) => {
              const mia = agents.find((a) => a.name === 'Mia Alvarez');
              return mia
                ? { callAgentId: mia.id, productIds: ['ITM-BLUE-SHIRT', 'EXT-RED-PANTS'] }
                : null;
            },
          },
        },
      }).then(() => undefined);
    },
    { apiKey: DEMO.apiKey, channelId: DEMO.channelId, lang: language },
  );
  const card = page.locator('[data-flux-widget]').first();
  await expect(card).toHaveAttribute('data-flux-state', 'ready');
  await card.getByRole('button').click();
  const ui = page.locator('[data-flux-call-ui]');
  await expect(ui).toHaveAttribute('data-flux-state', 'check');
  return { page, ui, errors };
}

async function accept(v: Visitor): Promise<void> {
  await agent.getByTestId('ring-card').getByRole('button', { name: 'Accept' }).click();
  await expect(v.ui).toHaveAttribute('data-flux-state', 'call', { timeout: 20_000 });
  await expect(v.ui.locator('.st[data-s]')).toBeVisible({ timeout: 20_000 });
}

async function hangUpAndClose(v: Visitor): Promise<void> {
  await v.ui.locator('.bar button.end').click();
  await expect(v.ui).toHaveAttribute('data-flux-state', 'ended');
  expect(v.errors).toEqual([]);
  await v.page.context().close();
  await expect.poll(() => availableAgents(server), { timeout: 20_000 }).toContain('Mia Alvarez');
}

interface Received {
  /** inbound-rtp audio `totalAudioEnergy` */
  energy: number;
  audioPackets: number;
  framesDecoded: number;
  /** Mean luma (0–255) of the frame the agent's receiver shows now. */
  luma: number;
}

/** What the agent's browser receives from the visitor now (its newest peer connection). */
function received(page: Page): Promise<Received> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __fluxPcs: RTCPeerConnection[] }).__fluxPcs;
    const pc = pcs[pcs.length - 1];
    if (!pc) throw new Error('no peer connection');
    const out = { energy: 0, audioPackets: 0, framesDecoded: 0, luma: -1 };
    (await pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'audio') {
        out.energy = Number(s.totalAudioEnergy ?? 0);
        out.audioPackets = Number(s.packetsReceived ?? 0);
      } else if (s.kind === 'video') {
        out.framesDecoded = Number(s.framesDecoded ?? 0);
      }
    });
    // the received video, drawn off-screen from its own element
    const w = window as unknown as { __probe?: HTMLVideoElement };
    if (!w.__probe) {
      const track = pc.getReceivers().find((r) => r.track.kind === 'video')?.track;
      if (!track) throw new Error('no video receiver');
      const v = document.createElement('video');
      v.muted = true;
      v.srcObject = new MediaStream([track]);
      await v.play();
      w.__probe = v;
    }
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const g = canvas.getContext('2d', { willReadFrequently: true });
    if (!g || w.__probe.videoWidth === 0) return out;
    g.drawImage(w.__probe, 0, 0, 64, 48);
    const px = g.getImageData(0, 0, 64, 48).data;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) {
      sum += 0.299 * (px[i] ?? 0) + 0.587 * (px[i + 1] ?? 0) + 0.114 * (px[i + 2] ?? 0);
    }
    out.luma = sum / (px.length / 4);
    return out;
  });
}

/** Change of the agent's receive stats over `ms`, and the brightness at its end. */
async function over(ms: number): Promise<Received> {
  const a = await received(agent);
  await agent.waitForTimeout(ms);
  const b = await received(agent);
  return {
    energy: b.energy - a.energy,
    audioPackets: b.audioPackets - a.audioPackets,
    framesDecoded: b.framesDecoded - a.framesDecoded,
    luma: b.luma,
  };
}

/** `enabled` of the visitor's outgoing track of `kind` (null: no track is being sent). */
function sending(page: Page, kind: 'audio' | 'video'): Promise<boolean | null> {
  return page.evaluate((k) => {
    const pcs = (window as unknown as { __fluxPcs: RTCPeerConnection[] }).__fluxPcs;
    const sender = pcs[pcs.length - 1]
      ?.getTransceivers()
      .find((t) => t.receiver.track.kind === k)?.sender;
    if (!sender?.track) return null;
    return sender.track.enabled && sender.track.readyState === 'live';
  }, kind);
}

test('the visitor mutes the microphone and turns the camera off and on: the agent hears silence and sees black, then the visitor again', async ({
  browser,
}) => {
  const v = await callMia(browser, 'en');
  await v.ui.getByRole('button', { name: 'Start call' }).click();
  await accept(v);

  // Before: sound and live pictures reach the agent.
  await expect
    .poll(async () => (await over(1000)).framesDecoded, { timeout: 15_000 })
    .toBeGreaterThan(10);
  const live = await over(2000);
  expect(live.energy).toBeGreaterThan(0);
  expect(live.luma).toBeGreaterThan(30);
  expect(await sending(v.page, 'audio')).toBe(true);
  expect(await sending(v.page, 'video')).toBe(true);

  // Mute: the microphone track is disabled, the agent's audio energy stops growing.
  const mic = v.ui.getByRole('button', { name: 'Mute microphone' });
  await mic.click();
  await expect(v.ui.getByRole('button', { name: 'Unmute microphone' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  expect(await sending(v.page, 'audio')).not.toBe(true);
  await agent.waitForTimeout(500); // audio in flight and the jitter buffer drain
  const muted = await over(2000);
  expect(muted.energy).toBeLessThan(live.energy / 100);
  // The call goes on: video is unaffected.
  expect(muted.framesDecoded).toBeGreaterThan(10);
  expect(muted.luma).toBeGreaterThan(30);

  // Unmute: sound again.
  await v.ui.getByRole('button', { name: 'Unmute microphone' }).click();
  expect(await sending(v.page, 'audio')).toBe(true);
  await expect.poll(async () => (await over(1000)).energy, { timeout: 10_000 }).toBeGreaterThan(0);

  // Camera off: the video track is disabled or removed; the agent gets black or no frames.
  await v.ui.getByRole('button', { name: 'Turn camera off' }).click();
  await expect(v.ui.getByRole('button', { name: 'Turn camera on' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  expect(await sending(v.page, 'video')).not.toBe(true);
  await expect.poll(async () => (await received(agent)).luma, { timeout: 10_000 }).toBeLessThan(5);
  // Chromium keeps sending frames of a disabled track, all black; the sound goes on.
  const dark = await over(2000);
  expect(dark.luma).toBeLessThan(5);
  expect(dark.energy).toBeGreaterThan(0);

  // Camera on: live pictures again.
  await v.ui.getByRole('button', { name: 'Turn camera on' }).click();
  expect(await sending(v.page, 'video')).toBe(true);
  await expect
    .poll(async () => (await received(agent)).luma, { timeout: 10_000 })
    .toBeGreaterThan(30);
  const back = await over(2000);
  expect(back.framesDecoded).toBeGreaterThan(live.framesDecoded / 2);

  await hangUpAndClose(v);
});

test('in Arabic the call window is right-to-left with translated labels', async ({ browser }) => {
  const v = await callMia(browser, 'ar', { width: 1024, height: 720 });
  const panel = v.ui.locator('.panel');
  await expect(panel).toHaveAttribute('dir', 'rtl');
  await expect(panel).toHaveAttribute('lang', 'ar');
  await expect(v.ui.getByRole('heading', { name: 'هل أنت مستعد للمكالمة؟' })).toBeVisible();
  await v.ui.getByRole('button', { name: 'ابدأ المكالمة' }).click();
  // while it rings: the visitor's own camera under Mia's photo, in Arabic
  await expect(v.ui).toHaveAttribute('data-flux-state', 'calling');
  await expect(v.ui.getByRole('heading', { name: 'جارٍ الاتصال بـ Mia Alvarez…' })).toBeVisible();
  await expect(agent.getByTestId('ring-card')).toBeVisible();
  await expectSelfViewPlaysCamera(v.ui);
  await v.page.screenshot({ path: 'test-results/sdk-screenshots/calling-ar.png' });
  await accept(v);
  await expect(v.ui.locator('.st')).toContainText('متصل');

  const bar = v.ui.locator('.bar');
  const mute = bar.getByRole('button', { name: 'كتم الميكروفون' });
  const camera = bar.getByRole('button', { name: 'إيقاف الكاميرا' });
  const hangUp = bar.getByRole('button', { name: 'إنهاء المكالمة' });
  await expect(bar.getByRole('button', { name: 'تصغير' })).toBeVisible();
  await expect(v.ui.getByRole('heading', { name: 'المنتجات في هذه المكالمة' })).toBeVisible();
  const products = v.ui.locator('article');
  await expect(products).toHaveCount(2);
  await expect(products.first().getByRole('button', { name: 'أضف إلى السلة' })).toBeVisible();
  // prices formatted for Arabic, as this browser's Intl does it (49 € with a right-to-left mark)
  const price = await v.page.evaluate(() =>
    new Intl.NumberFormat('ar', { style: 'currency', currency: 'EUR' }).format(49),
  );
  expect(price).not.toBe(
    await v.page.evaluate(() =>
      new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' }).format(49),
    ),
  );
  await expect(products.first()).toContainText(price);
  // nothing of the English UI is left
  await expect(v.ui.getByText(/Mute|Camera|Hang up|Add to cart|Connected/)).toHaveCount(0);

  // Mirrored: the bar runs from the right (mute first) to the left (hang up last).
  const x = async (l: Locator) => (await l.boundingBox())?.x ?? NaN;
  expect(await x(mute)).toBeGreaterThan(await x(camera));
  expect(await x(camera)).toBeGreaterThan(await x(hangUp));
  // the labels follow the state in Arabic too
  await mute.click();
  await expect(bar.getByRole('button', { name: 'تشغيل الميكروفون' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await v.page.waitForTimeout(1200); // the timer ticks once for the screenshot
  await v.page.screenshot({ path: 'test-results/sdk-screenshots/call-ar.png' });
  await hangUpAndClose(v);
});

test('without a camera the ringing window shows the agent’s photo and no video box', async ({
  browser,
}) => {
  const v = await callMia(browser, 'en', { width: 390, height: 844 });
  await v.ui.getByLabel('Camera on').uncheck();
  await expect(v.ui.locator('.stage img.big')).toBeVisible();
  await v.ui.getByRole('button', { name: 'Start call' }).click();
  await expect(v.ui).toHaveAttribute('data-flux-state', 'calling');
  await expect(agent.getByTestId('ring-card')).toBeVisible();
  await expect(v.ui.getByRole('heading', { name: 'Calling Mia Alvarez…' })).toBeVisible();
  await expect(v.ui.locator('img.big.pulse')).toBeVisible();
  await expect(v.ui.locator('video')).toHaveCount(0);
  await expect(v.ui.locator('.stage')).toHaveCount(0);
  await v.page.screenshot({ path: 'test-results/sdk-screenshots/calling-audio-phone.png' });
  await v.ui.locator('.bar button.end').click();
  await expect(v.ui).toHaveCount(0);
  await expect(agent.getByTestId('ring-card')).toHaveCount(0);
  expect(v.errors).toEqual([]);
  await v.page.context().close();
  await expect.poll(() => availableAgents(server), { timeout: 20_000 }).toContain('Mia Alvarez');
});

test('add to cart in a call calls the merchant’s onCheckout with the product and the call', async ({
  browser,
}) => {
  const v = await callMia(browser, 'en');
  await v.ui.getByRole('button', { name: 'Start call' }).click();
  await accept(v);
  const products = v.ui.locator('article');
  await expect(products).toHaveCount(2);

  const state = () =>
    v.page.evaluate(() => {
      const w = window as unknown as {
        checkouts: unknown[];
        events: { type: string; detail: Record<string, unknown> }[];
      };
      return { checkouts: w.checkouts, events: w.events };
    });
  const requested = (await state()).events.find((e) => e.type === 'call-requested');
  const callId = requested?.detail.callId;
  expect(callId).toEqual(expect.any(String));
  expect((await state()).checkouts).toEqual([]);

  await products
    .filter({ hasText: 'Blue Oxford Shirt' })
    .getByRole('button', { name: 'Add to cart' })
    .click();
  await expect.poll(async () => (await state()).checkouts).toHaveLength(1);
  expect((await state()).checkouts).toEqual([
    {
      callId,
      product: expect.objectContaining({
        sku: 'ITM-BLUE-SHIRT',
        name: 'Blue Oxford Shirt',
        price: 4900,
        currency: 'EUR',
      }) as unknown,
    },
  ]);
  // the add-to-cart event carries the same product
  expect((await state()).events.filter((e) => e.type === 'add-to-cart')).toEqual([
    {
      type: 'add-to-cart',
      detail: { callId, product: expect.objectContaining({ sku: 'ITM-BLUE-SHIRT' }) as unknown },
    },
  ]);

  // An onCheckout that rejects (the pants) surfaces as an error event; the call goes on.
  await products
    .filter({ hasText: 'Red Chino Pants' })
    .getByRole('button', { name: 'Add to cart' })
    .click();
  await expect
    .poll(async () => (await state()).events.filter((e) => e.type === 'error'))
    .toEqual([
      {
        type: 'error',
        detail: {
          code: 'FLX_ERR_INTERNAL',
          message: expect.stringContaining('cart service down') as unknown,
        },
      },
    ]);
  const checkouts = (await state()).checkouts as { product: { externalId?: string } }[];
  expect(checkouts.map((c) => c.product.externalId ?? null)).toEqual([null, 'EXT-RED-PANTS']);
  await expect(v.ui).toHaveAttribute('data-flux-state', 'call');
  await hangUpAndClose(v);
});
