/**
 * Callback requests: a visitor leaves one (over signaling, as the SDK does); the console announces it
 * at once, lists it, and the agent takes it and marks it done.
 */
import { expect, test } from '@playwright/test';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { shot, signIn } from './helpers.ts';
import { leaveCallback } from './visitor.ts';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server.stop();
});

test('an agent sees a new callback request, takes it and marks it done', async ({
  page,
  browser,
}) => {
  await signIn(page, server.url, DEMO.agents.jonas);
  await page.goto(`${server.url}/console/#/callbacks`);
  await expect(page.getByText('No open requests')).toBeVisible();
  await expect(page.getByTestId('connection')).toHaveText(/Connected/);

  const visitor = await browser.newPage();
  await leaveCallback(visitor, server.url, {
    name: 'Linus Pauling',
    contact: '+49 30 1234567',
    note: 'Looking for a fedora in size 58.',
  });
  await visitor.close();
  await expect(page.getByText('A visitor asked to be called back.')).toBeVisible();
  const row = page.getByTestId('callbacks-table').locator('tr', { hasText: 'Linus Pauling' });
  await expect(row).toContainText('+49 30 1234567');
  await expect(row).toContainText('size 58');
  await shot(page, 'callbacks-open-light');

  await row.getByRole('button', { name: 'Take' }).click();
  await expect(page.getByText('No open requests')).toBeVisible();
  await page.getByRole('button', { name: 'Taken', exact: true }).click();
  const taken = page.getByTestId('callbacks-table').locator('tr', { hasText: 'Linus Pauling' });
  await expect(taken).toContainText('Yours');
  await taken.getByRole('button', { name: 'Mark done' }).click();
  await page.getByRole('button', { name: 'Done', exact: true }).click();
  await expect(page.getByTestId('callbacks-table')).toContainText('Linus Pauling');
});
