/**
 * Injected (Playwright addInitScript) into the real console and the demo shop's page for the
 * `product` way of figure 1: the product as people use it, with its own UI. It changes nothing
 * the product does; it watches:
 *
 * - the remote tracks (every RTCPeerConnection's `track` events), so that only videos playing
 *   the other person count, not the local preview;
 * - every `<video>` given a stream: each frame it presents (`requestVideoFrameCallback`) is
 *   drawn into a 32 × 24 canvas, and the first one of a remote video that shows a picture (not
 *   the black frames sent while it rings) is recorded with the times the browser gives for it;
 * - the click on the console's Accept button (capture phase, before the console's handler).
 *
 * `window.benchProbe` holds what was seen; the driver resets it before each accept.
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
  const probe = {
    accept: null,
    // the first picture: callback time, the browser's presentation and expected display times,
    // and its last packet's arrival
    picture: null,
    reset() {
      this.accept = null;
      this.picture = null;
    },
  };
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
  const watched = new WeakSet();
  const watch = (v) => {
    if (watched.has(v)) return;
    watched.add(v);
    const onFrame = (_, meta) => {
      const t = now();
      const s = v.srcObject;
      if (
        probe.picture === null &&
        s instanceof MediaStream &&
        s.getVideoTracks().some((x) => remote.has(x.id)) &&
        showsPicture(v)
      ) {
        probe.picture = {
          callback: t,
          presented: performance.timeOrigin + meta.presentationTime,
          displayed: performance.timeOrigin + meta.expectedDisplayTime,
          received:
            meta.receiveTime !== undefined ? performance.timeOrigin + meta.receiveTime : null,
        };
      }
      v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
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
