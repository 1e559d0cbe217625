/**
 * Summarises a V8 `.cpuprofile` (bench/lib/probe.mjs `profile`, or `node --cpu-prof`): where
 * the busy time went, by function (self time) and by where the code lives (the server's own
 * source, each dependency, Node's internals, V8's garbage collector and native code).
 *
 *   node bench/lib/cpuprofile.mjs FILE [--top 30]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' } },
});
if (positionals.length !== 1) {
  console.error('usage: node bench/lib/cpuprofile.mjs FILE [--top 30]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
// Self time per node: each sample's interval goes to the node it was taken in.
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

/** Where a call frame's code lives. */
function area(cf) {
  const url = cf.url ?? '';
  if (cf.functionName === '(garbage collector)') return 'V8: garbage collector';
  if (cf.functionName === '(idle)') return '(idle)';
  if (cf.functionName === '(program)') return 'V8: (program)';
  if (!url) return `native: ${cf.functionName || '(anonymous)'}`;
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return `dependency: ${dep[1]}`;
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  if (/packages\/server\//.test(url)) return 'server';
  return url.replace(/^file:\/\//, '');
}

const fns = new Map();
const areas = new Map();
for (const [id, t] of self) {
  const { callFrame: cf } = byId.get(id);
  const where = area(cf);
  const name = `${cf.functionName || '(anonymous)'}  ${cf.url ? `${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}` : ''}`;
  fns.set(name, (fns.get(name) ?? 0) + t);
  areas.set(where, (areas.get(where) ?? 0) + t);
}
const idle = areas.get('(idle)') ?? 0;
const busy = total - idle;
const pct = (t) => `${((t / busy) * 100).toFixed(1).padStart(5)}%`;
const ms = (t) => `${(t / 1000).toFixed(0).padStart(7)} ms`;
console.log(
  `${positionals[0]}: ${(total / 1e6).toFixed(2)} s sampled, busy ${(busy / 1e6).toFixed(2)} s (shares below are of the busy time)`,
);
console.log('\nby area (self time):');
for (const [k, t] of [...areas].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1])) {
  if (t / busy < 0.005) continue;
  console.log(`  ${pct(t)} ${ms(t)}  ${k}`);
}
console.log(`\ntop ${values.top} functions (self time):`);
for (const [k, t] of [...fns]
  .filter(([k]) => !k.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(values.top))) {
  console.log(`  ${pct(t)} ${ms(t)}  ${k}`);
}
