import { CLOSE_CODES, MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '@flux/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  agent,
  must,
  seed,
  suiteServer,
  TEST_ORIGIN,
  visitor,
  type Fixture,
} from './testing/harness.ts';
import { WsTestClient } from './testing/WsTestClient.ts';

const server = suiteServer();
let fx: Fixture;

beforeAll(async () => {
  fx = await seed(server.storage);
});

describe('handshake', () => {
  it('welcomes a visitor with a valid token and origin', async () => {
    const { ws } = await visitor(server, fx);
    const w = ws.messages[0];
    expect(w).toMatchObject({
      type: 'session.welcome',
      seq: 0,
      protocolVersion: PROTOCOL_VERSION,
      resumed: false,
      activeCall: null,
    });
    ws.close();
  });

  it('welcomes an agent with the session cookie and tells it its state', async () => {
    const ws = await agent(server, fx);
    const st = await ws.next('agent.state');
    expect(st).toMatchObject({ status: 'online', availability: 'available' });
    ws.close();
  });

  it('closes with HELLO_TIMEOUT when no hello comes', async () => {
    const ws = new WsTestClient(server.wsUrl, { origin: TEST_ORIGIN });
    await ws.open();
    expect(await ws.closed).toEqual({
      code: CLOSE_CODES.HELLO_TIMEOUT,
      reason: 'FLX_ERR_PROTOCOL_HELLO_REQUIRED',
    });
  });

  it('closes with HELLO_TIMEOUT when the first frame is not a hello', async () => {
    const ws = new WsTestClient(server.wsUrl, { origin: TEST_ORIGIN });
    await ws.open();
    ws.send({ type: 'presence.subscribe', reqId: '1' });
    const err = await ws.next('error');
    expect(err.code).toBe('FLX_ERR_PROTOCOL_HELLO_REQUIRED');
    expect((await ws.closed).code).toBe(CLOSE_CODES.HELLO_TIMEOUT);
  });

  it('closes with PROTOCOL_VERSION for an unsupported version', async () => {
    const ws = new WsTestClient(server.wsUrl, { origin: TEST_ORIGIN });
    await ws.open();
    ws.send({
      type: 'session.hello',
      protocolVersion: PROTOCOL_VERSION + 1,
      role: 'visitor',
      token: await fx.visitorToken(),
    });
    expect(await ws.closed).toEqual({
      code: CLOSE_CODES.PROTOCOL_VERSION,
      reason: 'FLX_ERR_PROTOCOL_VERSION',
    });
  });

  it.each([
    ['no token', undefined, TEST_ORIGIN, CLOSE_CODES.UNAUTHENTICATED, 'FLX_ERR_AUTH_TOKEN_INVALID'],
    [
      'a forged token',
      'abc.def',
      TEST_ORIGIN,
      CLOSE_CODES.UNAUTHENTICATED,
      'FLX_ERR_AUTH_TOKEN_INVALID',
    ],
    [
      'an expired token',
      'expired',
      TEST_ORIGIN,
      CLOSE_CODES.UNAUTHENTICATED,
      'FLX_ERR_AUTH_TOKEN_EXPIRED',
    ],
    [
      'another origin',
      'valid',
      'https://evil.test',
      CLOSE_CODES.FORBIDDEN,
      'FLX_ERR_ORIGIN_NOT_ALLOWED',
    ],
  ] as const)('refuses a visitor with %s', async (_name, token, origin, code, reason) => {
    const ws = new WsTestClient(server.wsUrl, { origin });
    await ws.open();
    const t =
      token === 'valid'
        ? await fx.visitorToken()
        : token === 'expired'
          ? await fx.visitorToken(TEST_ORIGIN, -1000)
          : token;
    ws.send({
      type: 'session.hello',
      protocolVersion: PROTOCOL_VERSION,
      role: 'visitor',
      ...(t === undefined ? {} : { token: t }),
    });
    expect(await ws.closed).toEqual({ code, reason });
  });

  it('refuses an agent without a valid session cookie', async () => {
    const ws = new WsTestClient(server.wsUrl, {
      origin: server.httpUrl,
      cookie: 'flux_session=nope',
    });
    await ws.open();
    ws.send({ type: 'session.hello', protocolVersion: PROTOCOL_VERSION, role: 'agent' });
    expect(await ws.closed).toEqual({
      code: CLOSE_CODES.UNAUTHENTICATED,
      reason: 'FLX_ERR_AUTH_REQUIRED',
    });
  });

  it('refuses an agent socket opened from another site', async () => {
    const ws = new WsTestClient(server.wsUrl, {
      origin: 'https://evil.test',
      cookie: fx.cookies[0] ?? '',
    });
    await ws.open();
    ws.send({ type: 'session.hello', protocolVersion: PROTOCOL_VERSION, role: 'agent' });
    expect((await ws.closed).code).toBe(CLOSE_CODES.FORBIDDEN);
  });

  it('refuses upgrades on other paths', async () => {
    const ws = new WsTestClient(server.wsUrl.replace('/ws', '/nope'), { origin: TEST_ORIGIN });
    await expect(ws.open()).rejects.toThrow();
  });
});

describe('frames', () => {
  it('answers a bad frame with an error code and keeps the socket open', async () => {
    const { ws } = await visitor(server, fx);
    ws.sendRaw('not json');
    expect((await ws.next('error')).code).toBe('FLX_ERR_MESSAGE_INVALID');
    ws.send({ type: 'call.nope', reqId: 'a' });
    expect(await ws.next('error')).toMatchObject({ code: 'FLX_ERR_MESSAGE_INVALID', reqId: 'a' });
    ws.send({ type: 'call.hangup', reqId: 'b' });
    expect(await ws.next('error')).toMatchObject({ code: 'FLX_ERR_VALIDATION', reqId: 'b' });
    const data = await ws.request({ type: 'presence.subscribe' });
    expect(data.agents).toBeInstanceOf(Array);
    ws.close();
  });

  it('refuses agent-only messages from a visitor', async () => {
    const { ws } = await visitor(server, fx);
    await expect(ws.request({ type: 'call.accept', callId: 'x' })).rejects.toMatchObject({
      code: 'FLX_ERR_AUTH_FORBIDDEN',
    });
    ws.close();
  });

  it('closes with ABUSE after ten bad frames', async () => {
    const { ws } = await visitor(server, fx);
    for (let i = 0; i < 10; i++) ws.sendRaw('{');
    expect(await ws.closed).toEqual({ code: CLOSE_CODES.ABUSE, reason: 'FLX_ERR_MESSAGE_INVALID' });
  });

  it('closes with ABUSE when the message rate is exceeded', async () => {
    const { ws } = await visitor(server, fx);
    for (let i = 0; i < 400; i++) ws.send({ type: 'session.ping' });
    expect(await ws.closed).toEqual({ code: CLOSE_CODES.ABUSE, reason: 'FLX_ERR_RATE_LIMITED' });
  });

  it('closes a socket that sends more than MAX_MESSAGE_BYTES', async () => {
    const { ws } = await visitor(server, fx);
    ws.sendRaw('x'.repeat(MAX_MESSAGE_BYTES + 1));
    expect((await ws.closed).code).toBe(1009);
  });

  it('stamps server messages with an increasing seq and answers pings unsequenced', async () => {
    const { ws } = await visitor(server, fx);
    await ws.request({ type: 'presence.subscribe' });
    await ws.request({ type: 'presence.unsubscribe' });
    ws.send({ type: 'session.ping', t: 5 });
    expect(await ws.next('session.pong')).toEqual({ type: 'session.pong', seq: 0, t: 5 });
    const seqs = ws.messages.filter((m) => m.type === 'ack').map((m) => m.seq);
    expect(seqs).toEqual([1, 2]);
    ws.close();
  });

  it('answers a re-sent reqId again without doing it twice', async () => {
    // a client re-sends after a reconnect what it has no answer for, so no pong of it can
    // have confirmed that answer: this one answers no pings
    const ws = new WsTestClient(server.wsUrl, { origin: TEST_ORIGIN, autoPong: false });
    await ws.hello('visitor', { token: await fx.visitorToken() });
    const a = await ws.request({
      type: 'callback.request',
      reqId: 'same',
      name: 'Bo',
      contact: 'bo@x.test',
    });
    const b = await ws.request({
      type: 'callback.request',
      reqId: 'same',
      name: 'Bo',
      contact: 'bo@x.test',
    });
    expect(b).toEqual(a);
    const page = await server.storage.listCallbacks(fx.channel.id, { limit: 50 });
    expect(page.items.filter((c) => c.id === a.callbackId)).toHaveLength(1);
    expect(page.items.filter((c) => c.name === 'Bo')).toHaveLength(1);
    ws.close();
  });

  it('forgets an answer once a pong showed it arrived', async () => {
    const { ws } = await visitor(server, fx); // answers pings
    const a = await ws.request({
      type: 'callback.request',
      reqId: 'twice',
      name: 'Cy',
      contact: 'cy@x.test',
    });
    // the delivery ping follows the answer within confirmWithinMs; its pong frees the answer
    const pinged = new Promise((r) => ws.ws.once('ping', r));
    await pinged;
    await new Promise((r) => setTimeout(r, 50));
    const b = await ws.request({
      type: 'callback.request',
      reqId: 'twice',
      name: 'Cy',
      contact: 'cy@x.test',
    });
    expect(b.callbackId).not.toBe(a.callbackId); // a new request as far as the server knows
    ws.close();
  });
});

describe('delivery confirmation', () => {
  // no heartbeat ping during the test: every ping it sees asks for a delivery confirmation
  const quiet = suiteServer({ realtime: { heartbeatMs: 60_000 } });

  it('asks a client to confirm what it got soon after, without waiting for 16 messages', async () => {
    const fxq = await seed(quiet.storage);
    const { ws } = await visitor(quiet, fxq);
    const pings: { at: number; data: string }[] = [];
    ws.ws.on('ping', (d: Buffer) => pings.push({ at: Date.now(), data: d.toString() }));
    const sent = Date.now();
    await ws.request({ type: 'presence.subscribe' });
    const ack = ws.messages.find((m) => m.type === 'ack');
    const end = Date.now() + 2000;
    while (pings.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    expect(pings.map((p) => p.data)).toEqual([String(ack?.seq)]);
    expect(must(pings[0]).at - sent).toBeLessThan(1000);
    ws.close();
  });
});
