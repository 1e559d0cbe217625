/**
 * Accessibility: axe-core's WCAG 2.1 A and AA rules over what shoppers and agents use. The
 * widget is part of the merchant's own page, and shops selling in the EU must meet WCAG 2.1 AA
 * (the European Accessibility Act, since June 2025), so a violation in the card or the call UI
 * becomes theirs. Audited: the demo shop's page with the widget's card, the call UI (camera
 * check, calling, the call, the rating, the callback form after a decline, the camera
 * blocked), and the console
 * (sign in, every main screen in light and dark, the ring card, the call screen and after it).
 * And a whole call by keyboard, which axe cannot judge: the focus must stay in the call UI as
 * its views change.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { ROUTES } from '../apps/console/src/state/router.ts';
import { signIn } from './console/helpers.ts';
import { DEMO, startServer, type RunningServer } from './harness/server.ts';
import { agentInConsole, callFromWidget, cardOnShopPage } from './sdk/callParties.ts';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server.stop();
});

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The page's violations, one line each: rule, impact, and where. */
async function violations(page: Page, include?: string): Promise<string[]> {
  // colours read mid-transition (a dialog fading in) are blends that no one reads: wait for
  // the page's animations that end (not the endless ones, like the ring card's pulse)
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  let axe = new AxeBuilder({ page }).withTags(WCAG_21_AA);
  if (include !== undefined) axe = axe.include(include);
  const result = await axe.analyze();
  // each element with what axe found there (for contrast: the two colours and the ratio)
  return result.violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'unknown'}): ${v.help}:\n${v.nodes
        .map((n) => `  ${JSON.stringify(n.target)} ${[...n.any, ...n.all][0]?.message ?? ''}`)
        .join('\n')}`,
  );
}

/** Mia online in the console, and a shopper on the demo shop's page with the card ready. */
async function shopperAtCard(browser: Browser) {
  const agent = await agentInConsole(browser, server.url);
  const visitor = await (await browser.newContext()).newPage();
  return { agent, visitor, card: await cardOnShopPage(visitor, server.url) };
}

test('the demo shop page, the widget card and the call UI, through a whole call', async ({
  browser,
}) => {
  const { agent, visitor, card } = await shopperAtCard(browser);
  expect.soft(await violations(visitor), 'shop page with the card').toEqual([]);

  await card.getByRole('button', { name: 'Start video call' }).click();
  const ui = visitor.locator('[data-flux-call-ui]');
  await expect(ui).toHaveAttribute('data-flux-state', 'check');
  expect.soft(await violations(visitor, '[data-flux-call-ui]'), 'camera check').toEqual([]);
  await visitor.goto(`${server.url}/product/123`);

  const { ui: calling } = await callFromWidget(visitor, server.url);
  expect.soft(await violations(visitor, '[data-flux-call-ui]'), 'calling').toEqual([]);
  const ring = agent.getByTestId('ring-card');
  await expect(ring).toBeVisible();
  expect.soft(await violations(agent), 'console, ringing').toEqual([]);

  await ring.getByRole('button', { name: 'Accept' }).click();
  await expect(calling).toHaveAttribute('data-flux-state', 'call', { timeout: 20_000 });
  await expect(calling.locator('.st')).toContainText('Connected', { timeout: 20_000 });
  await expect(calling.locator('article')).toHaveCount(2);
  expect.soft(await violations(visitor, '[data-flux-call-ui]'), 'the call, shopper').toEqual([]);
  expect.soft(await violations(agent), 'the call, console').toEqual([]);

  await calling.locator('.bar').getByRole('button', { name: 'Hang up' }).click();
  await expect(calling).toHaveAttribute('data-flux-state', 'ended');
  expect.soft(await violations(visitor, '[data-flux-call-ui]'), 'rating').toEqual([]);
  await expect(agent.getByTestId('ring-card')).toHaveCount(0);
  expect.soft(await violations(agent), 'console, after the call').toEqual([]);

  // the agent declines the next call: the shopper is offered a callback
  const { ui: declined } = await callFromWidget(visitor, server.url);
  await agent
    .getByTestId('ring-card')
    .getByRole('button', { name: 'Decline', exact: true })
    .click();
  await expect(declined).toHaveAttribute('data-flux-state', 'unavailable');
  expect.soft(await violations(visitor, '[data-flux-call-ui]'), 'callback form').toEqual([]);
  await agent.context().close();
  await visitor.context().close();
});

test('the call UI when the camera and microphone are blocked', async ({ browser }) => {
  const agent = await agentInConsole(browser, server.url);
  const ctx = await browser.newContext();
  // the shopper's browser refuses them, as after "Block" (the test browser grants its fake ones)
  await ctx.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  const visitor = await ctx.newPage();
  const card = await cardOnShopPage(visitor, server.url);
  await card.getByRole('button', { name: 'Start video call' }).focus();
  await visitor.keyboard.press('Enter');
  const ui = visitor.locator('[data-flux-call-ui]');
  await expect(ui).toHaveAttribute('data-flux-state', 'denied');
  await expect(
    ui.getByRole('heading', { name: 'Camera and microphone are blocked' }),
  ).toBeVisible();
  expect.soft(await violations(visitor, '[data-flux-call-ui]'), 'camera blocked').toEqual([]);
  // as the camera check's Start call would: the way on has the focus, and a retry that fails
  // again rebuilds the view (a new button) with the focus on it
  await expect.poll(() => focusedIn(ui)).toBe('Try again');
  await ui.evaluate((host) => host.shadowRoot?.activeElement?.setAttribute('data-first', ''));
  await visitor.keyboard.press('Enter');
  await expect
    .poll(() =>
      ui.evaluate((host) => {
        const el = host.shadowRoot?.activeElement;
        return el && !el.hasAttribute('data-first')
          ? (el.getAttribute('aria-label') ?? el.textContent)
          : null;
      }),
    )
    .toBe('Try again');
  await agent.context().close();
  await ctx.close();
});

/** The name of the control that has the focus inside a widget's shadow root (the call UI, the card), or null. */
function focusedIn(ui: Locator): Promise<string | null> {
  return ui.evaluate((host) => {
    const el = host.shadowRoot?.activeElement;
    return el ? (el.getAttribute('aria-label') ?? el.textContent).trim() : null;
  });
}

test('a whole call by keyboard: the focus follows the call UI from view to view', async ({
  browser,
}) => {
  const { agent, visitor, card } = await shopperAtCard(browser);
  await card.getByRole('button', { name: 'Start video call' }).focus();
  await visitor.keyboard.press('Enter');
  const ui = visitor.locator('[data-flux-call-ui]');
  await expect(ui).toHaveAttribute('data-flux-state', 'check');
  await expect.poll(() => focusedIn(ui)).toBe('Start call');

  // the view changes take away the focused button: its successor gets the focus
  await visitor.keyboard.press('Enter');
  await expect(ui).toHaveAttribute('data-flux-state', 'calling');
  await expect.poll(() => focusedIn(ui)).toBe('Cancel');
  await agent.getByTestId('ring-card').getByRole('button', { name: 'Accept' }).click();
  await expect(ui).toHaveAttribute('data-flux-state', 'call', { timeout: 20_000 });
  await expect.poll(() => focusedIn(ui)).not.toBeNull();
  for (let i = 0; i < 12 && (await focusedIn(ui)) !== 'Hang up'; i++) {
    await visitor.keyboard.press('Tab');
  }
  expect(await focusedIn(ui)).toBe('Hang up');
  await visitor.keyboard.press('Enter');
  await expect(ui).toHaveAttribute('data-flux-state', 'ended');
  await expect.poll(() => focusedIn(ui)).toBe('1 of 5');
  for (let i = 0; i < 3; i++) await visitor.keyboard.press('Tab');
  expect(await focusedIn(ui)).toBe('4 of 5');
  await visitor.keyboard.press('Enter');
  await expect(ui.getByText('Thanks for your feedback!')).toBeVisible();
  // closed from the keyboard, the focus goes back to the card's button that opened it
  await expect.poll(() => focusedIn(ui)).toBe('Close');
  await visitor.keyboard.press('Enter');
  await expect(ui).toHaveCount(0);
  await expect.poll(() => focusedIn(card)).toBe('Start video call');
  await agent.context().close();
  await visitor.context().close();
});

for (const scheme of ['light', 'dark'] as const) {
  test(`the console's screens (${scheme})`, async ({ browser }) => {
    const context = await browser.newContext({
      colorScheme: scheme,
      viewport: { width: 1366, height: 860 },
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/console/`);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect.soft(await violations(page), 'sign in').toEqual([]);
    await signIn(page, server.url, DEMO.admin);
    // every screen but the call's, which needs a call (audited in the test above)
    for (const route of ROUTES.filter((r) => r !== 'call')) {
      await page.goto(`${server.url}/console/#/${route}`);
      await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
      await page.waitForLoadState('networkidle');
      expect.soft(await violations(page), route).toEqual([]);
    }
    // a form in a dialog (the native <dialog>, in the top layer)
    await page.goto(`${server.url}/console/#/admin/agents`);
    await page.getByRole('button', { name: 'New agent' }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    expect.soft(await violations(page), 'new agent dialog').toEqual([]);
    await context.close();
  });
}
