/**
 * Figure 2: gzip -9 sizes of the loader (packages/sdk/dist/flux-player.js, ≤ 5 KB) and of the
 * call UI chunk fetched on intent (packages/sdk/dist/call-ui-*.js, engine + whole call UI,
 * ≤ 25 KB). Baselines are the published sizes from issue 6 (Intercom's loader 2.0 KB; PeerJS's
 * engine alone 24 KB gz), printed for scale, not measured here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sdkSizes, SDK_DIST } from '../lib/gzip-size.mjs';
import { BENCH_DIR } from '../lib/proc.mjs';

/**
 * Prefer the size check of `npm test` (bench/size.mjs, written with the SDK) so that both report
 * the same numbers. It is a CLI script (prints, may exit), so it runs as a child process and its
 * lines are parsed; bench/lib/gzip-size.mjs is the fallback when it is missing or its output
 * changes shape.
 */
function measure() {
  const shared = join(BENCH_DIR, 'size.mjs');
  if (existsSync(shared)) {
    const r = spawnSync(process.execPath, [shared], { encoding: 'utf8' });
    const rows = {};
    for (const line of r.stdout.split('\n')) {
      const m = /^(\S+)\s+([\d.]+) KB gzip.*\((.*)\)\s*$/.exec(line);
      if (m)
        rows[m[1]] = {
          gzip: Number(m[2]) * 1024,
          files: m[3].split(' + ').map((f) => join(SDK_DIST, f)),
        };
    }
    if (r.status === 0 && rows.loader && rows.callUi) {
      const withRaw = (x) => ({
        ...x,
        file: x.files[0],
        raw: x.files.reduce((a, f) => a + (existsSync(f) ? statSync(f).size : 0), 0),
      });
      return {
        loader: withRaw(rows.loader),
        callUi: withRaw(rows.callUi),
        source: 'bench/size.mjs',
      };
    }
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
  const s = measure();
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
