/**
 * Every operation of the API document, sent what a careless or hostile client sends: NUL
 * characters in each path parameter, query parameter and string of a valid body, a path that
 * is not valid percent-encoding, and bodies that are not what the route reads. Each answer
 * must be a 4xx with our error body, never a 500, on SQLite and on PostgreSQL (whose text type
 * cannot store NUL: before the input guard, a name with one was a 500 there).
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringLeaves, withLeaf } from '../testing/leaves.ts';
import { ERRORS, type ErrorCode } from '@flux/protocol';
import {
  CONSOLE,
  createFixture,
  errorOf,
  ORIGIN,
  PASSWORD,
  type Fixture,
} from '../testing/apiHarness.ts';
import { databaseKinds } from '../testing/databases.ts';
import { NUL_MESSAGE } from '../lib/nul.ts';

const kinds = await databaseKinds('Hostile input');

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** The query parameters of format `date-time`. */
  timeParams: string[];
  /** The query parameters of type integer. */
  integerParams: string[];
  jsonBody: boolean;
}

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: {
          in: string;
          name: string;
          schema?: { format?: string; type?: string };
        }[];
        requestBody?: { content: Record<string, unknown> };
      }
    >
  >;
}

/** A valid body for each operation that reads JSON (a new operation must add one). */
const BODIES: Record<string, unknown> = {
  'POST /api/v1/public/channels/{channelId}/callbacks': {
    name: 'Ada Lovelace',
    contact: 'ada@example.test',
    note: 'About the fedora',
    pageUrl: 'https://shop.acme.test/product/123',
    user: { name: 'Ada', email: 'ada@example.test', externalId: 'u-1' },
  },
  'POST /api/v1/auth/sign-in': { channel: 'acme', email: 'jo@acme.test', password: PASSWORD },
  'PATCH /api/v1/me': { name: 'Ada Admin', tags: ['hats'] },
  'PUT /api/v1/me/password': {
    currentPassword: 'not the password',
    newPassword: 'another long password',
  },
  'PUT /api/v1/calls/{id}/notes': { notes: 'Wants the fedora in medium.' },
  'PATCH /api/v1/callbacks/{id}': { status: 'done' },
  'POST /api/v1/admin/agents': {
    email: 'new@acme.test',
    name: 'New Agent',
    password: 'a long password',
    role: 'agent',
    tags: ['hats'],
  },
  'PATCH /api/v1/admin/agents/{id}': { name: 'Jo', email: 'jo@acme.test', tags: ['hats'] },
  'POST /api/v1/admin/agents/{id}/password': { password: 'a new long password' },
  'POST /api/v1/admin/products': {
    sku: 'HAT-1',
    externalId: 'EXT-HAT-1',
    name: 'Felt Hat',
    price: 3900,
    currency: 'EUR',
    imageUrl: 'https://shop.acme.test/hat.png',
    pageUrl: '/product/hat',
  },
  'PATCH /api/v1/admin/products/{id}': { name: 'Red Chino Pants', sku: 'PANTS-1' },
  'POST /api/v1/admin/products/import': { csv: 'sku,name,price,currency\nCAP-1,Cap,1500,EUR\n' },
  'POST /api/v1/admin/api-keys': { label: 'Second shop' },
  'POST /api/v1/admin/origins': { origin: 'https://second.acme.test' },
  'PATCH /api/v1/admin/settings': {
    name: 'Acme Hats',
    openingHours: { timezone: 'Europe/Paris', days: { '1': ['09:00-17:00'] } },
  },
  'POST /api/v1/admin/webhooks': { url: 'https://hooks.acme.test/calls' },
};

/** The answer is ours: a 4xx whose body is `{ error: { code, message } }` with a known code. */
function expectRefusal(res: LightMyRequestResponse, what: string): ErrorCode {
  expect(res.statusCode, `${what}: ${res.body}`).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(500);
  const code = errorOf(res).code;
  expect(Object.keys(ERRORS), what).toContain(code);
  expect(res.statusCode, what).toBe(ERRORS[code].status);
  return code;
}

describe.each(kinds)('hostile input on %s', (kind) => {
  let f: Fixture;
  let ops: Operation[];
  let cookie: string;
  /** A real value for each path parameter (the rest get one that names nothing). */
  let ids: Record<string, string>;

  beforeAll(async () => {
    f = await createFixture(kind);
    cookie = await f.signIn('admin@acme.test');
    const doc = (await f.app.inject({ url: '/docs/json' })).json<OpenApi>();
    ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        timeParams: (op.parameters ?? [])
          .filter((p) => p.in === 'query' && p.schema?.format === 'date-time')
          .map((p) => p.name),
        integerParams: (op.parameters ?? [])
          .filter((p) => p.in === 'query' && p.schema?.type === 'integer')
          .map((p) => p.name),
        jsonBody: op.requestBody?.content['application/json'] !== undefined,
      })),
    );
    ids = { channelId: 'acme' };
  });
  afterAll(() => f.close());

  const key = (op: Operation) => `${op.method} ${op.path}`;

  function url(op: Operation, params: Record<string, string> = {}, query = ''): string {
    let out = op.path;
    for (const name of op.pathParams) {
      const value =
        params[name] ??
        encodeURIComponent(
          ids[name] ??
            (op.path.includes('/agents/')
              ? f.agent2.id
              : op.path.includes('/products/')
                ? f.pants.id
                : 'x'),
        );
      out = out.replace(`{${name}}`, value);
    }
    const publicQuery =
      op.path.startsWith('/api/v1/public/') && !query.startsWith('apiKey=')
        ? `apiKey=${f.key}`
        : '';
    const q = [publicQuery, query].filter(Boolean).join('&');
    return q === '' ? out : `${out}?${q}`;
  }

  function send(op: Operation, target: string, payload?: string) {
    return f.app.inject({
      method: op.method as 'GET',
      url: target,
      headers: {
        ...CONSOLE,
        cookie,
        origin: ORIGIN,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  it('reads every operation of the API document and has a valid body for each that takes JSON', () => {
    expect(ops.length).toBeGreaterThan(30);
    const withBody = ops.filter((op) => op.jsonBody).map(key);
    expect(withBody.filter((k) => !(k in BODIES))).toEqual([]);
    expect(Object.keys(BODIES).filter((k) => !withBody.includes(k))).toEqual([]);
  });

  it('refuses NUL in any path parameter, query parameter or body string, naming the field', async () => {
    let checked = 0;
    for (const op of ops) {
      if (op.path === '/api/v1/auth/sign-out') continue;
      for (const name of op.pathParams) {
        const res = await send(
          op,
          url(op, { [name]: 'a%00b' }),
          op.jsonBody ? JSON.stringify(BODIES[key(op)]) : undefined,
        );
        // a parameter with a pattern may be refused by its schema first: either way, a 400
        expect(expectRefusal(res, `${key(op)} path ${name}`)).toBe('FLX_ERR_VALIDATION');
        checked++;
      }
      for (const name of op.queryParams) {
        const res = await send(op, url(op, {}, `${name}=a%00b`));
        expect(expectRefusal(res, `${key(op)} query ${name}`)).toBe('FLX_ERR_VALIDATION');
        expect(errorOf(res).details).toEqual([{ field: name, message: NUL_MESSAGE }]);
        checked++;
      }
      if (!op.jsonBody) continue;
      const body = BODIES[key(op)];
      for (const leaf of stringLeaves(body)) {
        const res = await send(op, url(op), JSON.stringify(withLeaf(body, leaf, 'a\u0000b')));
        expect(expectRefusal(res, `${key(op)} body ${leaf.join('.')}`)).toBe('FLX_ERR_VALIDATION');
        expect(errorOf(res).details).toEqual([{ field: leaf.join('.'), message: NUL_MESSAGE }]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('lets each valid body through to its route: the NUL checks above tested more than the schema', async () => {
    for (const op of ops.filter((o) => o.jsonBody)) {
      const res = await send(op, url(op), JSON.stringify(BODIES[key(op)]));
      const what = `${key(op)}: ${res.body}`;
      expect(res.statusCode, what).toBeLessThan(500);
      if (res.statusCode >= 400) expect(errorOf(res).code, what).not.toBe('FLX_ERR_VALIDATION');
    }
    // the refused ones stored nothing: one product and one agent were added, by the valid bodies
    const names = (await f.storage.listProducts(f.acme.id, { limit: 100 })).items.map(
      (p) => p.name,
    );
    expect(names.filter((n) => n.includes('\u0000'))).toEqual([]);
  });

  it('reads a leap second in any time parameter, as its format allows', async () => {
    // yesterday's last second, written as a leap second (JavaScript's Date cannot read it)
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const timed = ops.filter((o) => o.timeParams.length > 0);
    expect(timed.length).toBeGreaterThanOrEqual(3);
    for (const op of timed) {
      for (const name of op.timeParams) {
        const res = await send(op, url(op, {}, `${name}=${day}T23:59:60Z`));
        expect(res.statusCode, `${key(op)} ${name}: ${res.body}`).toBe(200);
      }
    }
  });

  it('refuses an integer parameter not written as one, where a lenient reading would guess', async () => {
    const counted = ops.filter((o) => o.integerParams.length > 0);
    expect(counted.length).toBeGreaterThanOrEqual(8);
    for (const op of counted) {
      for (const name of op.integerParams) {
        for (const written of ['2.5', 'true', '0x10', '1e1', '%205', '']) {
          const res = await send(op, url(op, {}, `${name}=${written}`));
          const what = `${key(op)} ${name}=${written}`;
          expect(expectRefusal(res, what)).toBe('FLX_ERR_VALIDATION');
          expect(errorOf(res).details, what).toContainEqual({
            field: name,
            message: 'must be integer',
          });
        }
        // written plainly, it is read (a path naming nothing is then not found)
        const res = await send(op, url(op, {}, `${name}=5`));
        if (op.pathParams.length > 0 && res.statusCode === 404) continue;
        expect(res.statusCode, `${key(op)} ${name}=5: ${res.body}`).toBe(200);
      }
    }
  });

  it('answers a path that is not valid percent-encoding with our error body', async () => {
    for (const op of ops.filter((o) => o.pathParams.length > 0)) {
      const res = await send(op, url(op, { [op.pathParams[0] as string]: '%FF' }));
      expect(expectRefusal(res, `${key(op)} %FF`)).toBe('FLX_ERR_BAD_REQUEST');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('answers bodies that are not what the route reads with a 4xx', async () => {
    const deep = `${'['.repeat(50_000)}"\\u0000"${']'.repeat(50_000)}`;
    for (const op of ops.filter((o) => o.jsonBody)) {
      for (const payload of ['null', '[]', '"\\u0000"', '{"\\u0000":1}', deep, '{"a":1e999}']) {
        expectRefusal(await send(op, url(op), payload), `${key(op)} ${payload.slice(0, 20)}`);
      }
    }
  });
});
