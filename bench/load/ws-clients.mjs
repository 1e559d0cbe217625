/**
 * Load generator for idle sessions and fan-out: holds thousands of WebSocket clients in this
 * one process and obeys IPC commands from bench/run.mjs.
 *
 *   { cmd: 'open', url, n, mode: 'bare' | 'visitor' | 'agent', token?, cookies?, origin?, concurrency?,
 *     subscribe? (visitor; default true) }
 *       opens n sockets (visitor: hello with the token + presence.subscribe; agent: hello with a
 *       session cookie, round-robin over `cookies`), answers { opened, failed, ms, errors }.
 *   { cmd: 'fanout', match, mode?, trigger: { url, method, headers?, body? }, timeoutMs }
 *       notes the time, fires the trigger (an HTTP request) and measures, per socket, the time
 *       until its next message containing `match` arrives (sockets of `mode` only); answers
 *       the latency percentiles.
 *   { cmd: 'count' } → { open }
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { percentile } from '../lib/stats.mjs';

const sockets = [];
let armed = null; // { match, t0, latencies: number[], done: Set, resolve }

function openOne(url, mode, opts, index) {
  return new Promise((resolve, reject) => {
    const headers = {};
    if (opts.origin) headers.origin = opts.origin;
    if (mode === 'agent' && opts.cookies?.length) {
      headers.cookie = opts.cookies[index % opts.cookies.length];
    }
    const ws = new WebSocket(url, { headers });
    let stage = 'connecting';
    let timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`timeout in ${stage}`));
    }, 30_000);
    const ok = () => {
      clearTimeout(timer);
      timer = null;
      stage = 'open';
      ws.mode = mode;
      sockets.push(ws);
      resolve();
    };
    ws.on('error', (e) => {
      if (timer) {
        clearTimeout(timer);
        reject(e);
      }
    });
    ws.on('close', (code, reason) => {
      if (timer) {
        clearTimeout(timer);
        reject(new Error(`closed ${code} ${reason.toString()} in ${stage}`));
      }
    });
    ws.on('message', (data) => {
      const text = data.toString();
      if (armed && !armed.done.has(ws) && text.includes(armed.match)) {
        armed.done.add(ws);
        armed.latencies.push(performance.now() - armed.t0);
        if (armed.done.size >= armed.expect) armed.resolve();
      }
      if (stage === 'hello' && text.includes('"session.welcome"')) {
        const welcome = JSON.parse(text);
        const hb = Number(welcome.heartbeatMs) || 0;
        if (hb > 0) {
          // keep the session alive the way the client engine does
          const iv = setInterval(
            () => ws.readyState === WebSocket.OPEN && ws.send('{"type":"session.ping"}'),
            Math.max(1000, hb * 0.5 + Math.random() * hb * 0.3),
          );
          ws.once('close', () => clearInterval(iv));
        }
        if (mode === 'visitor' && opts.subscribe !== false) {
          stage = 'subscribe';
          ws.send(JSON.stringify({ type: 'presence.subscribe', reqId: 's1' }));
        } else ok();
      } else if (stage === 'subscribe' && text.includes('"ack"') && text.includes('"s1"')) {
        ok();
      } else if ((stage === 'hello' || stage === 'subscribe') && text.includes('"error"')) {
        clearTimeout(timer);
        timer = null;
        ws.terminate();
        reject(new Error(`server error in ${stage}: ${text.slice(0, 300)}`));
      }
    });
    ws.on('open', () => {
      if (mode === 'bare') return ok();
      stage = 'hello';
      ws.send(
        JSON.stringify({
          type: 'session.hello',
          protocolVersion: opts.protocolVersion ?? 1,
          role: mode,
          ...(mode === 'visitor' ? { token: opts.token } : {}),
        }),
      );
    });
  });
}

async function open(msg) {
  const t0 = performance.now();
  const errors = new Map();
  let failed = 0;
  let next = 0;
  const conc = msg.concurrency ?? 200;
  const worker = async () => {
    while (next < msg.n) {
      const i = next++;
      try {
        await openOne(msg.url, msg.mode, msg, i);
      } catch (e) {
        failed++;
        const k = String(e.message ?? e).slice(0, 160);
        errors.set(k, (errors.get(k) ?? 0) + 1);
        if (failed > Math.max(50, msg.n * 0.02)) return;
      }
    }
  };
  await Promise.all(Array.from({ length: conc }, worker));
  return {
    opened: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
    failed,
    ms: performance.now() - t0,
    errors: Object.fromEntries(errors),
  };
}

async function fanout(msg) {
  const expect = sockets.filter(
    (s) => s.readyState === WebSocket.OPEN && (msg.mode === undefined || s.mode === msg.mode),
  ).length;
  const round = { match: msg.match, latencies: [], done: new Set(), expect, t0: 0, resolve: null };
  const finished = new Promise((r) => (round.resolve = r));
  armed = round;
  round.t0 = performance.now();
  const res = await fetch(msg.trigger.url, {
    method: msg.trigger.method ?? 'POST',
    headers: msg.trigger.headers ?? {},
    body: msg.trigger.body ?? null,
  });
  const triggerMs = performance.now() - round.t0;
  const status = res.status;
  await res.text();
  await Promise.race([finished, new Promise((r) => setTimeout(r, msg.timeoutMs ?? 10_000))]);
  armed = null;
  const l = round.latencies;
  return {
    status,
    expected: expect,
    received: l.length,
    triggerMs,
    p50: percentile(l, 50),
    p99: percentile(l, 99),
    max: l.length ? Math.max(...l) : NaN,
  };
}

process.on('message', (msg) => {
  void (async () => {
    let reply;
    try {
      if (msg.cmd === 'open') reply = await open(msg);
      else if (msg.cmd === 'fanout') reply = await fanout(msg);
      else if (msg.cmd === 'count')
        reply = { open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length };
      else reply = { error: `unknown cmd ${msg.cmd}` };
    } catch (e) {
      reply = { error: String(e?.stack ?? e) };
    }
    process.send({ ...reply, id: msg.id });
  })();
});
process.send({ ready: true });
