/**
 * The pumping maths shared by the send Action (prefix-anomaly rule, online, per window of the
 * counter store) and the monitor (offline, per window of the logs): when is a count of distinct
 * numbers in a range or a country a surge, and which destinations get the lower high-risk floor.
 *
 *   threshold = max(floor, ceil(factor x baseline + 3 x sqrt(baseline)))
 *
 * The square-root term is three standard deviations of a Poisson count with that mean: a young or
 * quiet range is not flagged for ordinary noise. The floor is divided for destinations in the
 * high-risk tier (the country-risk prior): by 2 for a range, by 4 for a whole country. A count
 * above the threshold is a surge.
 */
import type { PumpingPolicy } from '../config/dynamic-policy';
import { SMS_HIGH_RISK_COUNTRIES, VOICE_EXTRA_HIGH_RISK_COUNTRIES } from '../data/high-risk-countries';
import type { Channel } from './types';

/** What a floor is divided by for a high-risk destination. */
export const HIGH_RISK_FLOOR_DIVISOR = { range: 2, country: 4 } as const;

export type SurgeScope = keyof typeof HIGH_RISK_FLOOR_DIVISOR;

/** The floors and the factor, as the Action's pumping policy holds them (GUARD_PUMPING_*). */
export type SurgeParameters = Pick<PumpingPolicy, 'rangeFloor' | 'countryFloor' | 'factor'>;

export function surgeThreshold(scope: SurgeScope, baseline: number, parameters: SurgeParameters, highRisk: boolean): number {
  const base = scope === 'range' ? parameters.rangeFloor : parameters.countryFloor;
  const floor = highRisk ? Math.ceil(base / HIGH_RISK_FLOOR_DIVISOR[scope]) : base;
  return thresholdOver(baseline, floor, parameters.factor);
}

/** max(floor, ceil(factor x baseline + 3 x sqrt(baseline))): the one surge formula (pumping, monitor, sign-up surges). */
export function thresholdOver(baseline: number, floor: number, factor: number): number {
  return Math.max(floor, Math.ceil(factor * baseline + 3 * Math.sqrt(baseline)));
}

export function isSurge(current: number, threshold: number): boolean {
  return current > threshold;
}

const SMS_TIER: ReadonlySet<string> = new Set(SMS_HIGH_RISK_COUNTRIES);
const VOICE_TIER: ReadonlySet<string> = new Set([...SMS_HIGH_RISK_COUNTRIES, ...VOICE_EXTRA_HIGH_RISK_COUNTRIES]);

/** The default high-risk tier for a channel (voice is the SMS tier and more). */
export function highRiskTier(channel: Channel): ReadonlySet<string> {
  return channel === 'voice' ? VOICE_TIER : SMS_TIER;
}
