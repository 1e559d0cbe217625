import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AllowedOrigin,
  ApiKey,
  Call,
  CreatedApiKey,
  PageOf,
  Product,
  ProductImportResponse,
  User,
} from '@flux/protocol';
import {
  CONSOLE,
  createFixture,
  failure,
  ORIGIN,
  PASSWORD,
  type Fixture,
} from '../../testing/apiHarness.ts';
import { databaseKinds } from '../../testing/databases.ts';

const kinds = await databaseKinds('Admin API');

describe.each(kinds)('admin routes on %s', (kind) => {
  let f: Fixture;
  let admin: string;
  let agent: string;
  let otherAdmin: string;

  beforeAll(async () => {
    f = await createFixture(kind);
    admin = await f.signIn('admin@acme.test');
    agent = await f.signIn('mia@acme.test');
    otherAdmin = await f.signIn('admin@other.test', 'other');
  });
  afterAll(() => f.close());

  const req = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
    url: string,
    cookie: string,
    payload?: unknown,
  ) =>
    f.app.inject({
      method,
      url: `/api/v1/admin${url}`,
      headers: { ...CONSOLE, cookie },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('refuses agents, other sessions and missing CSRF headers on every admin route, writing nothing', async () => {
    const before = await f.counts();
    const routes: ['GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown?][] = [
      ['GET', '/agents'],
      ['POST', '/agents', { email: 'x@acme.test', name: 'X', password: 'long enough pw' }],
      ['PATCH', `/agents/${f.agent2.id}`, { active: false }],
      ['POST', `/agents/${f.agent2.id}/password`, { password: 'long enough pw' }],
      ['POST', '/products', { sku: 'S', name: 'N', price: 1, currency: 'EUR' }],
      ['PATCH', `/products/${f.shirt.id}`, { price: 1 }],
      ['DELETE', `/products/${f.shirt.id}`],
      ['POST', '/products/import', { csv: 'sku,name,price,currency\nA,B,1,EUR' }],
      ['GET', '/api-keys'],
      ['POST', '/api-keys', { label: 'x' }],
      ['DELETE', '/api-keys/whatever'],
      ['GET', '/origins'],
      ['POST', '/origins', { origin: 'https://x.test' }],
      ['DELETE', '/origins/whatever'],
      ['GET', '/settings'],
      ['PATCH', '/settings', { name: 'Hacked' }],
      ['GET', '/calls'],
    ];
    for (const [method, url, payload] of routes) {
      expect(failure(await req(method, url, agent, payload)), `${method} ${url} as agent`).toEqual({
        status: 403,
        code: 'FLX_ERR_AUTH_FORBIDDEN',
      });
      const anon = await f.app.inject({
        method,
        url: `/api/v1/admin${url}`,
        headers: CONSOLE,
        ...(payload ? { payload: payload } : {}),
      });
      expect(failure(anon).code, `${method} ${url} anonymous`).toBe('FLX_ERR_AUTH_REQUIRED');
      if (method !== 'GET') {
        const noCsrf = await f.app.inject({
          method,
          url: `/api/v1/admin${url}`,
          headers: { cookie: admin },
          ...(payload ? { payload: payload } : {}),
        });
        expect(failure(noCsrf).code, `${method} ${url} without CSRF header`).toBe(
          'FLX_ERR_AUTH_CSRF',
        );
      }
    }
    expect(await f.counts()).toEqual(before);
    expect((await f.storage.getChannel(f.acme.id))?.name).toBe('Acme Hats');
  });

  describe('agents', () => {
    it('lists, creates, edits, deactivates and resets passwords', async () => {
      const list = await req('GET', '/agents?limit=2', admin);
      const page = list.json<PageOf<User>>();
      expect(page.items).toHaveLength(2);
      expect(page.nextCursor).not.toBeNull();

      const created = await req('POST', '/agents', admin, {
        email: 'New@Acme.test',
        name: 'Nia New',
        password: 'a long password',
        tags: ['returns'],
        profilePhotoUrl: '/demo/avatars/nia.svg',
      });
      expect(created.statusCode).toBe(201);
      const nia = created.json<{ user: User }>().user;
      expect(nia).toMatchObject({
        email: 'new@acme.test',
        role: 'agent',
        status: 'offline',
        tags: ['returns'],
        active: true,
      });
      expect(
        failure(
          await req('POST', '/agents', admin, {
            email: 'new@acme.test',
            name: 'Dup',
            password: 'a long password',
          }),
        ),
      ).toEqual({
        status: 409,
        code: 'FLX_ERR_CONFLICT',
      });
      const niaCookie = await f.signIn('new@acme.test', 'acme', 'a long password');

      const edited = await req('PATCH', `/agents/${nia.id}`, admin, {
        name: 'Nia N.',
        tags: ['returns', 'hats'],
        role: 'admin',
      });
      expect(edited.json<{ user: User }>().user).toMatchObject({
        name: 'Nia N.',
        role: 'admin',
        tags: ['returns', 'hats'],
      });

      expect(
        (await req('POST', `/agents/${nia.id}/password`, admin, { password: 'another long one' }))
          .statusCode,
      ).toBe(200);
      expect(
        (await f.app.inject({ url: '/api/v1/me', headers: { cookie: niaCookie } })).statusCode,
      ).toBe(401);
      const signIn = await f.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        headers: CONSOLE,
        payload: { channel: 'acme', email: 'new@acme.test', password: 'another long one' },
      });
      expect(signIn.statusCode).toBe(200);

      const off = await req('PATCH', `/agents/${nia.id}`, admin, { active: false });
      expect(off.json<{ user: User }>().user).toMatchObject({ active: false, status: 'offline' });
      expect(
        failure(
          await f.app.inject({
            method: 'POST',
            url: '/api/v1/auth/sign-in',
            headers: CONSOLE,
            payload: { channel: 'acme', email: 'new@acme.test', password: 'another long one' },
          }),
        ).code,
      ).toBe('FLX_ERR_AUTH_DEACTIVATED');
    });

    it('refuses bad input, other channels and unknown IDs', async () => {
      const before = await f.counts();
      expect(
        failure(
          await req('POST', '/agents', admin, {
            email: 'no-at-sign',
            name: 'X',
            password: 'a long password',
          }),
        ).code,
      ).toBe('FLX_ERR_VALIDATION');
      expect(
        failure(
          await req('POST', '/agents', admin, {
            email: 'x@acme.test',
            name: 'X',
            password: 'short',
          }),
        ).code,
      ).toBe('FLX_ERR_VALIDATION');
      expect(
        failure(
          await req('POST', '/agents', admin, {
            email: 'x@acme.test',
            name: 'X',
            password: 'a long password',
            role: 'owner',
          }),
        ).code,
      ).toBe('FLX_ERR_VALIDATION');
      const unknown = await req('POST', '/agents', admin, {
        email: 'x@acme.test',
        name: 'X',
        password: 'a long password',
        channelId: f.other.id,
      });
      expect(unknown.json()).toMatchObject({
        error: { code: 'FLX_ERR_VALIDATION', details: [{ field: 'channelId' }] },
      });
      expect(
        failure(await req('PATCH', `/agents/${f.otherAdmin.id}`, admin, { name: 'Mine now' })),
      ).toEqual({ status: 404, code: 'FLX_ERR_AGENT_NOT_FOUND' });
      expect(failure(await req('PATCH', '/agents/nobody', admin, { name: 'X' })).code).toBe(
        'FLX_ERR_AGENT_NOT_FOUND',
      );
      expect(
        failure(
          await req('POST', '/agents/nobody/password', admin, { password: 'a long password' }),
        ).code,
      ).toBe('FLX_ERR_AGENT_NOT_FOUND');
      expect(failure(await req('PATCH', `/agents/${f.agent.id}`, admin, {})).code).toBe(
        'FLX_ERR_VALIDATION',
      );
      expect(
        failure(await req('PATCH', `/agents/${f.agent.id}`, admin, { active: 'no' })).code,
      ).toBe('FLX_ERR_VALIDATION');
      expect(
        failure(await req('PATCH', `/agents/${f.admin.id}`, admin, { active: false })).code,
      ).toBe('FLX_ERR_CONFLICT');
      expect(await f.counts()).toEqual(before);
      expect((await f.storage.getUser(f.otherAdmin.id))?.name).toBe('Otto');
      // the other channel's admin sees only their own channel
      const theirs = (await req('GET', '/agents', otherAdmin)).json<PageOf<User>>();
      expect(theirs.items.map((u) => u.email)).toEqual(['admin@other.test']);
    });
  });

  describe('products', () => {
    it('creates, edits and deletes products', async () => {
      const created = await req('POST', '/products', admin, {
        sku: 'HAT-1',
        externalId: 'EXT-HAT-1',
        name: 'Felt Hat',
        price: 7900,
        currency: 'EUR',
        imageUrl: '/demo/img/hat.svg',
        pageUrl: 'https://shop.acme.test/product/125',
      });
      expect(created.statusCode).toBe(201);
      const hat = created.json<{ product: Product }>().product;
      expect(
        failure(
          await req('POST', '/products', admin, {
            sku: 'HAT-1',
            name: 'Dup',
            price: 1,
            currency: 'EUR',
          }),
        ),
      ).toEqual({
        status: 409,
        code: 'FLX_ERR_CONFLICT',
      });
      const patched = await req('PATCH', `/products/${hat.id}`, admin, {
        price: 6900,
        imageUrl: null,
      });
      expect(patched.json<{ product: Product }>().product).toMatchObject({
        price: 6900,
        imageUrl: null,
        name: 'Felt Hat',
      });
      expect(
        failure(await req('PATCH', `/products/${hat.id}`, admin, { sku: null, externalId: null }))
          .code,
      ).toBe('FLX_ERR_VALIDATION');
      expect((await req('DELETE', `/products/${hat.id}`, admin)).statusCode).toBe(200);
      expect(failure(await req('DELETE', `/products/${hat.id}`, admin))).toEqual({
        status: 404,
        code: 'FLX_ERR_PRODUCT_NOT_FOUND',
      });
    });

    it('refuses bad products and other channels', async () => {
      const before = await f.counts();
      for (const bad of [
        { name: 'No ids', price: 1, currency: 'EUR' },
        { sku: 'A', name: 'X', price: -1, currency: 'EUR' },
        { sku: 'A', name: 'X', price: 1.5, currency: 'EUR' },
        { sku: 'A', name: 'X', price: '1', currency: 'EUR' },
        { sku: 'A', name: 'X', price: 1, currency: 'eur' },
        { sku: 'A', name: 'X', price: 1, currency: 'EUR', imageUrl: 'javascript:x' },
        { sku: 'A', name: 'X', price: 1, currency: 'EUR', stock: 5 },
        { sku: 'A', price: 1, currency: 'EUR' },
      ]) {
        expect(failure(await req('POST', '/products', admin, bad)).code, JSON.stringify(bad)).toBe(
          'FLX_ERR_VALIDATION',
        );
      }
      expect(
        failure(await req('PATCH', `/products/${f.shirt.id}`, otherAdmin, { price: 1 })),
      ).toEqual({
        status: 404,
        code: 'FLX_ERR_PRODUCT_NOT_FOUND',
      });
      expect(failure(await req('DELETE', `/products/${f.shirt.id}`, otherAdmin)).code).toBe(
        'FLX_ERR_PRODUCT_NOT_FOUND',
      );
      expect(
        failure(
          await req('PATCH', `/products/${f.shirt.id}`, admin, {
            sku: 'EXT-RED-PANTS',
            externalId: 'EXT-RED-PANTS',
          }),
        ).code,
      ).toBe('FLX_ERR_CONFLICT');
      expect(await f.counts()).toEqual(before);
      expect(await f.storage.getProduct(f.acme.id, f.shirt.id)).toEqual(f.shirt);
    });

    it('imports CSV: good rows upserted, bad rows reported with their row number', async () => {
      const csv = [
        'sku,external_id,name,price,currency,image_url,page_url',
        'IMP-1,,"Straw Hat, wide",2500,EUR,/img/straw.svg,/product/200',
        'IMP-2,EXT-IMP-2,"Cap ""Classic""",1500,EUR,,',
        ',,No ids,100,EUR,,',
        'IMP-3,,Bad price,12.50,EUR,,',
        'IMP-4,,Bad currency,100,euro,,',
        'ITM-BLUE-SHIRT,,Blue Oxford Shirt (new),5200,EUR,,/product/123',
        'IMP-1,,Dup in file,100,EUR,,',
        'IMP-5,,Too few fields',
      ].join('\r\n');
      const res = await req('POST', '/products/import', admin, { csv });
      expect(res.statusCode).toBe(200);
      const body = res.json<ProductImportResponse>();
      expect(body.imported).toBe(3);
      expect(body.errors.map((e) => e.row)).toEqual([4, 5, 6, 8, 9]);
      expect(body.errors[1]?.message).toContain('price');
      expect(body.errors[2]?.message).toContain('currency');
      const found = await f.storage.resolveProducts(f.acme.id, [
        'IMP-1',
        'IMP-2',
        'ITM-BLUE-SHIRT',
      ]);
      expect(found.products.map((p) => p.name)).toEqual([
        'Straw Hat, wide',
        'Cap "Classic"',
        'Blue Oxford Shirt (new)',
      ]);
      expect(found.products[0]).toMatchObject({
        price: 2500,
        imageUrl: '/img/straw.svg',
        pageUrl: '/product/200',
      });
      expect(found.products[2]?.id).toBe(f.shirt.id);

      const header = await req('POST', '/products/import', admin, {
        csv: 'sku,title,price\nA,B,1',
      });
      expect(header.json<ProductImportResponse>()).toMatchObject({
        imported: 0,
        errors: [{ row: 1 }],
      });
      const unclosed = await req('POST', '/products/import', admin, {
        csv: 'sku,name,price,currency\n"A,B,1,EUR',
      });
      expect(unclosed.json<ProductImportResponse>()).toMatchObject({
        imported: 0,
        errors: [{ row: 2 }],
      });
      expect(failure(await req('POST', '/products/import', admin, { csv: '' })).code).toBe(
        'FLX_ERR_VALIDATION',
      );
      expect(failure(await req('POST', '/products/import', admin, { csv: 5 })).code).toBe(
        'FLX_ERR_VALIDATION',
      );
      // CSV comes as JSON { csv }, not as a raw text body
      expect(failure(await req('POST', '/products/import', admin, 'sku,name'))).toEqual({
        status: 415,
        code: 'FLX_ERR_UNSUPPORTED_MEDIA_TYPE',
      });
    });

    it('accepts a CSV over the default 1 MB body limit, refuses one over its own limit', async () => {
      const rows = ['sku,name,price,currency'];
      for (let i = 0; i < 12_000; i++)
        rows.push(`BULK-${i},Bulk product number ${i} ${'x'.repeat(60)},${100 + i},EUR`);
      const csv = rows.join('\n');
      expect(csv.length).toBeGreaterThan(1024 * 1024);
      const res = await req('POST', '/products/import', admin, { csv });
      expect(res.json()).toEqual({ imported: 12_000, errors: [] });
      const huge = await req('POST', '/products/import', admin, {
        csv: 'x'.repeat(5 * 1024 * 1024),
      });
      expect(failure(huge)).toEqual({ status: 413, code: 'FLX_ERR_BODY_TOO_LARGE' });
    }, 60_000);
  });

  describe('API keys', () => {
    it('creates a key shown once, lists and revokes it; the public API then refuses it', async () => {
      const created = await req('POST', '/api-keys', admin, { label: 'Staging' });
      expect(created.statusCode).toBe(201);
      const { apiKey, key } = created.json<CreatedApiKey>();
      expect(key).toMatch(/^pk_/);
      const list = (await req('GET', '/api-keys', admin)).json<{ items: ApiKey[] }>();
      expect(list.items.map((k) => k.label)).toEqual(['Shop', 'Old', 'Staging']);
      expect(JSON.stringify(list)).not.toContain(key);
      const url = `/api/v1/public/channels/acme/agents?apiKey=${key}`;
      expect((await f.app.inject({ url, headers: { origin: ORIGIN } })).statusCode).toBe(200);
      const revoked = await req('DELETE', `/api-keys/${apiKey.id}`, admin);
      expect(revoked.json<{ apiKey: ApiKey }>().apiKey.revokedAt).not.toBeNull();
      expect(failure(await f.app.inject({ url, headers: { origin: ORIGIN } })).code).toBe(
        'FLX_ERR_API_KEY_REVOKED',
      );
      expect(failure(await req('DELETE', '/api-keys/nope', admin)).code).toBe('FLX_ERR_NOT_FOUND');
      expect(failure(await req('DELETE', `/api-keys/${apiKey.id}`, otherAdmin)).code).toBe(
        'FLX_ERR_NOT_FOUND',
      );
      expect(failure(await req('POST', '/api-keys', admin, { label: '' })).code).toBe(
        'FLX_ERR_VALIDATION',
      );
      expect(
        failure(await req('POST', '/api-keys', admin, { label: 'x', key: 'pk_mine' })).code,
      ).toBe('FLX_ERR_VALIDATION');
    });
  });

  describe('origins', () => {
    it('adds, lists and removes allowed origins, which the public API honours', async () => {
      const url = `/api/v1/public/channels/acme/agents?apiKey=${f.key}`;
      expect(
        failure(await f.app.inject({ url, headers: { origin: 'https://new-shop.test' } })).code,
      ).toBe('FLX_ERR_ORIGIN_NOT_ALLOWED');
      const added = await req('POST', '/origins', admin, { origin: 'https://New-Shop.test' });
      expect(added.statusCode).toBe(201);
      const origin = added.json<{ origin: AllowedOrigin }>().origin;
      expect(origin.origin).toBe('https://new-shop.test');
      expect(
        (await f.app.inject({ url, headers: { origin: 'https://new-shop.test' } })).statusCode,
      ).toBe(200);
      expect(
        failure(await req('POST', '/origins', admin, { origin: 'https://new-shop.test' })).code,
      ).toBe('FLX_ERR_CONFLICT');
      for (const bad of [
        'new-shop.test',
        'https://shop.test/path',
        'ftp://shop.test',
        'https://shop.test?x',
      ]) {
        expect(failure(await req('POST', '/origins', admin, { origin: bad })).code, bad).toBe(
          'FLX_ERR_VALIDATION',
        );
      }
      const list = (await req('GET', '/origins', admin)).json<{ items: AllowedOrigin[] }>();
      expect(list.items.map((o) => o.origin)).toEqual([ORIGIN, 'https://new-shop.test']);
      expect(failure(await req('DELETE', `/origins/${origin.id}`, otherAdmin)).code).toBe(
        'FLX_ERR_NOT_FOUND',
      );
      expect((await req('DELETE', `/origins/${origin.id}`, admin)).statusCode).toBe(200);
      expect(
        failure(await f.app.inject({ url, headers: { origin: 'https://new-shop.test' } })).code,
      ).toBe('FLX_ERR_ORIGIN_NOT_ALLOWED');
      expect(failure(await req('DELETE', `/origins/${origin.id}`, admin)).code).toBe(
        'FLX_ERR_NOT_FOUND',
      );
    });
  });

  describe('settings', () => {
    it('reads and changes the name and settings', async () => {
      expect((await req('GET', '/settings', admin)).json()).toEqual({
        name: 'Acme Hats',
        settings: { ringTimeoutSeconds: 30, missesBeforeOffline: 3, openingHours: null },
      });
      const hours = {
        timezone: 'Europe/Berlin',
        days: { '1': ['09:00-17:00'], '5': ['22:00-02:00'] },
      };
      const res = await req('PATCH', '/settings', admin, {
        name: 'Acme Caps',
        ringTimeoutSeconds: 20,
        openingHours: hours,
      });
      expect(res.json()).toEqual({
        name: 'Acme Caps',
        settings: { ringTimeoutSeconds: 20, missesBeforeOffline: 3, openingHours: hours },
      });
      expect((await f.storage.getChannel(f.acme.id))?.settings.openingHours).toEqual(hours);
      await req('PATCH', '/settings', admin, { name: 'Acme Hats', openingHours: null });
    });

    it('refuses bad settings without writing', async () => {
      const before = await f.storage.getChannel(f.acme.id);
      for (const bad of [
        {},
        { ringTimeoutSeconds: 1 },
        { ringTimeoutSeconds: '30' },
        { missesBeforeOffline: 0 },
        { name: '' },
        { openingHours: { timezone: 'Mars/Olympus', days: {} } },
        { openingHours: { timezone: 'UTC', days: { '7': ['09:00-17:00'] } } },
        { openingHours: { timezone: 'UTC', days: { '1': ['25:00-26:00'] } } },
        { openingHours: { timezone: 'UTC', days: { '1': ['9-5'] } } },
        { allowLocalhost: true },
      ]) {
        expect(failure(await req('PATCH', '/settings', admin, bad)).code, JSON.stringify(bad)).toBe(
          'FLX_ERR_VALIDATION',
        );
      }
      expect(await f.storage.getChannel(f.acme.id)).toEqual(before);
    });
  });

  describe('calls', () => {
    it('lists calls with filters and pagination', async () => {
      await f.storage.updateUser(f.agent.id, { status: 'online' });
      await f.storage.updateUser(f.agent2.id, { status: 'online' });
      const made: Call[] = [];
      const base = Date.parse('2026-01-10T10:00:00Z');
      for (let i = 0; i < 4; i++) {
        const agentId = i % 2 === 0 ? f.agent.id : f.agent2.id;
        const r = await f.storage.reserveAgentAndCreateCall({
          channelId: f.acme.id,
          agentId,
          pageUrl: null,
          visitor: {},
          productIds: [],
          unknownProductIds: [],
          at: new Date(base + i * 3600_000),
        });
        if (!r.ok) throw new Error('reservation failed');
        made.push(r.call);
        if (i < 3)
          await f.storage.transitionCall(r.call.id, 'ended', new Date(base + i * 3600_000 + 1000), {
            reason: i === 0 ? 'declined' : 'missed',
          });
      }
      const get = async (q: string) => (await req('GET', `/calls${q}`, admin)).json<PageOf<Call>>();
      expect((await get('')).items.map((c) => c.id)).toEqual([
        made[3]?.id,
        made[2]?.id,
        made[1]?.id,
        made[0]?.id,
      ]);
      expect((await get(`?agentId=${f.agent2.id}`)).items.map((c) => c.id)).toEqual([
        made[3]?.id,
        made[1]?.id,
      ]);
      expect((await get('?status=requested')).items.map((c) => c.id)).toEqual([made[3]?.id]);
      expect((await get('?endReason=declined')).items.map((c) => c.id)).toEqual([made[0]?.id]);
      const from = new Date(base + 3600_000).toISOString();
      const to = new Date(base + 3 * 3600_000).toISOString();
      expect((await get(`?from=${from}&to=${to}`)).items.map((c) => c.id)).toEqual([
        made[2]?.id,
        made[1]?.id,
      ]);
      const p1 = await get('?limit=3');
      expect(p1.items).toHaveLength(3);
      const p2 = await get(`?limit=3&cursor=${p1.nextCursor ?? ''}`);
      expect(p2.items.map((c) => c.id)).toEqual([made[0]?.id]);
      expect((await req('GET', '/calls', otherAdmin)).json<PageOf<Call>>().items).toEqual([]);
      for (const bad of [
        '?status=done',
        '?endReason=bored',
        '?from=yesterday',
        '?limit=101',
        '?page=2',
        '?cursor=%%%',
      ]) {
        expect(failure(await req('GET', `/calls${bad}`, admin)).code, bad).toBe(
          'FLX_ERR_VALIDATION',
        );
      }
      // the calls in which a side's link was weak
      const weak = made[3]?.id ?? '';
      const at = (s: number) => new Date(base + 3 * 3600_000 + s * 1000);
      await f.storage.transitionCall(weak, 'ringing', at(1));
      await f.storage.transitionCall(weak, 'connected', at(2));
      await f.storage.recordLinkQuality(weak, 'agent', 'poor', at(10));
      await f.storage.transitionCall(weak, 'ended', at(30), { reason: 'agent_hangup' });
      const weakOnly = await get('?weakLink=true');
      expect(weakOnly.items.map((c) => [c.id, c.weakSeconds])).toEqual([
        [weak, { visitor: 0, agent: 20 }],
      ]);
      expect((await get('?weakLink=false')).items).toHaveLength(4);
      expect(failure(await req('GET', '/calls?weakLink=maybe', admin)).code).toBe(
        'FLX_ERR_VALIDATION',
      );
    });
  });

  it('a correct password still signs the admin in (fixture sanity)', async () => {
    const res = await f.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      headers: CONSOLE,
      payload: { channel: 'acme', email: 'admin@acme.test', password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
  });
});
