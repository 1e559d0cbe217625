/**
 * A scripted visitor for the console's call tests: @flux/client bundled for the browser and
 * loaded into a page of the demo shop (an allowed origin), calling an agent the way the SDK
 * does. State, products and chat are mirrored on `window.visitor` for the test to read.
 */
import type { Page } from '@playwright/test';
import type * as FluxClientModule from '@flux/client';
import { clientBundle } from '../harness/clientBundle.ts';
import { DEMO } from '../harness/server.ts';

export interface VisitorView {
  state: string;
  endReason: string | null;
  products: string[];
  chat: { from: string; text: string }[];
  callId: string | null;
  error: string | null;
  /** Names of the agents offered after a decline or miss (same tag, available now). */
  alternatives: string[];
}

/** Opens the shop page and starts a call to the agent with this email's name. */
export async function callAgent(
  page: Page,
  base: string,
  agentName: string,
  opts: {
    productIds?: string[];
    user?: { name?: string; email?: string };
    /** Call this agent id without looking the name up in the list of available agents. */
    agentId?: string;
  } = {},
): Promise<void> {
  await page.goto(`${base}/`);
  await page.addScriptTag({ content: await clientBundle() });
  await page.evaluate(
    async ({ channelId, apiKey, agentName, agentId, productIds, user }) => {
      const C = (window as unknown as { FluxClient: typeof FluxClientModule }).FluxClient;
      const view: Record<string, unknown> = {
        state: 'idle',
        endReason: null,
        products: [],
        chat: [],
        callId: null,
        error: null,
        alternatives: [],
      };
      (window as unknown as { visitor: unknown }).visitor = view;
      const agentsUrl = `/api/v1/public/channels/${channelId}/agents?apiKey=${apiKey}`;
      const first = (await (await fetch(agentsUrl)).json()) as {
        agents: { id: string; name: string }[];
        visitorToken: string;
      };
      const agent = agentId ? { id: agentId } : first.agents.find((a) => a.name === agentName);
      if (!agent) throw new Error(`${agentName} is not available: ${JSON.stringify(first.agents)}`);
      const signaling = new C.SignalingClient({
        url: `${location.origin.replace(/^http/, 'ws')}/api/v1/ws`,
        role: 'visitor',
        getToken: async () =>
          ((await (await fetch(agentsUrl)).json()) as { visitorToken: string }).visitorToken,
      });
      await signaling.connect();
      signaling.on('call.state', (m) => {
        if (m.alternatives) view.alternatives = m.alternatives.map((a) => a.name);
      });
      const localStream = await C.getLocalMedia({ audioOnly: false });
      const call = C.startVisitorCall({
        signaling,
        localStream,
        agentId: agent.id,
        productIds,
        pageUrl: location.href,
        ...(user ? { user } : {}),
      });
      (window as unknown as { visitorCall: unknown }).visitorCall = call;
      call.on('stateChanged', (e) => {
        view.state = e.to;
        view.endReason = call.endReason;
        view.callId = call.callId;
      });
      call.on('products', (p) => {
        view.products = p.map((x) => x.name);
      });
      call.on('chat', (m) => {
        view.chat = [...(view.chat as unknown[]), { from: m.from, text: m.text }];
      });
      call.on('error', (e) => {
        view.error = e.code;
      });
    },
    {
      channelId: DEMO.channelId,
      apiKey: DEMO.apiKey,
      agentName,
      agentId: opts.agentId ?? null,
      productIds: opts.productIds ?? [],
      user: opts.user ?? null,
    },
  );
}

export function visitorView(page: Page): Promise<VisitorView> {
  return page.evaluate(() => (window as unknown as { visitor: VisitorView }).visitor);
}

/** Leaves a callback request over the visitor's signaling channel (as the SDK's form does). */
export async function leaveCallback(
  page: Page,
  base: string,
  body: { name: string; contact: string; note?: string },
): Promise<void> {
  await page.goto(`${base}/`);
  await page.addScriptTag({ content: await clientBundle() });
  await page.evaluate(
    async ({ channelId, apiKey, body }) => {
      const C = (window as unknown as { FluxClient: typeof FluxClientModule }).FluxClient;
      const agentsUrl = `/api/v1/public/channels/${channelId}/agents?apiKey=${apiKey}`;
      const signaling = new C.SignalingClient({
        url: `${location.origin.replace(/^http/, 'ws')}/api/v1/ws`,
        role: 'visitor',
        getToken: async () =>
          ((await (await fetch(agentsUrl)).json()) as { visitorToken: string }).visitorToken,
      });
      await signaling.connect();
      await signaling.request({ type: 'callback.request', ...body, pageUrl: location.href });
      signaling.close();
    },
    { channelId: DEMO.channelId, apiKey: DEMO.apiKey, body },
  );
}
