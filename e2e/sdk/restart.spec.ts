/**
 * The server restarts (a deploy of the one process, SQLite) while a shopper talks to Mia
 * through the widget: the video goes on, both sides rejoin the call when the server is back,
 * and the call continues: a product the agent shows reaches the widget, and the agent's
 * hang-up ends the call on both sides. Screenshots during the outage and after it go to
 * test-results/sdk-screenshots/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Locator } from '@playwright/test';
import { ApiClient } from '../harness/api.ts';
import { DEMO, startServer } from '../harness/server.ts';
import { agentInConsole, callFromWidget } from './callParties.ts';

const SHOTS = 'test-results/sdk-screenshots';

/** Frames the widget's remote video has presented so far. */
function framesShown(ui: Locator): Promise<number> {
  // the agent's picture (video.rv), not the self-view beside it
  return ui
    .locator('video.rv')
    .evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
}

test('a server restart mid-call: the shopper and the agent go on talking', async ({ browser }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flux-e2e-restart-'));
  let server = await startServer({ dataDir });
  try {
    const agent = await agentInConsole(browser, server.url);

    const visitor = await (
      await browser.newContext({ viewport: { width: 1280, height: 800 } })
    ).newPage();
    const errors: string[] = [];
    visitor.on('pageerror', (e) => errors.push(e.message));
    const { ui } = await callFromWidget(visitor, server.url);
    await agent.getByTestId('ring-card').getByRole('button', { name: 'Accept' }).click();
    await expect(ui.locator('.st')).toContainText('Connected', { timeout: 20_000 });
    await expect(agent.getByTestId('call-conn')).toHaveText(/Connected/);
    await expect.poll(() => framesShown(ui)).toBeGreaterThan(0);

    // the deploy: the process stops; the pictures go on while it is away
    await server.stop();
    const stopped = await framesShown(ui);
    await expect.poll(() => framesShown(ui)).toBeGreaterThan(stopped + 10);
    await expect(ui).toHaveAttribute('data-flux-state', 'call');
    // the console says its connection is away (the shopper need not know)
    const connection = agent.locator('.conn');
    await expect(connection).toHaveText('Reconnecting…');
    await visitor.screenshot({ path: `${SHOTS}/restart-outage-visitor.png` });
    await agent.screenshot({ path: `${SHOTS}/restart-outage-console.png` });

    server = await startServer({ dataDir, port: server.port });
    // the console is connected again, the call still on
    await expect(connection).toHaveText('Connected', { timeout: 20_000 });
    await expect(agent.getByTestId('call-screen')).toBeVisible();
    const panel = agent.getByTestId('products-panel');
    await expect(panel.getByTestId('call-product')).toHaveCount(2);
    // what the agent does now reaches the shopper through the restarted server
    await panel.getByLabel('Add from the catalog').fill('fedora');
    const results = agent.getByTestId('catalog-results');
    await results
      .getByRole('button', { name: /^Show / })
      .first()
      .click();
    await expect(panel.getByTestId('call-product')).toHaveCount(3);
    await expect(ui.locator('article')).toHaveCount(3, { timeout: 20_000 });
    await expect(ui.locator('.st')).toContainText('Connected');
    await visitor.screenshot({ path: `${SHOTS}/restart-after-visitor.png` });
    await agent.screenshot({ path: `${SHOTS}/restart-after-console.png` });

    await agent.getByTestId('hangup').click();
    await expect(ui).toHaveAttribute('data-flux-state', 'ended');
    const admin = await ApiClient.signIn(server.url, DEMO.admin);
    const calls = await admin.get<{ items: { endReason: string | null }[] }>('/admin/calls');
    expect(calls.items[0]?.endReason).toBe('agent_hangup');
    expect(errors).toEqual([]);
    await agent.context().close();
    await visitor.context().close();
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
