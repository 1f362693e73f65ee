/**
 * The twilio-lookup rule (optional, paid): a number whose Twilio line type is one an OTP never
 * needs, or whose SMS pumping risk score reaches the configured maximum, is refused. It only runs
 * for numbers every cheaper rule let through.
 */
import type { LookupPolicy } from '../config/dynamic-policy';
import type { LookupResult } from '../delivery/twilio-lookup';
import type { Finding } from '../engine/types';

export const TWILIO_LOOKUP_RULE = 'twilio-lookup';

export function checkLookup(result: LookupResult, policy: LookupPolicy): Finding | undefined {
  if (result.lineType !== undefined && policy.blockedLineTypes.has(result.lineType)) {
    return { rule: TWILIO_LOOKUP_RULE, effect: 'block', reason: `Twilio Lookup says the line type is ${result.lineType}` };
  }
  if (result.pumpingRisk !== undefined && result.pumpingRisk >= policy.maxPumpingRisk) {
    return { rule: TWILIO_LOOKUP_RULE, effect: 'block', reason: `Twilio Lookup SMS pumping risk score ${result.pumpingRisk} reaches the maximum ${policy.maxPumpingRisk}` };
  }
  return undefined;
}

export function lookupIsFresh(result: LookupResult, now: number, policy: LookupPolicy): boolean {
  const hasEveryField = policy.fields.every((field) => result.fields.split(',').includes(field));
  return hasEveryField && now - result.at < policy.cacheMs && result.at <= now + 60_000;
}
