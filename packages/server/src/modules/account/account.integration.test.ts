import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse } from '@flux/protocol';
import {
  CONSOLE,
  createFixture,
  failure,
  PASSWORD,
  type Fixture,
} from '../../testing/apiHarness.ts';
import { databaseKinds } from '../../testing/databases.ts';

const kinds = await databaseKinds('Account API');

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 7),
]);

describe.each(kinds)('sign-in and account on %s', (kind) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture(kind);
  });
  afterAll(() => f.close());

  const signInReq = (payload: unknown, headers: Record<string, string> = CONSOLE) =>
    f.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      headers,
      payload: payload as object,
    });

  describe('POST /auth/sign-in', () => {
    it('signs in and sets an httpOnly, SameSite=Lax session cookie', async () => {
      const res = await signInReq({ channel: 'acme', email: 'MIA@acme.test', password: PASSWORD });
      expect(res.statusCode).toBe(200);
      const body = res.json<MeResponse>();
      expect(body.user).toMatchObject({ id: f.agent.id, role: 'agent' });
      expect(body.channel).toEqual({
        id: f.acme.id,
        slug: 'acme',
        name: 'Acme Hats',
        settings: f.acme.settings,
      });
      const cookie = res.cookies.find((c) => c.name === 'flux_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(cookie?.secure).toBeFalsy();
      expect(cookie?.maxAge).toBe(12 * 3600);
    });

    it('refuses wrong credentials alike, and writes no session', async () => {
      const before = await f.counts();
      for (const payload of [
        { channel: 'acme', email: 'mia@acme.test', password: 'wrong password' },
        { channel: 'acme', email: 'nobody@acme.test', password: PASSWORD },
        { channel: 'nope', email: 'mia@acme.test', password: PASSWORD },
        { channel: 'other', email: 'mia@acme.test', password: PASSWORD },
      ]) {
        expect(failure(await signInReq(payload))).toEqual({
          status: 401,
          code: 'FLX_ERR_AUTH_INVALID_CREDENTIALS',
        });
      }
      expect(
        failure(
          await signInReq({ channel: 'acme', email: 'mia@acme.test', password: PASSWORD }, {}),
        ),
      ).toEqual({
        status: 403,
        code: 'FLX_ERR_AUTH_CSRF',
      });
      expect(failure(await signInReq({ channel: 'acme', email: 'mia@acme.test' })).code).toBe(
        'FLX_ERR_VALIDATION',
      );
      expect(
        failure(await signInReq({ channel: 'acme', email: 'mia@acme.test', password: 5 })).code,
      ).toBe('FLX_ERR_VALIDATION');
      expect(
        failure(
          await signInReq({
            channel: 'acme',
            email: 'mia@acme.test',
            password: PASSWORD,
            remember: true,
          }),
        ).code,
      ).toBe('FLX_ERR_VALIDATION');
      expect(await f.counts()).toEqual(before);
    });

    it('refuses a deactivated user and drops their sessions', async () => {
      const cookie = await f.signIn('jo@acme.test');
      await f.storage.updateUser(f.agent2.id, { active: false });
      try {
        expect(
          failure(await signInReq({ channel: 'acme', email: 'jo@acme.test', password: PASSWORD })),
        ).toEqual({
          status: 403,
          code: 'FLX_ERR_AUTH_DEACTIVATED',
        });
        expect(failure(await f.app.inject({ url: '/api/v1/me', headers: { cookie } })).code).toBe(
          'FLX_ERR_AUTH_REQUIRED',
        );
      } finally {
        await f.storage.updateUser(f.agent2.id, { active: true });
      }
    });

    it('marks the cookie Secure when PUBLIC_URL is https', async () => {
      const g = await createFixture('sqlite', { PUBLIC_URL: 'https://calls.example' });
      try {
        const res = await g.app.inject({
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          headers: CONSOLE,
          payload: { channel: 'acme', email: 'mia@acme.test', password: PASSWORD },
        });
        expect(res.cookies.find((c) => c.name === 'flux_session')?.secure).toBe(true);
      } finally {
        await g.close();
      }
    });

    it('rate limits sign-in attempts per IP and email', async () => {
      const g = await createFixture('sqlite', { SIGN_IN_RATE_LIMIT: '2' });
      try {
        const attempt = (email: string) =>
          g.app.inject({
            method: 'POST',
            url: '/api/v1/auth/sign-in',
            headers: CONSOLE,
            payload: { channel: 'acme', email, password: 'wrong password' },
          });
        expect((await attempt('mia@acme.test')).statusCode).toBe(401);
        expect((await attempt('mia@acme.test')).statusCode).toBe(401);
        expect(failure(await attempt('MIA@acme.test'))).toEqual({
          status: 429,
          code: 'FLX_ERR_RATE_LIMITED',
        });
        expect((await attempt('jo@acme.test')).statusCode).toBe(401);
      } finally {
        await g.close();
      }
    });
  });

  describe('session routes', () => {
    let cookie: string;
    beforeAll(async () => {
      cookie = await f.signIn('mia@acme.test');
    });

    it('GET /me needs a session', async () => {
      expect(failure(await f.app.inject({ url: '/api/v1/me' }))).toEqual({
        status: 401,
        code: 'FLX_ERR_AUTH_REQUIRED',
      });
      expect(
        failure(
          await f.app.inject({ url: '/api/v1/me', headers: { cookie: 'flux_session=forged' } }),
        ).code,
      ).toBe('FLX_ERR_AUTH_REQUIRED');
      const res = await f.app.inject({ url: '/api/v1/me', headers: { cookie } });
      expect(res.json<MeResponse>().user.email).toBe('mia@acme.test');
    });

    it('PATCH /me changes status, name, tags and photo URL', async () => {
      const res = await f.app.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers: { ...CONSOLE, cookie },
        payload: {
          status: 'online',
          name: 'Mia A.',
          tags: ['fashion-support', 'styling'],
          profilePhotoUrl: 'https://cdn.test/m.png',
        },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json<MeResponse>().user).toMatchObject({
        status: 'online',
        name: 'Mia A.',
        tags: ['fashion-support', 'styling'],
        profilePhotoUrl: 'https://cdn.test/m.png',
      });
      const cleared = await f.app.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers: { ...CONSOLE, cookie },
        payload: { profilePhotoUrl: '' },
      });
      expect(cleared.json<MeResponse>().user.profilePhotoUrl).toBe('');
    });

    it('PATCH /me refuses bad input without writing', async () => {
      const before = await f.storage.getUser(f.agent.id);
      const patch = (payload: unknown, headers: Record<string, string> = { ...CONSOLE, cookie }) =>
        f.app.inject({ method: 'PATCH', url: '/api/v1/me', headers, payload: payload as object });
      expect(failure(await patch({ status: 'online' }, { cookie }))).toEqual({
        status: 403,
        code: 'FLX_ERR_AUTH_CSRF',
      });
      expect(failure(await patch({ status: 'online' }, CONSOLE))).toEqual({
        status: 401,
        code: 'FLX_ERR_AUTH_REQUIRED',
      });
      const unknown = await patch({ name: 'X', role: 'admin' });
      expect(unknown.json()).toMatchObject({
        error: { code: 'FLX_ERR_VALIDATION', details: [{ field: 'role' }] },
      });
      expect(failure(await patch({ status: 'away' })).code).toBe('FLX_ERR_VALIDATION');
      expect(failure(await patch({ tags: ['Bad Tag'] })).code).toBe('FLX_ERR_VALIDATION');
      expect(failure(await patch({ tags: ['a', 'a'] })).code).toBe('FLX_ERR_VALIDATION');
      expect(failure(await patch({ profilePhotoUrl: 'javascript:alert(1)' })).code).toBe(
        'FLX_ERR_VALIDATION',
      );
      expect(failure(await patch({})).code).toBe('FLX_ERR_VALIDATION');
      expect(failure(await patch([])).code).toBe('FLX_ERR_VALIDATION');
      const malformed = await f.app.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers: { ...CONSOLE, cookie, 'content-type': 'application/json' },
        payload: '{"name": "x",',
      });
      expect(failure(malformed)).toEqual({ status: 400, code: 'FLX_ERR_BAD_REQUEST' });
      const text = await f.app.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers: { ...CONSOLE, cookie, 'content-type': 'text/plain' },
        payload: 'name=x',
      });
      expect(failure(text)).toEqual({ status: 415, code: 'FLX_ERR_UNSUPPORTED_MEDIA_TYPE' });
      expect(await f.storage.getUser(f.agent.id)).toEqual(before);
    });

    it('POST /me/photo stores a checked image and serves it back', async () => {
      const res = await f.app.inject({
        method: 'POST',
        url: '/api/v1/me/photo',
        headers: { ...CONSOLE, cookie, 'content-type': 'image/png' },
        payload: PNG,
      });
      expect(res.statusCode).toBe(200);
      const url = res.json<MeResponse>().user.profilePhotoUrl;
      expect(url).toMatch(/^\/api\/v1\/photos\/[A-Za-z0-9_-]+$/);
      const photo = await f.app.inject({ url });
      expect(photo.statusCode).toBe(200);
      expect(photo.headers['content-type']).toBe('image/png');
      expect(photo.rawPayload.equals(PNG)).toBe(true);
      expect(failure(await f.app.inject({ url: '/api/v1/photos/nope' }))).toEqual({
        status: 404,
        code: 'FLX_ERR_NOT_FOUND',
      });
    });

    it('POST /me/photo refuses wrong types, fake images and large files, writing nothing', async () => {
      const before = await f.counts();
      const up = (
        type: string,
        payload: Buffer,
        headers: Record<string, string> = { ...CONSOLE, cookie },
      ) =>
        f.app.inject({
          method: 'POST',
          url: '/api/v1/me/photo',
          headers: { ...headers, 'content-type': type },
          payload,
        });
      expect(failure(await up('image/gif', Buffer.from('GIF89a....')))).toEqual({
        status: 415,
        code: 'FLX_ERR_UPLOAD_TYPE',
      });
      expect(failure(await up('image/png', Buffer.from('<svg onload=alert(1)>')))).toEqual({
        status: 415,
        code: 'FLX_ERR_UPLOAD_TYPE',
      });
      expect(failure(await up('image/jpeg', PNG)).code).toBe('FLX_ERR_UPLOAD_TYPE');
      expect(
        failure(await up('image/png', Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]))),
      ).toEqual({
        status: 413,
        code: 'FLX_ERR_UPLOAD_TOO_LARGE',
      });
      expect(failure(await up('image/png', PNG, CONSOLE)).code).toBe('FLX_ERR_AUTH_REQUIRED');
      expect(failure(await up('image/png', PNG, { cookie })).code).toBe('FLX_ERR_AUTH_CSRF');
      expect(await f.counts()).toEqual(before);
    });

    it('PUT /me/password checks the current password and signs out other sessions', async () => {
      const other = await f.signIn('mia@acme.test');
      const put = (payload: unknown) =>
        f.app.inject({
          method: 'PUT',
          url: '/api/v1/me/password',
          headers: { ...CONSOLE, cookie },
          payload: payload as object,
        });
      expect(
        failure(await put({ currentPassword: 'nope', newPassword: 'a brand new password' })),
      ).toEqual({
        status: 401,
        code: 'FLX_ERR_AUTH_INVALID_CREDENTIALS',
      });
      // a wrong current password is about the request, not the session: no session ends, the
      // password stays, and only FLX_ERR_AUTH_REQUIRED would tell the console to sign out
      for (const c of [cookie, other]) {
        expect((await f.app.inject({ url: '/api/v1/me', headers: { cookie: c } })).statusCode).toBe(
          200,
        );
      }
      expect(
        (await signInReq({ channel: 'acme', email: 'mia@acme.test', password: PASSWORD }))
          .statusCode,
      ).toBe(200);
      expect(failure(await put({ currentPassword: PASSWORD, newPassword: 'short' })).code).toBe(
        'FLX_ERR_VALIDATION',
      );
      const ok = await put({ currentPassword: PASSWORD, newPassword: 'a brand new password' });
      expect(ok.statusCode).toBe(200);
      const fresh = ok.cookies.find((c) => c.name === 'flux_session');
      expect(fresh?.value).toBeTruthy();
      expect(
        (await f.app.inject({ url: '/api/v1/me', headers: { cookie: other } })).statusCode,
      ).toBe(401);
      cookie = `flux_session=${fresh?.value ?? ''}`;
      expect((await f.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(200);
      // restore for the other tests
      await put({ currentPassword: 'a brand new password', newPassword: PASSWORD }).then((r) => {
        cookie = `flux_session=${r.cookies.find((c) => c.name === 'flux_session')?.value ?? ''}`;
      });
    });

    it('POST /auth/sign-out ends the session and clears the cookie', async () => {
      const c = await f.signIn('mia@acme.test');
      expect(
        failure(
          await f.app.inject({
            method: 'POST',
            url: '/api/v1/auth/sign-out',
            headers: { cookie: c },
          }),
        ).code,
      ).toBe('FLX_ERR_AUTH_CSRF');
      const res = await f.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-out',
        headers: { ...CONSOLE, cookie: c },
      });
      expect(res.statusCode).toBe(200);
      expect(res.cookies.find((x) => x.name === 'flux_session')?.value).toBe('');
      expect((await f.app.inject({ url: '/api/v1/me', headers: { cookie: c } })).statusCode).toBe(
        401,
      );
    });
  });
});
