// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  http,
  isSessionGone,
  REQUEST_TIMEOUT_MS,
  setUnauthenticatedHandler,
} from './http.ts';

function answer(status: number, body: unknown): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(() =>
      Promise.resolve(
        new Response(body === undefined ? '' : JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json' },
        }),
      ),
    ),
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthenticatedHandler(() => undefined);
});

describe('http: which answers sign the console out', () => {
  it('isSessionGone: only FLX_ERR_AUTH_REQUIRED, or a 401 without a code of ours', () => {
    expect(isSessionGone(401, 'FLX_ERR_AUTH_REQUIRED')).toBe(true);
    expect(isSessionGone(401, undefined)).toBe(true);
    expect(isSessionGone(401, 'SOMETHING_ELSE')).toBe(true);
    expect(isSessionGone(401, 'FLX_ERR_AUTH_INVALID_CREDENTIALS')).toBe(false);
    expect(isSessionGone(403, 'FLX_ERR_AUTH_FORBIDDEN')).toBe(false);
    expect(isSessionGone(403, 'FLX_ERR_AUTH_REQUIRED')).toBe(false);
    expect(isSessionGone(400, 'FLX_ERR_VALIDATION')).toBe(false);
  });

  it('a wrong current password rejects with its code and keeps the session', async () => {
    const signedOut = vi.fn();
    setUnauthenticatedHandler(signedOut);
    answer(401, {
      error: {
        code: 'FLX_ERR_AUTH_INVALID_CREDENTIALS',
        message: 'The current password is wrong.',
      },
    });
    const err = await http.put('/me/password', { currentPassword: 'x', newPassword: 'y' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'FLX_ERR_AUTH_INVALID_CREDENTIALS', status: 401 });
    expect(signedOut).not.toHaveBeenCalled();
  });

  it('a session the server no longer knows, or a bare 401, signs the console out', async () => {
    const signedOut = vi.fn();
    setUnauthenticatedHandler(signedOut);
    answer(401, { error: { code: 'FLX_ERR_AUTH_REQUIRED', message: 'Sign in first.' } });
    await expect(http.get('/me/calls')).rejects.toMatchObject({ code: 'FLX_ERR_AUTH_REQUIRED' });
    expect(signedOut).toHaveBeenCalledTimes(1);
    answer(401, undefined);
    await expect(http.get('/me')).rejects.toMatchObject({ status: 401 });
    expect(signedOut).toHaveBeenCalledTimes(2);
  });
});

/** A fetch whose first `dead` requests go out on a connection that never answers. */
function deadThenAnswer(dead: number) {
  const calls: string[] = [];
  const fn = vi.fn((url: string, init: RequestInit) => {
    calls.push(`${String(init.method)} ${url}`);
    if (calls.length > dead) return Promise.resolve(new Response('{"ok":true}', { status: 200 }));
    return new Promise<Response>((_, reject) => {
      init.signal?.addEventListener('abort', () => {
        reject(new DOMException('The operation was aborted.', 'AbortError'));
      });
    });
  });
  vi.stubGlobal('fetch', fn);
  return calls;
}

describe('http: a request on a connection that never answers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a GET is given up after the limit and asked once more, which answers', async () => {
    vi.useFakeTimers();
    const calls = deadThenAnswer(1);
    const got = http.get<{ ok: boolean }>('/me/calls');
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(got).resolves.toEqual({ ok: true });
    expect(calls).toEqual(['GET /api/v1/me/calls', 'GET /api/v1/me/calls']);
  });

  it('a GET whose second try does not answer either fails with a clear message', async () => {
    vi.useFakeTimers();
    const calls = deadThenAnswer(2);
    const got = http.get('/me/calls').then(
      () => null,
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(2 * REQUEST_TIMEOUT_MS);
    expect(await got).toMatchObject({
      code: 'FLX_ERR_SDK_NETWORK',
      message: 'The server did not answer in time. Check your connection.',
    });
    expect(calls).toHaveLength(2);
  });

  it('a change is not sent twice: it may have been made without its answer coming back', async () => {
    vi.useFakeTimers();
    const calls = deadThenAnswer(1);
    const got = http.post('/me/status', { status: 'online' }).then(
      () => null,
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);
    expect(await got).toMatchObject({ code: 'FLX_ERR_SDK_NETWORK', status: 0 });
    expect(calls).toEqual(['POST /api/v1/me/status']);
  });

  it("the caller's own abort is an AbortError, not a network error, and is not retried", async () => {
    const calls = deadThenAnswer(1);
    const stop = new AbortController();
    const got = http.get('/me/calls', undefined, stop.signal).then(
      () => null,
      (e: unknown) => e,
    );
    stop.abort();
    const err = await got;
    expect(err).toBeInstanceOf(DOMException);
    expect((err as DOMException).name).toBe('AbortError');
    expect(calls).toHaveLength(1);
  });
});
