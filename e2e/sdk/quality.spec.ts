/**
 * A weak connection, told to both people: a call through the demo shop's widget and the
 * console whose media crosses a TURN relay behind a hop that loses a share of it
 * (harness/lossyUdp.ts). With the loss on, the shopper's call window and the agent's call
 * screen say *Weak connection*; with it off again, they go back to *Connected*. With all of it
 * lost, the media reconnects and the line says *Reconnecting…* until it is back. The call
 * stays up throughout.
 */
import { expect, test } from '@playwright/test';
import type { Call } from '@flux/protocol';
import { startCoturn, type RunningCoturn } from '../engine/coturn.ts';
import { relayOnly } from '../harness/browser.ts';
import { startLossyUdp, type LossyUdp } from '../harness/lossyUdp.ts';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { agentInConsole, callFromWidget } from './callParties.ts';
import { signIn } from '../console/helpers.ts';

let turn: RunningCoturn;
let hop: LossyUdp;
let server: RunningServer;
test.beforeAll(async () => {
  turn = await startCoturn();
  hop = await startLossyUdp(turn.port);
  server = await startServer({
    env: {
      TURN_URLS: `turn:127.0.0.1:${String(hop.port)}?transport=udp`,
      TURN_SECRET: turn.secret,
      TURN_TTL_SECONDS: '600',
    },
  });
});
test.afterAll(async () => {
  await server.stop();
  await hop.stop();
  await turn.stop();
});

test('a lossy link shows as a weak connection on both sides, and clears when it recovers', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const agent = await agentInConsole(browser, server.url, DEMO.agents.mia, relayOnly);
  const shopper = await browser.newContext();
  await relayOnly(shopper);
  const visitor = await shopper.newPage();
  const { ui } = await callFromWidget(visitor, server.url);
  await agent.getByTestId('ring-card').getByRole('button', { name: 'Accept' }).click();
  const line = ui.locator('.st');
  const screen = agent.getByTestId('call-screen');
  await expect(line).toHaveAttribute('data-s', 'connected', { timeout: 20_000 });
  await expect(screen).toHaveAttribute('data-call-state', 'active', { timeout: 20_000 });
  // through the relay, past the hop
  await expect.poll(() => hop.counts().forwarded, { timeout: 10_000 }).toBeGreaterThan(200);
  const weak = agent.getByTestId('call-weak');
  // a clean link for a while: nothing said
  await visitor.waitForTimeout(6000);
  await expect(line).toHaveAttribute('data-s', 'connected');
  await expect(weak).toHaveCount(0);

  // a fifth of the media lost at each crossing of the hop (twice on its way)
  hop.setLoss(0.2);
  await expect(line).toHaveAttribute('data-s', 'weak', { timeout: 20_000 });
  await expect(line).toContainText(/^Weak connection · \d+:\d\d$/);
  // with the camera on, the shopper is told what helps, and can do it from there
  const tip = ui.getByTestId('flux-weak-tip');
  await expect(tip).toBeVisible();
  await expect(tip).toContainText('Turning your camera off keeps your voice clear.');
  await expect(ui.locator('.sr[role=status]')).toHaveText(
    'Weak connection. Turning your camera off keeps your voice clear.',
  );
  await expect(weak).toBeVisible({ timeout: 20_000 });
  await expect(weak).toContainText('Weak connection');
  // and told to a screen reader, in a live region that was there before
  await expect(agent.getByRole('status').filter({ hasText: 'Weak connection' })).toHaveCount(1);
  expect(hop.counts().dropped).toBeGreaterThan(100);
  await visitor.screenshot({ path: test.info().outputPath('weak-shopper.png') });
  await agent.screenshot({ path: test.info().outputPath('weak-agent.png') });
  // the call goes on
  await expect(screen).toHaveAttribute('data-call-state', 'active');
  await tip.getByRole('button', { name: 'Turn camera off' }).click();
  const camera = ui.locator('.bar').getByRole('button', { name: 'Turn camera on' });
  await expect(camera).toHaveAttribute('aria-pressed', 'true');
  await expect(camera).toBeFocused();
  await expect(tip).toBeHidden();
  await expect(line).toHaveAttribute('data-s', 'weak'); // the voice still crosses the lossy hop

  hop.setLoss(0);
  await expect(line).toHaveAttribute('data-s', 'connected', { timeout: 30_000 });
  await expect(weak).toHaveCount(0, { timeout: 30_000 });
  await expect(screen).toHaveAttribute('data-call-state', 'active');

  // nothing gets through: the media reconnects, and the line says so for as long as it does
  // (the call's clock once wrote *Connected* over it within a second)
  hop.setLoss(1);
  await expect(line).toHaveAttribute('data-s', 'reconnecting', { timeout: 20_000 });
  await expect(line).toContainText(/^Reconnecting… · \d+:\d\d$/);
  await visitor.waitForTimeout(2500);
  await expect(line).toHaveAttribute('data-s', 'reconnecting');
  await expect(line).toContainText('Reconnecting…');
  hop.setLoss(0);
  await expect(line).toHaveAttribute('data-s', 'connected', { timeout: 30_000 });
  await expect(line).toContainText(/^Connected · \d+:\d\d$/);
  await expect(screen).toHaveAttribute('data-call-state', 'active', { timeout: 30_000 });
  await expect(tip).toBeHidden();

  // the call record keeps how long each side's link was weak, for the shop's call log
  await ui.locator('.bar').getByRole('button', { name: 'Hang up' }).click();
  await agent.getByRole('link', { name: 'History' }).click();
  const row = agent.getByTestId('history-table').locator('tbody tr').first();
  await expect(row.getByTestId('weak-badge')).toHaveText('Weak link');
  const res = await agent.request.get(`${server.url}/api/v1/me/calls?limit=1`);
  const [record] = ((await res.json()) as { items: Call[] }).items;
  // weak from the second poor reading (4 s) until the third good one (6 s), at least
  expect(record?.weakSeconds.visitor).toBeGreaterThanOrEqual(4);
  expect(record?.weakSeconds.agent).toBeGreaterThanOrEqual(4);
  await agent.screenshot({ path: test.info().outputPath('weak-history.png') });
  await row.click();
  await expect(agent.getByTestId('call-connection')).toContainText(
    /Weak link\s*Judged weak for \d+:\d\d by the shopper's browser and \d+:\d\d by the agent's$/,
  );
  await agent.screenshot({
    path: test.info().outputPath('weak-detail.png'),
    animations: 'disabled',
  });
  // the agent's home screen: one weak call is no verdict on the agent's own connection
  await agent.keyboard.press('Escape');
  await agent.getByRole('link', { name: 'Calls', exact: true }).click();
  await expect(agent.getByTestId('check-call-connection')).toContainText(
    'Weak in your last call: now and then that is the shopper’s network.',
  );
  await agent.screenshot({ path: test.info().outputPath('weak-home.png') });
  // the shop's admin finds it with the call log's filter
  const adminCtx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const admin = await adminCtx.newPage();
  await signIn(admin, server.url, DEMO.admin);
  await admin.goto(`${server.url}/console/#/admin/calls`);
  await admin.getByTestId('call-filters').getByLabel('Connection').selectOption('weak');
  const logged = admin.getByTestId('call-log-table').locator('tbody tr');
  await expect(logged).toHaveCount(1);
  await expect(logged.getByTestId('weak-badge')).toHaveText('Weak link');
  await expect(logged).toContainText('Mia Alvarez');
  await adminCtx.close();
  await agent.context().close();
  await shopper.close();
});
