/**
 * The conversion rule: when the share of a country's delivered OTPs whose code is then used
 * collapses, pumping is under way there, whatever prefixes it is spread over; the OTPs nothing
 * proves are refused in that country and channel until conversion recovers.
 *
 * Pumped numbers never verify: nobody reads the code. So verified ÷ delivered over the last one to
 * two hours (shared/feedback/conversion-counts.ts) falls when pumping is added to a country, and
 * it falls in proportion to the pumping's share, however flat the attacker keeps each range. A
 * marketing surge raises sends and verifications together and is left alone. The yardstick is
 * the country's own conversion yesterday (whole UTC day), so a tenant that feeds back only some of
 * its verifications (say only the monitor's log join, or only passwordless logins) still compares
 * like with like; with no feedback wired at all, yesterday shows (almost) no verifications and the
 * rule stays silent rather than guessing.
 *
 * It trips when, in the last 1-2 hours, at least GUARD_CONVERSION_FLOOR delivered OTPs went
 * unverified, and the verifications are fewer than GUARD_CONVERSION_DROP of those yesterday's
 * conversion predicts, and also more than three standard deviations short of it (a quiet country
 * is not judged on a handful of codes).
 *
 * What it refuses: OTPs to numbers not proven for their user (numberIsProven) that may open a new
 * number: enrolments, and Unified Phone Experience challenges (an otp_verify may be a passwordless
 * login to any number). A Send Phone Message or Okta challenge goes to a factor the user confirmed
 * with a code, and a proven number has been verified: neither is refused here. A delivery outage
 * also collapses conversion; refusing then costs little, since those codes were not arriving.
 */
import { opensNewNumber, type ConversionCounts } from '../feedback/conversion-counts';
import type { DynamicFacts, DynamicFinding, DynamicRuleContext, Counters } from '../engine/dynamic-types';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import { isUnset, parseEnum, parseInteger, parseNumber } from '../config/parsers';
import { numberIsProven } from './served-country';

export const CONVERSION_RULE = 'conversion';

export interface ConversionPolicy {
  /** Unverified delivered OTPs (last 1-2 hours) under which the rule never refuses. */
  floor: number;
  /** Refuse when verifications fall under this share of what yesterday's conversion predicts. */
  drop: number;
}

/** Yesterday must show at least this much before its conversion is a yardstick. */
export const MIN_DELIVERED_YESTERDAY = 30;
export const MIN_VERIFIED_YESTERDAY = 10;
/** Under this, yesterday's verifications are too few to be feedback (none wired, or barely). */
export const MIN_BASE_CONVERSION = 0.1;

export type ConversionState = 'no-baseline' | 'healthy' | 'collapsed';

export interface ConversionAssessment {
  state: ConversionState;
  /** Last 1-2 hours. */
  delivered: number;
  verified: number;
  /** Yesterday's verified ÷ delivered (undefined without a baseline). */
  baseline: number | undefined;
  /** Verifications yesterday's conversion predicts for `delivered`. */
  expected: number;
}

/** Pure: the state of one country and channel from its counts. */
export function assessConversion(counts: ConversionCounts, policy: ConversionPolicy): ConversionAssessment {
  const delivered = Math.max(0, counts.sentHours.current + counts.sentHours.previous - counts.refusedHours.current - counts.refusedHours.previous);
  const verified = counts.verifiedHours.current + counts.verifiedHours.previous;
  const deliveredYesterday = Math.max(0, counts.sentYesterday - counts.refusedYesterday);
  const base = deliveredYesterday > 0 ? Math.min(1, counts.verifiedYesterday / deliveredYesterday) : 0;
  if (deliveredYesterday < MIN_DELIVERED_YESTERDAY || counts.verifiedYesterday < MIN_VERIFIED_YESTERDAY || base < MIN_BASE_CONVERSION) {
    return { state: 'no-baseline', delivered, verified, baseline: undefined, expected: 0 };
  }
  const expected = delivered * base;
  const unverified = delivered - verified;
  const collapsed = unverified >= policy.floor && verified < policy.drop * expected && verified < expected - 3 * Math.sqrt(expected);
  return { state: collapsed ? 'collapsed' : 'healthy', delivered, verified, baseline: base, expected };
}

/** Whether a collapse refuses this OTP: only one that may open a new number and that nothing proves. */
export function refusableOnCollapse(input: DynamicFacts, counters: Counters): boolean {
  return opensNewNumber(input.trigger, input.facts.otpAction) && !numberIsProven(input, counters);
}

export function checkConversion({ input, counters, policy }: DynamicRuleContext): DynamicFinding | undefined {
  const settings = policy.conversion;
  const counts = counters.conversion;
  const country = input.facts.number.country;
  if (settings === undefined || counts === undefined || country === undefined) return undefined;
  const assessment = assessConversion(counts, settings);
  if (assessment.state !== 'collapsed' || !refusableOnCollapse(input, counters)) return undefined;
  const channel = input.facts.channel;
  const percent = (share: number) => `${Math.round(share * 100)}%`;
  const now = assessment.delivered > 0 ? assessment.verified / assessment.delivered : 0;
  return {
    finding: {
      rule: CONVERSION_RULE,
      effect: 'block',
      reason:
        `conversion to ${country} (${channel}) collapsed: ${assessment.verified} of ${assessment.delivered} OTPs delivered in the last 1-2 h were verified (${percent(now)}), ` +
        `against ${percent(assessment.baseline ?? 0)} yesterday (${Math.round(assessment.expected)} expected); a number nothing proves is refused there until it recovers`,
    },
  };
}

// Settings

export const CONVERSION_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_CONVERSION', actions: 'send', group: 'pumping', meaning: 'Refuse unproven numbers in a country whose verified ÷ delivered OTPs collapses (needs verification feedback: Post-Login Action or monitor --write-store)', default: 'on', example: 'off' },
  { name: 'GUARD_CONVERSION_FLOOR', actions: 'send', group: 'pumping', meaning: 'Unverified OTPs to a country and channel in the last 1-2 hours that never trip the conversion rule', default: '15', example: '40' },
  { name: 'GUARD_CONVERSION_DROP', actions: 'send', group: 'pumping', meaning: "Trip when verifications fall under this share of what the country's conversion yesterday predicts", default: '0.5', example: '0.3' },
];

const DEFAULT_FLOOR = 15;
const DEFAULT_DROP = 0.5;

export function parseConversionSettings(secrets: Secrets, errors: ConfigErrors): ConversionPolicy | undefined {
  const toggle = secrets['GUARD_CONVERSION'];
  if (!isUnset(toggle)) {
    const word = errors.read(() => parseEnum('GUARD_CONVERSION', toggle, 'on', ['on', 'off'] as const), 'on');
    if (word === 'off') return undefined;
  }
  return {
    floor: errors.read(() => parseInteger('GUARD_CONVERSION_FLOOR', secrets['GUARD_CONVERSION_FLOOR'], DEFAULT_FLOOR, { min: 3, max: 1_000_000 }), DEFAULT_FLOOR),
    drop: errors.read(() => parseNumber('GUARD_CONVERSION_DROP', secrets['GUARD_CONVERSION_DROP'], DEFAULT_DROP, { min: 0.05, max: 0.95 }), DEFAULT_DROP),
  };
}
