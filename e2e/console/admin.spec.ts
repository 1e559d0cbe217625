/**
 * Admin screens: agents (create with validation and the server's duplicate error, edit,
 * reset password, deactivate with confirmation), products (create, edit, delete with
 * confirmation), CSV import that reports bad rows and imports the good ones, API keys
 * (shown once, revoke stops the public API) and the embed snippet working on a plain page.
 */
import { expect, test, type Page } from '@playwright/test';
import { ApiClient } from '../harness/api.ts';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { shot, signIn } from './helpers.ts';

let server: RunningServer;
let page: Page;
test.beforeAll(async ({ browser }) => {
  server = await startServer();
  page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  await signIn(page, server.url, DEMO.admin);
});
test.afterAll(async () => {
  await page.context().close();
  await server.stop();
});

test('admin creates, edits, resets and deactivates an agent', async () => {
  await page.goto(`${server.url}/console/#/admin/agents`);
  await page.getByRole('button', { name: 'New agent' }).click();
  const dialog = page.getByRole('dialog', { name: 'New agent' });
  await dialog.getByLabel('Name').fill('Noor Haddad');
  await dialog.getByLabel('Email').fill('noor@');
  await expect(dialog.getByText('Enter an email like name@shop.com.')).toBeVisible();
  await dialog.getByLabel('Initial password').fill('short');
  await expect(dialog.getByText('At least 10 characters (5 more).')).toBeVisible();
  // the server's error lands next to its field: this email is taken
  await dialog.getByLabel('Email').fill(DEMO.agents.jonas);
  await dialog.getByLabel('Initial password').fill('noor-password-1');
  await dialog.getByLabel('Tags').fill('hats');
  await dialog.getByLabel('Tags').press('Enter');
  await dialog.getByRole('button', { name: 'Create agent' }).click();
  await expect(dialog.getByText('A user with this email already exists.')).toBeVisible();
  await shot(page, 'admin-agent-form-light');
  await dialog.getByLabel('Email').fill('noor@groovy-hats.test');
  await dialog.getByRole('button', { name: 'Create agent' }).click();
  await expect(dialog).toHaveCount(0);
  const row = page.locator('tr[data-email="noor@groovy-hats.test"]');
  await expect(row).toContainText('Noor Haddad');
  await expect(row).toContainText('hats');
  await ApiClient.signIn(server.url, 'noor@groovy-hats.test', 'noor-password-1');

  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Noor Haddad' });
  await edit.getByLabel('Name').fill('Noor H.');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(row).toContainText('Noor H.');

  await row.getByRole('button', { name: 'Password' }).click();
  const reset = page.getByRole('dialog', { name: /Reset Noor H\.'s password/ });
  await reset.getByLabel('New password').fill('a-new-password-2');
  await reset.getByRole('button', { name: 'Set password' }).click();
  await expect(reset).toHaveCount(0);
  await ApiClient.signIn(server.url, 'noor@groovy-hats.test', 'a-new-password-2');

  await row.getByRole('button', { name: 'Deactivate' }).click();
  const confirm = page.getByRole('dialog', { name: 'Deactivate Noor H.?' });
  await expect(confirm).toContainText('signed out at once');
  await shot(page, 'admin-confirm-light');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).not.toContainText('Deactivated');
  await row.getByRole('button', { name: 'Deactivate' }).click();
  await page
    .getByRole('dialog', { name: 'Deactivate Noor H.?' })
    .getByRole('button', { name: 'Deactivate' })
    .click();
  await expect(row).toContainText('Deactivated');
  await expect(
    ApiClient.signIn(server.url, 'noor@groovy-hats.test', 'a-new-password-2'),
  ).rejects.toThrow();
});

test('admin creates, edits and deletes a product', async () => {
  await page.goto(`${server.url}/console/#/admin/products`);
  await expect(page.getByTestId('products-table')).toBeVisible();
  // keyboard: the dialog focuses its first field and Escape closes it
  await page.getByRole('button', { name: 'New product' }).click();
  await expect(page.getByRole('dialog', { name: 'New product' }).getByLabel('Name')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'New product' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'New product' })).toBeFocused();
  await page.getByRole('button', { name: 'New product' }).click();
  const dialog = page.getByRole('dialog', { name: 'New product' });
  await dialog.getByLabel('Name').fill('Panama Hat');
  await dialog.getByLabel('SKU').fill('HAT-PANAMA-E2E');
  await dialog.getByLabel('Price').fill('12.345');
  await expect(dialog.getByText('A price like 19.90')).toBeVisible();
  await dialog.getByLabel('Price').fill('89.50');
  await dialog.getByLabel('Currency').fill('eu');
  await expect(dialog.getByText('Three capital letters, e.g. EUR.')).toBeVisible();
  await dialog.getByLabel('Currency').fill('EUR');
  await dialog.getByLabel('Image URL').fill('not a url');
  await expect(dialog.getByText('Start with https:// or http://.')).toBeVisible();
  await dialog.getByLabel('Image URL').fill('');
  await dialog.getByRole('button', { name: 'Create product' }).click();
  await expect(dialog).toHaveCount(0);
  const row = page.locator('tr[data-sku="HAT-PANAMA-E2E"]');
  await expect(row).toContainText('Panama Hat');
  await expect(row).toContainText('89.50');

  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit product' });
  await expect(edit.getByLabel('Price')).toHaveValue('89.50');
  await edit.getByLabel('Price').fill('79');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(row).toContainText('79.00');

  await row.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete “Panama Hat”?' });
  await confirm.getByRole('button', { name: 'Delete product' }).click();
  await expect(row).toHaveCount(0);
  const admin = await ApiClient.signIn(server.url, DEMO.admin);
  const left = await admin.get<{ items: unknown[] }>('/products?q=HAT-PANAMA-E2E');
  expect(left.items).toHaveLength(0);
});

test('CSV import reports each bad row and imports the good ones', async () => {
  await page.goto(`${server.url}/console/#/admin/products`);
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import products from CSV' });
  const csv = [
    'sku,external_id,name,price,currency',
    'CSV-GOOD-1,,Straw Boater,3900,EUR',
    'CSV-BAD-1,,,1000,EUR',
    'CSV-GOOD-2,EXT-CSV-2,Wool Beanie,1500,EUR',
    'CSV-BAD-2,,Bad Currency Hat,1000,euro',
  ].join('\n');
  await dialog.getByLabel('CSV').fill(csv);
  await dialog.getByRole('button', { name: 'Import 4 rows' }).click();
  const result = dialog.getByTestId('import-result');
  await expect(result).toContainText('2 products imported, 2 rows skipped');
  const errors = dialog.getByTestId('import-errors').locator('tbody tr');
  await expect(errors).toHaveCount(2);
  await shot(page, 'admin-import-light');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.getByLabel('Search products').fill('CSV-GOOD');
  await expect(page.getByTestId('products-table').locator('tbody tr')).toHaveCount(2);
  await page.getByLabel('Search products').fill('CSV-BAD');
  await expect(page.getByText('No product matches “CSV-BAD”')).toBeVisible();
});

/**
 * Picks a file of these bytes in the console's CSV import, expects the dialog to read it as
 * `text` (one product, SKU `sku`, named "Chapeau d’été"), imports it and reads the product back.
 */
async function importCsvFile(buffer: Buffer, text: string, sku: string): Promise<void> {
  await page.goto(`${server.url}/console/#/admin/products`);
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import products from CSV' });
  await dialog
    .getByTestId('csv-file')
    .setInputFiles({ name: 'products.csv', mimeType: 'text/csv', buffer });
  await expect(dialog.getByLabel('CSV')).toHaveValue(text);
  await dialog.getByRole('button', { name: 'Import 1 row' }).click();
  await expect(dialog.getByTestId('import-result')).toContainText('1 product imported.');
  await dialog.getByRole('button', { name: 'Done' }).click();
  const admin = await ApiClient.signIn(server.url, DEMO.admin);
  const found = await admin.get<{ items: { name: string }[] }>(`/products?q=${sku}`);
  expect(found.items.map((p) => p.name)).toEqual(['Chapeau d’été']);
}

test("a CSV file saved as UTF-16 (a spreadsheet's Unicode text) imports as it reads", async () => {
  const text = 'sku,name,price,currency\nCSV-UTF16-1,Chapeau d’été,4500,EUR\n';
  // little-endian with its byte order mark, as spreadsheets write it
  const buffer = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  await importCsvFile(buffer, text, 'CSV-UTF16-1');
});

test('a CSV file saved by Excel as plain CSV (Windows-1252) imports its accents', async () => {
  // "Chapeau d’été" in Windows-1252: ’ is 0x92 and é 0xE9, which are not valid UTF-8
  const buffer = Buffer.concat([
    Buffer.from('sku,name,price,currency\nCSV-1252-1,Chapeau d', 'ascii'),
    Buffer.from([0x92, 0xe9, 0x74, 0xe9]),
    Buffer.from(',4500,EUR\n', 'ascii'),
  ]);
  const text = 'sku,name,price,currency\nCSV-1252-1,Chapeau d’été,4500,EUR\n';
  await importCsvFile(buffer, text, 'CSV-1252-1');
});

test('an API key is shown once, works, and stops working when revoked', async () => {
  await page.goto(`${server.url}/console/#/admin/keys`);
  await page.getByRole('button', { name: 'New key' }).click();
  const dialog = page.getByRole('dialog', { name: 'New API key' });
  await dialog.getByLabel('Label').fill('E2E shop');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const once = page.getByRole('dialog', { name: 'Copy your new key' });
  const key = await once.getByTestId('new-key').inputValue();
  expect(key.length).toBeGreaterThan(8);
  await shot(page, 'admin-key-once-light');
  await once.getByRole('button', { name: 'I copied it' }).click();
  await expect(page.getByTestId('new-key')).toHaveCount(0);

  const agentsUrl = `${server.url}/api/v1/public/channels/${DEMO.channelId}/agents?apiKey=${key}`;
  expect((await fetch(agentsUrl, { headers: { origin: server.url } })).status).toBe(200);

  const row = page.locator('tr[data-label="E2E shop"]');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await page
    .getByRole('dialog', { name: 'Revoke “E2E shop”?' })
    .getByRole('button', { name: 'Revoke key' })
    .click();
  await expect(row).toContainText('Revoked');
  const res = await fetch(agentsUrl, { headers: { origin: server.url } });
  expect(res.status).toBe(401);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
    'FLX_ERR_API_KEY_REVOKED',
  );
});

test('the embed snippet renders the widget when pasted into a plain page, until its key is revoked', async ({
  browser,
}) => {
  // an agent online, so the widget has someone to show
  const mia = await browser.newPage();
  await signIn(mia, server.url, DEMO.agents.mia);
  await mia.getByTestId('status-switch').click();
  await expect(mia.getByTestId('status-switch')).toHaveAttribute('aria-checked', 'true');

  await page.goto(`${server.url}/console/#/admin/embed`);
  await page.getByRole('button', { name: 'Create a key for this snippet' }).click();
  await page.getByRole('dialog', { name: 'New API key' }).getByLabel('Label').fill('Snippet');
  await page
    .getByRole('dialog', { name: 'New API key' })
    .getByRole('button', { name: 'Create key' })
    .click();
  const key = await page.getByTestId('new-key').inputValue();
  await page.getByRole('button', { name: 'I copied it' }).click();
  const snippet = (await page.getByTestId('embed-snippet').textContent()) ?? '';
  expect(snippet).toContain(key);
  expect(snippet).toContain(`channelId: '${DEMO.channelId}'`);
  expect(snippet).toContain(`${server.url}/sdk/v1/flux-player.js`);
  await shot(page, 'admin-embed-filled-light');

  const plain = await browser.newPage();
  const plainUrl = `${server.url}/plain-embed-test.html`;
  await plain.route(plainUrl, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><head><title>Plain</title></head><body><h1>Plain page</h1>${snippet}</body></html>`,
    }),
  );
  await plain.goto(plainUrl);
  await expect(plain.locator('[data-flux-widget="calls"]').first()).toHaveAttribute(
    'data-flux-state',
    'ready',
    {
      timeout: 15_000,
    },
  );

  // Revoking the key stops the widget on that page, with a console message naming why.
  await page.goto(`${server.url}/console/#/admin/keys`);
  const row = page.locator('tr[data-label="Snippet"]');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await page
    .getByRole('dialog', { name: 'Revoke “Snippet”?' })
    .getByRole('button', { name: 'Revoke key' })
    .click();
  await expect(row).toContainText('Revoked');
  const logged: string[] = [];
  plain.on('console', (m) => logged.push(`${m.type()}: ${m.text()}`));
  await plain.reload();
  await expect
    .poll(() => logged.join('\n'))
    .toMatch(/^error: \[FluxPlayer\] .*FLX_ERR_API_KEY_REVOKED/m);
  await expect(plain.locator('[data-flux-widget="calls"][data-flux-state="ready"]')).toHaveCount(0);
  await plain.close();
  await mia.close();
});

test('lists paginate: products page forward and back', async () => {
  const admin = await ApiClient.signIn(server.url, DEMO.admin);
  const rows = ['sku,name,price,currency'];
  for (let i = 0; i < 30; i++)
    rows.push(`PAGE-${String(i).padStart(2, '0')},Paged Hat ${i},1000,EUR`);
  await admin.post('/admin/products/import', { csv: rows.join('\n') });
  await page.goto(`${server.url}/console/#/admin/products`);
  await page.getByLabel('Search products').fill('PAGE-');
  const body = page.getByTestId('products-table').locator('tbody tr');
  // wait for the filtered list (the search is debounced; the unfiltered first page also
  // holds 20 rows)
  await expect(body.first()).toContainText('Paged Hat 0');
  await expect(body.filter({ hasNotText: 'Paged Hat' })).toHaveCount(0);
  await expect(body).toHaveCount(20);
  await expect(page.getByText('Page 1 · 20 shown')).toBeVisible();
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page.getByText('Page 2 · 10 shown')).toBeVisible();
  await expect(body).toHaveCount(10);
  await expect(page.getByRole('button', { name: 'Next page' })).toBeDisabled();
  await page.getByRole('button', { name: 'Previous page' }).click();
  await expect(body).toHaveCount(20);
});

test('allowed origins: validated, added, removed with confirmation', async () => {
  await page.goto(`${server.url}/console/#/admin/keys`);
  const origin = page.getByLabel('Origin');
  await origin.fill('https://shop.example/path');
  await expect(page.getByText(/Only scheme and host/)).toBeVisible();
  await origin.fill('https://shop.example');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const table = page.getByTestId('origins-table');
  await expect(table).toContainText('https://shop.example');
  await table
    .locator('tr', { hasText: 'https://shop.example' })
    .getByRole('button', { name: 'Remove' })
    .click();
  await page
    .getByRole('dialog', { name: 'Remove this origin?' })
    .getByRole('button', { name: 'Remove origin' })
    .click();
  await expect(page.getByText('Origin removed.')).toBeVisible();
  await expect(page.getByText('https://shop.example', { exact: true })).toHaveCount(0);
});

test('channel settings: ring timeout, misses and opening hours are validated and saved', async () => {
  await page.goto(`${server.url}/console/#/admin/channel`);
  await page.getByLabel('Ring timeout (seconds)').fill('2');
  await expect(page.getByText('A whole number from 5 to 300.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  await page.getByLabel('Ring timeout (seconds)').fill('25');
  await page.getByLabel('Missed calls before going offline').fill('4');
  await page.getByLabel(/Always open/).uncheck();
  await page.getByLabel('Time zone').fill('Europe/Berlin');
  await page.getByLabel('Monday').fill('18:00-09:00');
  await expect(page.getByText('“18:00-09:00” ends before it starts.')).toBeVisible();
  await page.getByLabel('Monday').fill('9:00-12:30, 13:30-18:00');
  await shot(page, 'admin-channel-hours-light');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Channel settings saved.')).toBeVisible();
  const admin = await ApiClient.signIn(server.url, DEMO.admin);
  const saved = await admin.get<{
    settings: { ringTimeoutSeconds: number; missesBeforeOffline: number; openingHours: unknown };
  }>('/admin/settings');
  expect(saved.settings.ringTimeoutSeconds).toBe(25);
  expect(saved.settings.missesBeforeOffline).toBe(4);
  expect(saved.settings.openingHours).toMatchObject({
    timezone: 'Europe/Berlin',
    days: { '1': ['09:00-12:30', '13:30-18:00'], '2': ['09:00-18:00'] },
  });
  // back to always open, so other tests see agents
  await page.reload();
  await expect(page.getByLabel('Monday')).toHaveValue('09:00-12:30, 13:30-18:00');
  await page.getByLabel(/Always open/).check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Channel settings saved.').first()).toBeVisible();
  await expect
    .poll(
      async () =>
        (await admin.get<{ settings: { openingHours: unknown } }>('/admin/settings')).settings
          .openingHours,
    )
    .toBeNull();
});
