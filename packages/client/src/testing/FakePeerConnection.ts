/**
 * An in-memory stand-in for RTCPeerConnection, enough for CallSession's negotiation logic in
 * Node: offers/answers are JSON naming the peer connection that made them; two fakes that
 * hold each other's descriptions "connect" (connectionState → connected, ontrack fires),
 * candidates are gathered on setLocalDescription, and getStats() reports counters.
 * @public
 */
import { FakeMediaStream, FakeMediaStreamTrack } from './FakeMedia.ts';

type Kind = 'audio' | 'video';

interface FakeSdp {
  pc: number;
  type: RTCSdpType;
  kinds: Kind[];
  ice: number;
  stream: string;
}

const registry = new Map<number, FakePeerConnection>();
let nextId = 0;

class FakeSender {
  track: FakeMediaStreamTrack | null = null;
  streams: FakeMediaStream[] = [];
  #encodings: RTCRtpEncodingParameters[] = [{}];
  /** Test hook: every downscale set through setParameters, in order (a new one, a key frame). */
  readonly scales: number[] = [];
  constructor(encodings?: RTCRtpEncodingParameters[]) {
    if (encodings?.length) this.#encodings = encodings.map((e) => ({ ...e }));
  }
  getParameters(): { encodings: RTCRtpEncodingParameters[] } {
    return { encodings: this.#encodings.map((e) => ({ ...e })) };
  }
  setParameters(p: { encodings: RTCRtpEncodingParameters[] }): Promise<void> {
    this.#encodings = p.encodings.map((e) => ({ ...e }));
    const scale = p.encodings[0]?.scaleResolutionDownBy;
    if (scale !== undefined) this.scales.push(scale);
    return Promise.resolve();
  }
  replaceTrack(t: FakeMediaStreamTrack | null): Promise<void> {
    this.track = t;
    return Promise.resolve();
  }
  setStreams(...s: FakeMediaStream[]): void {
    this.streams = s;
  }
}

class FakeTransceiver {
  readonly kind: Kind;
  readonly sender: FakeSender;
  readonly receiver: { track: FakeMediaStreamTrack };
  direction: RTCRtpTransceiverDirection;
  currentDirection: RTCRtpTransceiverDirection | null = null;
  constructor(
    kind: Kind,
    direction: RTCRtpTransceiverDirection,
    sendEncodings?: RTCRtpEncodingParameters[],
  ) {
    this.kind = kind;
    this.direction = direction;
    this.sender = new FakeSender(sendEncodings);
    this.receiver = { track: new FakeMediaStreamTrack(kind) };
  }
  stop(): void {
    this.currentDirection = 'stopped';
  }
}

export class FakePeerConnection extends EventTarget {
  /** Every fake created (tests reach the agent's or visitor's through this). */
  static instances: FakePeerConnection[] = [];

  readonly id = ++nextId;
  readonly config: RTCConfiguration;
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  signalingState: RTCSignalingState = 'stable';
  iceGatheringState: RTCIceGatheringState = 'new';
  connectionState: RTCPeerConnectionState = 'new';
  onicecandidate: ((ev: { candidate: unknown }) => void) | null = null;
  ontrack: ((ev: { track: FakeMediaStreamTrack; streams: FakeMediaStream[] }) => void) | null =
    null;
  onnegotiationneeded: (() => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  readonly addedCandidates: RTCIceCandidateInit[] = [];
  /** Test hook: the round trip (s) that getStats() reports for the selected candidate pair. */
  roundTripTime = 0.001;
  /** Test hook: set false, getStats()'s incoming counters stop, as on a path that died. */
  set receiving(on: boolean) {
    this.#stoppedAt = on ? null : Date.now();
  }
  #stoppedAt: number | null = null;
  readonly #transceivers: FakeTransceiver[] = [];
  #iceGen = 0;
  #needsNegotiation = false;
  #peer: number | null = null;
  #connectedAt = 0;
  readonly #remoteStream = new FakeMediaStream();
  #localStream: FakeMediaStream | null = null;
  #restarts = 0;

  constructor(config: RTCConfiguration = {}) {
    super();
    this.config = config;
    registry.set(this.id, this);
    FakePeerConnection.instances.push(this);
  }

  /**
   * Test hook: the kinds of local candidate each gathering yields, in order, and whether it
   * then completes (a TURN URL whose UDP a network drops silently keeps it going for seconds).
   */
  static gathering: { kinds: ('host' | 'srflx' | 'relay')[]; completes: boolean } = {
    kinds: ['host'],
    completes: true,
  };

  static reset(): void {
    FakePeerConnection.instances = [];
    FakePeerConnection.gathering = { kinds: ['host'], completes: true };
    registry.clear();
  }

  get restarts(): number {
    return this.#restarts;
  }

  getTransceivers(): FakeTransceiver[] {
    return [...this.#transceivers];
  }

  getSenders(): FakeSender[] {
    return this.#transceivers.map((t) => t.sender);
  }

  addTrack(track: FakeMediaStreamTrack, ...streams: FakeMediaStream[]): FakeSender {
    if (streams[0]) this.#localStream = streams[0];
    const free = this.#transceivers.find(
      (t) => t.kind === track.kind && !t.sender.track && t.currentDirection !== 'stopped',
    );
    if (free) {
      free.sender.track = track;
      free.direction = 'sendrecv';
      return free.sender;
    }
    const t = new FakeTransceiver(track.kind, 'sendrecv');
    t.sender.track = track;
    this.#transceivers.push(t);
    this.#negotiationChanged();
    return t.sender;
  }

  addTransceiver(
    trackOrKind: Kind | FakeMediaStreamTrack,
    init?: {
      direction?: RTCRtpTransceiverDirection;
      streams?: FakeMediaStream[];
      sendEncodings?: RTCRtpEncodingParameters[];
    },
  ): FakeTransceiver {
    const track = typeof trackOrKind === 'string' ? null : trackOrKind;
    const t = new FakeTransceiver(
      track?.kind ?? (trackOrKind as Kind),
      init?.direction ?? 'sendrecv',
      init?.sendEncodings,
    );
    t.sender.track = track;
    if (init?.streams?.[0]) this.#localStream = init.streams[0];
    this.#transceivers.push(t);
    this.#negotiationChanged();
    return t;
  }

  restartIce(): void {
    this.#restarts++;
    this.#iceGen++;
    this.#negotiationChanged();
  }

  #sdp(type: RTCSdpType): RTCSessionDescriptionInit {
    const body: FakeSdp = {
      pc: this.id,
      type,
      kinds: this.#transceivers.map((t) => t.kind),
      ice: this.#iceGen,
      stream: this.#localStream?.id ?? '',
    };
    // the ICE credentials' line as in a real SDP (new with each restart), then the fake's own
    return {
      type,
      sdp: `a=ice-ufrag:f${String(this.id)}g${String(this.#iceGen)}\n${JSON.stringify(body)}`,
    };
  }

  createOffer(): Promise<RTCSessionDescriptionInit> {
    return Promise.resolve(this.#sdp('offer'));
  }

  createAnswer(): Promise<RTCSessionDescriptionInit> {
    if (this.signalingState !== 'have-remote-offer') {
      return Promise.reject(new DOMException('no remote offer', 'InvalidStateError'));
    }
    return Promise.resolve(this.#sdp('answer'));
  }

  async setLocalDescription(desc?: RTCSessionDescriptionInit): Promise<void> {
    await Promise.resolve();
    if (desc?.type === 'rollback') {
      this.localDescription = null;
      this.signalingState = 'stable';
      return;
    }
    const d = desc ?? this.#sdp(this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
    this.localDescription = d;
    if (d.type === 'offer') {
      this.signalingState = 'have-local-offer';
      this.#needsNegotiation = false;
    } else {
      this.signalingState = 'stable';
      for (const t of this.#transceivers) t.currentDirection = t.direction;
      this.#maybeConnect();
    }
    this.#gather();
  }

  async setRemoteDescription(desc: RTCSessionDescriptionInit): Promise<void> {
    await Promise.resolve();
    const body = JSON.parse((desc.sdp ?? '{}').replace(/^a=ice-ufrag:\S*\n/, '')) as FakeSdp;
    if (desc.type === 'offer' && this.signalingState === 'have-local-offer') {
      throw new DOMException('glare', 'InvalidStateError');
    }
    this.remoteDescription = desc;
    this.#peer = body.pc;
    if (desc.type === 'offer') {
      this.signalingState = 'have-remote-offer';
      for (const kind of body.kinds) {
        if (!this.#transceivers.some((t) => t.kind === kind)) {
          this.#transceivers.push(new FakeTransceiver(kind, 'recvonly'));
        }
      }
    } else {
      this.signalingState = 'stable';
      for (const t of this.#transceivers) t.currentDirection = t.direction;
      this.#maybeConnect();
      if (this.#needsNegotiation) this.#negotiationChanged();
    }
  }

  addIceCandidate(c: RTCIceCandidateInit): Promise<void> {
    if (!this.remoteDescription) {
      return Promise.reject(new DOMException('no remote description', 'InvalidStateError'));
    }
    this.addedCandidates.push(c);
    return Promise.resolve();
  }

  close(): void {
    this.signalingState = 'closed';
    this.#setConnection('closed');
  }

  getStats(): Promise<Map<string, Record<string, unknown>>> {
    const report = new Map<string, Record<string, unknown>>();
    if (this.connectionState === 'connected') {
      const ms = (this.#stoppedAt ?? Date.now()) - this.#connectedAt;
      report.set('v', {
        id: 'v',
        type: 'inbound-rtp',
        kind: 'video',
        framesDecoded: 1 + Math.floor(ms / 33),
        packetsReceived: 10,
        bytesReceived: 1000,
      });
      report.set('a', {
        id: 'a',
        type: 'inbound-rtp',
        kind: 'audio',
        packetsReceived: 1 + Math.floor(ms / 20),
        bytesReceived: 500,
      });
      report.set('t', { id: 't', type: 'transport', selectedCandidatePairId: 'p' });
      report.set('p', {
        id: 'p',
        type: 'candidate-pair',
        localCandidateId: 'l',
        remoteCandidateId: 'r',
        currentRoundTripTime: this.roundTripTime,
      });
      report.set('l', { id: 'l', type: 'local-candidate', candidateType: 'host', protocol: 'udp' });
      report.set('r', {
        id: 'r',
        type: 'remote-candidate',
        candidateType: 'host',
        protocol: 'udp',
      });
    }
    return Promise.resolve(report);
  }

  /** Test hook: the network changes the connection state. */
  simulateConnectionState(state: RTCPeerConnectionState): void {
    this.#setConnection(state);
  }

  #setConnection(state: RTCPeerConnectionState): void {
    if (this.connectionState === state) return;
    if (this.connectionState === 'closed') return;
    this.connectionState = state;
    if (state === 'connected') this.#connectedAt = Date.now();
    this.onconnectionstatechange?.();
  }

  #negotiationChanged(): void {
    this.#needsNegotiation = true;
    if (this.signalingState !== 'stable') return;
    queueMicrotask(() => {
      if (this.#needsNegotiation && this.signalingState === 'stable') this.onnegotiationneeded?.();
    });
  }

  #gather(): void {
    this.iceGatheringState = 'gathering';
    const { kinds, completes } = FakePeerConnection.gathering;
    setTimeout(() => {
      if (this.signalingState === 'closed') return;
      kinds.forEach((kind, i) => {
        const init = {
          candidate: `candidate:${this.id} 1 udp 2122260223 127.0.0.1 ${40000 + this.id + i} typ ${kind}`,
          sdpMid: '0',
          sdpMLineIndex: 0,
        };
        this.onicecandidate?.({ candidate: { ...init, toJSON: () => init } });
      });
      if (!completes) return;
      this.onicecandidate?.({ candidate: null });
      this.iceGatheringState = 'complete';
      this.dispatchEvent(new Event('icegatheringstatechange'));
    }, 1);
  }

  #maybeConnect(): void {
    const peer = this.#peer === null ? undefined : registry.get(this.#peer);
    if (!peer || this.connectionState === 'connected') return;
    const linked = (a: FakePeerConnection, b: FakePeerConnection): boolean =>
      a.signalingState === 'stable' &&
      a.localDescription !== null &&
      a.remoteDescription !== null &&
      a.#peer === b.id;
    if (!linked(this, peer) || !linked(peer, this)) return;
    for (const pc of [this, peer]) {
      pc.#setConnection('connecting');
    }
    setTimeout(() => {
      for (const [pc, other] of [
        [this, peer],
        [peer, this],
      ] as const) {
        if (pc.connectionState !== 'connecting') continue;
        pc.#setConnection('connected');
        for (const t of other.#transceivers) {
          // like browsers: a receiver for every m-line the other side sends on, tracks or not
          if (t.direction !== 'sendrecv' && t.direction !== 'sendonly') continue;
          const track = new FakeMediaStreamTrack(t.kind);
          pc.#remoteStream.addTrack(track);
          pc.ontrack?.({ track, streams: [pc.#remoteStream] });
        }
      }
    }, 2);
  }
}

/** A factory for CallSession's `createPeerConnection` option. @public */
export function fakePeerConnectionFactory(): (config: RTCConfiguration) => RTCPeerConnection {
  return (config) => new FakePeerConnection(config) as unknown as RTCPeerConnection;
}
