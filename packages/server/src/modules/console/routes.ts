/**
 * Routes of any signed-in user (agent or admin): own call history, call notes, callback
 * requests and the catalog search used during a call.
 */
import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  ApiErrorSchema,
  CallbackListQuerySchema,
  CallbackRequestSchema,
  CallbackUpdateBodySchema,
  CallNotesBodySchema,
  CallPageSchema,
  CallSchema,
  FluxError,
  IdParamsSchema,
  PageQuerySchema,
  ProductListQuerySchema,
  ProductPageSchema,
  CallbackPageSchema,
} from '@flux/protocol';
import { requireUser, sessionOf } from '../../http/auth.ts';

const err = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema };

export const consoleRoutes: FastifyPluginCallback = (root, _opts, done) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireUser());

  app.get(
    '/me/calls',
    {
      schema: {
        tags: ['console'],
        summary: 'My calls, newest first',
        querystring: PageQuerySchema,
        response: { 200: CallPageSchema, ...err },
      },
    },
    async (request) => {
      const user = sessionOf(request).user;
      return app.ctx.storage.listCalls({
        channelId: user.channelId,
        agentId: user.id,
        limit: request.query.limit ?? 25,
        ...(request.query.cursor === undefined ? {} : { cursor: request.query.cursor }),
      });
    },
  );

  app.put(
    '/calls/:id/notes',
    {
      schema: {
        tags: ['console'],
        summary: 'Set the notes of one of my calls',
        params: IdParamsSchema,
        body: CallNotesBodySchema,
        response: { 200: Type.Object({ call: CallSchema }), ...err },
      },
    },
    async (request) => {
      const user = sessionOf(request).user;
      const call = await app.ctx.storage.getCall(request.params.id);
      if (!call || call.channelId !== user.channelId) throw new FluxError('FLX_ERR_CALL_NOT_FOUND');
      if (call.agentId !== user.id && user.role !== 'admin')
        throw new FluxError('FLX_ERR_CALL_NOT_PARTY');
      const updated = await app.ctx.storage.setCallNotes(call.id, request.body.notes);
      if (!updated) throw new FluxError('FLX_ERR_CALL_NOT_FOUND');
      return { call: updated };
    },
  );

  app.get(
    '/callbacks',
    {
      schema: {
        tags: ['console'],
        summary: 'Callback requests of my channel, newest first',
        querystring: CallbackListQuerySchema,
        response: { 200: CallbackPageSchema, ...err },
      },
    },
    async (request) => {
      const q = request.query;
      return app.ctx.storage.listCallbacks(sessionOf(request).user.channelId, {
        limit: q.limit ?? 25,
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      });
    },
  );

  app.patch(
    '/callbacks/:id',
    {
      schema: {
        tags: ['console'],
        summary: 'Take a callback request, mark it done, or reopen it',
        params: IdParamsSchema,
        body: CallbackUpdateBodySchema,
        response: { 200: Type.Object({ callback: CallbackRequestSchema }), ...err },
      },
    },
    async (request) => {
      const user = sessionOf(request).user;
      const { status } = request.body;
      const callback = await app.ctx.storage.updateCallback(user.channelId, request.params.id, {
        status,
        ...(status === 'taken' ? { takenBy: user.id } : status === 'open' ? { takenBy: null } : {}),
      });
      if (!callback) throw new FluxError('FLX_ERR_NOT_FOUND', 'No such callback request.');
      return { callback };
    },
  );

  app.get(
    '/products',
    {
      schema: {
        tags: ['console'],
        summary: 'Search the catalog (name, SKU or external ID)',
        querystring: ProductListQuerySchema,
        response: { 200: ProductPageSchema, ...err },
      },
    },
    async (request) => {
      const q = request.query;
      return app.ctx.storage.listProducts(sessionOf(request).user.channelId, {
        limit: q.limit ?? 25,
        ...(q.q === undefined ? {} : { q: q.q }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      });
    },
  );
  done();
};
