// Builds the SDK (see docs/sdk.md):
//   dist/flux-player.js      script-tag loader (IIFE, window.FluxPlayer), what every page pays
//   dist/call-ui-[hash].js   call UI + @flux/client engine (ESM), imported on intent
//   dist/snippet.js|.html    the copy-paste snippet (queueing stub + async script tag)
//   dist/index.mjs (+ chunks/) and dist/index.d.ts      the npm ES module build
// The loader must not contain TypeBox schemas or the call engine: the build fails if it does.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { minify } from 'rolldown/utils';

const root = dirname(fileURLToPath(import.meta.url));
// --outdir DIR builds elsewhere (size experiments while tests serve dist/).
const outArg = process.argv.indexOf('--outdir');
const dist = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(root, 'dist');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const skipTypes = process.argv.includes('--no-types');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  target: ['chrome100', 'firefox100', 'safari16'],
  legalComments: 'none',
  charset: 'utf8',
  define: { __SDK_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
  metafile: true,
};

// 1. The lazy chunks (self-contained ESM files): the call UI, the extras (diagnostics wording,
//    full option validation) and the widget strings of each non-English language.
const langs = ['de', 'fr', 'es', 'it', 'nl', 'pl', 'pt', 'sv', 'ar'];
const lazy = await esbuild.build({
  ...common,
  entryPoints: {
    extras: join(root, 'src/extras.ts'),
    ...Object.fromEntries(langs.map((l) => [`lang-${l}`, join(root, `src/i18n/${l}.ts`)])),
  },
  format: 'esm',
  splitting: false,
  outdir: dist,
  entryNames: '[name]-[hash]',
});
// The loader names these `<name>-<build id>.js` with one id for all of them (a hash of
// their contents), so it carries one short string instead of a file name per chunk.
// (The metafile's paths are relative to the working directory.)
const lazyFiles = Object.entries(lazy.metafile.outputs).filter(([, o]) => o.entryPoint);
const buildId = createHash('sha256')
  .update(lazyFiles.map(([f]) => readFileSync(resolve(f))).join('\0'))
  .digest('base64url')
  .slice(0, 8)
  .replace(/[-_]/g, 'x');
const chunks = { id: buildId };
for (const [file] of lazyFiles) {
  const name = basename(file).replace(/-[A-Z0-9]+\.js$/, '');
  renameSync(resolve(file), join(dist, `${name}-${buildId}.js`));
  chunks[name] = `./${name}-${buildId}.js`;
}
// The call UI: its own ESM build, code-split so each language's strings are a small file.
const ui = await esbuild.build({
  ...common,
  entryPoints: { 'call-ui': join(root, 'src/call-ui/index.ts') },
  format: 'esm',
  splitting: true,
  outdir: dist,
  entryNames: '[name]-[hash]',
  chunkNames: 'ui-[name]-[hash]',
});
const chunkFile = Object.keys(ui.metafile.outputs)
  .map((f) => basename(f))
  .find((f) => /^call-ui-\w+\.js$/.test(f));
chunks.callUi = `./${chunkFile}`;

// 2. The loader: swap the bundler-friendly chunk loader for the script-URL one.
const scriptChunks = {
  name: 'script-chunks',
  setup(build) {
    build.onResolve({ filter: /\/chunks\.ts$/ }, (args) => ({
      path: join(args.resolveDir, args.path.replace('chunks.ts', 'chunks.script.ts')),
    }));
  },
};
const loaderOptions = {
  ...common,
  entryPoints: [join(root, 'src/global.ts')],
  format: 'iife',
  outfile: join(dist, 'flux-player.js'),
  define: {
    ...common.define,
    __CHUNKS__: JSON.stringify({ id: chunks.id, callUi: chunks.callUi }),
  },
  plugins: [scriptChunks],
  // Internal property names start with `_` (Session, Card): shortened in the loader only.
  mangleProps: /^_/,
};
const loader = await esbuild.build(loaderOptions);
// A second minifier pass (oxc, shipped with rolldown, vite's bundler) folds what esbuild leaves:
// about 3 % of the loader's gzip size.
{
  const file = join(dist, 'flux-player.js');
  const { code, errors } = await minify('flux-player.js', readFileSync(file, 'utf8'), {
    compress: { target: 'es2022' },
  });
  if (errors.length) {
    console.error('build: oxc minify failed', errors);
    process.exit(1);
  }
  writeFileSync(file, code);
}
const loaderInputs = Object.values(loader.metafile.outputs).flatMap((o) =>
  Object.entries(o.inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([k]) => k),
);
const forbidden = loaderInputs.filter((f) =>
  /node_modules\/typebox|packages\/client\/|src\/call-ui\/(?!contract)|src\/(messages|options|extras)\.ts|src\/i18n\/|protocol\/src\/(models|rest|messages)/.test(
    f,
  ),
);
if (forbidden.length) {
  console.error(`build: the loader must not include these modules:\n  ${forbidden.join('\n  ')}`);
  process.exit(1);
}

// With --analyze: where the loader's bytes come from, per source module (see docs/sdk.md).
if (process.argv.includes('--analyze')) await analyzeLoader(loaderOptions);

// 3. The snippet.
const snippetSrc = readFileSync(join(root, 'src/snippet.js'), 'utf8');
const snippet = (await esbuild.transform(snippetSrc, { minify: true, target: 'es5' })).code.trim();
writeFileSync(join(dist, 'snippet.js'), snippet + '\n');
writeFileSync(join(dist, 'chunks.json'), JSON.stringify(chunks, null, 2) + '\n');
writeFileSync(
  join(dist, 'snippet.html'),
  `<!-- FluxPlayer: paste before </head>; replace __FLUX_SCRIPT_URL__ with https://<your FluxPlayer server>/sdk/v1/flux-player.js -->\n<script>${snippet}</script>\n`,
);

// 4. The npm ES module build (code-split so the call UI stays lazy for bundlers too).
await esbuild.build({
  ...common,
  entryPoints: { index: join(root, 'src/index.ts') },
  format: 'esm',
  splitting: true,
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  metafile: false,
});

// 5. Type declarations for the npm build: one self-contained dist/index.d.ts (types.mjs).
if (!skipTypes) await (await import('./types.mjs')).buildTypes(root, dist);

const sizes = ['flux-player.js', chunkFile, 'index.mjs', 'snippet.js']
  .map((f) => `${f} ${readFileSync(join(dist, f)).length} B`)
  .join(', ');
console.log(`sdk: built ${sizes}`);

/**
 * Prints each source module's share of the loader: its minified bytes (esbuild's metafile) and
 * its gzip contribution, measured by removal: gzip -9 of esbuild's output minus gzip -9 of the
 * same output without that module's characters (located through the source map). The shares
 * do not add up to the total (gzip's context is shared) and the oxc pass is not applied, so
 * they are estimates for choosing what to cut, not the budget's number.
 */
async function analyzeLoader(options) {
  const res = await esbuild.build({
    ...options,
    sourcemap: 'external',
    write: false,
    outfile: join(dist, 'analyze.js'),
  });
  const code = res.outputFiles.find((f) => f.path.endsWith('.js')).text;
  const map = JSON.parse(res.outputFiles.find((f) => f.path.endsWith('.map')).text);
  // Decode the mappings: owner[i] = index of the source of the i-th character (-1: none).
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const owner = new Int32Array(code.length).fill(-1);
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code[i] === '\n') lineStarts.push(i + 1);
  let src = 0;
  map.mappings.split(';').forEach((line, li) => {
    let col = 0;
    const segs = [];
    for (const seg of line.split(',').filter(Boolean)) {
      const vals = [];
      let v = 0;
      let shift = 0;
      for (const ch of seg) {
        const d = B64.indexOf(ch);
        v += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          vals.push(v & 1 ? -(v >>> 1) : v >>> 1);
          v = 0;
          shift = 0;
        }
      }
      col += vals[0];
      if (vals.length > 1) src += vals[1];
      segs.push([col, vals.length > 1 ? src : -1]);
    }
    const start = lineStarts[li] ?? code.length;
    const end = lineStarts[li + 1] ?? code.length;
    segs.forEach(([c, s], k) =>
      owner.fill(s, start + c, start + (segs[k + 1]?.[0] ?? end - start)),
    );
  });
  const gz = (s) => gzipSync(s, { level: 9 }).length;
  const total = gz(code);
  const meta = Object.entries(res.metafile.outputs).find(([f]) => f.endsWith('.js'))[1].inputs;
  const rows = map.sources.map((name, i) => {
    const without = [...code].filter((_, j) => owner[j] !== i).join('');
    const file = name.startsWith('<') ? name : relative(root, resolve(dist, name)); // src/…
    const key = Object.keys(meta).find((k) => resolve(k) === resolve(root, file));
    return [file, meta[key]?.bytesInOutput ?? 0, total - gz(without)];
  });
  rows.sort((a, b) => b[2] - a[2]);
  console.log(`loader by module (esbuild output before the oxc pass: ${total} B gzip -9)`);
  for (const [name, raw, g] of rows)
    console.log(
      `  ${name.padEnd(44)} ${String(raw).padStart(6)} B min ${String(g).padStart(5)} B gz`,
    );
}
