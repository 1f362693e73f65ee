/**
 * The country-velocity rule: a fixed ceiling of OTPs per destination country per window (off by
 * default; the prefix-anomaly rule adapts to each country's own baseline instead).
 */
import type { DynamicFinding, DynamicRuleContext } from '../engine/dynamic-types';
import { overLimit } from '../engine/window-limit';

export const COUNTRY_VELOCITY_RULE = 'country-velocity';

export function checkCountryVelocity({ input, counters, policy }: DynamicRuleContext): DynamicFinding | undefined {
  const country = input.facts.number.country ?? 'no country';
  const reason = overLimit(`to ${country}`, counters.country, policy.limits.country, input.facts.now);
  return reason === undefined ? undefined : { finding: { rule: COUNTRY_VELOCITY_RULE, effect: 'block', reason } };
}
