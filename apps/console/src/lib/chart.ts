/** Scale helpers for the inline SVG charts. */

/** A round step (1, 2 or 5 × 10^n, at least 1) for about `intervals` steps up to `max`. */
export function axis(max: number, intervals = 4): { top: number; step: number } {
  const raw = Math.max(max, 1) / intervals;
  const exp = 10 ** Math.floor(Math.log10(raw));
  let step = exp;
  for (const f of [1, 2, 5, 10]) {
    if (f * exp >= raw) {
      step = f * exp;
      break;
    }
  }
  step = Math.max(1, step);
  return { top: step * Math.max(1, Math.ceil(max / step)), step };
}

/** Ticks from 0 to `top` every `step`. */
export function ticks(top: number, step: number): number[] {
  const out: number[] = [];
  for (let v = 0; v <= top + 1e-9; v += step) out.push(v);
  return out;
}

/** Print every n-th of `count` labels so that at most `max` show. */
export function labelEvery(count: number, max = 10): number {
  return Math.max(1, Math.ceil(count / max));
}
