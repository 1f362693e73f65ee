/**
 * The network-zone rule (Okta's "network zones"): requests from blocked IP ranges are refused;
 * requests from allowed ranges (offices, trusted proxies) are marked trusted, which exempts them
 * from per-IP limits. IPv4 and IPv6 ranges share one numeric space.
 */
import type { Finding, SendFacts, StaticPolicy } from '../engine/types';
import { cidrContains } from '../net/ip';

export const NETWORK_ZONE_RULE = 'network-zone';

export function checkNetworkZones(facts: SendFacts, policy: StaticPolicy): Finding | undefined {
  const ip = facts.ip;
  if (ip === undefined) return undefined;
  const blocked = policy.network.block.find((range) => cidrContains(range, ip));
  if (blocked !== undefined) {
    return { rule: NETWORK_ZONE_RULE, effect: 'block', reason: `request IP is in blocked zone ${blocked.text}` };
  }
  const allowed = policy.network.allow.find((range) => cidrContains(range, ip));
  if (allowed !== undefined) {
    return { rule: NETWORK_ZONE_RULE, effect: 'trust', reason: `request IP is in allowed zone ${allowed.text}` };
  }
  return undefined;
}
