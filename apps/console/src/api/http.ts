/**
 * The console's one way to talk REST to the server: same-origin fetch with the session
 * cookie, the CSRF header on every non-GET request, JSON in and out, and errors turned into
 * `ApiError` with the server's code, message and per-field messages.
 */
import { API_PREFIX, isErrorCode, type ErrorCode } from '@flux/protocol';
import type { CSRF_HEADER as ProtocolCsrfHeader } from '@flux/protocol';
/**
 * The protocol's CSRF header name, checked against it at compile time. Spelled out here
 * because importing it from the protocol's REST module would pull its schemas (and
 * TypeBox, ~40 KB gzipped) into the console bundle.
 */
const CSRF_HEADER: typeof ProtocolCsrfHeader = 'x-flux-console';
import { fieldErrorsFromDetails } from '../lib/fieldErrors.ts';

export class ApiError extends Error {
  readonly code: ErrorCode | 'FLX_ERR_SDK_NETWORK';
  readonly status: number;
  readonly details: unknown;
  /** Messages keyed by field name (e.g. `{ email: 'must match format' }`). */
  readonly fields: Record<string, string>;
  constructor(code: ApiError['code'], message: string, status: number, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
    this.fields = fieldErrorsFromDetails(details);
  }
}

/**
 * The messages a form shows next to its fields for an error: the server's per-field validation
 * messages, or, for a code the form ties to one of its fields (a taken email, a wrong current
 * password), that field with the server's message or the form's own. Null when the error
 * belongs to the form as a whole.
 */
export function fieldErrorsOf(
  err: unknown,
  byCode: Partial<Record<ApiError['code'], { field: string; message?: string }>> = {},
): Record<string, string> | null {
  if (!(err instanceof ApiError)) return null;
  if (Object.keys(err.fields).length) return err.fields;
  const tied = byCode[err.code];
  return tied ? { [tied.field]: tied.message ?? err.message } : null;
}

/**
 * Whether an error answer means the console session is gone (missing, expired, revoked, or
 * ended by a password change elsewhere): only `FLX_ERR_AUTH_REQUIRED` does. Other 401 codes
 * are about the request itself (a wrong current password on PUT /me/password, wrong
 * credentials at sign-in) and leave the session alone. A 401 without a code of ours (a proxy
 * in between) counts as session gone: the next GET /me tells.
 */
export function isSessionGone(status: number, code: unknown): boolean {
  return status === 401 && (code === 'FLX_ERR_AUTH_REQUIRED' || !isErrorCode(code));
}

/** Called when a request answers that the session is gone: the app returns to sign-in. */
let onUnauthenticated: (() => void) | null = null;
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Raw body (e.g. an image Blob); sent as is with its own type. */
  raw?: Blob;
  signal?: AbortSignal;
}

/**
 * How long a request may go unanswered. A connection that died without a close (a laptop
 * woken on another network, a proxy that dropped it) takes a request and never answers, and
 * the browser sets no limit of its own: the screen would stay "Loading…" for good. A photo
 * upload on a slow link gets longer.
 */
export const REQUEST_TIMEOUT_MS = 20_000;
export const UPLOAD_TIMEOUT_MS = 120_000;

export async function request<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  opts: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers[CSRF_HEADER] = '1';
  let body: BodyInit | undefined;
  if (opts.raw) {
    body = opts.raw;
    headers['content-type'] = opts.raw.type || 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const url = withQuery(API_PREFIX + path, opts.query);
  // A GET that timed out is asked once more: the browser closes the connection it was stuck on
  // when it is aborted, so the second goes out on a live one. Other methods are not repeated
  // (the first may have been done without its answer coming back).
  for (let attempt = 1; ; attempt++) {
    const timedOut = new AbortController();
    const timer = setTimeout(
      () => timedOut.abort(),
      opts.raw ? UPLOAD_TIMEOUT_MS : REQUEST_TIMEOUT_MS,
    );
    const onAbort = (): void => timedOut.abort();
    opts.signal?.addEventListener('abort', onAbort);
    try {
      if (opts.signal?.aborted) throw new DOMException('Aborted', 'AbortError');
      const res = await fetch(url, {
        method,
        headers,
        body: body ?? null,
        credentials: 'same-origin',
        signal: timedOut.signal,
      });
      // the answer's body is read under the same limit
      return answerOf(res, await res.text()) as T;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (opts.signal?.aborted) throw new DOMException('Aborted', 'AbortError');
      if (timedOut.signal.aborted) {
        if (method === 'GET' && attempt < 2) continue;
        throw new ApiError(
          'FLX_ERR_SDK_NETWORK',
          'The server did not answer in time. Check your connection.',
          0,
        );
      }
      throw new ApiError(
        'FLX_ERR_SDK_NETWORK',
        'The server cannot be reached. Check your connection.',
        0,
      );
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** The JSON of an answer, or its error as an `ApiError`. */
function answerOf(res: Response, text: string): unknown {
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) {
    const e = (
      json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined
    )?.error;
    const code = isErrorCode(e?.code)
      ? e.code
      : res.status >= 500
        ? 'FLX_ERR_INTERNAL'
        : 'FLX_ERR_BAD_REQUEST';
    const message = typeof e?.message === 'string' ? e.message : `Request failed (${res.status}).`;
    if (isSessionGone(res.status, e?.code)) onUnauthenticated?.();
    throw new ApiError(code, message, res.status, e?.details);
  }
  return json;
}

export const http = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) =>
    request<T>('GET', path, { ...(query ? { query } : {}), ...(signal ? { signal } : {}) }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** A human message for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}
