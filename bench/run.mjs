#!/usr/bin/env node
/**
 * `npm run bench`: runs the benchmark figures of docs/performance.md, each beside its baseline
 * measured in the same run, writes bench/results/latest.{json,md} and prints the table.
 *
 *   npm run bench                       # everything, full size (≈ 15–25 min on 2 cores)
 *   npm run bench -- --quick            # smoke run: small counts, one repetition (< 2 min)
 *   npm run bench -- --only setup,size  # some figures: setup, size, loader, memory, fanout, setups, incall
 *   npm run bench -- --repeat 5 --calls 20 --connections 19900
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, exitOnSignals } from './lib/proc.mjs';
import { fmt } from './lib/stats.mjs';

const ALL = ['size', 'loader', 'memory', 'fanout', 'setups', 'setup', 'incall'];

// A run stopped with Ctrl-C or kill stops, and takes its servers, browsers, namespaces and
// temporary databases with it.
exitOnSignals();

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    repeat: { type: 'string' },
    calls: { type: 'string' },
    connections: { type: 'string' },
    subscribers: { type: 'string' },
    'ring-ms': { type: 'string' },
    db: { type: 'string' },
    out: { type: 'string', default: join(BENCH_DIR, 'results') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`usage: npm run bench -- [--quick] [--only ${ALL.join(',')}] [--repeat N]
       [--calls N] [--connections N] [--subscribers N] [--ring-ms MS]
       [--db sqlite,postgres,sqlite-tmpfs,postgres-async]  (setups: which databases; all by default)
  size     loader and call UI chunk, gzip -9 (figure 2)
  loader   loader main-thread work and init() → widget visible (issue 3 budgets)
  memory   idle WebSocket memory per connection, bare ws vs visitor/agent sessions (figure 3)
  fanout   presence fan-out p99 to 10,000 sockets vs a bare ws broadcast (figure 4)
  setups   full call setups per second through signaling, SQLite and PostgreSQL (figure 5)
  setup    call setup latency in Chromium: bare WebRTC, PeerJS, ours (figure 1)
  incall   Chromium's CPU while a call is up: bare pages, ours (a watch figure, no target)`);
  process.exit(0);
}
const selected = (values.only ?? positionals.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const s of selected) {
  if (!ALL.includes(s)) {
    console.error(`unknown benchmark "${s}" (known: ${ALL.join(', ')})`);
    process.exit(2);
  }
}
const figures = selected.length ? ALL.filter((f) => selected.includes(f)) : ALL;
const num = (v) => (v === undefined ? undefined : Number(v));
const ctx = {
  quick: values.quick,
  repeat: num(values.repeat),
  calls: num(values.calls),
  connections: num(values.connections),
  subscribers: num(values.subscribers),
  ringMs: num(values['ring-ms']),
  db: values.db?.split(',').map((s) => s.trim()),
  log: (line) => console.log(line),
};

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memGB: Math.round(totalmem() / 1024 ** 3),
  node: process.version,
  kernel: safe(() => execSync('uname -r', { encoding: 'utf8' }).trim()),
  chromium: safe(() =>
    execSync('/usr/bin/chromium --version 2>/dev/null', { encoding: 'utf8' }).trim(),
  ),
  commit: safe(() => execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim()),
};
function safe(f) {
  try {
    return f();
  } catch {
    return null;
  }
}

const started = new Date();
const results = { date: started.toISOString(), quick: ctx.quick, machine, figures: {}, rows: [] };
console.log(
  `FluxPlayer Calls benchmark, ${started.toISOString()}${ctx.quick ? ' (quick)' : ''}: ${figures.join(', ')}`,
);
for (const name of figures) {
  const t0 = Date.now();
  console.log(`\n▶ ${name} (load average ${loadavg()[0].toFixed(2)} on ${machine.cpus} cores)`);
  try {
    const mod = await import(`./figures/${name}.mjs`);
    const out = await mod[name](ctx);
    results.figures[name] = {
      seconds: (Date.now() - t0) / 1000,
      loadavg1: loadavg()[0],
      raw: out.raw,
    };
    results.rows.push(...out.rows);
  } catch (e) {
    console.log(`  ${name} failed: ${e.stack ?? e}`);
    results.figures[name] = { seconds: (Date.now() - t0) / 1000, error: String(e.stack ?? e) };
    results.rows.push({
      id: `${name}.error`,
      figure: `${name}: failed (${String(e.message ?? e).split('\n')[0]})`,
      pass: false,
    });
  }
  console.log(`  (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
results.seconds = (Date.now() - started.getTime()) / 1000;

function cell(s, unit = '') {
  if (!s) return '–';
  if (typeof s === 'number') return `${fmt(s)}${unit}`;
  if (!s.n) return 'n/a';
  const spread = s.n > 1 ? ` (${fmt(s.min)}–${fmt(s.max)})` : '';
  return `${fmt(s.median)}${unit}${spread}`;
}
const u = (r) => (r.unit ? ` ${r.unit}` : '');
const table = results.rows.map((r) => [
  r.figure,
  cell(r.ours, u(r)),
  cell(r.baseline, u(r)),
  r.ratio === undefined || Number.isNaN(r.ratio) ? '–' : `${fmt(r.ratio)}×`,
  r.target ?? '–',
  r.pass === true ? 'pass' : r.pass === false ? 'FAIL' : '–',
]);
const head = [
  'figure',
  'ours median (min–max)',
  'baseline median (min–max)',
  'ratio',
  'target',
  'result',
];

const md = [
  `# FluxPlayer Calls benchmark${ctx.quick ? ' (quick run)' : ''}`,
  '',
  `${started.toISOString()} · ${machine.cpus} × ${machine.cpuModel}, ${machine.memGB} GB · Node ${machine.node} · ` +
    `${machine.chromium ?? 'no chromium'} · commit ${machine.commit ?? '?'} · ${results.seconds.toFixed(0)} s · ` +
    `1-min load average per figure: ${Object.entries(results.figures)
      .map(([k, v]) => `${k} ${v.loadavg1?.toFixed(2) ?? '?'}`)
      .join(', ')}`,
  '',
  `| ${head.join(' | ')} |`,
  `| ${head.map(() => '---').join(' | ')} |`,
  ...table.map((row) => `| ${row.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`),
  '',
  'Notes:',
  '',
  ...results.rows.filter((r) => r.note).map((r) => `- ${r.figure}: ${r.note}`),
  '',
].join('\n');

mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'latest.json'), JSON.stringify(results, null, 2));
writeFileSync(join(values.out, 'latest.md'), md);

const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log(`\n${line(head)}\n${widths.map((w) => '─'.repeat(w)).join('  ')}`);
for (const row of table) console.log(line(row));
console.log(
  `\nwrote ${join(values.out, 'latest.json')} and latest.md (${results.seconds.toFixed(0)} s)`,
);
