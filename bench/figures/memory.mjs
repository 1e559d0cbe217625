/**
 * Figure 3: idle WebSocket memory per connection at 19,900 connections.
 * Baseline: the bare `ws` server (bench/servers/bare-ws.mjs). Ours: the product server with
 * (a) visitor sessions (hello with a visitor token from the public agents API, then
 * presence.subscribe) and (b) agent sessions (hello with mia's session cookie; one agent may
 * hold many consoles). The server process reports process.memoryUsage() after forced GCs
 * before and after the sockets open; per connection = delta / sockets open.
 */
import { clearTcpMetrics, probeMem, sleep } from '../lib/proc.mjs';
import { DEMO, productAvailable, publicAgents, signIn, startProduct } from '../lib/product.mjs';
import { summarize } from '../lib/stats.mjs';
import { check, startBare, startLoad } from './common.mjs';

async function measureOnce(variant, n, log, quick = false) {
  clearTcpMetrics();
  const server = variant === 'bare' ? await startBare() : await startProduct();
  const load = await startLoad();
  try {
    const open = { cmd: 'open', n, mode: variant, url: server.wsUrl };
    if (variant === 'visitor') {
      const pub = await publicAgents(server.url);
      open.token = pub.visitorToken;
      open.origin = server.url;
    } else if (variant === 'agent') {
      open.cookies = [await signIn(server.url, DEMO.agents[0])];
      open.origin = server.url;
    }
    await sleep(500);
    const before = await probeMem(server.proc);
    const r = check(await load.request(open, 600_000), `open ${variant}`);
    await sleep(quick ? 1000 : 2000);
    const after = await probeMem(server.proc);
    const sockets = r.opened;
    const res = {
      variant,
      sockets,
      failed: r.failed,
      errors: r.errors,
      openMs: r.ms,
      rssKB: (after.rss - before.rss) / 1024 / Math.max(1, sockets),
      heapKB:
        (after.heapUsed + after.external - (before.heapUsed + before.external)) /
        1024 /
        Math.max(1, sockets),
      rssMBAfter: after.rss / 1024 / 1024,
    };
    log(
      `  memory ${variant}: ${sockets}/${n} open in ${(r.ms / 1000).toFixed(1)} s, ` +
        `${res.rssKB.toFixed(2)} KB RSS, ${res.heapKB.toFixed(2)} KB heap+external per socket` +
        (r.failed ? ` (${r.failed} failed: ${JSON.stringify(r.errors)})` : ''),
    );
    return res;
  } finally {
    await server.stop();
    await load.stop('SIGKILL');
  }
}

export async function memory(ctx) {
  const n = ctx.connections ?? (ctx.quick ? 1000 : 19_900);
  const reps = ctx.repeat ?? (ctx.quick ? 1 : 3);
  const variants = ['bare'];
  if (productAvailable()) variants.push('visitor', 'agent');
  else ctx.log('  memory: packages/server/dist/main.js missing; baseline only');
  const runs = { bare: [], visitor: [], agent: [] };
  for (let r = 0; r < reps; r++) {
    for (const v of variants) {
      try {
        runs[v].push(await measureOnce(v, n, ctx.log, ctx.quick));
      } catch (e) {
        ctx.log(`  memory ${v} failed: ${e.message.split('\n')[0]}`);
        runs[v].push({ variant: v, error: e.message.slice(0, 2000) });
      }
    }
  }
  const ok = (v) => runs[v].filter((x) => !x.error && x.sockets >= n * 0.98);
  const bareRss = summarize(ok('bare').map((x) => x.rssKB));
  const rows = [];
  rows.push({
    id: 'memory.bare',
    figure: `Idle WS memory per connection, bare ws (${n} sockets)`,
    unit: 'KB',
    baseline: bareRss,
    ours: null,
    note: `heap+external ${summarize(ok('bare').map((x) => x.heapKB)).median.toFixed(2)} KB`,
  });
  const bareHeap = summarize(ok('bare').map((x) => x.heapKB));
  for (const v of ['visitor', 'agent']) {
    if (!variants.includes(v)) continue;
    const ours = summarize(ok(v).map((x) => x.rssKB));
    const ratio = ours.median / bareRss.median;
    const failures = runs[v].filter((x) => x.error || x.sockets < n * 0.98);
    rows.push({
      id: `memory.${v}`,
      figure: `Idle WS memory per connection, ${v} sessions (${n} sockets, RSS)`,
      unit: 'KB',
      ours,
      baseline: bareRss,
      ratio,
      target: '≤ 1.3× bare',
      pass: ours.n > 0 && bareRss.n > 0 ? ratio <= 1.3 : false,
      note:
        `heap+external ${summarize(ok(v).map((x) => x.heapKB)).median.toFixed(2)} KB` +
        (failures.length
          ? `; ${failures.length} run(s) short of ${n} sockets: ${JSON.stringify(
              failures.map(
                (f) => f.error?.split('\n')[0] ?? `${f.sockets} open, ${JSON.stringify(f.errors)}`,
              ),
            ).slice(0, 400)}`
          : ''),
    });
  }
  for (const v of ['visitor', 'agent']) {
    if (!variants.includes(v)) continue;
    const heap = summarize(ok(v).map((x) => x.heapKB));
    rows.push({
      id: `memory.${v}.heap`,
      figure: `Idle WS memory per connection, ${v} sessions (JS heap + external)`,
      unit: 'KB',
      ours: heap,
      baseline: bareHeap,
      ratio: heap.median / bareHeap.median,
      target: '≤ 1.3× bare',
      pass: heap.n > 0 && bareHeap.n > 0 ? heap.median / bareHeap.median <= 1.3 : false,
      note: 'V8 heap used + external after forced GCs: what the session objects themselves cost',
    });
  }
  return { rows, raw: runs };
}
