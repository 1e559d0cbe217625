/**
 * Admin call log: calls made by scripted visitors (one declined by Jonas, one cancelled by
 * the visitor while ringing Aiko) appear in the channel's log with agent, visitor, page,
 * outcome and products; the filters narrow the list; a row opens the call's details.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { shot, signIn } from './helpers.ts';
import { callAgent, visitorView } from './visitor.ts';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server.stop();
});

async function agentOnline(browser: Browser, email: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await ctx.grantPermissions(['camera', 'microphone'], { origin: server.url });
  const page = await ctx.newPage();
  await signIn(page, server.url, email);
  await expect(page.getByTestId('connection')).toHaveText(/Connected/);
  const toggle = page.getByTestId('status-switch');
  if ((await toggle.getAttribute('aria-checked')) !== 'true') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  return page;
}

test('the admin lists, filters and opens the channel’s calls', async ({ browser }) => {
  // a call Jonas declines
  const jonas = await agentOnline(browser, DEMO.agents.jonas);
  const v1 = await (await browser.newContext()).newPage();
  await callAgent(v1, server.url, 'Jonas Berg', {
    productIds: ['ITM-BLUE-SHIRT'],
    user: { name: 'Grace Hopper', email: 'grace@example.test' },
  });
  const card = jonas.getByTestId('ring-card');
  await expect(card).toBeVisible();
  await card.getByRole('button', { name: 'Decline', exact: true }).click();
  await expect.poll(async () => (await visitorView(v1)).state).toBe('ended');

  // a call the visitor cancels while it rings for Aiko
  const aiko = await agentOnline(browser, DEMO.agents.aiko);
  const v2 = await (await browser.newContext()).newPage();
  await callAgent(v2, server.url, 'Aiko Tanaka', { user: { name: 'Alan Turing' } });
  await expect(aiko.getByTestId('ring-card')).toBeVisible();
  await v2.evaluate(() =>
    (window as unknown as { visitorCall: { hangup: () => Promise<void> } }).visitorCall.hangup(),
  );
  await expect.poll(async () => (await visitorView(v2)).state).toBe('ended');

  const admin = await (
    await browser.newContext({ viewport: { width: 1366, height: 860 } })
  ).newPage();
  await signIn(admin, server.url, DEMO.admin);
  await admin.getByRole('link', { name: 'Call log' }).click();
  const table = admin.getByTestId('call-log-table');
  const grace = table.locator('tr', { hasText: 'Grace Hopper' });
  const alan = table.locator('tr', { hasText: 'Alan Turing' });
  await expect(grace).toContainText('Jonas Berg');
  await expect(grace).toContainText('Declined');
  await expect(grace).toContainText('Blue');
  await expect(alan).toContainText('Aiko Tanaka');
  await shot(admin, 'admin-call-log-light');

  // filters: by agent, then by end reason, then a date range that excludes today
  const filters = admin.getByTestId('call-filters');
  await filters.getByLabel('Agent').selectOption({ label: 'Aiko Tanaka' });
  await expect(alan).toBeVisible();
  await expect(grace).toHaveCount(0);
  await filters.getByLabel('Agent').selectOption({ label: 'All agents' });
  await filters.getByLabel('End reason').selectOption('declined');
  await expect(grace).toBeVisible();
  await expect(alan).toHaveCount(0);
  await filters.getByRole('button', { name: 'Clear filters' }).click();
  await expect(alan).toBeVisible();
  // neither call connected, so neither had a weak link (e2e/sdk/quality.spec.ts has one)
  await filters.getByLabel('Connection').selectOption('weak');
  await expect(admin.getByText('No calls match')).toBeVisible();
  await filters.getByRole('button', { name: 'Clear filters' }).click();
  await expect(alan).toBeVisible();
  await filters.getByLabel('To').fill('2020-01-01');
  await expect(admin.getByText('No calls match')).toBeVisible();
  await filters.getByLabel('From').fill('2020-02-01');
  await expect(filters.getByText('The end is before the start.')).toBeVisible();
  await filters.getByRole('button', { name: 'Clear filters' }).click();

  // details: agent, visitor, page, products, rating, notes
  await grace.getByRole('button', { name: 'Grace Hopper' }).click();
  const dialog = admin.getByRole('dialog', { name: 'Call with Grace Hopper' });
  await expect(dialog).toContainText('Jonas Berg');
  // the admin reads of the agent, not of "you"
  await expect(dialog.getByTestId('call-end')).toHaveText('The agent declined');
  await expect(dialog).toContainText('grace@example.test');
  await expect(dialog).toContainText(`${server.url}/`);
  await expect(dialog).toContainText('Blue');
  await dialog.getByLabel('Private notes').fill('Followed up by email.');
  await expect(dialog.getByTestId('notes-status')).toHaveText('Saved');
  await shot(admin, 'admin-call-detail-light');
});
