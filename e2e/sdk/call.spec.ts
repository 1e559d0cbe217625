/**
 * A whole call through the SDK's call UI: a visitor on the demo shop's /product/123 (the
 * spec's example, products ITM-BLUE-SHIRT and EXT-RED-PANTS) calls Mia, who accepts in the
 * agent console. Checks the connected view (remote video, state, timer, products with
 * prices, add to cart → the page's `flux:add-to-cart`), minimise, hang up, rating; the
 * camera and microphone off from the hang-up on. And an agent who declines: the camera off
 * while the shopper chooses, on again for the agent she calls instead.
 * Screenshots of the connected view go to test-results/sdk-screenshots/.
 */
import { expect, test } from '@playwright/test';
import { countMedia, openMedia } from '../harness/media.ts';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { agentInConsole, callFromWidget } from './callParties.ts';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server.stop();
});

for (const [label, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 360, height: 740 }],
] as const) {
  test(`a visitor calls from the widget, talks, buys, hangs up and rates (${label})`, async ({
    browser,
  }) => {
    const agent = await agentInConsole(browser, server.url);
    const shopper = await browser.newContext({ viewport });
    await countMedia(shopper);
    const visitor = await shopper.newPage();
    const errors: string[] = [];
    visitor.on('pageerror', (e) => errors.push(e.message));
    const { card, ui } = await callFromWidget(visitor, server.url);
    await expect(card).toHaveAttribute('data-flux-state', 'calling');

    await agent.getByTestId('ring-card').getByRole('button', { name: 'Accept' }).click();
    await expect(ui).toHaveAttribute('data-flux-state', 'call', { timeout: 20_000 });
    await expect(ui.locator('.st')).toContainText('Connected', { timeout: 20_000 });
    await expect(card).toHaveAttribute('data-flux-state', 'in-call');
    // The agent's fake camera reaches the visitor.
    await expect
      .poll(() => ui.locator('video.rv').evaluate((v: HTMLVideoElement) => v.videoWidth), {
        timeout: 15_000,
      })
      .toBeGreaterThan(0);

    // The call's products, priced in their currency; add to cart reaches the page.
    const products = ui.locator('article');
    await expect(products).toHaveCount(2);
    await expect(products.first()).toContainText('Blue Oxford Shirt');
    await expect(products.first()).toContainText('€');
    await visitor.waitForTimeout(1200); // let the timer tick once for the screenshot
    await visitor.screenshot({ path: `test-results/sdk-screenshots/connected-${label}.png` });
    const added = visitor.evaluate(
      () =>
        new Promise<string>((resolve) =>
          document.addEventListener('flux:add-to-cart', (e) =>
            resolve((e as CustomEvent<{ product: { name: string } }>).detail.product.name),
          ),
        ),
    );
    await products.first().getByRole('button', { name: 'Add to cart' }).click();
    expect(await added).toBe('Blue Oxford Shirt');

    // Minimise to the floating window and back.
    await ui.getByRole('button', { name: 'Minimise' }).click();
    await expect(ui).toHaveClass(/min/);
    await visitor.screenshot({ path: `test-results/sdk-screenshots/minimised-${label}.png` });
    // A single-page app navigates and re-renders its whole body: the call stays.
    await visitor.evaluate(() => {
      history.pushState({}, '', '/product/125');
      document.body.replaceChildren(
        Object.assign(document.createElement('main'), { textContent: 'Hats' }),
      );
    });
    await expect(ui).toHaveAttribute('data-flux-state', 'call');
    await expect(ui).toBeVisible();
    await ui.getByRole('button', { name: 'Back to the call' }).click();
    await expect(ui).not.toHaveClass(/min/);

    // Hang up, rate, close.
    expect((await openMedia(visitor)).liveTracks).toBeGreaterThan(0);
    await ui.locator('.bar').getByRole('button', { name: 'Hang up' }).click();
    await expect(ui).toHaveAttribute('data-flux-state', 'ended');
    // the camera and microphone go off with the hang-up, not when the window closes
    expect(await openMedia(visitor)).toMatchObject({ peerConnections: 0, liveTracks: 0 });
    await visitor.screenshot({ path: `test-results/sdk-screenshots/ended-${label}.png` });
    await ui.getByRole('button', { name: '4 of 5' }).click();
    await expect(ui.getByText('Thanks for your feedback!')).toBeVisible();
    await ui.locator('.bar').getByRole('button', { name: 'Close' }).click();
    await expect(ui).toHaveCount(0);
    expect(await openMedia(visitor)).toEqual({
      peerConnections: 0,
      liveTracks: 0,
      audioContexts: 0,
      videos: 0,
    });
    expect(errors).toEqual([]);
    await agent.context().close();
    await visitor.context().close();
  });
}

test('an agent who declines: the camera goes off while the shopper chooses, and on again for the agent she calls instead', async ({
  browser,
}) => {
  const mia = await agentInConsole(browser, server.url);
  const shopper = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await countMedia(shopper);
  const visitor = await shopper.newPage();
  const { ui } = await callFromWidget(visitor, server.url);
  await expect(mia.getByTestId('ring-card')).toBeVisible();
  // Aiko shares Mia's fashion-support tag and comes online while it rings
  const aiko = await agentInConsole(browser, server.url, DEMO.agents.aiko);
  await mia.getByTestId('ring-card').getByRole('button', { name: 'Decline', exact: true }).click();
  await expect(ui).toHaveAttribute('data-flux-state', 'unavailable');
  expect(await openMedia(visitor)).toMatchObject({ peerConnections: 0, liveTracks: 0 });

  // a double click: one call, one camera
  await ui.getByRole('button', { name: 'Call Aiko Tanaka instead' }).dblclick();
  await expect(ui).toHaveAttribute('data-flux-state', 'calling');
  expect((await openMedia(visitor)).liveTracks).toBeGreaterThan(0);
  await aiko.getByTestId('ring-card').getByRole('button', { name: 'Accept' }).click();
  await expect(ui.locator('.st')).toContainText('Connected', { timeout: 20_000 });
  // both ways: Aiko's picture reaches the shopper, the shopper's reaches Aiko
  await expect
    .poll(() => ui.locator('video.rv').evaluate((v: HTMLVideoElement) => v.videoWidth))
    .toBeGreaterThan(0);
  await expect
    .poll(() =>
      aiko
        .locator('video.remote')
        .evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames),
    )
    .toBeGreaterThan(5);
  await ui.locator('.bar').getByRole('button', { name: 'Hang up' }).click();
  await expect(ui).toHaveAttribute('data-flux-state', 'ended');
  expect(await openMedia(visitor)).toMatchObject({ peerConnections: 0, liveTracks: 0 });
  for (const p of [mia, aiko, visitor]) await p.context().close();
});
