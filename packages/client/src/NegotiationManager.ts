/**
 * The SDP and ICE side of one call's peer connection: the first offer (visitor) or the answer
 * prepared while it rings (agent), renegotiation over call.signal with the perfect-negotiation
 * pattern (visitor polite), trickle ICE with both-way buffering, and ICE restarts. All signal
 * handling is serialized on one queue. Owned by CallSession, which hands it the call id and
 * the call's end as callbacks; it knows nothing of the call's state machine.
 */
import type { FluxError, Signal } from '@flux/protocol';
import { mediaErrorFrom } from './errors.ts';
import type { Logger } from './logger.ts';
import type { SignalingClient } from './SignalingClient.ts';

/** What the manager needs from its CallSession. @internal */
export interface NegotiationDeps {
  pc: RTCPeerConnection;
  role: 'visitor' | 'agent';
  signaling: SignalingClient;
  log: Logger;
  /** How long to gather candidates at most before the offer/answer is taken (ms). */
  iceGatheringTimeoutMs: number;
  /** A local candidate of this kind (or a better one) lets the offer/answer go at once. */
  enoughCandidate: CandidateKind;
  callId: () => string | null;
  ended: () => boolean;
  /** A remote description could not be applied. */
  onError: (err: FluxError) => void;
  /** Visitor: the agent's console is accepting (media may flow before the record says so). */
  onAccepted: () => void;
}

/** Local candidate kinds, from the least to the most widely reachable. @internal */
export type CandidateKind = 'host' | 'srflx' | 'relay';
const CANDIDATE_RANK: Record<string, number> = { host: 0, srflx: 1, prflx: 1, relay: 2 };

/** @internal */
export class NegotiationManager {
  readonly #d: NegotiationDeps;
  readonly #polite: boolean;
  #queue: Promise<void> = Promise.resolve();
  #makingOffer = false;
  #ignoreOffer = false;
  #ready = false;
  /** Remote candidates that arrived before the remote description. */
  #pendingRemoteCandidates: RTCIceCandidateInit[] = [];
  /** Local candidates we may not send yet (no call id, or agent not accepted). */
  #pendingLocalCandidates: RTCIceCandidateInit[] = [];
  #canSendCandidates = false;
  /** Each description sent gets the next number, and where the last one's request stands. */
  #descriptions = 0;
  #lastDescription: 'unsettled' | 'answered' | 'failed' = 'answered';
  /** The best kind of local candidate gathered so far (CANDIDATE_RANK), and who waits for it. */
  #bestLocal = -1;
  #onLocalCandidate: (() => void) | null = null;

  constructor(deps: NegotiationDeps) {
    this.#d = deps;
    this.#polite = deps.role === 'visitor';
    deps.pc.onicecandidate = ({ candidate }) => {
      if (!candidate?.candidate) return;
      const kind = / typ (\w+)/.exec(candidate.candidate)?.[1] ?? '';
      this.#bestLocal = Math.max(this.#bestLocal, CANDIDATE_RANK[kind] ?? -1);
      this.#onLocalCandidate?.();
      const init = candidate.toJSON();
      // no call id yet, or the answer not out: sent by releaseCandidates() (those gathered
      // before the description was taken are inside it as well)
      if (!this.#canSendCandidates) {
        this.#pendingLocalCandidates.push(init);
        return;
      }
      this.#sendCandidate(init);
    };
    deps.pc.onnegotiationneeded = () => {
      if (this.#ready) void this.negotiate();
    };
  }

  /** True once the initial offer/answer is complete and renegotiation may start. */
  get ready(): boolean {
    return this.#ready;
  }

  setReady(): void {
    this.#ready = true;
  }

  /** Local candidates may go out from now on (the buffered ones go now). */
  releaseCandidates(): void {
    this.#canSendCandidates = true;
    this.#flushLocalCandidates();
  }

  /** Visitor: creates the first offer and waits for ICE gathering; it goes out in call.request. */
  async createInitialOffer(): Promise<RTCSessionDescriptionInit> {
    this.#makingOffer = true;
    try {
      await this.#d.pc.setLocalDescription(await this.#d.pc.createOffer());
    } finally {
      this.#makingOffer = false;
    }
    return this.#gathered();
  }

  /**
   * Agent, while it rings: applies the visitor's offer, creates the answer and gathers. Resolves
   * with the answer (null without an offer); `beforeAnswer` runs once the offer's transceivers exist.
   */
  prepareAnswer(
    offerSdp: string | undefined,
    beforeAnswer: () => Promise<void>,
  ): Promise<RTCSessionDescriptionInit | null> {
    return this.#enqueue(async () => {
      if (!offerSdp) return null;
      const pc = this.#d.pc;
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      await this.#flushRemoteCandidates();
      await beforeAnswer();
      await pc.setLocalDescription(await pc.createAnswer());
      const answer = await this.#gathered();
      // early transport: the server passes the first console's answer to the visitor while it
      // rings, so ICE and DTLS are done before anyone accepts (the senders carry closed gates:
      // black frames and silence, see LocalMediaManager)
      if (!this.#d.ended() && answer.type === 'answer') {
        this.#sendDescription(answer);
        this.releaseCandidates();
      }
      return answer;
    });
  }

  /** Applies a call.signal from the other side (queued). */
  onSignal(signal: Signal): void {
    if (signal.kind === 'accepted') {
      if (this.#d.role === 'visitor') this.#d.onAccepted();
      return;
    }
    void this.#enqueue(async () => {
      if (this.#d.ended()) return;
      const pc = this.#d.pc;
      if (signal.kind === 'candidate') {
        const c = signal.candidate;
        const init: RTCIceCandidateInit = { candidate: c.candidate };
        if (c.sdpMid != null) init.sdpMid = c.sdpMid;
        if (c.sdpMLineIndex != null) init.sdpMLineIndex = c.sdpMLineIndex;
        if (c.usernameFragment != null) init.usernameFragment = c.usernameFragment;
        if (!pc.remoteDescription) {
          this.#pendingRemoteCandidates.push(init);
          return;
        }
        try {
          await pc.addIceCandidate(init);
        } catch (e) {
          if (!this.#ignoreOffer) this.#d.log.warn('addIceCandidate failed', { error: String(e) });
        }
        return;
      }
      const desc = signal.description;
      if (desc.type === 'rollback') return;
      const collision =
        desc.type === 'offer' && (this.#makingOffer || pc.signalingState !== 'stable');
      this.#ignoreOffer = !this.#polite && collision;
      if (this.#ignoreOffer) {
        this.#d.log.debug('ignoring colliding offer (impolite)');
        return;
      }
      try {
        if (collision) {
          await pc.setLocalDescription({ type: 'rollback' });
        }
        if (desc.type === 'answer' && pc.signalingState === 'stable') {
          // the answer we have, sent again after a reconnect (the same ICE credentials)
          const ufrag = iceUfrag(desc.sdp);
          if (ufrag !== null && ufrag === iceUfrag(pc.remoteDescription?.sdp)) return;
          // an answer for an offer we no longer have: another console of the agent took the
          // call than the one that prepared the transport. Negotiate afresh with it.
          if (this.#d.role === 'visitor') {
            this.#ready = true;
            pc.restartIce();
          }
          return;
        }
        await pc.setRemoteDescription({ type: desc.type, sdp: desc.sdp ?? '' });
        await this.#flushRemoteCandidates();
        if (desc.type === 'offer') {
          await pc.setLocalDescription(await pc.createAnswer());
          const local = pc.localDescription;
          if (local) this.#sendDescription(local);
        } else if (this.#d.role === 'visitor') {
          // the first answer completes the initial negotiation
          this.#ready = true;
        }
      } catch (e) {
        this.#d.log.warn('applying a remote description failed', { error: String(e) });
        this.#d.onError(mediaErrorFrom(e));
      }
    });
  }

  /** Sends a new offer over call.signal (queued). */
  negotiate(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#d.ended()) return;
      const pc = this.#d.pc;
      try {
        this.#makingOffer = true;
        await pc.setLocalDescription(await pc.createOffer());
        const local = pc.localDescription;
        if (local) this.#sendDescription(local);
      } catch (e) {
        this.#d.log.warn('renegotiation failed', { error: String(e) });
      } finally {
        this.#makingOffer = false;
      }
    });
  }

  /** Restarts ICE (the offer follows through negotiationneeded), once negotiation is ready. */
  restartIce(): void {
    if (this.#d.ended() || !this.#ready) return;
    this.#d.log.info('ICE restart');
    this.#d.pc.restartIce();
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Resolves with the local description, with the candidates gathered so far in it, once it
   * holds one of the kind `enoughCandidate` names, once gathering completes, or when the
   * timeout passes. The rest trickle (`call.signal`). Waiting for the end of gathering would
   * cost every call: Chromium gathers TCP host candidates last, about 120 ms in, and where a
   * network drops UDP silently a TURN server's UDP URL keeps gathering going for seconds while
   * its TCP relay candidate is there in about 60 ms (docs/performance-log.md, *click →
   * ringing without waiting for the end of gathering*).
   */
  #gathered(): Promise<RTCSessionDescriptionInit> {
    const pc = this.#d.pc;
    const done = (): RTCSessionDescriptionInit => {
      const d = pc.localDescription;
      if (!d) throw new Error('no local description');
      return { type: d.type, sdp: d.sdp };
    };
    const enough = (): boolean =>
      pc.iceGatheringState === 'complete' ||
      this.#bestLocal >= (CANDIDATE_RANK[this.#d.enoughCandidate] ?? 0);
    if (enough()) return Promise.resolve(done());
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', onChange);
        this.#onLocalCandidate = null;
        try {
          resolve(done());
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      };
      const onChange = (): void => {
        if (enough()) finish();
      };
      const timer = setTimeout(finish, this.#d.iceGatheringTimeoutMs);
      pc.addEventListener('icegatheringstatechange', onChange);
      this.#onLocalCandidate = onChange;
    });
  }

  async #flushRemoteCandidates(): Promise<void> {
    const list = this.#pendingRemoteCandidates;
    this.#pendingRemoteCandidates = [];
    for (const c of list) {
      try {
        await this.#d.pc.addIceCandidate(c);
      } catch (e) {
        this.#d.log.debug('buffered candidate rejected', { error: String(e) });
      }
    }
  }

  /** Agent: tells the visitor, over the transport's console, that media may flow now. */
  sendAccepted(): void {
    const callId = this.#d.callId();
    if (!callId) return;
    this.#d.signaling
      .request({ type: 'call.signal', callId, signal: { kind: 'accepted' } })
      .catch((e: unknown) => {
        this.#d.log.debug('sending accepted failed', { error: String(e) });
      });
  }

  #sendDescription(d: RTCSessionDescription | RTCSessionDescriptionInit): void {
    const callId = this.#d.callId();
    if (!callId || d.type === 'rollback') return;
    const n = ++this.#descriptions;
    this.#lastDescription = 'unsettled';
    this.#d.signaling
      .request({
        type: 'call.signal',
        callId,
        signal: { kind: 'description', description: { type: d.type, sdp: d.sdp ?? '' } },
      })
      .then(
        () => {
          if (n === this.#descriptions) this.#lastDescription = 'answered';
        },
        (e: unknown) => {
          this.#d.log.warn('sending a description failed', { error: String(e) });
          if (n === this.#descriptions) this.#lastDescription = 'failed';
        },
      );
  }

  /**
   * After a reconnect: the last description this side sent may not have reached the other
   * side (it went into a session that is gone, `newSession`, or its request timed out while
   * offline), and a negotiation would then wait for ever (an ICE restart's offer, or the answer
   * to one). If the negotiation still waits on it, the current one goes again: the same offer
   * or answer, with every candidate gathered since. A copy that did arrive is harmless: an
   * offer is answered again, an answer for a negotiation that is done is ignored.
   */
  resendUnconfirmed(newSession: boolean): void {
    const last = this.#lastDescription;
    const due = last === 'failed' || (newSession && last === 'unsettled');
    if (!due || this.#d.ended()) return;
    // queued: behind a description being applied, which may settle the negotiation
    void this.#enqueue(() => {
      const pc = this.#d.pc;
      const local = pc.localDescription;
      const waiting =
        local?.type === 'offer'
          ? pc.signalingState === 'have-local-offer'
          : local?.type === 'answer' && pc.signalingState === 'stable';
      if (local && waiting && !this.#d.ended()) {
        this.#d.log.info('sending the last description again', { type: local.type });
        this.#sendDescription(local);
      }
      return Promise.resolve();
    });
  }

  #sendCandidate(c: RTCIceCandidateInit): void {
    const callId = this.#d.callId();
    if (!callId || !c.candidate || this.#d.ended()) return;
    const candidate: {
      candidate: string;
      sdpMid?: string | null;
      sdpMLineIndex?: number | null;
      usernameFragment?: string | null;
    } = { candidate: c.candidate };
    if (c.sdpMid !== undefined) candidate.sdpMid = c.sdpMid;
    if (c.sdpMLineIndex !== undefined) candidate.sdpMLineIndex = c.sdpMLineIndex;
    if (c.usernameFragment !== undefined) candidate.usernameFragment = c.usernameFragment;
    this.#d.signaling
      .request({ type: 'call.signal', callId, signal: { kind: 'candidate', candidate } })
      .catch((e: unknown) => {
        this.#d.log.debug('sending a candidate failed', { error: String(e) });
      });
  }

  #flushLocalCandidates(): void {
    const list = this.#pendingLocalCandidates;
    this.#pendingLocalCandidates = [];
    // candidates already inside the description we sent need not go again, but sending
    // them is harmless and covers the ones gathered after the description was taken
    for (const c of list) this.#sendCandidate(c);
  }
}

/** The first ICE username fragment of an SDP: it differs between two peer connections. */
function iceUfrag(sdp: string | undefined): string | null {
  return sdp ? (/^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? null) : null;
}
