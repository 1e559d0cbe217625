/**
 * PeerJS (npm `peerjs`) with its own server (npm `peer`, bench/servers/peer-server.mjs): the
 * visitor's click → getUserMedia → peer.call(); the agent answers automatically with its media.
 */
import { Peer } from 'peerjs';
import { createBench, firstFrame, now, stopStream } from './common.js';

const q = new URLSearchParams(location.search);
const role = q.get('role');
const bench = createBench();
let stream = null;
let call = null;

const peer = new Peer(q.get('id'), {
  host: 'localhost',
  port: Number(q.get('peerPort')),
  path: '/',
  secure: false,
  debug: 0,
  config: { iceServers: [] },
});
await new Promise((resolve, reject) => {
  peer.once('open', resolve);
  peer.once('error', reject);
});

function watch(rec, c) {
  let seen = false;
  const pc = c.peerConnection;
  pc?.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'connected') rec.tConnected ??= now();
  });
  c.on('stream', (remote) => {
    if (seen) return;
    seen = true;
    void firstFrame(remote).then((t) => bench.frame(rec, t));
  });
  c.on('error', (e) => bench.fail(rec, e));
}

if (role === 'agent') {
  peer.on('call', (c) => {
    const rec = bench.begin({ tIncoming: now() });
    call = c;
    void (async () => {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      watch(rec, c);
      c.answer(stream);
    })().catch((e) => bench.fail(rec, e));
  });
}

bench.hangup = () => {
  call?.close();
  call = null;
  stopStream(stream);
  stream = null;
  bench.clearVideos();
};

document.querySelector('#call').addEventListener('click', () => {
  const rec = bench.begin({ t0: now() });
  void (async () => {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    call = peer.call(q.get('peer'), stream);
    watch(rec, call);
  })().catch((e) => bench.fail(rec, e));
});
bench.ready = true;
