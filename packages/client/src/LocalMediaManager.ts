/**
 * The local media of one call: the stream, what the senders carry before and after the call is
 * accepted, mute and video replacement. Owned by CallSession; it only touches senders and
 * transceivers of the peer connection it is given and never negotiates itself (a track without
 * an m-line is added, and the peer connection's negotiationneeded takes it from there).
 *
 * While it rings the senders carry *gates*: disabled clones of the camera and microphone
 * tracks. A disabled track sends black frames and silence, so the encoders, the packetizers
 * and the far side's decoders and jitter buffers are running before anyone accepts, yet no
 * picture or sound of either person leaves the device. Accepting only enables the gates: the
 * next camera frame goes out at once, with no replaceTrack, no renegotiation and no encoder
 * start-up. The originals stay untouched (the local preview keeps showing the camera).
 *
 * A gated video sender also starts small: about 320 pixels wide. The first frame with a
 * picture after black ones is coded almost like a key frame, and at full size the pacer needs
 * tens of milliseconds to send it at the bandwidth estimate that black frames leave; small, it
 * arrives within a frame or two. The full size follows `FULL_SIZE_AFTER_MS` after accepting.
 *
 * Where the browser can capture a canvas frame by frame, a video gate is a *still*
 * (StillGate.ts) instead of a disabled clone: a black canvas while it rings, onto which the
 * accept draws the camera's current picture, so the first picture need not wait for the
 * camera's next frame; the camera (an enabled clone) takes over the sender right after.
 */
import type { Logger } from './logger.ts';
import { HANDOVER_MS, StillGate } from './StillGate.ts';

/** Width the gated video starts at (see above). */
const START_WIDTH = 320;
/** How long after accepting the video stays at its start size. */
const FULL_SIZE_AFTER_MS = 300;

/** @internal */
export class LocalMediaManager {
  #stream: MediaStream | null;
  #muted = { audio: false, video: false };
  /** Local tracks not on a sender yet (they go out once the call is accepted). */
  #heldTracks: MediaStreamTrack[] = [];
  /** Gate (the disabled clone on a sender) → the original track it stands for. */
  readonly #gates = new Map<MediaStreamTrack, MediaStreamTrack>();
  /** Gates of tracks that are no longer wanted (another stream came): closed, free for reuse. */
  readonly #stale = new Set<MediaStreamTrack>();
  /** Video gates that are stills (see above), by the track a sender carries. */
  readonly #stills = new Map<MediaStreamTrack, StillGate>();
  /** Stills being handed over to the camera (accepted), with the timer that does it. */
  readonly #handovers = new Map<MediaStreamTrack, ReturnType<typeof setTimeout>>();
  #sending = false;
  #fullSizeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Counts `freshPicture` calls (and `release`): only the latest sets the full size back. */
  #freshTurn = 0;
  readonly #pc: RTCPeerConnection;
  readonly #log: Logger;

  constructor(pc: RTCPeerConnection, stream: MediaStream | null, log: Logger) {
    this.#pc = pc;
    this.#stream = stream;
    this.#log = log;
  }

  get stream(): MediaStream | null {
    return this.#stream;
  }
  get muted(): { audio: boolean; video: boolean } {
    return { ...this.#muted };
  }
  /** True once real media goes out (the call was accepted). */
  get sending(): boolean {
    return this.#sending;
  }

  /**
   * Visitor, before the offer: one sendrecv transceiver per track carrying its gate, and a
   * receive-only video m-line when there is no camera (none at all for an audio-only call).
   */
  addVisitorTransceivers(stream: MediaStream, audioOnly: boolean | undefined): void {
    this.#stream = stream;
    for (const track of stream.getTracks()) {
      if (audioOnly && track.kind === 'video') continue;
      const init: RTCRtpTransceiverInit = { direction: 'sendrecv', streams: [stream] };
      if (track.kind === 'video')
        init.sendEncodings = [{ scaleResolutionDownBy: startScale(track) }];
      this.#pc.addTransceiver(this.#gate(track), init);
    }
    if (audioOnly) {
      // receive-only video is not wanted either: an audio-only call has one m-line
    } else if (stream.getVideoTracks().length === 0) {
      this.#pc.addTransceiver('video', { direction: 'recvonly' });
    }
  }

  /** Keeps the stream's tracks to send once the call is accepted. */
  hold(stream: MediaStream): void {
    if (stream !== this.#stream) {
      // another stream than the one the gates stand for: those gates make way for it
      for (const [gate, original] of this.#gates) {
        if (stream.getTracks().includes(original)) continue;
        gate.enabled = false;
        this.#stale.add(gate);
      }
    }
    this.#stream = stream;
    const gated = new Set(this.#gates.values());
    this.#heldTracks = stream.getTracks().filter((t) => !gated.has(t));
    if (this.#sending) void this.startSending(true);
  }

  /**
   * Agent, after applying the offer and before answering: the offer's transceivers send too,
   * and the held tracks go on them as gates, so the answer's media starts while it rings.
   */
  async prepareTransceivers(): Promise<void> {
    const stream = this.#stream;
    for (const t of this.#pc.getTransceivers()) {
      if (t.currentDirection === 'stopped') continue;
      t.direction = 'sendrecv';
      // associates the stream so the other side's ontrack has it
      if (stream) (t.sender as Partial<RTCRtpSender>).setStreams?.(stream);
    }
    await this.#attachHeld(true);
    await this.#setScale((track) => (this.#gates.has(track) ? startScale(track) : 1));
  }

  /** Real media goes out: the gates open, held tracks go on the senders (no renegotiation). */
  async startSending(again = false): Promise<void> {
    if (this.#sending && !again) return;
    this.#sending = true;
    // nothing held back (the gates went on while it rang): no await, so the gates open and
    // the still is drawn in the caller's task
    if (this.#heldTracks.length) await this.#attachHeld(false);
    this.setMuted('audio', this.#muted.audio);
    this.setMuted('video', this.#muted.video);
    this.#handOverStills();
    if (!again) {
      this.#fullSizeTimer = setTimeout(() => {
        void this.#setScale(1);
      }, FULL_SIZE_AFTER_MS);
    }
  }

  /**
   * Starts the outgoing video again from a key frame, small first, then at full size
   * `FULL_SIZE_AFTER_MS` later: for when the media comes back after an outage (a network
   * change). The far side cannot decode the frames that follow those lost in the outage, and
   * its browser asks for a key frame only seconds later; a new sending size makes the encoder
   * start over with a key frame at once. A small one crosses a new path, whose bandwidth
   * estimate starts low again, within a frame or two.
   */
  freshPicture(): void {
    if (!this.#sending) return;
    clearTimeout(this.#fullSizeTimer);
    this.#fullSizeTimer = undefined;
    const turn = ++this.#freshTurn;
    void this.#setScale((track) => Math.max(2, startScale(track))).then(() => {
      // a later call, or the end of the call, took over meanwhile
      if (turn !== this.#freshTurn) return;
      this.#fullSizeTimer = setTimeout(() => {
        void this.#setScale(1);
      }, FULL_SIZE_AFTER_MS);
    });
  }

  /** Mutes or unmutes the local audio or video track (no renegotiation). */
  setMuted(kind: 'audio' | 'video', muted: boolean): void {
    this.#muted[kind] = muted;
    const tracks = this.#stream
      ? kind === 'audio'
        ? this.#stream.getAudioTracks()
        : this.#stream.getVideoTracks()
      : [];
    for (const t of tracks) t.enabled = !muted;
    for (const s of this.#pc.getSenders()) {
      const track = s.track;
      if (track?.kind !== kind) continue;
      track.enabled = !muted && this.#mayOpen(track);
    }
  }

  /**
   * Replaces the outgoing video (camera switch, screen share). Uses replaceTrack when a video
   * sender exists; otherwise adds the track and renegotiates.
   */
  async replaceVideoTrack(track: MediaStreamTrack | null): Promise<void> {
    const sender = this.#pc
      .getTransceivers()
      .find((t) => t.receiver.track.kind === 'video' && t.currentDirection !== 'stopped')?.sender;
    if (sender) {
      const old = sender.track;
      const out = track && !this.#sending ? this.#gate(track) : track;
      if (out) out.enabled = !this.#muted.video && this.#mayOpen(out);
      await sender.replaceTrack(out);
      if (old) this.#dropGate(old);
      return;
    }
    if (!track) return;
    const stream = this.#stream ?? undefined;
    if (stream) this.#pc.addTrack(track, stream);
    else this.#pc.addTrack(track);
  }

  /** Stops the gates (the clones keep the camera on otherwise). The originals are the caller's. */
  release(): void {
    this.#freshTurn++;
    clearTimeout(this.#fullSizeTimer);
    for (const timer of this.#handovers.values()) clearTimeout(timer);
    this.#handovers.clear();
    for (const still of this.#stills.values()) still.stop();
    this.#stills.clear();
    for (const gate of this.#gates.keys()) gate.stop();
    this.#gates.clear();
    this.#stale.clear();
  }

  /**
   * What stands for `track` on a sender until the call is accepted, showing nothing of it: a
   * still for a camera where the browser can draw one, a disabled clone otherwise.
   */
  #gate(track: MediaStreamTrack): MediaStreamTrack {
    let gate: MediaStreamTrack;
    if (track.kind === 'video' && StillGate.supported()) {
      const still = new StillGate(track);
      this.#stills.set(still.track, still);
      gate = still.track;
    } else {
      gate = track.clone();
      gate.enabled = false;
    }
    this.#gates.set(gate, track);
    return gate;
  }

  /**
   * Whether a track on a sender may be enabled (when not muted): a track of its own, a gate
   * once the call is accepted and unless it went stale, and a still at any time (it is black
   * until the accept draws on it; enabled, its black frames go at their full rate, and the
   * first picture after them leaves sooner than after the few frames of a disabled track).
   */
  #mayOpen(track: MediaStreamTrack): boolean {
    if (this.#stale.has(track)) return false;
    if (this.#stills.has(track)) return true;
    return !this.#gates.has(track) || this.#sending;
  }

  /**
   * Accepted: each still on a sender sends the camera's current picture at once (unless the
   * video is muted), and `HANDOVER_MS` later an enabled clone of the camera replaces it, after
   * the drawn frame has left for the encoder. A still that drew nothing (muted, or no camera
   * frame yet) is replaced at once: there is no drawn frame to wait for, and the camera's next
   * frame is the first picture.
   */
  #handOverStills(): void {
    for (const sender of this.#pc.getSenders()) {
      const gate = sender.track;
      const still = gate ? this.#stills.get(gate) : undefined;
      const camera = gate ? this.#gates.get(gate) : undefined;
      if (!gate || !still || !camera || this.#stale.has(gate) || this.#handovers.has(gate)) {
        continue;
      }
      const wait = !this.#muted.video && still.flash() ? HANDOVER_MS : 0;
      const timer = setTimeout(() => {
        this.#handovers.delete(gate);
        // replaced meanwhile (another camera): #dropGate stopped it
        if (sender.track !== gate) return;
        const next = camera.clone();
        next.enabled = !this.#muted.video;
        this.#gates.set(next, camera);
        sender.replaceTrack(next).then(
          () => {
            this.#dropGate(gate);
          },
          (e: unknown) => {
            this.#log.warn('handing the camera over from the still failed', { error: String(e) });
            this.#gates.delete(next);
            next.stop();
          },
        );
      }, wait);
      this.#handovers.set(gate, timer);
    }
  }

  /** Sets the video senders' downscale (best effort: a sender may not support it). */
  async #setScale(scale: number | ((track: MediaStreamTrack) => number)): Promise<void> {
    for (const sender of this.#pc.getSenders()) {
      const track = sender.track;
      if (track?.kind !== 'video' || !('getParameters' in sender)) continue;
      try {
        const params = sender.getParameters();
        const enc = params.encodings[0];
        if (!enc) continue;
        enc.scaleResolutionDownBy = typeof scale === 'number' ? scale : scale(track);
        await sender.setParameters(params);
      } catch (e) {
        this.#log.debug('setting the video size failed', { error: String(e) });
      }
    }
  }

  #dropGate(track: MediaStreamTrack): void {
    if (!this.#gates.delete(track)) return;
    this.#stale.delete(track);
    this.#stills.get(track)?.stop();
    this.#stills.delete(track);
    track.stop();
  }

  /** A sender free for a track of `kind`: empty, or carrying a stale gate. */
  #freeFor(kind: string, used: Set<RTCRtpTransceiver>): RTCRtpTransceiver | undefined {
    return this.#pc.getTransceivers().find((t) => {
      if (used.has(t) || t.currentDirection === 'stopped' || t.receiver.track.kind !== kind) {
        return false;
      }
      const current = t.sender.track;
      return current === null || this.#stale.has(current);
    });
  }

  /**
   * Puts the held tracks on free senders: as gates while it rings (`gated`), as themselves
   * once accepted. A track with no m-line for it waits while it rings and is added (with a
   * renegotiation) once accepted.
   */
  async #attachHeld(gated: boolean): Promise<void> {
    const used = new Set<RTCRtpTransceiver>();
    const waiting: MediaStreamTrack[] = [];
    for (const track of this.#heldTracks) {
      const tr = this.#freeFor(track.kind, used);
      if (tr) {
        used.add(tr);
        if (tr.direction !== 'sendrecv' && tr.direction !== 'sendonly') tr.direction = 'sendrecv';
        const old = tr.sender.track;
        const out = gated ? this.#gate(track) : track;
        try {
          await tr.sender.replaceTrack(out);
          if (old) this.#dropGate(old);
        } catch (e) {
          this.#log.warn('replaceTrack failed', { error: String(e) });
          if (gated) this.#dropGate(out);
          waiting.push(track);
        }
      } else if (gated) {
        waiting.push(track);
      } else if (!this.#pc.getSenders().some((s) => s.track === track)) {
        // no m-line for it: add it (renegotiates through call.signal)
        if (this.#stream) this.#pc.addTrack(track, this.#stream);
        else this.#pc.addTrack(track);
      }
    }
    this.#heldTracks = waiting;
  }
}

/** The downscale that makes the track about START_WIDTH wide (1 when it is not wider). */
function startScale(track: MediaStreamTrack): number {
  const width = (track.getSettings as (() => MediaTrackSettings) | undefined)?.call(track).width;
  if (width === undefined) return 2; // a camera's usual 640 pixels
  return width > START_WIDTH ? width / START_WIDTH : 1;
}
