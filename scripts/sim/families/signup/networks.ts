/**
 * Addresses sign-ups come from, beyond the IPv4 helpers of ../common: IPv6 /64 prefixes (a
 * carrier's shared /64, a subscriber's own /64, a rented /64 a bot rotates through) and random
 * interface identifiers inside them (privacy addresses change per session).
 */
import type { Random } from '../../random';

function group(random: Random): string {
  return random.int(0x10000).toString(16);
}

/** A global-unicast /64 prefix (2xxx:…), as its first four groups. */
export function ipv6Prefix(random: Random): string {
  return [(0x2000 + random.int(0x1000)).toString(16), group(random), group(random), group(random)].join(':');
}

/** A random address in the /64 `prefix` (never the all-zero interface id). */
export function ipv6In(random: Random, prefix: string): string {
  return `${prefix}:${(1 + random.int(0xffff)).toString(16)}:${group(random)}:${group(random)}:${group(random)}`;
}

/** The /64 of an address written as `ipv6In` writes it (for tests and parameters). */
export function prefix64(address: string): string {
  return address.split(':').slice(0, 4).join(':');
}
