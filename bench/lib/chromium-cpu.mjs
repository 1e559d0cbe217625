/**
 * CPU time of the Chromiums this process launched and every process below them, read from
 * /proc, by Chromium's process type: `browser` (no --type), `gpu` (the display compositor:
 * software here, --disable-gpu), `renderer` (the pages) and `utility` (network, audio, the fake
 * camera's capture service).
 * Linux only; used by the in-call CPU figure (bench/figures/incall.mjs).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

function readStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: split after its last ')'
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null; // gone
  }
}

function typeOf(pid) {
  try {
    // Chromium rewrites its children's command lines as one string: split on spaces too
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const t = args.find((a) => a.startsWith('--type='))?.slice(7);
    if (!t) return 'browser';
    if (t === 'gpu-process') return 'gpu';
    return t === 'renderer' || t === 'utility' ? t : 'other';
  } catch {
    return 'other';
  }
}

/** The Chromium processes below `parentPid` (Playwright's launch starts them as its children). */
function chromiumTree(parentPid) {
  const all = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(name);
    if (st) all.set(Number(name), st);
  }
  const tree = new Map();
  const add = (pid) => {
    const st = all.get(pid);
    if (!st || tree.has(pid)) return;
    tree.set(pid, { type: typeOf(pid), ticks: st.ticks });
    for (const [child, cst] of all) if (cst.ppid === pid) add(child);
  };
  for (const [pid, st] of all) if (st.ppid === parentPid && isChromium(pid)) add(pid);
  return tree;
}

function isChromium(pid) {
  try {
    return /chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]);
  } catch {
    return false;
  }
}

/**
 * Measures the Chromium processes this process started, as they are now, over `ms`: the CPU
 * each type used, in % of one core (a process that ends meanwhile counts nothing).
 */
export async function chromiumCpuOver(ms) {
  const before = chromiumTree(process.pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const seconds = (performance.now() - t0) / 1000;
  const out = { browser: 0, gpu: 0, renderer: 0, utility: 0, other: 0, total: 0 };
  for (const [pid, { type, ticks }] of before) {
    const now = readStat(pid)?.ticks ?? ticks;
    const pct = ((now - ticks) / TICKS_PER_S / seconds) * 100;
    out[type] += pct;
    out.total += pct;
  }
  return out;
}
