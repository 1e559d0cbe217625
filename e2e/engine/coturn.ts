/**
 * A coturn server for one test run: loopback only, `use-auth-secret` with a generated secret
 * (the same scheme the server's TURN_SECRET signs), UDP and TCP. See ../../docs/coturn.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningCoturn {
  secret: string;
  port: number;
  urls: string[];
  output: () => string;
  stop: () => Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => {
        resolve(port);
      });
    });
  });
}

export async function startCoturn(): Promise<RunningCoturn> {
  const dir = mkdtempSync(join(tmpdir(), 'flux-coturn-'));
  const secret = randomBytes(24).toString('base64url');
  const port = await freeUdpPort();
  const minPort = 49160 + (port % 500) * 2;
  const conf = join(dir, 'turnserver.conf');
  writeFileSync(
    conf,
    [
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      `listening-port=${String(port)}`,
      `min-port=${String(minPort)}`,
      `max-port=${String(minPort + 140)}`,
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      'realm=flux.test',
      'fingerprint',
      'no-tls',
      'no-dtls',
      'no-cli',
      // tests only: the relay address is loopback
      'allow-loopback-peers',
      'no-multicast-peers',
      `pidfile=${join(dir, 'turnserver.pid')}`,
      'log-file=stdout',
      'simple-log',
      'verbose', // allocations and their errors in the log that a failing test prints
      '',
    ].join('\n'),
  );
  let output = '';
  const child: ChildProcess = spawn('turnserver', ['-c', conf], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!/listener opened|Total (General|auth) servers|IPv4\. UDP listener/i.test(output)) {
    if (child.exitCode !== null) throw new Error(`turnserver exited:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`turnserver not ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    secret,
    port,
    urls: [
      `turn:127.0.0.1:${String(port)}?transport=udp`,
      `turn:127.0.0.1:${String(port)}?transport=tcp`,
    ],
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
