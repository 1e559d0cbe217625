/**
 * Figure 1: call setup latency in real browsers. Runs bench/browser/setup-latency.mjs inside a
 * fresh loopback-only network namespace (ip netns), so that Chromium sees only loopback
 * candidates and nothing leaves the machine, then summarizes the in-page records.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, whenStopped } from '../lib/proc.mjs';
import { summarize } from '../lib/stats.mjs';

function runInNetns(args, log) {
  const ns = `flux-bench-${process.pid}`;
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`ip netns add failed (needs root): ${add.stderr}`);
  spawnSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], {
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    const forget = whenStopped(() => {
      // the driver undoes what it started itself (its servers) on SIGTERM
      child.kill('SIGTERM');
      spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d.toString();
      for (const line of d.toString().split('\n')) if (line.trim()) log(line);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20 * 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      forget();
      spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      if (code === 0) resolve();
      else reject(new Error(`setup-latency exited with ${code}: ${err.slice(-2000)}`));
    });
  });
}

/**
 * Runs the browser driver (bench/browser/setup-latency.mjs) with `args` in a fresh namespace and
 * returns the records it wrote; `figure` names it in the log and the temporary file.
 */
export async function runDriver(figure, args, log) {
  const file = join(tmpdir(), `flux-bench-${figure}-${process.pid}.json`);
  await runInNetns([join(BENCH_DIR, 'browser/setup-latency.mjs'), ...args, '--out', file], log);
  const data = JSON.parse(readFileSync(file, 'utf8'));
  rmSync(file, { force: true });
  if (data.error) log(`  ${figure} driver error: ${data.error.split('\n')[0]}`);
  return data;
}

export async function setup(ctx) {
  const calls = ctx.calls ?? (ctx.quick ? 3 : 15);
  const ringMs = ctx.ringMs ?? 1000;
  const data = await runDriver('setup', ['--calls', calls, '--ring-ms', ringMs], ctx.log);
  const good = (v) => data.records[v].filter((r) => !r.warmup && !r.error);
  const failed = (v) => data.records[v].filter((r) => !r.warmup && r.error).length;
  const S = (v, f) => summarize(good(v).map((r) => r[f]));
  const bare = S('bare', 'bothFrameMs');
  /** A figure 1 target row: ours against ≤ 0.3× the bare click → frame; failed calls fail it. */
  const acceptRow = (id, figure, way, field, note) => {
    const ours = S(way, field);
    const errs = data.records[way].filter((r) => !r.warmup && r.error);
    return {
      id,
      figure,
      unit: 'ms',
      ours,
      baseline: bare,
      ratio: ours.median / bare.median,
      target: '≤ 0.3× bare click → frame',
      pass: ours.n > 0 && errs.length === 0 ? ours.median / bare.median <= 0.3 : false,
      note:
        `${note}; ${good(way).length} calls` +
        (errs.length ? `, ${errs.length} failed (${errs[0].error})` : ''),
    };
  };
  const rows = [
    {
      id: 'setup.bare',
      figure: 'Bare WebRTC click → first frame both sides',
      unit: 'ms',
      ours: null,
      baseline: bare,
      note:
        `visitor ${S('bare', 'visitorFrameMs').median.toFixed(0)} ms, agent ${S('bare', 'agentFrameMs').median.toFixed(0)} ms; ` +
        `visitor transport connected → first frame ${S('bare', 'visitorConnectedToFrameMs').median.toFixed(0)} ms; ` +
        `${good('bare').length} calls` +
        (failed('bare') ? `, ${failed('bare')} failed` : ''),
    },
    {
      id: 'setup.peerjs',
      figure: 'PeerJS click → first frame both sides (2nd baseline)',
      unit: 'ms',
      ours: S('peerjs', 'bothFrameMs'),
      baseline: bare,
      ratio: S('peerjs', 'bothFrameMs').median / bare.median,
      note:
        `${good('peerjs').length} calls` + (failed('peerjs') ? `, ${failed('peerjs')} failed` : ''),
    },
  ];
  const fluxRecs = data.records.flux;
  if (fluxRecs.length) {
    const ring = S('flux', 'clickToRingMs');
    rows.push(
      {
        id: 'setup.flux.ring',
        figure: 'Ours: visitor click → agent console ringing',
        unit: 'ms',
        ours: ring,
        baseline: bare,
        ratio: ring.median / bare.median,
        note: 'baseline is the bare click → first frame, for scale',
      },
      acceptRow(
        'setup.flux.accept',
        `Ours: accept → first frame both sides (accept ${ringMs}–${ringMs + data.ringSpreadMs} ms after ringing)`,
        'flux',
        'acceptToBothFrameMs',
        `visitor ${S('flux', 'acceptToVisitorFrameMs').median.toFixed(0)} ms, agent ` +
          `${S('flux', 'acceptToAgentFrameMs').median.toFixed(0)} ms after accept; that frame's last packet in on both sides ` +
          `${S('flux', 'acceptToBothReceivedMs').median.toFixed(0)} ms after accept; visitor call active → first frame ` +
          `${S('flux', 'visitorConnectedToFrameMs').median.toFixed(0)} ms; click → both frames incl. the ${ringMs} ms ring ` +
          `${S('flux', 'bothFrameMs').median.toFixed(0)} ms`,
      ),
    );
  }
  if (data.records.product?.length) {
    // last packet in → presented, per picture side: a side whose picture waited for the black
    // frames' cadence in the renderer (up to half their interval) shows here as a long wait
    const sides = good('product').flatMap((r) =>
      [
        [r.acceptToVisitorReceivedMs, r.acceptToVisitorPresentedMs],
        [r.acceptToAgentReceivedMs, r.acceptToAgentPresentedMs],
      ]
        .filter(([inAt]) => inAt !== undefined)
        .map(([inAt, presentedAt]) => presentedAt - inAt),
    );
    const held = sides.filter((ms) => ms > 40).length;
    // pictures the watcher first saw as their video became visible, already in it: the browser
    // had not (yet) called back for that frame, so its arrival and presentation are not known
    const onLayout = good('product').flatMap((r) => [r.visitorOnLayout, r.agentOnLayout]);
    rows.push(
      acceptRow(
        'setup.product.accept',
        'Ours through the console and the demo shop widget: accept → first picture shown both sides',
        'product',
        'acceptToBothShownMs',
        `the agent clicks Accept in the console, the shopper started the call from the widget on /product/123; ` +
          `shown = the browser's expected display time of the first frame with a picture (requestVideoFrameCallback), ` +
          `and not before its video is laid out where a person can see it (not the one-pixel spot it waits in while it rings): ` +
          `visitor ${S('product', 'acceptToVisitorShownMs').median.toFixed(0)} ms, agent ${S('product', 'acceptToAgentShownMs').median.toFixed(0)} ms; ` +
          `that frame's last packet in: visitor ${S('product', 'acceptToVisitorReceivedMs').median.toFixed(0)} ms, agent ${S('product', 'acceptToAgentReceivedMs').median.toFixed(0)} ms; ` +
          `the video laid out where it is seen: visitor ${S('product', 'acceptToVisitorVisibleMs').median.toFixed(0)} ms, agent ${S('product', 'acceptToAgentVisibleMs').median.toFixed(0)} ms; ` +
          `the frame's expected display: visitor ${S('product', 'acceptToVisitorExpectedMs').median.toFixed(0)} ms, agent ${S('product', 'acceptToAgentExpectedMs').median.toFixed(0)} ms; ` +
          `that frame presented for composition: visitor ${S('product', 'acceptToVisitorPresentedMs').median.toFixed(0)} ms, agent ${S('product', 'acceptToAgentPresentedMs').median.toFixed(0)} ms ` +
          `(the expected display runs far behind it when nothing animates in the page: docs/performance.md); ` +
          `last packet in → presented: median ${summarize(sides).median.toFixed(0)} ms, over 40 ms on ${held} of ${sides.length} sides ` +
          `(most such waits are the renderer holding a first picture for the black frames' cadence: docs/performance-log.md); ` +
          `${onLayout.filter(Boolean).length} of ${onLayout.length} sides' pictures were already in their video as it became visible, ` +
          `before the browser had called back for that frame: shown from that layout, with no arrival or presentation time (not in those medians); ` +
          `the pages' own callbacks for that frame ${S('product', 'acceptToBothCallbackMs').median.toFixed(0)} ms (later when the page is busy rendering)`,
      ),
    );
  }
  if (!fluxRecs.length) {
    rows.push({
      id: 'setup.flux.accept',
      figure: 'Ours: accept → first frame both sides',
      pass: false,
      note: data.notes.join('; ') || 'no records',
    });
  }
  return { rows, raw: data };
}
