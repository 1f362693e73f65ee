/**
 * The network-zone rule (Okta's "network zones"): requests from blocked IP ranges are refused;
 * requests from allowed ranges (offices, trusted proxies) are marked trusted, which exempts them
 * from per-IP limits. IPv4 and IPv6 ranges share one numeric space. Used by both Actions.
 */
import { parseList, type SecretValue } from '../config/parsers';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import type { Finding, SendFacts, StaticPolicy } from '../engine/types';
import { cidrContains, parseCidr, type CidrRange, type IpAddress } from '../net/ip';

export const NETWORK_ZONE_RULE = 'network-zone';

export function checkNetworkZones(facts: SendFacts, policy: StaticPolicy): Finding | undefined {
  return checkIpZones(facts.ip, policy.network);
}

export function checkIpZones(ip: IpAddress | undefined, network: StaticPolicy['network']): Finding | undefined {
  if (ip === undefined) return undefined;
  const blocked = network.block.find((range) => cidrContains(range, ip));
  if (blocked !== undefined) {
    return { rule: NETWORK_ZONE_RULE, effect: 'block', reason: `request IP is in blocked zone ${blocked.text}` };
  }
  const allowed = network.allow.find((range) => cidrContains(range, ip));
  if (allowed !== undefined) {
    return { rule: NETWORK_ZONE_RULE, effect: 'trust', reason: `request IP is in allowed zone ${allowed.text}` };
  }
  return undefined;
}

// Settings

export const NETWORK_ZONE_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_ALLOWED_IPS', actions: 'both', group: 'static rules', meaning: 'Trusted network zones (IPv4/IPv6 CIDR): exempt from per-IP limits', default: 'none', example: '203.0.113.0/24, 2001:db8::/32' },
  { name: 'GUARD_BLOCKED_IPS', actions: 'both', group: 'static rules', meaning: 'Blocked network zones (IPv4/IPv6 CIDR)', default: 'none', example: '198.51.100.0/24' },
];

export function parseNetworkZoneSettings(secrets: Secrets, errors: ConfigErrors): StaticPolicy['network'] {
  return {
    allow: errors.read(() => parseCidrList('GUARD_ALLOWED_IPS', secrets['GUARD_ALLOWED_IPS']), []),
    block: errors.read(() => parseCidrList('GUARD_BLOCKED_IPS', secrets['GUARD_BLOCKED_IPS']), []),
  };
}

export function parseCidrList(name: string, raw: SecretValue): CidrRange[] {
  return parseList(name, raw, 'IP addresses or CIDR ranges such as 203.0.113.0/24, 2001:db8::/32', parseCidr);
}

