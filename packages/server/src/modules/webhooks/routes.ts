/**
 * Admin routes of webhooks under /api/v1/admin/webhooks: list, create (the signing secret is
 * in this response only), delete, and the recent deliveries of one webhook.
 */
import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  ApiErrorSchema,
  CreatedWebhookSchema,
  CreateWebhookBodySchema,
  FluxError,
  IdParamsSchema,
  Page,
  PageQuerySchema,
  WebhookDeliverySchema,
  WebhookListSchema,
} from '@flux/protocol';
import { requireUser, sessionOf } from '../../http/auth.ts';
import { deleteInChannelRoute } from '../../http/routes.ts';
import {
  BlockedAddressError,
  checkLiteralHost,
  resolveTarget,
  type Lookup,
} from '../../net/addressGuard.ts';
import { newWebhookSecret } from './signature.ts';

/** Webhooks a channel may have. */
export const MAX_WEBHOOKS = 10;

const err = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
};

function invalidUrl(message: string): FluxError {
  return new FluxError('FLX_ERR_VALIDATION', `The webhook URL ${message}.`, {
    details: [{ field: 'url', message }],
  });
}

/** An absolute http(s) URL without credentials or fragment; returns it normalised. */
export function checkWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidUrl('is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidUrl('must start with https:// or http://');
  }
  if (url.username || url.password) throw invalidUrl('must not contain a user name or password');
  if (url.hash) throw invalidUrl('must not contain a #fragment');
  if (!url.hostname) throw invalidUrl('needs a host');
  return url.href;
}

/** How long registration waits for DNS before accepting a name it could not resolve. */
const REGISTRATION_LOOKUP_MS = 3000;

function privateUrl(reason: string): FluxError {
  const message = `${reason}; webhooks go to public addresses only`;
  return new FluxError('FLX_ERR_WEBHOOK_URL_PRIVATE', `The webhook URL is refused: ${message}.`, {
    details: [{ field: 'url', message }],
  });
}

/**
 * Refuses a URL whose host is, or resolves to, an address that is not public (loopback,
 * private, link-local such as cloud metadata, multicast, …) with FLX_ERR_WEBHOOK_URL_PRIVATE.
 * A name that does not resolve (yet, or within 3 s) is accepted: every delivery checks again.
 */
export async function checkWebhookTarget(url: string, lookup?: Lookup): Promise<void> {
  const host = new URL(url).hostname;
  let timer: NodeJS.Timeout | undefined;
  try {
    if (checkLiteralHost(host) !== null) return;
    await Promise.race([
      resolveTarget(host, { allowPrivate: false, ...(lookup ? { lookup } : {}) }),
      new Promise<void>((r) => {
        timer = setTimeout(r, REGISTRATION_LOOKUP_MS);
      }),
    ]);
  } catch (e) {
    if (e instanceof BlockedAddressError) throw privateUrl(e.message);
    // not resolvable now: accepted, the delivery decides
  } finally {
    clearTimeout(timer);
  }
}

export const webhookRoutes: FastifyPluginCallback = (root, _opts, done) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireUser('admin'));

  app.get(
    '/webhooks',
    {
      schema: {
        tags: ['admin'],
        summary: 'Webhooks of my channel',
        response: { 200: WebhookListSchema, ...err },
      },
    },
    async (request) => ({
      items: await app.ctx.storage.listWebhooks(sessionOf(request).user.channelId),
    }),
  );

  app.post(
    '/webhooks',
    {
      schema: {
        tags: ['admin'],
        summary:
          'Add a webhook: it receives call.ended and callback.requested (the signing secret is shown only in this response)',
        body: CreateWebhookBodySchema,
        response: { 201: CreatedWebhookSchema, ...err },
      },
    },
    async (request, reply) => {
      const { ctx } = app;
      const channelId = sessionOf(request).user.channelId;
      const url = checkWebhookUrl(request.body.url);
      if (!ctx.config.webhookAllowPrivate) await checkWebhookTarget(url);
      const existing = await ctx.storage.listWebhooks(channelId);
      if (existing.length >= MAX_WEBHOOKS) {
        throw new FluxError(
          'FLX_ERR_CONFLICT',
          `A channel has at most ${String(MAX_WEBHOOKS)} webhooks.`,
        );
      }
      const secret = newWebhookSecret();
      const webhook = await ctx.storage.createWebhook(channelId, url, secret, ctx.now());
      return reply.status(201).header('cache-control', 'no-store').send({ webhook, secret });
    },
  );

  deleteInChannelRoute(app, {
    path: '/webhooks/:id',
    tags: ['admin'],
    summary: 'Delete a webhook and its deliveries',
    errors: err,
    remove: (channelId, id) => app.ctx.storage.deleteWebhook(channelId, id),
    notFound: () => new FluxError('FLX_ERR_NOT_FOUND', 'No such webhook.'),
  });

  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags: ['admin'],
        summary: 'Recent deliveries of a webhook, newest first',
        params: IdParamsSchema,
        querystring: PageQuerySchema,
        response: { 200: Page(WebhookDeliverySchema), ...err },
      },
    },
    async (request) => {
      const channelId = sessionOf(request).user.channelId;
      const hooks = await app.ctx.storage.listWebhooks(channelId);
      if (!hooks.some((h) => h.id === request.params.id)) {
        throw new FluxError('FLX_ERR_NOT_FOUND', 'No such webhook.');
      }
      return app.ctx.storage.listWebhookDeliveries(channelId, request.params.id, {
        limit: request.query.limit ?? 25,
        ...(request.query.cursor === undefined ? {} : { cursor: request.query.cursor }),
      });
    },
  );

  done();
};
