/**
 * shared/net/ip.ts: IPv4 / IPv6 parsing into one 128-bit space (IPv4 mapped into ::ffff:0:0/96),
 * RFC 5952 canonical text, CIDR ranges and the velocity subnet of an address.
 */
import fc from 'fast-check';
import { cidrContains, parseCidr, parseIp, subnetOf, type IpAddress } from '../shared/net/ip';

const MAPPED = 0xffffn << 32n;
const MAX_128 = (1n << 128n) - 1n;

function ip(text: string): IpAddress {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(`test setup: ${text} should parse`);
  return parsed;
}

function dottedQuad(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

function groupsOf(value: bigint): number[] {
  return Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
}

function valueOf(groups: readonly number[]): bigint {
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

/** Full, uncompressed form: eight 4-digit hex groups. */
function fullHex(value: bigint): string {
  return groupsOf(value)
    .map((group) => group.toString(16).padStart(4, '0'))
    .join(':');
}

/** Independent RFC 5952 oracle: lower case, no leading zeros, first longest run (>= 2) of zero groups as "::". */
function rfc5952(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start += 1) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length += 1;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function isMapped(value: bigint): boolean {
  return value >> 32n === 0xffffn;
}

/** Keeps the first `bits` of `base` and takes the rest from `other`. */
function sharingPrefix(base: bigint, other: bigint, bits: number, width: 32 | 128): bigint {
  const all = (1n << BigInt(width)) - 1n;
  const mask = bits === 0 ? 0n : (all << BigInt(width - bits)) & all;
  return (base & mask) | (other & ~mask & all);
}

describe('parseIp: IPv4', () => {
  test.each([
    ['1.2.3.4', '1.2.3.4', 0x01020304],
    ['0.0.0.0', '0.0.0.0', 0],
    ['255.255.255.255', '255.255.255.255', 0xffffffff],
    ['203.0.113.77', '203.0.113.77', 0xcb00714d],
    ['  10.0.0.1\t', '10.0.0.1', 0x0a000001],
  ])('%p is version 4 with text %p', (input, text, v4) => {
    const parsed = ip(input);
    expect(parsed.version).toBe(4);
    expect(parsed.text).toBe(text);
    expect(parsed.value).toBe(MAPPED | BigInt(v4));
  });

  test.each([
    '01.2.3.4',
    '1.2.3.04',
    '00.0.0.0',
    '256.1.1.1',
    '1.2.3.256',
    '999.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '1..3.4',
    '1.2.3.',
    '.1.2.3',
    '1.2.3.-4',
    '1.2.3.4/32',
    '1.2.3.0x4',
    '１.２.３.４',
    '١.٢.٣.٤',
  ])('rejects %p', (input) => {
    expect(parseIp(input)).toBeUndefined();
  });
});

describe('parseIp: IPv6', () => {
  test.each([
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['fe80::', 'fe80::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    // An embedded dotted quad may end an IPv6 address that is not IPv4-mapped.
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['::1.2.3.4', '::102:304'],
    // "::" may stand for a single zero group on input, but RFC 5952 output never compresses one group.
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
  ])('%p is version 6 with text %p', (input, text) => {
    const parsed = ip(input);
    expect(parsed.version).toBe(6);
    expect(parsed.text).toBe(text);
  });

  test('values are the 128-bit numbers', () => {
    expect(ip('::').value).toBe(0n);
    expect(ip('::1').value).toBe(1n);
    expect(ip('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff').value).toBe(MAX_128);
    expect(ip('2001:db8::1').value).toBe((0x20010db8n << 96n) | 1n);
  });

  test('RFC 5952 text: lower case, the longest zero run compressed (the first one on a tie), single zero kept', () => {
    expect(ip('2001:DB8:0:0:1:0:0:1').text).toBe('2001:db8::1:0:0:1');
    expect(ip('2001:0:0:1:0:0:0:1').text).toBe('2001:0:0:1::1');
    expect(ip('2001:db8:0:1:1:1:1:1').text).toBe('2001:db8:0:1:1:1:1:1');
    expect(ip('2001:db8:0000:1:1:1:1:1').text).toBe('2001:db8:0:1:1:1:1:1');
    expect(ip('ABCD:EF01:2345:6789:ABCD:EF01:2345:6789').text).toBe('abcd:ef01:2345:6789:abcd:ef01:2345:6789');
  });

  test.each([
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['0:0:0:0:0:ffff:1.2.3.4', '1.2.3.4'],
    ['::ffff:102:304', '1.2.3.4'],
    ['0000:0000:0000:0000:0000:ffff:cb00:714d', '203.0.113.77'],
  ])('IPv4-mapped %p becomes IPv4 %p', (input, text) => {
    const parsed = ip(input);
    expect(parsed.version).toBe(4);
    expect(parsed.text).toBe(text);
    expect(parsed.value).toBe(ip(text).value);
  });

  test('a zone id is stripped', () => {
    expect(ip('fe80::1%eth0')).toEqual(ip('fe80::1'));
    expect(ip('fe80::1%25')).toEqual(ip('fe80::1'));
    expect(ip('fe80::1%eth0').text).toBe('fe80::1');
    expect(parseIp('fe80::1%')).toBeUndefined();
    expect(parseIp('%eth0')).toBeUndefined();
  });

  test.each([
    ':::',
    '1::2::3',
    '::1::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1::2:3:4:5:6:7:8',
    'g::1',
    '12345::1',
    ':1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:',
    ':',
    '1.2.3.4::',
    '::ffff:1.2.3.4:5',
    '::ffff:01.2.3.4',
    '::ffff:1.2.3.256',
    '::1.2.3',
    '2001:db8::1 x',
    '[2001:db8::1]',
    '2001:db8::/32',
  ])('rejects %p', (input) => {
    expect(parseIp(input)).toBeUndefined();
  });

  test.each([[''], ['   '], ['a'.repeat(65)], [' '.repeat(58) + '1.2.3.4'], [5], [null], [undefined], [{}], [['1.2.3.4']], [0x01020304n]])(
    'rejects %p',
    (input) => {
      expect(parseIp(input)).toBeUndefined();
    },
  );

  test('64 characters is the longest input accepted', () => {
    const padded = ' '.repeat(57) + '1.2.3.4';
    expect(padded).toHaveLength(64);
    expect(ip(padded).text).toBe('1.2.3.4');
  });
});

describe('parseCidr and cidrContains', () => {
  test('10.0.0.0/8', () => {
    const range = parseCidr('10.0.0.0/8')!;
    expect(range).toEqual({ base: ip('10.0.0.0').value, bits: 104, text: '10.0.0.0/8' });
    expect(cidrContains(range, ip('10.255.1.2'))).toBe(true);
    expect(cidrContains(range, ip('10.0.0.0'))).toBe(true);
    expect(cidrContains(range, ip('::ffff:10.9.9.9'))).toBe(true);
    expect(cidrContains(range, ip('11.0.0.1'))).toBe(false);
    expect(cidrContains(range, ip('9.255.255.255'))).toBe(false);
    expect(cidrContains(range, ip('::a00:1'))).toBe(false);
  });

  test('0.0.0.0/0 is ::ffff:0:0/96: every IPv4 address and no IPv6 one', () => {
    const range = parseCidr('0.0.0.0/0')!;
    expect(range.bits).toBe(96);
    expect(range.text).toBe('0.0.0.0/0');
    for (const text of ['0.0.0.0', '1.2.3.4', '255.255.255.255']) expect(cidrContains(range, ip(text))).toBe(true);
    for (const text of ['2001:db8::1', '::', '::1', '::102:304', 'ffff::']) expect(cidrContains(range, ip(text))).toBe(false);
  });

  test('::/0 contains everything, IPv4 included', () => {
    const range = parseCidr('::/0')!;
    expect(range).toEqual({ base: 0n, bits: 0, text: '::/0' });
    for (const text of ['1.2.3.4', '2001:db8::1', '::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']) {
      expect(cidrContains(range, ip(text))).toBe(true);
    }
  });

  test('2001:db8::/32', () => {
    const range = parseCidr('2001:db8::/32')!;
    expect(range.bits).toBe(32);
    expect(range.text).toBe('2001:db8::/32');
    expect(cidrContains(range, ip('2001:db8::1'))).toBe(true);
    expect(cidrContains(range, ip('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'))).toBe(true);
    expect(cidrContains(range, ip('2001:db9::1'))).toBe(false);
    expect(cidrContains(range, ip('1.2.3.4'))).toBe(false);
  });

  test('a bare address is a /32 or a /128', () => {
    const v4 = parseCidr('192.0.2.7')!;
    expect(v4).toEqual({ base: ip('192.0.2.7').value, bits: 128, text: '192.0.2.7/32' });
    expect(cidrContains(v4, ip('192.0.2.7'))).toBe(true);
    expect(cidrContains(v4, ip('192.0.2.8'))).toBe(false);
    const v6 = parseCidr('2001:DB8::7')!;
    expect(v6).toEqual({ base: ip('2001:db8::7').value, bits: 128, text: '2001:db8::7/128' });
    expect(cidrContains(v6, ip('2001:db8::7'))).toBe(true);
    expect(cidrContains(v6, ip('2001:db8::8'))).toBe(false);
  });

  test('host bits are masked off', () => {
    expect(parseCidr('10.1.2.3/8')!.text).toBe('10.0.0.0/8');
    expect(parseCidr('10.1.2.3/8')!.base).toBe(ip('10.0.0.0').value);
    expect(parseCidr('192.168.7.200/30')!.text).toBe('192.168.7.200/30');
    expect(parseCidr('192.168.7.203/30')!.text).toBe('192.168.7.200/30');
    expect(parseCidr('2001:db8:aaaa:bbbb::1/48')!.text).toBe('2001:db8:aaaa::/48');
    expect(parseCidr(' 10.0.0.0/8 ')!.text).toBe('10.0.0.0/8');
  });

  test.each([
    '10.0.0.0/33',
    '2001:db8::/129',
    '1.2.3.4/128',
    '10.0.0.0/8/1',
    'x/8',
    '10.0.0.0/-1',
    '10.0.0.0/ 8',
    '10.0.0.0/',
    '/8',
    '',
    '10.0.0.0/8.0',
    '10.0.0.0/1000',
    '10.0.0.0/0x8',
  ])('rejects %p', (input) => {
    expect(parseCidr(input)).toBeUndefined();
  });

  // An IPv6 CIDR written over the IPv4-mapped space is valid IPv6 notation. parseCidr reads the
  // address as IPv4 and then caps the prefix length at 32, so these are refused.
  test('an IPv6 range over the IPv4-mapped space (::ffff:0:0/96, ::ffff:10.0.0.0/104) is accepted', () => {
    const all = parseCidr('::ffff:0:0/96');
    expect(all).toBeDefined();
    expect(cidrContains(all!, ip('1.2.3.4'))).toBe(true);
    expect(cidrContains(all!, ip('2001:db8::1'))).toBe(false);
    const ten = parseCidr('::ffff:10.0.0.0/104');
    expect(ten).toBeDefined();
    expect({ base: ten!.base, bits: ten!.bits }).toEqual({ base: ip('10.0.0.0').value, bits: 104 });
  });
});

describe('subnetOf', () => {
  test('IPv4 /24 by default', () => {
    expect(subnetOf(ip('203.0.113.77'))).toBe('203.0.113.0/24');
    expect(subnetOf(ip('::ffff:203.0.113.77'))).toBe('203.0.113.0/24');
    expect(subnetOf(ip('10.0.0.0'))).toBe('10.0.0.0/24');
  });

  test('IPv6 /64 by default', () => {
    expect(subnetOf(ip('2001:db8:1:2:3:4:5:6'))).toBe('2001:db8:1:2::/64');
    expect(subnetOf(ip('2001:db8::1'))).toBe('2001:db8::/64');
    expect(subnetOf(ip('::1'))).toBe('::/64');
  });

  test('other prefix lengths', () => {
    expect(subnetOf(ip('203.0.113.77'), 16)).toBe('203.0.0.0/16');
    expect(subnetOf(ip('203.0.113.77'), 32)).toBe('203.0.113.77/32');
    expect(subnetOf(ip('2001:db8:1:2:3:4:5:6'), 24, 48)).toBe('2001:db8:1::/48');
  });

  test('PROPERTY: the subnet is a canonical CIDR that contains the address', () => {
    const address = fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }).map((n) => ip(dottedQuad(n))),
      fc.bigInt({ min: 0n, max: MAX_128 }).map((n) => ip(fullHex(n))),
    );
    fc.assert(
      fc.property(address, (a) => {
        const subnet = subnetOf(a);
        const range = parseCidr(subnet);
        expect(range).toBeDefined();
        expect(range!.text).toBe(subnet);
        expect(cidrContains(range!, a)).toBe(true);
        expect(subnet.endsWith(a.version === 4 ? '/24' : '/64')).toBe(true);
      }),
    );
  });
});

describe('properties', () => {
  test('any 32-bit integer as a dotted quad parses as version 4 with the same text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const text = dottedQuad(n);
        const parsed = ip(text);
        expect(parsed.version).toBe(4);
        expect(parsed.text).toBe(text);
        expect(parsed.value).toBe(MAPPED | BigInt(n));
        expect(ip(`::ffff:${text}`)).toEqual(parsed);
      }),
    );
  });

  test('any eight 16-bit groups: the full form parses, its text is RFC 5952 and re-parses to the same value', () => {
    const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.boolean(), (groups, upper) => {
        const value = valueOf(groups);
        const full = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
        const parsed = ip(upper ? full.toUpperCase() : full);
        expect(parsed.value).toBe(value);
        expect(ip(parsed.text).value).toBe(value);
        expect(ip(parsed.text).text).toBe(parsed.text);
        if (isMapped(value)) {
          expect(parsed.version).toBe(4);
          expect(parsed.text).toBe(dottedQuad(Number(value & 0xffffffffn)));
        } else {
          expect(parsed.version).toBe(6);
          expect(parsed.text).toBe(rfc5952(groups));
        }
      }),
    );
  });

  test('an IPv4 CIDR contains its address and every address sharing its first len bits, and no other', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (n, len, other) => {
          const range = parseCidr(`${dottedQuad(n)}/${len}`);
          expect(range).toBeDefined();
          expect(cidrContains(range!, ip(dottedQuad(n)))).toBe(true);
          const neighbour = Number(sharingPrefix(BigInt(n), BigInt(other), len, 32));
          expect(cidrContains(range!, ip(dottedQuad(neighbour)))).toBe(true);
          if (len > 0) {
            const outside = (n ^ (1 << (32 - len))) >>> 0;
            expect(cidrContains(range!, ip(dottedQuad(outside)))).toBe(false);
          }
        },
      ),
    );
  });

  test('an IPv6 CIDR contains its address and every address sharing its first len bits, and no other', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_128 }).filter((n) => !isMapped(n)),
        fc.integer({ min: 0, max: 128 }),
        fc.bigInt({ min: 0n, max: MAX_128 }),
        (n, len, other) => {
          const address = ip(fullHex(n));
          const range = parseCidr(`${address.text}/${len}`);
          expect(range).toBeDefined();
          expect(cidrContains(range!, address)).toBe(true);
          expect(cidrContains(range!, ip(fullHex(sharingPrefix(n, other, len, 128))))).toBe(true);
          if (len > 0) {
            const outside = n ^ (1n << BigInt(128 - len));
            expect(cidrContains(range!, ip(fullHex(outside)))).toBe(false);
          }
        },
      ),
    );
  });

  const ipAlphabet = fc.string({
    unit: fc.constantFrom('0', '1', '9', 'a', 'f', 'F', 'g', ':', ':', '.', '%', ' ', '2', '5'),
    maxLength: 50,
  });

  test.each([
    ['fc.string()', fc.string()],
    ['full unicode strings', fc.string({ unit: 'binary' })],
    ['long strings', fc.string({ minLength: 60, maxLength: 70 })],
    ['IP-alphabet strings', ipAlphabet],
  ])('parseIp never throws on %s; any result re-parses to itself', (_name, arbitrary) => {
    fc.assert(
      fc.property(arbitrary, (input) => {
        const parsed = parseIp(input);
        if (parsed === undefined) return;
        expect([4, 6]).toContain(parsed.version);
        expect(parsed.value >= 0n && parsed.value <= MAX_128).toBe(true);
        expect(parsed.version === 4).toBe(isMapped(parsed.value));
        const again = parseIp(parsed.text);
        expect(again).toEqual(parsed);
      }),
    );
  });

  test("parseCidr never throws and any range's text re-parses to the same range", () => {
    const cidrish = fc.tuple(fc.oneof(fc.string(), fc.constantFrom('10.0.0.0', '2001:db8::', '::', '1.2.3.4')), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(cidrish, ([address, bits]) => {
        const range = parseCidr(`${address}/${bits}`);
        if (range === undefined) return;
        expect(range.bits).toBeGreaterThanOrEqual(0);
        expect(range.bits).toBeLessThanOrEqual(128);
        expect(parseCidr(range.text)).toEqual(range);
      }),
    );
  });
});
