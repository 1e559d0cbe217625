/**
 * Session.sendBody on a real `ws` connection: the frames a turn sends to one client leave
 * the process in one write (the socket is corked until the turn's work is done), arrive
 * whole and in order, and a later turn writes again.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { DeliveryConfirmer, Session } from './Session.ts';

const open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

/** A server-side socket with its low-level writes counted, and the client's received frames. */
async function pair(clientOptions: { autoPong?: boolean } = {}): Promise<{
  server: WebSocket;
  client: WebSocket;
  writes: () => number;
  got: string[];
}> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  open.push(wss);
  await new Promise<void>((r) => wss.once('listening', r));
  const accepted = new Promise<WebSocket>((r) => wss.once('connection', r));
  const client = new WebSocket(
    `ws://127.0.0.1:${String((wss.address() as AddressInfo).port)}`,
    clientOptions,
  );
  open.push(client);
  const got: string[] = [];
  client.on('message', (d: Buffer) => got.push(d.toString('utf8')));
  await new Promise<void>((r) => client.once('open', () => r()));
  const server = await accepted;
  // every flush of the socket's buffer ends in _writev (several chunks) or _write (one)
  const socket = (server as unknown as { _socket: Record<string, unknown> })._socket;
  let writes = 0;
  for (const name of ['_writev', '_write'] as const) {
    const orig = socket[name] as (...a: unknown[]) => unknown;
    socket[name] = (...a: unknown[]) => {
      writes++;
      return orig.apply(socket, a);
    };
  }
  return { server, client, writes: () => writes, got };
}

function session(ws: WebSocket, confirmer?: DeliveryConfirmer): Session {
  return new Session({
    confirmer,
    id: 's1',
    role: 'visitor',
    channelId: 'c1',
    userId: null,
    origin: null,
    ws,
    now: Date.now(),
    burst: 10,
  });
}

const until = async (ok: () => boolean): Promise<void> => {
  const end = Date.now() + 2000;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('Session frames', () => {
  it('sends the frames of one turn in one write, in order, each a frame of its own', async () => {
    const { server, writes, got } = await pair();
    const s = session(server);
    s.sendBody('{"type":"ack","reqId":"r1"}', false);
    s.send({ type: 'session.pong' });
    // a promise continuation of the same turn still joins the write
    await Promise.resolve();
    s.sendBody('{"type":"ack","reqId":"r2"}', false);
    await until(() => got.length === 3);
    expect(got).toEqual([
      '{"seq":1,"type":"ack","reqId":"r1"}',
      '{"seq":2,"type":"session.pong"}',
      '{"seq":3,"type":"ack","reqId":"r2"}',
    ]);
    expect(writes()).toBe(1);
    // the next turn writes again
    await new Promise((r) => setTimeout(r, 10));
    s.sendBody('{"type":"ack","reqId":"r3"}', false);
    await until(() => got.length === 4);
    expect(writes()).toBe(2);
  });

  it('writes a shared fan-out frame at once, unsequenced and not kept for replay', async () => {
    const { server, writes, got } = await pair();
    const s = session(server);
    const shared = Buffer.from('{"seq":0,"type":"presence.roster","agents":[],"open":true}');
    s.sendShared(shared);
    expect(writes()).toBe(1); // already written, synchronously
    s.sendBody('{"type":"ack","reqId":"r1"}', false);
    expect(writes()).toBe(1); // this one waits for the end of the turn
    await until(() => writes() === 2);
    // written is not yet received: the client reads both frames a moment later
    await until(() => got.length === 2);
    expect(got).toEqual([shared.toString(), '{"seq":1,"type":"ack","reqId":"r1"}']);
    expect(s.seq).toBe(1);
    expect(s.replay).toBeNull();
  });

  it('writes every turn of a burst across turns, nothing left corked', async () => {
    const { server, got } = await pair();
    const s = session(server);
    for (let i = 0; i < 20; i++) {
      s.sendBody(`{"type":"ack","reqId":"r${String(i)}"}`, false);
      await new Promise((r) => setImmediate(r));
    }
    await until(() => got.length === 20);
    expect(
      (server as unknown as { _socket: { writableCorked: number } })._socket.writableCorked,
    ).toBe(0);
  });
});

describe('Session delivery confirmation', () => {
  it('asks for a confirmation after 16 kept messages and lets them go on the pong', async () => {
    const { server } = await pair();
    const s = session(server);
    const pings: string[] = [];
    server.on('pong', (data: Buffer) => {
      pings.push(data.toString());
      s.delivered(data);
    });
    for (let i = 1; i <= 15; i++) s.sendBody(`{"type":"call.chat","text":"m${String(i)}"}`);
    expect(s.confirming).toBe(0); // 15 kept: not yet
    s.sendBody('{"type":"call.chat","text":"m16"}');
    expect(s.confirming).toBe(16);
    // more messages while the ping is out: no second ping
    s.sendBody('{"type":"call.chat","text":"m17"}');
    await until(() => pings.length === 1);
    expect(pings).toEqual(['16']);
    expect(s.confirming).toBe(0);
    // what the pong confirmed is gone, what came after it is kept (and can still be replayed)
    expect(s.replay?.map((e) => e[0])).toEqual([17]);
    expect(s.replayAfter(16)).toEqual(['{"seq":17,"type":"call.chat","text":"m17"}']);
    expect(s.replayAfter(15)).toBeNull(); // 16 was confirmed and dropped: not resumable from 15
  });

  it('confirms nothing on a pong that carries no seq of ours', async () => {
    const { server, client } = await pair();
    const s = session(server);
    let pongs = 0;
    server.on('pong', (data: Buffer) => {
      pongs++;
      s.delivered(data);
    });
    s.sendBody('{"type":"call.chat","text":"a"}');
    s.sendBody('{"type":"call.chat","text":"b"}');
    client.pong(); // unasked, empty
    client.pong('99'); // a seq never sent
    await until(() => pongs === 2);
    expect(s.replay?.map((e) => e[0])).toEqual([1, 2]);
  });
});

describe('DeliveryConfirmer', () => {
  const confirmers: DeliveryConfirmer[] = [];
  afterEach(() => {
    for (const c of confirmers.splice(0)) c.close();
  });
  const confirmer = (ms: number): DeliveryConfirmer => {
    const c = new DeliveryConfirmer(ms);
    confirmers.push(c);
    return c;
  };

  it('confirms fewer than 16 messages with one ping, the delay after the first of them', async () => {
    const { server } = await pair();
    const s = session(server, confirmer(40));
    const pings: string[] = [];
    server.on('pong', (data: Buffer) => {
      pings.push(data.toString());
      s.delivered(data);
    });
    const t0 = Date.now();
    s.sendBody('{"type":"call.chat","text":"a"}');
    s.sendBody('{"type":"call.chat","text":"b"}');
    await new Promise((r) => setTimeout(r, 5));
    s.sendBody('{"type":"call.chat","text":"c"}');
    expect(s.confirming).toBe(0); // not at once: the burst may go on
    await until(() => s.replay === null);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(35);
    expect(pings).toEqual(['3']);
    expect(s.trimmedTo).toBe(3);
    // a later message is confirmed on its own
    s.sendBody('{"type":"call.chat","text":"d"}');
    await until(() => pings.length === 2);
    expect(pings[1]).toBe('4');
    expect(s.replay).toBeNull();
  });

  it('confirms what was sent while a ping was out once its pong is in', async () => {
    const { server, client } = await pair({ autoPong: false });
    const s = session(server, confirmer(10));
    const heldPings: Buffer[] = [];
    client.on('ping', (data: Buffer) => heldPings.push(data));
    server.on('pong', (data: Buffer) => {
      s.delivered(data);
    });
    s.sendBody('{"type":"call.chat","text":"a"}');
    await until(() => heldPings.length === 1);
    expect(s.confirming).toBe(1);
    s.sendBody('{"type":"call.chat","text":"b"}'); // the ping for 1 is still out
    await new Promise((r) => setTimeout(r, 40));
    expect(heldPings.length).toBe(1); // no second ping while one is out
    client.pong(heldPings[0]);
    // the pong confirms 1; 2 is asked for next
    await until(() => heldPings.length === 2);
    expect(heldPings[1]?.toString()).toBe('2');
    expect(s.replay?.map((e) => e[0])).toEqual([2]);
    client.pong(heldPings[1]);
    await until(() => s.replay === null);
  });

  it('does not ping again when the ping of the 16th message confirmed everything', async () => {
    const { server } = await pair();
    const s = session(server, confirmer(30));
    const pings: string[] = [];
    server.on('pong', (data: Buffer) => {
      pings.push(data.toString());
      s.delivered(data);
    });
    for (let i = 1; i <= 16; i++) s.sendBody(`{"type":"call.chat","text":"m${String(i)}"}`);
    await until(() => s.replay === null);
    await new Promise((r) => setTimeout(r, 60)); // past the delay the first 15 armed
    expect(pings).toEqual(['16']);
  });

  it('does not ping a session whose socket went away (the grace period keeps its messages)', async () => {
    const { server, client } = await pair({ autoPong: false });
    const s = session(server, confirmer(10));
    let pings = 0;
    client.on('ping', () => pings++);
    s.sendBody('{"type":"call.chat","text":"a"}');
    s.ws = null;
    await new Promise((r) => setTimeout(r, 40));
    expect(pings).toBe(0);
    expect(s.replay?.map((e) => e[0])).toEqual([1]);
  });
});
