/**
 * Screenshots of each main console screen in light and dark (e2e/console/screenshots, git-ignored),
 * on a laptop and a tablet viewport. They are looked at by people; the test asserts that
 * every screen renders its heading without page errors.
 */
import { expect, test } from '@playwright/test';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { shot, signIn } from './helpers.ts';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server.stop();
});

const SCREENS = [
  ['home', 'Calls'],
  ['history', 'Call history'],
  ['callbacks', 'Callback requests'],
  ['settings', 'Account settings'],
  ['admin/agents', 'Agents'],
  ['admin/products', 'Products'],
  ['admin/keys', 'API keys & allowed origins'],
  ['admin/channel', 'Channel settings'],
  ['admin/embed', 'Embed snippet'],
  ['admin/analytics', 'Analytics'],
] as const;

for (const scheme of ['light', 'dark'] as const) {
  test(`every main screen renders (${scheme})`, async ({ browser }) => {
    const context = await browser.newContext({
      colorScheme: scheme,
      viewport: { width: 1366, height: 860 },
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/console/`);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await shot(page, `sign-in-${scheme}`);
    await signIn(page, server.url, DEMO.admin);
    for (const [route, title] of SCREENS) {
      await page.goto(`${server.url}/console/#/${route}`);
      await expect(page.getByTestId('screen-title')).toHaveText(title);
      await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
      await page.waitForLoadState('networkidle');
      // every screen finishes loading (and is shot loaded, not with its spinner)
      await expect(page.getByText('Loading…')).toHaveCount(0);
      if (route === 'history') {
        // the admin has taken no call: the empty state, and no pager for an empty page
        await expect(page.getByText('No calls yet')).toBeVisible();
        await expect(page.getByRole('button', { name: 'Previous page' })).toHaveCount(0);
      }
      await shot(page, `${route.replace('/', '-')}-${scheme}`);
    }
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.goto(`${server.url}/console/#/home`);
    await page.waitForLoadState('networkidle');
    await shot(page, `tablet-home-${scheme}`);
    await page.goto(`${server.url}/console/#/admin/products`);
    await page.waitForLoadState('networkidle');
    await shot(page, `tablet-products-${scheme}`);
    expect(errors).toEqual([]);
    await context.close();
  });
}
