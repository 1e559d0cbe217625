import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsResponse } from '@flux/protocol';
import { createFixture, type Fixture } from '../../testing/apiHarness.ts';
import { databaseKinds } from '../../testing/databases.ts';

const kinds = await databaseKinds('Analytics API');

describe.each(kinds)('admin analytics on %s', (kind) => {
  let f: Fixture;
  let admin: string;
  let agent: string;
  const day = '2026-02-10';

  beforeAll(async () => {
    f = await createFixture(kind);
    admin = await f.signIn('admin@acme.test');
    agent = await f.signIn('mia@acme.test');
    // an answered call (4 s wait, 90 s talk) and a missed one, both for Mia
    await f.storage.updateUser(f.agent.id, { status: 'online' });
    const at = (s: string) => new Date(`${day}T${s}Z`);
    const answered = await f.storage.reserveAgentAndCreateCall({
      channelId: f.acme.id,
      agentId: f.agent.id,
      pageUrl: 'https://shop.acme.test/p',
      visitor: {},
      productIds: [],
      unknownProductIds: [],
      at: at('10:00:00'),
    });
    if (!answered.ok) throw new Error('reserve failed');
    await f.storage.transitionCall(answered.call.id, 'ringing', at('10:00:01'));
    await f.storage.transitionCall(answered.call.id, 'connected', at('10:00:04'));
    await f.storage.recordLinkQuality(answered.call.id, 'visitor', 'poor', at('10:00:30'));
    await f.storage.recordLinkQuality(answered.call.id, 'visitor', 'good', at('10:00:50'));
    await f.storage.transitionCall(answered.call.id, 'ended', at('10:01:34'), {
      reason: 'visitor_hangup',
    });
    const missed = await f.storage.reserveAgentAndCreateCall({
      channelId: f.acme.id,
      agentId: f.agent.id,
      pageUrl: null,
      visitor: {},
      productIds: [],
      unknownProductIds: [],
      at: at('11:00:00'),
    });
    if (!missed.ok) throw new Error('reserve failed');
    await f.storage.transitionCall(missed.call.id, 'ended', at('11:00:30'), { reason: 'missed' });
  });
  afterAll(() => f.close());

  const get = (url: string, cookie: string) =>
    f.app.inject({ method: 'GET', url: `/api/v1/admin${url}`, headers: { cookie } });
  const range = `from=${day}T00:00:00.000Z&to=2026-02-12T00:00:00.000Z`;

  it('reports calls per day and per agent with waits and durations', async () => {
    const res = await get(`/analytics?${range}`, admin);
    expect(res.statusCode).toBe(200);
    const r = res.json<AnalyticsResponse>();
    expect(r.totals).toMatchObject({
      calls: 2,
      answered: 1,
      missed: 1,
      avgWaitSeconds: 4,
      avgDurationSeconds: 90,
      weakConnection: 1,
    });
    expect(r.days.map((d) => [d.date, d.calls])).toEqual([
      ['2026-02-10', 2],
      ['2026-02-11', 0],
    ]);
    expect(r.agents).toHaveLength(1);
    expect(r.agents[0]?.agentId).toBe(f.agent.id);
  });

  it('exports CSV as a download', async () => {
    const res = await get(`/analytics.csv?${range}&group=agent`, admin);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="calls-by-agent-/);
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]?.startsWith('agent_id,agent_name,calls,answered,missed')).toBe(true);
    expect(lines[1]).toContain(',2,1,1,');
  });

  it('refuses agents, bad periods and unknown parameters with codes', async () => {
    expect(
      (await get(`/analytics?${range}`, agent)).json<{ error: { code: string } }>().error.code,
    ).toBe('FLX_ERR_AUTH_FORBIDDEN');
    const reversed = await get(
      '/analytics?from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z',
      admin,
    );
    expect(reversed.statusCode).toBe(400);
    expect(
      reversed.json<{ error: { code: string; details: { field: string }[] } }>().error.details[0]
        ?.field,
    ).toBe('from');
    const tooLong = await get(
      '/analytics?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      admin,
    );
    expect(tooLong.json<{ error: { code: string } }>().error.code).toBe('FLX_ERR_VALIDATION');
    const unknown = await get('/analytics?days=3', admin);
    expect(unknown.statusCode).toBe(400);
  });
});
