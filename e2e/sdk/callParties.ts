/**
 * The two people of a call through the product, for SDK browser tests: the agent in the
 * console (signed in through its form, online, camera and microphone allowed) and the
 * shopper starting a call from the demo shop's widget.
 */
import {
  expect,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from '@playwright/test';
import { signIn } from '../console/helpers.ts';
import { DEMO } from '../harness/server.ts';

/**
 * An agent's console page, signed in and online (Mia unless told otherwise); `prepare` gets
 * the browser context before the page opens (an init script, say).
 */
export async function agentInConsole(
  browser: Browser,
  base: string,
  email: string = DEMO.agents.mia,
  prepare?: (ctx: BrowserContext) => Promise<void>,
): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await ctx.grantPermissions(['camera', 'microphone'], { origin: base });
  await prepare?.(ctx);
  const page = await ctx.newPage();
  await signIn(page, base, email);
  const toggle = page.getByTestId('status-switch');
  if ((await toggle.getAttribute('aria-checked')) !== 'true') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  return page;
}

/** The shopper opens the demo shop's /product/123 (the spec's example): the card, ready. */
export async function cardOnShopPage(visitor: Page, base: string): Promise<Locator> {
  await visitor.goto(`${base}/product/123`);
  const card = visitor.locator('.my-cool-call-widget [data-flux-widget]').first();
  await expect(card).toHaveAttribute('data-flux-state', 'ready');
  return card;
}

/**
 * The shopper opens the demo shop's /product/123 and starts a video call from the widget's
 * card: returns the card and the call UI, which is calling.
 */
export async function callFromWidget(
  visitor: Page,
  base: string,
): Promise<{ card: Locator; ui: Locator }> {
  const card = await cardOnShopPage(visitor, base);
  await card.getByRole('button', { name: 'Start video call' }).click();
  const ui = visitor.locator('[data-flux-call-ui]');
  await ui.getByRole('button', { name: 'Start call' }).click();
  await expect(ui).toHaveAttribute('data-flux-state', 'calling');
  return { card, ui };
}
