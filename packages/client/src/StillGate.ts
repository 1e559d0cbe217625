/**
 * The video gate while it rings, where the browser can draw it: a canvas track that sends
 * black frames, and at the accept the camera's current picture at once.
 *
 * With a plain gate (a disabled clone of the camera, LocalMediaManager) the first picture
 * after the accept is the camera's *next* frame: up to a whole frame interval later (50 ms at
 * 20 fps, 33 ms at 30 fps), on each side. Here the sender carries the canvas track instead.
 * While it rings the canvas is black and a frame is requested every `BLACK_EVERY_MS`, so the
 * encoder and the far side's decoder run as with the plain gate. At the accept `flash()`
 * draws the frame the camera shows at that moment (a hidden `<video>` plays a clone) and
 * requests it: it goes to the encoder at once. The camera itself follows on the sender
 * `HANDOVER_MS` later (LocalMediaManager), so its frames and full frame rate go on unchanged.
 *
 * Nothing of the camera reaches the canvas before `flash()`, which LocalMediaManager calls only
 * once the call is accepted and the video is not muted.
 */

/** How often a black frame is sent while it rings (timers of a hidden tab may stretch it). */
const BLACK_EVERY_MS = 100;
/**
 * How long after `flash()` the camera takes over the sender (the drawn frame is sent first).
 * 20 ms was enough where the page does little at the accept, but in the agent console, busy
 * with the call screen, the drawn frame was still waiting for the encoder in about one call in
 * three and was dropped: the visitor then waited for the camera's own frame, 45–110 ms after the
 * accept instead of about 27 (docs/performance-log.md). For 100 ms the picture stays still.
 */
export const HANDOVER_MS = 100;

/** @internal */
export class StillGate {
  /** What the sender carries while it rings. */
  readonly track: CanvasCaptureMediaStreamTrack;
  readonly #canvas: HTMLCanvasElement;
  readonly #video: HTMLVideoElement;
  /** The camera, and the clone of it that the hidden video plays. */
  readonly #camera: MediaStreamTrack;
  readonly #source: MediaStreamTrack;
  readonly #timer: ReturnType<typeof setInterval>;

  /** True where a canvas can be captured frame by frame (not in Node, not in old browsers). */
  static supported(): boolean {
    return (
      typeof document !== 'undefined' &&
      typeof HTMLCanvasElement !== 'undefined' &&
      typeof HTMLCanvasElement.prototype.captureStream === 'function' &&
      typeof CanvasCaptureMediaStreamTrack !== 'undefined' &&
      typeof CanvasCaptureMediaStreamTrack.prototype.requestFrame === 'function'
    );
  }

  constructor(camera: MediaStreamTrack) {
    const { width = 640, height = 480 } = camera.getSettings();
    const canvas = document.createElement('canvas');
    // The camera's size, although the sender starts at about 320 px: the encoder's ceiling
    // (and with it the rate the first picture is paced at) follows the size of the frames it
    // is given, not the size it sends. A canvas drawn at 320 px held the target bitrate at
    // 500 kbit/s against 0.95–1.4 Mbit/s, and the first pictures came in 28 ms later; one drawn
    // at twice the camera's size had more to draw and came in 5–9 ms later
    // (docs/performance-log.md, *the still's size*).
    canvas.width = width;
    canvas.height = height;
    this.#canvas = canvas;
    const track = canvas.captureStream(0).getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
    this.track = track;
    // a frame is captured only from a canvas drawn since the last one: black is drawn each time
    const black = (): void => {
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      track.requestFrame();
    };
    black();
    this.#timer = setInterval(black, BLACK_EVERY_MS);
    // The hidden video plays a clone, which stop() ends before letting go of it: emptying
    // the srcObject of a video that plays a live camera track stopped the (fake) camera's
    // frames for every other page of the browser (Chromium 156).
    this.#camera = camera;
    this.#source = camera.clone();
    this.#source.enabled = true;
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([this.#source]);
    // muted video may play without a gesture; if it does not, flash() finds no frame
    void video.play().catch(() => undefined);
    this.#video = video;
  }

  /**
   * Sends the camera's current picture now, and says whether it did. Nothing is sent when the
   * camera has shown no frame yet, as when the call is accepted within moments of the camera
   * starting: the camera's own next frame is then the first picture, as with the plain gate,
   * and the caller hands the sender over to it at once.
   */
  flash(): boolean {
    clearInterval(this.#timer);
    const video = this.#video;
    // a camera turned off meanwhile is not shown
    if (!this.#camera.enabled || this.#camera.readyState !== 'live') return false;
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return false;
    const canvas = this.#canvas;
    // the camera's size was not known or has changed: the picture is never stretched
    if (video.videoWidth > 0 && video.videoHeight > 0) {
      if (canvas.width !== video.videoWidth) canvas.width = video.videoWidth;
      if (canvas.height !== video.videoHeight) canvas.height = video.videoHeight;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return false;
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    this.track.requestFrame();
    return true;
  }

  /** Stops the canvas track and the clone; the camera itself stays the caller's. */
  stop(): void {
    clearInterval(this.#timer);
    this.track.stop();
    this.#source.stop();
    this.#video.srcObject = null;
  }
}
