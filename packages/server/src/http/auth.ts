/**
 * Console authentication: the session cookie names an opaque token (stored hashed); the
 * hooks below run on `onRequest`, before the body is read, so refused requests cost nothing
 * and write nothing. Every mutating request must carry `X-Flux-Console: 1` (CSRF guard:
 * a cross-site form or fetch cannot add a custom header without a preflight we never grant).
 */
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { CSRF_HEADER, FluxError, SESSION_COOKIE, type User, type UserRole } from '@flux/protocol';
import type { StoredChannel } from '../storage/Storage.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function requireCsrfHeader(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (request.headers[CSRF_HEADER] !== '1') {
    throw new FluxError(
      'FLX_ERR_AUTH_CSRF',
      `Send the header ${CSRF_HEADER}: 1 with this request.`,
    );
  }
}

/** onRequest hook of routes that need only the CSRF header (sign-in, sign-out). */
export function csrfGuard(request: FastifyRequest): Promise<void> {
  return new Promise((resolve) => {
    requireCsrfHeader(request);
    resolve();
  });
}

/** Loads the session's user and channel onto the request (or leaves them null). */
export async function loadSession(request: FastifyRequest): Promise<void> {
  const token = request.cookies[SESSION_COOKIE];
  if (token === undefined || token === '' || token.length > 200) return;
  const { storage, now } = request.server.ctx;
  const user = await storage.getSessionUser(token, now());
  if (!user) return;
  const channel = await storage.getChannel(user.channelId);
  if (!channel) return;
  request.user = user;
  request.channel = channel;
}

/** onRequest hook: CSRF header on mutations, a live session, and (optionally) a role. */
export function requireUser(role?: UserRole): onRequestAsyncHookHandler {
  return async function (request: FastifyRequest) {
    requireCsrfHeader(request);
    await loadSession(request);
    if (!request.user) throw new FluxError('FLX_ERR_AUTH_REQUIRED');
    if (role === 'admin' && request.user.role !== 'admin') {
      throw new FluxError('FLX_ERR_AUTH_FORBIDDEN', 'This needs the admin role.');
    }
  };
}

export function sessionCookieOptions(secure: boolean, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure,
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}

/** The signed-in user and their channel (routes behind requireUser). */
export function sessionOf(request: FastifyRequest): { user: User; channel: StoredChannel } {
  const { user, channel } = request;
  if (!user || !channel) throw new FluxError('FLX_ERR_AUTH_REQUIRED');
  return { user, channel };
}
