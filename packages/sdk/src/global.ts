/**
 * Entry of the script-tag build (dist/flux-player.js, an IIFE): defines `window.FluxPlayer`
 * and replays what the page queued through the snippet's stub before the script arrived.
 * Loading the script twice keeps the first instance.
 */
import { diag } from './diag.ts';
import { createFluxPlayer } from './FluxPlayer.ts';

/** One queued call of the snippet: [method path, arguments, resolve, reject]. */
type QueuedCall = [string, ArrayLike<unknown>, (v: unknown) => void, (e: unknown) => void];

const w = window as unknown as { FluxPlayer?: { q?: QueuedCall[]; version?: string } };
const stub = w.FluxPlayer;
const src = (document.currentScript as HTMLScriptElement | null)?.src;

if (stub?.version) {
  diag('warn', 'loadedTwice');
} else {
  const api = createFluxPlayer(() => (src ? new URL(src).origin : location.origin));
  w.FluxPlayer = api;
  for (const [path, args, resolve, reject] of stub?.q ?? []) {
    let self: unknown;
    let fn: unknown = api;
    for (const part of path.split('.')) {
      self = fn;
      fn = (fn as Record<string, unknown> | undefined)?.[part];
    }
    if (typeof fn !== 'function') {
      diag('warn', 'queue.unknown', path);
      continue;
    }
    // The result settles the promise the stub returned; nothing is rethrown into the page.
    Promise.resolve()
      .then(() => (fn as (...a: unknown[]) => unknown).apply(self, Array.from(args)))
      .then(resolve, reject);
  }
}
