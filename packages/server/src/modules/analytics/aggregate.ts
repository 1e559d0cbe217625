/**
 * Pure aggregation of call records into the analytics report: totals, one row per day of
 * the period (cut at the caller's UTC offset) and one row per agent.
 */
import {
  hadWeakLink,
  type AnalyticsResponse,
  type AnalyticsTotals,
  type Call,
} from '@flux/protocol';

type CallFacts = Pick<
  Call,
  | 'agentId'
  | 'agentName'
  | 'status'
  | 'endReason'
  | 'requestedAt'
  | 'connectedAt'
  | 'durationSeconds'
  | 'weakSeconds'
>;

interface Acc {
  calls: number;
  answered: number;
  missed: number;
  declined: number;
  cancelled: number;
  other: number;
  waitSum: number;
  waitCount: number;
  durSum: number;
  durCount: number;
  weak: number;
}

const empty = (): Acc => ({
  calls: 0,
  answered: 0,
  missed: 0,
  declined: 0,
  cancelled: 0,
  other: 0,
  waitSum: 0,
  waitCount: 0,
  durSum: 0,
  durCount: 0,
  weak: 0,
});

function add(acc: Acc, c: CallFacts): void {
  acc.calls++;
  if (c.connectedAt !== null) {
    acc.answered++;
    const wait = (Date.parse(c.connectedAt) - Date.parse(c.requestedAt)) / 1000;
    if (Number.isFinite(wait) && wait >= 0) {
      acc.waitSum += wait;
      acc.waitCount++;
    }
    if (c.durationSeconds !== null) {
      acc.durSum += c.durationSeconds;
      acc.durCount++;
    }
    if (hadWeakLink(c)) acc.weak++;
    return;
  }
  if (c.endReason === 'missed') acc.missed++;
  else if (c.endReason === 'declined') acc.declined++;
  else if (c.endReason === 'cancelled') acc.cancelled++;
  else acc.other++;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function totals(acc: Acc): AnalyticsTotals {
  return {
    calls: acc.calls,
    answered: acc.answered,
    missed: acc.missed,
    declined: acc.declined,
    cancelled: acc.cancelled,
    other: acc.other,
    avgWaitSeconds: acc.waitCount ? round1(acc.waitSum / acc.waitCount) : null,
    avgDurationSeconds: acc.durCount ? round1(acc.durSum / acc.durCount) : null,
    weakConnection: acc.weak,
  };
}

/** The local date (YYYY-MM-DD) of an instant at a fixed offset from UTC. */
export function localDate(ms: number, utcOffsetMinutes: number): string {
  return new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

export interface Period {
  from: Date;
  to: Date;
  utcOffsetMinutes: number;
}

export function aggregateCalls(
  calls: readonly CallFacts[],
  period: Period,
  truncated = false,
): AnalyticsResponse {
  const all = empty();
  const days = new Map<string, Acc>();
  // every day of the period, in order, even without calls
  const last = localDate(period.to.getTime() - 1, period.utcOffsetMinutes);
  for (let t = period.from.getTime(); ; t += 86_400_000) {
    const d = localDate(t, period.utcOffsetMinutes);
    if (!days.has(d)) days.set(d, empty());
    if (d >= last || days.size > 400) break;
  }
  if (!days.has(last)) days.set(last, empty());
  const agents = new Map<string, { name: string; acc: Acc }>();
  for (const c of calls) {
    const t = Date.parse(c.requestedAt);
    if (!(t >= period.from.getTime() && t < period.to.getTime())) continue;
    add(all, c);
    const d = localDate(t, period.utcOffsetMinutes);
    let day = days.get(d);
    if (!day) {
      day = empty();
      days.set(d, day);
    }
    add(day, c);
    let a = agents.get(c.agentId);
    if (!a) {
      a = { name: c.agentName, acc: empty() };
      agents.set(c.agentId, a);
    }
    add(a.acc, c);
  }
  return {
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    utcOffsetMinutes: period.utcOffsetMinutes,
    totals: totals(all),
    days: [...days.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([date, acc]) => ({ date, ...totals(acc) })),
    agents: [...agents.entries()]
      .map(([agentId, a]) => ({ agentId, agentName: a.name, ...totals(a.acc) }))
      .sort((x, y) => y.calls - x.calls || x.agentName.localeCompare(y.agentName)),
    truncated,
  };
}

const CSV_COLUMNS = [
  'calls',
  'answered',
  'missed',
  'declined',
  'cancelled',
  'other',
  'avgWaitSeconds',
  'avgDurationSeconds',
  'weakConnection',
] as const;

/** RFC 4180 field: quoted when it holds a comma, quote or line break; formulas defused. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function analyticsCsv(report: AnalyticsResponse, group: 'day' | 'agent'): string {
  const head = group === 'day' ? ['date'] : ['agent_id', 'agent_name'];
  const lines = [[...head, ...CSV_COLUMNS].join(',')];
  const rows =
    group === 'day'
      ? report.days.map((d) => [d.date, ...CSV_COLUMNS.map((k) => d[k])])
      : report.agents.map((a) => [a.agentId, a.agentName, ...CSV_COLUMNS.map((k) => a[k])]);
  for (const r of rows) lines.push(r.map(csvField).join(','));
  return lines.join('\r\n') + '\r\n';
}
