import type { DynamicPolicy } from '../config/dynamic-policy';
import type { GuardKeys } from '../store/keys';
import type { UntilWrite } from '../store/counter-store';
import type { TrustTier } from '../trust';
import type { PhoneTrigger } from '../pipeline/phone-request';
import type { Finding, SendFacts } from './types';
import type { ConversionCounts, DayCounts } from '../feedback/conversion-counts';

/** What the dynamic rules know beyond the static facts. */
export interface DynamicFacts {
  /** The entry that asked (named in alerts). */
  trigger: PhoneTrigger;
  facts: SendFacts;
  /** The destination is explicitly allow-listed: number rules do not apply. */
  trustedNumber: boolean;
  /** The request comes from an allowed network zone: per-IP limits do not apply. */
  trustedNetwork: boolean;
  trust: TrustTier | undefined;
  /** The destination's number range (E.164 without its last digits), e.g. +2519123. */
  range: string;
  /** The range's parent block, ten times wider (one more digit dropped), e.g. +251912. */
  block: string;
  /** The destination country is in the shipped high-risk tier (even if exempted): a stricter prior. */
  highRiskCountry: boolean;
  /** A static rule already refuses this attempt: it costs nothing, so it does not count toward the service cap. */
  staticBlocked: boolean;
  /** A static rule refuses this attempt and no evidence can lift it (a refusal by the high-risk tier alone can be). */
  firmStaticBlock: boolean;
  /** The geo rule refuses the country only because of the shipped high-risk tier (evidence may lift it). */
  tierBlocked: boolean;
  /** Identifies one notification across the provider's retries; a replay is never counted again. */
  notificationId?: string | undefined;
}

export interface WindowCount {
  current: number;
  previous: number;
}

export interface RateCount {
  current: number;
  baseline: number;
  /** Windows of history behind the baseline. */
  windows: number;
}

/** The store's answers for one decision, by meaning. Absent = not asked (rule off or not applicable). */
export interface Counters {
  serviceLockUntil: number;
  rangeBlockedUntil: number | undefined;
  countryBlockedUntil: number | undefined;
  cachedLookup: string | undefined;
  streak: { previousAt: number | undefined; streak: number } | undefined;
  number: WindowCount | undefined;
  user: WindowCount | undefined;
  /** New numbers this user enrolled in the window (a rate op counting new streaks only). */
  userNumbers: RateCount | undefined;
  ip: WindowCount | undefined;
  subnet: WindowCount | undefined;
  country: WindowCount | undefined;
  service: WindowCount | undefined;
  range: RateCount | undefined;
  /** The parent block's new conversations (under-the-floor spreads over adjacent ranges show here). */
  block: RateCount | undefined;
  blockBlockedUntil: number | undefined;
  countryRate: RateCount | undefined;
  /** Of countryRate, the new conversations requested from another country (read only for such a request). */
  foreignRate: RateCount | undefined;
  /** The proof key of the number: the userTag it was proven for, if any (shared/feedback/proofs.ts). */
  proof: string | undefined;
  /** An enrolment OTP to this number for this user was seen in the last 7 to 14 days. */
  enrolmentSeen: boolean;
  /**
   * Numbers this user's likely-factor challenges proved in the last 90 to 180 days (read only for a
   * likely-factor challenge): past the first, a likely factor proves nothing.
   */
  likelyFactors: number | undefined;
  /**
   * Likely factors the destination country may still trust (read with likelyFactors): the least of
   * what is left of GUARD_LIKELY_FACTORS for the country and GUARD_LIKELY_FACTORS_TOTAL for all.
   */
  likelyGrantsLeft: number | undefined;
  /**
   * The trial key of the destination country and channel (read only for an OTP the high-risk tier
   * refuses, GUARD_SERVED_TRIALS on): the number on trial there and the country's proofs when it
   * was admitted (shared/rules/served-country.ts trialStanding).
   */
  trial: string | undefined;
  /** Trials all countries may still grant in the GUARD_SERVED_TRIALS window (read with trial). */
  trialsLeft: number | undefined;
  /** Numbers proven in the destination country in the last 30 to 60 days. */
  countryProofs: number | undefined;
  /** Sent, refused and verified OTPs of the destination country and channel (the conversion rule's). */
  conversion: ConversionCounts | undefined;
  /** Voice, when `conversion` is not read: the country's SMS yesterday (is it served by SMS?). */
  smsYesterday: DayCounts | undefined;
  /** All of the tenant's traffic: its history tells whether baselines have been learned yet. */
  tenantRate: RateCount | undefined;
  /** Voice only: the tenant's voice attempts (tenantRate less this is the traffic a campaign raises). */
  tenantVoiceRate: RateCount | undefined;
  /**
   * This batch replays a notification already counted (a provider's retry): no counter moved, and
   * only the standing locks and blocks were read, so no velocity or pumping rule can trip on it.
   */
  replay: boolean;
}

/** A block that must be recorded in the store, and the incident it opens if it is new. */
export interface BlockWrite extends UntilWrite {
  incident: string;
}

export interface DynamicFinding {
  finding: Finding;
  writes?: BlockWrite[];
}

export interface DynamicRuleContext {
  input: DynamicFacts;
  counters: Counters;
  policy: DynamicPolicy;
  keys: GuardKeys;
}
