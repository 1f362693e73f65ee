/**
 * The ip-velocity rule: OTPs per client IP and per subnet (IPv4 /24, IPv6 /64) per window. The
 * subnet limit is the wider one, so users behind one NAT are not punished for each other while a
 * bot rotating addresses inside one network still is. Allowed network zones are exempt.
 */
import type { DynamicFinding, DynamicRuleContext } from '../engine/dynamic-types';
import { overLimit } from '../engine/window-limit';
import { readWindowLimit, type WindowLimit } from '../config/dynamic-policy';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';

export const IP_VELOCITY_RULE = 'ip-velocity';

export function checkIpVelocity({ input, counters, policy }: DynamicRuleContext): DynamicFinding | undefined {
  const now = input.facts.now;
  const reason =
    overLimit('from this IP', counters.ip, policy.limits.ip, now) ??
    overLimit('from this subnet', counters.subnet, policy.limits.subnet, now);
  return reason === undefined ? undefined : { finding: { rule: IP_VELOCITY_RULE, effect: 'block', reason } };
}

// Settings

export const IP_VELOCITY_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_LIMIT_IP', actions: 'send', group: 'velocity', meaning: 'Attempts per client IP', default: '60/1h', example: '30/1h' },
  { name: 'GUARD_LIMIT_SUBNET', actions: 'send', group: 'velocity', meaning: 'Attempts per client subnet (IPv4 /24, IPv6 /64): a ceiling only a flood reaches, since a mobile carrier puts thousands of people behind one /24 and a campaign pushes hundreds an hour through it', default: '1000/1h', example: '300/1h' },
];

export function parseIpVelocitySettings(secrets: Secrets, errors: ConfigErrors): { ip: WindowLimit | undefined; subnet: WindowLimit | undefined } {
  return { ip: readWindowLimit(secrets, errors, 'GUARD_LIMIT_IP'), subnet: readWindowLimit(secrets, errors, 'GUARD_LIMIT_SUBNET') };
}
