/**
 * The public API's gate: channel (by slug), publishable key, and Origin. Runs before any
 * handler, so a refused request writes nothing.
 *
 * The Origin is the `Origin` header, or, when absent, the origin of `Referer`; neither →
 * refused. It must be on the channel's allowed origins, or be http://localhost:* /
 * http://127.0.0.1:* when the channel allows localhost.
 */
import type { FastifyRequest } from 'fastify';
import { FluxError } from '@flux/protocol';
import type { StoredChannel } from '../../storage/Storage.ts';

const LOCALHOST = /^http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?$/;

/** The request's origin (scheme://host[:port], lower-case) or null. */
export function requestOrigin(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== '' && origin !== 'null') {
    return origin.toLowerCase();
  }
  const referer = request.headers.referer;
  if (typeof referer === 'string' && referer !== '') {
    try {
      const u = new URL(referer);
      if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin.toLowerCase();
    } catch {
      return null;
    }
  }
  return null;
}

export async function checkPublicRequest(request: FastifyRequest): Promise<void> {
  const { channelId } = request.params as { channelId: string };
  const { apiKey } = request.query as { apiKey: string };
  const { storage } = request.server.ctx;
  const channel = await storage.getChannelBySlug(channelId);
  if (!channel) throw new FluxError('FLX_ERR_CHANNEL_NOT_FOUND');
  const key = await storage.findApiKey(channel.id, apiKey);
  if (!key) throw new FluxError('FLX_ERR_API_KEY_INVALID');
  if (key.revoked) throw new FluxError('FLX_ERR_API_KEY_REVOKED');
  const origin = requestOrigin(request);
  if (origin === null && request.headers.origin === 'null') {
    // what a browser sends from a page opened as a file, or from a sandboxed frame
    throw new FluxError(
      'FLX_ERR_ORIGIN_NOT_ALLOWED',
      'The page has no origin (a file:// page or a sandboxed frame sends "null"): serve it over http(s) from an allowed origin.',
    );
  }
  if (origin === null) {
    throw new FluxError(
      'FLX_ERR_ORIGIN_NOT_ALLOWED',
      'The request has no Origin or Referer, so the website cannot be checked.',
    );
  }
  const allowed =
    (channel.allowLocalhost && LOCALHOST.test(origin)) ||
    (await storage.isOriginAllowed(channel.id, origin));
  if (!allowed) {
    throw new FluxError(
      'FLX_ERR_ORIGIN_NOT_ALLOWED',
      `The origin ${origin} is not allowed to use this channel.`,
    );
  }
  request.channel = channel;
  request.checkedOrigin = origin;
}

/** The channel and Origin a public request was admitted for (routes behind checkPublicRequest). */
export function admittedOf(request: FastifyRequest): { channel: StoredChannel; origin: string } {
  const { channel, checkedOrigin } = request;
  if (!channel || checkedOrigin === null) throw new FluxError('FLX_ERR_API_KEY_INVALID');
  return { channel, origin: checkedOrigin };
}
