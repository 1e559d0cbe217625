/** /healthz: the process is alive. /readyz: storage answers (503 FLX_ERR_UNAVAILABLE if not). */
import type { FastifyPluginCallback } from 'fastify';
import { Type } from 'typebox';
import { ApiErrorSchema, FluxError } from '@flux/protocol';

export const healthRoutes: FastifyPluginCallback = (app, _opts, done) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], response: { 200: Type.Object({ ok: Type.Literal(true) }) } } },
    () => ({ ok: true as const }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        response: {
          200: Type.Object({ ok: Type.Literal(true), storage: Type.String() }),
          503: ApiErrorSchema,
        },
      },
    },
    async (request) => {
      try {
        await app.ctx.storage.ping();
      } catch (err) {
        request.log.warn({ err }, 'readiness check failed');
        throw new FluxError('FLX_ERR_UNAVAILABLE', 'The database does not answer.');
      }
      return { ok: true as const, storage: app.ctx.storage.kind };
    },
  );
  done();
};
