/**
 * The shopper's phone changes network mid-call (Wi-Fi to mobile data, say): every connection
 * the page had goes silent for good, without a close, and new ones work. The shopper's page
 * reaches the server through a TCP hop and the TURN server through a UDP hop
 * (harness/tcpHop.ts, harness/lossyUdp.ts), and both abandon what was open at the change. The
 * call must come back by itself on new connections, with pictures both ways, before the
 * 30 s after which a call without media fails. How long it took is printed (a figure, not a
 * pass mark). Before any call, the widget's card must follow the agents on a new connection
 * as well. And when the agent's laptop drops off the network as a call rings, the shopper must
 * hear so at once, and the console must come back by itself once the laptop is back.
 */
import { expect, test, type Locator } from '@playwright/test';
import { startCoturn, type RunningCoturn } from '../engine/coturn.ts';
import { relayOnly } from '../harness/browser.ts';
import { startLossyUdp, type LossyUdp } from '../harness/lossyUdp.ts';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { startTcpHop, type TcpHop } from '../harness/tcpHop.ts';
import { connectAgent } from './agent.ts';
import { agentInConsole, callFromWidget, cardOnShopPage } from './callParties.ts';

let turn: RunningCoturn;
let udp: LossyUdp;
let server: RunningServer;
let tcp: TcpHop;
test.beforeAll(async () => {
  turn = await startCoturn();
  udp = await startLossyUdp(turn.port);
  server = await startServer({
    env: {
      TURN_URLS: `turn:127.0.0.1:${String(turn.port)}?transport=udp`,
      TURN_SECRET: turn.secret,
      TURN_TTL_SECONDS: '600',
    },
  });
  tcp = await startTcpHop(server.port);
});
test.afterAll(async () => {
  await tcp.stop();
  await server.stop();
  await udp.stop();
  await turn.stop();
});

/** Frames a video element has presented so far. */
function frames(video: Locator): Promise<number> {
  return video.evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
}

/**
 * Waits until `video` stops presenting frames (the change cut its media off), then until it
 * presents new ones again; resolves with the time that took from the change at `t0` (ms).
 */
async function picturesAgain(video: Locator, t0: number): Promise<number> {
  let before = await frames(video);
  for (;;) {
    await new Promise((r) => setTimeout(r, 600));
    const now = await frames(video);
    if (now === before) break;
    expect(Date.now() - t0, 'the pictures stop after the change').toBeLessThan(15_000);
    before = now;
  }
  await expect
    .poll(() => frames(video), { timeout: 28_000, intervals: [100] })
    .toBeGreaterThan(before + 5);
  return Date.now() - t0;
}

/**
 * Runs `body` against a server of its own with a heartbeat of 2 s rather than 25 s (the card
 * and the console replace a socket whose ping gets no answer within it), reached through a hop
 * of its own; stops both after.
 */
async function withQuickServer(
  body: (quick: RunningServer, hop: TcpHop) => Promise<void>,
): Promise<void> {
  const quick = await startServer({ env: { FLUX_WS_OPTIONS: '{"heartbeatMs":2000}' } });
  const hop = await startTcpHop(quick.port);
  try {
    await body(quick, hop);
  } finally {
    await hop.stop();
    await quick.stop();
  }
}

test("the shopper's network changes mid-call: the call comes back on new connections", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const agent = await agentInConsole(browser, server.url, DEMO.agents.mia);
  const shopper = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // the shopper's media through the TURN server only, reached through the UDP hop
  await relayOnly(shopper, { portFrom: turn.port, portTo: udp.port });
  const visitor = await shopper.newPage();
  const errors: string[] = [];
  visitor.on('pageerror', (e) => errors.push(e.message));
  const shopUrl = `http://localhost:${String(tcp.port)}`;
  const { ui } = await callFromWidget(visitor, shopUrl);
  await agent.getByTestId('ring-card').getByRole('button', { name: 'Accept' }).click();
  const line = ui.locator('.st');
  const screen = agent.getByTestId('call-screen');
  await expect(line).toHaveAttribute('data-s', 'connected', { timeout: 20_000 });
  await expect(screen).toHaveAttribute('data-call-state', 'active', { timeout: 20_000 });
  const shopperSees = ui.locator('video.rv');
  const agentSees = agent.locator('video.remote').first();
  await expect.poll(() => frames(shopperSees)).toBeGreaterThan(10);
  await expect.poll(() => frames(agentSees)).toBeGreaterThan(10);
  // the media crosses the UDP hop; the page's connections the TCP hop
  await expect.poll(() => udp.counts().forwarded, { timeout: 10_000 }).toBeGreaterThan(100);
  const connectionsBefore = tcp.connections();

  // the change: every connection of the shopper's page goes silent
  const t0 = Date.now();
  tcp.abandonConnections();
  udp.abandonFlows();
  // (the line says *Reconnecting…* once the browser calls the media disconnected, about 5 s
  // in, unless the call is back on a new path by then)
  const [shopperBack, agentBack] = await Promise.all([
    picturesAgain(shopperSees, t0),
    picturesAgain(agentSees, t0),
  ]);
  console.log(
    `network change: pictures again after ${String(shopperBack)} ms (shopper) and ${String(agentBack)} ms (agent)`,
  );
  await expect(line).toHaveAttribute('data-s', 'connected', { timeout: 10_000 });
  await expect(screen).toHaveAttribute('data-call-state', 'active');
  await expect(ui).toHaveAttribute('data-flux-state', 'call');
  // it came back on new connections
  expect(tcp.connections()).toBeGreaterThan(connectionsBefore);

  // and the call goes on as before: the shopper's hang-up reaches the agent
  await ui.locator('.bar').getByRole('button', { name: 'Hang up' }).click();
  await expect(screen).toHaveAttribute('data-call-state', 'ended', { timeout: 10_000 });
  expect(errors).toEqual([]);
  await agent.context().close();
  await shopper.close();
});

test("the shopper's network changes on a product page: the card follows the agents on a new connection", async ({
  page,
}) => {
  test.setTimeout(60_000);
  await withQuickServer(async (quick, hop) => {
    const mia = await connectAgent(quick, DEMO.agents.mia);
    try {
      await mia.setStatus('online');
      // the change comes once the card's presence socket is up: its subscription answered (the
      // card shows from the agents request, which comes first; a socket that the change
      // catches in its handshake is another case, which Chromium ends by itself after 15 s)
      const subscribed = new Promise<void>((resolve) => {
        page.on('websocket', (ws) => {
          ws.on('framereceived', ({ payload }) => {
            if (String(payload).includes('"reqId":"p"')) resolve();
          });
        });
      });
      const card = await cardOnShopPage(page, `http://localhost:${String(hop.port)}`);
      await subscribed;
      const before = hop.connections();
      const t0 = Date.now();
      hop.abandonConnections();
      // the agent leaves after the change: only a new connection can tell the card
      await mia.setStatus('offline');
      await expect(card).toHaveAttribute('data-flux-state', 'hidden', { timeout: 15_000 });
      console.log(
        `network change: the card followed the roster after ${String(Date.now() - t0)} ms`,
      );
      expect(hop.connections()).toBeGreaterThan(before);
      // and goes on following it
      await mia.setStatus('online');
      await expect(card).toHaveAttribute('data-flux-state', 'ready');
    } finally {
      mia.close();
    }
  });
});

test("the agent's laptop is shut while it rings: the shopper hears at once, and she takes calls when she is back", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  // the console reaches its server through the hop
  await withQuickServer(async (quick, hop) => {
    const agent = await agentInConsole(browser, `http://localhost:${String(hop.port)}`);
    const shopper = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const visitor = await shopper.newPage();
    const card = await cardOnShopPage(visitor, quick.url);
    await card.getByRole('button', { name: 'Start video call' }).click();
    const ui = visitor.locator('[data-flux-call-ui]');
    // the laptop is shut as the shopper calls: its connections go silent, new ones fail
    hop.abandonConnections();
    hop.refuse(true);
    const t0 = Date.now();
    await ui.getByRole('button', { name: 'Start call' }).click();
    // the ring reaches nobody: the shopper hears so long before the 30 s ring timeout
    await expect(ui).toHaveAttribute('data-flux-state', 'unavailable', { timeout: 15_000 });
    await expect(ui.getByRole('heading', { name: /can’t take your call/ })).toBeVisible();
    console.log(`laptop shut: the shopper heard ${String(Date.now() - t0)} ms after calling`);
    await ui.getByRole('button', { name: 'Close' }).first().click();
    await expect(card).toHaveAttribute('data-flux-state', 'hidden');

    // the laptop is back: the console reconnects by itself, and the next call rings there
    const before = hop.connections();
    hop.refuse(false);
    hop.resetAbandoned();
    await expect(card).toHaveAttribute('data-flux-state', 'ready', { timeout: 30_000 });
    expect(hop.connections()).toBeGreaterThan(before);
    // her history says why she missed it: not her attention, her connection
    await agent.getByRole('link', { name: 'History' }).click();
    await agent.getByTestId('history-table').locator('tbody tr').first().click();
    await expect(agent.getByTestId('call-end')).toHaveText(
      /^Your console could not be reached while it rang/,
    );
    await agent.keyboard.press('Escape');
    await agent.getByRole('link', { name: 'Calls', exact: true }).click();
    const { ui: again } = await callFromWidget(visitor, quick.url);
    const ring = agent.getByTestId('ring-card');
    await expect(ring).toBeVisible();
    await ring.getByRole('button', { name: 'Accept' }).click();
    await expect(again.locator('.st')).toHaveAttribute('data-s', 'connected', { timeout: 20_000 });
    await expect(agent.getByTestId('call-screen')).toHaveAttribute('data-call-state', 'active');
    await agent.context().close();
    await shopper.close();
  });
});
