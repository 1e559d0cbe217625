/**
 * The public API used by the SDK on merchants' pages, under /api/v1/public. CORS is answered
 * here only: a successful response allows exactly the checked Origin; an error response
 * reflects the request's Origin so the SDK can read the error code (it carries no data).
 */
import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  ApiErrorSchema,
  FluxError,
  ApiKeyQuerySchema,
  OkSchema,
  PublicAgentsResponseSchema,
  PublicCallbackBodySchema,
  PublicChannelParamsSchema,
  PublicProductsQuerySchema,
  PublicProductsResponseSchema,
  type CallAgent,
  type User,
} from '@flux/protocol';
import { admittedOf, checkPublicRequest, requestOrigin } from './guard.ts';
import { isOpen } from '../../lib/openingHours.ts';
import { signVisitorToken, VISITOR_TOKEN_TTL_MS } from '../../auth/visitorToken.ts';

const MAX_PRODUCT_IDS = 50;

export interface PublicRoutesOptions {
  rateLimitPerMinute: number;
}

/** A CallAgent exactly as the spec defines it; a relative photo URL is made absolute. */
export function toCallAgent(user: User, publicUrl: string): CallAgent {
  const photo = user.profilePhotoUrl;
  return {
    id: user.id,
    name: user.name,
    status: user.status,
    tags: user.tags,
    profile_photo_url: photo.startsWith('/') ? `${publicUrl}${photo}` : photo,
  };
}

const errors = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
};

export const publicRoutes: FastifyPluginCallback<PublicRoutesOptions> = (root, opts, done) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  const rateLimit = {
    max: opts.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req: { ip: string; params: unknown }) =>
      `public|${req.ip}|${String((req.params as { channelId?: unknown }).channelId)}`,
  };

  app.addHook('onSend', async (request, reply, payload) => {
    const origin = request.checkedOrigin ?? requestOrigin(request);
    if (origin !== null && reply.getHeader('access-control-allow-origin') === undefined) {
      reply.header(
        'access-control-allow-origin',
        request.checkedOrigin ?? request.headers.origin ?? origin,
      );
      reply.header('vary', 'Origin');
    }
    return payload;
  });

  app.get(
    '/channels/:channelId/agents',
    {
      schema: {
        tags: ['public'],
        summary: 'Call agents who can take a call now, and a visitor token',
        params: PublicChannelParamsSchema,
        querystring: ApiKeyQuerySchema,
        response: { 200: PublicAgentsResponseSchema, ...errors },
      },
      config: { publicApi: true, rateLimit },
      preHandler: checkPublicRequest,
    },
    async (request) => {
      const { ctx } = app;
      const channel = admittedOf(request).channel;
      const now = ctx.now();
      const open = isOpen(channel.settings.openingHours, now);
      const agents = open ? await ctx.presence.availableAgents(channel.id) : [];
      const expiresAt = new Date(now.getTime() + VISITOR_TOKEN_TTL_MS);
      const visitorToken = signVisitorToken(ctx.secrets.visitorToken, {
        channelId: channel.id,
        channelSlug: channel.slug,
        origin: admittedOf(request).origin,
        expiresAt,
      });
      return {
        agents: agents.map((u) => toCallAgent(u, ctx.config.publicUrl)),
        open,
        visitorToken,
        tokenExpiresAt: expiresAt.toISOString(),
      };
    },
  );

  app.get(
    '/channels/:channelId/products',
    {
      schema: {
        tags: ['public'],
        summary: 'Resolve product IDs (SKUs or external IDs) to products',
        params: PublicChannelParamsSchema,
        querystring: PublicProductsQuerySchema,
        response: { 200: PublicProductsResponseSchema, ...errors },
      },
      config: { publicApi: true, rateLimit },
      preHandler: checkPublicRequest,
    },
    async (request) => {
      const ids = [
        ...new Set(
          request.query.ids
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
        ),
      ];
      if (ids.length > MAX_PRODUCT_IDS) {
        throw new FluxError('FLX_ERR_VALIDATION', `Ask for at most ${MAX_PRODUCT_IDS} products.`, {
          details: [{ field: 'ids', message: `must list at most ${MAX_PRODUCT_IDS} IDs` }],
        });
      }
      return app.ctx.storage.resolveProducts(admittedOf(request).channel.id, ids);
    },
  );

  app.options(
    '/channels/:channelId/callbacks',
    { schema: { hide: true }, config: { publicApi: true } },
    async (request, reply) => {
      const origin = requestOrigin(request);
      if (origin !== null) {
        reply.header('access-control-allow-methods', 'POST');
        reply.header('access-control-allow-headers', 'content-type');
        reply.header('access-control-max-age', '600');
      }
      return reply.status(204).send();
    },
  );

  app.post(
    '/channels/:channelId/callbacks',
    {
      schema: {
        tags: ['public'],
        summary: 'A visitor asks to be called back',
        params: PublicChannelParamsSchema,
        querystring: ApiKeyQuerySchema,
        body: PublicCallbackBodySchema,
        response: {
          201: Type.Object({ ok: OkSchema.properties.ok, id: Type.String() }),
          ...errors,
        },
      },
      config: { publicApi: true, rateLimit },
      preHandler: checkPublicRequest,
    },
    async (request, reply) => {
      const b = request.body;
      const channel = admittedOf(request).channel;
      let callId: string | null = null;
      if (b.callId !== undefined) {
        const call = await app.ctx.storage.getCall(b.callId);
        callId = call && call.channelId === channel.id ? call.id : null;
      }
      const noteParts = [b.note ?? ''];
      const who = [b.user?.email, b.user?.externalId].filter((x) => x !== undefined && x !== '');
      if (who.length > 0) noteParts.push(`(visitor: ${who.join(', ')})`);
      const cb = await app.ctx.storage.createCallback({
        channelId: channel.id,
        callId,
        name: b.name,
        contact: b.contact,
        note: noteParts.filter((s) => s !== '').join(' '),
        pageUrl: b.pageUrl ?? null,
        at: app.ctx.now(),
      });
      // the consoles announce it at once, as for a request over the WebSocket
      app.ctx.pushToAgents(channel.id, { type: 'callback.created', callbackId: cb.id });
      return reply.status(201).send({ ok: true as const, id: cb.id });
    },
  );
  done();
};
