/**
 * A visitor who leaves the page during a call: closing the tab, reloading or navigating away
 * ends the call at once for the agent (the SDK hangs up and says goodbye on `pagehide`), not
 * after the 30 s grace period a silently dropped connection gets. Real Chromium closes the
 * real page; the agent is Mia in the real console; the reasons come from the REST API.
 * Also: a page that goes into the back/forward cache comes back with a working card.
 */
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../harness/browser.ts';
import { ApiClient } from '../harness/api.ts';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { availableAgents } from './agent.ts';
import { agentInConsole, callFromWidget } from './callParties.ts';

let server: RunningServer;
let mia: ApiClient;
test.beforeAll(async () => {
  server = await startServer();
  mia = await ApiClient.signIn(server.url, DEMO.agents.mia);
});
test.afterAll(async () => {
  await server.stop();
});

/** Well under the 30 s grace period, with room for a loaded 2-core machine. */
const AT_ONCE_MS = 5000;

interface EndedCall {
  id: string;
  status: string;
  endReason: string | null;
  endDetail: string | null;
}

async function lastCall(): Promise<EndedCall | undefined> {
  return (await mia.get<{ items: EndedCall[] }>('/me/calls?limit=1')).items[0];
}

/** A visitor on the demo shop who calls Mia; returns once the agent's console rings. */
async function visitorCalls(browser: Browser, agent: Page): Promise<Page> {
  await expect.poll(() => availableAgents(server)).toContain('Mia Alvarez');
  const visitor = await (await browser.newContext()).newPage();
  await callFromWidget(visitor, server.url);
  await expect(agent.getByTestId('ring-card')).toBeVisible();
  return visitor;
}

async function accept(agent: Page, visitor: Page): Promise<void> {
  await agent.getByTestId('ring-card').getByRole('button', { name: 'Accept' }).click();
  await expect(agent.getByTestId('call-screen')).toHaveAttribute('data-call-state', 'active', {
    timeout: 20_000,
  });
  await expect(visitor.locator('[data-flux-call-ui] .st')).toContainText('Connected', {
    timeout: 20_000,
  });
}

/** The agent's call screen says the visitor hung up, soon after `since`. */
async function agentSeesHangUp(agent: Page, since: number): Promise<number> {
  const screen = agent.getByTestId('call-screen');
  await expect(screen).toHaveAttribute('data-call-state', 'ended', { timeout: AT_ONCE_MS });
  const took = Date.now() - since;
  await expect(screen).toContainText('Visitor hung up');
  return took;
}

test('closing the tab while the agent’s console rings stops the ringing at once', async ({
  browser,
}) => {
  const agent = await agentInConsole(browser, server.url);
  const visitor = await visitorCalls(browser, agent);
  const since = Date.now();
  await visitor.close();
  await expect(agent.getByTestId('ring-card')).toHaveCount(0, { timeout: AT_ONCE_MS });
  const took = Date.now() - since;
  // cancelled by the page's hang-up (detail null), not by its goodbye alone (visitor_gone)
  expect(await lastCall()).toMatchObject({
    status: 'ended',
    endReason: 'cancelled',
    endDetail: null,
  });
  expect(took).toBeLessThan(AT_ONCE_MS);
  test.info().annotations.push({ type: 'ringing stopped after', description: `${took} ms` });
  await expect.poll(() => availableAgents(server)).toContain('Mia Alvarez');
  await agent.context().close();
});

test('closing the tab during a connected call ends it for the agent as the visitor’s hang-up', async ({
  browser,
}) => {
  const agent = await agentInConsole(browser, server.url);
  const visitor = await visitorCalls(browser, agent);
  await accept(agent, visitor);
  const since = Date.now();
  await visitor.close();
  const took = await agentSeesHangUp(agent, since);
  expect(await lastCall()).toMatchObject({ endReason: 'visitor_hangup', endDetail: null });
  test.info().annotations.push({ type: 'call ended after', description: `${took} ms` });
  await expect.poll(() => availableAgents(server)).toContain('Mia Alvarez');
  await agent.context().close();
});

test('navigating away during a connected call ends it; a reload offers a new call', async ({
  browser,
}) => {
  const agent = await agentInConsole(browser, server.url);
  const visitor = await visitorCalls(browser, agent);
  await accept(agent, visitor);
  const since = Date.now();
  await visitor.reload();
  await agentSeesHangUp(agent, since);
  expect(await lastCall()).toMatchObject({ endReason: 'visitor_hangup', endDetail: null });
  // the reloaded page is a fresh page: the card, no call window, the agent free to call again
  const card = visitor.locator('.my-cool-call-widget [data-flux-widget]').first();
  await expect(card).toHaveAttribute('data-flux-state', 'ready');
  await expect(visitor.locator('[data-flux-call-ui]')).toHaveCount(0);
  await agent.getByRole('button', { name: 'Done' }).click();

  // and a link to another page of the shop in the same tab
  await card.getByRole('button', { name: 'Start video call' }).click();
  const ui = visitor.locator('[data-flux-call-ui]');
  await ui.getByRole('button', { name: 'Start call' }).click();
  await expect(agent.getByTestId('ring-card')).toBeVisible();
  await accept(agent, visitor);
  const left = Date.now();
  await visitor.goto(`${server.url}/`);
  await agentSeesHangUp(agent, left);
  expect(await lastCall()).toMatchObject({ endReason: 'visitor_hangup', endDetail: null });
  await expect.poll(() => availableAgents(server)).toContain('Mia Alvarez');
  await agent.context().close();
  await visitor.context().close();
});

test('a page that goes into the back/forward cache with the call window open comes back with a working card', async ({
  browser,
}) => {
  // Playwright turns the back/forward cache off; this browser has it, as visitors do. (A
  // page whose call got as far as a connection is not restored by Chromium: it loads anew.)
  const cached = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  });
  try {
    const agent = await agentInConsole(browser, server.url);
    await expect.poll(() => availableAgents(server)).toContain('Mia Alvarez');
    const visitor = await (await cached.newContext()).newPage();
    await visitor.goto(`${server.url}/product/123`);
    const card = visitor.locator('.my-cool-call-widget [data-flux-widget]').first();
    await expect(card).toHaveAttribute('data-flux-state', 'ready');
    await card.getByRole('button', { name: 'Start video call' }).click();
    const ui = visitor.locator('[data-flux-call-ui]');
    await expect(ui).toHaveAttribute('data-flux-state', 'check');
    await expect
      .poll(() => ui.locator('video').evaluate((v: HTMLVideoElement) => v.videoWidth))
      .toBeGreaterThan(0);
    await visitor.evaluate(() => {
      const w = window as unknown as { shows: boolean[] };
      w.shows = [];
      addEventListener('pageshow', (e) => w.shows.push(e.persisted));
    });
    await visitor.goto(`${server.url}/`);
    await visitor.goBack({ waitUntil: 'commit' });
    // the same document, restored (not loaded again), without the call window
    await expect
      .poll(() => visitor.evaluate(() => (window as unknown as { shows?: boolean[] }).shows))
      .toEqual([true]);
    await expect(card).toHaveAttribute('data-flux-state', 'ready');
    await expect(ui).toHaveCount(0);
    // the card follows presence again, and a new call rings
    await mia.patch('/me', { status: 'offline' });
    await expect(card).not.toHaveAttribute('data-flux-state', 'ready');
    await mia.patch('/me', { status: 'online' });
    await expect(card).toHaveAttribute('data-flux-state', 'ready');
    await card.getByRole('button', { name: 'Start video call' }).click();
    await ui.getByRole('button', { name: 'Start call' }).click();
    await expect(agent.getByTestId('ring-card')).toBeVisible();
    await ui.getByRole('button', { name: 'Cancel' }).click();
    await expect(agent.getByTestId('ring-card')).toHaveCount(0);
    await expect.poll(() => availableAgents(server)).toContain('Mia Alvarez');
    await agent.context().close();
  } finally {
    await cached.close();
  }
});
