/**
 * Errors the SDK hands to the page: an Error with a `code` from the protocol's registry
 * (`ErrorCode`). The loader does not carry the registry's message table (size budget);
 * each message says what went wrong in this case instead.
 */
import type { ErrorCode } from '@flux/protocol';
import type { FluxSdkError } from './types.ts';

export class FluxPlayerError extends Error implements FluxSdkError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = 'FluxPlayerError';
  }
}

export const sdkError = (code: ErrorCode, message: string, cause?: unknown): FluxPlayerError =>
  new FluxPlayerError(code, message, cause);

/** Normalises anything thrown (engine FluxError, DOMException, string) to a FluxPlayerError. */
export function toSdkError(e: unknown, fallback: ErrorCode = 'FLX_ERR_INTERNAL'): FluxPlayerError {
  if (e instanceof FluxPlayerError) return e;
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  return sdkError(
    typeof code === 'string' && code.startsWith('FLX_ERR_') ? (code as ErrorCode) : fallback,
    typeof message === 'string' ? message : String(e),
    e,
  );
}
