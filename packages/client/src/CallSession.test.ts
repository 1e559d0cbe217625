import { PROTOCOL_VERSION, type Call } from '@flux/protocol';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { prepareAgentCall, startVisitorCall, type VisitorCallOptions } from './CallSession.ts';
import { QUALITY_INTERVAL_MS } from './quality.ts';
import { SignalingClient } from './SignalingClient.ts';
import { fakeLocalStream, type FakeMediaStreamTrack } from './testing/FakeMedia.ts';
import { FakePeerConnection, fakePeerConnectionFactory } from './testing/FakePeerConnection.ts';
import { FakeWebSocket } from './testing/FakeWebSocket.ts';
import type { CallState } from './types.ts';

const CALL: Call = {
  id: 'c1',
  channelId: 'ch',
  agentId: 'ag',
  agentName: 'Ada',
  status: 'ringing',
  endReason: null,
  endDetail: null,
  pageUrl: null,
  visitor: {},
  products: [],
  unknownProductIds: [],
  requestedAt: '2026-01-01T00:00:00.000Z',
  ringingAt: '2026-01-01T00:00:00.000Z',
  connectedAt: null,
  endedAt: null,
  durationSeconds: null,
  rating: null,
  notes: '',
  weakSeconds: { visitor: 0, agent: 0 },
};

async function signaling(
  role: 'visitor' | 'agent',
  {
    requestTimeoutMs,
    iceServers = [{ urls: ['stun:127.0.0.1:3478'] }],
  }: {
    requestTimeoutMs?: number;
    iceServers?: { urls: string[]; username?: string; credential?: string }[];
  } = {},
): Promise<{ c: SignalingClient; ws: FakeWebSocket }> {
  const c = new SignalingClient({
    url: 'ws://x',
    role,
    WebSocketImpl: FakeWebSocket,
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
  });
  const p = c.connect();
  await Promise.resolve();
  await Promise.resolve();
  const ws = FakeWebSocket.last;
  ws.serverSend({
    type: 'session.welcome',
    sessionId: 's',
    protocolVersion: PROTOCOL_VERSION,
    heartbeatMs: 25000,
    iceServers,
    resumed: false,
    activeCall: null,
  });
  await p;
  return { c, ws };
}

async function until(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(pred()).toBe(true);
}

beforeEach(() => {
  FakeWebSocket.reset();
  FakePeerConnection.reset();
});

/** A visitor's call to agent `ag` through `c`, on a fake peer connection. */
const visitorCall = (c: SignalingClient, options: Partial<VisitorCallOptions> = {}) =>
  startVisitorCall({
    signaling: c,
    localStream: fakeLocalStream(),
    agentId: 'ag',
    productIds: [],
    pageUrl: '',
    createPeerConnection: fakePeerConnectionFactory(),
    ...options,
  });

/** A visitor's call to `ag` through `c` whose request the server answered with `answer`: ringing. */
async function ringingCall(
  c: SignalingClient,
  ws: FakeWebSocket,
  options: Partial<VisitorCallOptions> = {},
  answer: { call: Call; rejoinToken?: string } = { call: CALL },
) {
  const call = visitorCall(c, options);
  await until(() => ws.lastSent('call.request') !== undefined);
  ws.ack(ws.lastSent('call.request')?.reqId, answer);
  await call.when('ringing');
  return call;
}

describe('startVisitorCall', () => {
  it('prepares the offer with gathered candidates before it sends call.request', async () => {
    const { c, ws } = await signaling('visitor');
    const states: CallState[] = [];
    const call = visitorCall(c, { productIds: ['SKU'], pageUrl: 'https://shop.test/' });
    call.on('stateChanged', ({ to }) => states.push(to));
    expect(call.state).toBe('requesting');
    await until(() => ws.lastSent('call.request') !== undefined);
    const req = ws.lastSent('call.request');
    expect(req).toMatchObject({ agentId: 'ag', productIds: ['SKU'], offer: { type: 'offer' } });
    const pc = FakePeerConnection.instances[0];
    expect(pc?.iceGatheringState).toBe('complete');
    expect(pc?.config.iceServers).toEqual([{ urls: ['stun:127.0.0.1:3478'] }]);
    ws.ack(req?.reqId, { call: CALL });
    await call.when('ringing');
    expect(call.callId).toBe('c1');
    // gathered candidates go out once the call has an id
    await until(() => ws.lastSent('call.signal') !== undefined);
    ws.serverSend({
      type: 'call.state',
      call: { ...CALL, status: 'ended', endReason: 'missed' },
      alternatives: [],
    });
    expect(call.state).toBe('ended');
    expect(call.endReason).toBe('missed');
    expect(states).toEqual(['ringing', 'ended']);
    expect(pc?.connectionState).toBe('closed');
  });

  it('sends the request once the offer holds a candidate that reaches the agent, not at the end of gathering', async () => {
    // gathering that never ends, as where a network drops a TURN server's UDP silently
    FakePeerConnection.gathering = { kinds: ['host', 'relay'], completes: false };
    const turn = [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'u', credential: 'c' }];
    const { c, ws } = await signaling('visitor', { iceServers: turn });
    visitorCall(c, { iceGatheringTimeoutMs: 60_000 });
    await until(() => ws.lastSent('call.request') !== undefined);
    expect(FakePeerConnection.instances[0]?.iceGatheringState).toBe('gathering');
    // with a TURN server a host or STUN candidate is not enough: the request waits for the
    // relay one (or the end of gathering, or the cap)
    FakePeerConnection.gathering = { kinds: ['host', 'srflx'], completes: false };
    const second = await signaling('visitor', { iceServers: turn });
    visitorCall(second.c, { iceGatheringTimeoutMs: 60_000 });
    await until(() => FakePeerConnection.instances[1]?.iceGatheringState === 'gathering');
    await new Promise((r) => setTimeout(r, 100));
    expect(second.ws.lastSent('call.request')).toBeUndefined();
    // with no ICE server (one network) the first host candidate is enough
    FakePeerConnection.gathering = { kinds: ['host'], completes: false };
    const third = await signaling('visitor', { iceServers: [] });
    visitorCall(third.c, { iceGatheringTimeoutMs: 60_000 });
    await until(() => third.ws.lastSent('call.request') !== undefined);
    for (const s of [c, second.c, third.c]) s.close();
  });

  it('sends closed gates while it rings and opens them when the agent accepts', async () => {
    const { c, ws } = await signaling('visitor');
    const local = fakeLocalStream();
    const call = visitorCall(c, { localStream: local });
    await until(() => ws.lastSent('call.request') !== undefined);
    const pc = FakePeerConnection.instances[0];
    const originals = local.getTracks() as unknown as FakeMediaStreamTrack[];
    const gates = pc?.getSenders().map((s) => s.track) ?? [];
    // one disabled clone per local track on the senders; the preview's tracks stay on
    expect(gates.map((g) => g?.clonedFrom)).toEqual(originals);
    expect(gates.every((g) => g?.enabled === false)).toBe(true);
    expect(originals.every((t) => t.enabled)).toBe(true);
    ws.ack(ws.lastSent('call.request')?.reqId, { call: CALL });
    await call.when('ringing');
    // a candidate is not an acceptance
    ws.serverSend({
      type: 'call.signal',
      callId: 'c1',
      from: 'agent',
      signal: { kind: 'candidate', candidate: { candidate: 'candidate:1' } },
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(gates.every((g) => g?.enabled === false)).toBe(true);
    // the accepting console says so before the record does: media starts and the call is
    // connecting; it is active once the record says connected (and the media is)
    call.setMuted('audio', true);
    ws.serverSend({
      type: 'call.signal',
      callId: 'c1',
      from: 'agent',
      signal: { kind: 'accepted' },
    });
    await until(() => gates[1]?.enabled === true);
    expect(gates[0]?.enabled).toBe(false); // muted before: stays muted
    expect(call.state).toBe('connecting');
    ws.serverSend({ type: 'call.state', call: { ...CALL, status: 'connected' } });
    expect(call.state).toBe('connecting');
    expect(call.call?.status).toBe('connected');
    // ending stops the gates, not the caller's tracks
    void call.hangup();
    expect(gates.every((g) => g?.readyState === 'ended')).toBe(true);
    expect(originals.every((t) => t.readyState === 'live')).toBe(true);
  });

  it('is connecting from the accepted signal and ends when the record ends the call', async () => {
    const { c, ws } = await signaling('visitor');
    const states: CallState[] = [];
    const call = visitorCall(c);
    call.on('stateChanged', ({ to }) => states.push(to));
    await until(() => ws.lastSent('call.request') !== undefined);
    ws.ack(ws.lastSent('call.request')?.reqId, { call: CALL });
    await call.when('ringing');
    const accepted = { type: 'call.signal', callId: 'c1', from: 'agent' } as const;
    ws.serverSend({ ...accepted, signal: { kind: 'accepted' } });
    expect(call.state).toBe('connecting');
    // a second signal changes nothing; the visitor hung up as the agent accepted: the record wins
    ws.serverSend({ ...accepted, signal: { kind: 'accepted' } });
    ws.serverSend({
      type: 'call.state',
      call: { ...CALL, status: 'ended', endReason: 'visitor_hangup' },
    });
    expect(states).toEqual(['ringing', 'connecting', 'ended']);
    expect(call.endReason).toBe('visitor_hangup');
  });

  it('names its connected call in the next hello, with the token of the request, until it ends', async () => {
    const { c, ws } = await signaling('visitor');
    const call = await ringingCall(c, ws, {}, { call: CALL, rejoinToken: 'tok' });
    // while it rings there is nothing to rejoin: a restart ends a ringing call
    expect(c.rejoin).toBeNull();
    ws.serverSend({ type: 'call.state', call: { ...CALL, status: 'connected' } });
    expect(c.rejoin).toEqual({ callId: 'c1', token: 'tok' });
    // the server stopped: the new socket's hello names the call
    ws.serverClose(4050, 'server shutdown');
    await until(() => FakeWebSocket.last !== ws);
    const next = FakeWebSocket.last;
    await until(() => next.lastSent('session.hello') !== undefined);
    expect(next.lastSent('session.hello')).toMatchObject({
      resume: { sessionId: 's' },
      rejoin: { callId: 'c1', token: 'tok' },
    });
    // the new session took the call: it goes on
    next.serverSend({
      type: 'session.welcome',
      sessionId: 's2',
      protocolVersion: PROTOCOL_VERSION,
      heartbeatMs: 25000,
      iceServers: [],
      resumed: false,
      activeCall: { ...CALL, status: 'connected' },
    });
    expect(call.state).not.toBe('ended');
    void call.hangup();
    expect(call.state).toBe('ended');
    expect(c.rejoin).toBeNull();
    c.close();
  });

  it('isolates a throwing listener', async () => {
    const { c, ws } = await signaling('visitor');
    const call = visitorCall(c, { localStream: fakeLocalStream(true), audioOnly: true });
    const errors: unknown[] = [];
    call.on('listenerError', ({ error }) => errors.push(error));
    call.on('stateChanged', () => {
      throw new Error('bad listener');
    });
    await until(() => ws.lastSent('call.request') !== undefined);
    expect(ws.lastSent('call.request')).toMatchObject({ audioOnly: true });
    ws.ack(ws.lastSent('call.request')?.reqId, { call: CALL });
    await call.when('ringing');
    expect(errors).toHaveLength(1);
  });

  it('refuses agent-only actions', async () => {
    const { c } = await signaling('visitor');
    const call = visitorCall(c);
    await expect(call.accept()).rejects.toMatchObject({ code: 'FLX_ERR_CALL_INVALID_TRANSITION' });
    expect(() =>
      prepareAgentCall({
        signaling: c,
        incoming: {
          type: 'call.incoming',
          seq: 1,
          call: CALL,
          audioOnly: false,
          ringTimeoutSeconds: 30,
        },
      }),
    ).toThrow();
  });
});

/** What goes on the wire, in order: frame types and close frames. */
function wireLog(ws: FakeWebSocket): string[] {
  const log: string[] = [];
  const send = ws.send.bind(ws);
  const close = ws.close.bind(ws);
  ws.send = (data) => {
    log.push((JSON.parse(data) as { type: string }).type);
    send(data);
  };
  ws.close = (code, reason) => {
    log.push(`close ${String(code)} ${reason ?? ''}`);
    close(code, reason);
  };
  return log;
}

describe('leaving the page (what the call UI does on pagehide)', () => {
  // nothing can be awaited while a page goes away: both must reach the socket synchronously
  it('hangup() then close() put call.hangup and then the goodbye on the socket at once', async () => {
    const { c, ws } = await signaling('visitor');
    const call = await ringingCall(c, ws, { pageUrl: 'https://shop.test/' });
    const wire = wireLog(ws);
    void call.hangup();
    c.close();
    expect(wire).toEqual(['call.hangup', 'close 1000 bye']);
    expect(call.endReason).toBe('cancelled');
    expect(FakePeerConnection.instances[0]?.connectionState).toBe('closed');
  });

  it('sends only the goodbye while the request is unanswered (the server cancels it)', async () => {
    const { c, ws } = await signaling('visitor');
    const call = visitorCall(c, { pageUrl: 'https://shop.test/' });
    await until(() => ws.lastSent('call.request') !== undefined);
    const wire = wireLog(ws);
    void call.hangup();
    c.close();
    expect(wire).toEqual(['close 1000 bye']);
    expect(call.state).toBe('ended');
  });
});

/** Session `sessionId` welcomes a socket: a new session that still has call `c1`, or resumed. */
function welcome(ws: FakeWebSocket, sessionId: string, resumed: boolean): void {
  ws.serverSend({
    type: 'session.welcome',
    sessionId,
    protocolVersion: PROTOCOL_VERSION,
    heartbeatMs: 25000,
    iceServers: [],
    resumed,
    activeCall: { ...CALL, status: 'connected' },
  });
}

/** The next socket the client opens after `ws` closed, once it has said hello. */
async function nextSocket(ws: FakeWebSocket): Promise<FakeWebSocket> {
  await until(() => FakeWebSocket.last !== ws);
  const next = FakeWebSocket.last;
  await until(() => next.lastSent('session.hello') !== undefined);
  return next;
}

const sentOf = (ws: FakeWebSocket, type: string) => ws.sent.filter((m) => m.type === type);
/** The descriptions the client sent on `ws` (call.signal), in order. */
const descriptionsOf = (ws: FakeWebSocket) =>
  sentOf(ws, 'call.signal').flatMap((m) => {
    const signal = m.signal as { kind: string; description?: RTCSessionDescriptionInit };
    return signal.kind === 'description' && signal.description ? [signal.description] : [];
  });

/**
 * A visitor's call through `c` that the agent's console (a second fake peer connection)
 * answered: active. `agentAnswers(ws)` sends that console's current answer on `ws`.
 */
async function answeredCall(
  c: SignalingClient,
  ws: FakeWebSocket,
  options: Partial<VisitorCallOptions> = {},
) {
  const call = visitorCall(c, options);
  await until(() => ws.lastSent('call.request') !== undefined);
  const request = ws.lastSent('call.request') as { reqId: string; offer: { sdp: string } };
  ws.ack(request.reqId, { call: CALL, rejoinToken: 'tok' });
  await call.when('ringing');
  const agentPc = new FakePeerConnection();
  await agentPc.setRemoteDescription({ type: 'offer', sdp: request.offer.sdp });
  await agentPc.setLocalDescription(await agentPc.createAnswer());
  const agentAnswers = (on: FakeWebSocket) =>
    on.serverSend({
      type: 'call.signal',
      callId: 'c1',
      from: 'agent',
      signal: {
        kind: 'description',
        description: { type: 'answer', sdp: agentPc.localDescription?.sdp ?? '' },
      },
    });
  agentAnswers(ws);
  ws.serverSend({ type: 'call.state', call: { ...CALL, status: 'connected' } });
  await call.when('active');
  const pc = FakePeerConnection.instances[0];
  if (!pc) throw new Error('no peer connection');
  return { call, pc, agentPc, agentAnswers };
}

describe('what a side tells the server of its end of the call', () => {
  it('sends its link quality and media state again when a reconnect lost them', async () => {
    // only the quality meter's interval is faked: three windows pass at once
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { c, ws } = await signaling('visitor', { requestTimeoutMs: 1000 });
      const call = await ringingCall(c, ws);
      ws.serverSend({
        type: 'call.signal',
        callId: 'c1',
        from: 'agent',
        signal: { kind: 'accepted' },
      });
      ws.serverSend({ type: 'call.state', call: { ...CALL, status: 'connected' } });
      const pc = FakePeerConnection.instances[0];
      if (!pc) throw new Error('no peer connection');
      pc.simulateConnectionState('connected');
      await call.when('active');
      ws.ack(ws.lastSent('call.media_state')?.reqId);
      // the link turns weak (a 1 s round trip), then the media drops; neither report is answered
      pc.roundTripTime = 1;
      for (let i = 0; i < 3; i++) await vi.advanceTimersByTimeAsync(QUALITY_INTERVAL_MS);
      expect(call.quality).toBe('poor');
      expect(ws.lastSent('call.quality')).toMatchObject({ callId: 'c1', quality: 'poor' });
      pc.simulateConnectionState('disconnected');
      expect(ws.lastSent('call.media_state')).toMatchObject({ state: 'reconnecting' });
      // the server restarts: the new session takes the call, and has neither report
      ws.serverClose(4050, 'server shutdown');
      const next = await nextSocket(ws);
      welcome(next, 's2', false);
      await until(() => sentOf(next, 'call.media_state').length > 0);
      expect(sentOf(next, 'call.quality')).toMatchObject([{ callId: 'c1', quality: 'poor' }]);
      expect(sentOf(next, 'call.media_state')).toMatchObject([{ state: 'reconnecting' }]);
      for (const m of next.sent) if (m.type !== 'session.hello') next.ack(m.reqId);
      // once answered, a resumed session is not told again
      next.serverClose(1006);
      const third = await nextSocket(next);
      welcome(third, 's2', true);
      await new Promise((r) => setTimeout(r, 10));
      expect(third.sent.map((m) => m.type)).toEqual(['session.hello']);
      // the media is back, but that report times out with no connection: the resumed session
      // that follows is told again
      pc.simulateConnectionState('connected');
      expect(third.lastSent('call.media_state')).toMatchObject({ state: 'connected' });
      third.serverClose(1006);
      const fourth = await nextSocket(third);
      await new Promise((r) => setTimeout(r, 1100));
      expect(fourth.sent.map((m) => m.type)).toEqual(['session.hello']);
      welcome(fourth, 's2', true);
      await until(() => sentOf(fourth, 'call.media_state').length > 0);
      expect(sentOf(fourth, 'call.media_state')).toMatchObject([{ state: 'connected' }]);
      expect(sentOf(fourth, 'call.quality')).toEqual([]);
      void call.hangup();
      c.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it("sends an ICE restart's offer again when a new session may have lost it", async () => {
    const { c, ws } = await signaling('visitor');
    const { call, pc, agentPc, agentAnswers } = await answeredCall(c, ws);
    // the media fails: the restart's offer goes out, and the server restarts before answering
    pc.simulateConnectionState('failed');
    await until(() => descriptionsOf(ws).length > 0);
    expect(descriptionsOf(ws)).toMatchObject([{ type: 'offer' }]);
    ws.serverClose(4050, 'server shutdown');
    const next = await nextSocket(ws);
    welcome(next, 's2', false);
    await until(() => descriptionsOf(next).length > 0);
    const again = descriptionsOf(next);
    expect(again).toEqual([{ type: 'offer', sdp: pc.localDescription?.sdp }]);
    expect(pc.signalingState).toBe('have-local-offer');
    // answered this time: the negotiation is done, and a later new session sends nothing
    for (const m of next.sent) if (m.type === 'call.signal') next.ack(m.reqId);
    await agentPc.setRemoteDescription({ type: 'offer', sdp: again[0]?.sdp ?? '' });
    await agentPc.setLocalDescription(await agentPc.createAnswer());
    agentAnswers(next);
    await until(() => pc.signalingState === 'stable');
    // the same answer again (its console re-sent it after a reconnect of its own): ignored
    const restarts = pc.restarts;
    agentAnswers(next);
    await new Promise((r) => setTimeout(r, 10));
    expect(pc.restarts).toBe(restarts);
    expect(pc.signalingState).toBe('stable');
    next.serverClose(4050, 'server shutdown');
    const third = await nextSocket(next);
    welcome(third, 's3', false);
    await new Promise((r) => setTimeout(r, 10));
    expect(descriptionsOf(third)).toEqual([]);
    void call.hangup();
    c.close();
  });
});

describe('when the network changes', () => {
  it('checks its signaling when the media goes down, and restarts ICE as soon as it is back', async () => {
    const { c, ws } = await signaling('visitor');
    const { call, pc } = await answeredCall(c, ws, { connectionCheckMs: 30 });
    pc.simulateConnectionState('connected');
    expect(sentOf(ws, 'session.ping')).toEqual([]);
    // the media goes down: the signaling is checked at once
    pc.simulateConnectionState('disconnected');
    expect(sentOf(ws, 'session.ping')).toHaveLength(1);
    expect(call.state).toBe('reconnecting');
    // its socket says nothing back (the network changed under it): a new one resumes the
    // session, and the ICE restart goes then, not at the end of the 2 s wait
    const next = await nextSocket(ws);
    expect(next.lastSent('session.hello')).toMatchObject({ resume: { sessionId: 's' } });
    expect(pc.restarts).toBe(0);
    welcome(next, 's', true);
    await until(() => descriptionsOf(next).length > 0);
    expect(pc.restarts).toBe(1);
    expect(descriptionsOf(next)).toMatchObject([{ type: 'offer' }]);
    void call.hangup();
    c.close();
  });

  it('checks its signaling when nothing comes in for a whole window, and restarts ICE on the new socket', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { c, ws } = await signaling('visitor');
      const { call, pc } = await answeredCall(c, ws, { connectionCheckMs: 30 });
      pc.simulateConnectionState('connected');
      await vi.advanceTimersByTimeAsync(QUALITY_INTERVAL_MS);
      expect(sentOf(ws, 'session.ping')).toEqual([]);
      // from now on nothing comes in; within two windows one is whole, while the browser
      // still says connected
      pc.receiving = false;
      await vi.advanceTimersByTimeAsync(QUALITY_INTERVAL_MS);
      await vi.advanceTimersByTimeAsync(QUALITY_INTERVAL_MS);
      expect(sentOf(ws, 'session.ping').length).toBeGreaterThan(0);
      expect(call.state).toBe('active');
      expect(pc.restarts).toBe(0);
      // the socket is dead too: on the new one, the ICE restart goes at once
      const next = await nextSocket(ws);
      welcome(next, 's', true);
      await until(() => descriptionsOf(next).length > 0);
      expect(pc.restarts).toBe(1);
      void call.hangup();
      c.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps a signaling socket that answers the check, and restarts ICE after the usual wait', async () => {
    const { c, ws } = await signaling('visitor');
    const { call, pc } = await answeredCall(c, ws, { connectionCheckMs: 30 });
    pc.simulateConnectionState('connected');
    pc.simulateConnectionState('disconnected');
    ws.serverSend({ type: 'session.pong', t: 1 });
    await new Promise((r) => setTimeout(r, 60));
    expect(FakeWebSocket.last).toBe(ws);
    expect(c.state).toBe('connected');
    expect(pc.restarts).toBe(0);
    // the usual wait for the media to come back by itself (2 s) is not cut short
    await new Promise((r) => setTimeout(r, 2100));
    expect(pc.restarts).toBe(1);
    void call.hangup();
    c.close();
  });
  it('starts its video again from a key frame, small first, when the media comes back', async () => {
    const { c, ws } = await signaling('visitor');
    const { call, pc } = await answeredCall(c, ws, { connectionCheckMs: 30 });
    pc.simulateConnectionState('connected');
    const video = pc.getTransceivers().find((t) => t.kind === 'video')?.sender;
    // the accept's full size (the sender started small)
    await until(() => video?.scales.length === 1);
    expect(video?.scales).toEqual([1]);
    pc.simulateConnectionState('disconnected');
    ws.serverSend({ type: 'session.pong', t: 1 });
    await new Promise((r) => setTimeout(r, 50));
    expect(video?.scales).toEqual([1]);
    // back: a new size is a key frame at once, and the full size follows
    pc.simulateConnectionState('connected');
    expect(call.state).toBe('active');
    await until(() => video?.scales.length === 2);
    expect(video?.scales).toEqual([1, 2]);
    await until(() => video?.scales.length === 3);
    expect(video?.scales).toEqual([1, 2, 1]);
    void call.hangup();
    c.close();
  });

  it('starts its video again from a key frame when packets come in after a silent window', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { c, ws } = await signaling('visitor');
      const { call, pc } = await answeredCall(c, ws, { connectionCheckMs: 5000 });
      pc.simulateConnectionState('connected');
      const video = pc.getTransceivers().find((t) => t.kind === 'video')?.sender;
      await until(() => video?.scales.length === 1);
      // a quality window; the fake's counters follow the clock, so while it receives, each
      // window needs some real time for a packet to come in
      const nextWindow = async (): Promise<void> => {
        await new Promise((r) => setTimeout(r, 25));
        await vi.advanceTimersByTimeAsync(QUALITY_INTERVAL_MS);
      };
      await nextWindow();
      await nextWindow();
      await nextWindow();
      // windows with packets in: nothing more
      expect(video?.scales).toEqual([1]);
      pc.receiving = false;
      await nextWindow();
      await nextWindow();
      expect(sentOf(ws, 'session.ping').length).toBeGreaterThan(0);
      ws.serverSend({ type: 'session.pong', t: 1 });
      expect(video?.scales).toEqual([1]);
      // the path came back before the browser called the media disconnected
      pc.receiving = true;
      await nextWindow();
      await until(() => video?.scales.length === 3);
      expect(video?.scales).toEqual([1, 2, 1]);
      expect(call.state).toBe('active');
      void call.hangup();
      c.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

/** Mia's console rings with a visitor's offer of these m-lines; the answer is being prepared. */
async function agentRinging(kinds: ('audio' | 'video')[]) {
  const { c, ws } = await signaling('agent');
  const visitorPc = new FakePeerConnection();
  for (const kind of kinds) visitorPc.addTransceiver(kind);
  const offer = await visitorPc.createOffer();
  await visitorPc.setLocalDescription(offer);
  const call = prepareAgentCall({
    signaling: c,
    incoming: {
      type: 'call.incoming',
      seq: 1,
      call: CALL,
      offer: { type: 'offer', sdp: offer.sdp ?? '' },
      audioOnly: false,
      ringTimeoutSeconds: 30,
    },
    localStream: fakeLocalStream(),
    createPeerConnection: fakePeerConnectionFactory(),
  });
  return { ws, call, visitorPc, agentPc: FakePeerConnection.instances.at(-1) };
}

describe('prepareAgentCall', () => {
  /** An agent's signaling client that a visitor's call rings, with no session made yet. */
  async function ringWithoutSession() {
    const { c, ws } = await signaling('agent');
    const visitorPc = new FakePeerConnection();
    visitorPc.addTransceiver('video');
    const offer = await visitorPc.createOffer();
    const incoming = {
      type: 'call.incoming' as const,
      seq: 1,
      call: CALL,
      offer: { type: 'offer' as const, sdp: offer.sdp ?? '' },
      audioOnly: false,
      ringTimeoutSeconds: 30,
    };
    ws.serverSend(incoming);
    /** The session the console makes once its camera is open. */
    const prepare = () =>
      prepareAgentCall({
        signaling: c,
        incoming,
        localStream: fakeLocalStream(),
        createPeerConnection: fakePeerConnectionFactory(),
      });
    return { c, ws, prepare };
  }

  it("takes the visitor's candidates that came while the console opened its camera", async () => {
    const { c, ws, prepare } = await ringWithoutSession();
    // the ring's candidate comes before the console has made the call's session
    ws.serverSend({
      type: 'call.signal',
      seq: 2,
      callId: CALL.id,
      from: 'visitor',
      signal: {
        kind: 'candidate',
        candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ relay' },
      },
    });
    const call = prepare();
    const agentPc = FakePeerConnection.instances.at(-1);
    await until(() => (agentPc?.addedCandidates.length ?? 0) > 0);
    expect(agentPc?.addedCandidates[0]?.candidate).toContain('10.0.0.1');
    // taken once: another session of the same ring would not get them again
    expect(c.takeEarly(CALL.id)).toEqual({ signals: [], state: null });
    call.decline().catch(() => undefined); // the client closes before its answer
    c.close();
  });

  /** A ring, then `state` of its call, both before the console makes the call's session. */
  async function endedBeforeSession(state: Partial<typeof CALL>) {
    const { c, ws, prepare } = await ringWithoutSession();
    ws.serverSend({ type: 'call.state', seq: 2, call: { ...CALL, ...state } });
    const call = prepare();
    return { c, call, pc: FakePeerConnection.instances.at(-1) };
  }

  it('a ring whose call ended while the console opened its camera makes a session born ended', async () => {
    const { c, call, pc } = await endedBeforeSession({
      status: 'ended',
      endReason: 'cancelled',
      endDetail: 'visitor_gone',
    });
    expect(call.state).toBe('ended');
    expect(call.endReason).toBe('cancelled');
    expect(pc?.signalingState).toBe('closed');
    expect(c.takeEarly(CALL.id).state).toBeNull();
    c.close();
  });

  it('a ring taken on another console meanwhile makes a session born ended, answered elsewhere', async () => {
    const { c, call } = await endedBeforeSession({ status: 'connected' });
    expect(call.state).toBe('ended');
    expect(call.endReason).toBe('answered_elsewhere');
    c.close();
  });

  it("sends its answer to the visitor's ICE restart again when a new session may have lost it", async () => {
    const { ws, call, visitorPc, agentPc } = await agentRinging(['audio', 'video']);
    await until(() => descriptionsOf(ws).length > 0); // the early answer
    for (const m of ws.sent) if (m.type === 'call.signal') ws.ack(m.reqId);
    const [early] = descriptionsOf(ws);
    if (!early) throw new Error('no early answer');
    await visitorPc.setRemoteDescription(early);
    const accepting = call.accept();
    await until(() => ws.lastSent('call.accept') !== undefined);
    ws.ack(ws.lastSent('call.accept')?.reqId, { call: { ...CALL, status: 'connected' } });
    await accepting;
    await call.when('active');
    // the visitor restarts ICE; the console answers, and the server restarts before it is through
    visitorPc.restartIce();
    await visitorPc.setLocalDescription(await visitorPc.createOffer());
    ws.serverSend({
      type: 'call.signal',
      callId: 'c1',
      from: 'visitor',
      signal: {
        kind: 'description',
        description: { type: 'offer', sdp: visitorPc.localDescription?.sdp ?? '' },
      },
    });
    await until(() => descriptionsOf(ws).length > 1);
    expect(descriptionsOf(ws).at(-1)).toMatchObject({ type: 'answer' });
    ws.serverClose(4050, 'server shutdown');
    const next = await nextSocket(ws);
    welcome(next, 's2', false);
    await until(() => descriptionsOf(next).length > 0);
    expect(descriptionsOf(next)).toEqual([{ type: 'answer', sdp: agentPc?.localDescription?.sdp }]);
    void call.hangup();
  });

  it('accept() of a prepared call sends the accepted signal and opens the gates before it returns', async () => {
    const { ws, call, agentPc } = await agentRinging(['audio', 'video']);
    await until(() => ws.lastSent('call.signal') !== undefined);
    // both tracks went on the offer's m-lines as closed gates while it rang
    const gates = agentPc?.getSenders().map((s) => s.track) ?? [];
    expect(gates.map((t) => [t?.kind, t?.enabled])).toEqual([
      ['audio', false],
      ['video', false],
    ]);
    // the page may have work queued (a UI render of the call screen, say): none of it may run
    // before the visitor is told and the gates are open
    let queuedRan = false;
    queueMicrotask(() => (queuedRan = true));
    const accepting = call.accept();
    expect(queuedRan).toBe(false);
    expect(ws.lastSent('call.signal')).toMatchObject({ signal: { kind: 'accepted' } });
    expect(gates.map((t) => t?.enabled)).toEqual([true, true]);
    expect(call.state).toBe('connecting');
    await until(() => ws.lastSent('call.accept') !== undefined);
    ws.ack(ws.lastSent('call.accept')?.reqId, { call: { ...CALL, status: 'connected' } });
    await accepting;
    void call.hangup();
  });

  it('creates the answer while it rings so accept() only sends it', async () => {
    const { ws, call, agentPc } = await agentRinging(['audio']);
    expect(call.state).toBe('ringing');
    await until(() => agentPc?.iceGatheringState === 'complete');
    expect(agentPc?.localDescription?.type).toBe('answer');
    // the visitor's trickled candidate is applied while it rings
    ws.serverSend({
      type: 'call.signal',
      callId: 'c1',
      from: 'visitor',
      signal: {
        kind: 'candidate',
        candidate: { candidate: 'candidate:9', sdpMid: '0', sdpMLineIndex: 0 },
      },
    });
    await until(() => agentPc?.addedCandidates.length === 1);
    // the prepared answer goes out while it rings (early transport); the sender carries a
    // closed gate: a disabled clone of the microphone, never the microphone itself
    await until(() => ws.lastSent('call.signal') !== undefined);
    expect(ws.sent.find((m) => m.type === 'call.signal')).toMatchObject({
      signal: { kind: 'description', description: { type: 'answer' } },
    });
    const mic = call.localStream?.getAudioTracks()[0] as unknown as FakeMediaStreamTrack;
    const ringingSenders = agentPc?.getSenders() ?? [];
    expect(ringingSenders).toHaveLength(1);
    const gate = ringingSenders[0]?.track;
    expect(gate?.clonedFrom).toBe(mic);
    expect(gate?.enabled).toBe(false);
    expect(mic.enabled).toBe(true); // the local preview is untouched
    expect(agentPc?.getTransceivers().map((t) => t.direction)).toEqual(['sendrecv']);
    const accepting = call.accept();
    await until(() => ws.lastSent('call.accept') !== undefined);
    // the console that set up the transport tells the visitor first, so both start at once
    const order = ws.sent.map((m) =>
      m.type === 'call.signal' ? `signal:${(m.signal as { kind: string }).kind}` : String(m.type),
    );
    expect(order.indexOf('signal:accepted')).toBeGreaterThan(-1);
    expect(order.indexOf('signal:accepted')).toBeLessThan(order.indexOf('call.accept'));
    expect(ws.lastSent('call.accept')).toMatchObject({ callId: 'c1', answer: { type: 'answer' } });
    expect(call.state).toBe('connecting');
    // accepting opens the gate on the prepared m-line; the offer had no video m-line, so the
    // camera is added (a renegotiation)
    expect(gate?.enabled).toBe(true);
    expect(agentPc?.getSenders()[0]?.track).toBe(gate);
    const camera = call.localStream?.getVideoTracks()[0];
    expect(agentPc?.getSenders().map((s) => s.track)).toContain(camera);
    ws.ack(ws.lastSent('call.accept')?.reqId, { call: { ...CALL, status: 'connected' } });
    await accepting;
    // muting closes the sender's track too, unmuting opens it again
    call.setMuted('audio', true);
    expect(gate?.enabled).toBe(false);
    call.setMuted('audio', false);
    expect(gate?.enabled).toBe(true);
    // the call's end stops the gate (a live clone would keep the device on); the original is
    // the caller's to stop
    void call.hangup();
    expect(call.state).toBe('ended');
    expect(gate?.readyState).toBe('ended');
    expect(mic.readyState).toBe('live');
  });
});
