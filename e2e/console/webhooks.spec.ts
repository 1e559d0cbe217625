/**
 * Admin webhooks: the form validates the URL as you type; adding one shows its signing secret
 * once; a visitor's callback request reaches a real local receiver signed with that secret,
 * and the delivery shows as delivered; a receiver answering 500 shows as retrying; deleting
 * asks for a confirmation.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { verifySignature } from '../../packages/server/src/modules/webhooks/signature.ts';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { shot, signIn } from './helpers.ts';
import { leaveCallback } from './visitor.ts';

let server: RunningServer;
const got: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
let rx: Server;
let rxBase = '';

test.beforeAll(async () => {
  // the receivers listen on 127.0.0.1: private targets must be allowed
  server = await startServer({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
  rx = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(req.url === '/broken' ? 500 : 204).end();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  rxBase = `http://127.0.0.1:${String((rx.address() as AddressInfo).port)}`;
});
test.afterAll(async () => {
  await server.stop();
  await new Promise<void>((r) => rx.close(() => r()));
});

test('admin adds webhooks, sees the secret once, and watches signed deliveries', async ({
  browser,
}) => {
  const page = await (
    await browser.newContext({ viewport: { width: 1366, height: 900 } })
  ).newPage();
  await signIn(page, server.url, DEMO.admin);
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await expect(page.getByText('No webhooks yet')).toBeVisible();

  const form = page.getByRole('form', { name: 'Add a webhook' });
  const field = form.getByLabel('Webhook URL');
  await field.fill('ftp://shop.example/hook');
  await expect(form.getByText('Start with https:// or http://.')).toBeVisible();
  await field.fill('https://user:pw@shop.example/hook');
  await expect(form.getByText('Leave out the user name and password.')).toBeVisible();
  await expect(form.getByRole('button', { name: 'Add webhook' })).toBeDisabled();

  // a working receiver: the secret is shown once
  await field.fill(`${rxBase}/ok`);
  await form.getByRole('button', { name: 'Add webhook' }).click();
  const dialog = page.getByRole('dialog', { name: 'Copy the signing secret' });
  const secret = await dialog.getByTestId('new-secret').inputValue();
  expect(secret).toMatch(/^whsec_/);
  await shot(page, 'admin-webhook-secret-light');
  await dialog.getByRole('button', { name: 'I copied it' }).click();
  const ok = page.locator(`[data-testid="webhook"][data-url="${rxBase}/ok"]`);
  await expect(ok).toContainText(secret.slice(0, 10));
  await expect(page.getByText(secret)).toHaveCount(0);

  // a broken receiver
  await field.fill(`${rxBase}/broken`);
  await form.getByRole('button', { name: 'Add webhook' }).click();
  await page
    .getByRole('dialog', { name: 'Copy the signing secret' })
    .getByRole('button', { name: 'I copied it' })
    .click();
  const broken = page.locator(`[data-testid="webhook"][data-url="${rxBase}/broken"]`);
  await expect(broken).toBeVisible();

  // a visitor leaves a callback request: both webhooks get the event
  const visitor = await (await browser.newContext()).newPage();
  await leaveCallback(visitor, server.url, { name: 'Rosalind Franklin', contact: '+44 20 1' });
  await visitor.close();
  await expect.poll(() => got.filter((g) => g.path === '/ok').length).toBe(1);
  const event = got.find((g) => g.path === '/ok');
  if (!event) throw new Error('no event');
  expect(JSON.parse(event.body)).toMatchObject({
    type: 'callback.requested',
    data: { callback: { name: 'Rosalind Franklin', contact: '+44 20 1' } },
  });
  expect(
    verifySignature(
      secret,
      event.body,
      event.headers['x-flux-signature'] as string,
      Math.floor(Date.now() / 1000),
    ),
  ).toBe(true);

  await ok.getByRole('button', { name: 'Refresh' }).click();
  await expect(ok.getByTestId('deliveries-table')).toContainText('callback.requested');
  await expect(ok.getByTestId('deliveries-table')).toContainText('Delivered');
  await expect(ok.getByTestId('deliveries-table')).toContainText('HTTP 204');
  await expect.poll(() => got.filter((g) => g.path === '/broken').length).toBeGreaterThan(0);
  await broken.getByRole('button', { name: 'Refresh' }).click();
  await expect(broken.getByTestId('deliveries-table')).toContainText('Retrying');
  await expect(broken.getByTestId('deliveries-table')).toContainText('HTTP 500');
  await shot(page, 'admin-webhooks-light');

  // delete asks first
  await broken.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete this webhook?' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(broken).toBeVisible();
  await broken.getByRole('button', { name: 'Delete' }).click();
  await confirm.getByRole('button', { name: 'Delete webhook' }).click();
  await expect(broken).toHaveCount(0);
  await expect(page.getByText('Webhook deleted.')).toBeVisible();
  await page.reload();
  await expect(ok).toBeVisible();
  await expect(broken).toHaveCount(0);
});
