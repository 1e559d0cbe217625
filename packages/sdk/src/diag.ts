/**
 * Diagnostics with lazily loaded wording. The loader only knows message keys and their
 * arguments; the sentences live in the lazy `extras` chunk (messages.ts), fetched the first time something
 * is actually printed. A page whose integration is correct never downloads it, which keeps
 * the loader inside its budget. Output is a few milliseconds late, in order, never lost.
 */
import { loadExtras } from './chunks.ts';
import { enabled, print } from './logger.ts';
import type { ErrorCode } from '@flux/protocol';
import { sdkError } from './errors.ts';
import type { Level, Msg } from './keys.ts';
import type { FluxSdkError } from './types.ts';

let queue: Promise<unknown> = Promise.resolve();

/** Prints message `key` at `level` once the wording is loaded (an empty sentence prints nothing). */
export function diag(level: Level, key: Msg, ...args: unknown[]): void {
  if (enabled(level)) {
    queue = queue
      .then(loadExtras)
      .then((m) => m.format(key, args))
      .catch(() => `${key} ${args.join(' ')}`)
      .then((text) => {
        if (text) print(level, text);
      });
  }
}

/** An error for a rare path, its message worded by the extras chunk (the code alone if that fails). */
export const lazyError = async (
  code: ErrorCode,
  arg?: string,
  cause?: unknown,
): Promise<FluxSdkError> =>
  sdkError(
    code,
    await loadExtras().then(
      (m) => m.errorText(code, arg),
      () => code,
    ),
    cause,
  );
