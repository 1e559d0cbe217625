/**
 * Several server processes sharing one PostgreSQL database and one Redis (unique key prefix
 * per test run): signaling, presence and routing across processes, the reservation race
 * across processes, ring timeouts that fire once, and a process that dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION, WS_PATH } from '@flux/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBus } from '../../bus/RedisBus.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/databases.ts';
import { createStorage } from '../../storage/createStorage.ts';
import type { Storage } from '../../storage/Storage.ts';
import {
  agent,
  ANSWER,
  CANDIDATE,
  changeSettings,
  FAST_OPTIONS,
  must,
  OFFER,
  relayCandidate,
  seed,
  silence,
  startServer,
  TEST_ORIGIN,
  visitor,
  type Fixture,
  type TestServer,
} from './testing/harness.ts';
import { multiProcessSkipReason, TEST_REDIS_URL } from './testing/services.ts';
import { WsTestClient } from './testing/WsTestClient.ts';

const skip = await multiProcessSkipReason('multi-process realtime tests');

describe.skipIf(skip !== null)('two processes sharing PostgreSQL and Redis', () => {
  let db: TestDatabase;
  let storage: Storage;
  let a: TestServer;
  let b: TestServer;
  const prefix = `flux-test-${randomBytes(4).toString('hex')}:`;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    storage = createStorage(db.url);
    await storage.migrate();
    const realtime = { redisPrefix: prefix };
    a = await startServer({ databaseUrl: db.url, redisUrl: TEST_REDIS_URL, realtime });
    b = await startServer({ databaseUrl: db.url, redisUrl: TEST_REDIS_URL, realtime });
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await a.close();
    await b.close();
    await storage.close();
    const bus = await RedisBus.connect({ url: TEST_REDIS_URL, prefix });
    await bus.flushPrefix();
    await bus.close();
    await db.drop();
  });

  function request(ws: WsTestClient, agentId: string) {
    return ws.request({
      type: 'call.request',
      agentId,
      productIds: ['HAT-1'],
      pageUrl: 'https://shop.test/',
      offer: OFFER,
    });
  }

  it('serves a visitor on one process and the agent on the other through a whole call', async () => {
    const fx = await seed(storage, { agents: [{ name: 'Ada', tags: ['hats'] }] });
    const { ws: v } = await visitor(a, fx);
    const roster = await v.request({ type: 'presence.subscribe' });
    expect(roster.agents).toEqual([]);
    const c = await agent(b, fx);
    // presence counts the console on the other process
    await v.next('presence.roster', (m) => m.agents.length === 1, 2000);

    const { call } = await request(v, must(fx.agents[0]).id);
    const incoming = await c.next('call.incoming');
    expect(incoming).toMatchObject({ offer: OFFER, call: { id: call.id } });
    await v.next('call.state', (m) => m.call.status === 'ringing');
    await v.next('presence.roster', (m) => m.agents.length === 0, 2000);
    // the route every process reads carries the offer while it rings
    const bus = await RedisBus.connect({ url: TEST_REDIS_URL, prefix });
    const routeOffer = async (): Promise<unknown> =>
      (JSON.parse((await bus.get(`call:${call.id}`)) ?? '{}') as { offer?: unknown }).offer;
    expect(await routeOffer()).toBe(OFFER.sdp);

    await relayCandidate(v, c, call.id);
    await c.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    expect((await v.next('call.signal')).signal).toEqual({
      kind: 'description',
      description: ANSWER,
    });
    await v.next('call.state', (m) => m.call.status === 'connected');
    await c.request({
      type: 'call.signal',
      callId: call.id,
      signal: { kind: 'candidate', candidate: CANDIDATE },
    });
    expect((await v.next('call.signal', (m) => m.signal.kind === 'candidate')).from).toBe('agent');

    const hat2 = must((await storage.resolveProducts(fx.channel.id, ['HAT-2'])).products[0]);
    await c.request({ type: 'call.product_add', callId: call.id, productId: hat2.id });
    expect((await v.next('call.products')).products.map((p) => p.sku)).toEqual(['HAT-1', 'HAT-2']);
    await v.request({ type: 'call.chat', callId: call.id, text: 'hi from A' });
    expect((await c.next('call.chat')).text).toBe('hi from A');
    await v.request({ type: 'call.hangup', callId: call.id });
    expect((await c.next('call.state', (m) => m.call.status === 'ended')).call.endReason).toBe(
      'visitor_hangup',
    );
    // ended: the route stays (for the rating) without the offer's SDP
    for (let i = 0; (await routeOffer()) !== null; i++) {
      if (i > 100) throw new Error('the ended call kept its offer');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await v.request({ type: 'call.rate', callId: call.id, rating: 4 })).call.rating).toBe(
      4,
    );
    await bus.close();
    await v.next('presence.roster', (m) => m.agents.length === 1, 2000);
    // callbacks reach consoles on the other process
    const { callbackId } = await v.request({
      type: 'callback.request',
      name: 'Vera',
      contact: 'v@x.test',
    });
    expect((await c.next('callback.created')).callbackId).toBe(callbackId);
    v.close();
    c.close();
  });

  it('gives exactly one of 50 concurrent requests across both processes the ring', async () => {
    const fx = await seed(storage);
    const c = await agent(a, fx);
    const visitors = await Promise.all(
      Array.from({ length: 50 }, (_, i) => visitor(i % 2 === 0 ? a : b, fx)),
    );
    const results = await Promise.allSettled(
      visitors.map(({ ws }) => request(ws, must(fx.agents[0]).id)),
    );
    const codes = results.map((r) =>
      r.status === 'fulfilled' ? 'ok' : (r.reason as { code: string }).code,
    );
    expect(codes.filter((x) => x === 'ok')).toHaveLength(1);
    expect(codes.filter((x) => x === 'FLX_ERR_AGENT_BUSY')).toHaveLength(49);
    expect(await storage.listOpenCalls(fx.channel.id)).toHaveLength(1);
    for (const { ws } of visitors) ws.close();
    c.close();
  });

  it('fires a ring timeout once although consoles on both processes ring', async () => {
    const fx = await seed(storage, { settings: { ringTimeoutSeconds: 1, missesBeforeOffline: 2 } });
    const ca = await agent(a, fx);
    const cb = await agent(b, fx);
    const { ws: v } = await visitor(b, fx);
    const { call } = await request(v, must(fx.agents[0]).id);
    await Promise.all([ca.next('call.incoming'), cb.next('call.incoming')]);
    const ended = await v.next('call.state', (m) => m.call.status === 'ended', 4000);
    expect(ended.call.endReason).toBe('missed');
    await new Promise((r) => setTimeout(r, 700));
    expect(
      v.messages.filter((m) => m.type === 'call.state' && m.call.status === 'ended'),
    ).toHaveLength(1);
    // one miss counted, not two: the agent stays online
    expect((await storage.getUser(must(fx.agents[0]).id))?.status).toBe('online');
    expect((await storage.getCall(call.id))?.endReason).toBe('missed');
    for (const s of [v, ca, cb]) s.close();
  });

  it('a settings change on one process reaches the calls of the other before its cached copy expires', async () => {
    const fx = await seed(storage);
    const ada = must(fx.agents[0]);
    const c = await agent(b, fx);
    const { ws: v } = await visitor(b, fx);
    const ringFor = async (): Promise<number> => {
      const { call } = await request(v, ada.id);
      const incoming = await c.next('call.incoming', (m) => m.call.id === call.id);
      await v.request({ type: 'call.hangup', callId: call.id });
      return incoming.ringTimeoutSeconds;
    };
    // process b reads the channel for this call and keeps it (2 s, then served stale while it reloads)
    expect(await ringFor()).toBe(30);
    const changedAt = Date.now();
    await changeSettings(a.app, storage, fx, { ringTimeoutSeconds: 7 });
    // the change travels through Redis: the next calls on b see it, well before b's copy expires
    let seen = await ringFor();
    while (seen !== 7 && Date.now() - changedAt < 1500) {
      await new Promise((r) => setTimeout(r, 50)); // within the socket's message rate
      seen = await ringFor();
    }
    expect(seen).toBe(7);
    expect(Date.now() - changedAt).toBeLessThan(2000);
    for (const s of [v, c]) s.close();
  });

  it('does not end a call accepted on the other process when the ring timer fires', async () => {
    const fx = await seed(storage, { settings: { ringTimeoutSeconds: 1 } });
    const c = await agent(a, fx);
    const { ws: v } = await visitor(b, fx);
    const { call } = await request(v, must(fx.agents[0]).id);
    await c.next('call.incoming');
    // process b has moved the call to ringing and started its ring timer
    await v.next('call.state', (m) => m.call.status === 'ringing');
    await c.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    await new Promise((r) => setTimeout(r, 1600)); // past the ring timeout on process b
    expect((await storage.getCall(call.id))?.status).toBe('connected');
    expect(v.messages.some((m) => m.type === 'call.state' && m.call.status === 'ended')).toBe(
      false,
    );
    await v.request({ type: 'call.hangup', callId: call.id });
    expect((await storage.getCall(call.id))?.endReason).toBe('visitor_hangup');
    v.close();
    c.close();
  });

  it("ends the ring at once when the agent's only console, on the other process, stops answering", async () => {
    const fx = await seed(storage, { settings: { ringTimeoutSeconds: 30 } });
    const c = await agent(b, fx);
    const { ws: v } = await visitor(a, fx);
    silence(c);
    const { call } = await request(v, must(fx.agents[0]).id);
    const ended = await v.next('call.state', (m) => m.call.status === 'ended', 6000);
    expect(ended.call).toMatchObject({ endReason: 'missed', endDetail: 'agent_unreachable' });
    expect((await storage.getCall(call.id))?.endDetail).toBe('agent_unreachable');
    v.close();
    c.ws.terminate();
  });

  it('keeps ringing while a console of the agent on the other process still answers', async () => {
    const fx = await seed(storage, { settings: { ringTimeoutSeconds: 30 } });
    const alive = await agent(a, fx);
    const gone = await agent(b, fx);
    const { ws: v } = await visitor(a, fx);
    silence(gone);
    const { call } = await request(v, must(fx.agents[0]).id);
    await alive.next('call.incoming');
    // the heartbeat drops the silent console (on its second beat, 1 s apart)
    const bus = await RedisBus.connect({ url: TEST_REDIS_URL, prefix });
    const ada = must(fx.agents[0]).id;
    for (let i = 0; i < 60 && (await bus.consoleCounts([ada])).get(ada) !== 1; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await bus.consoleCounts([ada])).get(ada)).toBe(1);
    await bus.close();
    // whatever ends an unreachable ring has run by now: the call still rings
    await new Promise((r) => setTimeout(r, 300));
    expect(v.messages.some((m) => m.type === 'call.state' && m.call.status === 'ended')).toBe(
      false,
    );
    await alive.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    expect((await storage.getCall(call.id))?.status).toBe('connected');
    await v.request({ type: 'call.hangup', callId: call.id });
    v.close();
    alive.close();
    gone.ws.terminate();
  });

  it('a party whose process stops rejoins the call on another one, and the call goes on', async () => {
    const fx: Fixture = await seed(storage);
    // process C holds the visitor, then stops (a deploy); B holds the console
    const c3 = await startServer({
      databaseUrl: db.url,
      redisUrl: TEST_REDIS_URL,
      realtime: { redisPrefix: prefix },
    });
    const { ws: v, sessionId } = await visitor(c3, fx);
    const c = await agent(b, fx);
    const { call, rejoinToken } = await request(v, must(fx.agents[0]).id);
    await c.next('call.incoming');
    await c.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    await v.next('call.state', (m) => m.call.status === 'connected');
    await c3.close();
    expect((await v.closed).code).toBe(4050);
    // the visitor reconnects to A: its session was on C, so it cannot resume, and rejoins
    const v2 = new WsTestClient(a.wsUrl, { origin: TEST_ORIGIN });
    const w = await v2.hello('visitor', {
      token: await fx.visitorToken(),
      resume: { sessionId, lastSeq: 1 },
      rejoin: { callId: call.id, token: rejoinToken },
    });
    expect(w).toMatchObject({ resumed: false, activeCall: { id: call.id, status: 'connected' } });
    await v2.request({
      type: 'call.signal',
      callId: call.id,
      signal: { kind: 'candidate', candidate: CANDIDATE },
    });
    expect((await c.next('call.signal')).from).toBe('visitor');
    // B had the route cached with the old session: the answer reaches the new one
    await c.request({ type: 'call.chat', callId: call.id, text: 'back?' });
    expect((await v2.next('call.chat')).text).toBe('back?');
    // C's heartbeats stopped, but no sweeper ends the call: its visitor is on A now
    await new Promise((r) => setTimeout(r, must(FAST_OPTIONS.graceMs) + 2000));
    expect((await storage.getCall(call.id))?.status).toBe('connected');
    await v2.request({ type: 'call.hangup', callId: call.id });
    expect((await c.next('call.state', (m) => m.call.status === 'ended')).call.endReason).toBe(
      'visitor_hangup',
    );
    v2.close();
    c.close();
  });

  it('ends the calls of a process that dies as lost, at the time it was last seen', async () => {
    const fx: Fixture = await seed(storage);
    // process C: a real child process we can kill
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./testing/serverProcess.ts', import.meta.url))],
      {
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          REDIS_URL: TEST_REDIS_URL,
          PUBLIC_URL: 'http://127.0.0.1:1',
          FLUX_WS_OPTIONS: JSON.stringify({ ...FAST_OPTIONS, redisPrefix: prefix }),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    const port = await new Promise<number>((resolve, reject) => {
      const rl = createInterface({ input: must(child.stdout) });
      rl.once('line', (line) => {
        resolve((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code) => {
        reject(new Error(`server process exited (${String(code)})`));
      });
    });
    const v = new WsTestClient(`ws://127.0.0.1:${port}${WS_PATH}`, { origin: TEST_ORIGIN });
    await v.open();
    v.send({
      type: 'session.hello',
      protocolVersion: PROTOCOL_VERSION,
      role: 'visitor',
      token: await fx.visitorToken(),
    });
    await v.next('session.welcome');
    const c = await agent(a, fx);
    const { call } = await request(v, must(fx.agents[0]).id);
    await c.next('call.incoming');
    await c.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    await v.next('call.state', (m) => m.call.status === 'connected');

    const killedAt = Date.now();
    child.kill('SIGKILL');
    await v.closed;
    const ended = await c.next('call.state', (m) => m.call.status === 'ended', 10_000);
    expect(ended.call).toMatchObject({ endReason: 'lost', endDetail: 'server_gone' });
    const endedAt = Date.parse(must(ended.call.endedAt));
    // the dead process's last heartbeat, not the time the sweeper noticed
    expect(endedAt).toBeLessThanOrEqual(killedAt + 100);
    expect(killedAt - endedAt).toBeLessThan(3000);
    expect(await storage.getAgentCurrentCall(must(fx.agents[0]).id)).toBeNull();
    c.close();
  });
});
