/**
 * Screenshots of the widget card and the call UI, desktop and a 390×844 phone, written to
 * test-results/sdk-screenshots/ for review (they assert that the views render, and that the
 * ringing view's self-view plays the visitor's camera).
 */
import { expect, test } from '@playwright/test';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { availableAgents, connectAgent, type TestAgent } from './agent.ts';
import { expectSelfViewPlaysCamera, recordGetUserMedia } from './selfView.ts';

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

for (const [label, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`widget and call UI (${label})`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await page.addInitScript(recordGetUserMedia);
    const warnings: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    await page.goto(`${server.url}/product/123`);
    const card = page.locator('.my-cool-call-widget [data-flux-widget]').first();
    await expect(card).toHaveAttribute('data-flux-state', 'ready');
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: `test-results/sdk-screenshots/card-${label}.png` });
    await card.getByRole('button').click();
    const ui = page.locator('[data-flux-call-ui]');
    await expect(ui).toHaveAttribute('data-flux-state', 'check');
    await page.waitForTimeout(500);
    await page.screenshot({ path: `test-results/sdk-screenshots/check-${label}.png` });
    await ui.getByRole('button', { name: 'Start call' }).click();
    await expect(ui).toHaveAttribute('data-flux-state', 'calling');
    // while it rings the visitor sees their own camera, under the agent's photo and name
    await mia.waitFor('call.incoming');
    await expectSelfViewPlaysCamera(ui);
    await expect(ui.getByRole('heading', { name: 'Calling Mia Alvarez…' })).toBeVisible();
    await expect(ui.locator('.ring img.big')).toBeVisible();
    await page.screenshot({ path: `test-results/sdk-screenshots/calling-${label}.png` });
    await ui.getByRole('button', { name: 'Cancel' }).click();
    await expect(ui).toHaveCount(0);
    // The cancel reached the server: Mia is free again (for the visitor, and the next test).
    await expect.poll(() => availableAgents(server)).toEqual(['Mia Alvarez']);
    // cancelling before the call rang is the visitor's choice, not an unavailable agent
    const failed = warnings.filter((w) => w.includes('startCall() failed'));
    for (const w of failed) expect(w).toContain('FLX_ERR_SDK_CALL_CANCELLED');
  });
}
