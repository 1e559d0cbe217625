/**
 * Which IP addresses the server may send requests to on a merchant's behalf (webhooks), so an
 * admin cannot point the server at itself, the private network it runs in, or the cloud
 * metadata service (server-side request forgery).
 *
 * `classifyAddress` sorts an IPv4 or IPv6 address into a kind; only `public` is allowed. IPv6
 * is public only inside global unicast (2000::/3) minus its special blocks; an IPv4 address
 * wrapped in IPv6 (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged
 * by the IPv4 address inside. `resolveTarget` resolves a host name, refuses it when any of
 * its addresses is not public, and returns the one address the caller must connect to, so a
 * second DNS answer cannot swap in another address between the check and the connection.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export type AddressKind =
  'public' | 'unspecified' | 'loopback' | 'private' | 'link-local' | 'multicast' | 'reserved';

/** Readable names of the refused kinds, for error messages. */
export const KIND_NAMES: Record<Exclude<AddressKind, 'public'>, string> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private network address',
  'link-local': 'a link-local address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

type V4Rule = readonly [base: string, bits: number, kind: AddressKind];

/** IPv4 blocks that are not public (RFC 6890 and friends). First match wins. */
const V4_RULES: readonly V4Rule[] = [
  ['0.0.0.0', 8, 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'], // includes 169.254.169.254, cloud metadata
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'reserved'], // documentation
  ['192.88.99.0', 24, 'reserved'], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'], // benchmarking
  ['198.51.100.0', 24, 'reserved'], // documentation
  ['203.0.113.0', 24, 'reserved'], // documentation
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // future use, and 255.255.255.255 broadcast
];

/** A dotted quad as an unsigned 32-bit number, or null if `s` is not one. */
function parseV4(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

const V4_TABLE = V4_RULES.map(([base, bits, kind]) => {
  const b = parseV4(base);
  if (b === null) throw new Error(`bad rule ${base}`);
  return { base: b, bits, kind };
});

function classifyV4(n: number): AddressKind {
  for (const r of V4_TABLE) {
    if (Math.floor(n / 2 ** (32 - r.bits)) === Math.floor(r.base / 2 ** (32 - r.bits))) {
      return r.kind;
    }
  }
  return 'public';
}

/** An IPv6 address (optionally with an embedded dotted quad) as a 128-bit number, or null. */
function parseV6(s: string): bigint | null {
  if (!/^[0-9a-f:.]+$/i.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string | undefined): number[] | null => {
    if (h === undefined || h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? '';
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseV4(p);
        if (v4 === null) return null;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === null || tail === null) return null;
  // a dotted quad may only end the address
  if (halves.length === 2 && halves[0]?.includes('.')) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  let n = 0n;
  for (const g of all) n = (n << 16n) | BigInt(g);
  return n;
}

function inV6(n: bigint, prefix: bigint, bits: number): boolean {
  const shift = BigInt(128 - bits);
  return n >> shift === prefix >> shift;
}

const v6 = (s: string): bigint => {
  const n = parseV6(s);
  if (n === null) throw new Error(`bad rule ${s}`);
  return n;
};
const V6_MAPPED = v6('::ffff:0:0');
const V6_NAT64 = v6('64:ff9b::');
const V6_6TO4 = v6('2002::');
const V6_RULES: readonly (readonly [bigint, number, AddressKind])[] = [
  [v6('64:ff9b:1::'), 48, 'private'], // local-use NAT64
  [v6('100::'), 64, 'reserved'], // discard-only
  [v6('2001::'), 32, 'reserved'], // Teredo
  [v6('2001:db8::'), 32, 'reserved'], // documentation
  [v6('fc00::'), 7, 'private'], // unique local
  [v6('fe80::'), 10, 'link-local'],
  [v6('fec0::'), 10, 'private'], // site-local (deprecated)
  [v6('ff00::'), 8, 'multicast'],
];
const V6_GLOBAL = v6('2000::');

function classifyV6(n: bigint): AddressKind {
  if (n === 0n) return 'unspecified';
  if (n === 1n) return 'loopback';
  if (inV6(n, V6_MAPPED, 96) || inV6(n, V6_NAT64, 96)) {
    return classifyV4(Number(n & 0xffffffffn));
  }
  if (inV6(n, V6_6TO4, 16)) {
    const inner = classifyV4(Number((n >> 80n) & 0xffffffffn));
    if (inner !== 'public') return inner;
  }
  for (const [prefix, bits, kind] of V6_RULES) if (inV6(n, prefix, bits)) return kind;
  // everything else outside global unicast (e.g. ::/96 IPv4-compatible, unassigned space)
  return inV6(n, V6_GLOBAL, 3) ? 'public' : 'reserved';
}

/**
 * The kind of an IP address (IPv4 dotted quad, or IPv6 with or without brackets and zone),
 * or null when `ip` is not an IP address.
 */
export function classifyAddress(ip: string): AddressKind | null {
  let s = ip.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const v4 = parseV4(s);
  if (v4 !== null) return classifyV4(v4);
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  const n = s.includes(':') ? parseV6(s) : null;
  return n === null ? null : classifyV6(n);
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (the system resolver, like any client). */
export type Lookup = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemLookup: Lookup = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** The host was refused: it is, or resolves to, an address that is not public. */
export class BlockedAddressError extends Error {
  readonly address: string;
  readonly kind: Exclude<AddressKind, 'public'>;
  constructor(host: string, address: string, kind: Exclude<AddressKind, 'public'>) {
    super(
      host === address
        ? `${address} is ${KIND_NAMES[kind]}`
        : `${host} resolves to ${address}, ${KIND_NAMES[kind]}`,
    );
    this.name = 'BlockedAddressError';
    this.address = address;
    this.kind = kind;
  }
}

/** A URL's hostname without IPv6 brackets or a trailing dot, lower case. */
export function bareHost(hostname: string): string {
  let h = hostname.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** `localhost` and `*.localhost` always mean this machine (RFC 6761), whatever DNS says. */
export function isLocalhostName(host: string): boolean {
  const h = bareHost(host);
  return h === 'localhost' || h.endsWith('.localhost');
}

/**
 * Checks a host without resolving it: an IP literal is classified, `localhost` names are
 * loopback. Throws BlockedAddressError when refused; returns the literal's address (or null
 * for a name that still needs resolving).
 */
export function checkLiteralHost(hostname: string): ResolvedAddress | null {
  const host = bareHost(hostname);
  if (isLocalhostName(host)) throw new BlockedAddressError(host, host, 'loopback');
  const kind = classifyAddress(host);
  if (kind === null) return null;
  if (kind !== 'public') throw new BlockedAddressError(host, host, kind);
  return { address: host, family: isIP(host) === 6 ? 6 : 4 };
}

/**
 * Resolves `hostname` to the address to connect to. Unless `allowPrivate`, every address the
 * name resolves to must be public (one private answer refuses the name: a mix is how DNS
 * rebinding hides), else BlockedAddressError. Lookup failures are thrown as they are.
 */
export async function resolveTarget(
  hostname: string,
  options: { allowPrivate: boolean; lookup?: Lookup },
): Promise<ResolvedAddress> {
  const host = bareHost(hostname);
  if (isIP(host)) {
    if (!options.allowPrivate) checkLiteralHost(host);
    return { address: host, family: isIP(host) === 6 ? 6 : 4 };
  }
  if (!options.allowPrivate && isLocalhostName(host)) {
    throw new BlockedAddressError(host, host, 'loopback');
  }
  const addresses = await (options.lookup ?? systemLookup)(host);
  const first = addresses[0];
  if (!first) throw new Error(`${host} has no address`);
  if (!options.allowPrivate) {
    for (const a of addresses) {
      const kind = classifyAddress(a.address) ?? 'reserved';
      if (kind !== 'public') throw new BlockedAddressError(host, a.address, kind);
    }
  }
  return first;
}
