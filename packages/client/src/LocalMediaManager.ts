/**
 * The local media of one call: the stream, the tracks held back until the call is accepted
 * (privacy while it rings: the m-lines say sendrecv, the senders stay empty), mute and video
 * replacement. Owned by CallSession; it only touches senders and transceivers of the peer
 * connection it is given and never negotiates itself (a track without an m-line is added,
 * and the peer connection's negotiationneeded takes it from there).
 */
import type { Logger } from './logger.ts';

/** @internal */
export class LocalMediaManager {
  #stream: MediaStream | null;
  #muted = { audio: false, video: false };
  /** Local tracks that go out only once the call is accepted. */
  #heldTracks: MediaStreamTrack[] = [];
  #sending = false;
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

  /**
   * Visitor, before the offer: one sendrecv transceiver per track (held, not sent yet), and a
   * receive-only video m-line when there is no camera (none at all for an audio-only call).
   */
  addVisitorTransceivers(stream: MediaStream, audioOnly: boolean | undefined): void {
    for (const track of stream.getTracks()) {
      if (audioOnly && track.kind === 'video') continue;
      this.#pc.addTransceiver(track.kind, { direction: 'sendrecv', streams: [stream] });
      this.#heldTracks.push(track);
    }
    if (audioOnly) {
      // receive-only video is not wanted either: an audio-only call has one m-line
    } else if (stream.getVideoTracks().length === 0) {
      this.#pc.addTransceiver('video', { direction: 'recvonly' });
    }
  }

  /** Keeps the stream's tracks to send once the call is accepted. */
  hold(stream: MediaStream): void {
    this.#stream = stream;
    this.#heldTracks = stream.getTracks();
    if (this.#sending) void this.startSending(true);
  }

  /**
   * Agent: the transceivers the offer created send too (tracks come at accept), also when the
   * camera is not known yet: a stream given only to accept() then needs no renegotiation.
   */
  prepareTransceivers(): void {
    const stream = this.#stream;
    for (const t of this.#pc.getTransceivers()) {
      if (t.currentDirection === 'stopped') continue;
      t.direction = 'sendrecv';
      // associates the stream so the other side's ontrack has it
      if (stream) (t.sender as Partial<RTCRtpSender>).setStreams?.(stream);
    }
  }

  /** Puts the held tracks on the senders (no renegotiation: the m-lines already send). */
  async startSending(again = false): Promise<void> {
    if (this.#sending && !again) return;
    this.#sending = true;
    const used = new Set<RTCRtpTransceiver>();
    for (const track of this.#heldTracks) {
      const tr = this.#pc
        .getTransceivers()
        .find(
          (t) =>
            !used.has(t) &&
            t.currentDirection !== 'stopped' &&
            t.receiver.track.kind === track.kind &&
            (t.sender.track === null || t.sender.track === track),
        );
      if (tr) {
        used.add(tr);
        if (tr.direction !== 'sendrecv' && tr.direction !== 'sendonly') tr.direction = 'sendrecv';
        try {
          await tr.sender.replaceTrack(track);
        } catch (e) {
          this.#log.warn('replaceTrack failed', { error: String(e) });
        }
      } else if (!this.#pc.getSenders().some((s) => s.track === track)) {
        // no m-line for it: add it (renegotiates through call.signal)
        if (this.#stream) this.#pc.addTrack(track, this.#stream);
        else this.#pc.addTrack(track);
      }
    }
    this.setMuted('audio', this.#muted.audio);
    this.setMuted('video', this.#muted.video);
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
      if (s.track?.kind === kind) s.track.enabled = !muted;
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
      await sender.replaceTrack(track);
      if (track) track.enabled = !this.#muted.video;
      if (sender.track === null && track === null) return;
      return;
    }
    if (!track) return;
    const stream = this.#stream ?? undefined;
    if (stream) this.#pc.addTrack(track, stream);
    else this.#pc.addTrack(track);
  }
}
