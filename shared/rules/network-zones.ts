/**
 * The network-zone rule (Okta's "network zones"): requests from blocked IP ranges are refused;
 * requests from allowed ranges (offices, trusted proxies) are marked trusted, which exempts them
 * from per-IP limits. IPv4 and IPv6 ranges share one numeric space. Used by both Actions.
 */
import type { Finding, SendFacts, StaticPolicy } from '../engine/types';
import { cidrContains, type IpAddress } from '../net/ip';

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
