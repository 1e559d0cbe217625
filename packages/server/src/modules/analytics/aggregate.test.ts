import { describe, expect, it } from 'vitest';
import type { Call } from '@flux/protocol';
import { aggregateCalls, analyticsCsv, csvField, localDate } from './aggregate.ts';

type Facts = Parameters<typeof aggregateCalls>[0][number];
const call = (x: Partial<Call> & { requestedAt: string }): Facts => ({
  agentId: 'a1',
  agentName: 'Mia',
  status: 'ended',
  endReason: 'missed',
  connectedAt: null,
  durationSeconds: null,
  weakSeconds: { visitor: 0, agent: 0 },
  ...x,
});

const period = {
  from: new Date('2026-03-01T00:00:00Z'),
  to: new Date('2026-03-04T00:00:00Z'),
  utcOffsetMinutes: 0,
};

describe('analytics aggregation', () => {
  it('counts outcomes and averages wait and duration over answered calls only', () => {
    const r = aggregateCalls(
      [
        call({
          requestedAt: '2026-03-01T10:00:00Z',
          connectedAt: '2026-03-01T10:00:04Z',
          durationSeconds: 60,
          endReason: 'visitor_hangup',
        }),
        call({
          requestedAt: '2026-03-01T11:00:00Z',
          connectedAt: '2026-03-01T11:00:10Z',
          durationSeconds: 120,
          endReason: 'agent_hangup',
          weakSeconds: { visitor: 14, agent: 0 },
        }),
        call({ requestedAt: '2026-03-02T09:00:00Z', endReason: 'missed' }),
        call({
          requestedAt: '2026-03-02T09:30:00Z',
          endReason: 'declined',
          agentId: 'a2',
          agentName: 'Jonas',
        }),
        call({
          requestedAt: '2026-03-03T09:30:00Z',
          endReason: 'cancelled',
          agentId: 'a2',
          agentName: 'Jonas',
        }),
        call({ requestedAt: '2026-03-03T09:31:00Z', endReason: 'lost' }),
        // outside the period
        call({ requestedAt: '2026-03-04T00:00:00Z' }),
      ],
      period,
    );
    expect(r.totals).toEqual({
      calls: 6,
      answered: 2,
      missed: 1,
      declined: 1,
      cancelled: 1,
      other: 1,
      avgWaitSeconds: 7,
      avgDurationSeconds: 90,
      weakConnection: 1,
    });
    expect(r.days.map((d) => [d.date, d.calls, d.answered])).toEqual([
      ['2026-03-01', 2, 2],
      ['2026-03-02', 2, 0],
      ['2026-03-03', 2, 0],
    ]);
    expect(r.agents.map((a) => [a.agentName, a.calls, a.answered])).toEqual([
      ['Mia', 4, 2],
      ['Jonas', 2, 0],
    ]);
    expect(r.agents[1]?.avgWaitSeconds).toBeNull();
  });

  it('lists every day of the period even without calls, cut at the UTC offset', () => {
    const r = aggregateCalls([call({ requestedAt: '2026-03-01T23:30:00Z' })], {
      ...period,
      utcOffsetMinutes: 60,
    });
    // 23:30 UTC is 00:30 on the 2nd at UTC+1
    expect(r.days.find((d) => d.calls === 1)?.date).toBe('2026-03-02');
    expect(r.days[0]?.date).toBe('2026-03-01');
    expect(r.days.at(-1)?.date).toBe('2026-03-04');
    expect(localDate(Date.parse('2026-03-01T00:30:00Z'), -60)).toBe('2026-02-28');
  });

  it('exports CSV by day and by agent, quoting and defusing formulas', () => {
    const r = aggregateCalls(
      [call({ requestedAt: '2026-03-01T10:00:00Z', agentName: '=HYPERLINK("x"), Mia' })],
      period,
    );
    const byDay = analyticsCsv(r, 'day').split('\r\n');
    expect(byDay[0]).toBe(
      'date,calls,answered,missed,declined,cancelled,other,avgWaitSeconds,avgDurationSeconds,weakConnection',
    );
    expect(byDay[1]).toBe('2026-03-01,1,0,1,0,0,0,,,0');
    const byAgent = analyticsCsv(r, 'agent').split('\r\n');
    expect(byAgent[1]).toBe(`a1,"'=HYPERLINK(""x""), Mia",1,0,1,0,0,0,,,0`);
    expect(csvField(null)).toBe('');
  });
});
