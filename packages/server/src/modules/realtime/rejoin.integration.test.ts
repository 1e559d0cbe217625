/**
 * A server restart with a call connected (one process, SQLite): the process's sessions and
 * call routes are gone, but the media between the browsers never went through it. Both
 * parties reconnect with new sessions and name the call (`session.hello` `rejoin`): they take
 * their sides of it, and signals, chat and the hang-up go on. Nobody else can take a side,
 * and a call its parties do not come back to ends lost once they had the grace period.
 */
import type { ServerMessageOf } from '@flux/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/databases.ts';
import {
  agent,
  ANSWER,
  FAST_OPTIONS,
  must,
  OFFER,
  relayCandidate,
  seed,
  sleep,
  startServer,
  TEST_ORIGIN,
  visitor,
  type Fixture,
  type TestServer,
} from './testing/harness.ts';
import { RequestError, WsTestClient } from './testing/WsTestClient.ts';

/** Longer than the grace period and a sweep: a call nobody looks after would be ended. */
const PAST_GRACE_MS = must(FAST_OPTIONS.graceMs) + 2 * must(FAST_OPTIONS.sweepMs) + 500;

describe('a restart of the only server process with a call connected', () => {
  let db: TestDatabase;
  let server: TestServer | null = null;

  beforeEach(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterEach(async () => {
    await server?.close();
    server = null;
    await db.drop();
  });

  /** A connected call of the seeded channel's first agent, then the server restarted. */
  async function connectedThenRestarted() {
    server = await startServer({ databaseUrl: db.url });
    const fx = await seed(server.storage, { agents: [{ name: 'Ada' }, { name: 'Bo' }] });
    const { ws: v, sessionId: visitorSession } = await visitor(server, fx);
    const c = await agent(server, fx);
    const { call, rejoinToken } = await v.request({
      type: 'call.request',
      agentId: must(fx.agents[0]).id,
      productIds: ['HAT-1'],
      pageUrl: 'https://shop.test/hats',
      offer: OFFER,
    });
    await c.next('call.incoming');
    await c.request({ type: 'call.accept', callId: call.id, answer: ANSWER });
    await v.next('call.state', (m) => m.call.status === 'connected');
    const lastSeq = Math.max(...v.messages.map((m) => m.seq));
    // the call goes on for a while before the server stops
    await sleep(300);
    const stoppingAt = Date.now();
    await server.close();
    expect((await v.closed).code).toBe(4050);
    expect((await c.closed).code).toBe(4050);
    server = await startServer({ databaseUrl: db.url });
    return { fx, callId: call.id, rejoinToken, visitorSession, lastSeq, server, stoppingAt };
  }

  function newVisitor(s: TestServer): WsTestClient {
    return new WsTestClient(s.wsUrl, { origin: TEST_ORIGIN });
  }
  function newConsole(s: TestServer, fx: Fixture, i = 0): WsTestClient {
    return new WsTestClient(s.wsUrl, { origin: s.httpUrl, cookie: must(fx.cookies[i]) });
  }

  it('both parties rejoin with new sessions: signals, chat and the hang-up go on', async () => {
    const { fx, callId, rejoinToken, visitorSession, lastSeq, server } =
      await connectedThenRestarted();
    const v = newVisitor(server);
    const vw = await v.hello('visitor', {
      token: await fx.visitorToken(),
      resume: { sessionId: visitorSession, lastSeq },
      rejoin: { callId, token: rejoinToken },
    });
    expect(vw.resumed).toBe(false);
    expect(vw.activeCall).toMatchObject({ id: callId, status: 'connected' });
    const c = newConsole(server, fx);
    const cw = await c.hello('agent', { rejoin: { callId } });
    expect(cw.activeCall).toMatchObject({ id: callId, status: 'connected' });

    // signals and chat reach the other side's new session, both ways
    await relayCandidate(v, c, callId);
    await c.request({ type: 'call.chat', callId, text: 'still there?' });
    expect((await v.next('call.chat')).text).toBe('still there?');
    await v.request({ type: 'call.chat', callId, text: 'yes' });
    expect((await c.next('call.chat')).text).toBe('yes');

    // the sweeper, which ends calls nobody looks after, leaves it alone past the grace period
    await sleep(PAST_GRACE_MS);
    expect((await server.storage.getCall(callId))?.status).toBe('connected');

    await c.request({ type: 'call.hangup', callId });
    const ended = await v.next('call.state', (m) => m.call.status === 'ended');
    expect(ended.call).toMatchObject({ endReason: 'agent_hangup' });
    expect(await server.storage.getAgentCurrentCall(must(fx.agents[0]).id)).toBeNull();
    v.close();
    c.close();
  });

  it('nobody else takes a side: a wrong or missing token, another agent, a call not connected', async () => {
    const { fx, callId, rejoinToken, server } = await connectedThenRestarted();
    const forged = (rejoinToken.startsWith('A') ? 'B' : 'A') + rejoinToken.slice(1);
    for (const rejoin of [{ callId }, { callId, token: forged }]) {
      const w = await newVisitor(server).hello('visitor', {
        token: await fx.visitorToken(),
        rejoin,
      });
      expect(w.activeCall).toBeNull();
    }
    const stranger = newVisitor(server);
    await stranger.hello('visitor', {
      token: await fx.visitorToken(),
      rejoin: { callId, token: forged },
    });
    await expect(stranger.request({ type: 'call.chat', callId, text: 'hello?' })).rejects.toThrow(
      RequestError,
    );
    // the channel's other agent
    const other = newConsole(server, fx, 1);
    expect((await other.hello('agent', { rejoin: { callId } })).activeCall).toBeNull();
    await expect(other.request({ type: 'call.hangup', callId })).rejects.toMatchObject({
      code: 'FLX_ERR_CALL_NOT_PARTY',
    });
    // a token of one call does not open another
    const v = newVisitor(server);
    const w = await v.hello('visitor', {
      token: await fx.visitorToken(),
      rejoin: { callId: 'c_not_a_call', token: rejoinToken },
    });
    expect(w.activeCall).toBeNull();
    expect((await server.storage.getCall(callId))?.status).toBe('connected');
    stranger.close();
    other.close();
    v.close();
  });

  it('a call whose visitor does not come back ends lost after the grace period', async () => {
    const { fx, callId, server } = await connectedThenRestarted();
    const c = newConsole(server, fx);
    expect((await c.hello('agent', { rejoin: { callId } })).activeCall?.id).toBe(callId);
    const ended: ServerMessageOf<'call.state'> = await c.next(
      'call.state',
      (m) => m.call.status === 'ended',
      PAST_GRACE_MS + 2000,
    );
    expect(ended.call).toMatchObject({ endReason: 'lost' });
    expect(await server.storage.getAgentCurrentCall(must(fx.agents[0]).id)).toBeNull();
    c.close();
  });

  it('a call nobody comes back to ends lost after the grace period, dated when the server stopped', async () => {
    const { callId, server, stoppingAt } = await connectedThenRestarted();
    const restartedAt = Date.now();
    // not at the start (as before calls could be rejoined), but once the grace period is over
    expect((await server.storage.getCall(callId))?.status).toBe('connected');
    await expect
      .poll(async () => (await server.storage.getCall(callId))?.status, { timeout: 10_000 })
      .toBe('ended');
    expect(await server.storage.getCall(callId)).toMatchObject({
      status: 'ended',
      endReason: 'lost',
      endDetail: 'server_restarted',
    });
    // not at its connect time (a call of no length in the call log): the stopping process
    // noted when it stopped, and the call went on at least until then
    const ended = must(await server.storage.getCall(callId));
    const endedAt = Date.parse(must(ended.endedAt));
    expect(endedAt).toBeGreaterThanOrEqual(stoppingAt);
    expect(endedAt).toBeLessThanOrEqual(restartedAt);
    expect(endedAt - Date.parse(must(ended.connectedAt))).toBeGreaterThanOrEqual(300);
  });
});
