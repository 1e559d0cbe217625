/**
 * Figure 1 driver, run inside a loopback-only network namespace by bench/figures/setup.mjs:
 * Debian Chromium (playwright-core), one browser context per page, and three ways to set up a
 * call, interleaved call by call so that they share the machine's noise:
 *   bare   two pages + the minimal ws relay (bench/servers/bare-ws.mjs)
 *   peerjs two pages + PeerJS's server (bench/servers/peer-server.mjs)
 *   flux   our engine (@flux/client, bundled here with esbuild) against the real server
 *   product the product as people use it: the demo shop's page with the SDK's widget, and the
 *          agent console, against a second real server (pages/product-probe.js watches them)
 * Every page measures in-page (requestVideoFrameCallback on the remote video: the first frame
 * that shows a picture, since ours sends black frames while it rings); the first round is a
 * warm-up and is discarded. Writes the records as JSON to --out.
 *
 *   node bench/browser/setup-latency.mjs --calls 15 --ring-ms 1000 --ring-spread-ms 100 --out /tmp/x.json
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { chromiumCpuOver } from '../lib/chromium-cpu.mjs';
import {
  BENCH_DIR,
  exitOnSignals,
  freePort,
  sleep,
  startNode,
  waitForHttp,
  whenStopped,
} from '../lib/proc.mjs';
import { api, DEMO, productAvailable, signIn, startProduct } from '../lib/product.mjs';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '15' },
    'ring-ms': { type: 'string', default: '1000' },
    // our agent accepts ring-ms plus a random 0..ring-spread-ms after the ring: two frame
    // intervals of the fake camera (20 fps), so that accepts fall at every phase of its frames
    'ring-spread-ms': { type: 'string', default: '100' },
    variants: { type: 'string', default: 'bare,peerjs,flux,product' },
    // in-call CPU (bench/figures/incall.mjs): once both pictures are in, each call after the
    // warm-up is held for hold-settle-ms and then hold-ms more, while Chromium's CPU is read
    'hold-ms': { type: 'string', default: '0' },
    'hold-settle-ms': { type: 'string', default: '2000' },
    out: { type: 'string' },
  },
});
const CALLS = Number(values.calls);
const RING_MS = Number(values['ring-ms']);
const RING_SPREAD_MS = Number(values['ring-spread-ms']);
const HOLD_MS = Number(values['hold-ms']);
const HOLD_SETTLE_MS = Number(values['hold-settle-ms']);
let variants = values.variants.split(',');
const log = (s) => process.stderr.write(`${s}\n`);
// stopped (the bench's own stop, or Ctrl-C), this driver takes its servers with it
exitOnSignals();

// ../shared/TESTING.md and e2e/harness/browser.ts: fake media, loopback candidates, no noise
/** In-page watcher for the `product` way (see that file). */
const PRODUCT_PROBE = join(BENCH_DIR, 'browser/pages/product-probe.js');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

const out = {
  calls: CALLS,
  ringMs: RING_MS,
  ringSpreadMs: RING_SPREAD_MS,
  records: { bare: [], peerjs: [], flux: [], product: [] },
  idleCpu: null,
  notes: [],
};
const cleanups = [];
/** What `promise` resolves with, or null when `ms` pass first. */
async function within(promise, ms) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((r) => (timer = setTimeout(() => r(null), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
const www = mkdtempSync(join(tmpdir(), 'flux-bench-www-'));
whenStopped(() => rmSync(www, { recursive: true, force: true }));
cleanups.push(() => rmSync(www, { recursive: true, force: true }));

try {
  // 1. the pages
  const build = await esbuild.build({
    entryPoints: ['bare', 'peerjs', 'flux'].map((p) => join(BENCH_DIR, 'browser/pages', `${p}.js`)),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    outdir: www,
    logLevel: 'silent',
  });
  if (build.errors.length) throw new Error(JSON.stringify(build.errors));
  for (const p of ['bare', 'peerjs', 'flux']) {
    writeFileSync(
      join(www, `${p}.html`),
      `<!doctype html><meta charset="utf-8"><title>${p}</title><button id="call">Call</button><script type="module" src="${p}.js"></script>`,
    );
  }

  // 2. the servers
  const relayPort = await freePort();
  const relay = startNode(join(BENCH_DIR, 'servers/bare-ws.mjs'), [
    '--port',
    relayPort,
    '--static',
    www,
  ]);
  cleanups.push(() => relay.stop('SIGKILL'));
  const peerPort = await freePort();
  const peerSrv = startNode(join(BENCH_DIR, 'servers/peer-server.mjs'), ['--port', peerPort]);
  cleanups.push(() => peerSrv.stop('SIGKILL'));
  await waitForHttp(`http://127.0.0.1:${relayPort}/healthz`, relay);
  await waitForHttp(`http://127.0.0.1:${peerPort}/`, peerSrv).catch(async () => {
    await sleep(1000);
  });
  /** A product server for a way of ours (null, noted, when none is built). */
  const serverFor = async (way) => {
    if (!variants.includes(way)) return null;
    if (!productAvailable()) {
      out.notes.push(`${way}: packages/server/dist/main.js missing`);
      variants = variants.filter((v) => v !== way);
      return null;
    }
    const server = await startProduct();
    cleanups.push(() => server.stop());
    return server;
  };
  // each way has a server of its own: the product pages' Mia is not the one the flux pages call
  const shop = await serverFor('product');
  const product = await serverFor('flux');
  let mia = null;
  if (product) {
    const cookie = await signIn(product.url, DEMO.agents[0]);
    const me = await api(product.url, cookie, 'GET', '/me');
    await api(product.url, cookie, 'PATCH', '/me', { status: 'online' });
    mia = { cookie, id: me.user.id };
  }
  /** Gives a browser context the session cookie (`name=value`) of a signed-in agent. */
  const addSession = (ctx, cookie, url) => {
    const eq = cookie.indexOf('=');
    return ctx.addCookies([{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url }]);
  };

  // 3. the browser, one context per page
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
  cleanups.unshift(() => browser.close());
  const relayBase = `http://localhost:${relayPort}`;
  /** Holds a call that is up, and reads Chromium's CPU through it (no hold: undefined). */
  const hold = async (round) => {
    if (!HOLD_MS || round === 0) return undefined;
    await sleep(HOLD_SETTLE_MS);
    return chromiumCpuOver(HOLD_MS);
  };
  const pages = {};
  const open = async (variant, role, url, setup) => {
    const ctx = await browser.newContext();
    if (setup) await setup(ctx);
    const page = await ctx.newPage();
    if (process.env.BENCH_VERBOSE)
      page.on('console', (m) => log(`  [${variant} ${role}] ${m.text()}`));
    page.on('pageerror', (e) => {
      const line = `[${variant} ${role}] page error: ${e.message}`;
      log(`  ${line}`);
      if (!out.notes.includes(line) && out.notes.length < 20) out.notes.push(line);
    });
    await page.goto(url);
    await page.waitForFunction(() => window.bench?.ready === true, null, { timeout: 20_000 });
    return page;
  };
  const openVariant = async (v) => {
    const tag = `${Date.now()}`;
    if (v === 'bare') {
      pages.bare = {
        agent: await open(v, 'agent', `${relayBase}/bare.html?role=agent&id=a${tag}&peer=v${tag}`),
        visitor: await open(
          v,
          'visitor',
          `${relayBase}/bare.html?role=visitor&id=v${tag}&peer=a${tag}`,
        ),
      };
    } else if (v === 'peerjs') {
      const qs = `peerPort=${peerPort}`;
      pages.peerjs = {
        agent: await open(v, 'agent', `${relayBase}/peerjs.html?role=agent&id=pa${tag}&${qs}`),
        visitor: await open(
          v,
          'visitor',
          `${relayBase}/peerjs.html?role=visitor&id=pv${tag}&peer=pa${tag}&${qs}`,
        ),
      };
    } else if (v === 'product') {
      const cookie = await signIn(shop.url, DEMO.agents[0]);
      await api(shop.url, cookie, 'PATCH', '/me', { status: 'online' });
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      await addSession(ctx, cookie, shop.url);
      await ctx.addInitScript({ path: PRODUCT_PROBE });
      const agent = await ctx.newPage();
      agent.on('pageerror', (e) => log(`  [product agent] page error: ${e.message}`));
      await agent.goto(`${shop.url}/console/`);
      await agent.getByTestId('status-switch').waitFor({ timeout: 20_000 });
      await agent.waitForFunction(
        () => document.querySelector('[data-testid="status-switch"]')?.ariaChecked === 'true',
        null,
        { timeout: 20_000 },
      );
      pages.product = { agent };
    } else if (v === 'flux') {
      // served by the relay's static server: another localhost origin, as a shop's page would be
      // (a page fulfilled by page.route() may not reach loopback: Local Network Access checks)
      const qs = `channel=${DEMO.channelId}&apiKey=${DEMO.apiKey}&ringMs=${RING_MS}&ringSpreadMs=${RING_SPREAD_MS}&server=${encodeURIComponent(product.url)}`;
      pages.flux = {
        agent: await open(v, 'agent', `${relayBase}/flux.html?role=agent&${qs}`, async (ctx) => {
          await addSession(ctx, mia.cookie, product.url);
        }),
        visitor: await open(
          v,
          'visitor',
          `${relayBase}/flux.html?role=visitor&agentId=${mia.id}&${qs}`,
        ),
      };
    }
  };
  for (const v of [...variants]) {
    try {
      await openVariant(v);
    } catch (e) {
      const why = `${v}: pages did not get ready: ${String(e.message ?? e).split('\n')[0]}`;
      log(`  ${why}`);
      out.notes.push(why);
      variants = variants.filter((x) => x !== v);
    }
  }

  // 4. the calls: round 0 is a warm-up
  /** The product's own pages: the shopper clicks the widget, the agent clicks Accept. */
  const productCall = async (round) => {
    const { agent } = pages.product;
    await agent.evaluate(() => window.benchProbe.reset());
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await ctx.addInitScript({ path: PRODUCT_PROBE });
    try {
      const page = await ctx.newPage();
      await page.goto(`${shop.url}/product/123`);
      const ready = page.locator('[data-flux-widget="calls"][data-flux-state="ready"]').first();
      await ready.waitFor({ timeout: 15_000 });
      await ready.getByRole('button').first().click();
      const ui = page.locator('[data-flux-call-ui]');
      await ui.getByRole('button', { name: 'Start call' }).click();
      const ring = agent.getByTestId('ring-card');
      await ring.waitFor({ timeout: 15_000 });
      // Awaited as the other ways' pages are, not polled: Playwright's waitForFunction polls on
      // every animation frame, work in both pages that no shopper's or agent's page has. Started
      // while it rings, so that Playwright's first function in the shopper's new page (100+ ms
      // of its thread on a slow machine, to inject its script) is not in what is measured.
      const shown = (p) => p.evaluate(() => window.benchProbe.whenPicture().then(() => true));
      const pictures = Promise.all([shown(agent), shown(page)]);
      pictures.catch(() => undefined); // the context closes under it after a timeout
      await sleep(RING_MS + Math.random() * RING_SPREAD_MS);
      await ring.getByRole('button', { name: 'Accept' }).click();
      if (!(await within(pictures, 10_000))) {
        throw new Error('no picture shown on both sides within 10 s of the accept');
      }
      const a = await agent.evaluate(() => window.benchProbe);
      const p = await page.evaluate(() => window.benchProbe);
      const inCallCpu = await hold(round);
      await agent.getByTestId('hangup').click();
      await agent.getByRole('button', { name: 'Done' }).click();
      await agent.getByTestId('call-screen').waitFor({ state: 'detached', timeout: 10_000 });
      if (a.accept === null) return { error: 'the Accept click was not seen' };
      // a picture before the agent accepted would be a privacy bug, not a fast call (a picture
      // first seen as its video became visible has no presentation time: its layout's time)
      const earliest = (x) => x.presented ?? x.displayed;
      if (Math.min(earliest(a.picture), earliest(p.picture)) < a.accept) {
        return { error: 'a picture arrived before the call was accepted' };
      }
      /** ms from the accept to a time the watcher gave (undefined where it has none) */
      const since = (t) => (t === null || t === undefined ? undefined : t - a.accept);
      const both = (k) =>
        a.picture[k] !== null && p.picture[k] !== null
          ? Math.max(a.picture[k], p.picture[k]) - a.accept
          : undefined;
      return {
        acceptToBothShownMs: both('displayed'),
        acceptToBothCallbackMs: both('callback'),
        acceptToVisitorShownMs: since(p.picture.displayed),
        acceptToAgentShownMs: since(a.picture.displayed),
        acceptToVisitorVisibleMs: since(p.picture.visible),
        acceptToAgentVisibleMs: since(a.picture.visible),
        acceptToVisitorExpectedMs: since(p.picture.expected),
        acceptToAgentExpectedMs: since(a.picture.expected),
        acceptToVisitorPresentedMs: since(p.picture.presented),
        acceptToAgentPresentedMs: since(a.picture.presented),
        acceptToVisitorCallbackMs: since(p.picture.callback),
        acceptToAgentCallbackMs: since(a.picture.callback),
        acceptToBothReceivedMs: both('received'),
        acceptToVisitorReceivedMs: since(p.picture.received),
        acceptToAgentReceivedMs: since(a.picture.received),
        // the picture was first seen as its video became visible, already in it (probe's check)
        visitorOnLayout: p.picture.onLayout,
        agentOnLayout: a.picture.onLayout,
        inCallCpu,
      };
    } finally {
      await ctx.close();
    }
  };
  const oneCall = async (v, round) => {
    if (v === 'product') return productCall(round);
    const { visitor, agent } = pages[v];
    const i = await visitor.evaluate(() => window.bench.calls.length);
    const j = await agent.evaluate(() => window.bench.calls.length);
    const vp = visitor.evaluate((n) => window.bench.waitFrame(n), i);
    const ap = agent.evaluate((n) => window.bench.waitFrame(n), j);
    await visitor.click('#call');
    const res = await within(Promise.all([vp, ap]), 20_000);
    const inCallCpu = res ? await hold(round) : undefined;
    await visitor.evaluate(() => window.bench.hangup());
    await agent.evaluate(() => window.bench.hangup());
    if (!res) return { error: 'no first frame within 20 s' };
    const [vr, ar] = res;
    if (vr.error || ar.error) return { error: vr.error ?? ar.error, v: vr, a: ar };
    const rec = {
      visitorFrameMs: vr.tFrame - vr.t0,
      agentFrameMs: ar.tFrame - vr.t0,
      bothFrameMs: Math.max(vr.tFrame, ar.tFrame) - vr.t0,
      inCallCpu,
    };
    // transport up (ICE + DTLS connected) → first frame: the media pipeline's own share
    const vConnected = v === 'flux' ? vr.states?.active : vr.tConnected;
    if (vConnected !== undefined) rec.visitorConnectedToFrameMs = vr.tFrame - vConnected;
    if (v === 'flux') {
      // a picture before the agent accepted would be a privacy bug, not a fast call
      if (Math.min(vr.tFrame, ar.tFrame) < ar.tAccept) {
        return { error: 'a picture arrived before the call was accepted', v: vr, a: ar };
      }
      Object.assign(rec, {
        clickToRingMs: ar.tRing - vr.t0,
        acceptToVisitorFrameMs: vr.tFrame - ar.tAccept,
        acceptToAgentFrameMs: ar.tFrame - ar.tAccept,
        acceptToBothFrameMs: Math.max(vr.tFrame, ar.tFrame) - ar.tAccept,
        // the last packet of that frame in, both sides: the rest is decoding and presenting
        acceptToBothReceivedMs:
          vr.tReceived !== undefined && ar.tReceived !== undefined
            ? Math.max(vr.tReceived, ar.tReceived) - ar.tAccept
            : undefined,
        agentPrepareMs: (ar.tMedia ?? ar.tRing) - ar.tRing,
        visitorStates: vr.states,
        agentStates: ar.states,
        clickToAgentMediaMs: ar.tMedia - vr.t0,
      });
    }
    return rec;
  };
  const failures = Object.fromEntries(variants.map((v) => [v, 0]));
  for (let round = 0; round <= CALLS; round++) {
    // the in-call CPU figure's floor: every page open, no call up
    if (HOLD_MS && round === 1) out.idleCpu = await chromiumCpuOver(HOLD_MS);
    const order = variants.map((_, k) => variants[(k + round) % variants.length]);
    for (const v of order) {
      if (failures[v] >= 3) continue;
      const rec = await oneCall(v, round).catch((e) => ({
        error: String(e.message ?? e).split('\n')[0],
      }));
      rec.round = round;
      rec.warmup = round === 0;
      if (rec.error) {
        failures[v]++;
        log(`  setup ${v} call ${round}: ${rec.error}`);
      } else {
        failures[v] = 0;
        log(
          v === 'product'
            ? `  setup product call ${round}${round === 0 ? ' (warm-up)' : ''}: accept → both pictures shown ${rec.acceptToBothShownMs.toFixed(0)} ms (page callbacks ${rec.acceptToBothCallbackMs.toFixed(0)} ms; visitor in ${rec.acceptToVisitorReceivedMs?.toFixed(0) ?? 'before its layout'} shown ${rec.acceptToVisitorShownMs.toFixed(0)}, agent in ${rec.acceptToAgentReceivedMs?.toFixed(0) ?? 'before its layout'} shown ${rec.acceptToAgentShownMs.toFixed(0)})`
            : `  setup ${v} call ${round}${round === 0 ? ' (warm-up)' : ''}: both frames ${rec.bothFrameMs.toFixed(0)} ms after click` +
                (v === 'flux'
                  ? `, ring ${rec.clickToRingMs.toFixed(0)} ms, accept → frames ${rec.acceptToBothFrameMs.toFixed(0)} ms`
                  : ''),
        );
      }
      out.records[v].push(rec);
      await sleep(400);
    }
  }
} catch (e) {
  out.error = String(e.stack ?? e);
  log(out.error);
} finally {
  for (const c of cleanups) {
    try {
      await c();
    } catch {
      /* best effort */
    }
  }
}
if (values.out) writeFileSync(values.out, JSON.stringify(out, null, 2));
else process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
