import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call, CallbackRequest, PageOf, Product } from '@flux/protocol';
import { CONSOLE, createFixture, failure, type Fixture } from '../../testing/apiHarness.ts';
import { databaseKinds } from '../../testing/databases.ts';

const kinds = await databaseKinds('Console API');

describe.each(kinds)('console routes on %s', (kind) => {
  let f: Fixture;
  let mia: string;
  let jo: string;
  let otherAdmin: string;
  let callIds: string[];
  let callbackId: string;

  beforeAll(async () => {
    f = await createFixture(kind);
    mia = await f.signIn('mia@acme.test');
    jo = await f.signIn('jo@acme.test');
    otherAdmin = await f.signIn('admin@other.test', 'other');
    await f.storage.updateUser(f.agent.id, { status: 'online' });
    callIds = [];
    for (let i = 0; i < 3; i++) {
      const r = await f.storage.reserveAgentAndCreateCall({
        channelId: f.acme.id,
        agentId: f.agent.id,
        pageUrl: 'https://shop.acme.test/product/123',
        visitor: { name: `V${i}` },
        productIds: [f.shirt.id],
        unknownProductIds: [],
        at: new Date(Date.now() - (3 - i) * 60_000),
      });
      if (!r.ok) throw new Error('reservation failed');
      callIds.push(r.call.id);
      await f.storage.transitionCall(r.call.id, 'ended', new Date(), { reason: 'missed' });
    }
    callbackId = (
      await f.storage.createCallback({
        channelId: f.acme.id,
        name: 'Vera',
        contact: 'v@x.test',
        at: new Date(),
      })
    ).id;
  });
  afterAll(() => f.close());

  it('GET /me/calls lists my calls newest first, paginated', async () => {
    const res = await f.app.inject({ url: '/api/v1/me/calls?limit=2', headers: { cookie: mia } });
    expect(res.statusCode).toBe(200);
    const page = res.json<PageOf<Call>>();
    expect(page.items.map((c) => c.id)).toEqual([callIds[2], callIds[1]]);
    expect(page.items[0]?.products.map((p) => p.sku)).toEqual(['ITM-BLUE-SHIRT']);
    const next = await f.app.inject({
      url: `/api/v1/me/calls?limit=2&cursor=${page.nextCursor ?? ''}`,
      headers: { cookie: mia },
    });
    expect(next.json<PageOf<Call>>()).toMatchObject({ nextCursor: null });
    expect(
      (await f.app.inject({ url: '/api/v1/me/calls', headers: { cookie: jo } })).json<
        PageOf<Call>
      >().items,
    ).toEqual([]);
    expect(failure(await f.app.inject({ url: '/api/v1/me/calls' })).code).toBe(
      'FLX_ERR_AUTH_REQUIRED',
    );
    expect(
      failure(await f.app.inject({ url: '/api/v1/me/calls?limit=0', headers: { cookie: mia } }))
        .code,
    ).toBe('FLX_ERR_VALIDATION');
    expect(
      failure(await f.app.inject({ url: '/api/v1/me/calls?limit=abc', headers: { cookie: mia } }))
        .code,
    ).toBe('FLX_ERR_VALIDATION');
    expect(
      failure(
        await f.app.inject({ url: '/api/v1/me/calls?cursor=bogus', headers: { cookie: mia } }),
      ).code,
    ).toBe('FLX_ERR_VALIDATION');
  });

  it('PUT /calls/:id/notes lets the call agent write notes; others are refused', async () => {
    const put = (
      id: string,
      cookie: string,
      payload: unknown,
      headers: Record<string, string> = CONSOLE,
    ) =>
      f.app.inject({
        method: 'PUT',
        url: `/api/v1/calls/${id}/notes`,
        headers: { ...headers, cookie },
        payload: payload as object,
      });
    const id = callIds[0] ?? '';
    const ok = await put(id, mia, { notes: 'Wants size L' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<{ call: Call }>().call.notes).toBe('Wants size L');
    expect(failure(await put(id, jo, { notes: 'x' }))).toEqual({
      status: 403,
      code: 'FLX_ERR_CALL_NOT_PARTY',
    });
    expect(failure(await put(id, otherAdmin, { notes: 'x' }))).toEqual({
      status: 404,
      code: 'FLX_ERR_CALL_NOT_FOUND',
    });
    expect(failure(await put('nope', mia, { notes: 'x' }))).toEqual({
      status: 404,
      code: 'FLX_ERR_CALL_NOT_FOUND',
    });
    expect(failure(await put(id, mia, { notes: 5 })).code).toBe('FLX_ERR_VALIDATION');
    expect(failure(await put(id, mia, { notes: 'x', rating: 5 })).code).toBe('FLX_ERR_VALIDATION');
    expect(failure(await put(id, mia, { notes: 'x'.repeat(10_001) })).code).toBe(
      'FLX_ERR_VALIDATION',
    );
    expect(failure(await put(id, mia, { notes: 'x' }, {}))).toEqual({
      status: 403,
      code: 'FLX_ERR_AUTH_CSRF',
    });
    expect(failure(await put('bad id!', mia, { notes: 'x' })).code).toBe('FLX_ERR_VALIDATION');
    expect((await f.storage.getCall(id))?.notes).toBe('Wants size L');
  });

  it('GET /callbacks and PATCH /callbacks/:id work within the channel', async () => {
    const list = await f.app.inject({
      url: '/api/v1/callbacks?status=open',
      headers: { cookie: jo },
    });
    expect(list.json<PageOf<CallbackRequest>>().items.map((c) => c.id)).toEqual([callbackId]);
    expect(
      failure(await f.app.inject({ url: '/api/v1/callbacks?status=lost', headers: { cookie: jo } }))
        .code,
    ).toBe('FLX_ERR_VALIDATION');
    expect(
      (await f.app.inject({ url: '/api/v1/callbacks', headers: { cookie: otherAdmin } })).json<
        PageOf<CallbackRequest>
      >().items,
    ).toEqual([]);
    const patch = (id: string, cookie: string, payload: unknown) =>
      f.app.inject({
        method: 'PATCH',
        url: `/api/v1/callbacks/${id}`,
        headers: { ...CONSOLE, cookie },
        payload: payload as object,
      });
    const taken = await patch(callbackId, jo, { status: 'taken' });
    expect(taken.json<{ callback: CallbackRequest }>().callback).toMatchObject({
      status: 'taken',
      takenBy: f.agent2.id,
    });
    expect(failure(await patch(callbackId, otherAdmin, { status: 'done' }))).toEqual({
      status: 404,
      code: 'FLX_ERR_NOT_FOUND',
    });
    expect(failure(await patch('missing', jo, { status: 'done' })).code).toBe('FLX_ERR_NOT_FOUND');
    expect(failure(await patch(callbackId, jo, { status: 'lost' })).code).toBe(
      'FLX_ERR_VALIDATION',
    );
    expect(failure(await patch(callbackId, jo, { status: 'done', takenBy: 'x' })).code).toBe(
      'FLX_ERR_VALIDATION',
    );
    const reopened = await patch(callbackId, jo, { status: 'open' });
    expect(reopened.json<{ callback: CallbackRequest }>().callback).toMatchObject({
      status: 'open',
      takenBy: null,
    });
  });

  it('GET /products searches the catalog of my channel', async () => {
    const res = await f.app.inject({ url: '/api/v1/products?q=chino', headers: { cookie: mia } });
    expect(res.json<PageOf<Product>>().items).toEqual([f.pants]);
    const all = await f.app.inject({ url: '/api/v1/products?limit=1', headers: { cookie: mia } });
    const page = all.json<PageOf<Product>>();
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
    expect(
      (await f.app.inject({ url: '/api/v1/products', headers: { cookie: otherAdmin } })).json<
        PageOf<Product>
      >().items,
    ).toEqual([]);
    expect(
      failure(await f.app.inject({ url: '/api/v1/products?sort=name', headers: { cookie: mia } }))
        .code,
    ).toBe('FLX_ERR_VALIDATION');
    expect(failure(await f.app.inject({ url: '/api/v1/products' })).code).toBe(
      'FLX_ERR_AUTH_REQUIRED',
    );
  });
});
