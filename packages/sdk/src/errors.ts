/**
 * Errors the SDK hands to the page: an Error named `FluxPlayerError` with a `code` from the
 * protocol's registry (`ErrorCode`). The loader does not carry the registry's message table
 * (size budget); each message says what went wrong in this case instead.
 */
import type { ErrorCode } from '@flux/protocol';
import type { FluxSdkError } from './types.ts';

export const sdkError = (code: ErrorCode, message: string, cause?: unknown): FluxSdkError =>
  Object.assign(new Error(message, { cause }), { name: 'FluxPlayerError', code });

/** True for errors made by sdkError (or any Error with a registered-looking code). */
export const isSdkError = (e: unknown): e is FluxSdkError =>
  e instanceof Error && typeof (e as { code?: unknown }).code === 'string';

/** Normalises anything thrown (engine FluxError, DOMException, string) to a FluxSdkError (FLX_ERR_INTERNAL when it has no code of ours). */
export function toSdkError(e: unknown): FluxSdkError {
  const { code, message } = (e ?? {}) as { code?: string; message?: unknown };
  const ours = /^FLX_ERR_/.test(code as string); // an undefined code tests as 'undefined'
  return ours && e instanceof Error
    ? (e as FluxSdkError)
    : sdkError(
        ours ? (code as ErrorCode) : 'FLX_ERR_INTERNAL',
        typeof message == 'string' ? message : String(e),
        e,
      );
}

/**
 * Codes worth trying again later: the network (FLX_ERR_SDK_NETWORK), or a server that is down,
 * deploying or busy (FLX_ERR_UNAVAILABLE, FLX_ERR_INTERNAL, FLX_ERR_RATE_LIMITED). A refused
 * key, origin or channel is final.
 */
export const transient = (code: string): boolean => /NET|UNAV|INTER|RATE/.test(code);
