/**
 * When the console signs out by itself: only when the server says the session is gone
 * (`FLX_ERR_AUTH_REQUIRED`). A wrong current password on Account → Password is a 401 too,
 * but a field error: the agent stays signed in.
 */
import { expect, test, type Page } from '@playwright/test';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { shot, signIn } from './helpers.ts';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server.stop();
});

const CONSOLE_HEADERS = { 'content-type': 'application/json', 'x-flux-console': '1' };

/** Signs in outside the browser (another device) and returns that session's cookie. */
async function signInElsewhere(email: string, password: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: CONSOLE_HEADERS,
    body: JSON.stringify({ channel: DEMO.channelId, email, password }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('flux_session='));
  expect(cookie).toBeTruthy();
  return (cookie ?? '').split(';')[0] ?? '';
}

/** Every answer of the console's API while `fn` runs, as "METHOD path status". */
async function apiAnswers(page: Page, fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const onResponse = (res: {
    url: () => string;
    status: () => number;
    request: () => { method: () => string };
  }) => {
    const url = new URL(res.url());
    if (url.pathname.startsWith('/api/'))
      seen.push(`${res.request().method()} ${url.pathname} ${String(res.status())}`);
  };
  page.on('response', onResponse);
  try {
    await fn();
  } finally {
    page.off('response', onResponse);
  }
  return seen;
}

test('a wrong current password is a field error and the agent stays signed in', async ({
  page,
}) => {
  await signIn(page, server.url, DEMO.agents.jonas);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Account' })
    .click();
  const current = page.getByLabel('Current password');
  const answers = await apiAnswers(page, async () => {
    await current.fill('not-my-password-1');
    await page.getByLabel('New password').fill('a brand new password 1');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByText('This is not your current password.')).toBeVisible();
  });
  expect(answers).toContain('PUT /api/v1/me/password 401');
  await expect(current).toHaveAttribute('aria-invalid', 'true');
  await shot(page, 'settings-password-wrong-current');
  // still signed in: the page stays, another page opens and loads its data
  await expect(page.getByRole('heading', { name: 'Sign in' })).toHaveCount(0);
  const history = await apiAnswers(page, async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'History' })
      .click();
    await expect(page.getByRole('heading', { level: 1, name: 'Your calls' })).toBeVisible();
    // the list loaded (an error would show instead)
    await expect(page.getByRole('heading', { name: 'No calls yet' })).toBeVisible();
  });
  expect(history.length).toBeGreaterThan(0);
  expect(history.filter((a) => !a.endsWith(' 200'))).toEqual([]);
  // and the server still knows the session: a reload lands in the console, not on sign-in
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toHaveCount(0);

  // the right current password still changes it (and keeps this tab signed in)
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Account' })
    .click();
  await page.getByLabel('Current password').fill(DEMO.password);
  await page.getByLabel('New password').fill('a brand new password 1');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Password changed.')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
});

test('a session ended on the server sends the agent to sign-in', async ({ page }) => {
  await signIn(page, server.url, DEMO.agents.aiko);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toHaveCount(0);
  // On another device the agent changes her password: every other session ends, this tab's too.
  const elsewhere = await signInElsewhere(DEMO.agents.aiko, DEMO.password);
  const changed = await fetch(`${server.url}/api/v1/me/password`, {
    method: 'PUT',
    headers: { ...CONSOLE_HEADERS, cookie: elsewhere },
    body: JSON.stringify({ currentPassword: DEMO.password, newPassword: 'changed elsewhere 2026' }),
  });
  expect(changed.status).toBe(200);
  // the next request of this tab answers FLX_ERR_AUTH_REQUIRED and the console shows sign-in
  const answers = await apiAnswers(page, async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'History' })
      .click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  });
  expect(answers.some((a) => a.endsWith(' 401'))).toBe(true);
  await expect(page.getByLabel('Channel')).toHaveValue(DEMO.channelId);
  await shot(page, 'session-ended-sign-in');
});
