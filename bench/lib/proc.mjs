/**
 * Process helpers: every server under test and every load generator runs in its own Node
 * process, started through `bash -c 'ulimit -n <hard>; exec node …'` so that it may hold
 * ~20,000 sockets, with an IPC channel for the probe (servers) and for results (load).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = join(BENCH_DIR, '..');
export const PROBE = join(BENCH_DIR, 'lib', 'probe.mjs');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Forget loopback TCP metrics left by earlier overloads (they slow later runs). */
export function clearTcpMetrics() {
  spawnSync('ip', ['tcp_metrics', 'delete', '127.0.0.1'], { stdio: 'ignore' });
  spawnSync('ip', ['tcp_metrics', 'flush', '127.0.0.0/8'], { stdio: 'ignore' });
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** What a stopped run must undo at once: processes to kill, temporary things to remove. */
const onStop = new Set();

/**
 * Registers `undo` (synchronous) to run if the bench is stopped by a signal (bench/run.mjs);
 * returns a function that forgets it, for when the thing is undone the normal way.
 */
export function whenStopped(undo) {
  onStop.add(undo);
  return () => onStop.delete(undo);
}

/** Runs every registered undo once, best effort (the signal handlers of bench/run.mjs). */
export function undoAll() {
  for (const undo of [...onStop]) {
    try {
      undo();
    } catch {
      /* best effort: the next undo still runs */
    }
  }
  onStop.clear();
}

/**
 * Makes this process stop on SIGINT and SIGTERM, undoing what it registered first. Playwright's
 * launch adds a SIGTERM handler of its own (it closes the browser it launched), and with any
 * handler Node no longer exits on that signal: without this a stopped run went on.
 */
export function exitOnSignals() {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ]) {
    process.on(signal, () => {
      undoAll();
      console.error(`\nstopped by ${signal}`);
      process.exit(code);
    });
  }
}

let nextId = 1;

/**
 * Starts `node [nodeArgs] script [args]` with the fd limit raised to the hard limit.
 * Returns { child, output(), request(msg) (IPC request/response by id), message(pred), stop() }.
 */
export function startNode(script, args = [], { env = {}, nodeArgs = [], cwd = REPO_ROOT } = {}) {
  const cmd = [process.execPath, ...nodeArgs, script, ...args]
    .map((a) => `'${String(a).replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const child = spawn('bash', ['-c', `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${cmd}`], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (d) => {
    output += d.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  if (process.env.BENCH_VERBOSE) {
    child.stdout.pipe(process.stderr);
    child.stderr.pipe(process.stderr);
  }
  const exited = new Promise((resolve) =>
    child.once('exit', (code, sig) => resolve({ code, sig })),
  );
  void exited.then(whenStopped(() => child.kill('SIGKILL')));
  const waiters = new Set();
  child.on('message', (m) => {
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.delete(w);
        w.resolve(m);
      }
    }
  });
  exited.then(({ code, sig }) => {
    for (const w of [...waiters]) {
      waiters.delete(w);
      w.reject(
        new Error(`${script} exited (${code ?? sig}) while waiting:\n${output.slice(-3000)}`),
      );
    }
  });
  const message = (pred, timeoutMs = 600_000) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`timeout waiting for a message from ${script}:\n${output.slice(-3000)}`));
      }, timeoutMs);
      const w = {
        pred,
        resolve: (m) => (clearTimeout(t), resolve(m)),
        reject: (e) => (clearTimeout(t), reject(e)),
      };
      waiters.add(w);
    });
  return {
    child,
    exited,
    output: () => output,
    message,
    /** Sends { ...msg, id } and waits for the reply with the same id. */
    request(msg, timeoutMs) {
      const id = nextId++;
      const p = message((m) => m && m.id === id, timeoutMs);
      child.send({ ...msg, id });
      return p;
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

/** Polls an HTTP URL until it answers 2xx. */
export async function waitForHttp(url, proc, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && proc.child.exitCode !== null) {
      throw new Error(`process exited before ${url} was ready:\n${proc.output().slice(-3000)}`);
    }
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready in ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Memory of a probed server after forced GCs. */
export async function probeMem(proc) {
  const r = await proc.request({ probe: 'mem' }, 60_000);
  return r.mem;
}

export async function probeCpu(proc) {
  const r = await proc.request({ probe: 'cpu' }, 10_000);
  return { cpu: r.cpu, t: r.t };
}

/** CPU share (0..1 of one core) between two probeCpu() results. */
export function cpuShare(a, b) {
  const used = b.cpu.user - a.cpu.user + (b.cpu.system - a.cpu.system);
  return used / Math.max(1, b.t - a.t);
}
