/**
 * Ours: the product's engine (@flux/client) against the real server. The visitor's click →
 * getLocalMedia → startVisitorCall (offer ready with the request); the agent's console gets
 * `call.incoming` (ringing), prepares with prepareAgentCall while it rings, and accepts after
 * `ringMs` plus a random part of `ringSpreadMs` (a person picking up). Measured: click →
 * ringing, accept → first frame both sides.
 */
import {
  getLocalMedia,
  prepareAgentCall,
  SignalingClient,
  startVisitorCall,
  watchRoster,
} from '@flux/client';
import { createBench, firstFrame, now, stopStream } from './common.js';

const q = new URLSearchParams(location.search);
const role = q.get('role');
const ringMs = Number(q.get('ringMs') ?? 1000);
/**
 * A person picks up at any moment of the camera's frame interval. Without this spread, the
 * ring time (steady to a few ms) would pin every accept to one phase of the camera's frames,
 * and the figure would be that phase's luck: one frame interval (50 ms for Chromium's fake
 * camera at 20 fps) more or less, the same for all calls of a run.
 */
const ringSpreadMs = Number(q.get('ringSpreadMs') ?? 0);
// the product server (http://localhost:PORT); this page comes from another localhost origin, like a shop
const server = new URL(q.get('server') ?? location.origin);
const bench = createBench();
let call = null;
let stream = null;

function watch(rec, c) {
  rec.states = {};
  c.on('stateChanged', ({ to }) => (rec.states[to] = now()));
  let seen = false;
  c.on('remoteStream', (remote) => {
    if (seen) return;
    seen = true;
    void firstFrame(remote, (t) => (rec.tReceived = t)).then((t) => bench.frame(rec, t));
  });
  c.on('error', (e) => (rec.engineError = `${e.code}: ${e.message}`));
}

async function visitorToken() {
  const res = await fetch(
    `${server.origin}/api/v1/public/channels/${q.get('channel')}/agents?apiKey=${q.get('apiKey')}`,
  );
  if (!res.ok) {
    const why = `public agents: HTTP ${res.status} ${await res.text()}`;
    bench.lastError = why;
    throw new Error(why);
  }
  return (await res.json()).visitorToken;
}

const signaling = new SignalingClient({
  url: `ws://${server.host}/api/v1/ws`,
  role,
  ...(role === 'visitor' ? { getToken: visitorToken } : {}),
});
try {
  await signaling.connect();
} catch (e) {
  throw new Error(`${e.message}${bench.lastError ? ` (${bench.lastError})` : ''}`);
}

if (role === 'visitor') {
  let agents = [];
  watchRoster(signaling, (r) => (agents = r.agents));
  bench.agents = () => agents;
  document.querySelector('#call').addEventListener('click', () => {
    const rec = bench.begin({ t0: now() });
    void (async () => {
      stream = await getLocalMedia();
      rec.tMedia = now();
      call = startVisitorCall({
        signaling,
        localStream: stream,
        agentId: q.get('agentId'),
        productIds: [],
        pageUrl: location.href,
      });
      watch(rec, call);
      call.when('active').catch((e) => bench.fail(rec, e));
    })().catch((e) => bench.fail(rec, e));
  });
  bench.hangup = async () => {
    try {
      await call?.hangup();
    } catch {
      /* already ended */
    }
    call?.dispose();
    call = null;
    stopStream(stream);
    stream = null;
    bench.clearVideos();
  };
} else {
  signaling.on('call.incoming', (incoming) => {
    const rec = bench.begin({ tRing: now() });
    void (async () => {
      stream = await getLocalMedia();
      rec.tMedia = now();
      call = prepareAgentCall({ signaling, incoming, localStream: stream });
      watch(rec, call);
      const waited = now() - rec.tRing;
      setTimeout(
        () => {
          rec.tAccept = now();
          call.accept().catch((e) => bench.fail(rec, e));
        },
        Math.max(0, ringMs + Math.random() * ringSpreadMs - waited),
      );
    })().catch((e) => bench.fail(rec, e));
  });
  bench.hangup = async () => {
    const c = call;
    if (c) {
      await Promise.race([
        c.when('ended').catch(() => {}),
        new Promise((r) => setTimeout(r, 5000)),
      ]);
      c.dispose();
    }
    call = null;
    stopStream(stream);
    stream = null;
    bench.clearVideos();
  };
}
bench.ready = true;
