import { FluxError, PROTOCOL_VERSION } from '@flux/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DefaultReconnectPolicy } from './ReconnectPolicy.ts';
import { SIGNALING_TRANSITIONS, SignalingClient } from './SignalingClient.ts';
import { FakeWebSocket } from './testing/FakeWebSocket.ts';
import type { SignalingState, StateChange } from './types.ts';

const welcome = (sessionId = 'n1.s1', resumed = false) => ({
  type: 'session.welcome' as const,
  sessionId,
  protocolVersion: PROTOCOL_VERSION,
  heartbeatMs: 10_000,
  iceServers: [],
  resumed,
  activeCall: null,
});

function client(extra: Partial<ConstructorParameters<typeof SignalingClient>[0]> = {}) {
  return new SignalingClient({
    url: 'ws://x/api/v1/ws',
    role: 'visitor',
    getToken: () => 'tok',
    WebSocketImpl: FakeWebSocket,
    reconnectPolicy: new DefaultReconnectPolicy({ random: () => 0.5 }),
    ...extra,
  });
}

async function connected(c: SignalingClient, sessionId = 'n1.s1'): Promise<FakeWebSocket> {
  const p = c.connect();
  await vi.advanceTimersByTimeAsync(0);
  const ws = FakeWebSocket.last;
  ws.serverSend(welcome(sessionId));
  await p;
  return ws;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SignalingClient', () => {
  it('says hello with its role, version and token, and resolves connect() with the welcome', async () => {
    const c = client();
    const states: SignalingState[] = [];
    c.on('stateChanged', ({ to }) => states.push(to));
    const p = c.connect();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.last;
    expect(ws.sent[0]).toEqual({
      type: 'session.hello',
      protocolVersion: PROTOCOL_VERSION,
      role: 'visitor',
      token: 'tok',
    });
    ws.serverSend(welcome());
    await expect(p).resolves.toMatchObject({ sessionId: 'n1.s1' });
    expect(states).toEqual(['connecting', 'connected']);
    expect(c.sessionId).toBe('n1.s1');
  });

  it('resolves a request with its ack data and rejects with the error code', async () => {
    const c = client();
    const ws = await connected(c);
    const r = c.request({ type: 'presence.subscribe' });
    const sent = ws.lastSent('presence.subscribe');
    expect(sent?.reqId).toEqual(expect.any(String));
    ws.ack(sent?.reqId, { agents: [], open: true });
    await expect(r).resolves.toEqual({ agents: [], open: true });

    const r2 = c.request({ type: 'call.hangup', callId: 'c1' });
    ws.serverSend({
      type: 'error',
      reqId: String(ws.lastSent('call.hangup')?.reqId),
      code: 'FLX_ERR_CALL_NOT_FOUND',
      message: 'no',
    });
    await expect(r2).rejects.toBeInstanceOf(FluxError);
    await expect(r2).rejects.toMatchObject({ code: 'FLX_ERR_CALL_NOT_FOUND' });
  });

  it('rejects a request that gets no answer in time', async () => {
    const c = client({ requestTimeoutMs: 1000 });
    await connected(c);
    const r = c.request({ type: 'presence.subscribe' });
    const check = expect(r).rejects.toMatchObject({ code: 'FLX_ERR_SDK_NETWORK' });
    await vi.advanceTimersByTimeAsync(1001);
    await check;
  });

  it('emits server pushes by type once, dropping replayed duplicates', async () => {
    const c = client();
    const ws = await connected(c);
    const seen: number[] = [];
    c.on('callback.created', (m) => seen.push(m.seq));
    ws.serverSend({ type: 'callback.created', callbackId: 'a', seq: 1 });
    ws.serverSend({ type: 'callback.created', callbackId: 'a', seq: 1 });
    ws.serverSend({ type: 'callback.created', callbackId: 'b', seq: 2 });
    expect(seen).toEqual([1, 2]);
  });

  it('isolates a throwing listener and reports it', async () => {
    const c = client();
    const ws = await connected(c);
    const errors: unknown[] = [];
    const after = vi.fn();
    c.on('listenerError', ({ error }) => errors.push(error));
    c.on('callback.created', () => {
      throw new Error('boom');
    });
    c.on('callback.created', after);
    ws.serverSend({ type: 'callback.created', callbackId: 'a' });
    expect(after).toHaveBeenCalledOnce();
    expect(errors).toHaveLength(1);
  });

  it('reconnects with backoff, resumes the session and re-sends unanswered requests', async () => {
    const c = client();
    const ws = await connected(c);
    ws.serverSend({ type: 'callback.created', callbackId: 'a' }); // seq 1
    const pending = c.request({ type: 'call.chat', callId: 'c1', text: 'hi' });
    const reqId = ws.lastSent('call.chat')?.reqId;
    const changes: StateChange<SignalingState>[] = [];
    c.on('stateChanged', (s) => changes.push(s));
    ws.serverClose(1006);
    expect(c.state).toBe('reconnecting');
    const queued = c.request({ type: 'presence.subscribe' }); // made while reconnecting
    await vi.advanceTimersByTimeAsync(300);
    const ws2 = FakeWebSocket.last;
    expect(ws2).not.toBe(ws);
    expect(ws2.sent[0]).toMatchObject({
      type: 'session.hello',
      resume: { sessionId: 'n1.s1', lastSeq: 1 },
    });
    ws2.continueSeq(1);
    ws2.serverSend(welcome('n1.s1', true));
    expect(c.state).toBe('connected');
    expect(ws2.lastSent('call.chat')?.reqId).toBe(reqId);
    ws2.ack(reqId, { at: 'now' });
    ws2.ack(ws2.lastSent('presence.subscribe')?.reqId, { agents: [], open: false });
    await expect(pending).resolves.toEqual({ at: 'now' });
    await expect(queued).resolves.toEqual({ agents: [], open: false });
    expect(changes.map((s) => s.to)).toEqual(['reconnecting', 'connected']);
  });

  it('rejects requests that were in flight when the session could not be resumed', async () => {
    const c = client();
    const ws = await connected(c);
    const inFlight = c.request({ type: 'call.chat', callId: 'c1', text: 'hi' });
    ws.serverClose(1006);
    const queued = c.request({ type: 'presence.subscribe' });
    await vi.advanceTimersByTimeAsync(300);
    const ws2 = FakeWebSocket.last;
    ws2.serverSend(welcome('n1.other', false));
    await expect(inFlight).rejects.toMatchObject({ code: 'FLX_ERR_SDK_NETWORK' });
    expect(ws2.lastSent('call.chat')).toBeUndefined();
    ws2.ack(ws2.lastSent('presence.subscribe')?.reqId, { agents: [], open: true });
    await expect(queued).resolves.toMatchObject({ open: true });
    expect(c.sessionId).toBe('n1.other');
  });

  it.each([
    [4001, 'FLX_ERR_AUTH_TOKEN_EXPIRED', 'FLX_ERR_AUTH_TOKEN_EXPIRED'],
    [4001, '', 'FLX_ERR_AUTH_TOKEN_INVALID'],
    [4003, 'FLX_ERR_ORIGIN_NOT_ALLOWED', 'FLX_ERR_ORIGIN_NOT_ALLOWED'],
    [4026, 'FLX_ERR_PROTOCOL_VERSION', 'FLX_ERR_PROTOCOL_VERSION'],
  ])('stops for good after close code %i (%s)', async (code, reason, expected) => {
    const c = client();
    const p = c.connect();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.last.serverClose(code, reason);
    await expect(p).rejects.toMatchObject({ code: expected });
    expect(c.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('keeps retrying in the background when the first attempt fails on the network', async () => {
    const c = client();
    const p = c.connect();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.last.serverClose(1006);
    await expect(p).rejects.toMatchObject({ code: 'FLX_ERR_SDK_NETWORK' });
    expect(c.state).toBe('reconnecting');
    const welcomed = vi.fn();
    c.on('welcome', welcomed);
    await vi.advanceTimersByTimeAsync(300);
    FakeWebSocket.last.serverSend(welcome());
    expect(c.state).toBe('connected');
    expect(welcomed).toHaveBeenCalledOnce();
  });

  it('gives up when the policy says so', async () => {
    const c = client({
      reconnectPolicy: { nextRetryDelayInMs: ({ retryCount }) => (retryCount < 2 ? 100 : null) },
    });
    await connected(c);
    const pending = c.request({ type: 'presence.subscribe' });
    FakeWebSocket.last.serverClose(1006);
    for (let i = 0; i < 2; i++) {
      await vi.advanceTimersByTimeAsync(100);
      FakeWebSocket.last.serverClose(1006);
    }
    expect(c.state).toBe('closed');
    await expect(pending).rejects.toMatchObject({ code: 'FLX_ERR_SDK_NETWORK' });
    expect(FakeWebSocket.instances).toHaveLength(3);
  });

  it('pings on the heartbeat and drops a silent connection when the ping gets no answer', async () => {
    const c = client();
    const ws = await connected(c);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ws.lastSent('session.ping')).toBeDefined();
    // 10 s for an answer (the heartbeat here is 10 s): nothing at all comes back
    await vi.advanceTimersByTimeAsync(9_999);
    expect(c.state).toBe('connected');
    await vi.advanceTimersByTimeAsync(1);
    expect(c.state).toBe('reconnecting');
    expect(ws.readyState).toBe(3);
  });

  it('holds back no quicker check once the heartbeat ping is answered', async () => {
    const c = client();
    const ws = await connected(c);
    await vi.advanceTimersByTimeAsync(10_000); // the heartbeat's ping, a 10 s check
    ws.serverSend({ type: 'session.pong' });
    await vi.advanceTimersByTimeAsync(1_000);
    // the network changes; a call's media goes down and checks the socket with 3 s
    c.checkConnection(3000);
    expect(ws.sent.filter((m) => m.type === 'session.ping')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(3000);
    expect(c.state).toBe('reconnecting');
  });

  it('ends a heartbeat check sooner when a quicker one comes while its ping is out', async () => {
    const c = client();
    const ws = await connected(c);
    await vi.advanceTimersByTimeAsync(10_000); // the heartbeat's ping, a 10 s check
    await vi.advanceTimersByTimeAsync(1_000);
    // nothing came back; a call's media goes down and checks with 3 s: no second ping, and
    // the socket is dropped 3 s on, not at the heartbeat check's 10
    c.checkConnection(3000);
    expect(ws.sent.filter((m) => m.type === 'session.ping')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(c.state).toBe('connected');
    await vi.advanceTimersByTimeAsync(1);
    expect(c.state).toBe('reconnecting');
  });

  it('keeps a connection whose heartbeat pings are answered', async () => {
    const c = client();
    const ws = await connected(c);
    for (let i = 1; i <= 6; i++) {
      await vi.advanceTimersByTimeAsync(10_000);
      expect(ws.sent.filter((m) => m.type === 'session.ping')).toHaveLength(i);
      ws.serverSend({ type: 'session.pong' });
    }
    expect(c.state).toBe('connected');
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('checks a doubted connection with a ping and replaces it when nothing comes back', async () => {
    const c = client();
    const ws = await connected(c);
    const pending = c.request({ type: 'call.chat', callId: 'c1', text: 'hi' });
    const reqId = ws.lastSent('call.chat')?.reqId;
    c.checkConnection(3000);
    c.checkConnection(3000); // one check at a time
    expect(ws.sent.filter((m) => m.type === 'session.ping')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2999);
    expect(c.state).toBe('connected');
    // nothing came back: the socket is dropped, and the session resumed on a new one
    await vi.advanceTimersByTimeAsync(1);
    expect(c.state).toBe('reconnecting');
    expect(ws.readyState).toBe(3);
    await vi.advanceTimersByTimeAsync(300);
    const ws2 = FakeWebSocket.last;
    expect(ws2).not.toBe(ws);
    expect(ws2.sent[0]).toMatchObject({ type: 'session.hello', resume: { sessionId: 'n1.s1' } });
    ws2.serverSend(welcome('n1.s1', true));
    expect(ws2.lastSent('call.chat')?.reqId).toBe(reqId);
    ws2.ack(reqId, { at: 'now' });
    await expect(pending).resolves.toEqual({ at: 'now' });
  });

  it('keeps a checked connection that answers, and checks only when connected', async () => {
    const c = client();
    c.checkConnection(); // not connected yet: nothing to check
    const ws = await connected(c);
    expect(ws.lastSent('session.ping')).toBeUndefined();
    c.checkConnection(3000);
    await vi.advanceTimersByTimeAsync(200);
    ws.serverSend({ type: 'session.pong', t: 1 });
    await vi.advanceTimersByTimeAsync(5000);
    expect(c.state).toBe('connected');
    expect(FakeWebSocket.instances).toHaveLength(1);
    // any frame shows it alive, and a later check is a new one
    c.checkConnection(3000);
    expect(ws.sent.filter((m) => m.type === 'session.ping')).toHaveLength(2);
    ws.serverSend({ type: 'callback.created', callbackId: 'a' });
    await vi.advanceTimersByTimeAsync(3000);
    expect(c.state).toBe('connected');
    // a check that outlives its socket does nothing to the next one
    c.checkConnection(3000);
    ws.serverClose(1006);
    await vi.advanceTimersByTimeAsync(300);
    const ws2 = FakeWebSocket.last;
    ws2.serverSend(welcome('n1.s1', true));
    await vi.advanceTimersByTimeAsync(5000);
    expect(c.state).toBe('connected');
    expect(FakeWebSocket.last).toBe(ws2);
  });

  it('reconnects as soon as the network is back, and checks a connected socket when it comes', async () => {
    const network = new EventTarget();
    const c = client({
      network,
      reconnectPolicy: new DefaultReconnectPolicy({ initialMs: 8000, random: () => 0.5 }),
    });
    const ws = await connected(c);
    // a network comes up while connected: the socket may have died with the old one
    network.dispatchEvent(new Event('online'));
    expect(ws.lastSent('session.ping')).toBeDefined();
    ws.serverSend({ type: 'session.pong' });
    ws.serverClose(1006);
    expect(c.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.instances).toHaveLength(1); // the backoff waits 6 s
    network.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeWebSocket.instances).toHaveLength(2);
    // an attempt under way is not doubled, and the one that was due does not follow
    network.dispatchEvent(new Event('online'));
    FakeWebSocket.last.serverSend(welcome('n1.s1', true));
    expect(c.state).toBe('connected');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    // closed: the events do nothing more
    c.close();
    network.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('asks for a fresh token on every connect', async () => {
    let n = 0;
    const c = client({ getToken: () => `t${++n}` });
    const ws = await connected(c);
    ws.serverClose(1006);
    await vi.advanceTimersByTimeAsync(300);
    expect(FakeWebSocket.last.sent[0]).toMatchObject({ token: 't2' });
  });

  it('close() is final', async () => {
    const c = client();
    const ws = await connected(c);
    c.close();
    expect(c.state).toBe('closed');
    expect(ws.readyState).toBe(3);
    await expect(c.request({ type: 'presence.subscribe' })).rejects.toMatchObject({
      code: 'FLX_ERR_SDK_NETWORK',
    });
  });

  it('has a transition table that reaches closed from every state but closed', () => {
    for (const [from, tos] of Object.entries(SIGNALING_TRANSITIONS)) {
      expect(tos.includes('closed' as never)).toBe(from !== 'closed');
    }
  });
});

describe('DefaultReconnectPolicy', () => {
  it('backs off exponentially with jitter up to the maximum and gives up after a while', () => {
    const p = new DefaultReconnectPolicy({
      initialMs: 100,
      maxMs: 1000,
      giveUpAfterMs: 5000,
      random: () => 1,
    });
    const delays = [0, 1, 2, 3, 4, 5].map((retryCount) =>
      p.nextRetryDelayInMs({ retryCount, elapsedMs: 0, closeCode: 1006 }),
    );
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    const low = new DefaultReconnectPolicy({ initialMs: 100, random: () => 0 });
    expect(low.nextRetryDelayInMs({ retryCount: 0, elapsedMs: 0, closeCode: undefined })).toBe(50);
    expect(p.nextRetryDelayInMs({ retryCount: 1, elapsedMs: 5000, closeCode: 1006 })).toBeNull();
  });
});
