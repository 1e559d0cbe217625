import { PROTOCOL_VERSION, type Call } from '@flux/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { prepareAgentCall, startVisitorCall } from './CallSession.ts';
import { SignalingClient } from './SignalingClient.ts';
import { fakeLocalStream } from './testing/FakeMedia.ts';
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
};

async function signaling(
  role: 'visitor' | 'agent',
): Promise<{ c: SignalingClient; ws: FakeWebSocket }> {
  const c = new SignalingClient({ url: 'ws://x', role, WebSocketImpl: FakeWebSocket });
  const p = c.connect();
  await Promise.resolve();
  await Promise.resolve();
  const ws = FakeWebSocket.last;
  ws.serverSend({
    type: 'session.welcome',
    sessionId: 's',
    protocolVersion: PROTOCOL_VERSION,
    heartbeatMs: 25000,
    iceServers: [{ urls: ['stun:127.0.0.1:3478'] }],
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

describe('startVisitorCall', () => {
  it('prepares the offer with gathered candidates before it sends call.request', async () => {
    const { c, ws } = await signaling('visitor');
    const states: CallState[] = [];
    const call = startVisitorCall({
      signaling: c,
      localStream: fakeLocalStream(),
      agentId: 'ag',
      productIds: ['SKU'],
      pageUrl: 'https://shop.test/',
      createPeerConnection: fakePeerConnectionFactory(),
    });
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

  it('isolates a throwing listener', async () => {
    const { c, ws } = await signaling('visitor');
    const call = startVisitorCall({
      signaling: c,
      localStream: fakeLocalStream(true),
      agentId: 'ag',
      productIds: [],
      pageUrl: '',
      audioOnly: true,
      createPeerConnection: fakePeerConnectionFactory(),
    });
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
    const call = startVisitorCall({
      signaling: c,
      localStream: fakeLocalStream(),
      agentId: 'ag',
      productIds: [],
      pageUrl: '',
      createPeerConnection: fakePeerConnectionFactory(),
    });
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

describe('prepareAgentCall', () => {
  it('creates the answer while it rings so accept() only sends it', async () => {
    const { c, ws } = await signaling('agent');
    const visitorPc = new FakePeerConnection();
    visitorPc.addTransceiver('audio');
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
    expect(call.state).toBe('ringing');
    const agentPc = FakePeerConnection.instances.at(-1);
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
    // the prepared answer goes out while it rings (early transport), but no media: no tracks
    await until(() => ws.lastSent('call.signal') !== undefined);
    expect(ws.sent.find((m) => m.type === 'call.signal')).toMatchObject({
      signal: { kind: 'description', description: { type: 'answer' } },
    });
    expect(agentPc?.getSenders().every((s) => s.track === null)).toBe(true);
    expect(agentPc?.getTransceivers().map((t) => t.direction)).toEqual(['sendrecv']);
    const accepting = call.accept();
    await until(() => ws.lastSent('call.accept') !== undefined);
    expect(ws.lastSent('call.accept')).toMatchObject({ callId: 'c1', answer: { type: 'answer' } });
    expect(call.state).toBe('connecting');
    // audio goes on the prepared m-line; the offer had no video m-line, so video is added
    expect(agentPc?.getSenders().filter((s) => s.track !== null)).toHaveLength(2);
    ws.ack(ws.lastSent('call.accept')?.reqId, { call: { ...CALL, status: 'connected' } });
    await accepting;
  });
});
