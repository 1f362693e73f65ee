/**
 * The twilio-lookup rule (optional, paid): a number whose Twilio line type is one an OTP never
 * needs, or whose SMS pumping risk score reaches the configured maximum, is refused. It only runs
 * for numbers every cheaper rule let through.
 */
import type { LookupPolicy } from '../config/dynamic-policy';
import type { LookupResult } from '../delivery/twilio-lookup';
import type { Finding } from '../engine/types';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import { isUnset, parseDurationMs, parseEnum, parseInteger, parseList } from '../config/parsers';

export const TWILIO_LOOKUP_RULE = 'twilio-lookup';

export function checkLookup(result: LookupResult, policy: LookupPolicy): Finding | undefined {
  if (result.lineType !== undefined && policy.blockedLineTypes.has(result.lineType)) {
    return { rule: TWILIO_LOOKUP_RULE, effect: 'block', reason: `Twilio Lookup says the line type is ${result.lineType}` };
  }
  if (result.pumpingRisk !== undefined && result.pumpingRisk >= policy.maxPumpingRisk) {
    return { rule: TWILIO_LOOKUP_RULE, effect: 'block', reason: `Twilio Lookup SMS pumping risk score ${result.pumpingRisk}, at or over ${policy.maxPumpingRisk}` };
  }
  return undefined;
}

export function lookupIsFresh(result: LookupResult, now: number, policy: LookupPolicy): boolean {
  const hasEveryField = policy.fields.every((field) => result.fields.split(',').includes(field));
  return hasEveryField && now - result.at < policy.cacheMs && result.at <= now + 60_000;
}

// Settings

export const DEFAULT_LOOKUP_BLOCKED_TYPES = ['premium', 'sharedCost', 'tollFree', 'uan', 'pager', 'voicemail', 'personal'];

export const LOOKUP_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_LOOKUP', actions: 'send', group: 'lookup', meaning: 'Twilio Lookup (paid): off, line-type, pumping-risk or both', default: 'off', example: 'both' },
  { name: 'GUARD_LOOKUP_BLOCKED_TYPES', actions: 'send', group: 'lookup', meaning: 'Twilio line types refused', default: 'premium, sharedCost, tollFree, uan, pager, voicemail, personal', example: 'premium, nonFixedVoip' },
  { name: 'GUARD_LOOKUP_MAX_RISK', actions: 'send', group: 'lookup', meaning: 'SMS pumping risk score (0-100) from which a number is refused', default: '80', example: '60' },
  { name: 'GUARD_LOOKUP_CACHE', actions: 'send', group: 'lookup', meaning: 'How long a Lookup answer is reused', default: '30d', example: '7d' },
];

const HOUR = 3_600_000;

export function parseLookupSettings(secrets: Secrets, errors: ConfigErrors): LookupPolicy | undefined {
  const mode = errors.read(
    () => parseEnum('GUARD_LOOKUP', secrets['GUARD_LOOKUP'], 'off', ['off', 'line-type', 'pumping-risk', 'both'] as const),
    'off',
  );
  if (mode === 'off') return undefined;
  const types = secrets['GUARD_LOOKUP_BLOCKED_TYPES'];
  return {
    fields: mode === 'both' ? ['line_type_intelligence', 'sms_pumping_risk'] : mode === 'line-type' ? ['line_type_intelligence'] : ['sms_pumping_risk'],
    blockedLineTypes: new Set(
      isUnset(types)
        ? DEFAULT_LOOKUP_BLOCKED_TYPES
        : errors.read(
            () => parseList('GUARD_LOOKUP_BLOCKED_TYPES', types, "Twilio line types such as premium, tollFree, nonFixedVoip", (item) => (/^[A-Za-z]{2,32}$/.test(item) ? item : undefined)),
            DEFAULT_LOOKUP_BLOCKED_TYPES,
          ),
    ),
    maxPumpingRisk: errors.read(() => parseInteger('GUARD_LOOKUP_MAX_RISK', secrets['GUARD_LOOKUP_MAX_RISK'], 80, { min: 1, max: 100 }), 80),
    cacheMs: errors.read(() => parseDurationMs('GUARD_LOOKUP_CACHE', secrets['GUARD_LOOKUP_CACHE'], 30 * 24 * HOUR, { minMs: HOUR, maxMs: 90 * 24 * HOUR }), 30 * 24 * HOUR),
  };
}

