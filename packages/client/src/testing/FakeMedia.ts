/**
 * Minimal MediaStream / MediaStreamTrack stand-ins for Node tests.
 * @public
 */
let trackIds = 0;

export class FakeMediaStreamTrack {
  readonly id = `track${++trackIds}`;
  readonly kind: 'audio' | 'video';
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  constructor(kind: 'audio' | 'video') {
    this.kind = kind;
  }
  stop(): void {
    this.readyState = 'ended';
  }
  /** Like MediaStreamTrack.clone(): a new track of the same source, with its own `enabled`. */
  clone(): FakeMediaStreamTrack {
    const c = new FakeMediaStreamTrack(this.kind);
    c.enabled = this.enabled;
    c.clonedFrom = this;
    return c;
  }
  /** The track this one was cloned from (tests check what a sender carries). */
  clonedFrom: FakeMediaStreamTrack | null = null;
}

let streamIds = 0;

export class FakeMediaStream {
  readonly id = `stream${++streamIds}`;
  readonly #tracks: FakeMediaStreamTrack[];
  constructor(tracks: FakeMediaStreamTrack[] = []) {
    this.#tracks = [...tracks];
  }
  getTracks(): FakeMediaStreamTrack[] {
    return [...this.#tracks];
  }
  getAudioTracks(): FakeMediaStreamTrack[] {
    return this.#tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks(): FakeMediaStreamTrack[] {
    return this.#tracks.filter((t) => t.kind === 'video');
  }
  addTrack(t: FakeMediaStreamTrack): void {
    if (!this.#tracks.includes(t)) this.#tracks.push(t);
  }
  removeTrack(t: FakeMediaStreamTrack): void {
    const i = this.#tracks.indexOf(t);
    if (i >= 0) this.#tracks.splice(i, 1);
  }
}

/** A camera + microphone stream, typed as the DOM's MediaStream for the engine's APIs. */
export function fakeLocalStream(audioOnly = false): MediaStream {
  const tracks = [new FakeMediaStreamTrack('audio')];
  if (!audioOnly) tracks.push(new FakeMediaStreamTrack('video'));
  return new FakeMediaStream(tracks) as unknown as MediaStream;
}
