/**
 * Injected (Playwright addInitScript) into the real console and the demo shop's page for the
 * `product` way of figure 1: the product as people use it, with its own UI. It changes nothing
 * the product does; it watches:
 *
 * - the remote tracks (every RTCPeerConnection's `track` events), so that only videos playing
 *   the other person count, not the local preview;
 * - every `<video>` given a stream that plays the other person: each frame it presents
 *   (`requestVideoFrameCallback`) is drawn into a 32 × 24 canvas, and the first one that shows a
 *   picture (not the black frames sent while it rings) is recorded with the times the browser
 *   gives for it. A frame callback makes the page render a frame for each frame of the video,
 *   work no real page has, so a local preview is never followed and a remote video only until
 *   the picture is seen (until 2026-12-05 every video was, all the time: that kept the pages
 *   rendering at the preview's frame rate and flattered the shopper's side by about 10 ms on
 *   the slowest host).
 *   Both pages keep the other person's video in the page as a one-pixel spot before the
 *   accept, so a frame counts only once its video is laid out at a size a person can see (at
 *   least 64 × 48 px, clipped by what holds it, and at least half opaque): a picture decoded
 *   into that spot is not yet a picture shown;
 * - the click on the console's Accept button (capture phase, before the console's handler).
 *
 * `window.benchProbe` holds what was seen; the driver resets it before each accept and awaits
 * `whenPicture()` (a promise, so that nothing polls the page while it is measured).
 */
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const remote = new Set();
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('track', (e) => remote.add(e.track.id));
    }
  };
  let pictureSeen;
  let resolvePicture;
  /** Each watched video's `arm` (below), by video: reset() arms them again for the next call. */
  const arms = new Map();
  const probe = {
    accept: null,
    // the first picture: callback time, the browser's presentation and expected display times,
    // and its last packet's arrival (those three null when `onLayout`: see check() below)
    picture: null,
    reset() {
      this.accept = null;
      this.picture = null;
      pictureSeen = new Promise((r) => (resolvePicture = r));
      for (const arm of arms.values()) arm();
    },
    /** Resolves once `picture` is set: the driver awaits it instead of polling the page. */
    whenPicture() {
      return pictureSeen;
    },
  };
  probe.reset();
  window.benchProbe = probe;
  document.addEventListener(
    'click',
    (e) => {
      const b = e.target instanceof Element ? e.target.closest('button') : null;
      if (b && /^\s*Accept\b/.test(b.textContent ?? '')) probe.accept = now();
    },
    true,
  );
  const canvas = document.createElement('canvas');
  canvas.width = 32;
  canvas.height = 24;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const showsPicture = (v) => {
    ctx.drawImage(v, 0, 0, 32, 24);
    const px = ctx.getImageData(0, 0, 32, 24).data;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i] > 40 || px[i + 1] > 40 || px[i + 2] > 40) return true;
    }
    return false;
  };
  /** The video's box as a person sees it: clipped by its ancestors and the window, opaque. */
  const visible = (v) => {
    const r = v.getBoundingClientRect();
    let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
    let opacity = 1;
    for (let e = v; e;) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden') return false;
      opacity *= Number(cs.opacity);
      if (e !== v && cs.overflow !== 'visible') {
        const q = e.getBoundingClientRect();
        [left, top] = [Math.max(left, q.left), Math.max(top, q.top)];
        [right, bottom] = [Math.min(right, q.right), Math.min(bottom, q.bottom)];
      }
      const root = e.getRootNode();
      e = e.parentElement ?? (root instanceof ShadowRoot ? root.host : null);
    }
    [right, bottom] = [Math.min(right, innerWidth), Math.min(bottom, innerHeight)];
    [left, top] = [Math.max(left, 0), Math.max(top, 0)];
    return opacity >= 0.5 && right - left >= 64 && bottom - top >= 48;
  };
  const watch = (v) => {
    const rearm = arms.get(v);
    if (rearm) {
      rearm(); // a new stream
      return;
    }
    // when this video was seen to become visible (null while it is not), and the description of
    // the frame it presented last
    let visibleAt = null;
    let last = null;
    const isRemote = () => {
      const s = v.srcObject;
      return s instanceof MediaStream && s.getVideoTracks().some((x) => remote.has(x.id));
    };
    // Is the frame `meta` describes a picture? Checked on that frame itself, not on the video's
    // newest, which can be newer (the next callback describes that one). A picture presented
    // before its video became visible is shown from then on.
    //
    // On the layout that makes the video visible (`onLayout`), the frame the video holds is
    // what that layout paints, whether or not a callback has described it yet (one may still
    // come, or none). Chromium does not always call back for a frame presented while the video
    // is a one-pixel spot: the first picture then came into the spot, stayed there as the
    // video became visible, and the next callback was for the camera’s frame 100–300 ms later
    // (performance-log.md, *the watcher missed pictures already in the video*). Such a picture
    // is shown from the layout on; when it came in and was presented is not known.
    const check = (t, meta, onLayout = false) => {
      let frame;
      try {
        frame = new VideoFrame(v);
      } catch {
        return; // no frame to read (the stream changed meanwhile): the next callback tells
      }
      let described;
      try {
        described = frame.timestamp === Math.round(meta.mediaTime * 1e6);
        if (!(described || onLayout) || !showsPicture(frame)) return;
      } finally {
        frame.close();
      }
      const at = (x) => performance.timeOrigin + x;
      probe.picture = described
        ? {
            callback: t,
            presented: at(meta.presentationTime),
            displayed: Math.max(at(meta.expectedDisplayTime), visibleAt),
            // the two parts of `displayed`: the page's layout, and the frame's own display
            visible: visibleAt,
            expected: at(meta.expectedDisplayTime),
            received: meta.receiveTime !== undefined ? at(meta.receiveTime) : null,
            onLayout: false,
          }
        : {
            callback: t,
            presented: null,
            displayed: visibleAt,
            visible: visibleAt,
            expected: null,
            received: null,
            onLayout: true,
          };
      resolvePicture();
    };
    const seen = (t) => {
      if (!visible(v)) visibleAt = null;
      else if (visibleAt === null) visibleAt = t;
    };
    // A frame callback makes the page render a frame for each of the video's frames, work no
    // shopper's or agent's page has: so only a remote video is followed, and only until the
    // picture is seen (reset() and a new stream arm it again).
    let pending = false;
    const onFrame = (_, meta) => {
      pending = false;
      const t = now();
      last = meta;
      if (probe.picture !== null || !isRemote()) return;
      seen(t);
      if (visibleAt !== null) check(t, meta);
      if (probe.picture === null) arm();
    };
    const arm = () => {
      if (pending || v.srcObject === null) return;
      pending = true;
      v.requestVideoFrameCallback(onFrame);
    };
    arms.set(v, arm);
    arm();
    // the layout that makes it visible (it runs before that frame is painted)
    new ResizeObserver(() => {
      const t = now();
      if (probe.picture !== null || !isRemote()) return;
      const was = visibleAt;
      seen(t);
      if (was === null && visibleAt !== null && last) check(t, last, true);
    }).observe(v);
  };
  const src = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    configurable: true,
    get() {
      return src.get.call(this);
    },
    set(value) {
      src.set.call(this, value);
      if (value && this instanceof HTMLVideoElement) watch(this);
    },
  });
})();
