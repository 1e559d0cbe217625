/** Admin: calls per day and per agent, with charts (inline SVG) and CSV export. */
import { useEffect, useState } from 'preact/hooks';
import { API_PREFIX, type AnalyticsResponse } from '@flux/protocol';
import { http, errorMessage, withQuery } from '../../api/http.ts';
import { axis, labelEvery, ticks } from '../../lib/chart.ts';
import { formatDuration } from '../../lib/format.ts';
import { Icon } from '../../ui/Icon.tsx';
import { Empty, Loading, PageHead } from '../../ui/misc.tsx';

const PERIODS = [7, 30, 90] as const;
const SERIES = [
  { key: 'answered', label: 'Answered', color: 'var(--ok)' },
  { key: 'missed', label: 'Missed', color: 'var(--danger)' },
  { key: 'declined', label: 'Declined', color: 'var(--warn)' },
  { key: 'cancelled', label: 'Cancelled', color: 'var(--text-3)' },
  { key: 'other', label: 'Failed or lost', color: 'var(--border-strong)' },
] as const;

function query(days: number) {
  const to = new Date();
  to.setHours(24, 0, 0, 0);
  const from = new Date(to.getTime() - days * 86_400_000);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    utcOffsetMinutes: -to.getTimezoneOffset(),
  };
}

export function Analytics() {
  const [days, setDays] = useState<(typeof PERIODS)[number]>(30);
  const [data, setData] = useState<AnalyticsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const q = query(days);
  useEffect(() => {
    let live = true;
    setError(null);
    http.get<AnalyticsResponse>('/admin/analytics', q).then(
      (r) => live && setData(r),
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [days]);
  const csv = (group: 'day' | 'agent') =>
    withQuery(`${API_PREFIX}/admin/analytics.csv`, { ...q, group });
  const t = data?.totals;
  const rate = t && t.calls ? Math.round((t.answered / t.calls) * 100) : null;
  return (
    <div>
      <PageHead title="Analytics" sub="How calls went in this channel.">
        <div class="segmented" role="group" aria-label="Period">
          {PERIODS.map((p) => (
            <button key={p} aria-pressed={days === p} onClick={() => setDays(p)}>
              {p} days
            </button>
          ))}
        </div>
        <a class="btn" href={csv('day')} download data-testid="csv-day">
          <Icon name="download" /> CSV by day
        </a>
        <a class="btn" href={csv('agent')} download data-testid="csv-agent">
          <Icon name="download" /> CSV by agent
        </a>
      </PageHead>
      {error ? <div class="form-error">{error}</div> : null}
      {!data && !error ? <Loading /> : null}
      {data && t ? (
        <div class="stack">
          <div class="stats stats-7" data-testid="analytics-totals">
            <Stat label="Calls" value={String(t.calls)} />
            <Stat
              label="Answered"
              value={rate === null ? '—' : `${rate}%`}
              sub={`${t.answered} call${t.answered === 1 ? '' : 's'}`}
            />
            <Stat label="Missed" value={String(t.missed)} />
            <Stat label="Declined" value={String(t.declined)} />
            <Stat
              label="Avg. wait"
              value={t.avgWaitSeconds === null ? '—' : `${Math.round(t.avgWaitSeconds)} s`}
            />
            <Stat label="Avg. duration" value={formatDuration(t.avgDurationSeconds)} />
            <Stat
              label="Weak link"
              value={t.answered ? `${Math.round((t.weakConnection / t.answered) * 100)}%` : '—'}
              sub={`${t.weakConnection} call${t.weakConnection === 1 ? '' : 's'}`}
              title="Answered calls in which either side's connection was weak at some point"
            />
          </div>
          <section class="card">
            <div class="card-head">
              <h3>Calls per day</h3>
              <span class="spacer" />
              <div class="legend">
                {SERIES.map((s) => (
                  <span key={s.key}>
                    <i style={{ background: s.color }} />
                    {s.label}
                  </span>
                ))}
              </div>
            </div>
            <div class="card-body">
              {t.calls === 0 ? (
                <Empty title="No calls in this period" icon="chart" />
              ) : (
                <DayChart data={data} />
              )}
            </div>
          </section>
          <section class="card">
            <div class="card-head">
              <h3>Per agent</h3>
            </div>
            {data.agents.length === 0 ? (
              <Empty title="No calls yet" />
            ) : (
              <div class="table-wrap">
                <table class="table" data-testid="analytics-agents">
                  <thead>
                    <tr>
                      <th>Agent</th>
                      <th>Calls</th>
                      <th>Answered</th>
                      <th>Missed</th>
                      <th>Declined</th>
                      <th>Avg. wait</th>
                      <th>Avg. duration</th>
                      <th>Weak link</th>
                      <th style={{ width: '28%' }}>Answer rate</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.agents.map((a) => {
                      const r = a.calls ? a.answered / a.calls : 0;
                      return (
                        <tr key={a.agentId}>
                          <td class="nowrap" style={{ fontWeight: 600 }}>
                            {a.agentName}
                          </td>
                          <td>{a.calls}</td>
                          <td>{a.answered}</td>
                          <td>{a.missed}</td>
                          <td>{a.declined}</td>
                          <td>
                            {a.avgWaitSeconds === null ? '—' : `${Math.round(a.avgWaitSeconds)} s`}
                          </td>
                          <td>{formatDuration(a.avgDurationSeconds)}</td>
                          <td>{a.weakConnection}</td>
                          <td>
                            <svg
                              preserveAspectRatio="none"
                              viewBox="0 0 100 8"
                              width="100%"
                              height="8"
                              role="img"
                              aria-label={`${Math.round(r * 100)}% answered`}
                            >
                              <rect
                                x="0"
                                y="0"
                                width="100"
                                height="8"
                                rx="4"
                                fill="var(--surface-3)"
                              />
                              <rect
                                x="0"
                                y="0"
                                width={Math.max(r * 100, r > 0 ? 4 : 0)}
                                height="8"
                                rx="4"
                                fill="var(--ok)"
                              />
                            </svg>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          {data.truncated ? (
            <p class="small muted">
              This period has more calls than one report reads; the newest are shown.
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function Stat({
  label,
  value,
  sub,
  title,
}: {
  label: string;
  value: string;
  sub?: string;
  title?: string;
}) {
  return (
    <div class="card stat" title={title}>
      <div class="label">{label}</div>
      <div class="value">{value}</div>
      {sub ? <div class="small muted">{sub}</div> : null}
    </div>
  );
}

function DayChart({ data }: { data: AnalyticsResponse }) {
  const W = 900;
  const H = 240;
  const pad = { l: 36, r: 8, t: 10, b: 26 };
  const n = data.days.length;
  const { top, step } = axis(Math.max(0, ...data.days.map((d) => d.calls)));
  const iw = W - pad.l - pad.r;
  const ih = H - pad.t - pad.b;
  const bw = iw / n;
  const y = (v: number) => pad.t + ih - (v / top) * ih;
  const every = labelEvery(n, 10);
  const fmt = (date: string) =>
    new Date(`${date}T12:00:00`).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Calls per day over ${n} days`}
      data-testid="day-chart"
    >
      <g class="grid">
        {ticks(top, step).map((v) => (
          <g key={v}>
            <line x1={pad.l} x2={W - pad.r} y1={y(v)} y2={y(v)} />
            <text x={pad.l - 6} y={y(v) + 4} text-anchor="end">
              {v}
            </text>
          </g>
        ))}
      </g>
      {data.days.map((d, i) => {
        let acc = 0;
        const x = pad.l + i * bw + bw * 0.15;
        const w = Math.max(1, bw * 0.7);
        return (
          <g key={d.date}>
            <title>
              {`${fmt(d.date)}: ${d.calls} calls, ${d.answered} answered, ${d.missed} missed, ${d.declined} declined`}
            </title>
            {SERIES.map((s) => {
              const v = d[s.key];
              if (!v) return null;
              const y0 = y(acc);
              acc += v;
              const y1 = y(acc);
              return (
                <rect
                  key={s.key}
                  x={x}
                  y={y1}
                  width={w}
                  height={Math.max(0, y0 - y1)}
                  fill={s.color}
                  rx={Math.min(3, w / 3)}
                />
              );
            })}
            {i % every === 0 || i === n - 1 ? (
              <text x={x + w / 2} y={H - 8} text-anchor="middle">
                {fmt(d.date)}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}
