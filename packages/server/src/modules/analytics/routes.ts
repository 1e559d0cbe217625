/**
 * GET /api/v1/admin/analytics and /admin/analytics.csv (role admin, own channel): the
 * channel's calls over a period, aggregated per day and per agent.
 */
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  AnalyticsQuerySchema,
  AnalyticsResponseSchema,
  ApiErrorSchema,
  FluxError,
  type AnalyticsQuery,
  type AnalyticsResponse,
  type Call,
} from '@flux/protocol';
import { requireUser, sessionOf } from '../../http/auth.ts';
import { dateTimeParam } from '../../lib/dateTime.ts';
import { aggregateCalls, analyticsCsv, type Period } from './aggregate.ts';

const DAY_MS = 86_400_000;
/** Most calls one report reads (newest first); older ones are left out and flagged. */
export const MAX_CALLS = 20_000;

const err = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema };

export function periodOf(q: AnalyticsQuery, now: Date): Period {
  const to = q.to === undefined ? now : dateTimeParam('to', q.to);
  const from =
    q.from === undefined ? new Date(to.getTime() - 30 * DAY_MS) : dateTimeParam('from', q.from);
  if (from.getTime() >= to.getTime()) {
    throw new FluxError('FLX_ERR_VALIDATION', 'from must be before to.', {
      details: [{ field: 'from', message: 'must be before to' }],
    });
  }
  if (to.getTime() - from.getTime() > 366 * DAY_MS) {
    throw new FluxError('FLX_ERR_VALIDATION', 'The period is at most 366 days.', {
      details: [{ field: 'from', message: 'is more than 366 days before to' }],
    });
  }
  return { from, to, utcOffsetMinutes: q.utcOffsetMinutes ?? 0 };
}

export const analyticsRoutes: FastifyPluginCallback = (root, _opts, done) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireUser('admin'));

  async function report(request: FastifyRequest, q: AnalyticsQuery): Promise<AnalyticsResponse> {
    const period = periodOf(q, app.ctx.now());
    const channelId = sessionOf(request).user.channelId;
    const calls: Call[] = [];
    let cursor: string | undefined;
    let truncated = false;
    for (;;) {
      const page = await app.ctx.storage.listCalls({
        channelId,
        from: period.from,
        to: period.to,
        limit: 100,
        ...(cursor === undefined ? {} : { cursor }),
      });
      calls.push(...page.items);
      if (page.nextCursor === null) break;
      if (calls.length >= MAX_CALLS) {
        truncated = true;
        break;
      }
      cursor = page.nextCursor;
    }
    return aggregateCalls(calls, period, truncated);
  }

  app.get(
    '/analytics',
    {
      schema: {
        tags: ['admin'],
        summary: 'Calls per day and per agent over a period (answered, missed, declined, waits)',
        querystring: AnalyticsQuerySchema,
        response: { 200: AnalyticsResponseSchema, ...err },
      },
    },
    async (request) => report(request, request.query),
  );

  app.get(
    '/analytics.csv',
    {
      schema: {
        tags: ['admin'],
        summary: 'The analytics as CSV, one row per day or per agent',
        querystring: AnalyticsQuerySchema,
        response: { 200: Type.String(), ...err },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const r = await report(request, q);
      const group = q.group ?? 'day';
      const name = `calls-by-${group}-${r.from.slice(0, 10)}-to-${r.to.slice(0, 10)}.csv`;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store')
        .send(analyticsCsv(r, group));
    },
  );
  done();
};
