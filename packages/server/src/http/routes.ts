/**
 * Route shapes that several modules register the same way.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from 'typebox';
import { IdParamsSchema, OkSchema, type FluxError } from '@flux/protocol';
import { sessionOf } from './auth.ts';

/**
 * `DELETE <path>` with an `:id` param that deletes a row of the signed-in user's own channel:
 * 200 `{ ok: true }`, or the error `notFound()` makes when the channel has no row with that id
 * (another channel's row is "not found" too). The plugin's hooks (role checks) apply as to any
 * route registered on `app`.
 */
export function deleteInChannelRoute(
  app: FastifyInstance,
  o: {
    path: `${string}/:id`;
    tags: string[];
    summary: string;
    /** The error responses of the plugin's routes, for the OpenAPI document. */
    errors: Record<number, TSchema>;
    /** Deletes row `id` of channel `channelId`; false when that channel has no such row. */
    remove: (channelId: string, id: string) => Promise<boolean>;
    /** The error thrown when nothing was deleted. */
    notFound: () => FluxError;
  },
): void {
  app.withTypeProvider<TypeBoxTypeProvider>().delete(
    o.path,
    {
      schema: {
        tags: o.tags,
        summary: o.summary,
        params: IdParamsSchema,
        response: { 200: OkSchema, ...o.errors },
      },
    },
    async (request) => {
      const ok = await o.remove(sessionOf(request).user.channelId, request.params.id);
      if (!ok) throw o.notFound();
      return { ok: true as const };
    },
  );
}
