/**
 * The client engine (@flux/client) against the real server: SignalingClient over real
 * WebSockets, CallSession with in-memory peer connections. What browsers add (real media)
 * is covered by e2e/engine.
 */
import {
  prepareAgentCall,
  SignalingClient,
  startVisitorCall,
  watchRoster,
  type CallSession,
  type Roster,
  type WebSocketFactory,
} from '@flux/client';
import type { FakePeerConnection } from '@flux/client/testing';
import { fakeLocalStream, fakePeerConnectionFactory } from '@flux/client/testing';
import type { CallIncoming } from '@flux/protocol';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { must, seed, suiteServer, TEST_ORIGIN, type Fixture } from './testing/harness.ts';

const server = suiteServer();

function socketClass(headers: { origin: string; cookie?: string }): WebSocketFactory {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, {
        origin: headers.origin,
        headers: headers.cookie ? { cookie: headers.cookie } : {},
      });
    }
  } as unknown as WebSocketFactory;
}

async function visitorClient(fx: Fixture): Promise<SignalingClient> {
  const c = new SignalingClient({
    url: server.wsUrl,
    role: 'visitor',
    getToken: () => fx.visitorToken(),
    WebSocketImpl: socketClass({ origin: TEST_ORIGIN }),
  });
  await c.connect();
  return c;
}

async function agentClient(fx: Fixture, i = 0): Promise<SignalingClient> {
  const c = new SignalingClient({
    url: server.wsUrl,
    role: 'agent',
    WebSocketImpl: socketClass({ origin: server.httpUrl, cookie: must(fx.cookies[i]) }),
  });
  await c.connect();
  return c;
}

/** Prepares every incoming call on the console; resolves with the first. */
function onRing(agent: SignalingClient): Promise<CallSession> {
  return new Promise((resolve) => {
    const off = agent.on('call.incoming', (incoming: CallIncoming) => {
      off();
      resolve(
        prepareAgentCall({
          signaling: agent,
          incoming,
          localStream: fakeLocalStream(),
          createPeerConnection: fakePeerConnectionFactory(),
        }),
      );
    });
  });
}

function call(visitor: SignalingClient, agentId: string, productIds: string[] = []): CallSession {
  return startVisitorCall({
    signaling: visitor,
    localStream: fakeLocalStream(),
    agentId,
    productIds,
    pageUrl: 'https://shop.test/p',
    user: { name: 'Vera' },
    createPeerConnection: fakePeerConnectionFactory(),
    iceGatheringTimeoutMs: 200,
  });
}

describe('@flux/client against the server', () => {
  it('runs a whole call: ring, accept, media, products, chat, a dropped socket, ICE restart, hang up', async () => {
    const fx = await seed(server.storage, { agents: [{ name: 'Ada', tags: ['hats'] }] });
    const agent = await agentClient(fx);
    const visitor = await visitorClient(fx);
    const rosters: Roster[] = [];
    const stop = watchRoster(visitor, (r) => rosters.push(r));
    await expect.poll(() => rosters.at(-1)?.agents.length).toBe(1);

    const ringing = onRing(agent);
    const v = call(visitor, must(fx.agents[0]).id, ['HAT-1', 'NOPE']);
    expect(v.state).toBe('requesting');
    await v.when('ringing');
    expect(v.unknownProductIds).toEqual(['NOPE']);
    expect(v.products.map((p) => p.sku)).toEqual(['HAT-1']);
    const a = await ringing;
    expect(a.state).toBe('ringing');
    expect(a.call?.visitor).toEqual({ name: 'Vera' });

    const remote: MediaStream[] = [];
    v.on('remoteStream', (s) => remote.push(s));
    await a.accept();
    await Promise.all([v.when('active'), a.when('active')]);
    expect(remote).toHaveLength(1);
    const stats = await v.getStats();
    expect(stats.video.framesDecoded).toBeGreaterThan(0);
    expect(stats.audio.packetsReceived).toBeGreaterThan(0);
    expect(stats.candidatePair?.localType).toBe('host');

    // products, both ways live
    const hat2 = must((await server.storage.resolveProducts(fx.channel.id, ['HAT-2'])).products[0]);
    const productsSeen = new Promise((r) => v.once('products', r));
    await a.addProduct(hat2.id);
    await productsSeen;
    expect(v.products.map((p) => p.sku)).toEqual(['HAT-1', 'HAT-2']);
    const clicked = new Promise((r) => a.once('productEvent', r));
    await v.productEvent(hat2.id, 'click');
    expect(await clicked).toEqual({ productId: hat2.id, kind: 'click' });

    // chat
    const heard = new Promise((r) => a.once('chat', r));
    await v.sendChat('hello');
    expect(await heard).toMatchObject({ from: 'visitor', text: 'hello' });

    // the visitor's signaling socket dies: it resumes, the call goes on
    const resumed = new Promise<boolean>((r) => visitor.once('welcome', (w) => r(w.resumed)));
    visitor.dropConnection();
    expect(await resumed).toBe(true);
    expect(v.state).toBe('active');
    const heard2 = new Promise((r) => v.once('chat', r));
    await a.sendChat('still here');
    expect(await heard2).toMatchObject({ from: 'agent', text: 'still here' });

    // the media drops: reconnecting, ICE restart through call.signal, active again
    const vpc = v.peerConnection as unknown as FakePeerConnection;
    const apc = a.peerConnection as unknown as FakePeerConnection;
    vpc.simulateConnectionState('failed');
    expect(v.state).toBe('reconnecting');
    expect(vpc.restarts).toBe(1);
    await expect.poll(() => apc.remoteDescription?.sdp?.includes('"ice":1')).toBe(true);
    await expect.poll(() => vpc.signalingState).toBe('stable');
    vpc.simulateConnectionState('connected');
    expect(v.state).toBe('active');

    v.setMuted('audio', true);
    expect(v.muted.audio).toBe(true);
    expect(v.localStream?.getAudioTracks()[0]?.enabled).toBe(false);

    await v.hangup();
    expect(v.endReason).toBe('visitor_hangup');
    await a.when('ended');
    expect(a.endReason).toBe('visitor_hangup');
    const rated = await v.rate(4);
    expect(rated.rating).toBe(4);
    const stored = await server.storage.getCall(must(v.callId));
    expect(stored).toMatchObject({ status: 'ended', endReason: 'visitor_hangup', rating: 4 });
    stop();
    visitor.close();
    agent.close();
  });

  it('ends the visitor’s call as declined with alternatives, and when() rejects', async () => {
    const fx = await seed(server.storage, {
      agents: [
        { name: 'Ada', tags: ['hats'] },
        { name: 'Bea', tags: ['hats'] },
      ],
    });
    const agent = await agentClient(fx, 0);
    const other = await agentClient(fx, 1);
    const visitor = await visitorClient(fx);
    const ringing = onRing(agent);
    const v = call(visitor, must(fx.agents[0]).id);
    // the expectation is attached before the decline: the visitor may hear of the end before
    // the agent's decline() resolves, and a rejection nobody handles yet is an unhandled one
    const active = expect(v.when('active')).rejects.toMatchObject({
      code: 'FLX_ERR_CALL_INVALID_TRANSITION',
    });
    const a = await ringing;
    await a.decline();
    await active;
    expect(v.endReason).toBe('declined');
    expect(v.alternatives.map((x) => x.name)).toEqual(['Bea']);
    for (const c of [visitor, agent, other]) c.close();
  });

  it('ends a request for a busy agent with request_failed and the busy error', async () => {
    const fx = await seed(server.storage);
    const agent = await agentClient(fx);
    const v1c = await visitorClient(fx);
    const v2c = await visitorClient(fx);
    const ringing = onRing(agent);
    const first = call(v1c, must(fx.agents[0]).id);
    await first.when('ringing');
    const second = call(v2c, must(fx.agents[0]).id);
    await expect(second.when('ringing')).rejects.toMatchObject({ code: 'FLX_ERR_AGENT_BUSY' });
    expect(second.endReason).toBe('request_failed');
    expect(second.error?.code).toBe('FLX_ERR_AGENT_BUSY');
    await first.hangup();
    const a = await ringing;
    await a.when('ended');
    expect(a.endReason).toBe('cancelled');
    for (const c of [v1c, v2c, agent]) c.close();
  });

  it('cancels a call hung up while the offer is still being prepared', async () => {
    const fx = await seed(server.storage);
    const agent = await agentClient(fx);
    const visitor = await visitorClient(fx);
    const v = call(visitor, must(fx.agents[0]).id);
    await v.hangup();
    expect(v.endReason).toBe('cancelled');
    await expect
      .poll(async () => (await server.storage.listOpenCalls(fx.channel.id)).length)
      .toBe(0);
    visitor.close();
    agent.close();
  });

  it('accepts with a camera given only at accept(), without renegotiating', async () => {
    const fx = await seed(server.storage);
    const agent = await agentClient(fx);
    const visitor = await visitorClient(fx);
    const ringing = new Promise<CallSession>((resolve) => {
      agent.once('call.incoming', (incoming) => {
        resolve(
          prepareAgentCall({
            signaling: agent,
            incoming,
            createPeerConnection: fakePeerConnectionFactory(),
          }),
        );
      });
    });
    const v = call(visitor, must(fx.agents[0]).id);
    const a = await ringing;
    const apc = a.peerConnection as unknown as FakePeerConnection;
    await expect.poll(() => apc.connectionState).toBe('connected'); // early transport
    expect(apc.getSenders().every((x) => x.track === null)).toBe(true); // no media yet
    await a.accept({ localStream: fakeLocalStream() });
    await Promise.all([v.when('active'), a.when('active')]);
    expect(apc.getSenders().filter((x) => x.track !== null)).toHaveLength(2);
    const vpc = v.peerConnection as unknown as FakePeerConnection;
    expect(vpc.getSenders().filter((x) => x.track !== null)).toHaveLength(2);
    expect(apc.signalingState).toBe('stable');
    await v.hangup();
    visitor.close();
    agent.close();
  });

  it('ends the ring on the other console when one console accepts', async () => {
    const fx = await seed(server.storage);
    const tab1 = await agentClient(fx);
    const tab2 = await agentClient(fx);
    const visitor = await visitorClient(fx);
    const r1 = onRing(tab1);
    const r2 = onRing(tab2);
    const v = call(visitor, must(fx.agents[0]).id);
    const [a1, a2] = await Promise.all([r1, r2]);
    await a1.accept();
    await a2.when('ended');
    expect(a2.endReason).toBe('answered_elsewhere');
    await v.when('active');
    await a1.hangup();
    await v.when('ended');
    expect(v.endReason).toBe('agent_hangup');
    for (const c of [visitor, tab1, tab2]) c.close();
  });
});
