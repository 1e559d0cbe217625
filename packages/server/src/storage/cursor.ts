/**
 * Opaque pagination cursors: base64url of a JSON pair `[sortKey, id]` of the last item of
 * the previous page. Clients must not build them; a malformed one is a validation error.
 */
import { FluxError } from '@flux/protocol';

export function encodeCursor(key: [number | string, string]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function invalid(): FluxError {
  return new FluxError('FLX_ERR_VALIDATION', 'The cursor is not valid.', {
    details: [{ field: 'cursor', message: 'is not a cursor returned by this list' }],
  });
}

export function decodeCursor(cursor: string, kind: 'number'): [number, string];
export function decodeCursor(cursor: string, kind: 'string'): [string, string];
export function decodeCursor(cursor: string, kind: 'number' | 'string'): [number | string, string] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[1] !== 'string' ||
    (kind === 'number' ? !Number.isSafeInteger(parsed[0]) : typeof parsed[0] !== 'string')
  ) {
    throw invalid();
  }
  return [parsed[0] as number | string, parsed[1]];
}
