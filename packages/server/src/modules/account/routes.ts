/**
 * Sign-in, sign-out and the signed-in user's own account: GET/PATCH /me, photo upload,
 * password change; plus GET /photos/:id which serves uploaded photos (public, immutable).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  API_PREFIX,
  ApiErrorSchema,
  ChangePasswordBodySchema,
  FluxError,
  IdParamsSchema,
  MeResponseSchema,
  OkSchema,
  PHOTO_MAX_BYTES,
  SESSION_COOKIE,
  SignInBodySchema,
  UpdateMeBodySchema,
} from '@flux/protocol';
import { csrfGuard, requireUser, sessionCookieOptions, sessionOf } from '../../http/auth.ts';
import type { StoredChannel } from '../../storage/Storage.ts';

export interface AccountRoutesOptions {
  signInRateLimitPerMinute: number;
}

/** The channel as the console sees it (server-only flags stripped). */
export function publicChannel(c: StoredChannel) {
  return { id: c.id, slug: c.slug, name: c.name, settings: c.settings };
}

/** Sniffs PNG, JPEG and WebP by their magic bytes. */
export function imageType(bytes: Buffer): 'image/png' | 'image/jpeg' | 'image/webp' | null {
  if (
    bytes.length >= 8 &&
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    return 'image/png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'image/jpeg';
  }
  if (
    bytes.length >= 12 &&
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return 'image/webp';
  }
  return null;
}

const err = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
  413: ApiErrorSchema,
  415: ApiErrorSchema,
};

export const accountRoutes: FastifyPluginAsync<AccountRoutesOptions> = async (root, opts) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const secure = () => app.ctx.config.publicUrl.startsWith('https://');

  app.post(
    '/auth/sign-in',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in to the console (sets the session cookie)',
        body: SignInBodySchema,
        response: { 200: MeResponseSchema, ...err },
      },
      onRequest: csrfGuard,
      config: {
        rateLimit: {
          max: opts.signInRateLimitPerMinute,
          timeWindow: 60_000,
          hook: 'preHandler',
          keyGenerator: (req) => {
            const body = req.body as { email?: unknown } | undefined;
            const email = typeof body?.email === 'string' ? body.email.toLowerCase() : '';
            return `sign-in|${req.ip}|${email}`;
          },
        },
      },
    },
    async (request, reply) => {
      const { storage, passwords, config, now } = app.ctx;
      const { channel: slug, email, password } = request.body;
      const channel = await storage.getChannelBySlug(slug);
      const auth = channel ? await storage.getUserAuth(channel.id, email) : null;
      // verify even when there is no such user, so timing does not tell which emails exist
      const ok = await passwords.verify(password, auth?.passwordHash ?? passwords.dummyHash);
      if (!channel || !auth || !ok) throw new FluxError('FLX_ERR_AUTH_INVALID_CREDENTIALS');
      if (!auth.user.active) throw new FluxError('FLX_ERR_AUTH_DEACTIVATED');
      const ttlMs = config.sessionTtlHours * 3600_000;
      const token = await storage.createSession(auth.user.id, new Date(now().getTime() + ttlMs));
      reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(secure(), ttlMs / 1000));
      return { user: auth.user, channel: publicChannel(channel) };
    },
  );

  app.post(
    '/auth/sign-out',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out (ends this session)',
        response: { 200: OkSchema, ...err },
      },
      onRequest: csrfGuard,
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token !== undefined && token !== '') await app.ctx.storage.deleteSession(token);
      reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(secure()));
      return { ok: true as const };
    },
  );

  // The signed-in user's own account
  await app.register((scoped, _opts, done) => {
    const me = scoped.withTypeProvider<TypeBoxTypeProvider>();
    me.addHook('onRequest', requireUser());

    me.get(
      '/me',
      {
        schema: {
          tags: ['account'],
          summary: 'Who is signed in',
          response: { 200: MeResponseSchema, ...err },
        },
      },
      (request) => ({
        user: sessionOf(request).user,
        channel: publicChannel(sessionOf(request).channel),
      }),
    );

    me.patch(
      '/me',
      {
        schema: {
          tags: ['account'],
          summary: 'Account settings: status, name, tags, profile photo URL',
          body: UpdateMeBodySchema,
          response: { 200: MeResponseSchema, ...err },
        },
      },
      async (request) => {
        const user = await me.ctx.storage.updateUser(sessionOf(request).user.id, request.body);
        if (!user) throw new FluxError('FLX_ERR_AUTH_REQUIRED');
        me.ctx.presence.agentChanged(user.channelId, user.id);
        return { user, channel: publicChannel(sessionOf(request).channel) };
      },
    );

    me.post(
      '/me/photo',
      {
        bodyLimit: PHOTO_MAX_BYTES,
        config: { upload: true },
        schema: {
          tags: ['account'],
          summary: 'Upload a profile photo (raw PNG, JPEG or WebP body, ≤ 2 MB)',
          consumes: ['image/png', 'image/jpeg', 'image/webp'],
          response: { 200: MeResponseSchema, ...err },
        },
      },
      async (request) => {
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) {
          throw new FluxError('FLX_ERR_UPLOAD_TYPE', 'Send the image bytes as the request body.');
        }
        const type = imageType(body);
        if (type === null) {
          throw new FluxError('FLX_ERR_UPLOAD_TYPE', 'The file is not a PNG, JPEG or WebP image.');
        }
        const declared = (request.headers['content-type'] ?? '')
          .split(';')[0]
          ?.trim()
          .toLowerCase();
        if (declared !== type) {
          throw new FluxError(
            'FLX_ERR_UPLOAD_TYPE',
            `The file is a ${type} image but was sent as ${declared ?? 'nothing'}.`,
          );
        }
        const { storage, presence, now } = me.ctx;
        const photo = await storage.savePhoto(sessionOf(request).user.id, type, body, now());
        const user = await storage.updateUser(sessionOf(request).user.id, {
          profilePhotoUrl: `${API_PREFIX}/photos/${photo.id}`,
        });
        if (!user) throw new FluxError('FLX_ERR_AUTH_REQUIRED');
        presence.agentChanged(user.channelId, user.id);
        return { user, channel: publicChannel(sessionOf(request).channel) };
      },
    );

    me.put(
      '/me/password',
      {
        schema: {
          tags: ['account'],
          summary: 'Change my password (other sessions are signed out)',
          body: ChangePasswordBodySchema,
          response: { 200: OkSchema, ...err },
        },
      },
      async (request, reply) => {
        const { storage, passwords, config, now } = me.ctx;
        const userId = sessionOf(request).user.id;
        const stored = await storage.getPasswordHash(userId);
        if (stored === null || !(await passwords.verify(request.body.currentPassword, stored))) {
          throw new FluxError('FLX_ERR_AUTH_INVALID_CREDENTIALS', 'The current password is wrong.');
        }
        await storage.updateUser(userId, {
          passwordHash: await passwords.hash(request.body.newPassword),
        });
        await storage.deleteUserSessions(userId);
        const ttlMs = config.sessionTtlHours * 3600_000;
        const token = await storage.createSession(userId, new Date(now().getTime() + ttlMs));
        reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(secure(), ttlMs / 1000));
        return { ok: true as const };
      },
    );
    done();
  });

  app.get(
    '/photos/:id',
    {
      schema: {
        tags: ['account'],
        summary: 'An uploaded profile photo',
        params: IdParamsSchema,
        response: { 200: Type.Any(), 404: ApiErrorSchema, 400: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      const photo = await app.ctx.storage.getPhoto(request.params.id);
      if (!photo) throw new FluxError('FLX_ERR_NOT_FOUND', 'No such photo.');
      return reply
        .type(photo.contentType)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('access-control-allow-origin', '*')
        .header('x-content-type-options', 'nosniff')
        .send(photo.bytes);
    },
  );
};
