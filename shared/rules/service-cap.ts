/**
 * The service-cap rule: a tenant-wide ceiling per channel. Once tripped, that channel stops for
 * the lock-out (default 24 h, as Okta does), whatever the traffic does meanwhile; the other
 * channel keeps working. Tripping it opens an incident (loud log line, alert webhook).
 */
import type { DynamicFinding, DynamicRuleContext } from '../engine/dynamic-types';
import { overLimit } from '../engine/window-limit';
import { readWindowLimit, type DynamicPolicy } from '../config/dynamic-policy';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import { parseDurationMs } from '../config/parsers';

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

// Settings

export const SERVICE_CAP_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_SERVICE_CAP_SMS', actions: 'send', group: 'velocity', meaning: 'Tenant-wide SMS ceiling; when passed, SMS stops for the lock-out', default: '5000/1h', example: '2000/1h' },
  { name: 'GUARD_SERVICE_CAP_VOICE', actions: 'send', group: 'velocity', meaning: 'Tenant-wide voice ceiling; when passed, voice stops for the lock-out', default: '500/1h', example: '100/1h' },
  { name: 'GUARD_SERVICE_CAP_LOCKOUT', actions: 'send', group: 'velocity', meaning: 'How long a tripped service cap stops its channel', default: '24h', example: '6h' },
];

const HOUR = 3_600_000;

export function parseServiceCapSettings(secrets: Secrets, errors: ConfigErrors): DynamicPolicy['serviceCap'] {
  return {
    sms: readWindowLimit(secrets, errors, 'GUARD_SERVICE_CAP_SMS'),
    voice: readWindowLimit(secrets, errors, 'GUARD_SERVICE_CAP_VOICE'),
    lockoutMs: errors.read(
      () => parseDurationMs('GUARD_SERVICE_CAP_LOCKOUT', secrets['GUARD_SERVICE_CAP_LOCKOUT'], 24 * HOUR, { minMs: 60_000, maxMs: 7 * 24 * HOUR }),
      24 * HOUR,
    ),
  };
}
