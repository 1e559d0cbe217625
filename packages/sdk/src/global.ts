/**
 * Entry of the script-tag build (dist/flux-player.js, an IIFE): defines `window.FluxPlayer`
 * and replays, in order, what the page queued through the snippet's stub before the script
 * arrived; each queued call settles the promise the stub returned. Loading the script twice
 * keeps the first instance.
 */
import { scriptOrigin } from './chunks.ts';
import { diag } from './diag.ts';
import { Level, Msg } from './keys.ts';
import { createFluxPlayer } from './FluxPlayer.ts';

/** One queued call of the snippet: [method path, arguments, resolve, reject]. */
type QueuedCall = [string, ArrayLike<unknown>, (v: unknown) => void, (e: unknown) => void];

const w = window as unknown as { FluxPlayer?: { q?: QueuedCall[]; version?: string } };
const stub = w.FluxPlayer;

if (stub?.version) {
  diag(Level.warn, Msg.LoadedTwice);
} else {
  const api = (w.FluxPlayer = createFluxPlayer(scriptOrigin));
  for (const [path, args, resolve, reject] of stub?.q ?? []) {
    let self: unknown;
    let fn: unknown = api;
    for (const part of path.split('.')) {
      self = fn;
      fn = (fn as Record<string, unknown> | undefined)?.[part];
    }
    // Nothing is rethrown into the page (a path the SDK lacks rejects with a TypeError).
    Promise.resolve()
      .then(() => (fn as (...a: unknown[]) => unknown).apply(self, args as unknown[]))
      .then(resolve, reject);
  }
}
