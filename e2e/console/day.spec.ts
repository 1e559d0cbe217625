/**
 * A working day in a few minutes: an agent keeps the console open and takes call after call.
 * After each call the console must have let go of what the call used (the camera and
 * microphone, the peer connection, the videos, the ringtone's audio), and after a dozen calls
 * it must hold about what it held after the first two: its DOM, its listeners and its
 * JavaScript heap (measured after a forced garbage collection, through the DevTools protocol).
 */
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { countMedia, openMedia } from '../harness/media.ts';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { signIn } from './helpers.ts';
import { callAgent, visitorView } from './visitor.ts';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server.stop();
});

/** What the console holds now. */
interface Held {
  heapBytes: number;
  nodes: number;
  listeners: number;
  /** Peer connections not closed. */
  peerConnections: number;
  /** Camera and microphone tracks still live. */
  liveTracks: number;
  /** Audio contexts not closed. */
  audioContexts: number;
  videos: number;
}

async function held(page: Page, cdp: CDPSession): Promise<Held> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  const inPage = await openMedia(page);
  return { heapBytes: usedSize, nodes: dom.nodes, listeners: dom.jsEventListeners, ...inPage };
}

test('a day of calls: after each call the console lets go of it, and after 12 it holds what it held after 2', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await ctx.grantPermissions(['camera', 'microphone'], { origin: server.url });
  await countMedia(ctx);
  const agent = await ctx.newPage();
  const cdp = await ctx.newCDPSession(agent);
  await signIn(agent, server.url, DEMO.agents.mia);
  const toggle = agent.getByTestId('status-switch');
  if ((await toggle.getAttribute('aria-checked')) !== 'true') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'true');

  const visitor = await (await browser.newContext()).newPage();
  const CALLS = 12;
  const after: Held[] = [];
  for (let i = 1; i <= CALLS; i++) {
    await callAgent(visitor, server.url, 'Mia Alvarez', {});
    await agent.getByTestId('ring-card').getByRole('button', { name: 'Accept' }).click();
    const screen = agent.getByTestId('call-screen');
    await expect(screen).toHaveAttribute('data-call-state', 'active', { timeout: 20_000 });
    // the visitor's picture plays
    await expect
      .poll(() =>
        agent
          .locator('video.remote')
          .evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames),
      )
      .toBeGreaterThan(5);
    // the agent hangs up one call, the visitor the next
    if (i % 2) {
      await agent.getByTestId('hangup').click();
    } else {
      await visitor.evaluate(() =>
        (window as unknown as { visitorCall: { hangup(): Promise<unknown> } }).visitorCall.hangup(),
      );
    }
    await expect
      .poll(async () => (await visitorView(visitor)).endReason)
      .toBe(i % 2 ? 'agent_hangup' : 'visitor_hangup');
    await expect(screen).toHaveAttribute('data-call-state', 'ended');
    await agent.getByRole('button', { name: 'Done' }).click();
    await expect(screen).toHaveCount(0);
    const now = await held(agent, cdp);
    after.push(now);
    // the call is let go of at once: camera off, connection closed, no video left
    expect(now, `after call ${String(i)}`).toMatchObject({
      peerConnections: 0,
      liveTracks: 0,
      videos: 0,
    });
    expect(now.audioContexts, `after call ${String(i)}`).toBeLessThanOrEqual(1);
  }
  const [second, sixth, last] = [after[1], after[5], after[CALLS - 1]] as [Held, Held, Held];
  const perCall = (k: 'heapBytes' | 'nodes' | 'listeners') => (last[k] - second[k]) / (CALLS - 2);
  console.log(
    `a day of calls: after call 2 → after call ${String(CALLS)}: ` +
      `JS heap ${(second.heapBytes / 1e6).toFixed(2)} → ${(last.heapBytes / 1e6).toFixed(2)} MB ` +
      `(${(perCall('heapBytes') / 1e3).toFixed(1)} KB a call), ` +
      `DOM nodes ${String(second.nodes)} → ${String(last.nodes)}, ` +
      `listeners ${String(second.listeners)} → ${String(last.listeners)}; ` +
      `heap after each call (MB): ${after.map((h) => (h.heapBytes / 1e6).toFixed(2)).join(' ')}`,
  );
  // A call kept alive after its end keeps its peer connection's listeners: 4 more a call.
  expect(last.listeners - second.listeners).toBeLessThanOrEqual(2);
  // The home page's recent calls fill up at 5; after that the DOM stays as it is.
  expect(Math.abs(last.nodes - sixth.nodes)).toBeLessThanOrEqual(10);
  // The heap grows while the console's bounded lists fill (the last 10 calls' connection
  // quality among them) and by what the browser keeps of its own (compiled code, performance
  // entries): 40–48 KB a call over the first 12 calls, about 10 KB a call over calls 12–30. A
  // session kept alive a call added about 10 KB more; this bound is for larger leaks.
  expect(perCall('heapBytes')).toBeLessThan(100_000);
  await ctx.close();
  await visitor.context().close();
});
