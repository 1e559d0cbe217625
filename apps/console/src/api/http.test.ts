// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, http, isSessionGone, setUnauthenticatedHandler } from './http.ts';

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
