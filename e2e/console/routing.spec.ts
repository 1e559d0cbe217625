/**
 * Routing in real browsers: two visitors call the same agent at once and exactly one rings
 * (the other is told the agent is busy); when the agent declines, the visitor is offered the
 * available agent who shares a tag with the one who declined.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { DEMO, startServer, type RunningServer } from '../harness/server.ts';
import { signIn } from './helpers.ts';
import { callAgent, visitorView } from './visitor.ts';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server.stop();
});

async function online(browser: Browser, email: string): Promise<Page> {
  const ctx = await browser.newContext();
  await ctx.grantPermissions(['camera', 'microphone'], { origin: server.url });
  const page = await ctx.newPage();
  await signIn(page, server.url, email);
  await expect(page.getByTestId('connection')).toHaveText(/Connected/);
  const toggle = page.getByTestId('status-switch');
  if ((await toggle.getAttribute('aria-checked')) !== 'true') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  return page;
}

test('two visitors call one agent: one rings, the other hears busy; a decline offers a same-tag agent', async ({
  browser,
}) => {
  // Aiko (fashion-support, returns) and Mia (fashion-support, styling) share a tag.
  const aiko = await online(browser, DEMO.agents.aiko);
  const mia = await online(browser, DEMO.agents.mia);
  const first = await (await browser.newContext()).newPage();
  const second = await (await browser.newContext()).newPage();

  // Both visitors have Aiko's id before either calls: once one call reserves her, she leaves
  // the list of available agents.
  const res = await fetch(
    `${server.url}/api/v1/public/channels/${DEMO.channelId}/agents?apiKey=${DEMO.apiKey}`,
    { headers: { origin: server.url } },
  );
  const { agents } = (await res.json()) as { agents: { id: string; name: string }[] };
  const agentId = agents.find((a) => a.name === 'Aiko Tanaka')?.id;
  expect(agentId).toBeDefined();
  await Promise.all([
    callAgent(first, server.url, 'Aiko Tanaka', { user: { name: 'First' }, agentId }),
    callAgent(second, server.url, 'Aiko Tanaka', { user: { name: 'Second' }, agentId }),
  ]);
  const views = async () => [await visitorView(first), await visitorView(second)];
  await expect
    .poll(async () => (await views()).map((v) => v.error ?? v.state).sort())
    .toEqual(['FLX_ERR_AGENT_BUSY', 'ringing'].sort());
  const card = aiko.getByTestId('ring-card');
  await expect(card).toHaveCount(1);
  await expect(mia.getByTestId('ring-card')).toHaveCount(0);

  const ringing = (await visitorView(first)).state === 'ringing' ? first : second;
  await card.getByRole('button', { name: 'Decline', exact: true }).click();
  await expect.poll(async () => (await visitorView(ringing)).endReason).toBe('declined');
  await expect.poll(async () => (await visitorView(ringing)).alternatives).toEqual(['Mia Alvarez']);

  for (const p of [aiko, mia, first, second]) await p.context().close();
});
