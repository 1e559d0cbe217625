/**
 * The demo a newcomer sees on a fresh clone: the shop is served, the product page carries the
 * spec's example and two placeholders, the console and the SDK are served, a second start
 * keeps the data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ApiClient } from './harness/api.ts';
import { DEMO, startServer, type RunningServer } from './harness/server.ts';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server.stop();
});

test('the shop serves product pages, and /product/123 embeds the spec example twice', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await expect(page.getByRole('heading', { name: 'Hats for every head' })).toBeVisible();
  await page
    .getByRole('link', { name: /Blue Oxford Shirt/ })
    .first()
    .click();
  await expect(page).toHaveURL(/\/product\/123$/);
  await expect(page.locator('.my-cool-call-widget')).toHaveCount(2);
  const html = await (await fetch(`${server.url}/product/123`)).text();
  expect(html).toContain("renderTo: '.my-cool-call-widget'");
  expect(html).toContain("productIds: ['ITM-BLUE-SHIRT', 'EXT-RED-PANTS']");
  expect(html).toContain(`channelId: '${DEMO.channelId}'`);
  // The banner tells a newcomer how to make an agent available.
  await expect(page.locator('#demo-banner')).toContainText('mia@groovy-hats.test');
  expect(errors).toEqual([]);
});

test('the SDK script and the console are served', async () => {
  const sdk = await fetch(`${server.url}/sdk/v1/flux-player.js`);
  expect(sdk.status).toBe(200);
  expect(sdk.headers.get('content-type')).toMatch(/javascript/);
  const consoleRes = await fetch(`${server.url}/console/`);
  expect(consoleRes.status).toBe(200);
  expect(await consoleRes.text()).toContain('<div id="app"');
});

test('the seeded catalog holds the spec example products', async () => {
  const admin = await ApiClient.signIn(server.url, DEMO.admin);
  const page = await admin.get<{ items: { sku: string | null; externalId: string | null }[] }>(
    '/products?limit=100',
  );
  expect(page.items.some((p) => p.sku === 'ITM-BLUE-SHIRT')).toBe(true);
  expect(page.items.some((p) => p.externalId === 'EXT-RED-PANTS')).toBe(true);
});

test('a second start keeps the data and does not seed twice', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flux-e2e-keep-'));
  try {
    const first = await startServer({ dataDir });
    const admin = await ApiClient.signIn(first.url, DEMO.admin);
    await admin.post('/admin/products', {
      sku: 'KEEP-ME',
      name: 'Kept Hat',
      price: 1000,
      currency: 'EUR',
    });
    const before = await admin.get<{ items: unknown[] }>('/products?limit=100');
    await first.stop();

    const second = await startServer({ dataDir });
    const again = await ApiClient.signIn(second.url, DEMO.admin);
    const after = await again.get<{ items: { sku: string | null }[] }>('/products?limit=100');
    expect(after.items.length).toBe(before.items.length);
    expect(after.items.some((p) => p.sku === 'KEEP-ME')).toBe(true);
    await second.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
