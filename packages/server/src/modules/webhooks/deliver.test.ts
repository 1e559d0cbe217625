/**
 * postWebhook against a real local receiver: it connects to the address that was checked
 * (the name is resolved once; a second answer is never asked for), refuses non-public targets
 * without sending, follows no redirect and gives up after its timeout.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockedAddressError, type Lookup } from '../../net/addressGuard.ts';
import { postWebhook } from './deliver.ts';

let rx: Server;
let port = 0;
const got: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  rx = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (req.url === '/slow') return; // never answers
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/elsewhere' }).end();
        return;
      }
      res.writeHead(req.url === '/broken' ? 500 : 204).end();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  port = (rx.address() as AddressInfo).port;
});
afterAll(async () => {
  rx.closeAllConnections();
  await new Promise<void>((r) => rx.close(() => r()));
});

const base = { headers: { 'content-type': 'application/json' }, body: '{"a":1}', timeoutMs: 2000 };

describe('postWebhook', () => {
  it('connects to the checked address once resolved, with the name as Host', async () => {
    let calls = 0;
    // first answer: this machine; any later answer would be an address nobody listens on
    const lookup: Lookup = () => {
      calls++;
      return Promise.resolve([{ address: calls === 1 ? '127.0.0.1' : '127.0.0.2', family: 4 }]);
    };
    got.length = 0;
    const status = await postWebhook(`http://hooks.shop.example:${String(port)}/in?x=1`, {
      ...base,
      allowPrivate: true,
      lookup,
    });
    expect(status).toBe(204);
    expect(calls).toBe(1);
    expect(got).toEqual([
      {
        url: '/in?x=1',
        headers: expect.objectContaining({
          host: `hooks.shop.example:${String(port)}`,
          'content-type': 'application/json',
          'content-length': '7',
        }) as IncomingHttpHeaders,
        body: '{"a":1}',
      },
    ]);
  });

  it('returns non-2xx statuses and does not follow redirects', async () => {
    const url = (p: string) => `http://127.0.0.1:${String(port)}${p}`;
    got.length = 0;
    expect(await postWebhook(url('/broken'), { ...base, allowPrivate: true })).toBe(500);
    expect(await postWebhook(url('/moved'), { ...base, allowPrivate: true })).toBe(302);
    expect(got.map((g) => g.url)).toEqual(['/broken', '/moved']);
  });

  it('refuses non-public targets without sending anything', async () => {
    got.length = 0;
    const lookup: Lookup = () => Promise.resolve([{ address: '::ffff:127.0.0.1', family: 6 }]);
    for (const url of [
      `http://127.0.0.1:${String(port)}/x`,
      `http://localhost:${String(port)}/x`,
      `http://[::1]:${String(port)}/x`,
      `http://hooks.shop.example:${String(port)}/x`,
    ]) {
      await expect(postWebhook(url, { ...base, allowPrivate: false, lookup }), url).rejects.toThrow(
        BlockedAddressError,
      );
    }
    expect(got).toEqual([]);
  });

  it('gives up after the timeout', async () => {
    const t0 = Date.now();
    await expect(
      postWebhook(`http://127.0.0.1:${String(port)}/slow`, {
        ...base,
        timeoutMs: 200,
        allowPrivate: true,
      }),
    ).rejects.toMatchObject({ name: 'TimeoutError', message: 'No answer in time' });
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('counts a slow lookup in the timeout and sends nothing after it', async () => {
    got.length = 0;
    const lookup: Lookup = () =>
      new Promise((r) => setTimeout(() => r([{ address: '127.0.0.1', family: 4 }]), 300));
    await expect(
      postWebhook(`http://slow-dns.example:${String(port)}/late`, {
        ...base,
        timeoutMs: 100,
        allowPrivate: true,
        lookup,
      }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    await new Promise((r) => setTimeout(r, 400));
    expect(got).toEqual([]);
  });
});
