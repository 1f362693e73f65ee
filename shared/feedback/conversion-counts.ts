/**
 * Conversion counts per destination country and channel: the verified ÷ sent that Twilio's Fraud
 * Guard, Vonage and Prelude decide on, which no provider can see under Auth0 (Auth0 checks the
 * code), kept by tollguard itself.
 *
 * Three counters, each in hour and day windows:
 * - `sent`: OTPs that may open a new number (opensNewNumber), counted in the decision's one
 *   batch, before the rules run, so a refusal is counted too;
 * - `refused`: those of them the decision then refused, counted by one more request made only on
 *   a refusal (a refused OTP can never be verified, and must not read as a conversion collapse);
 * - `verified`: numbers newly proven for their user (shared/feedback/proofs.ts recordProof: a
 *   later challenge after an enrolment, the Post-Login Action, the monitor's `--write-store`).
 * Delivered = sent − refused; verified ÷ delivered is the conversion of new numbers. The conversion rule (shared/rules/conversion.ts) reads them all in
 * the decision's batch; the keys live two windows, so a flood of countries cannot grow them.
 */
import type { Channel, OtpAction } from '../engine/types';
import type { PhoneTrigger } from '../pipeline/phone-request';
import type { WindowCount } from '../engine/dynamic-types';
import { windowIndex } from '../engine/window-limit';
import { countOf, countWindowKey, type StoreOp, type StoreResult } from '../store/counter-store';
import type { GuardKeys } from '../store/keys';

const MINUTE = 60_000;
export const CONVERSION_HOUR_MS = 60 * MINUTE;
export const CONVERSION_DAY_MS = 24 * CONVERSION_HOUR_MS;

/** What the decision batch read of one country and channel. */
export interface ConversionCounts {
  /** This hour and the previous one (this OTP included). */
  sentHours: WindowCount;
  refusedHours: WindowCount;
  verifiedHours: WindowCount;
  /** The previous UTC day, whole: the country's ordinary conversion. */
  sentYesterday: number;
  refusedYesterday: number;
  verifiedYesterday: number;
}

export interface ConversionScope {
  country: string;
  channel: Channel;
}

/** Triggers whose challenge always goes to a factor the user confirmed with a code. */
const CONFIRMED_CHALLENGE_TRIGGERS: ReadonlySet<PhoneTrigger> = new Set<PhoneTrigger>(['send-phone-message', 'okta-telephony-hook']);

/**
 * An OTP that may be the first to a number: an enrolment (or an unknown action), or a Unified
 * Phone Experience otp_verify, which may be a passwordless login to any number. A Send Phone
 * Message or Okta challenge goes to a factor its user already confirmed: never counted, never
 * refused by the conversion rule.
 */
export function opensNewNumber(trigger: PhoneTrigger, otpAction: OtpAction): boolean {
  return otpAction !== 'second-factor-authentication' || !CONFIRMED_CHALLENGE_TRIGGERS.has(trigger);
}

type Span = 'h' | 'd';

function spanMs(span: Span): number {
  return span === 'h' ? CONVERSION_HOUR_MS : CONVERSION_DAY_MS;
}

function countOp(key: string, span: Span, now: number): StoreOp {
  const windowMs = spanMs(span);
  return { kind: 'count', key, window: windowIndex(now, windowMs), ttlMs: 2 * windowMs + MINUTE };
}

function getOp(key: string, span: Span, now: number, back: 0 | 1): StoreOp {
  return { kind: 'get', key: countWindowKey(key, windowIndex(now, spanMs(span)) - back) };
}

/** The decision batch's ops: counts this OTP as sent and reads the rest (8 ops, always in this order). */
export function conversionOps(keys: GuardKeys, scope: ConversionScope, now: number): StoreOp[] {
  const key = (what: 'sent' | 'refused' | 'verified', span: Span) => keys.conversion(scope.country, scope.channel, what, span);
  return [
    countOp(key('sent', 'h'), 'h', now),
    countOp(key('sent', 'd'), 'd', now),
    getOp(key('refused', 'h'), 'h', now, 0),
    getOp(key('refused', 'h'), 'h', now, 1),
    getOp(key('refused', 'd'), 'd', now, 1),
    getOp(key('verified', 'h'), 'h', now, 0),
    getOp(key('verified', 'h'), 'h', now, 1),
    getOp(key('verified', 'd'), 'd', now, 1),
  ];
}

/** Reads the answers of conversionOps (the same slice of the batch's results, in order). */
export function readConversion(results: readonly StoreResult[]): ConversionCounts {
  const count = (index: number): WindowCount => {
    const result = results[index];
    return result?.kind === 'count' ? { current: result.current, previous: result.previous } : { current: 0, previous: 0 };
  };
  const value = (index: number): number => {
    const result = results[index];
    return result?.kind === 'get' ? countOf(result.value) : 0;
  };
  return {
    sentHours: count(0),
    sentYesterday: count(1).previous,
    refusedHours: { current: value(2), previous: value(3) },
    refusedYesterday: value(4),
    verifiedHours: { current: value(5), previous: value(6) },
    verifiedYesterday: value(7),
  };
}

/** Counts one refused OTP (made after a refusal of an OTP conversionOps counted as sent). */
export function refusalOps(keys: GuardKeys, scope: ConversionScope, now: number): StoreOp[] {
  return (['h', 'd'] as const).map((span) => countOp(keys.conversion(scope.country, scope.channel, 'refused', span), span, now));
}

/** Counts one verification (a code seen used) for the number's country and channel. */
export function verificationOps(keys: GuardKeys, scope: ConversionScope, now: number): StoreOp[] {
  return (['h', 'd'] as const).map((span) => countOp(keys.conversion(scope.country, scope.channel, 'verified', span), span, now));
}
