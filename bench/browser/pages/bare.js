/**
 * Bare WebRTC through the minimal relay (bench/servers/bare-ws.mjs): the visitor's click →
 * getUserMedia → offer → trickle ICE; the agent answers automatically with its own media.
 * No library, no server logic: the handshake alone.
 */
import { createBench, firstFrame, now, stopStream } from './common.js';

const q = new URLSearchParams(location.search);
const role = q.get('role');
const me = q.get('id');
const other = q.get('peer');
const bench = createBench();
let pc = null;
let stream = null;
let callNo = 0;
let pending = [];

const ws = new WebSocket(`ws://${location.host}/ws`);
const send = (m) => ws.send(JSON.stringify({ to: other, ...m }));
await new Promise((r) => ws.addEventListener('open', r, { once: true }));
ws.send(JSON.stringify({ hello: me }));

function makePc(rec, call) {
  pc = new RTCPeerConnection({ iceServers: [] });
  pc.onicecandidate = (e) => e.candidate && send({ t: 'cand', call, c: e.candidate.toJSON() });
  pc.onconnectionstatechange = () => {
    if (pc?.connectionState === 'connected') rec.tConnected ??= now();
  };
  pc.ontrack = (e) => {
    if (e.track.kind === 'video') void firstFrame(e.streams[0]).then((t) => bench.frame(rec, t));
  };
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
}

async function flush() {
  const list = pending;
  pending = [];
  for (const c of list) await pc.addIceCandidate(c);
}

ws.addEventListener('message', (ev) => {
  const m = JSON.parse(ev.data);
  void (async () => {
    if (m.t === 'offer' && role === 'agent') {
      const rec = bench.begin({ tIncoming: now() });
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        makePc(rec, m.call);
        await pc.setRemoteDescription(m.sdp);
        await flush();
        await pc.setLocalDescription(await pc.createAnswer());
        send({ t: 'answer', call: m.call, sdp: pc.localDescription.toJSON() });
      } catch (e) {
        bench.fail(rec, e);
      }
    } else if (m.t === 'answer' && pc) {
      await pc.setRemoteDescription(m.sdp);
      await flush();
    } else if (m.t === 'cand') {
      if (pc?.remoteDescription) await pc.addIceCandidate(m.c);
      else pending.push(m.c);
    }
  })();
});

bench.hangup = () => {
  pc?.close();
  pc = null;
  stopStream(stream);
  stream = null;
  pending = [];
  bench.clearVideos();
};

document.querySelector('#call').addEventListener('click', () => {
  const rec = bench.begin({ t0: now() });
  const call = `${me}-${++callNo}`;
  void (async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      makePc(rec, call);
      await pc.setLocalDescription(await pc.createOffer());
      send({ t: 'offer', call, sdp: pc.localDescription.toJSON() });
    } catch (e) {
      bench.fail(rec, e);
    }
  })();
});
bench.ready = true;
