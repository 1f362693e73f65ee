/**
 * The country-velocity rule: a fixed ceiling of OTPs per destination country per window (off by
 * default; the prefix-anomaly rule adapts to each country's own baseline instead).
 */
import type { DynamicFinding, DynamicRuleContext } from '../engine/dynamic-types';
import { overLimit } from '../engine/window-limit';
import { readWindowLimit, type WindowLimit } from '../config/dynamic-policy';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';

export const COUNTRY_VELOCITY_RULE = 'country-velocity';

export function checkCountryVelocity({ input, counters, policy }: DynamicRuleContext): DynamicFinding | undefined {
  const country = input.facts.number.country ?? 'no country';
  const reason = overLimit(`to ${country}`, counters.country, policy.limits.country, input.facts.now);
  return reason === undefined ? undefined : { finding: { rule: COUNTRY_VELOCITY_RULE, effect: 'block', reason } };
}

// Settings

export const COUNTRY_VELOCITY_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_LIMIT_COUNTRY', actions: 'send', group: 'velocity', meaning: 'Attempts per destination country (fixed ceiling)', default: 'off', example: '500/1h' },
];

export function parseCountryVelocitySettings(secrets: Secrets, errors: ConfigErrors): WindowLimit | undefined {
  return readWindowLimit(secrets, errors, 'GUARD_LIMIT_COUNTRY');
}
