import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicAgentsResponse, PublicProductsResponse } from '@flux/protocol';
import { createFixture, errorOf, failure, ORIGIN, type Fixture } from '../../testing/apiHarness.ts';
import { databaseKinds } from '../../testing/databases.ts';
import { verifyVisitorToken } from '../../auth/visitorToken.ts';
import { listeningUrls } from '../realtime/testing/harness.ts';
import { WsTestClient } from '../realtime/testing/WsTestClient.ts';

const kinds = await databaseKinds('Public API');

describe.each(kinds)('public API on %s', (kind) => {
  let f: Fixture;
  let agentConsole: WsTestClient;
  beforeAll(async () => {
    f = await createFixture(kind);
    // an agent is available when online AND a console of theirs is connected
    await f.storage.updateUser(f.agent.id, { status: 'online' });
    await f.storage.updateUser(f.agent2.id, { status: 'online' });
    await f.app.listen({ port: 0, host: '127.0.0.1' });
    const { wsUrl, httpUrl } = listeningUrls(f.app);
    agentConsole = new WsTestClient(wsUrl, {
      origin: httpUrl,
      cookie: await f.signIn('mia@acme.test'),
    });
    await agentConsole.hello('agent');
  });
  afterAll(async () => {
    agentConsole.close();
    await f.close();
  });

  const agentsUrl = (key: string, slug = 'acme') =>
    `/api/v1/public/channels/${slug}/agents?apiKey=${encodeURIComponent(key)}`;

  describe('GET agents', () => {
    it('lists online agents in the spec CallAgent shape with an absolute photo URL and a visitor token', async () => {
      await f.storage.updateUser(f.agent.id, { profilePhotoUrl: '/demo/avatars/mia.svg' });
      const res = await f.app.inject({ url: agentsUrl(f.key), headers: { origin: ORIGIN } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(res.headers.vary).toContain('Origin');
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json<PublicAgentsResponse>();
      expect(body.open).toBe(true);
      expect(body.agents).toEqual([
        {
          id: f.agent.id,
          name: 'Mia',
          status: 'online',
          tags: ['fashion-support'],
          profile_photo_url: 'http://flux.test/demo/avatars/mia.svg',
        },
      ]);
      const claims = verifyVisitorToken(
        f.app.ctx.secrets.visitorToken,
        body.visitorToken,
        new Date(),
      );
      expect(claims).toMatchObject({ channelId: f.acme.id, channelSlug: 'acme', origin: ORIGIN });
      expect(new Date(body.tokenExpiresAt).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    });

    it('takes the origin from Referer when Origin is absent', async () => {
      const res = await f.app.inject({
        url: agentsUrl(f.key),
        headers: { referer: `${ORIGIN}/product/123?x=1` },
      });
      expect(res.statusCode).toBe(200);
    });

    it('is closed with no agents outside opening hours', async () => {
      await f.storage.updateChannel(f.acme.id, {
        settings: { openingHours: { timezone: 'UTC', days: {} } },
      });
      try {
        const res = await f.app.inject({ url: agentsUrl(f.key), headers: { origin: ORIGIN } });
        expect(res.json<PublicAgentsResponse>()).toMatchObject({ open: false, agents: [] });
      } finally {
        await f.storage.updateChannel(f.acme.id, { settings: { openingHours: null } });
      }
    });

    it('refuses a foreign origin, no origin, a wrong key, a revoked key, an unknown channel', async () => {
      expect(
        failure(
          await f.app.inject({ url: agentsUrl(f.key), headers: { origin: 'https://evil.test' } }),
        ),
      ).toEqual({
        status: 403,
        code: 'FLX_ERR_ORIGIN_NOT_ALLOWED',
      });
      expect(failure(await f.app.inject({ url: agentsUrl(f.key) }))).toEqual({
        status: 403,
        code: 'FLX_ERR_ORIGIN_NOT_ALLOWED',
      });
      // a page opened as a file sends Origin: null; the message says so
      const fromFile = await f.app.inject({ url: agentsUrl(f.key), headers: { origin: 'null' } });
      expect(failure(fromFile).code).toBe('FLX_ERR_ORIGIN_NOT_ALLOWED');
      expect(errorOf(fromFile).message).toContain('file:// page');
      // localhost only where the channel allows it
      expect(
        failure(
          await f.app.inject({
            url: agentsUrl(f.key),
            headers: { origin: 'http://localhost:5173' },
          }),
        ).code,
      ).toBe('FLX_ERR_ORIGIN_NOT_ALLOWED');
      expect(
        (
          await f.app.inject({
            url: agentsUrl(f.otherKey, 'other'),
            headers: { origin: 'http://localhost:5173' },
          })
        ).statusCode,
      ).toBe(200);
      expect(
        (
          await f.app.inject({
            url: agentsUrl(f.otherKey, 'other'),
            headers: { origin: 'http://127.0.0.1:8080' },
          })
        ).statusCode,
      ).toBe(200);
      expect(
        failure(
          await f.app.inject({
            url: agentsUrl(f.otherKey, 'other'),
            headers: { origin: 'https://localhost.evil.test' },
          }),
        ).code,
      ).toBe('FLX_ERR_ORIGIN_NOT_ALLOWED');
      expect(
        failure(
          await f.app.inject({ url: agentsUrl('pk_wrong_key_123'), headers: { origin: ORIGIN } }),
        ),
      ).toEqual({
        status: 401,
        code: 'FLX_ERR_API_KEY_INVALID',
      });
      // another channel's key
      expect(
        failure(await f.app.inject({ url: agentsUrl(f.otherKey), headers: { origin: ORIGIN } }))
          .code,
      ).toBe('FLX_ERR_API_KEY_INVALID');
      expect(
        failure(await f.app.inject({ url: agentsUrl(f.revokedKey), headers: { origin: ORIGIN } })),
      ).toEqual({
        status: 401,
        code: 'FLX_ERR_API_KEY_REVOKED',
      });
      expect(
        failure(await f.app.inject({ url: agentsUrl(f.key, 'nope'), headers: { origin: ORIGIN } })),
      ).toEqual({
        status: 404,
        code: 'FLX_ERR_CHANNEL_NOT_FOUND',
      });
    });

    it('validates the query and params', async () => {
      const noKey = await f.app.inject({
        url: '/api/v1/public/channels/acme/agents',
        headers: { origin: ORIGIN },
      });
      expect(failure(noKey).code).toBe('FLX_ERR_VALIDATION');
      expect(noKey.json()).toMatchObject({ error: { details: [{ field: 'apiKey' }] } });
      const extra = await f.app.inject({
        url: `${agentsUrl(f.key)}&debug=1`,
        headers: { origin: ORIGIN },
      });
      expect(extra.json()).toMatchObject({
        error: { code: 'FLX_ERR_VALIDATION', details: [{ field: 'debug' }] },
      });
      expect(
        failure(await f.app.inject({ url: agentsUrl(f.key, 'ACME!'), headers: { origin: ORIGIN } }))
          .code,
      ).toBe('FLX_ERR_VALIDATION');
    });
  });

  describe('GET products', () => {
    const url = (ids: string, key = f.key) =>
      `/api/v1/public/channels/acme/products?apiKey=${key}&ids=${encodeURIComponent(ids)}`;

    it('resolves SKUs and external IDs in order and reports unknown ones', async () => {
      const res = await f.app.inject({
        url: url('EXT-RED-PANTS, ITM-BLUE-SHIRT,NOPE'),
        headers: { origin: ORIGIN },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json<PublicProductsResponse>();
      expect(body.products.map((p) => p.id)).toEqual([f.pants.id, f.shirt.id]);
      expect(body.products[1]).toEqual(f.shirt);
      expect(body.unknownIds).toEqual(['NOPE']);
    });

    it('refuses bad input and foreign origins', async () => {
      expect(
        failure(await f.app.inject({ url: url('A'), headers: { origin: 'https://evil.test' } }))
          .code,
      ).toBe('FLX_ERR_ORIGIN_NOT_ALLOWED');
      expect(
        failure(await f.app.inject({ url: url('A', f.revokedKey), headers: { origin: ORIGIN } }))
          .code,
      ).toBe('FLX_ERR_API_KEY_REVOKED');
      const missing = await f.app.inject({
        url: `/api/v1/public/channels/acme/products?apiKey=${f.key}`,
        headers: { origin: ORIGIN },
      });
      expect(missing.json()).toMatchObject({
        error: { code: 'FLX_ERR_VALIDATION', details: [{ field: 'ids' }] },
      });
      const many = Array.from({ length: 51 }, (_, i) => `ID${i}`).join(',');
      expect(
        failure(await f.app.inject({ url: url(many), headers: { origin: ORIGIN } })).code,
      ).toBe('FLX_ERR_VALIDATION');
    });
  });

  describe('POST callbacks', () => {
    const url = (key = f.key) => `/api/v1/public/channels/acme/callbacks?apiKey=${key}`;

    it('answers the CORS preflight for the page origin', async () => {
      const res = await f.app.inject({
        method: 'OPTIONS',
        url: url(),
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(res.headers['access-control-allow-methods']).toBe('POST');
      expect(res.headers['access-control-allow-headers']).toContain('content-type');
    });

    it('stores a callback request', async () => {
      const res = await f.app.inject({
        method: 'POST',
        url: url(),
        headers: { origin: ORIGIN },
        payload: {
          name: 'Vera',
          contact: 'vera@example.test',
          note: 'size?',
          pageUrl: `${ORIGIN}/product/123`,
          user: { email: 'v@x.test' },
        },
      });
      expect(res.statusCode).toBe(201);
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      const list = await f.storage.listCallbacks(f.acme.id, { limit: 10 });
      expect(list.items[0]).toMatchObject({
        id: res.json<{ id: string }>().id,
        name: 'Vera',
        status: 'open',
        note: 'size? (visitor: v@x.test)',
      });
    });

    it('writes nothing for refused or invalid requests', async () => {
      const before = await f.counts();
      const good = { name: 'Vera', contact: 'vera@example.test' };
      const cases = [
        {
          url: url(),
          headers: { origin: 'https://evil.test' },
          payload: good,
          code: 'FLX_ERR_ORIGIN_NOT_ALLOWED',
        },
        {
          url: url(f.revokedKey),
          headers: { origin: ORIGIN },
          payload: good,
          code: 'FLX_ERR_API_KEY_REVOKED',
        },
        {
          url: url('pk_wrong_key_123'),
          headers: { origin: ORIGIN },
          payload: good,
          code: 'FLX_ERR_API_KEY_INVALID',
        },
        {
          url: url(),
          headers: { origin: ORIGIN },
          payload: { ...good, admin: true },
          code: 'FLX_ERR_VALIDATION',
        },
        {
          url: url(),
          headers: { origin: ORIGIN },
          payload: { name: 'Vera' },
          code: 'FLX_ERR_VALIDATION',
        },
        {
          url: url(),
          headers: { origin: ORIGIN },
          payload: { ...good, name: 42 },
          code: 'FLX_ERR_VALIDATION',
        },
        {
          url: url(),
          headers: { origin: ORIGIN, 'content-type': 'application/json' },
          payload: '{"name":',
          code: 'FLX_ERR_BAD_REQUEST',
        },
        {
          url: url(),
          headers: { origin: ORIGIN, 'content-type': 'application/json' },
          payload: JSON.stringify({ ...good, note: 'x'.repeat(1_100_000) }),
          code: 'FLX_ERR_BODY_TOO_LARGE',
        },
      ];
      for (const c of cases) {
        const res = await f.app.inject({
          method: 'POST',
          url: c.url,
          headers: c.headers,
          payload: c.payload,
        });
        expect(failure(res).code, JSON.stringify(c.payload).slice(0, 80)).toBe(c.code);
        expect(res.statusCode).toBeLessThan(500);
      }
      const missingField = await f.app.inject({
        method: 'POST',
        url: url(),
        headers: { origin: ORIGIN },
        payload: { name: 'Vera' },
      });
      expect(missingField.json()).toMatchObject({
        error: { details: [{ field: 'contact', message: 'is required' }] },
      });
      expect(await f.counts()).toEqual(before);
    });
  });

  it('rate limits per IP and channel', async () => {
    const g = await createFixture(kind, { PUBLIC_RATE_LIMIT: '3' });
    try {
      const url = `/api/v1/public/channels/acme/agents?apiKey=${g.key}`;
      for (let i = 0; i < 3; i++) {
        expect((await g.app.inject({ url, headers: { origin: ORIGIN } })).statusCode).toBe(200);
      }
      const limited = await g.app.inject({ url, headers: { origin: ORIGIN } });
      expect(failure(limited)).toEqual({ status: 429, code: 'FLX_ERR_RATE_LIMITED' });
      // another channel has its own budget
      const other = await g.app.inject({
        url: `/api/v1/public/channels/other/agents?apiKey=${g.otherKey}`,
        headers: { origin: 'http://localhost:3000' },
      });
      expect(other.statusCode).toBe(200);
    } finally {
      await g.close();
    }
  });
});
