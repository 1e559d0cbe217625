/**
 * Admin analytics (GET /api/v1/admin/analytics and /admin/analytics.csv): calls per day,
 * answered, missed, declined, average wait and duration, per agent, over a period.
 */
import { Type, type Static } from 'typebox';

/** Query of both analytics routes. */
export const AnalyticsQuerySchema = Type.Object(
  {
    /** Start of the period (requestedAt ≥ from); default: 30 days before `to`. */
    from: Type.Optional(Type.String({ format: 'date-time' })),
    /** End of the period (requestedAt < to); default: now. At most 366 days after `from`. */
    to: Type.Optional(Type.String({ format: 'date-time' })),
    /** Minutes east of UTC used to cut days (a browser's `-new Date().getTimezoneOffset()`). */
    utcOffsetMinutes: Type.Optional(Type.Integer({ minimum: -840, maximum: 840 })),
    /** CSV only: one row per day (default) or per agent. */
    group: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('agent')])),
  },
  { additionalProperties: false },
);
export type AnalyticsQuery = Static<typeof AnalyticsQuerySchema>;

const Totals = {
  /** Calls requested. */
  calls: Type.Integer({ minimum: 0 }),
  /** Calls that connected. */
  answered: Type.Integer({ minimum: 0 }),
  missed: Type.Integer({ minimum: 0 }),
  declined: Type.Integer({ minimum: 0 }),
  /** Visitor hung up while it rang. */
  cancelled: Type.Integer({ minimum: 0 }),
  /** Never connected for another reason (failed, lost), or still open. */
  other: Type.Integer({ minimum: 0 }),
  /** Mean seconds from request to connect over answered calls; null without any. */
  avgWaitSeconds: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  /** Mean talk time in seconds over answered calls that ended; null without any. */
  avgDurationSeconds: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  /** Answered calls in which either side's connection was weak at some point (`weakSeconds`). */
  weakConnection: Type.Integer({ minimum: 0 }),
};
export const AnalyticsTotalsSchema = Type.Object(Totals);
export type AnalyticsTotals = Static<typeof AnalyticsTotalsSchema>;

export const AnalyticsResponseSchema = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  utcOffsetMinutes: Type.Integer(),
  totals: AnalyticsTotalsSchema,
  /** Every day of the period (YYYY-MM-DD in the offset), including days without calls. */
  days: Type.Array(Type.Object({ date: Type.String(), ...Totals })),
  /** Agents with at least one call in the period, most calls first. */
  agents: Type.Array(Type.Object({ agentId: Type.String(), agentName: Type.String(), ...Totals })),
  /** True when the period held more calls than one report reads; figures cover the newest. */
  truncated: Type.Boolean(),
});
export type AnalyticsResponse = Static<typeof AnalyticsResponseSchema>;
