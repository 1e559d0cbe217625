/**
 * Figure 2: gzip -9 sizes of the loader (packages/sdk/dist/flux-player.js, ≤ 5 KB) and of the
 * call UI chunk fetched on intent (packages/sdk/dist/call-ui-*.js, engine + whole call UI,
 * ≤ 25 KB). Baselines are the published sizes from issue 6 (Intercom's loader 2.0 KB; PeerJS's
 * engine alone 24 KB gz), printed for scale, not measured here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sdkSizes, SDK_DIST } from '../lib/gzip-size.mjs';
import { BENCH_DIR } from '../lib/proc.mjs';

async function measure() {
  // Prefer the size check of `npm test` (bench/size.mjs) so both report the same numbers.
  const shared = join(BENCH_DIR, 'size.mjs');
  if (existsSync(shared)) {
    const mod = await import(shared);
    if (typeof mod.measureSizes === 'function')
      return { ...(await mod.measureSizes()), source: 'bench/size.mjs' };
  }
  return { ...sdkSizes(), source: 'bench/lib/gzip-size.mjs' };
}

export async function size(ctx) {
  if (!existsSync(join(SDK_DIST, 'flux-player.js'))) {
    return {
      rows: [
        {
          id: 'size.loader',
          figure: 'SDK size: packages/sdk/dist missing (npm run build -w @flux/sdk)',
          pass: false,
        },
      ],
      raw: null,
    };
  }
  const s = await measure();
  const kb = (b) => b / 1024;
  ctx.log(
    `  loader ${kb(s.loader.gzip).toFixed(2)} KB gz (${kb(s.loader.raw).toFixed(1)} KB raw), measured by ${s.source}`,
  );
  const rows = [
    {
      id: 'size.loader',
      figure: 'Loader flux-player.js, gzip -9',
      unit: 'KB',
      ours: kb(s.loader.gzip),
      baseline: 2.0,
      ratio: s.loader.gzip / 1024 / 2.0,
      target: '≤ 5 KB',
      pass: kb(s.loader.gzip) <= 5,
      note: `${kb(s.loader.raw).toFixed(1)} KB minified; baseline: Intercom's loader (2.0 KB, issue 6, not measured here)`,
    },
  ];
  if (s.callUi) {
    ctx.log(`  call UI ${kb(s.callUi.gzip).toFixed(2)} KB gz (${s.callUi.file})`);
    rows.push({
      id: 'size.callUi',
      figure: 'Call UI chunk (engine + call UI), gzip -9',
      unit: 'KB',
      ours: kb(s.callUi.gzip),
      baseline: 24,
      ratio: kb(s.callUi.gzip) / 24,
      target: '≤ 25 KB',
      pass: kb(s.callUi.gzip) <= 25,
      note: `${(s.callUi.files ?? [s.callUi.file]).map((f) => f.split('/').pop()).join(' + ')}, ${kb(s.callUi.raw).toFixed(1)} KB minified; baseline: PeerJS engine alone (24 KB gz, issue 6)`,
    });
  } else {
    rows.push({
      id: 'size.callUi',
      figure: 'Call UI chunk: no call-ui-*.js in packages/sdk/dist',
      pass: false,
    });
  }
  return { rows, raw: s };
}
