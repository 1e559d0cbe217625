/**
 * Diagnostics with lazily loaded wording. The loader only knows message keys and their
 * arguments; the English sentences live in the `messages` chunk, fetched the first time
 * something is actually printed. A page whose integration is correct never downloads it,
 * which keeps the loader inside its 5 KB budget. Output is a few milliseconds late, never lost.
 */
import { loadMessages } from './chunks.ts';
import { enabled, log } from './logger.ts';
import type { MessageKey } from './messages.ts';

export type DiagLevel = 'debug' | 'info' | 'warn' | 'error';

let queue: Promise<unknown> = Promise.resolve();

/** Prints message `key` at `level` (in call order) once the wording is loaded. */
export function diag(level: DiagLevel, key: MessageKey, ...args: unknown[]): void {
  if (!enabled(level)) return;
  queue = queue.then(loadMessages).then(
    (m) => log[level](m.format(key, args)),
    () => log[level](key, ...args),
  );
}
