/**
 * Preloaded (`node --expose-gc --import bench/lib/probe.mjs server.js`) into every server the
 * benchmark measures, the product's and the bare baselines alike. It answers IPC requests from
 * the benchmark: `mem` runs a full GC a few times and returns process.memoryUsage(); `cpu`
 * returns process.cpuUsage() and a monotonic timestamp; `snapshot` writes a heap snapshot to
 * `file` (for diagnosing what a session costs); `lag` with `on: true` starts a histogram of how
 * late the event loop runs (a 2 ms tick) and with `on: false` stops it and returns its p50, p99
 * and max in ms past the tick (`eventLoopLag`); `profile` with `on: true` starts V8's CPU
 * profiler (`node:inspector`, a sample every `intervalUs`) and with `on: false` stops it and
 * writes the profile to `file` (a `.cpuprofile`, for Chrome DevTools or bench/lib/cpuprofile.mjs).
 * The IPC channel is unref'ed so it never keeps the server alive, and the server's own code is
 * untouched.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { eventLoopLag } from './stats.mjs';

const LAG_TICK_MS = 2;
let lag = null;
/** The inspector session while a CPU profile is being taken. */
let profiler = null;

/** Posts `method` to the inspector session and resolves with its result. */
const post = (session, method, params = {}) =>
  new Promise((resolve, reject) => {
    session.post(method, params, (err, res) => (err ? reject(err) : resolve(res)));
  });

if (typeof process.send === 'function') {
  process.on('message', (msg) => {
    if (!msg || typeof msg !== 'object' || typeof msg.probe !== 'string') return;
    void (async () => {
      if (msg.probe === 'mem') {
        for (let i = 0; i < 4; i++) {
          if (typeof globalThis.gc === 'function') globalThis.gc();
          await sleep(100);
        }
        process.send({ probe: 'mem', id: msg.id, mem: process.memoryUsage() });
      } else if (msg.probe === 'snapshot' && typeof msg.file === 'string') {
        const { writeHeapSnapshot } = await import('node:v8');
        process.send({ probe: 'snapshot', id: msg.id, file: writeHeapSnapshot(msg.file) });
      } else if (msg.probe === 'lag') {
        const result = lag?.stop() ?? null;
        lag = msg.on ? eventLoopLag(LAG_TICK_MS) : null;
        process.send({ probe: 'lag', id: msg.id, lag: result });
      } else if (msg.probe === 'profile') {
        let file = null;
        if (profiler) {
          const { profile } = await post(profiler, 'Profiler.stop');
          profiler.disconnect();
          profiler = null;
          if (typeof msg.file === 'string') {
            const { writeFileSync } = await import('node:fs');
            writeFileSync(msg.file, JSON.stringify(profile));
            file = msg.file;
          }
        }
        if (msg.on) {
          const { Session } = await import('node:inspector');
          profiler = new Session();
          profiler.connect();
          await post(profiler, 'Profiler.enable');
          await post(profiler, 'Profiler.setSamplingInterval', { interval: msg.intervalUs ?? 200 });
          await post(profiler, 'Profiler.start');
        }
        process.send({ probe: 'profile', id: msg.id, file });
      } else if (msg.probe === 'cpu') {
        process.send({
          probe: 'cpu',
          id: msg.id,
          cpu: process.cpuUsage(),
          t: Number(process.hrtime.bigint() / 1000n),
        });
      }
    })();
  });
  process.channel?.unref();
}
