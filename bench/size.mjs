// Size check of the SDK's script-tag build (gzip -9), see docs/sdk.md › Budgets.
//   node bench/size.mjs           prints the sizes
//   node bench/size.mjs --check   also exits 1 when a budget is exceeded
// Budgets:
//   loader  = dist/flux-player.js, what every page pays (widget card included)   ≤ 5 KB
//   call UI = dist/call-ui-*.js + the chunks it imports statically (engine incl.)  ≤ 25 KB
// Both are issue 6's targets. Never raise them without a reason in review; what the loader
// is made of, per module: `node packages/sdk/build.mjs --no-types --outdir DIR --analyze`.
// Lazy extras are printed for information: the diagnostics wording (only fetched when
// something is printed) and one language's strings (only on non-English pages).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../packages/sdk/dist');
const KB = 1024;
const BUDGETS = { loader: 5 * KB, callUi: 25 * KB };

if (!existsSync(join(dist, 'flux-player.js'))) {
  console.error('size: packages/sdk/dist is missing; run `npm run build -w @flux/sdk` first');
  process.exit(1);
}
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const files = readdirSync(dist);
const find = (re) => files.find((f) => re.test(f));

/** A file plus every chunk it imports statically (`import … from "./x.js"`), once each. */
function closure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = readFileSync(join(dist, file), 'utf8');
  for (const m of src.matchAll(
    /(?:^|[;}])\s*import\s*(?:[\w${},\s*]+from\s*)?["']\.\/([^"']+)["']/g,
  )) {
    closure(m[1], seen);
  }
  return seen;
}

const callUiEntry = find(/^call-ui-[\w]+\.js$/);
const callUiFiles = [...closure(callUiEntry)];
const rows = [
  ['loader', 'flux-player.js', gz('flux-player.js'), BUDGETS.loader],
  ['callUi', callUiFiles.join(' + '), callUiFiles.reduce((n, f) => n + gz(f), 0), BUDGETS.callUi],
  ['extras (lazy: diagnostics, option fixes)', find(/^extras-/), gz(find(/^extras-/)), null],
  ['widget strings, one language (lazy)', find(/^lang-de-/), gz(find(/^lang-de-/)), null],
  ['call UI strings, one language (lazy)', find(/^ui-de-/), gz(find(/^ui-de-/)), null],
  ['snippet', 'snippet.js', gz('snippet.js'), null],
];
let failed = false;
for (const [name, file, size, budget] of rows) {
  const over = budget !== null && size > budget;
  failed ||= over;
  const limit =
    budget === null ? '' : ` / budget ${(budget / KB).toFixed(1)} KB ${over ? 'EXCEEDED' : 'ok'}`;
  console.log(
    `${name.padEnd(38)} ${(size / KB).toFixed(2).padStart(6)} KB gzip${limit}  (${file})`,
  );
}
if (process.argv.includes('--check') && failed) {
  console.error('size: a budget is exceeded');
  process.exit(1);
}
