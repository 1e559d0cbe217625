/**
 * The ringtone under the browser's default autoplay policy (this file launches its own
 * Chromium without the harness's `--autoplay-policy` flag): the sign-in click unlocks
 * audio; a console opened without any gesture warns that sound is blocked until a click.
 */
import { chromium, expect, test, type Browser } from '@playwright/test';
import { ApiClient } from '../harness/api.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../harness/browser.ts';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { shot, signIn } from './helpers.ts';

let server: RunningServer;
let browser: Browser;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server.stop();
});
// A fresh browser per test, so that no test inherits another's audio unlock.
test.beforeEach(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS.filter((a) => !a.startsWith('--autoplay-policy')),
  });
});
test.afterEach(async () => {
  await browser.close();
});

const audioState = () =>
  document.querySelector('[data-testid="audio-blocked"]') ? 'blocked' : 'ok';

test('the sign-in click unlocks the ringtone', async () => {
  const page = await browser.newPage();
  await signIn(page, server.url, DEMO.agents.aiko);
  await expect(page.getByTestId('connection')).toHaveText(/Connected/);
  await expect.poll(() => page.evaluate(audioState)).toBe('ok');
  await page.close();
});

test('a console opened without a gesture warns until sound is enabled', async () => {
  const api = await ApiClient.signIn(server.url, DEMO.agents.aiko);
  const [name, value] = api.sessionCookie.split('=') as [string, string];
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  await context.addCookies([{ name, value, url: server.url }]);
  const page = await context.newPage();
  // Playwright runs its DOM queries with a user gesture, which would unlock audio if one ran
  // before the console's own check: wait for Chromium's autoplay refusal first, without
  // touching the DOM.
  const refused = page.waitForEvent('console', (m) =>
    m.text().includes('AudioContext was not allowed to start'),
  );
  await page.goto(`${server.url}/console/#/home`);
  await refused;
  const banner = page.getByTestId('audio-blocked');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('blocking sound');
  await shot(page, 'audio-blocked-light');
  await banner.getByRole('button', { name: 'Enable sound' }).click();
  await expect(banner).toHaveCount(0);
  await context.close();
});
