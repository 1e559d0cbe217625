/**
 * A watch figure beside issue 6's five: Chromium's CPU while a call is up, for the bare pages,
 * the engine's pages and the product's pages (the console and the demo shop's widget), calls
 * interleaved in one browser by bench/browser/setup-latency.mjs --hold-ms. The product's figure
 * is what the call screens cost beyond the media; it guards the console and the call UI against
 * styles that are redrawn with every video frame. No target: issue 6 sets none.
 */
import { fmt, summarize } from '../lib/stats.mjs';
import { runDriver } from './setup.mjs';

const TYPES = ['gpu', 'renderer', 'browser', 'utility'];
const LABEL = {
  gpu: 'display compositor',
  renderer: 'renderers',
  browser: 'browser process',
  utility: 'utility processes',
};

export async function incall(ctx) {
  const calls = ctx.repeat ?? (ctx.quick ? 1 : 3);
  const holdMs = ctx.quick ? 3000 : 8000;
  const data = await runDriver(
    'incall',
    ['--variants', 'bare,flux,product', '--calls', calls, '--hold-ms', holdMs],
    ctx.log,
  );
  const held = (v) => data.records[v].filter((r) => !r.warmup && !r.error && r.inCallCpu);
  const S = (v, type = 'total') => summarize(held(v).map((r) => r.inCallCpu[type]));
  const bare = S('bare');
  const split = (v) => TYPES.map((t) => `${LABEL[t]} ${fmt(S(v, t).median)}`).join(', ');
  const idle = data.idleCpu
    ? `all pages open with no call up: ${fmt(data.idleCpu.total)} (${TYPES.map((t) => `${LABEL[t]} ${fmt(data.idleCpu[t])}`).join(', ')})`
    : 'no idle reading';
  const row = (id, figure, v, what) => {
    const ours = S(v);
    const failed = data.records[v].filter((r) => !r.warmup && r.error);
    return {
      id,
      figure,
      unit: '% of a core',
      ours,
      baseline: bare,
      ratio: ours.median / bare.median,
      target: 'none (watch)',
      note:
        `${what}; Chromium's processes over ${holdMs / 1000} s of a call that is up (from 2 s after both pictures): ${split(v)}; ` +
        `${held(v).length} call${held(v).length === 1 ? '' : 's'}` +
        (failed.length ? `, ${failed.length} failed (${failed[0].error})` : '') +
        `; baseline: the bare pages (two 160 × 120 videos, no UI): ${split('bare')}; ${idle}`,
    };
  };
  const rows = [
    row(
      'incall.flux',
      "In-call CPU, the engine's pages (no UI) against the bare pages",
      'flux',
      'the engine alone: what it does beside the media while a call is up',
    ),
    row(
      'incall.product',
      'In-call CPU, the console and the demo shop widget against the bare pages',
      'product',
      'the console (1366 × 900) and the shop page (1280 × 900) with their call screens, ' +
        'drawn in software (no GPU here)',
    ),
  ];
  return { rows, raw: data };
}
