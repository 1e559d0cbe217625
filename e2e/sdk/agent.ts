/**
 * An agent for SDK browser tests, driven from Node: signs in through the REST API, keeps a
 * console WebSocket open (what makes an online agent "available") and sets its status.
 */
import WebSocket from 'ws';
import { PROTOCOL_VERSION, WS_PATH } from '@flux/protocol';
import { ApiClient } from '../harness/api.ts';
import { DEMO } from '../harness/server.ts';
import type { RunningServer } from '../harness/server.ts';

export interface TestAgent {
  api: ApiClient;
  /** Every message the agent's console received. */
  received: { type: string; [k: string]: unknown }[];
  setStatus(status: 'online' | 'offline'): Promise<void>;
  waitFor(type: string, timeoutMs?: number): Promise<{ type: string; [k: string]: unknown }>;
  close(): void;
}

export async function connectAgent(server: RunningServer, email: string): Promise<TestAgent> {
  const api = await ApiClient.signIn(server.url, email);
  const ws = new WebSocket(server.url.replace(/^http/, 'ws') + WS_PATH, {
    headers: { cookie: api.sessionCookie, origin: server.url },
  });
  const received: TestAgent['received'] = [];
  const waiters: { type: string; resolve: (m: TestAgent['received'][number]) => void }[] = [];
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as TestAgent['received'][number];
    received.push(msg);
    for (const w of waiters.filter((x) => x.type === msg.type)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(msg);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      ws.send(
        JSON.stringify({ type: 'session.hello', protocolVersion: PROTOCOL_VERSION, role: 'agent' }),
      );
    });
    ws.once('error', reject);
    const check = setInterval(() => {
      if (received.some((m) => m.type === 'session.welcome')) {
        clearInterval(check);
        resolve();
      }
    }, 20);
  });
  const ping = setInterval(() => ws.send(JSON.stringify({ type: 'session.ping' })), 10_000);
  const agent: TestAgent = {
    api,
    received,
    async setStatus(status) {
      await api.patch('/me', { status });
    },
    waitFor(type, timeoutMs = 10_000) {
      const seen = received.find((m) => m.type === type);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ type, resolve });
        setTimeout(() => reject(new Error(`agent: no ${type} within ${timeoutMs} ms`)), timeoutMs);
      });
    },
    close() {
      clearInterval(ping);
      ws.close();
    },
  };
  return agent;
}

/**
 * Names of the agents the public API lists as available now (fresh from the server, not the
 * widget's view). A test that starts a call waits for its agent to be listed again before it
 * ends: closing the page does not free the agent at once (the visitor's session has a grace
 * period), and the next test expects the agent available.
 */
export async function availableAgents(server: RunningServer): Promise<string[]> {
  const res = await fetch(
    `${server.url}/api/v1/public/channels/${DEMO.channelId}/agents?apiKey=${DEMO.apiKey}`,
    { headers: { origin: server.url } },
  );
  return ((await res.json()) as { agents: { name: string }[] }).agents.map((a) => a.name);
}
