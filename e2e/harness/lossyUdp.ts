/**
 * A UDP hop in front of a TURN server that loses a share of the media, as a poor mobile or
 * Wi-Fi link does: the browsers reach the TURN server through it (their TURN URL names its
 * port), and it forwards every datagram both ways, dropping the given share of those that
 * carry media (TURN ChannelData, and Send and Data indications). The TURN server's own
 * exchanges (allocations, permissions, refreshes) always pass, so the call stays up and only
 * its media suffers. The kernel's netem would do this below the browsers, but it is not
 * available in every test machine's kernel.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface LossyUdp {
  port: number;
  /** From now on, drop this share (0–1) of media datagrams, each way. */
  setLoss(share: number): void;
  /**
   * The browsers' network changes: every flow seen so far (a browser socket) is dead from now
   * on, each way and for good, TURN's own exchanges too; sockets opened later pass.
   */
  abandonFlows(): void;
  /** Media datagrams forwarded and dropped so far. */
  counts(): { forwarded: number; dropped: number };
  stop(): Promise<void>;
}

/** TURN ChannelData (channel numbers 0x4000–0x7FFF), or a STUN Send (0x0016) or Data (0x0017) indication. */
function carriesMedia(msg: Buffer): boolean {
  const first = msg[0] ?? 0;
  if (first >= 0x40 && first <= 0x7f) return true;
  const type = msg.length >= 2 ? msg.readUInt16BE(0) : 0;
  return type === 0x0016 || type === 0x0017;
}

export async function startLossyUdp(targetPort: number, host = '127.0.0.1'): Promise<LossyUdp> {
  const front = createSocket('udp4');
  // one socket towards the TURN server per browser socket, so that it sees them apart
  const upstream = new Map<string, Socket>();
  let loss = 0;
  let forwarded = 0;
  let dropped = 0;
  const dead = new Set<string>();
  const pass = (msg: Buffer, key: string): boolean => {
    if (dead.has(key)) return false;
    if (!carriesMedia(msg)) return true;
    if (loss > 0 && Math.random() < loss) {
      dropped++;
      return false;
    }
    forwarded++;
    return true;
  };
  const towards = (client: RemoteInfo): Socket => {
    const key = `${client.address}:${String(client.port)}`;
    let up = upstream.get(key);
    if (!up) {
      up = createSocket('udp4');
      up.on('message', (msg) => {
        if (pass(msg, key)) front.send(msg, client.port, client.address);
      });
      up.on('error', () => undefined);
      upstream.set(key, up);
    }
    return up;
  };
  front.on('message', (msg, client) => {
    const up = towards(client);
    if (pass(msg, `${client.address}:${String(client.port)}`)) up.send(msg, targetPort, host);
  });
  front.on('error', () => undefined);
  await new Promise<void>((resolve) => front.bind(0, host, resolve));
  return {
    port: front.address().port,
    setLoss(share) {
      loss = share;
    },
    abandonFlows() {
      for (const key of upstream.keys()) dead.add(key);
    },
    counts: () => ({ forwarded, dropped }),
    async stop() {
      for (const up of upstream.values()) up.close();
      upstream.clear();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
