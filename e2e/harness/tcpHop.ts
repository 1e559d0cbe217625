/**
 * A TCP hop in front of the server, for a browser whose network changes: the page loads and
 * talks through it (its URL names the hop's port), and it forwards every connection both
 * ways. `abandonConnections()` is the change: every connection open at that moment goes
 * silent, each way and for good, without a close or a reset, as a phone's connections do when
 * it moves to another network; connections opened later pass. `refuse(true)` takes the device
 * off the network: new connections fail at once until `refuse(false)`. `resetAbandoned()`
 * brings it back: the server has given up on the connections it had, or never knew them, and
 * answers their next packet with a reset, so the device's end of each abandoned connection is
 * reset.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpHop {
  port: number;
  /** Every connection open now stops carrying anything, and is never closed by the hop. */
  abandonConnections(): void;
  /** While on, new connections are reset at once (a laptop shut, a phone out of reach). */
  refuse(on: boolean): void;
  /** Every abandoned connection is reset on the device's side (it is back on the network). */
  resetAbandoned(): void;
  /** Connections the hop has taken so far (and forwarded). */
  connections(): number;
  stop(): Promise<void>;
}

export async function startTcpHop(targetPort: number, host = '127.0.0.1'): Promise<TcpHop> {
  const open = new Set<[Socket, Socket]>();
  // the device's end and the server's end of each abandoned connection
  const abandoned: [Socket, Socket][] = [];
  let taken = 0;
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    taken++;
    const upstream = connect(targetPort, host);
    const pair: [Socket, Socket] = [client, upstream];
    open.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const done = (): void => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    abandonConnections() {
      for (const pair of open) {
        const [client, upstream] = pair;
        client.unpipe(upstream);
        upstream.unpipe(client);
        // keep reading so that neither side's sends ever block, and drop what comes
        for (const s of pair) {
          s.removeAllListeners('close').removeAllListeners('error');
          s.on('error', () => undefined);
          s.on('data', () => undefined);
        }
        abandoned.push(pair);
      }
      open.clear();
    },
    refuse(on) {
      refusing = on;
    },
    resetAbandoned() {
      for (const [client, upstream] of abandoned.splice(0)) {
        client.resetAndDestroy();
        upstream.destroy();
      }
    },
    connections: () => taken,
    async stop() {
      for (const pair of open) for (const s of pair) s.destroy();
      for (const pair of abandoned) for (const s of pair) s.destroy();
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
