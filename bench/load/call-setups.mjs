/**
 * Load generator for figure 5: full call setups through the signaling path, with many
 * visitor/agent pairs, each pair one visitor socket and one agent console socket.
 *
 * One call (product): visitor `call.request` with an offer → agent gets `call.incoming` →
 * agent `call.accept` with an answer → visitor sees `call.state` connected → each side relays
 * two ICE candidates (`call.signal`, back to back as the SDK trickles them; until 2026-12-04
 * each waited for the previous one's ack) and waits for the other's → visitor `call.hangup`
 * (ack) and the agent sees `call.state` ended. Latency: from the call's scheduled start until
 * both sides are done. The same exchange through the bare relay (mode 'bare') is the no-storage
 * baseline.
 *
 * IPC: { cmd: 'connect', mode, url, origin?, token?, pairs: [{ cookie?, agentId }] }
 *      { cmd: 'run', rate (calls/s; 0 = closed loop, every pair back to back), durationMs }
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { eventLoopLag, percentile } from '../lib/stats.mjs';

const STEP_TIMEOUT = 10_000;
/** Product mode: visitor sockets per agent (they take turns). */
const VISITORS_PER_AGENT = 4;
/**
 * Product mode, closed loop: the shortest time between two calls of one agent. The server
 * allows 50 messages/s per session (token bucket, then close 4029); an agent console sends 3
 * per call (accept, two candidates) plus heartbeats, so one agent stays ≤ 14 calls/s.
 */
const MIN_AGENT_CALL_INTERVAL_MS = 70;
const sdp = (kind) =>
  [
    'v=0',
    `o=- 46117317${Math.floor(Math.random() * 1e9)} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS stream',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 ' + Array.from({ length: 32 }, () => 'AB').join(':'),
    `a=setup:${kind === 'offer' ? 'actpass' : 'active'}`,
    'a=mid:0',
    'a=sendrecv',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    ...Array.from({ length: 30 }, (_, i) => `a=rtpmap:${96 + i} VP8/90000`),
    ...Array.from({ length: 30 }, (_, i) => `a=rtcp-fb:${96 + i} nack pli`),
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101',
    'a=mid:1',
    'a=sendrecv',
    'a=ssrc:1234567890 cname:benchbenchbench',
  ].join('\r\n') + '\r\n';
const OFFER = { type: 'offer', sdp: sdp('offer') };
const ANSWER = { type: 'answer', sdp: sdp('answer') };
const candidate = (i) => ({
  candidate: `candidate:${1000 + i} 1 udp 2122260223 127.0.0.1 ${50000 + i} typ host generation 0 ufrag abcd network-id 1`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});

let reqSeq = 0;
const reqId = () => `r${++reqSeq}`;

/** A socket with an inbox: waiters see buffered messages first. */
class Peer {
  constructor(ws) {
    this.ws = ws;
    this.inbox = [];
    this.waiters = new Set();
    this.onPush = null;
    ws.on('message', (data) => {
      let m;
      try {
        m = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (this.onPush && this.onPush(m)) return;
      for (const w of this.waiters) {
        if (w.pred(m)) {
          this.waiters.delete(w);
          w.resolve(m);
          return;
        }
      }
      this.inbox.push(m);
      if (this.inbox.length > 200) this.inbox.shift();
    });
  }
  send(m) {
    this.ws.send(JSON.stringify(m));
  }
  wait(pred, what) {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: null };
      const t = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`timeout waiting for ${what}`));
      }, STEP_TIMEOUT);
      w.resolve = (m) => (clearTimeout(t), resolve(m));
      this.waiters.add(w);
    });
  }
  /** Request/ack: resolves with the ack, rejects with the error reply. */
  async request(m) {
    const id = reqId();
    const p = this.wait(
      (x) => (x.type === 'ack' || x.type === 'error') && x.reqId === id,
      `${m.type} ack`,
    );
    this.send({ ...m, reqId: id });
    const r = await p;
    if (r.type === 'error') throw new Error(`${m.type}: ${r.code} ${r.message}`);
    return r;
  }
}

function connect(url, headers) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    const t = setTimeout(() => reject(new Error('connect timeout')), 20_000);
    ws.once('open', () => (clearTimeout(t), resolve(ws)));
    ws.once('error', (e) => (clearTimeout(t), reject(e)));
    ws.once('close', (c, r) => (clearTimeout(t), reject(new Error(`closed ${c} ${r}`))));
  });
}

async function hello(peer, role, token) {
  const p = peer.wait((m) => m.type === 'session.welcome' || m.type === 'error', 'welcome');
  peer.send({ type: 'session.hello', protocolVersion: 1, role, ...(token ? { token } : {}) });
  const w = await p;
  if (w.type === 'error') throw new Error(`hello ${role}: ${w.code} ${w.message}`);
  const hb = Number(w.heartbeatMs) || 0;
  if (hb > 0) {
    const iv = setInterval(
      () => peer.ws.readyState === 1 && peer.send({ type: 'session.ping' }),
      hb / 2,
    );
    peer.ws.once('close', () => clearInterval(iv));
  }
}

let cfg = null;
const pairs = [];

async function setup(msg) {
  cfg = msg;
  for (const [i, p] of msg.pairs.entries()) {
    const headers = msg.origin ? { origin: msg.origin } : {};
    const agentWs = await connect(msg.url, p.cookie ? { ...headers, cookie: p.cookie } : headers);
    const visitorWs = await connect(msg.url, headers);
    const agent = new Peer(agentWs);
    const visitor = new Peer(visitorWs);
    if (msg.mode === 'bare') {
      const a = `a${i}`;
      const v = `v${i}`;
      agent.send({ hello: a });
      visitor.send({ hello: v });
      await agent.wait((m) => m.welcome === a, 'welcome');
      await visitor.wait((m) => m.welcome === v, 'welcome');
      // the bare agent answers like a console would, through the relay
      agent.onPush = (m) => {
        if (m.t === 'req') {
          agent.send({ to: v, t: 'acc', call: m.call, answer: ANSWER });
          agent.send({ to: v, t: 'cand', call: m.call, candidate: candidate(1) });
          agent.send({ to: v, t: 'cand', call: m.call, candidate: candidate(2) });
          return true;
        }
        if (m.t === 'hang') {
          agent.send({ to: v, t: 'ended', call: m.call });
          return true;
        }
        return m.t === 'cand';
      };
      pairs.push({ i, agent, visitor, a, v });
    } else {
      await hello(agent, 'agent');
      await hello(visitor, 'visitor', msg.token);
      // several visitors per agent, taking turns: each visitor socket stays far below the
      // server's per-session message limit (a real visitor makes one call, not hundreds)
      const visitors = [visitor];
      for (let k = 1; k < VISITORS_PER_AGENT; k++) {
        const v = new Peer(await connect(msg.url, headers));
        await hello(v, 'visitor', msg.token);
        visitors.push(v);
      }
      const pair = { i, agent, visitor, visitors, turn: 0, agentId: p.agentId };
      // the product's agent: accept every incoming call, then relay two candidates
      agent.onPush = (m) => {
        if (m.type !== 'call.incoming') return false;
        const callId = m.call.id;
        setImmediate(() => {
          for (const w of agent.waiters) {
            if (w.pred(m)) {
              agent.waiters.delete(w);
              w.resolve(m);
              break;
            }
          }
        });
        void (async () => {
          try {
            await agent.request({ type: 'call.accept', callId, answer: ANSWER });
            await sendCandidates(agent, callId, [1, 2]);
          } catch (e) {
            pair.agentError = e;
          }
        })();
        return true;
      };
      pairs.push(pair);
    }
  }
  return { pairs: pairs.length };
}

let callSeq = 0;

/**
 * Trickles candidates the way the SDK does (and the bare relay's exchange): each its own
 * `call.signal`, sent back to back without waiting for the previous one's ack; resolves once
 * every ack is in.
 */
function sendCandidates(client, callId, ids) {
  return Promise.all(
    ids.map((k) =>
      client.request({
        type: 'call.signal',
        callId,
        signal: { kind: 'candidate', candidate: candidate(k) },
      }),
    ),
  );
}

/** Per-step durations of product calls (ms), for finding where the time goes. */
let steps = {};
const mark = (name, t0) => (steps[name] ??= []).push(performance.now() - t0);

async function productCall(pair) {
  const { agent } = pair;
  const visitor = pair.visitors[pair.turn++ % pair.visitors.length];
  pair.visitor = visitor;
  pair.agentError = null;
  let t = performance.now();
  const incoming = agent.wait((m) => m.type === 'call.incoming', 'call.incoming');
  // waits registered ahead may never be awaited when an earlier step throws: keep their
  // rejections handled (the awaited path still sees them)
  incoming.catch(() => {});
  const ack = await visitor.request({
    type: 'call.request',
    agentId: pair.agentId,
    productIds: [],
    pageUrl: 'http://localhost/bench',
    offer: OFFER,
  });
  const callId = ack.data?.call?.id;
  if (!callId)
    throw new Error(`call.request ack without call: ${JSON.stringify(ack).slice(0, 200)}`);
  mark('request → ack', t);
  await incoming;
  mark('request → agent ringing', t);
  await visitor.wait(
    (m) => m.type === 'call.state' && m.call?.id === callId && m.call.status === 'connected',
    'call.state connected',
  );
  mark('request → visitor sees connected', t);
  t = performance.now();
  const agentCands = Promise.all(
    [1, 2].map(() =>
      visitor.wait(
        (m) => m.type === 'call.signal' && m.callId === callId && m.signal?.kind === 'candidate',
        'agent candidate',
      ),
    ),
  );
  agentCands.catch(() => {});
  await sendCandidates(visitor, callId, [3, 4]);
  await agentCands;
  mark('candidates both ways', t);
  t = performance.now();
  const agentEnded = agent.wait(
    (m) => m.type === 'call.state' && m.call?.id === callId && m.call.status === 'ended',
    'agent: call.state ended',
  );
  agentEnded.catch(() => {});
  await visitor.request({ type: 'call.hangup', callId });
  mark('hangup → ack', t);
  await agentEnded;
  mark('hangup → agent sees ended', t);
  if (pair.agentError) throw pair.agentError;
  // drop what this call left behind (relayed candidates, state pushes)
  agent.inbox.length = 0;
  visitor.inbox.length = 0;
}

async function bareCall(pair) {
  const { visitor, a } = pair;
  const call = `c${++callSeq}`;
  const acc = visitor.wait((m) => m.t === 'acc' && m.call === call, 'acc');
  const cands = Promise.all(
    [1, 2].map(() => visitor.wait((m) => m.t === 'cand' && m.call === call, 'cand')),
  );
  acc.catch(() => {});
  cands.catch(() => {});
  visitor.send({ to: a, t: 'req', call, offer: OFFER });
  await acc;
  visitor.send({ to: a, t: 'cand', call, candidate: candidate(3) });
  visitor.send({ to: a, t: 'cand', call, candidate: candidate(4) });
  await cands;
  const ended = visitor.wait((m) => m.t === 'ended' && m.call === call, 'ended');
  visitor.send({ to: a, t: 'hang', call });
  await ended;
}

async function run(msg) {
  steps = {};
  const doCall = cfg.mode === 'bare' ? bareCall : productCall;
  const lat = [];
  const errors = new Map();
  let failed = 0;
  let notStarted = 0;
  let inWindow = 0;
  const cpu0 = process.cpuUsage();
  // how late this process's own event loop ran (a call's latency includes it), on a 1 ms tick
  // like the open loop's own scheduler
  const lag = eventLoopLag(1);
  const start = performance.now();
  const deadline = start + msg.durationMs;
  const one = async (pair, sched) => {
    try {
      await doCall(pair);
      const done = performance.now();
      lat.push(done - sched);
      if (done <= deadline) inWindow++;
    } catch (e) {
      failed++;
      const k = String(e.message ?? e).slice(0, 200);
      errors.set(k, (errors.get(k) ?? 0) + 1);
      // let a half-finished call settle before the pair is reused
      await new Promise((r) => setTimeout(r, 200));
      pair.agent.inbox.length = 0;
      pair.visitor.inbox.length = 0;
    }
  };
  if (!msg.rate) {
    const minGap = cfg.mode === 'bare' ? 0 : MIN_AGENT_CALL_INTERVAL_MS;
    await Promise.all(
      pairs.map(async (pair) => {
        while (performance.now() < deadline) {
          const t = performance.now();
          await one(pair, t);
          const rest = minGap - (performance.now() - t);
          if (rest > 0) await new Promise((r) => setTimeout(r, rest));
        }
      }),
    );
  } else {
    // free pairs in turn (first freed, first used), each at most one call per minGap like the
    // closed loop: reusing the last freed pair would put most calls on a few agents and run
    // their consoles into the server's per-session message limit
    const minGap = cfg.mode === 'bare' ? 0 : MIN_AGENT_CALL_INTERVAL_MS;
    const free = [...pairs];
    const queue = [];
    const inflight = new Set();
    const dispatch = (sched) => {
      const pair = free.shift();
      if (!pair) return void queue.push(sched);
      const began = performance.now();
      const p = one(pair, sched)
        .then(() => {
          const rest = minGap - (performance.now() - began);
          return rest > 0 ? new Promise((r) => setTimeout(r, rest)) : undefined;
        })
        .then(() => {
          inflight.delete(p);
          free.push(pair);
          if (queue.length) dispatch(queue.shift());
        });
      inflight.add(p);
    };
    const total = Math.floor((msg.rate * msg.durationMs) / 1000);
    // bounded in time: calls still queued this long after the last scheduled start are dropped
    const giveUp = start + msg.durationMs + Math.max(2000, msg.durationMs / 2);
    let i = 0;
    while (i < total) {
      const now = performance.now();
      while (i < total && start + (i * 1000) / msg.rate <= now)
        dispatch(start + (i++ * 1000) / msg.rate);
      await new Promise((r) => setTimeout(r, 1));
    }
    while ((inflight.size || queue.length) && performance.now() < giveUp) {
      await Promise.race([...inflight, new Promise((r) => setTimeout(r, 50))]);
    }
    notStarted = queue.length;
    queue.length = 0;
    while (inflight.size) await Promise.race([...inflight, new Promise((r) => setTimeout(r, 50))]);
  }
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const loadLag = lag.stop();
  return {
    completed: lat.length,
    failed,
    notStarted,
    errors: Object.fromEntries(errors),
    elapsedMs: elapsed,
    // closed loop: calls completed within the phase; open loop: all completed over the time taken
    perSecond: msg.rate ? (lat.length * 1000) / elapsed : (inWindow * 1000) / msg.durationMs,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    max: lat.length ? Math.max(...lat) : NaN,
    loadCpu: (cpu.user + cpu.system) / 1000 / elapsed,
    loadLag,
    steps: Object.fromEntries(
      Object.entries(steps).map(([k, v]) => [
        k,
        { p50: percentile(v, 50), p99: percentile(v, 99) },
      ]),
    ),
  };
}

process.on('message', (msg) => {
  void (async () => {
    let reply;
    try {
      if (msg.cmd === 'connect') reply = await setup(msg);
      else if (msg.cmd === 'run') reply = await run(msg);
      else reply = { error: `unknown cmd ${msg.cmd}` };
    } catch (e) {
      reply = { error: String(e?.stack ?? e) };
    }
    process.send({ ...reply, id: msg.id });
  })();
});
process.send({ ready: true });
