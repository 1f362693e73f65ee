/**
 * IPv4 / IPv6 parsing into one numeric space (IPv4 is mapped into ::ffff:0:0/96), CIDR ranges and
 * the subnet an address belongs to. Pure; no dependency.
 */

export interface IpAddress {
  /** 128-bit value; IPv4 addresses are IPv4-mapped (::ffff:a.b.c.d). */
  readonly value: bigint;
  readonly version: 4 | 6;
  /** Canonical text: dotted quad for IPv4, RFC 5952 compressed lower-case for IPv6. */
  readonly text: string;
}

export interface CidrRange {
  readonly base: bigint;
  /** Prefix length in the 128-bit space. */
  readonly bits: number;
  readonly text: string;
}

const IPV4_MAPPED_BASE = 0xffffn << 32n;
const ALL_ONES_128 = (1n << 128n) - 1n;

export function parseIp(input: unknown): IpAddress | undefined {
  if (typeof input !== 'string' || input.length === 0 || input.length > 64) return undefined;
  // Zone ids (fe80::1%eth0) name an interface on the client's host; they carry no routing meaning here.
  const withoutZone = input.trim().replace(/%[0-9A-Za-z._~-]{1,32}$/, '');
  const v4 = parseIpv4(withoutZone);
  if (v4 !== undefined) return ipv4(v4);
  const v6 = parseIpv6(withoutZone);
  if (v6 === undefined) return undefined;
  if ((v6 >> 32n) === 0xffffn) return ipv4(Number(v6 & 0xffffffffn));
  return { value: v6, version: 6, text: formatIpv6(v6) };
}

function ipv4(value: number): IpAddress {
  return { value: IPV4_MAPPED_BASE | BigInt(value), version: 4, text: formatIpv4(value) };
}

function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part.startsWith('0'))) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]{2,45}$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const compressed = halves.length === 2;
  const head = parseGroups(halves[0] ?? '', !compressed);
  const tail = compressed ? parseGroups(halves[1] ?? '', true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const present = head.length + tail.length;
  if (compressed ? present > 7 : present !== 8) return undefined;
  const groups = [...head, ...new Array<number>(8 - present).fill(0), ...tail];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

/** Colon-separated 16-bit groups; a dotted quad may end the last part (::ffff:1.2.3.4). */
function parseGroups(part: string, mayEndWithIpv4: boolean): number[] | undefined {
  if (part === '') return [];
  const groups: number[] = [];
  const items = part.split(':');
  for (const [index, item] of items.entries()) {
    if (mayEndWithIpv4 && index === items.length - 1 && item.includes('.')) {
      const v4 = parseIpv4(item);
      if (v4 === undefined) return undefined;
      groups.push(v4 >>> 16, v4 & 0xffff);
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(item)) {
      groups.push(parseInt(item, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

/** Parses `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128 range). */
export function parseCidr(input: string): CidrRange | undefined {
  const [addressText, bitsText, extra] = input.trim().split('/');
  if (addressText === undefined || extra !== undefined) return undefined;
  const address = parseIp(addressText);
  if (address === undefined) return undefined;
  // The prefix length counts in the family the range is written in: ::ffff:10.0.0.0/104 is IPv6.
  const writtenAsIpv6 = addressText.includes(':');
  const maxBits = writtenAsIpv6 ? 128 : 32;
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = bitsText === undefined ? maxBits : Number(bitsText);
  if (bits > maxBits) return undefined;
  const bits128 = writtenAsIpv6 ? bits : bits + 96;
  const base = address.value & maskOf(bits128);
  return { base, bits: bits128, text: `${formatNetwork(base, writtenAsIpv6 ? 6 : 4)}/${bits}` };
}

function maskOf(bits: number): bigint {
  return bits === 0 ? 0n : (ALL_ONES_128 << BigInt(128 - bits)) & ALL_ONES_128;
}

function formatNetwork(base: bigint, version: 4 | 6): string {
  return version === 4 ? formatIpv4(Number(base & 0xffffffffn)) : formatIpv6(base);
}

export function cidrContains(range: CidrRange, address: IpAddress): boolean {
  return (address.value & maskOf(range.bits)) === range.base;
}

/** The subnet that groups neighbours for velocity: /24 for IPv4, /64 for IPv6 (one customer site). */
export function subnetOf(address: IpAddress, ipv4Bits = 24, ipv6Bits = 64): string {
  const bits = address.version === 4 ? ipv4Bits + 96 : ipv6Bits;
  const base = address.value & maskOf(bits);
  const prefix = address.version === 4 ? ipv4Bits : ipv6Bits;
  return `${formatNetwork(base, address.version)}/${prefix}`;
}
