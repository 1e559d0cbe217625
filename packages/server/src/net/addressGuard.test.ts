import { describe, expect, it } from 'vitest';
import {
  BlockedAddressError,
  checkLiteralHost,
  classifyAddress,
  resolveTarget,
  type AddressKind,
  type Lookup,
} from './addressGuard.ts';

const TABLE: readonly (readonly [string, AddressKind | null])[] = [
  // IPv4: public
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['93.184.215.14', 'public'],
  ['9.255.255.255', 'public'],
  ['11.0.0.0', 'public'],
  ['100.63.255.255', 'public'],
  ['100.128.0.0', 'public'],
  ['126.255.255.255', 'public'],
  ['128.0.0.0', 'public'],
  ['169.253.255.255', 'public'],
  ['169.255.0.0', 'public'],
  ['172.15.255.255', 'public'],
  ['172.32.0.0', 'public'],
  ['192.0.1.1', 'public'],
  ['192.167.255.255', 'public'],
  ['192.169.0.0', 'public'],
  ['198.17.255.255', 'public'],
  ['198.20.0.0', 'public'],
  ['223.255.255.255', 'public'],
  // IPv4: unspecified, loopback
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['127.1.2.3', 'loopback'],
  // IPv4: private
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.0.1', 'private'],
  ['192.168.255.255', 'private'],
  ['100.64.0.1', 'private'],
  ['100.127.255.255', 'private'],
  // IPv4: link-local, cloud metadata
  ['169.254.169.254', 'link-local'],
  ['169.254.0.1', 'link-local'],
  // IPv4: multicast, reserved, broadcast
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  ['192.0.0.170', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.9', 'reserved'],
  ['192.88.99.1', 'reserved'],
  // IPv6: public
  ['2606:4700:4700::1111', 'public'],
  ['2a00:1450:4001:82a::200e', 'public'],
  ['[2001:4860:4860::8888]', 'public'],
  ['2001:4860:4860:0:0:0:0:8888', 'public'],
  ['3fff:ffff::1', 'public'],
  // IPv6: unspecified, loopback
  ['::', 'unspecified'],
  ['0:0:0:0:0:0:0:0', 'unspecified'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  // IPv6: unique local, site-local, link-local, multicast
  ['fc00::1', 'private'],
  ['fd12:3456:789a::1', 'private'],
  ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'private'],
  ['fec0::1', 'private'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['FE80::ABCD', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  // IPv6 wrapping IPv4: judged by the IPv4 address inside
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['[::ffff:169.254.169.254]', 'link-local'],
  ['::ffff:a9fe:a9fe', 'link-local'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:192.168.1.1', 'private'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::ffff:8.8.8.8', 'public'],
  ['0:0:0:0:0:ffff:808:808', 'public'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::10.0.0.1', 'private'],
  ['64:ff9b::8.8.8.8', 'public'],
  ['64:ff9b:1::1', 'private'],
  ['2002:7f00:1::1', 'loopback'],
  ['2002:a9fe:a9fe::', 'link-local'],
  ['2002:0808:0808::1', 'public'],
  // IPv6: other special or unassigned space
  ['::127.0.0.1', 'reserved'],
  ['::2', 'reserved'],
  ['100::1', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['2001:0:4136:e378::1', 'reserved'],
  ['4000::1', 'reserved'],
  ['1::1', 'reserved'],
  // not an address
  ['localhost', null],
  ['example.com', null],
  ['', null],
  ['1.2.3', null],
  ['1.2.3.4.5', null],
  ['256.1.1.1', null],
  ['01.2.3.4', null],
  ['0x7f.0.0.1', null],
  ['1::2::3', null],
  ['1:2:3:4:5:6:7:8:9', null],
  ['1:2:3:4:5:6:7', null],
  ['12345::1', null],
  ['::ffff:1.2.3', null],
  ['1.2.3.4::', null],
  ['g::1', null],
  [':1', null],
];

describe('classifyAddress', () => {
  it.each(TABLE)('classifies %j as %s', (ip, kind) => {
    expect(classifyAddress(ip)).toBe(kind);
  });
});

describe('checkLiteralHost', () => {
  it('refuses localhost names without asking DNS', () => {
    for (const h of ['localhost', 'LOCALHOST', 'localhost.', 'api.localhost']) {
      expect(() => checkLiteralHost(h), h).toThrow(BlockedAddressError);
    }
  });
  it('refuses non-public literals, passes public ones, leaves names to DNS', () => {
    expect(() => checkLiteralHost('[::1]')).toThrow(/::1 is a loopback address/);
    expect(() => checkLiteralHost('169.254.169.254')).toThrow(/link-local/);
    expect(checkLiteralHost('[2606:4700::1]')).toEqual({ address: '2606:4700::1', family: 6 });
    expect(checkLiteralHost('8.8.4.4')).toEqual({ address: '8.8.4.4', family: 4 });
    expect(checkLiteralHost('shop.example')).toBeNull();
    expect(checkLiteralHost('localhost.shop.example')).toBeNull();
  });
});

describe('resolveTarget', () => {
  const dns =
    (answers: Record<string, string[]>): Lookup =>
    (host) => {
      const a = answers[host];
      if (!a) return Promise.reject(new Error(`getaddrinfo ENOTFOUND ${host}`));
      return Promise.resolve(
        a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) as const),
      );
    };
  const lookup = dns({
    'shop.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'inside.example': ['10.0.0.7'],
    'metadata.example': ['169.254.169.254'],
    'mixed.example': ['93.184.215.14', '127.0.0.1'],
    'mapped.example': ['::ffff:127.0.0.1'],
    'ula.example': ['fd00::5'],
  });

  it('returns the first address of a public name, to connect to', async () => {
    await expect(resolveTarget('shop.example', { allowPrivate: false, lookup })).resolves.toEqual({
      address: '93.184.215.14',
      family: 4,
    });
  });
  it('refuses a name when any of its addresses is not public', async () => {
    for (const [host, msg] of [
      ['inside.example', 'inside.example resolves to 10.0.0.7, a private network address'],
      ['metadata.example', 'resolves to 169.254.169.254, a link-local address'],
      ['mixed.example', 'resolves to 127.0.0.1, a loopback address'],
      ['mapped.example', 'resolves to ::ffff:127.0.0.1, a loopback address'],
      ['ula.example', 'resolves to fd00::5, a private network address'],
    ] as const) {
      await expect(resolveTarget(host, { allowPrivate: false, lookup }), host).rejects.toThrow(msg);
    }
  });
  it('refuses literals and localhost without a lookup', async () => {
    const never: Lookup = () => Promise.reject(new Error('lookup must not be called'));
    await expect(resolveTarget('[::1]', { allowPrivate: false, lookup: never })).rejects.toThrow(
      BlockedAddressError,
    );
    await expect(
      resolveTarget('localhost', { allowPrivate: false, lookup: never }),
    ).rejects.toThrow(BlockedAddressError);
    await expect(resolveTarget('8.8.8.8', { allowPrivate: false, lookup: never })).resolves.toEqual(
      { address: '8.8.8.8', family: 4 },
    );
  });
  it('with allowPrivate, resolves anything and checks nothing', async () => {
    await expect(resolveTarget('inside.example', { allowPrivate: true, lookup })).resolves.toEqual({
      address: '10.0.0.7',
      family: 4,
    });
    await expect(resolveTarget('[::1]', { allowPrivate: true, lookup })).resolves.toEqual({
      address: '::1',
      family: 6,
    });
  });
  it('passes lookup failures through', async () => {
    await expect(resolveTarget('nowhere.example', { allowPrivate: false, lookup })).rejects.toThrow(
      /ENOTFOUND/,
    );
  });
  it('resolves localhost with the system resolver when private targets are allowed', async () => {
    const t = await resolveTarget('localhost', { allowPrivate: true });
    expect(classifyAddress(t.address)).toBe('loopback');
  });
});
