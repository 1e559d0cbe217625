/**
 * The visitor's video and sound: one `<video>` for the whole call, kept in the page from the
 * ring to the hang-up.
 *
 * It is created when the visitor's stream arrives while it rings (the answer is prepared then;
 * the picture is black and the sound silent until the accept) and waits in a parking spot: a
 * one-pixel corner of the page. The call screen moves it into its stage and, when the agent
 * opens another page during the call, back to the parking spot, in the same task each time.
 * Two reasons:
 *
 * - A video created at the accept needs tens of milliseconds before it shows anything, and it
 *   missed the visitor's first picture: the agent saw the visitor 60–100 ms after accepting
 *   instead of about 30 (docs/performance-log.md).
 * - A media element taken out of the page is paused. With a video of its own, the call screen
 *   took the visitor's sound with it when the agent opened another page during the call.
 */

let video: HTMLVideoElement | null = null;
let parking: HTMLDivElement | null = null;

function parkingSpot(): HTMLDivElement {
  if (parking?.isConnected) return parking;
  parking = document.createElement('div');
  parking.setAttribute('aria-hidden', 'true');
  parking.dataset.testid = 'remote-parking';
  // in the page and rendered (not display:none), but not seen and not in the way
  parking.style.cssText =
    'position:fixed;right:0;bottom:0;width:1px;height:1px;overflow:hidden;opacity:0.01;pointer-events:none;z-index:-1';
  document.body.append(parking);
  return parking;
}

/**
 * The visitor's video playing `stream` (created and parked on first use). `park` (a call that
 * rings) moves it to the parking spot first: a call can ring while the agent is still on the
 * last one's wrap-up, whose stage holds the video, and its black picture does not belong there.
 */
export function playRemote(stream: MediaStream, park = false): HTMLVideoElement {
  if (!video) {
    video = document.createElement('video');
    video.className = 'remote';
    video.autoplay = true;
    video.playsInline = true;
    parkingSpot().append(video);
  } else if (park && video.parentNode !== parking) {
    parkingSpot().append(video);
  }
  if (video.srcObject !== stream) {
    video.srcObject = stream;
    // refused without a gesture on the page: autoplay starts it once one comes
    void video.play().catch(() => undefined);
  }
  return video;
}

/** Moves the visitor's video into `host` (the call screen's stage). */
export function showRemoteIn(host: HTMLElement, stream: MediaStream): void {
  const v = playRemote(stream);
  if (v.parentNode !== host) host.append(v);
}

/** Moves the visitor's video back to its parking spot (the call screen is closing). */
export function parkRemote(host: HTMLElement): void {
  if (video && video.parentNode === host) parkingSpot().append(video);
}

/**
 * The call whose visitor sent `stream` is over: the video lets go of it and leaves the page.
 * Nothing happens when the video already plays another call's stream (a call that rang while
 * the agent was still on the last one's wrap-up).
 */
export function releaseRemote(stream: MediaStream | null): void {
  if (!video || video.srcObject !== stream) return;
  video.srcObject = null;
  video.remove();
  video = null;
}
