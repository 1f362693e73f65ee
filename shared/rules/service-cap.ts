/**
 * The service-cap rule: a tenant-wide ceiling per channel. Once tripped, that channel stops for
 * the lock-out (default 24 h, as Okta does), whatever the traffic does meanwhile; the other
 * channel keeps working. Tripping it opens an incident (loud log line, alert webhook).
 */
import type { DynamicFinding, DynamicRuleContext } from '../engine/dynamic-types';
import { overLimit } from '../engine/window-limit';

export const SERVICE_CAP_RULE = 'service-cap';

export function checkServiceCap({ input, counters, policy, keys }: DynamicRuleContext): DynamicFinding | undefined {
  const { now, channel } = input.facts;
  if (counters.serviceLockUntil > now) {
    return block(`${channel} is locked tenant-wide until ${new Date(counters.serviceLockUntil).toISOString()} (service cap tripped)`);
  }
  const reason = overLimit(`of ${channel} tenant-wide`, counters.service, policy.serviceCap[channel], now);
  if (reason === undefined) return undefined;
  const until = now + policy.serviceCap.lockoutMs;
  return {
    finding: { rule: SERVICE_CAP_RULE, effect: 'block', reason: `${reason}; ${channel} locked until ${new Date(until).toISOString()}` },
    writes: [{ key: keys.serviceLock(channel), until, ttlMs: policy.serviceCap.lockoutMs + 60_000, incident: `service cap tripped: ${channel} stopped tenant-wide (${reason})` }],
  };
}

function block(reason: string): DynamicFinding {
  return { finding: { rule: SERVICE_CAP_RULE, effect: 'block', reason } };
}
