/**
 * Figure 5: full call setups per second through the signaling path (bench/load/call-setups.mjs
 * says what one call is), on SQLite and on PostgreSQL, beside the same exchange through the
 * bare relay (no storage, no validation: the upper bound of one Node process).
 * Two measurements per backend: closed loop (every pair calls back to back: the most setups
 * per second) and open loop at 500 calls/s (latency p50/p99 at the target rate, counted from
 * each call's scheduled start so that queueing shows).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { clearTcpMetrics, cpuShare, probeCpu, sleep } from '../lib/proc.mjs';
import {
  api,
  DEMO,
  productAvailable,
  publicAgents,
  signIn,
  startProduct,
} from '../lib/product.mjs';
import { summarize } from '../lib/stats.mjs';
import { check, startBare, startLoad } from './common.mjs';

const RATE = 500;

/**
 * CPU seconds (user + system) used so far by the PostgreSQL backends serving this run's
 * temporary database (`flux_bench_<pid of this process>_…`, named by startProduct): PostgreSQL
 * shares the cores, so its work per call is part of what limits the figure.
 */
function pgBackendCpu() {
  const tag = `flux_bench_${process.pid}_`;
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(tag)) continue;
      const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100; // USER_HZ
}

async function preparePairs(server, n, log) {
  const admin = await signIn(server.url, DEMO.admin);
  const pairs = [];
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const email = `bench-agent-${i}@groovy-hats.test`;
    await api(server.url, admin, 'POST', '/admin/agents', {
      email,
      name: `Bench Agent ${i}`,
      password: 'bench-password-2026',
      role: 'agent',
    });
    const cookie = await signIn(server.url, email, 'bench-password-2026');
    const me = await api(server.url, cookie, 'GET', '/me');
    await api(server.url, cookie, 'PATCH', '/me', { status: 'online' });
    pairs.push({ cookie, agentId: me.user.id });
  }
  log(`  created and signed in ${n} agents in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return pairs;
}

async function measure(kind, ctx) {
  const n = ctx.quick ? 8 : 50;
  const durationMs = ctx.quick ? 1500 : 8000;
  clearTcpMetrics();
  const server = kind === 'bare' ? await startBare() : await startProduct({ db: kind });
  const load = await startLoad('load/call-setups.mjs');
  try {
    let connect;
    if (kind === 'bare') {
      connect = {
        cmd: 'connect',
        mode: 'bare',
        url: server.wsUrl,
        pairs: Array.from({ length: n }, () => ({})),
      };
    } else {
      const pairs = await preparePairs(server, n, ctx.log);
      const pub = await publicAgents(server.url);
      connect = {
        cmd: 'connect',
        mode: 'product',
        url: server.wsUrl,
        origin: server.url,
        token: pub.visitorToken,
        pairs,
      };
    }
    check(await load.request(connect, 120_000), `${kind} connect`);
    // warm-up (JIT, statement caches), not counted
    check(
      await load.request({ cmd: 'run', rate: 100, durationMs: ctx.quick ? 500 : 1000 }, 60_000),
      'warm-up',
    );
    await sleep(300);
    const out = {};
    for (const [name, rate] of [
      ['closed', 0],
      ['open', RATE],
    ]) {
      // BENCH_PROFILE_DIR: a CPU profile of the server over each phase (not in the figures:
      // the profiler's own cost slows the server by a few percent).
      const profileDir = kind === 'bare' ? undefined : process.env.BENCH_PROFILE_DIR;
      if (profileDir) await server.proc.request({ probe: 'profile', on: true }, 10_000);
      await server.proc.request({ probe: 'lag', on: true }, 10_000);
      const c0 = await probeCpu(server.proc);
      const pg = kind.startsWith('postgres');
      const g0 = pg ? pgBackendCpu() : 0;
      const r = check(
        await load.request({ cmd: 'run', rate, durationMs }, 120_000),
        `${kind} ${name}`,
      );
      const c1 = await probeCpu(server.proc);
      r.serverCpu = cpuShare(c0, c1);
      r.serverLag = (await server.proc.request({ probe: 'lag', on: false }, 10_000)).lag;
      if (profileDir) {
        const file = `${profileDir}/setups-${kind}-${name}-${Date.now()}.cpuprofile`;
        await server.proc.request({ probe: 'profile', on: false, file }, 30_000);
        ctx.log(`  CPU profile of the server: ${file}`);
      }
      if (pg && r.completed > 0) {
        // backends that ended during the phase are not counted: a lower bound
        r.dbCpuMsPerCall = ((pgBackendCpu() - g0) * 1000) / r.completed;
      }
      out[name] = r;
      ctx.log(
        `  setups ${kind} ${name === 'closed' ? `closed loop, ${n} pairs` : `open loop at ${RATE}/s`}: ` +
          `${r.perSecond.toFixed(0)}/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ` +
          `${r.completed} ok, ${r.failed} failed${r.notStarted ? `, ${r.notStarted} dropped` : ''}, server CPU ${(r.serverCpu * 100).toFixed(0)}% (its event loop late by ${r.serverLag.p99.toFixed(1)} ms at p99, ${r.serverLag.max.toFixed(0)} ms at most), ` +
          `load CPU ${(r.loadCpu * 100).toFixed(0)}% (its event loop late by ${r.loadLag.p99.toFixed(1)} ms at p99, ${r.loadLag.max.toFixed(0)} ms at most)` +
          (r.dbCpuMsPerCall === undefined
            ? ''
            : `, PostgreSQL backends ${r.dbCpuMsPerCall.toFixed(2)} ms CPU per call`) +
          (r.failed ? ` ${JSON.stringify(r.errors).slice(0, 300)}` : ''),
      );
      await sleep(300);
    }
    return out;
  } finally {
    await server.stop();
    await load.stop('SIGKILL');
  }
}

/** Median over runs of each step's p50 in the closed loop, e.g. "request → ack 4.1 ms, …". */
function stepNote(runs) {
  const names = Object.keys(runs[0]?.closed?.steps ?? {});
  return names
    .map((n) => `${n} ${summarize(runs.map((r) => r.closed.steps[n]?.p50)).median.toFixed(1)} ms`)
    .join(', ');
}

export async function setups(ctx) {
  const reps = ctx.repeat ?? (ctx.quick ? 1 : 3);
  // the diagnostics only in full runs (keeps --quick under 2 minutes)
  const dbs = productAvailable()
    ? ['sqlite', 'postgres', ...(ctx.quick ? [] : ['sqlite-tmpfs', 'postgres-async'])]
    : [];
  for (const d of ctx.db ?? []) {
    if (!['sqlite', 'postgres', 'sqlite-tmpfs', 'postgres-async'].includes(d))
      throw new Error(`--db: unknown database "${d}"`);
  }
  const kinds = ['bare', ...dbs.filter((d) => !ctx.db || ctx.db.includes(d))];
  const runs = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let r = 0; r < reps; r++) {
    for (const k of kinds) {
      try {
        runs[k].push(await measure(k, ctx));
      } catch (e) {
        ctx.log(`  setups ${k} failed: ${e.message.split('\n')[0]}`);
        runs[k].push({ error: e.message.slice(0, 2000) });
      }
    }
  }
  const ok = (k) => runs[k].filter((x) => !x.error);
  const S = (k, phase, f) => summarize(ok(k).map((x) => x[phase][f]));
  const rows = [];
  /** Server CPU time per call in the closed loop (ms), median over runs. */
  const cpuMs = (k) =>
    summarize(ok(k).map((x) => (x.closed.serverCpu * 1000) / x.closed.perSecond)).median.toFixed(2);
  const bareMax = S('bare', 'closed', 'perSecond');
  for (const k of kinds.filter((x) => x === 'sqlite' || x === 'postgres')) {
    const maxRate = S(k, 'closed', 'perSecond');
    const p50 = S(k, 'open', 'p50');
    const p99 = S(k, 'open', 'p99');
    const achieved = S(k, 'open', 'perSecond');
    const failedRuns = runs[k].filter((x) => x.error).length;
    const failedCalls = ok(k).reduce((a, x) => a + x.open.failed + x.closed.failed, 0);
    const cpu = S(k, 'closed', 'serverCpu').median;
    rows.push({
      id: `setups.${k}.max`,
      figure: `Call setups/s, ${k === 'sqlite' ? 'SQLite' : 'PostgreSQL'} (closed loop)`,
      unit: '/s',
      ours: maxRate,
      baseline: bareMax,
      ratio: maxRate.median / bareMax.median,
      target: '≥ 500/s',
      pass: maxRate.n > 0 && maxRate.median >= 500 && failedRuns === 0,
      note:
        `server CPU ${(cpu * 100).toFixed(0)}% of one core = ${cpuMs(k)} ms CPU per call ` +
        `(bare relay ${cpuMs('bare')} ms)` +
        (k === 'postgres'
          ? `, PostgreSQL backends ${S(k, 'closed', 'dbCpuMsPerCall').median.toFixed(2)} ms CPU per call`
          : '') +
        `, load generator CPU ` +
        `${(S(k, 'closed', 'loadCpu').median * 100).toFixed(0)}%; closed-loop p50 ${S(k, 'closed', 'p50').median.toFixed(1)} ms, ` +
        `p99 ${S(k, 'closed', 'p99').median.toFixed(1)} ms` +
        `; closed-loop step p50s: ${stepNote(ok(k))}` +
        (failedCalls ? `; ${failedCalls} calls failed` : '') +
        (failedRuns
          ? `; ${failedRuns} run(s) failed: ${runs[k].find((x) => x.error).error.split('\n')[0]}`
          : ''),
    });
    rows.push({
      id: `setups.${k}.p99`,
      figure: `Call setup p99 at ${RATE}/s offered, ${k === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
      unit: 'ms',
      ours: p99,
      baseline: S('bare', 'open', 'p99'),
      ratio: p99.median / S('bare', 'open', 'p99').median,
      target: '< 50 ms',
      pass: p99.n > 0 && p99.median < 50 && achieved.median >= RATE * 0.95,
      note:
        `p50 ${p50.median.toFixed(1)} ms (bare ${S('bare', 'open', 'p50').median.toFixed(1)} ms); achieved ` +
        `${achieved.median.toFixed(0)}/s of ${RATE}/s offered; event loops late at p99 (median over runs): ` +
        `server ${summarize(ok(k).map((x) => x.open.serverLag.p99)).median.toFixed(1)} ms, ` +
        `load generator ${summarize(ok(k).map((x) => x.open.loadLag.p99)).median.toFixed(1)} ms` +
        (S(k, 'open', 'notStarted').median > 0
          ? `; ${S(k, 'open', 'notStarted').median.toFixed(0)} calls still queued at the time limit were dropped (not in p99)`
          : ''),
    });
  }
  if (kinds.includes('sqlite-tmpfs')) {
    const t = S('sqlite-tmpfs', 'closed', 'perSecond');
    rows.push({
      id: 'setups.sqlite-tmpfs.max',
      figure: 'Diagnostic: call setups/s, SQLite file on tmpfs (fsync free)',
      unit: '/s',
      ours: t,
      baseline: bareMax,
      ratio: t.median / bareMax.median,
      note:
        `not a target: the same server with its SQLite file on /dev/shm, to show what the disk's fsync costs; ` +
        `server CPU ${(S('sqlite-tmpfs', 'closed', 'serverCpu').median * 100).toFixed(0)}% = ${cpuMs('sqlite-tmpfs')} ms CPU per call; open loop at ${RATE}/s: ` +
        `p99 ${S('sqlite-tmpfs', 'open', 'p99').median.toFixed(1)} ms, achieved ${S('sqlite-tmpfs', 'open', 'perSecond').median.toFixed(0)}/s; ` +
        `step p50s: ${stepNote(ok('sqlite-tmpfs'))}`,
    });
  }
  if (kinds.includes('postgres-async')) {
    const k = 'postgres-async';
    const p99 = S(k, 'open', 'p99');
    rows.push({
      id: 'setups.postgres-async.p99',
      figure: `Diagnostic: call setup p99 at ${RATE}/s, PostgreSQL not waiting for the WAL flush`,
      unit: 'ms',
      ours: p99,
      baseline: S('bare', 'open', 'p99'),
      ratio: p99.median / S('bare', 'open', 'p99').median,
      note:
        `not a target: the same server on a database with synchronous_commit = off, to show what ` +
        `the disk's flushes cost the p99 above (the product does not run so: a stored transition ` +
        `must survive a crash); p50 ${S(k, 'open', 'p50').median.toFixed(1)} ms, achieved ` +
        `${S(k, 'open', 'perSecond').median.toFixed(0)}/s; PostgreSQL backends ` +
        `${S(k, 'open', 'dbCpuMsPerCall').median.toFixed(2)} ms CPU per call in the open loop` +
        (kinds.includes('postgres')
          ? ` (${S('postgres', 'open', 'dbCpuMsPerCall').median.toFixed(2)} ms with the flushes)`
          : '') +
        `; closed loop ` +
        `${S(k, 'closed', 'perSecond').median.toFixed(0)}/s`,
    });
  }
  if (kinds.length === 1) {
    rows.push({
      id: 'setups.bare',
      figure: 'Call setups/s, bare relay (closed loop)',
      unit: '/s',
      baseline: bareMax,
      ours: null,
    });
  }
  return { rows, raw: runs };
}
