/**
 * The SDK's only door to the console (eslint `no-console` elsewhere). We run on other
 * people's pages, so the default level is `warn`. Debug output is switched on with
 * `localStorage.fluxDebug = '1'` or `?flux_debug=1` in the page URL (see docs/integration.md).
 */
/* eslint-disable no-console */
import type { Level } from './keys.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVELS = 'debug info warn error silent'.split(' ');

let threshold = 2;
try {
  if (/[?&]flux_debug=1\b/.test(location.search) || localStorage.getItem('fluxDebug') === '1') {
    threshold = 0;
  }
} catch {
  /* storage can throw in sandboxed frames */
}

/** Changes the threshold (tests; pages use `?flux_debug=1` or `localStorage.fluxDebug`). */
export function setLogLevel(level: LogLevel): void {
  threshold = LEVELS.indexOf(level);
}

/** True when messages of `level` are printed. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-enum-comparison -- LEVELS is in Level's order
export const enabled = (level: Level): boolean => level >= threshold;

/** Prints one line at `level`, prefixed `[FluxPlayer]` (callers check `enabled` first). */
export const print = (level: Level, text: string): void => {
  console[LEVELS[level] as 'debug' | 'info' | 'warn' | 'error']('[FluxPlayer]', text);
};
