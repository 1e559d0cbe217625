/**
 * In-page measurement shared by the three call pages (bare WebRTC, PeerJS, ours).
 * Times are absolute (performance.timeOrigin + performance.now()), so that times taken in the
 * visitor's and the agent's pages of one browser compare directly.
 * `window.bench` is what the driver (bench/browser/setup-latency.mjs) talks to.
 */
export const now = () => performance.timeOrigin + performance.now();

/**
 * True when the video's current frame shows a picture: not the black frames a disabled track
 * sends (ours sends those while it rings, so that the pipeline is warm when the call starts).
 */
export function showsPicture(v, canvas) {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(v, 0, 0, canvas.width, canvas.height);
  const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i] > 40 || px[i + 1] > 40 || px[i + 2] > 40) return true;
  }
  return false;
}

/**
 * Resolves with the time the first frame of the stream's video that shows a picture is presented.
 * `onReceived` gets the time its last packet arrived, where the browser tells
 * (requestVideoFrameCallback's receiveTime: WebRTC streams only).
 */
export function firstFrame(stream, onReceived) {
  return new Promise((resolve) => {
    const v = document.createElement('video');
    v.muted = true;
    v.autoplay = true;
    v.playsInline = true;
    v.width = 160;
    v.height = 120;
    v.srcObject = stream;
    document.body.append(v);
    const canvas = document.createElement('canvas');
    canvas.width = 32;
    canvas.height = 24;
    const onFrame = (_, meta) => {
      const t = now();
      if (showsPicture(v, canvas)) {
        if (meta.receiveTime !== undefined) onReceived?.(performance.timeOrigin + meta.receiveTime);
        resolve(t);
      } else v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
    void v.play().catch(() => {});
  });
}

/** A list of call records; waitFrame(i) resolves once record i has its first frame. */
export function createBench(extra = {}) {
  const calls = [];
  const waiters = new Map();
  const bench = {
    calls,
    current: null,
    begin(fields) {
      const rec = { ...fields };
      calls.push(rec);
      bench.current = rec;
      return rec;
    },
    frame(rec, t) {
      if (rec.tFrame !== undefined) return;
      rec.tFrame = t;
      const i = calls.indexOf(rec);
      waiters.get(i)?.(rec);
      waiters.delete(i);
    },
    fail(rec, error) {
      rec.error = String(error?.message ?? error);
      const i = calls.indexOf(rec);
      waiters.get(i)?.(rec);
      waiters.delete(i);
    },
    waitFrame(i) {
      const rec = calls[i];
      if (rec && (rec.tFrame !== undefined || rec.error)) return Promise.resolve(rec);
      return new Promise((resolve) => waiters.set(i, resolve));
    },
    clearVideos() {
      for (const v of document.querySelectorAll('video')) {
        v.srcObject = null;
        v.remove();
      }
    },
    ...extra,
  };
  window.bench = bench;
  return bench;
}

export function stopStream(stream) {
  for (const t of stream?.getTracks() ?? []) t.stop();
}
