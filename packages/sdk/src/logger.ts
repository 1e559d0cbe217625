/**
 * The SDK's only door to the console (eslint `no-console` elsewhere). We run on other
 * people's pages, so the default level is `warn`. Debug output is switched on with
 * `localStorage.fluxDebug = '1'` or `?flux_debug=1` in the page URL (see docs/integration.md).
 */
/* eslint-disable no-console */
import { loadExtras } from './chunks.ts';
import type { Level, Msg } from './keys.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVELS = 'debug info warn error silent'.split(' ');

let threshold = 2;
try {
  if (/[?&]flux_debug=1\b/.test(location.search) || localStorage.fluxDebug === '1') {
    threshold = 0;
  }
} catch {
  /* storage can throw in sandboxed frames */
}

/** Changes the threshold (tests; pages use `?flux_debug=1` or `localStorage.fluxDebug`). */
export function setLogLevel(level: LogLevel): void {
  threshold = LEVELS.indexOf(level);
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Prints message `key` at `level` once its wording is loaded (diag.ts explains why it is lazy);
 * an empty sentence prints nothing.
 */
export function diag(level: Level, key: Msg, ...args: unknown[]): void {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-comparison -- LEVELS is in Level's order
  if (level >= threshold) {
    queue = queue
      .then(loadExtras)
      .then((m) => m.format(key, args))
      .catch(() => `${key} ${args.join(' ')}`)
      .then((text) => {
        if (text) console[LEVELS[level] as 'debug']('[FluxPlayer]', text);
      });
  }
}
