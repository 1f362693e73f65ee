/**
 * The ip-velocity rule: OTPs per client IP and per subnet (IPv4 /24, IPv6 /64) per window. The
 * subnet limit is the wider one, so users behind one NAT are not punished for each other while a
 * bot rotating addresses inside one network still is. Allowed network zones are exempt.
 */
import type { DynamicFinding, DynamicRuleContext } from '../engine/dynamic-types';
import { overLimit } from '../engine/window-limit';

export const IP_VELOCITY_RULE = 'ip-velocity';

export function checkIpVelocity({ input, counters, policy }: DynamicRuleContext): DynamicFinding | undefined {
  const now = input.facts.now;
  const reason =
    overLimit('from this IP', counters.ip, policy.limits.ip, now) ??
    overLimit('from this subnet', counters.subnet, policy.limits.subnet, now);
  return reason === undefined ? undefined : { finding: { rule: IP_VELOCITY_RULE, effect: 'block', reason } };
}
