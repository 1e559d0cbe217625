/**
 * Error factories of the engine. Every error is a FluxError from @flux/protocol with a
 * registered code, so UIs branch on `err.code`.
 */
import { FluxError } from '@flux/protocol';

/** `FLX_ERR_SDK_NETWORK`: the server cannot be reached or the session was lost. @public */
export function networkError(message?: string, cause?: unknown): FluxError {
  return new FluxError('FLX_ERR_SDK_NETWORK', message, cause === undefined ? undefined : { cause });
}

function errorName(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'name' in e && typeof e.name === 'string') {
    return e.name;
  }
  return '';
}

/**
 * Maps a getUserMedia / DOMException failure to a FluxError:
 * NotAllowedError, SecurityError → FLX_ERR_MEDIA_PERMISSION_DENIED;
 * NotFoundError, OverconstrainedError → FLX_ERR_MEDIA_NOT_FOUND;
 * NotReadableError, AbortError → FLX_ERR_MEDIA_NOT_READABLE;
 * anything else → FLX_ERR_MEDIA_CONNECTION_FAILED.
 * @public
 */
export function mediaErrorFrom(e: unknown): FluxError {
  if (e instanceof FluxError) return e;
  switch (errorName(e)) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return new FluxError('FLX_ERR_MEDIA_PERMISSION_DENIED', undefined, { cause: e });
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return new FluxError('FLX_ERR_MEDIA_NOT_FOUND', undefined, { cause: e });
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new FluxError('FLX_ERR_MEDIA_NOT_READABLE', undefined, { cause: e });
    default:
      return new FluxError('FLX_ERR_MEDIA_CONNECTION_FAILED', undefined, { cause: e });
  }
}

/** `FLX_ERR_CALL_INVALID_TRANSITION` for API misuse (e.g. accept() on a visitor call). @public */
export function invalidStateError(message: string, details?: unknown): FluxError {
  return new FluxError('FLX_ERR_CALL_INVALID_TRANSITION', message, { details });
}

/** Turns anything thrown into a FluxError (keeps FluxErrors as they are). @internal */
export function toFluxError(
  e: unknown,
  fallback: FluxError['code'] = 'FLX_ERR_INTERNAL',
): FluxError {
  if (e instanceof FluxError) return e;
  return new FluxError(fallback, e instanceof Error ? e.message : undefined, { cause: e });
}
