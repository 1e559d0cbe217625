/**
 * Admin routes under /api/v1/admin: role admin, own channel only. Everything a write could
 * change about an agent's availability or profile is reported to presence.
 */
import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  AdminCallsQuerySchema,
  AllowedOriginSchema,
  ApiErrorSchema,
  ApiKeyListSchema,
  ApiKeySchema,
  CallPageSchema,
  CreateAgentBodySchema,
  CreateApiKeyBodySchema,
  CreatedApiKeySchema,
  CreateOriginBodySchema,
  FluxError,
  IdParamsSchema,
  OkSchema,
  OriginListSchema,
  PageQuerySchema,
  ProductImportBodySchema,
  ProductImportResponseSchema,
  ProductInputSchema,
  ProductPatchSchema,
  ProductSchema,
  ResetPasswordBodySchema,
  SettingsResponseSchema,
  UpdateAgentBodySchema,
  UpdateSettingsBodySchema,
  UserPageSchema,
  UserResponseSchema,
  type ChannelSettings,
  type User,
} from '@flux/protocol';
import { requireUser, sessionOf } from '../../http/auth.ts';
import { deleteInChannelRoute } from '../../http/routes.ts';
import { dateTimeParam } from '../../lib/dateTime.ts';
import { isValidTimezone, openingHoursProblem } from '../../lib/openingHours.ts';
import { isUniqueViolation } from '../../storage/kysely/KyselyStorage.ts';
import { parseProductCsv } from './productImport.ts';

/** Bodies up to this size for the CSV import (the rest of the API keeps ~1 MB). */
export const IMPORT_BODY_LIMIT = 4 * 1024 * 1024;
const IMPORT_BATCH = 200;

const err = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
  413: ApiErrorSchema,
};

export const adminRoutes: FastifyPluginCallback = (root, _opts, done) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireUser('admin'));

  /** A user of the admin's own channel, else FLX_ERR_AGENT_NOT_FOUND. */
  async function ownUser(channelId: string, id: string): Promise<User> {
    const user = await app.ctx.storage.getUser(id);
    if (!user || user.channelId !== channelId) throw new FluxError('FLX_ERR_AGENT_NOT_FOUND');
    return user;
  }

  // ------------------------------------------------------------ agents

  app.get(
    '/agents',
    {
      schema: {
        tags: ['admin'],
        summary: 'Users (agents and admins) of my channel',
        querystring: PageQuerySchema,
        response: { 200: UserPageSchema, ...err },
      },
    },
    async (request) =>
      app.ctx.storage.listUsers(sessionOf(request).user.channelId, {
        limit: request.query.limit ?? 25,
        ...(request.query.cursor === undefined ? {} : { cursor: request.query.cursor }),
      }),
  );

  app.post(
    '/agents',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create an agent (or admin)',
        body: CreateAgentBodySchema,
        response: { 201: UserResponseSchema, ...err },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const channelId = sessionOf(request).user.channelId;
      const existing = await app.ctx.storage.getUserAuth(channelId, b.email);
      if (existing)
        throw new FluxError('FLX_ERR_CONFLICT', 'A user with this email already exists.');
      const user = await app.ctx.storage.createUser({
        channelId,
        email: b.email,
        name: b.name,
        role: b.role ?? 'agent',
        passwordHash: await app.ctx.passwords.hash(b.password),
        ...(b.tags === undefined ? {} : { tags: b.tags }),
        ...(b.profilePhotoUrl === undefined ? {} : { profilePhotoUrl: b.profilePhotoUrl }),
      });
      return reply.status(201).send({ user });
    },
  );

  app.patch(
    '/agents/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Edit an agent; active: false deactivates (signs out, hides from widgets)',
        params: IdParamsSchema,
        body: UpdateAgentBodySchema,
        response: { 200: UserResponseSchema, ...err },
      },
    },
    async (request) => {
      const me = sessionOf(request).user;
      const target = await ownUser(me.channelId, request.params.id);
      const b = request.body;
      if (target.id === me.id && (b.active === false || b.role === 'agent')) {
        throw new FluxError('FLX_ERR_CONFLICT', 'You cannot deactivate or demote yourself.');
      }
      const patch = { ...b, ...(b.active === false ? { status: 'offline' as const } : {}) };
      const user = await app.ctx.storage.updateUser(target.id, patch);
      if (!user) throw new FluxError('FLX_ERR_AGENT_NOT_FOUND');
      app.ctx.presence.agentChanged(user.channelId, user.id);
      return { user };
    },
  );

  app.post(
    '/agents/:id/password',
    {
      schema: {
        tags: ['admin'],
        summary: "Set an agent's password (signs them out everywhere)",
        params: IdParamsSchema,
        body: ResetPasswordBodySchema,
        response: { 200: OkSchema, ...err },
      },
    },
    async (request) => {
      const target = await ownUser(sessionOf(request).user.channelId, request.params.id);
      const passwordHash = await app.ctx.passwords.hash(request.body.password);
      await app.ctx.storage.updateUser(target.id, { passwordHash });
      if (target.id !== sessionOf(request).user.id)
        await app.ctx.storage.deleteUserSessions(target.id);
      return { ok: true as const };
    },
  );

  // ------------------------------------------------------------ products

  app.post(
    '/products',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create a product',
        body: ProductInputSchema,
        response: { 201: Type.Object({ product: ProductSchema }), ...err },
      },
    },
    async (request, reply) => {
      const b = request.body;
      if ((b.sku ?? null) === null && (b.externalId ?? null) === null) {
        throw new FluxError('FLX_ERR_VALIDATION', 'A product needs a SKU or an external ID.', {
          details: [{ field: 'sku', message: 'sku or externalId is required' }],
        });
      }
      const product = await app.ctx.storage.createProduct(sessionOf(request).user.channelId, b);
      return reply.status(201).send({ product });
    },
  );

  app.patch(
    '/products/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Edit a product',
        params: IdParamsSchema,
        body: ProductPatchSchema,
        response: { 200: Type.Object({ product: ProductSchema }), ...err },
      },
    },
    async (request) => {
      const channelId = sessionOf(request).user.channelId;
      const cur = await app.ctx.storage.getProduct(channelId, request.params.id);
      if (!cur) throw new FluxError('FLX_ERR_PRODUCT_NOT_FOUND');
      const b = request.body;
      const sku = b.sku === undefined ? cur.sku : b.sku;
      const ext = b.externalId === undefined ? cur.externalId : b.externalId;
      if (sku === null && ext === null) {
        throw new FluxError('FLX_ERR_VALIDATION', 'A product needs a SKU or an external ID.', {
          details: [{ field: 'sku', message: 'sku or externalId is required' }],
        });
      }
      const product = await app.ctx.storage.updateProduct(channelId, cur.id, b);
      if (!product) throw new FluxError('FLX_ERR_PRODUCT_NOT_FOUND');
      return { product };
    },
  );

  deleteInChannelRoute(app, {
    path: '/products/:id',
    tags: ['admin'],
    summary: 'Delete a product',
    errors: err,
    remove: (channelId, id) => app.ctx.storage.deleteProduct(channelId, id),
    notFound: () => new FluxError('FLX_ERR_PRODUCT_NOT_FOUND'),
  });

  app.post(
    '/products/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['admin'],
        summary: 'Import products from CSV (upsert by SKU, else external ID)',
        body: ProductImportBodySchema,
        response: { 200: ProductImportResponseSchema, ...err },
      },
    },
    async (request) => {
      const channelId = sessionOf(request).user.channelId;
      const { rows, errors } = parseProductCsv(request.body.csv);
      const { storage } = app.ctx;
      let imported = 0;
      for (let i = 0; i < rows.length; i += IMPORT_BATCH) {
        const batch = rows.slice(i, i + IMPORT_BATCH);
        try {
          imported += await storage.upsertProducts(
            channelId,
            batch.map((r) => r.input),
          );
        } catch (e) {
          if (!(e instanceof FluxError) && !isUniqueViolation(e)) throw e;
          // a conflict somewhere in the batch: retry row by row to report exactly which
          for (const r of batch) {
            try {
              imported += await storage.upsertProducts(channelId, [r.input]);
            } catch (e2) {
              if (!(e2 instanceof FluxError) && !isUniqueViolation(e2)) throw e2;
              errors.push({
                row: r.line,
                message:
                  'conflicts with another product (its SKU belongs to one product, its external_id to another)',
              });
            }
          }
        }
      }
      errors.sort((a, b) => a.row - b.row);
      return { imported, errors };
    },
  );

  // ------------------------------------------------------------ API keys

  app.get(
    '/api-keys',
    {
      schema: {
        tags: ['admin'],
        summary: 'Publishable API keys',
        response: { 200: ApiKeyListSchema, ...err },
      },
    },
    async (request) => ({
      items: await app.ctx.storage.listApiKeys(sessionOf(request).user.channelId),
    }),
  );

  app.post(
    '/api-keys',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create a publishable API key (the key is shown only in this response)',
        body: CreateApiKeyBodySchema,
        response: { 201: CreatedApiKeySchema, ...err },
      },
    },
    async (request, reply) => {
      const created = await app.ctx.storage.createApiKey(
        sessionOf(request).user.channelId,
        request.body.label,
      );
      return reply.status(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.delete(
    '/api-keys/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Revoke an API key',
        params: IdParamsSchema,
        response: { 200: Type.Object({ apiKey: ApiKeySchema }), ...err },
      },
    },
    async (request) => {
      const { ctx } = app;
      const apiKey = await ctx.storage.revokeApiKey(
        sessionOf(request).user.channelId,
        request.params.id,
        ctx.now(),
      );
      if (!apiKey) throw new FluxError('FLX_ERR_NOT_FOUND', 'No such API key.');
      return { apiKey };
    },
  );

  // ------------------------------------------------------------ origins

  app.get(
    '/origins',
    {
      schema: {
        tags: ['admin'],
        summary: 'Allowed origins',
        response: { 200: OriginListSchema, ...err },
      },
    },
    async (request) => ({
      items: await app.ctx.storage.listOrigins(sessionOf(request).user.channelId),
    }),
  );

  app.post(
    '/origins',
    {
      schema: {
        tags: ['admin'],
        summary: 'Allow an origin (scheme://host[:port]) to use the public API',
        body: CreateOriginBodySchema,
        response: { 201: Type.Object({ origin: AllowedOriginSchema }), ...err },
      },
    },
    async (request, reply) => {
      let normalized: string;
      try {
        normalized = new URL(request.body.origin).origin.toLowerCase();
      } catch {
        normalized = 'null';
      }
      if (normalized === 'null') {
        throw new FluxError('FLX_ERR_VALIDATION', 'The origin is not a valid http(s) origin.', {
          details: [{ field: 'origin', message: 'must look like https://shop.example' }],
        });
      }
      const origin = await app.ctx.storage.addOrigin(sessionOf(request).user.channelId, normalized);
      return reply.status(201).send({ origin });
    },
  );

  deleteInChannelRoute(app, {
    path: '/origins/:id',
    tags: ['admin'],
    summary: 'Remove an allowed origin',
    errors: err,
    remove: (channelId, id) => app.ctx.storage.removeOrigin(channelId, id),
    notFound: () => new FluxError('FLX_ERR_NOT_FOUND', 'No such origin.'),
  });

  // ------------------------------------------------------------ settings

  app.get(
    '/settings',
    {
      schema: {
        tags: ['admin'],
        summary: 'Channel name and settings',
        response: { 200: SettingsResponseSchema, ...err },
      },
    },
    (request) => ({
      name: sessionOf(request).channel.name,
      settings: sessionOf(request).channel.settings,
    }),
  );

  app.patch(
    '/settings',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change the channel name or settings',
        body: UpdateSettingsBodySchema,
        response: { 200: SettingsResponseSchema, ...err },
      },
    },
    async (request) => {
      const { name, ...rest } = request.body;
      const hours = rest.openingHours;
      if (hours) {
        if (!isValidTimezone(hours.timezone)) {
          throw new FluxError('FLX_ERR_VALIDATION', 'Unknown timezone.', {
            details: [
              {
                field: 'openingHours.timezone',
                message: 'must be an IANA timezone such as Europe/Berlin',
              },
            ],
          });
        }
        const problem = openingHoursProblem(hours);
        if (problem !== null) {
          throw new FluxError('FLX_ERR_VALIDATION', `Invalid opening hours: ${problem.message}.`, {
            details: [problem],
          });
        }
      }
      const settings: Partial<ChannelSettings> = {};
      if (rest.ringTimeoutSeconds !== undefined)
        settings.ringTimeoutSeconds = rest.ringTimeoutSeconds;
      if (rest.missesBeforeOffline !== undefined)
        settings.missesBeforeOffline = rest.missesBeforeOffline;
      if (rest.openingHours !== undefined) settings.openingHours = rest.openingHours;
      const channel = await app.ctx.storage.updateChannel(sessionOf(request).user.channelId, {
        ...(name === undefined ? {} : { name }),
        settings,
      });
      return { name: channel.name, settings: channel.settings };
    },
  );

  // ------------------------------------------------------------ calls

  app.get(
    '/calls',
    {
      schema: {
        tags: ['admin'],
        summary: 'Calls of the channel with filters, newest first',
        querystring: AdminCallsQuerySchema,
        response: { 200: CallPageSchema, ...err },
      },
    },
    async (request) => {
      const q = request.query;
      return app.ctx.storage.listCalls({
        channelId: sessionOf(request).user.channelId,
        limit: q.limit ?? 25,
        ...(q.agentId === undefined ? {} : { agentId: q.agentId }),
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.endReason === undefined ? {} : { endReason: q.endReason }),
        ...(q.weakLink ? { weakLink: true } : {}),
        ...(q.from === undefined ? {} : { from: dateTimeParam('from', q.from) }),
        ...(q.to === undefined ? {} : { to: dateTimeParam('to', q.to) }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      });
    },
  );
  done();
};
