/**
 * Small statistics helpers for the benchmark: percentiles on sorted copies, a summary
 * (median with min/max and the interquartile range), number formatting, and an event loop's
 * lag.
 */

import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Starts measuring how late this process's event loop runs, on a `tickMs` timer; the returned
 * `stop()` ends it and gives { p50, p99, max } in ms past the tick (the histogram records each
 * tick's whole interval, in ns).
 */
export function eventLoopLag(tickMs) {
  const h = monitorEventLoopDelay({ resolution: tickMs });
  h.enable();
  return {
    stop() {
      h.disable();
      const ms = (ns) => Math.max(0, ns / 1e6 - tickMs);
      return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
    },
  };
}

/** Linear-interpolated percentile (p in 0..100) of an array of numbers. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const idx = ((s.length - 1) * p) / 100;
  const lo = Math.floor(idx);
  const hi = Math.ceil(idx);
  return s[lo] + (s[hi] - s[lo]) * (idx - lo);
}

/** { n, median, min, max, p25, p75, mean } of a sample. */
export function summarize(values) {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0)
    return { n: 0, median: NaN, min: NaN, max: NaN, p25: NaN, p75: NaN, mean: NaN };
  return {
    n: v.length,
    median: percentile(v, 50),
    min: Math.min(...v),
    max: Math.max(...v),
    p25: percentile(v, 25),
    p75: percentile(v, 75),
    mean: v.reduce((a, b) => a + b, 0) / v.length,
  };
}

/** Rounds to a sensible number of significant digits for a report. */
export function fmt(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(digits >= 3 ? 0 : 0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toFixed(3);
}
