/**
 * Account settings: status, name, tags and photo changes are saved and show at once in the
 * public agents API that the shop's widget reads.
 */
import { expect, test } from '@playwright/test';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { makePng, shot, signIn } from './helpers.ts';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server.stop();
});

interface PublicAgent {
  id: string;
  name: string;
  tags: string[];
  profile_photo_url: string;
}

async function publicAgents(): Promise<PublicAgent[]> {
  const res = await fetch(
    `${server.url}/api/v1/public/channels/${DEMO.channelId}/agents?apiKey=${DEMO.apiKey}`,
    { headers: { origin: server.url } },
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { agents: PublicAgent[] }).agents;
}

test('sign in remembers the channel and shows errors next to fields', async ({ page }) => {
  await page.goto(`${server.url}/console/`);
  await page.getByLabel('Email').fill('mia@');
  await expect(page.getByText('Enter an email like name@shop.com.')).toBeVisible();
  await page.getByLabel('Channel').fill(DEMO.channelId);
  await page.getByLabel('Email').fill(DEMO.agents.mia);
  await page.getByLabel('Password').fill('wrong-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText(/wrong|invalid/i);
  await signIn(page, server.url, DEMO.agents.mia);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByLabel('Channel')).toHaveValue(DEMO.channelId);
});

test('status, name, tags and photo reach the public roster', async ({ page, browser }) => {
  await signIn(page, server.url, DEMO.agents.mia);
  await page.goto(`${server.url}/console/#/settings`);
  const big = page.getByTestId('status-switch-large');
  await expect(big).toHaveAttribute('aria-checked', 'false');
  expect((await publicAgents()).map((a) => a.name)).not.toContain('Mia Alvarez');
  await big.click();
  await expect(big).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('status-switch')).toHaveAttribute('aria-checked', 'true');
  await expect.poll(async () => (await publicAgents()).map((a) => a.name)).toContain('Mia Alvarez');
  // the demo shop's widget (the spec's example: first agent tagged fashion-support) shows her
  const shop = await browser.newPage();
  await shop.goto(`${server.url}/product/123`);
  const widget = shop.locator('[data-flux-widget="calls"]').first();
  await expect(widget).toContainText('Mia Alvarez', { timeout: 15_000 });

  // name: validated as you type, saved on submit
  const form = page.getByTestId('profile-form');
  const name = form.getByLabel('Name');
  await name.fill('');
  await expect(form.getByText('Name is required.')).toBeVisible();
  await expect(form.getByRole('button', { name: 'Save profile' })).toBeDisabled();
  await name.fill('Mia A. Alvarez');

  // tags: typed text becomes a valid tag chip
  const tags = form.getByLabel('Tags');
  await tags.fill('Hat Expert');
  await expect(form.getByText('Will be added as “hat-expert”.')).toBeVisible();
  await tags.press('Enter');
  await expect(form.locator('.chip', { hasText: 'hat-expert' })).toBeVisible();
  await form.getByRole('button', { name: 'Remove tag styling' }).click();
  await form.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Profile saved.')).toBeVisible();
  await expect
    .poll(async () => (await publicAgents()).find((a) => a.name === 'Mia A. Alvarez')?.tags)
    .toEqual(['fashion-support', 'hat-expert']);
  // the widget follows the rename live, without a reload
  await expect(widget).toContainText('Mia A. Alvarez');

  // photo URL is validated before it is sent
  await page.getByLabel('…or use an image URL').fill('ftp://example.test/me.png');
  await expect(page.getByText('Start with https:// or http://.')).toBeVisible();
  await page.getByLabel('…or use an image URL').fill('');

  // photo upload: cropped to a square in the page, served by the server
  const before = (await publicAgents()).find((a) => a.name === 'Mia A. Alvarez')?.profile_photo_url;
  await page.getByTestId('photo-file').setInputFiles({
    name: 'me.png',
    mimeType: 'image/png',
    buffer: await makePng(page, 640, 360),
  });
  const dialog = page.getByRole('dialog', { name: 'Crop your photo' });
  await expect(dialog).toBeVisible();
  await shot(page, 'photo-crop-light');
  await dialog.getByRole('button', { name: 'Save photo' }).click();
  await expect(page.getByText('Photo saved.')).toBeVisible();
  let photo = '';
  await expect
    .poll(async () => {
      photo =
        (await publicAgents()).find((a) => a.name === 'Mia A. Alvarez')?.profile_photo_url ?? '';
      return photo;
    })
    .not.toBe(before ?? '');
  const img = await fetch(new URL(photo, server.url));
  expect(img.status).toBe(200);
  expect(img.headers.get('content-type')).toMatch(/^image\//);
  const size = await page.evaluate(async (src) => {
    const i = new Image();
    i.src = src;
    await i.decode();
    return [i.naturalWidth, i.naturalHeight];
  }, new URL(photo, server.url).toString());
  expect(size[0]).toBe(size[1]);
  await shot(page, 'settings-after-light');

  // going offline removes Mia from the roster
  await page.getByTestId('status-switch').click();
  await expect(big).toHaveAttribute('aria-checked', 'false');
  await expect
    .poll(async () => (await publicAgents()).map((a) => a.name))
    .not.toContain('Mia A. Alvarez');
  await expect(widget).toBeHidden();
  await shop.close();
});
