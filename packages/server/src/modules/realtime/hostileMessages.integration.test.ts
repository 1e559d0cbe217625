/**
 * Socket messages with NUL characters (U+0000) in their text, on SQLite and on PostgreSQL:
 * each is refused with FLX_ERR_VALIDATION naming the field, nothing of it is stored, and the
 * session goes on; a hello with one is no hello. Before the check, PostgreSQL failed each of
 * these writes (its text type cannot store NUL) and the client got FLX_ERR_INTERNAL.
 */
import { CLOSE_CODES, ClientMessageSchema, PROTOCOL_VERSION } from '@flux/protocol';
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringLeaves, withLeaf } from '../../testing/leaves.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../../testing/databases.ts';
import {
  agent,
  must,
  seed,
  startServer,
  TEST_ORIGIN,
  type TestServer,
  visitor,
} from './testing/harness.ts';
import { RequestError, WsTestClient } from './testing/WsTestClient.ts';

const kinds = await databaseKinds('Hostile socket messages');

const checkMessage = Compile(ClientMessageSchema);
const ID = 'abcdefghijklmnopqrstuvwxy';

/** A valid message of each type after the hello (a new type must add one). */
const SAMPLES: Record<string, Record<string, unknown>> = {
  'session.ping': { type: 'session.ping', t: 1 },
  'presence.subscribe': { type: 'presence.subscribe', reqId: 'r1' },
  'presence.unsubscribe': { type: 'presence.unsubscribe', reqId: 'r1' },
  'call.request': {
    type: 'call.request',
    reqId: 'r1',
    agentId: ID,
    productIds: ['HAT-1'],
    pageUrl: 'https://shop.test/product/123',
    user: { name: 'Vera', email: 'vera@example.test', externalId: 'u-1' },
    offer: { type: 'offer', sdp: 'v=0 offer' },
  },
  'call.accept': {
    type: 'call.accept',
    reqId: 'r1',
    callId: ID,
    answer: { type: 'answer', sdp: 'v=0 answer' },
  },
  'call.decline': { type: 'call.decline', reqId: 'r1', callId: ID },
  'call.hangup': { type: 'call.hangup', reqId: 'r1', callId: ID },
  'call.signal': {
    type: 'call.signal',
    reqId: 'r1',
    callId: ID,
    signal: {
      kind: 'candidate',
      candidate: {
        candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host',
        sdpMid: '0',
        usernameFragment: 'abcd',
      },
    },
  },
  'call.media_state': {
    type: 'call.media_state',
    reqId: 'r1',
    callId: ID,
    state: 'connected',
    detail: 'ice connected',
  },
  'call.quality': { type: 'call.quality', reqId: 'r1', callId: ID, quality: 'poor' },
  'call.product_add': { type: 'call.product_add', reqId: 'r1', callId: ID, productId: ID },
  'call.product_remove': { type: 'call.product_remove', reqId: 'r1', callId: ID, productId: ID },
  'call.product_event': {
    type: 'call.product_event',
    reqId: 'r1',
    callId: ID,
    productId: ID,
    kind: 'click',
  },
  'call.chat': { type: 'call.chat', reqId: 'r1', callId: ID, text: 'hello' },
  'call.rate': { type: 'call.rate', reqId: 'r1', callId: ID, rating: 5 },
  'callback.request': {
    type: 'callback.request',
    reqId: 'r1',
    callId: ID,
    name: 'Vera',
    contact: 'vera@example.test',
    note: 'after five',
    pageUrl: 'https://shop.test/product/123',
  },
};

/** The error a request is refused with. */
async function refusal(p: Promise<unknown>): Promise<RequestError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RequestError);
  return e as RequestError;
}

describe.each(kinds)('hostile socket messages on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await server.close();
    await db.drop();
  });

  it('has a valid sample of every message type', () => {
    const types = ClientMessageSchema.anyOf
      .map((m) => (m.properties.type as { const: string }).const)
      .filter((t) => t !== 'session.hello');
    expect(Object.keys(SAMPLES).sort()).toEqual([...types].sort());
    for (const sample of Object.values(SAMPLES)) expect(checkMessage.Check(sample)).toBe(true);
  });

  it('refuses a NUL in any string of any message, naming the field where its schema allows it', async () => {
    const fx = await seed(server.storage);
    let checked = 0;
    for (const sample of Object.values(SAMPLES)) {
      // a socket per type: the 10th invalid frame of a session closes it
      const { ws } = await visitor(server, fx);
      for (const leaf of stringLeaves(sample).filter((l) => l[0] !== 'type')) {
        const msg = withLeaf(sample, leaf, 'a\u0000b');
        const reqId = leaf[0] === 'reqId' ? 'a\u0000b' : 'r1';
        ws.send(msg);
        const e = await ws.next('error');
        const what = `${String(sample.type)} ${leaf.join('.')}: ${e.message}`;
        expect(e.code, what).toBe('FLX_ERR_VALIDATION');
        expect(e.reqId, what).toBe(reqId);
        // a field whose own rule (a pattern, a literal) refuses the NUL fails the schema first
        expect(e.message, what).toBe(
          checkMessage.Check(msg)
            ? `The ${String(sample.type)} message holds the NUL character (U+0000) in ${leaf.join('.')}.`
            : `The ${String(sample.type)} message does not match its schema.`,
        );
        checked++;
      }
      ws.close();
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('takes a hello with a NUL for no hello', async () => {
    const fx = await seed(server.storage);
    const ws = new WsTestClient(server.wsUrl, { origin: TEST_ORIGIN });
    await ws.open();
    ws.send({
      type: 'session.hello',
      protocolVersion: PROTOCOL_VERSION,
      role: 'visitor',
      token: await fx.visitorToken(),
      sdkVersion: '1.0\u0000',
    });
    expect((await ws.next('error')).code).toBe('FLX_ERR_PROTOCOL_HELLO_REQUIRED');
    expect((await ws.closed).code).toBe(CLOSE_CODES.HELLO_TIMEOUT);
  });

  it('refuses NUL in a call request, a chat, a media report and a callback request, and goes on', async () => {
    const fx = await seed(server.storage);
    const ada = must(fx.agents[0]);
    const console1 = await agent(server, fx);
    const { ws: v } = await visitor(server, fx);

    const request = (pageUrl: string, name: string) =>
      v.request({
        type: 'call.request',
        agentId: ada.id,
        productIds: ['HAT-1'],
        pageUrl,
        user: { name },
        offer: { type: 'offer', sdp: 'v=0 offer' },
      });
    let e = await refusal(request('https://shop.test/p\u0000', 'Vera'));
    expect(e.message).toBe(
      'FLX_ERR_VALIDATION: The call.request message holds the NUL character (U+0000) in pageUrl.',
    );
    e = await refusal(request('https://shop.test/p', 'Ve\u0000ra'));
    expect(e.message).toContain('in user.name.');
    // nothing was reserved or stored: the agent takes the next call
    const { call } = await request('https://shop.test/p', 'Vera');
    expect(call.status).toBe('ringing');
    await console1.next('call.incoming');
    await console1.request({ type: 'call.accept', callId: call.id });

    e = await refusal(v.request({ type: 'call.chat', callId: call.id, text: 'hi\u0000' }));
    expect(e.message).toBe(
      'FLX_ERR_VALIDATION: The call.chat message holds the NUL character (U+0000) in text.',
    );
    await v.request({ type: 'call.chat', callId: call.id, text: 'hi' });
    expect((await console1.next('call.chat')).text).toBe('hi');
    // the six characters \u0000 are text like any other
    await v.request({ type: 'call.chat', callId: call.id, text: 'write \\u0000 for NUL' });
    expect((await console1.next('call.chat')).text).toBe('write \\u0000 for NUL');

    e = await refusal(
      console1.request({
        type: 'call.media_state',
        callId: call.id,
        state: 'connected',
        detail: 'ice \u0000',
      }),
    );
    expect(e.message).toContain('in detail.');
    await v.request({ type: 'call.hangup', callId: call.id });

    e = await refusal(
      v.request({
        type: 'callback.request',
        callId: call.id,
        name: 'Vera',
        contact: 'vera@example.test',
        note: 'after\u0000five',
      }),
    );
    expect(e.message).toContain('in note.');
    const before = await server.storage.listCallbacks(fx.channel.id, { limit: 10 });
    expect(before.items).toEqual([]);
    await v.request({
      type: 'callback.request',
      callId: call.id,
      name: 'Vera',
      contact: 'vera@example.test',
      note: 'after five',
    });
    const after = await server.storage.listCallbacks(fx.channel.id, { limit: 10 });
    expect(after.items.map((c) => c.note)).toEqual(['after five']);
    v.close();
    console1.close();
  });
});
