import type { Call } from '@flux/protocol';
import { describe, expect, it } from 'vitest';
import {
  agent,
  ANSWER,
  CANDIDATE,
  changeSettings,
  OFFER,
  relayCandidate,
  must,
  seed,
  silence,
  sleep,
  suiteServer,
  TEST_ORIGIN,
  visitor,
} from './testing/harness.ts';
import { createStorage } from '../../storage/createStorage.ts';
import { WsTestClient } from './testing/WsTestClient.ts';

const server = suiteServer();

function request(
  ws: WsTestClient,
  agentId: string,
  productIds: string[] = [],
): Promise<{ call: Call }> {
  return ws.request({
    type: 'call.request',
    agentId,
    productIds,
    pageUrl: 'https://shop.test/product/123',
    user: { name: 'Vera' },
    offer: OFFER,
  });
}

describe('a whole call', () => {
  it('requests, rings, accepts, relays signals, products and chat, and hangs up', async () => {
    const fx = await seed(server.storage, { agents: [{ name: 'Ada', tags: ['hats'] }] });
    const ada = must(fx.agents[0]);
    const console1 = await agent(server, fx);
    const { ws: v } = await visitor(server, fx);
    const roster = await v.request({ type: 'presence.subscribe' });
    // exactly the protocol's fields: nothing of the server's roster cache goes along
    expect(Object.keys(roster).sort()).toEqual(['agents', 'open']);
    expect(roster.agents.map((a) => a.id)).toEqual([ada.id]);
    expect(roster.agents[0]).toEqual({
      id: ada.id,
      name: 'Ada',
      status: 'online',
      tags: ['hats'],
      profile_photo_url: expect.any(String) as string,
    });

    const { call } = await request(v, ada.id, ['HAT-1', 'NOPE-9']);
    // a console is connected: the call is stored ringing in the reservation's own write
    expect(call).toMatchObject({
      status: 'ringing',
      agentId: ada.id,
      unknownProductIds: ['NOPE-9'],
    });
    expect(call.products.map((p) => p.sku)).toEqual(['HAT-1']);

    const incoming = await console1.next('call.incoming');
    expect(incoming).toMatchObject({ offer: OFFER, audioOnly: false, ringTimeoutSeconds: 30 });
    expect(incoming.call).toMatchObject({
      id: call.id,
      visitor: { name: 'Vera' },
      unknownProductIds: ['NOPE-9'],
    });
    const ringing = await v.next('call.state', (m) => m.call.status === 'ringing');
    expect(ringing.call.id).toBe(call.id);
    // the ack (which names the call) comes first, then the state
    const ackAt = v.messages.findIndex(
      (m) => m.type === 'ack' && JSON.stringify(m).includes(call.id),
    );
    expect(ackAt).toBeGreaterThanOrEqual(0);
    expect(ackAt).toBeLessThan(v.messages.indexOf(ringing));
    // the busy agent leaves the roster
    expect((await v.next('presence.roster', (m) => m.agents.length === 0)).agents).toEqual([]);

    await relayCandidate(v, console1, call.id);

    const accepted = await console1.request({
      type: 'call.accept',
      callId: call.id,
      answer: ANSWER,
    });
    expect(accepted.call.status).toBe('connected');
    const answerSignal = await v.next('call.signal');
    expect(answerSignal).toMatchObject({
      from: 'agent',
      signal: { kind: 'description', description: ANSWER },
    });
    const connected = await v.next('call.state', (m) => m.call.status === 'connected');
    expect(connected.seq).toBeGreaterThan(answerSignal.seq);

    await console1.request({
      type: 'call.signal',
      callId: call.id,
      signal: { kind: 'candidate', candidate: CANDIDATE },
    });
    expect((await v.next('call.signal', (m) => m.signal.kind === 'candidate')).from).toBe('agent');

    const hat2 = must((await server.storage.resolveProducts(fx.channel.id, ['HAT-2'])).products[0]);
    const added = await console1.request({
      type: 'call.product_add',
      callId: call.id,
      productId: hat2.id,
    });
    expect(added.products.map((p) => p.sku)).toEqual(['HAT-1', 'HAT-2']);
    expect((await v.next('call.products')).products.map((p) => p.sku)).toEqual(['HAT-1', 'HAT-2']);
    await expect(
      console1.request({ type: 'call.product_add', callId: call.id, productId: 'missing' }),
    ).rejects.toMatchObject({ code: 'FLX_ERR_PRODUCT_NOT_FOUND' });

    await v.request({
      type: 'call.product_event',
      callId: call.id,
      productId: hat2.id,
      kind: 'add_to_cart',
    });
    expect(await console1.next('call.product_event')).toMatchObject({
      productId: hat2.id,
      kind: 'add_to_cart',
    });

    const { at } = await v.request({ type: 'call.chat', callId: call.id, text: 'Hello!' });
    expect(await console1.next('call.chat')).toMatchObject({ from: 'visitor', text: 'Hello!', at });
    await console1.request({ type: 'call.chat', callId: call.id, text: 'Hi there' });
    expect(await v.next('call.chat')).toMatchObject({ from: 'agent', text: 'Hi there' });

    await v.request({ type: 'call.media_state', callId: call.id, state: 'connected' });
    expect(await console1.next('call.peer_media_state')).toMatchObject({
      from: 'visitor',
      state: 'connected',
    });

    const removed = await console1.request({
      type: 'call.product_remove',
      callId: call.id,
      productId: hat2.id,
    });
    expect(removed.products.map((p) => p.sku)).toEqual(['HAT-1']);

    await sleep(1100); // a measurable duration
    const hung = await v.request({ type: 'call.hangup', callId: call.id });
    expect(hung.call).toMatchObject({ status: 'ended', endReason: 'visitor_hangup' });
    const endedState = await console1.next('call.state', (m) => m.call.status === 'ended');
    expect(endedState.call.endReason).toBe('visitor_hangup');
    // then the console learns that its agent is available again (state from the ended write)
    const free = await console1.waitFor(
      (m) =>
        m.type === 'agent.state' &&
        m.availability === 'available' &&
        console1.messages.indexOf(m) > console1.messages.indexOf(endedState),
      'agent.state available after the end',
    );
    expect(free).toMatchObject({ status: 'online', availability: 'available' });
    const rated = await v.request({ type: 'call.rate', callId: call.id, rating: 5 });
    expect(rated.call.rating).toBe(5);

    const stored = await server.storage.getCall(call.id);
    expect(stored).toMatchObject({
      status: 'ended',
      endReason: 'visitor_hangup',
      rating: 5,
      pageUrl: 'https://shop.test/product/123',
      visitor: { name: 'Vera' },
    });
    expect(stored?.products.map((p) => p.sku)).toEqual(['HAT-1']);
    expect(stored?.durationSeconds).toBeGreaterThanOrEqual(1);
    for (const k of ['requestedAt', 'ringingAt', 'connectedAt', 'endedAt'] as const) {
      expect(stored?.[k]).toEqual(expect.any(String));
    }
    // the agent is free again
    expect((await v.next('presence.roster', (m) => m.agents.length === 1)).agents[0]?.id).toBe(
      ada.id,
    );
    expect(await server.storage.getAgentCurrentCall(ada.id)).toBeNull();
    v.close();
    console1.close();
  });

  it('lets the agent hang up a connected call', async () => {
    const fx = await seed(server.storage);
    const c = await agent(server, fx);
    const { ws: v } = await visitor(server, fx);
    const { call } = await request(v, must(fx.agents[0]).id);
    await c.next('call.incoming');
    await c.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    await c.request({ type: 'call.hangup', callId: call.id });
    expect((await v.next('call.state', (m) => m.call.status === 'ended')).call.endReason).toBe(
      'agent_hangup',
    );
    v.close();
    c.close();
  });

  it('rings every console of the agent; the first accept wins', async () => {
    const fx = await seed(server.storage);
    const tab1 = await agent(server, fx);
    const tab2 = await agent(server, fx);
    const { ws: v } = await visitor(server, fx);
    // two tabs are one agent
    expect((await v.request({ type: 'presence.subscribe' })).agents).toHaveLength(1);
    const { call } = await request(v, must(fx.agents[0]).id);
    await Promise.all([tab1.next('call.incoming'), tab2.next('call.incoming')]);
    await tab1.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    expect((await tab2.next('call.state', (m) => m.call.status === 'connected')).call.id).toBe(
      call.id,
    );
    await expect(tab2.request({ type: 'call.accept', callId: call.id })).rejects.toMatchObject({
      code: 'FLX_ERR_CALL_INVALID_TRANSITION',
    });
    // only the accepting console may signal
    await expect(
      tab2.request({
        type: 'call.signal',
        callId: call.id,
        signal: { kind: 'candidate', candidate: CANDIDATE },
      }),
    ).rejects.toMatchObject({ code: 'FLX_ERR_CALL_INVALID_TRANSITION' });
    await v.request({ type: 'call.hangup', callId: call.id });
    for (const s of [v, tab1, tab2]) s.close();
  });

  it('gives a console that connects while it rings the ring and the buffered candidates', async () => {
    const fx = await seed(server.storage);
    const tab1 = await agent(server, fx);
    const { ws: v } = await visitor(server, fx);
    const { call } = await request(v, must(fx.agents[0]).id);
    await v.request({
      type: 'call.signal',
      callId: call.id,
      signal: { kind: 'candidate', candidate: CANDIDATE },
    });
    const late = await agent(server, fx);
    expect((await late.next('call.incoming')).call.id).toBe(call.id);
    expect((await late.next('call.signal')).signal.kind).toBe('candidate');
    await late.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    await v.request({ type: 'call.hangup', callId: call.id });
    for (const s of [v, tab1, late]) s.close();
  });

  it('refuses messages about a call from someone who is not a party', async () => {
    const fx = await seed(server.storage, { agents: [{ name: 'A' }, { name: 'B' }] });
    const a = await agent(server, fx, 0);
    const b = await agent(server, fx, 1);
    const { ws: v } = await visitor(server, fx);
    const { ws: other } = await visitor(server, fx);
    const { call } = await request(v, must(fx.agents[0]).id);
    await expect(b.request({ type: 'call.accept', callId: call.id })).rejects.toMatchObject({
      code: 'FLX_ERR_CALL_NOT_PARTY',
    });
    await expect(other.request({ type: 'call.hangup', callId: call.id })).rejects.toMatchObject({
      code: 'FLX_ERR_CALL_NOT_PARTY',
    });
    await expect(other.request({ type: 'call.hangup', callId: 'nope' })).rejects.toMatchObject({
      code: 'FLX_ERR_CALL_NOT_FOUND',
    });
    await v.request({ type: 'call.hangup', callId: call.id });
    for (const s of [a, b, v, other]) s.close();
  });
});

describe('unanswered calls', () => {
  it('cancels when the visitor hangs up while it rings', async () => {
    const fx = await seed(server.storage);
    const c = await agent(server, fx);
    const { ws: v } = await visitor(server, fx);
    const { call } = await request(v, must(fx.agents[0]).id);
    await c.next('call.incoming');
    const r = await v.request({ type: 'call.hangup', callId: call.id });
    expect(r.call).toMatchObject({ status: 'ended', endReason: 'cancelled', connectedAt: null });
    expect((await c.next('call.state', (m) => m.call.status === 'ended')).call.endReason).toBe(
      'cancelled',
    );
    v.close();
    c.close();
  });

  it('on a decline offers available agents who share a tag, and can set the agent offline', async () => {
    const fx = await seed(server.storage, {
      agents: [
        { name: 'Ada', tags: ['hats', 'vip'] },
        { name: 'Bea', tags: ['hats'] },
        { name: 'Cy', tags: ['shoes'] },
        { name: 'Di', tags: ['vip'] },
      ],
    });
    const consoles = await Promise.all([0, 1, 2].map((i) => agent(server, fx, i)));
    const { ws: v } = await visitor(server, fx);
    const { call } = await request(v, must(fx.agents[0]).id);
    const c0 = must(consoles[0]);
    await c0.next('call.incoming');
    await c0.request({ type: 'call.decline', callId: call.id, goOffline: true });
    const ended = await v.next('call.state', (m) => m.call.status === 'ended');
    expect(ended.call.endReason).toBe('declined');
    // Di shares 'vip' but has no console; Cy has no shared tag
    expect(ended.alternatives?.map((a) => a.name)).toEqual(['Bea']);
    expect(await c0.next('agent.state', (m) => m.reason === 'declined_and_offline')).toMatchObject({
      status: 'offline',
      availability: 'offline',
    });
    expect((await server.storage.getUser(must(fx.agents[0]).id))?.status).toBe('offline');
    await expect(request(v, must(fx.agents[0]).id)).rejects.toMatchObject({
      code: 'FLX_ERR_AGENT_UNAVAILABLE',
    });
    for (const s of [v, ...consoles]) s.close();
  });

  it('ends as missed after the ring timeout and sets the agent offline after N misses in a row', async () => {
    const fx = await seed(server.storage, {
      agents: [
        { name: 'Ada', tags: ['hats'] },
        { name: 'Bea', tags: ['hats'] },
      ],
      settings: { ringTimeoutSeconds: 1, missesBeforeOffline: 2 },
    });
    const c = await agent(server, fx, 0);
    const other = await agent(server, fx, 1);
    const { ws: v } = await visitor(server, fx);
    const first = await request(v, must(fx.agents[0]).id);
    const missed = await v.next(
      'call.state',
      (m) => m.call.id === first.call.id && m.call.status === 'ended',
      4000,
    );
    expect(missed.call.endReason).toBe('missed');
    expect(missed.alternatives?.map((a) => a.name)).toEqual(['Bea']);
    expect((await server.storage.getUser(must(fx.agents[0]).id))?.status).toBe('online');

    const second = await request(v, must(fx.agents[0]).id);
    await v.next(
      'call.state',
      (m) => m.call.id === second.call.id && m.call.status === 'ended',
      4000,
    );
    const st = await c.next('agent.state', (m) => m.reason === 'missed_calls', 4000);
    expect(st).toMatchObject({ status: 'offline', availability: 'offline' });
    expect((await server.storage.getUser(must(fx.agents[0]).id))?.status).toBe('offline');
    for (const s of [v, c, other]) s.close();
  });

  it('a changed ring timeout applies to the very next call, though the channel was just read', async () => {
    const fx = await seed(server.storage);
    const ada = must(fx.agents[0]);
    const c = await agent(server, fx);
    const { ws: v } = await visitor(server, fx);
    // the first call reads the channel's settings (and keeps them for the next calls)
    const first = await request(v, ada.id);
    expect(await c.next('call.incoming')).toMatchObject({ ringTimeoutSeconds: 30 });
    await v.request({ type: 'call.hangup', callId: first.call.id });
    await changeSettings(server.app, server.storage, fx, { ringTimeoutSeconds: 7 });
    // at once, not once the cached copy has expired
    const second = await request(v, ada.id);
    const incoming = await c.next('call.incoming', (m) => m.call.id === second.call.id);
    expect(incoming.ringTimeoutSeconds).toBe(7);
    for (const s of [v, c]) s.close();
  });

  it('answers AGENT_UNAVAILABLE when the agent has no console and AGENT_NOT_FOUND for strangers', async () => {
    const fx = await seed(server.storage);
    const { ws: v } = await visitor(server, fx);
    await expect(request(v, must(fx.agents[0]).id)).rejects.toMatchObject({
      code: 'FLX_ERR_AGENT_UNAVAILABLE',
    });
    await expect(request(v, 'nobody')).rejects.toMatchObject({ code: 'FLX_ERR_AGENT_NOT_FOUND' });
    v.close();
  });

  it('gives exactly one of 50 concurrent requests for one agent the ring; the others get busy', async () => {
    const fx = await seed(server.storage);
    const c = await agent(server, fx);
    const visitors = await Promise.all(Array.from({ length: 50 }, () => visitor(server, fx)));
    const results = await Promise.allSettled(
      visitors.map(({ ws }) => request(ws, must(fx.agents[0]).id)),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const busy = results.filter(
      (r) =>
        r.status === 'rejected' && (r.reason as { code?: string }).code === 'FLX_ERR_AGENT_BUSY',
    );
    expect(ok).toHaveLength(1);
    expect(busy).toHaveLength(49);
    await c.next('call.incoming');
    const open = await server.storage.listOpenCalls(fx.channel.id);
    expect(open).toHaveLength(1);
    await sleep(100);
    expect(c.messages.filter((m) => m.type === 'call.incoming')).toHaveLength(1);
    for (const { ws } of visitors) ws.close();
    c.close();
  });
});

describe('callbacks and presence', () => {
  it('stores a callback request and tells the channel’s consoles', async () => {
    const fx = await seed(server.storage);
    const c = await agent(server, fx);
    const { ws: v } = await visitor(server, fx);
    const { callbackId } = await v.request({
      type: 'callback.request',
      name: 'Vera',
      contact: 'vera@x.test',
      note: 'About hats',
      pageUrl: 'https://shop.test/p/1',
    });
    expect((await c.next('callback.created')).callbackId).toBe(callbackId);
    const page = await server.storage.listCallbacks(fx.channel.id, { limit: 10 });
    expect(page.items[0]).toMatchObject({
      id: callbackId,
      name: 'Vera',
      note: 'About hats',
      status: 'open',
    });
    v.close();
    c.close();
  });

  it('pushes the roster when an agent connects, disconnects or changes status', async () => {
    const fx = await seed(server.storage);
    const { ws: v } = await visitor(server, fx);
    expect((await v.request({ type: 'presence.subscribe' })).agents).toEqual([]);
    const c = await agent(server, fx);
    await v.next('presence.roster', (m) => m.agents.length === 1, 1000);
    await server.storage.updateUser(must(fx.agents[0]).id, { status: 'offline' });
    server.app.ctx.presence.agentChanged(fx.channel.id, must(fx.agents[0]).id);
    await v.next('presence.roster', (m) => m.agents.length === 0, 1000);
    expect((await c.next('agent.state', (m) => m.status === 'offline')).availability).toBe(
      'offline',
    );
    await server.storage.updateUser(must(fx.agents[0]).id, { status: 'online' });
    server.app.ctx.presence.agentChanged(fx.channel.id, must(fx.agents[0]).id);
    await v.next('presence.roster', (m) => m.agents.length === 1, 1000);
    c.close();
    await v.next('presence.roster', (m) => m.agents.length === 0, 1000);
    expect(await server.app.ctx.presence.availableAgents(fx.channel.id)).toEqual([]);
    v.close();
  });
});

describe('media and liveness', () => {
  it('ends the call as failed when a party reports that the media failed', async () => {
    const fx = await seed(server.storage);
    const c = await agent(server, fx);
    const { ws: v } = await visitor(server, fx);
    const { call } = await request(v, must(fx.agents[0]).id);
    await c.next('call.incoming');
    await c.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    await v.request({
      type: 'call.media_state',
      callId: call.id,
      state: 'failed',
      detail: 'ice failed',
    });
    const ended = await c.next('call.state', (m) => m.call.status === 'ended');
    expect(ended.call).toMatchObject({ endReason: 'failed', endDetail: 'visitor: ice failed' });
    v.close();
    c.close();
  });

  it("keeps how long each side's link was weak in the call record, from the side that has the call", async () => {
    const fx = await seed(server.storage);
    const tab1 = await agent(server, fx);
    const tab2 = await agent(server, fx);
    const { ws: v } = await visitor(server, fx);
    const { call } = await request(v, must(fx.agents[0]).id);
    await tab1.next('call.incoming');
    // while it rings there is no link to judge: acknowledged, nothing kept
    await v.request({ type: 'call.quality', callId: call.id, quality: 'poor' });
    await tab1.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    await v.request({ type: 'call.quality', callId: call.id, quality: 'poor' });
    await tab1.request({ type: 'call.quality', callId: call.id, quality: 'poor' });
    // the agent's other tab does not have the call
    await expect(
      tab2.request({ type: 'call.quality', callId: call.id, quality: 'poor' }),
    ).rejects.toMatchObject({ code: 'FLX_ERR_CALL_NOT_PARTY' });
    await expect(
      v.request({ type: 'call.quality', callId: call.id, quality: 'bad' as 'poor' }),
    ).rejects.toMatchObject({ code: 'FLX_ERR_VALIDATION' });
    await sleep(1100);
    await v.request({ type: 'call.quality', callId: call.id, quality: 'good' });
    const mid = await server.storage.getCall(call.id);
    expect(mid?.weakSeconds.visitor).toBeGreaterThanOrEqual(1);
    await sleep(1100);
    // the agent's spell is still open when the call ends: it ends with the call
    const { call: ended } = await tab1.request({ type: 'call.hangup', callId: call.id });
    expect(ended.weakSeconds.visitor).toBe(mid?.weakSeconds.visitor);
    expect(ended.weakSeconds.agent).toBeGreaterThanOrEqual(2);
    expect(ended.weakSeconds.agent).toBeLessThanOrEqual(ended.durationSeconds ?? 0);
    // a late report about the ended call changes nothing
    await expect(
      v.request({ type: 'call.quality', callId: call.id, quality: 'poor' }),
    ).resolves.toBeUndefined();
    expect((await server.storage.getCall(call.id))?.weakSeconds).toEqual(ended.weakSeconds);
    v.close();
    tab1.close();
    tab2.close();
  });

  it('drops a console that stops answering pings, and presence follows', async () => {
    const fx = await seed(server.storage);
    const c = await agent(server, fx);
    const { ws: v } = await visitor(server, fx);
    expect((await v.request({ type: 'presence.subscribe' })).agents).toHaveLength(1);
    // the console's process hangs: it reads nothing, so it answers no ping
    silence(c);
    await v.next('presence.roster', (m) => m.agents.length === 0, 5000);
    v.close();
    c.ws.terminate();
  });
});

describe('with one call route cached per process', () => {
  const small = suiteServer({ realtime: { maxCachedRoutes: 1 } });

  it('goes on with a call whose route left the cache: it is read again from the bus', async () => {
    const fx = await seed(small.storage, { agents: [{ name: 'Ada' }, { name: 'Ben' }] });
    const [ada, ben] = [must(fx.agents[0]), must(fx.agents[1])];
    const [ca, cb] = [await agent(small, fx, 0), await agent(small, fx, 1)];
    const [{ ws: v1 }, { ws: v2 }] = [await visitor(small, fx), await visitor(small, fx)];
    const { call: c1 } = await request(v1, ada.id);
    await ca.next('call.incoming');
    const { call: c2 } = await request(v2, ben.id); // c1's route leaves the cache
    await cb.next('call.incoming');
    await ca.request({ type: 'call.accept', callId: c1.id, answer: ANSWER });
    expect((await v1.next('call.signal')).signal).toEqual({
      kind: 'description',
      description: ANSWER,
    });
    await v1.next('call.state', (m) => m.call.status === 'connected');
    await cb.request({ type: 'call.accept', callId: c2.id, answer: ANSWER }); // and again
    // the accepting console is known without the cached route
    await relayCandidate(v1, ca, c1.id);
    await ca.request({ type: 'call.chat', callId: c1.id, text: 'still here' });
    expect((await v1.next('call.chat')).text).toBe('still here');
    await v1.request({ type: 'call.hangup', callId: c1.id });
    const ended = await ca.next('call.state', (m) => m.call.status === 'ended');
    expect(ended.call.endReason).toBe('visitor_hangup');
    await v2.request({ type: 'call.hangup', callId: c2.id });
    expect((await cb.next('call.state', (m) => m.call.status === 'ended')).call.id).toBe(c2.id);
    for (const c of [ca, cb, v1, v2]) c.close();
  });
});

describe('reconnects', () => {
  it('resumes a session after a dropped socket and replays what it missed', async () => {
    const fx = await seed(server.storage);
    const c = await agent(server, fx);
    const { ws: v, sessionId } = await visitor(server, fx);
    const { call } = await request(v, must(fx.agents[0]).id);
    await c.next('call.incoming');
    await c.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    await v.next('call.state', (m) => m.call.status === 'connected');
    const lastSeq = Math.max(...v.messages.map((m) => m.seq));
    v.ws.terminate();
    await v.closed;
    await c.request({ type: 'call.chat', callId: call.id, text: 'are you there?' });

    const v2 = new WsTestClient(server.wsUrl, { origin: TEST_ORIGIN });
    const w = await v2.hello('visitor', {
      token: await fx.visitorToken(),
      resume: { sessionId, lastSeq },
    });
    expect(w).toMatchObject({ resumed: true, sessionId });
    expect(w.activeCall?.id).toBe(call.id);
    const chat = await v2.next('call.chat');
    expect(chat).toMatchObject({ text: 'are you there?', seq: lastSeq + 1 });
    // the call goes on
    await v2.request({ type: 'call.chat', callId: call.id, text: 'yes' });
    expect((await c.next('call.chat')).text).toBe('yes');
    await v2.request({ type: 'call.hangup', callId: call.id });
    v2.close();
    c.close();
  });

  it('sends a resumed subscriber the roster as it is now: roster pushes are not replayed', async () => {
    const fx = await seed(server.storage);
    const c = await agent(server, fx);
    const { ws: v, sessionId } = await visitor(server, fx);
    expect((await v.request({ type: 'presence.subscribe' })).agents).toHaveLength(1);
    const { ws: other } = await visitor(server, fx);
    expect((await other.request({ type: 'presence.subscribe' })).agents).toHaveLength(1);
    const lastSeq = Math.max(...v.messages.map((m) => m.seq));
    v.ws.terminate();
    await v.closed;
    // the only agent leaves while the visitor is away: the others are pushed an empty roster
    c.close();
    const push = await other.next('presence.roster', (m) => m.agents.length === 0);
    expect(push.seq).toBe(0);

    const v2 = new WsTestClient(server.wsUrl, { origin: TEST_ORIGIN });
    const w = await v2.hello('visitor', {
      token: await fx.visitorToken(),
      resume: { sessionId, lastSeq },
    });
    expect(w).toMatchObject({ resumed: true, sessionId });
    const snapshot = await v2.next('presence.roster');
    expect(snapshot).toMatchObject({ seq: 0, agents: [], open: true });
    // still subscribed: the agent's return is pushed
    const back = await agent(server, fx);
    await v2.next('presence.roster', (m) => m.agents.length === 1);
    expect(v2.messages.filter((m) => m.seq > lastSeq)).toEqual([]);
    v2.close();
    other.close();
    back.close();
  });

  it('starts a new session when the resume cannot be honoured', async () => {
    const fx = await seed(server.storage);
    const { ws: v, sessionId } = await visitor(server, fx);
    v.close();
    const v2 = new WsTestClient(server.wsUrl, { origin: TEST_ORIGIN });
    const w = await v2.hello('visitor', {
      token: await fx.visitorToken(),
      resume: { sessionId, lastSeq: 99 },
    });
    expect(w.resumed).toBe(false);
    expect(w.sessionId).not.toBe(sessionId);
    v2.close();
  });

  it('ends a connected call as lost when the visitor does not come back within the grace period', async () => {
    const fx = await seed(server.storage);
    const c = await agent(server, fx);
    const { ws: v } = await visitor(server, fx);
    const { call } = await request(v, must(fx.agents[0]).id);
    await c.next('call.incoming');
    await c.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    const goneAt = Date.now();
    v.ws.terminate();
    const ended = await c.next('call.state', (m) => m.call.status === 'ended', 6000);
    expect(ended.call).toMatchObject({ endReason: 'lost', endDetail: 'visitor_gone' });
    // ended when the visitor was last seen, not when the grace period ran out
    expect(Math.abs(Date.parse(ended.call.endedAt ?? '') - goneAt)).toBeLessThan(1000);
    c.close();
  });
});

describe('a visitor who says goodbye (close 1000 "bye")', () => {
  // a grace period far longer than any wait here: only the goodbye can end these calls
  /** While set, a reservation is answered only once this resolves (widens a race). */
  let holdReservation: Promise<void> | null = null;
  /** While set, writing a visitor's hang-up takes 300 ms (widens a race). */
  let slowHangups = false;
  const slow = suiteServer({
    storage: (databaseUrl) => {
      const storage = createStorage(databaseUrl);
      const reserve = storage.reserveAgentAndCreateCall.bind(storage);
      storage.reserveAgentAndCreateCall = async (input) => {
        const result = await reserve(input);
        if (holdReservation) await holdReservation;
        return result;
      };
      const transition = storage.transitionCall.bind(storage);
      storage.transitionCall = async (...args) => {
        if (slowHangups && args[3]?.reason === 'visitor_hangup') await sleep(300);
        return transition(...args);
      };
      return storage;
    },
    realtime: { graceMs: 60_000 },
  });

  it('ends the ringing call at once as cancelled, and the agent is free again', async () => {
    const fx = await seed(slow.storage);
    const ada = must(fx.agents[0]);
    const c = await agent(slow, fx);
    const { ws: v } = await visitor(slow, fx);
    const { call } = await request(v, ada.id);
    await c.next('call.incoming');
    v.ws.close(1000, 'bye');
    const ended = await c.next('call.state', (m) => m.call.status === 'ended');
    expect(ended.call).toMatchObject({
      id: call.id,
      endReason: 'cancelled',
      endDetail: 'visitor_gone',
    });
    expect(await slow.storage.getAgentCurrentCall(ada.id)).toBeNull();
    c.close();
  });

  it('leaves no call behind when it leaves while its request is being written', async () => {
    const fx = await seed(slow.storage);
    const ada = must(fx.agents[0]);
    const c = await agent(slow, fx);
    const { ws: v } = await visitor(slow, fx);
    let release = (): void => undefined;
    holdReservation = new Promise((r) => (release = r));
    const stored = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        void slow.storage.listOpenCalls(fx.channel.id).then((calls) => {
          if (calls.length > 0) {
            clearInterval(poll);
            resolve();
          }
        });
      }, 5);
    });
    v.send({
      type: 'call.request',
      reqId: 'r1',
      agentId: ada.id,
      productIds: [],
      pageUrl: 'https://shop.test/product/123',
      offer: OFFER,
    });
    // the reservation is written, the request not answered yet: now the visitor leaves
    await stored;
    v.ws.close(1000, 'bye');
    await v.closed;
    await sleep(50);
    holdReservation = null;
    release();
    await expect
      .poll(async () => (await slow.storage.listOpenCalls(fx.channel.id)).length, { timeout: 5000 })
      .toBe(0);
    expect(await slow.storage.getAgentCurrentCall(ada.id)).toBeNull();
    // a console that rang (the request may have been written first) heard that it ended
    const rang = c.messages.some((m) => m.type === 'call.incoming');
    if (rang) await c.next('call.state', (m) => m.call.status === 'ended');
    c.close();
  });

  it('ends a connected call as the visitor’s hang-up when the hang-up comes right before the goodbye', async () => {
    // what a closing page sends (pagehide): call.hangup, then close 1000 "bye", no waiting
    const fx = await seed(slow.storage);
    const ada = must(fx.agents[0]);
    const c = await agent(slow, fx);
    const { ws: v } = await visitor(slow, fx);
    const { call } = await request(v, ada.id);
    await c.next('call.incoming');
    await c.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    slowHangups = true;
    v.send({ type: 'call.hangup', reqId: 'bye-1', callId: call.id });
    v.ws.close(1000, 'bye');
    const ended = await c.next('call.state', (m) => m.call.status === 'ended');
    slowHangups = false;
    expect(ended.call).toMatchObject({ id: call.id, endReason: 'visitor_hangup', endDetail: null });
    expect(await slow.storage.getAgentCurrentCall(ada.id)).toBeNull();
    c.close();
  });

  it('keeps a session that dropped without a goodbye for the grace period', async () => {
    const fx = await seed(slow.storage);
    const ada = must(fx.agents[0]);
    const c = await agent(slow, fx);
    const { ws: v } = await visitor(slow, fx);
    const { call } = await request(v, ada.id);
    await c.next('call.incoming');
    v.ws.terminate();
    await sleep(1000);
    expect((await slow.storage.getCall(call.id))?.status).toBe('ringing');
    await c.request({ type: 'call.decline', callId: call.id });
    c.close();
  });
});

describe('a ring that does not reach the agent', () => {
  // a console has 2 s to answer the ring's ping (5 s by default); no heartbeat meanwhile
  const quick = suiteServer({
    realtime: { ringCheckMs: 2000, heartbeatMs: 60_000, graceMs: 30_000 },
  });
  // the heartbeat alone (1 s)
  const beating = suiteServer({ realtime: { ringCheckMs: 0 } });

  it('ends the call at once as missed when her only console does not answer, without counting it against her', async () => {
    const fx = await seed(quick.storage, {
      agents: [
        { name: 'Ada', tags: ['hats'] },
        { name: 'Bea', tags: ['hats'] },
      ],
      // a miss that counted would set her offline
      settings: { ringTimeoutSeconds: 30, missesBeforeOffline: 1 },
    });
    const c = await agent(quick, fx, 0);
    const other = await agent(quick, fx, 1);
    const { ws: v } = await visitor(quick, fx);
    expect((await v.request({ type: 'presence.subscribe' })).agents).toHaveLength(2);
    silence(c);
    const { call } = await request(v, must(fx.agents[0]).id);
    // long before the 30 s ring timeout
    const ended = await v.next(
      'call.state',
      (m) => m.call.id === call.id && m.call.status === 'ended',
      6000,
    );
    expect(ended.call).toMatchObject({ endReason: 'missed', endDetail: 'agent_unreachable' });
    expect(ended.alternatives?.map((a) => a.name)).toEqual(['Bea']);
    // she is no longer offered, and her status is untouched
    await v.next('presence.roster', (m) => m.agents.map((a) => a.name).join() === 'Bea', 5000);
    expect((await quick.storage.getUser(must(fx.agents[0]).id))?.status).toBe('online');
    expect((await quick.storage.getCall(call.id))?.endDetail).toBe('agent_unreachable');
    for (const s of [v, other]) s.close();
    c.ws.terminate();
  });

  it('keeps ringing on her console that answers while another one does not', async () => {
    const fx = await seed(quick.storage, { settings: { ringTimeoutSeconds: 30 } });
    const gone = await agent(quick, fx);
    const tab = await agent(quick, fx);
    const { ws: v } = await visitor(quick, fx);
    silence(gone);
    const { call } = await request(v, must(fx.agents[0]).id);
    await tab.next('call.incoming');
    // past the check: the answering console still has the call, and accepts it
    await sleep(2500);
    await tab.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    const connected = await v.next('call.state', (m) => m.call.status !== 'ringing', 5000);
    expect(connected.call.status).toBe('connected');
    await v.request({ type: 'call.hangup', callId: call.id });
    for (const s of [v, tab]) s.close();
    gone.ws.terminate();
  });

  it('tells her console when it comes back that the ring it missed is over', async () => {
    const fx = await seed(quick.storage, { settings: { ringTimeoutSeconds: 30 } });
    const c = await agent(quick, fx);
    const welcome = c.messages.find((m) => m.type === 'session.welcome');
    const { ws: v } = await visitor(quick, fx);
    const lastSeq = Math.max(0, ...c.messages.map((m) => m.seq));
    silence(c);
    const { call } = await request(v, must(fx.agents[0]).id);
    await v.next('call.state', (m) => m.call.status === 'ended', 6000);
    // the laptop is back: the console resumes its session and is replayed the ring, then told
    // that the call is over
    const back = new WsTestClient(quick.wsUrl, {
      origin: quick.httpUrl,
      cookie: fx.cookies[0] ?? '',
    });
    const w = await back.hello('agent', {
      resume: { sessionId: welcome?.type === 'session.welcome' ? welcome.sessionId : '', lastSeq },
    });
    expect(w.resumed).toBe(true);
    expect((await back.next('call.incoming')).call.id).toBe(call.id);
    const over = await back.next(
      'call.state',
      (m) => m.call.id === call.id && m.call.status === 'ended',
    );
    expect(over.call).toMatchObject({ status: 'ended', endDetail: 'agent_unreachable' });
    expect(back.messages.indexOf(over)).toBeGreaterThan(
      back.messages.findIndex((m) => m.type === 'call.incoming'),
    );
    for (const s of [v, back]) s.close();
    c.ws.terminate();
  });

  it('ends her ringing call too when the heartbeat drops her only console', async () => {
    const fx = await seed(beating.storage, { settings: { ringTimeoutSeconds: 30 } });
    const c = await agent(beating, fx);
    const { ws: v } = await visitor(beating, fx);
    const { call } = await request(v, must(fx.agents[0]).id);
    await c.next('call.incoming');
    silence(c);
    const ended = await v.next(
      'call.state',
      (m) => m.call.id === call.id && m.call.status === 'ended',
      6000,
    );
    expect(ended.call).toMatchObject({ endReason: 'missed', endDetail: 'agent_unreachable' });
    v.close();
    c.ws.terminate();
  });
});
