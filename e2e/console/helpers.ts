/** Helpers shared by the console's browser tests. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { DEMO, REPO_ROOT } from '../harness/server.ts';

/** Outside Playwright's output folder, which each run empties; ignored by git. */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'e2e', 'console', 'screenshots');

/** Signs in through the console's form (the click also unlocks audio). */
export async function signIn(
  page: Page,
  base: string,
  email: string,
  password: string = DEMO.password,
): Promise<void> {
  await page.goto(`${base}/console/`);
  const channel = page.getByLabel('Channel');
  await channel.fill(DEMO.channelId);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({
    path: join(SCREENSHOT_DIR, `${name}.png`),
    fullPage: false,
    animations: 'disabled',
  });
}

/** A small PNG (a coloured square with a stripe) generated in the page, as bytes. */
export async function makePng(page: Page, w = 320, h = 240): Promise<Buffer> {
  const b64 = await page.evaluate(
    ([width, height]) => {
      const c = document.createElement('canvas');
      c.width = width;
      c.height = height;
      const ctx = c.getContext('2d');
      if (!ctx) throw new Error('no canvas');
      ctx.fillStyle = '#5b5bd6';
      ctx.fillRect(0, 0, width, height);
      ctx.fillStyle = '#ffd166';
      ctx.fillRect(width / 3, 0, width / 3, height);
      return c.toDataURL('image/png').split(',')[1] ?? '';
    },
    [w, h] as const,
  );
  return Buffer.from(b64, 'base64');
}
