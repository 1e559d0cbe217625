/**
 * The per-socket message limit (a token bucket: burst 200, refilled at 50 messages/s) against
 * the largest burst legitimate clients send, sized from measurements (docs/protocol.md):
 * Chromium on a laptop with four interfaces (IPv4 + five IPv6 addresses) and TURN over UDP,
 * TCP and TLS on IPv4 and IPv6 gathers 40 candidates for one call (+ about 4 server-reflexive
 * behind a NAT), and the client sends each as its own `call.signal`. The worst case is a
 * resume after a network switch: the unanswered candidates are re-sent and the ICE restart
 * gathers a new set, with a new offer, media states, product events and chat: 2 × 44 + 8 = 96
 * frames at once. Both sides send 25% more than that at once and stay connected; a flood of
 * signals still closes the socket with 4029.
 */
import { CLOSE_CODES, type Call } from '@flux/protocol';
import { describe, expect, it } from 'vitest';
import { agent, must, seed, suiteServer, visitor } from './testing/harness.ts';
import type { WsTestClient } from './testing/WsTestClient.ts';

const WORST_LEGIT_BURST = 2 * 44 + 8;
const BURST = Math.ceil(WORST_LEGIT_BURST * 1.25); // 120

const server = suiteServer();

/** A connected call between a visitor socket and an agent console socket. */
async function connectedCall(): Promise<{ v: WsTestClient; a: WsTestClient; call: Call }> {
  const fx = await seed(server.storage, { agents: [{ name: 'Ada' }] });
  const ada = must(fx.agents[0]);
  const a = await agent(server, fx);
  const { ws: v } = await visitor(server, fx);
  const { call } = await v.request({
    type: 'call.request',
    agentId: ada.id,
    productIds: ['HAT-1'],
    pageUrl: 'https://shop.test/product/1',
    user: { name: 'Vera' },
    offer: { type: 'offer', sdp: 'v=0 offer' },
  });
  await a.next('call.incoming');
  await a.request({
    type: 'call.accept',
    callId: call.id,
    answer: { type: 'answer', sdp: 'v=0 answer' },
  });
  await v.next('call.state', (m) => m.call.status === 'connected');
  return { v, a, call };
}

/** Candidate `i` as Chromium writes them (host/srflx/relay over UDP and TCP). */
function candidate(i: number) {
  const types = ['host', 'srflx', 'relay'] as const;
  const type = types[i % 3] ?? 'host';
  return {
    candidate: `candidate:${String(1000 + i)} 1 ${i % 2 ? 'tcp' : 'udp'} ${String(2122260223 - i)} 192.0.2.${String(i % 250)} ${String(50000 + i)} typ ${type} generation 0 ufrag abcd network-id ${String(i % 5)}`,
    sdpMid: '0',
    sdpMLineIndex: 0,
  };
}

/** What a client sends at once when it resumes after a network switch, `n` frames in all. */
function resumeBurst(callId: string, productId: string, from: 'visitor' | 'agent', n: number) {
  const others = [
    {
      type: 'call.signal' as const,
      callId,
      signal: { kind: 'description' as const, description: { type: 'offer' as const, sdp: 'v=0' } },
    },
    { type: 'call.media_state' as const, callId, state: 'reconnecting' as const },
    { type: 'call.media_state' as const, callId, state: 'connected' as const },
    { type: 'call.chat' as const, callId, text: 'Are you still there?' },
    { type: 'call.chat' as const, callId, text: 'The picture froze for a second.' },
    from === 'visitor'
      ? { type: 'call.product_event' as const, callId, productId, kind: 'click' as const }
      : { type: 'call.product_remove' as const, callId, productId },
    from === 'visitor'
      ? { type: 'call.product_event' as const, callId, productId, kind: 'add_to_cart' as const }
      : { type: 'call.product_add' as const, callId, productId },
    from === 'visitor'
      ? { type: 'presence.subscribe' as const }
      : { type: 'call.chat' as const, callId, text: 'Let me show you the blue one.' },
  ];
  const candidates = Array.from({ length: n - others.length }, (_, i) => ({
    type: 'call.signal' as const,
    callId,
    signal: { kind: 'candidate' as const, candidate: candidate(i) },
  }));
  // candidates first (the re-sent ones), then the rest, then the new candidates
  const half = Math.floor(candidates.length / 2);
  return [...candidates.slice(0, half), ...others, ...candidates.slice(half)];
}

describe('per-socket message limit', () => {
  it(`lets ${String(BURST)} frames at once from each side of a call through (worst legitimate burst ${String(WORST_LEGIT_BURST)})`, async () => {
    const { v, a, call } = await connectedCall();
    const productId = must(call.products[0]).id;
    const fromVisitor = resumeBurst(call.id, productId, 'visitor', BURST);
    const fromAgent = resumeBurst(call.id, productId, 'agent', BURST);
    expect(fromVisitor).toHaveLength(BURST);
    // every frame is sent before the first answer comes back
    const answers = await Promise.allSettled([
      ...fromVisitor.map((m) => v.request(m)),
      ...fromAgent.map((m) => a.request(m)),
    ]);
    expect(answers.filter((r) => r.status === 'rejected')).toEqual([]);
    // the other side got every signal of the burst
    const signals = (list: { type: string }[]) => list.filter((m) => m.type === 'call.signal');
    await expect.poll(() => signals(a.messages).length).toBe(signals(fromVisitor).length);
    await expect.poll(() => signals(v.messages).length).toBe(signals(fromAgent).length + 1); // + the answer
    expect(v.messages.some((m) => m.type === 'error')).toBe(false);
    // both sockets are still open and answer
    await v.request({ type: 'presence.unsubscribe' });
    await a.request({ type: 'call.chat', callId: call.id, text: 'All good.' });
    v.close();
    a.close();
  });

  it('still closes a socket that floods signals with 4029', async () => {
    const { v, a, call } = await connectedCall();
    const flood = resumeBurst(call.id, must(call.products[0]).id, 'visitor', 400);
    for (const m of flood) v.send({ ...m, reqId: `f${String(flood.indexOf(m))}` });
    expect(await v.closed).toEqual({ code: CLOSE_CODES.ABUSE, reason: 'FLX_ERR_RATE_LIMITED' });
    // the agent's socket is unaffected
    await a.request({ type: 'call.chat', callId: call.id, text: 'Still here.' });
    a.close();
  });
});
