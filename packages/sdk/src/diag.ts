/**
 * Diagnostics with lazily loaded wording. The loader only knows message keys and their
 * arguments; the sentences live in the lazy `extras` chunk (messages.ts), fetched the first time something
 * is actually printed. A page whose integration is correct never downloads it, which keeps
 * the loader inside its budget. Output is a few milliseconds late, in order, never lost.
 */
import type { ErrorCode } from '@flux/protocol';
import { loadExtras } from './chunks.ts';
import { sdkError } from './errors.ts';
import type { FluxSdkError } from './types.ts';

/** Prints a diagnostic (logger.ts, the only module that touches the console). */
export { diag } from './logger.ts';

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
