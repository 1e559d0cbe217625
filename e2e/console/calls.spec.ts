/**
 * Incoming calls in the console: a scripted visitor (@flux/client in a second browser
 * context, on the demo shop's origin) calls Mia; the console rings with the visitor's
 * details and products, and the agent accepts (video both ways, products pushed and
 * removed, chat, notes, hang up) or declines (also "decline and go offline"), and is told
 * when the server sets her offline after a missed call; a whole call by keyboard, the focus
 * following the ring, the call and its end; and a ring whose visitor hangs up while the agent's
 * camera opens.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { ApiClient } from '../harness/api.ts';
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

const MIA = 'Mia Alvarez';

async function agentOnline(
  browser: Browser,
  scheme: 'light' | 'dark' = 'light',
  /** The camera and microphone take this long to open (a laptop's camera can take seconds). */
  slowCameraMs = 0,
): Promise<Page> {
  const ctx = await browser.newContext({
    colorScheme: scheme,
    viewport: { width: 1366, height: 900 },
  });
  if (slowCameraMs) {
    await ctx.addInitScript((ms) => {
      const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (c) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return open(c);
      };
    }, slowCameraMs);
  }
  // Desktop notifications allowed (granting replaces the permission set, so camera and mic
  // too); the real constructor is wrapped to record what was shown.
  await ctx.grantPermissions(['notifications', 'camera', 'microphone'], { origin: server.url });
  await ctx.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body ?? '' });
      }
    }
    Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true });
  });
  const page = await ctx.newPage();
  await signIn(page, server.url, DEMO.agents.mia);
  await expect(page.getByTestId('connection')).toHaveText(/Connected/);
  const toggle = page.getByTestId('status-switch');
  if ((await toggle.getAttribute('aria-checked')) !== 'true') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  return page;
}

async function visitorPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext();
  return ctx.newPage();
}

/** Mia online, a scripted visitor calling her, and her console ringing. */
async function ringingMia(browser: Browser): Promise<{ agent: Page; visitor: Page }> {
  const agent = await agentOnline(browser);
  const visitor = await visitorPage(browser);
  await callAgent(visitor, server.url, MIA, {});
  await expect(agent.getByTestId('ring-card')).toBeVisible();
  return { agent, visitor };
}

async function publicAgentNames(): Promise<string[]> {
  const res = await fetch(
    `${server.url}/api/v1/public/channels/${DEMO.channelId}/agents?apiKey=${DEMO.apiKey}`,
    { headers: { origin: server.url } },
  );
  const body = (await res.json()) as { agents: { name: string }[] };
  return body.agents.map((a) => a.name);
}

test('an agent accepts a call: ring card, video, products, chat, notes, hang up', async ({
  browser,
}) => {
  const agent = await agentOnline(browser);
  const visitor = await visitorPage(browser);
  await callAgent(visitor, server.url, MIA, {
    productIds: ['ITM-BLUE-SHIRT', 'EXT-RED-PANTS', 'NOPE-404'],
    user: { name: 'Ada Lovelace', email: 'ada@example.test' },
  });

  const card = agent.getByTestId('ring-card');
  await expect(card).toBeVisible();
  await expect(agent.getByTestId('ring-visitor')).toHaveText('Ada Lovelace');
  await expect(card).toContainText('ada@example.test');
  await expect(agent.getByTestId('ring-page')).toContainText('localhost');
  // each product with its price, formatted for the agent's browser (en-US here)
  const ringProducts = agent.getByTestId('ring-products');
  await expect(ringProducts.locator('.row').filter({ hasText: 'Blue Oxford Shirt' })).toContainText(
    '€49.00',
  );
  await expect(ringProducts.locator('.row').filter({ hasText: 'Red Chino Pants' })).toContainText(
    '€59.00',
  );
  await expect(agent.getByTestId('ring-unknown')).toContainText('NOPE-404');
  // the tab title flashes while it rings; the ringtone is allowed to play
  await expect.poll(() => agent.title(), { timeout: 5000 }).toContain('Incoming call');
  await expect(agent.getByTestId('audio-blocked')).toHaveCount(0);
  await expect(agent.locator('html')).toHaveAttribute('data-flux-ring', 'playing');
  const notes = await agent.evaluate(
    () =>
      (window as unknown as { shownNotifications: { title: string; body: string }[] })
        .shownNotifications,
  );
  expect(notes).toHaveLength(1);
  expect(notes[0]?.title).toBe('Incoming call');
  expect(notes[0]?.body).toContain('Ada Lovelace is calling from');
  await shot(agent, 'ringing-light');

  await card.getByRole('button', { name: 'Accept' }).click();
  const screen = agent.getByTestId('call-screen');
  await expect(agent.locator('html')).toHaveAttribute('data-flux-ring', 'idle');
  await expect(screen).toHaveAttribute('data-call-state', 'active', { timeout: 20_000 });
  await expect
    .poll(async () => (await visitorView(visitor)).state, { timeout: 20_000 })
    .toBe('active');
  await expect(agent.getByTestId('call-conn')).toHaveText(/Connected/);
  // the visitor's fake camera reaches the console
  await expect
    .poll(
      () =>
        agent.evaluate(
          () => document.querySelector<HTMLVideoElement>('video.remote')?.videoWidth ?? 0,
        ),
      {
        timeout: 15_000,
      },
    )
    .toBeGreaterThan(0);
  await expect.poll(() => agent.title()).not.toContain('Incoming call');

  // push a product from the catalog, then remove one
  const panel = agent.getByTestId('products-panel');
  await expect(panel.getByTestId('call-product')).toHaveCount(2);
  await expect(
    panel.getByTestId('call-product').filter({ hasText: 'Blue Oxford Shirt' }),
  ).toContainText('€49.00 · ITM-BLUE-SHIRT');
  await panel.getByLabel('Add from the catalog').fill('fedora');
  const results = agent.getByTestId('catalog-results');
  await expect(results.getByRole('button', { name: /^Show / }).first()).toBeVisible();
  const pushedName = (await results.locator('.product-row .name').first().textContent()) ?? '';
  await results
    .getByRole('button', { name: /^Show / })
    .first()
    .click();
  await expect(panel.getByTestId('call-product')).toHaveCount(3);
  await expect.poll(async () => (await visitorView(visitor)).products).toContain(pushedName);
  await panel.getByRole('button', { name: 'Remove Blue Oxford Shirt from the call' }).click();
  await expect(panel.getByTestId('call-product')).toHaveCount(2);
  await expect
    .poll(async () => (await visitorView(visitor)).products)
    .not.toContain('Blue Oxford Shirt');

  // chat both ways
  await agent.getByTestId('tab-chat').click();
  await agent.getByRole('textbox', { name: 'Message' }).fill('Hi Ada, which size do you wear?');
  await agent.getByRole('button', { name: 'Send' }).click();
  await expect
    .poll(async () => (await visitorView(visitor)).chat.map((m) => m.text))
    .toContain('Hi Ada, which size do you wear?');
  await visitor.evaluate(async () => {
    const call = (window as unknown as { visitorCall: { sendChat(t: string): Promise<void> } })
      .visitorCall;
    await call.sendChat('Medium, please');
  });
  await expect(agent.getByTestId('chat-log')).toContainText('Medium, please');

  // private notes are saved with the call
  await agent.getByLabel('Private notes').fill('Wants the fedora in medium.');
  await expect(agent.getByTestId('notes-status')).toHaveText('Saved', { timeout: 10_000 });
  await shot(agent, 'call-light');

  await agent.getByTestId('hangup').click();
  await expect(screen).toHaveAttribute('data-call-state', 'ended');
  await expect.poll(async () => (await visitorView(visitor)).endReason).toBe('agent_hangup');
  await shot(agent, 'call-ended-light');

  const mia = await ApiClient.signIn(server.url, DEMO.agents.mia);
  const calls = await mia.get<{
    items: { notes: string; endReason: string; products: { name: string }[] }[];
  }>('/me/calls?limit=5');
  expect(calls.items[0]?.notes).toBe('Wants the fedora in medium.');
  expect(calls.items[0]?.endReason).toBe('agent_hangup');
  expect(calls.items[0]?.products.map((p) => p.name)).toContain(pushedName);

  await agent.getByRole('button', { name: 'Done' }).click();
  await agent.goto(`${server.url}/console/#/history`);
  const row = agent.getByTestId('history-table').locator('tbody tr').first();
  await expect(row).toContainText('Ada Lovelace');
  await expect(row).toContainText('Answered');
  await expect(row).toContainText('Wants the fedora');
  await shot(agent, 'history-after-call-light');
  await agent.context().close();
  await visitor.context().close();
});

test('an agent declines, then declines and goes offline', async ({ browser }) => {
  const agent = await agentOnline(browser, 'dark');
  const visitor = await visitorPage(browser);
  await callAgent(visitor, server.url, MIA, { user: { name: 'Grace' } });
  const card = agent.getByTestId('ring-card');
  await expect(card).toBeVisible();
  await shot(agent, 'ringing-dark');
  await card.getByRole('button', { name: 'Decline', exact: true }).click();
  await expect(card).toHaveCount(0);
  await expect.poll(async () => (await visitorView(visitor)).endReason).toBe('declined');
  await expect(agent.getByTestId('status-switch')).toHaveAttribute('aria-checked', 'true');

  await callAgent(visitor, server.url, MIA, { user: { name: 'Grace' } });
  await expect(card).toBeVisible();
  await card.getByRole('button', { name: 'Decline and go offline' }).click();
  await expect.poll(async () => (await visitorView(visitor)).endReason).toBe('declined');
  await expect(agent.getByTestId('status-switch')).toHaveAttribute('aria-checked', 'false');
  await expect(agent.getByTestId('status-notice')).toContainText('went offline');
  await expect.poll(publicAgentNames).not.toContain(MIA);
  await agent.context().close();
  await visitor.context().close();
});

test('after a missed call the server sets the agent offline and the console says why', async ({
  browser,
}) => {
  const admin = await ApiClient.signIn(server.url, DEMO.admin);
  await admin.patch('/admin/settings', { ringTimeoutSeconds: 5, missesBeforeOffline: 1 });
  try {
    const agent = await agentOnline(browser);
    const visitor = await visitorPage(browser);
    await callAgent(visitor, server.url, MIA);
    await expect(agent.getByTestId('ring-card')).toBeVisible();
    await expect(agent.getByTestId('ring-card')).toHaveCount(0, { timeout: 15_000 });
    await expect.poll(async () => (await visitorView(visitor)).endReason).toBe('missed');
    await expect(agent.getByTestId('status-switch')).toHaveAttribute('aria-checked', 'false');
    await expect(agent.getByTestId('status-notice')).toContainText(
      'You were set offline after a missed call.',
    );
    // the home screen's figures follow without a reload
    await expect(agent.getByTestId('home-stats')).toContainText('Missed1');
    await shot(agent, 'set-offline-light');
    await agent.context().close();
    await visitor.context().close();
  } finally {
    await admin.patch('/admin/settings', { ringTimeoutSeconds: 30, missesBeforeOffline: 3 });
  }
});

test('analytics counts the calls above, per day and per agent, and exports CSV', async ({
  browser,
}) => {
  for (const scheme of ['light', 'dark'] as const) {
    const ctx = await browser.newContext({
      colorScheme: scheme,
      viewport: { width: 1366, height: 900 },
    });
    const page = await ctx.newPage();
    await signIn(page, server.url, DEMO.admin);
    await page.goto(`${server.url}/console/#/admin/analytics`);
    const totals = page.getByTestId('analytics-totals');
    // one answered, two declined, one missed (the tests above)
    await expect(totals).toContainText('Calls4');
    await expect(totals).toContainText('Missed1');
    await expect(totals).toContainText('Declined2');
    // of the answered calls, those with a weak connection (e2e/sdk/quality.spec.ts makes one)
    await expect(totals).toContainText(/Weak link\d+%\d+ calls?/);
    await expect(page.getByTestId('analytics-agents')).toContainText('Mia');
    await expect(page.getByTestId('day-chart')).toBeVisible();
    await shot(page, `admin-analytics-data-${scheme}`);
    if (scheme === 'light') {
      const href = (await page.getByTestId('csv-agent').getAttribute('href')) ?? '';
      const res = await page.request.get(new URL(href, server.url).toString());
      expect(res.status()).toBe(200);
      const lines = (await res.text()).trim().split('\r\n');
      expect(lines[0]).toMatch(/^agent_id,agent_name,calls,answered,missed,declined/);
      expect(lines.some((l) => l.includes('Mia') && l.includes(',4,1,1,2,'))).toBe(true);
    }
    await ctx.close();
  }
});

test('a call from the demo shop widget: the visitor sees a product the agent pushes', async ({
  browser,
}) => {
  const agent = await agentOnline(browser);
  const shopCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const shop = await shopCtx.newPage();
  await shop.goto(`${server.url}/product/123`);
  const card = shop.locator('[data-flux-widget="calls"]').first();
  await expect(card).toHaveAttribute('data-flux-state', 'ready', { timeout: 15_000 });
  await card.getByRole('button').first().click();
  const ui = shop.locator('[data-flux-call-ui]');
  await ui.getByRole('button', { name: 'Start call' }).click();

  const ring = agent.getByTestId('ring-card');
  await expect(ring).toBeVisible();
  await expect(agent.getByTestId('ring-products')).toContainText('Blue Oxford Shirt');
  await ring.getByRole('button', { name: 'Accept' }).click();
  await expect(agent.getByTestId('call-screen')).toHaveAttribute('data-call-state', 'active', {
    timeout: 20_000,
  });
  await expect(ui).toHaveAttribute('data-flux-state', 'call', { timeout: 20_000 });

  const panel = agent.getByTestId('products-panel');
  await panel.getByLabel('Add from the catalog').fill('scarf');
  const results = agent.getByTestId('catalog-results');
  const name = (await results.locator('.product-row .name').first().textContent()) ?? '';
  expect(name).not.toBe('');
  await results
    .getByRole('button', { name: /^Show / })
    .first()
    .click();
  await expect(ui).toContainText(name);
  await shot(shop, 'shop-widget-call-with-pushed-product');
  // the visitor's add-to-cart shows on the agent's product row
  await ui.getByRole('button', { name: 'Add to cart' }).first().click();
  await expect(
    panel.getByTestId('call-product').filter({ hasText: 'Blue Oxford Shirt' }),
  ).toContainText('In cart');

  await agent.getByTestId('hangup').click();
  await expect(ui).toHaveAttribute('data-flux-state', 'ended', { timeout: 10_000 });
  await agent.context().close();
  await shopCtx.close();
});

test('accepting tells the visitor and draws the first picture before the console renders the call screen', async ({
  browser,
}) => {
  const { agent, visitor } = await ringingMia(browser);
  // the transport is up while it rings: the console's answer is prepared
  await expect
    .poll(() =>
      visitor.evaluate(
        () =>
          (window as unknown as { visitorCall: { peerConnection: RTCPeerConnection } }).visitorCall
            .peerConnection.connectionState,
      ),
    )
    .toBe('connected');
  // what the console has rendered when the accepted signal leaves and when the still gets the
  // camera's picture (a canvas frame that is not black)
  await agent.evaluate(() => {
    const w = window as unknown as { acceptOrder: string[] };
    w.acceptOrder = [];
    const screen = () =>
      document.querySelector('[data-testid="call-screen"]') ? 'call screen shown' : 'not yet';
    const ws = WebSocket.prototype;
    const send = Object.getOwnPropertyDescriptor(ws, 'send')?.value as (
      this: WebSocket,
      data: unknown,
    ) => void;
    ws.send = function (data) {
      if (typeof data === 'string' && data.includes('"kind":"accepted"'))
        w.acceptOrder.push(`accepted signal: ${screen()}`);
      send.call(this, data);
    };
    const track = CanvasCaptureMediaStreamTrack.prototype;
    const requestFrame = Object.getOwnPropertyDescriptor(track, 'requestFrame')?.value as (
      this: CanvasCaptureMediaStreamTrack,
    ) => void;
    track.requestFrame = function () {
      const c = this.canvas;
      const px = c.getContext('2d')?.getImageData(c.width / 2, c.height / 2, 1, 1).data ?? [];
      if (Array.from(px.slice(0, 3)).some((v) => v > 0))
        w.acceptOrder.push(`picture drawn: ${screen()}`);
      requestFrame.call(this);
    };
  });
  await agent.getByTestId('ring-card').getByRole('button', { name: 'Accept' }).click();
  await expect(agent.getByTestId('call-screen')).toHaveAttribute('data-call-state', 'active', {
    timeout: 20_000,
  });
  const order = await agent.evaluate(
    () => (window as unknown as { acceptOrder: string[] }).acceptOrder,
  );
  expect(order.slice(0, 2)).toEqual(['accepted signal: not yet', 'picture drawn: not yet']);
  await agent.getByTestId('hangup').click();
  await expect.poll(async () => (await visitorView(visitor)).endReason).toBe('agent_hangup');
  await Promise.all([agent.context().close(), visitor.context().close()]);
});

test("the visitor's video plays from the ring, the visitor is still heard while the agent opens another page, and a call that rings on the wrap-up waits parked", async ({
  browser,
}) => {
  const { agent, visitor } = await ringingMia(browser);
  // one element for the whole call: in the page (parked) and playing while it rings
  const remote = () =>
    agent.evaluate(() => {
      const all = document.querySelectorAll('video.remote');
      const v = all[0] as HTMLVideoElement | undefined;
      return {
        count: all.length,
        inStage: !!v?.closest('[data-testid="call-screen"]'),
        parked: !!v?.closest('[data-testid="remote-parking"]'),
        playing: !!v && !v.paused && (v.srcObject as MediaStream | null)?.active === true,
      };
    });
  await expect.poll(remote).toEqual({ count: 1, inStage: false, parked: true, playing: true });
  await agent.getByTestId('ring-card').getByRole('button', { name: 'Accept' }).click();
  await expect(agent.getByTestId('call-screen')).toHaveAttribute('data-call-state', 'active', {
    timeout: 20_000,
  });
  expect(await remote()).toEqual({ count: 1, inStage: true, parked: false, playing: true });
  // another page during the call: the call screen goes, the visitor's sound does not
  await agent.getByRole('link', { name: 'History' }).click();
  await expect(agent.getByTestId('call-screen')).toHaveCount(0);
  await agent.waitForTimeout(300);
  expect(await remote()).toEqual({ count: 1, inStage: false, parked: true, playing: true });
  await agent.getByRole('link', { name: /Current call/ }).click();
  await expect(agent.getByTestId('call-screen')).toBeVisible();
  expect(await remote()).toEqual({ count: 1, inStage: true, parked: false, playing: true });
  await agent.getByTestId('hangup').click();
  await expect.poll(async () => (await visitorView(visitor)).endReason).toBe('agent_hangup');
  // a second visitor calls while Mia is still on the wrap-up: the new call's video plays in
  // the parking spot, not on the ended call's stage behind "Call ended"
  const wrapUp = agent.getByTestId('call-screen');
  await expect(wrapUp).toHaveAttribute('data-call-state', 'ended');
  const second = await visitorPage(browser);
  await callAgent(second, server.url, MIA, {});
  await expect(agent.getByTestId('ring-card')).toBeVisible();
  await expect.poll(remote).toEqual({ count: 1, inStage: false, parked: true, playing: true });
  await expect(wrapUp).toHaveAttribute('data-call-state', 'ended');
  await shot(agent, 'call-wrap-up-ringing');
  // accepted from the wrap-up: the new call takes the screen and its video the stage
  await agent.getByTestId('ring-card').getByRole('button', { name: 'Accept' }).click();
  await expect(agent.getByTestId('call-screen')).toHaveAttribute('data-call-state', 'active', {
    timeout: 20_000,
  });
  expect(await remote()).toEqual({ count: 1, inStage: true, parked: false, playing: true });
  await agent.getByTestId('hangup').click();
  await expect.poll(async () => (await visitorView(second)).endReason).toBe('agent_hangup');
  await agent.getByRole('button', { name: 'Done' }).click();
  await expect.poll(async () => (await remote()).count).toBe(0);
  await Promise.all([agent.context().close(), visitor.context().close(), second.context().close()]);
});

test('an agent takes a call by keyboard: the focus follows the ring, the call and its end; the side panel is a set of tabs', async ({
  browser,
}) => {
  const agent = await agentOnline(browser);
  const visitor = await visitorPage(browser);
  const card = agent.getByTestId('ring-card');

  // the ring takes the focus to Accept from wherever it was (here the sidebar)
  await agent.getByRole('link', { name: 'History' }).focus();
  await callAgent(visitor, server.url, MIA, { user: { name: 'Ada' } });
  await expect(card.getByRole('button', { name: 'Accept' })).toBeFocused();
  await agent.keyboard.press('Enter');
  const screen = agent.getByTestId('call-screen');
  await expect(screen).toHaveAttribute('data-call-state', 'active', { timeout: 20_000 });
  // the first call control, not the page's body
  const mute = agent.getByRole('button', { name: 'Mute microphone' });
  await expect(mute).toBeFocused();
  // the side panel's tabs: the arrows and Home switch them, and each names its panel
  const products = agent.getByRole('tab', { name: 'Products' });
  const chat = agent.getByRole('tab', { name: 'Chat' });
  await products.focus();
  await agent.keyboard.press('ArrowRight');
  await expect(chat).toBeFocused();
  await expect(chat).toHaveAttribute('aria-selected', 'true');
  await expect(
    agent.getByRole('tabpanel', { name: 'Chat' }).getByRole('textbox', { name: 'Message' }),
  ).toBeVisible();
  await agent.keyboard.press('Home');
  await expect(products).toBeFocused();
  await expect(agent.getByRole('tabpanel', { name: 'Products' })).toContainText(
    'The visitor sees these products',
  );
  await mute.focus();
  for (let i = 0; i < 3; i++) await agent.keyboard.press('Tab');
  await expect(agent.getByTestId('hangup')).toBeFocused();
  await agent.keyboard.press('Enter');
  await expect(screen).toHaveAttribute('data-call-state', 'ended');
  await expect.poll(async () => (await visitorView(visitor)).endReason).toBe('agent_hangup');
  await expect(agent.getByRole('button', { name: 'Done' })).toBeFocused();
  await agent.keyboard.press('Enter');
  await expect(screen).toHaveCount(0);
  await expect(agent.locator('#main')).toBeFocused();

  // declined: the focus goes back where it was when it rang
  await agent.getByRole('link', { name: 'History' }).focus();
  await callAgent(visitor, server.url, MIA, { user: { name: 'Ada' } });
  await expect(card.getByRole('button', { name: 'Accept' })).toBeFocused();
  await agent.keyboard.press('Tab');
  await expect(card.getByRole('button', { name: 'Decline', exact: true })).toBeFocused();
  await agent.keyboard.press('Enter');
  await expect(card).toHaveCount(0);
  await expect(agent.getByRole('link', { name: 'History' })).toBeFocused();
  await expect.poll(async () => (await visitorView(visitor)).endReason).toBe('declined');

  // typing in a field: the ring leaves the focus there (a key meant for it would answer)
  await agent.getByRole('link', { name: 'Account' }).click();
  const name = agent.getByLabel('Name', { exact: true });
  await name.focus();
  await callAgent(visitor, server.url, MIA, { user: { name: 'Ada' } });
  await expect(card).toBeVisible();
  await expect(name).toBeFocused();
  await card.getByRole('button', { name: 'Decline', exact: true }).click();
  await expect(card).toHaveCount(0);
  await expect(name).toBeFocused();
  await agent.context().close();
  await visitor.context().close();
});

test('a ring shows at once while the agent’s camera opens: a visitor who hangs up meanwhile takes it down, and an Accept clicked meanwhile goes through', async ({
  browser,
}) => {
  const agent = await agentOnline(browser, 'light', 2000);
  const visitor = await visitorPage(browser);
  await callAgent(visitor, server.url, MIA, { user: { name: 'Grace' } });
  await expect.poll(async () => (await visitorView(visitor)).state).toBe('ringing');
  const card = agent.getByTestId('ring-card');
  // the card is up while the camera opens (2 s here), and says so
  await expect(card).toBeVisible({ timeout: 1500 });
  await expect(card.getByTestId('ring-preparing')).toHaveText('Starting your camera…');
  await expect(card.getByTestId('ring-visitor')).toHaveText('Grace');
  await expect(agent).toHaveTitle(/Incoming call: Grace/);
  await agent.screenshot({ path: test.info().outputPath('ring-preparing.png') });
  // the visitor hangs up before the camera is open: the card goes at once
  await visitor.evaluate(() =>
    (window as unknown as { visitorCall: { hangup(): Promise<unknown> } }).visitorCall.hangup(),
  );
  await expect(card).toHaveCount(0, { timeout: 1000 });
  await expect(agent.locator('.toasts')).toContainText('Grace hung up before you answered.');
  // the camera has opened since: the ended ring does not come back
  await agent.waitForTimeout(2500);
  await expect(card).toHaveCount(0);
  await expect(agent).not.toHaveTitle(/Incoming call/);
  // the next call: Accept clicked while the camera opens goes through once it is open
  await callAgent(visitor, server.url, MIA, { user: { name: 'Grace' } });
  await expect(card.getByTestId('ring-preparing')).toBeVisible();
  await card.getByRole('button', { name: 'Accept' }).click();
  await expect.poll(async () => (await visitorView(visitor)).state).toBe('active');
  await expect(agent.getByTestId('call-screen')).toHaveAttribute('data-call-state', 'active');
  await visitor.evaluate(() =>
    (window as unknown as { visitorCall: { hangup(): Promise<unknown> } }).visitorCall.hangup(),
  );
  await agent.context().close();
  await visitor.context().close();
});
