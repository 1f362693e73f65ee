/**
 * The served-country rule: the shipped high-risk tier keeps a country closed until the tenant
 * demonstrably has real users there.
 *
 * Evidence is verification, nothing an attacker gets for free: numbers proven real (a code that
 * was used: an MFA challenge to a confirmed factor, a passwordless SMS login, a log line the
 * monitor joined; shared/feedback/proofs.ts). The request's country and the share of new
 * accounts are not evidence: in-country proxies and aged accounts buy both. A tier country opens
 * once GUARD_SERVED_PROOFS numbers were proven in it in the last 30 to 60 days (its voice: numbers
 * proven by a call, since SMS users do not show that a country takes calls); it is then watched
 * by the pumping rule at the high-risk floors like any served destination. A number proven for
 * this user is admitted on its own, whatever the count (the Authgear "verified claim" exception).
 * Until then the country admits new numbers on trial, one at a time per channel
 * (GUARD_SERVED_TRIALS, trialStanding): without it a market with no earlier users could never
 * show a proof, since the tier refuses every code there.
 * An admin still pins a country open (GUARD_HIGH_RISK_EXCEPTIONS) or closed
 * (GUARD_BLOCKED_COUNTRIES, never lifted); the decision line's `evidence` says what was counted.
 */
import { isUnset, parseInteger } from '../config/parsers';
import { parseWindowLimit, type WindowLimit } from '../config/dynamic-policy';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import type { Counters, DynamicFacts, DynamicFinding, DynamicRuleContext } from '../engine/dynamic-types';
import type { SendFacts } from '../engine/types';
import { isFullyProvenFor, LIKELY_LOGIN_MS, likelyProofOf } from '../feedback/proofs';
import type { DynamicPolicy } from '../config/dynamic-policy';
import { numberTag } from '../store/keys';

export const SERVED_COUNTRY_RULE = 'served-country';

/**
 * The number is proven for this user when a code to it was used:
 * - a stored proof for this user (Post-Login, the monitor's log join, an earlier challenge);
 * - the user's own profile number, which the platform marked verified (phone_verified);
 * - this very challenge, when it goes to a confirmed factor: a Send Phone Message or Okta
 *   challenge (the platform challenges only a factor confirmed with its enrolment code, also one
 *   enrolled before tollguard was installed);
 * - an otp_verify to a number the same user enrolled through tollguard earlier;
 * - a Unified Phone Experience otp_verify its adapter reads as an MFA challenge (a likely factor),
 *   for the user's first such number only, and only within GUARD_LIKELY_FACTORS per destination
 *   country, the resends of its first login aside (likelyFactorStanding): the event cannot rule
 *   out every other flow that verifies a new number, so the inference is trusted, never counted
 *   for its country, and bounded per country whatever number of accounts an attacker holds.
 * Any other otp_verify proves nothing: it may be a passwordless login to any number. Confirmed
 * factors exist only behind an enrolment the guard judged (or one from before it), so trusting
 * their challenges opens no path the enrolment gate does not already watch; per-number limits
 * still apply to them.
 */
export function numberIsProven(input: DynamicFacts, counters: Counters): boolean {
  return proofOf(input, counters) !== undefined;
}

/** What proves the number for this user, as the decision line's `evidence.proven_by` says it. */
export type ProofSource = 'stored-proof' | 'verified-profile' | 'confirmed-factor' | 'enrolment-seen' | 'likely-factor';

export function proofOf(input: DynamicFacts, counters: Counters): ProofSource | undefined {
  const { user, otpAction, recipientIs } = input.facts;
  if (isFullyProvenFor(counters.proof, user.id)) return 'stored-proof';
  const shown = eventProofOf(input.facts);
  if (shown !== undefined) return shown;
  if (user.id === undefined || user.id === '') return undefined;
  if (otpAction !== 'second-factor-authentication') return undefined;
  if (counters.enrolmentSeen) return 'enrolment-seen';
  // An inference is worth its budget only where the tier would refuse: elsewhere it would lift nothing.
  return recipientIs === 'likely-factor' && input.tierBlocked && LIKELY_TRUSTED.has(likelyFactorStanding(input, counters)) ? 'likely-factor' : undefined;
}

/**
 * Proven by a code that was used (or by the platform's own confirmation), not only by a likely
 * factor's inference: what passes range and country blocks and resend waits, and what opens
 * nothing new for the conversion counts.
 */
export function provenByUsedCode(input: DynamicFacts, counters: Counters): boolean {
  const proof = proofOf(input, counters);
  return proof !== undefined && proof !== 'likely-factor';
}

/**
 * What the event itself shows proven, with no store read: the user's phone_verified number, or a
 * challenge to a factor the user confirmed with a code. Also the voice rule's exception
 * (shared/rules/voice-access.ts). Pure.
 */
export function eventProofOf(facts: Pick<SendFacts, 'user' | 'number' | 'recipientIs'>): 'verified-profile' | 'confirmed-factor' | undefined {
  const { user, number, recipientIs } = facts;
  if (user.verifiedPhone !== undefined && user.verifiedPhone === number.e164) return 'verified-profile';
  return recipientIs === 'confirmed-factor' && user.id !== undefined && user.id !== '' ? 'confirmed-factor' : undefined;
}

/**
 * How a likely factor (not proven otherwise) stands:
 * - `same-login`: the user's likely factor, in the login that first trusted it (its resends);
 * - `trusted-again`: the user's likely factor in a later login, within the country's budget;
 * - `trusted`: the account's first likely factor, within the country's budget;
 * - `account-has-one`: another number than the account's likely factor (90 to 180 days);
 * - `country-budget-spent`: GUARD_LIKELY_FACTORS of this country, or GUARD_LIKELY_FACTORS_TOTAL
 *   of all countries, are spent in their windows;
 * - `not-read`: the counters were not read (GUARD_LIKELY_FACTORS off, a store failure).
 */
export type LikelyFactorStanding = 'same-login' | 'trusted-again' | 'trusted' | 'account-has-one' | 'country-budget-spent' | 'not-read';

const LIKELY_TRUSTED: ReadonlySet<LikelyFactorStanding> = new Set(['same-login', 'trusted-again', 'trusted']);

export function likelyFactorStanding(input: DynamicFacts, counters: Counters): LikelyFactorStanding {
  const stored = likelyProofOf(counters.proof, input.facts.user.id);
  if (stored !== undefined && input.facts.now - stored.at <= LIKELY_LOGIN_MS && input.facts.now >= stored.at) return 'same-login';
  if (counters.likelyGrantsLeft === undefined) return 'not-read';
  if (stored !== undefined) return counters.likelyGrantsLeft > 0 ? 'trusted-again' : 'country-budget-spent';
  if (counters.likelyFactors === undefined) return 'not-read';
  if (counters.likelyFactors > 0) return 'account-has-one';
  return counters.likelyGrantsLeft > 0 ? 'trusted' : 'country-budget-spent';
}

const PROOF_WORDS: Readonly<Record<ProofSource, string>> = {
  'stored-proof': 'a code to it was used',
  'verified-profile': "the user's phone_verified profile number",
  'confirmed-factor': 'a factor confirmed with its enrolment code',
  'enrolment-seen': 'an enrolment of it tollguard let through',
  'likely-factor': "an MFA challenge to the user's first phone factor",
};

export function checkServedCountry({ input, counters, policy }: DynamicRuleContext): DynamicFinding | undefined {
  const country = input.facts.number.country;
  if (!input.tierBlocked || country === undefined) return undefined;
  const proof = proofOf(input, counters);
  if (proof !== undefined) {
    return { finding: { rule: SERVED_COUNTRY_RULE, effect: 'trust', reason: `the number is proven for this user (${PROOF_WORDS[proof]}): admitted to ${country} despite the high-risk tier` } };
  }
  // For voice, only numbers proven by a call count (counters.countryProofs is read per channel):
  // a country whose users verify by SMS has not shown that it takes calls.
  const needed = policy.servedProofs;
  const proofs = counters.countryProofs ?? 0;
  const by = input.facts.channel === 'voice' ? ' by a call' : '';
  const trial = trialStanding(input, counters, policy);
  if (trial === 'granted' || trial === 'same-number') {
    return { finding: { rule: SERVED_COUNTRY_RULE, effect: 'trust', reason: `${country} is not served yet (${input.facts.channel}: ${proofs} of ${needed} numbers proven${by}): admitted on trial, one until a code is used` } };
  }
  if (needed === undefined || proofs < needed) return undefined;
  return { finding: { rule: SERVED_COUNTRY_RULE, effect: 'trust', reason: `${country} is served (${input.facts.channel}): ${proofs} numbers proven there${by} in 30-60 days (${needed} needed): the tier does not close it` } };
}

/**
 * A number on trial: how a tier country that is not served yet (fewer than GUARD_SERVED_PROOFS
 * proofs for the channel) stands for a new number nothing proves:
 * - `granted`: no number is on trial there, or the one that was has been followed by a new proof
 *   in the country (its code was used, or someone else's was): this one is admitted and goes on trial;
 * - `same-number`: this number is the one on trial (its resends, within the window);
 * - `slot-taken`: another number is on trial and no proof came since: refused;
 * - `budget-spent`: GUARD_SERVED_TRIALS trials are spent, all countries together;
 * - `low-trust`: never for a low-trust request; `not-read`: the counters were not read (a replay).
 * So a country nobody is proven in costs an attacker one message per channel and window, and no
 * more than GUARD_SERVED_TRIALS a window in all; real users of a new market are admitted one after
 * another as their codes come back, until enough proofs open the country. Undefined where no
 * trial applies (not tier-refused, already served, trials or proofs off).
 */
export type TrialStanding = 'granted' | 'same-number' | 'slot-taken' | 'budget-spent' | 'low-trust' | 'not-read';

export function trialStanding(input: DynamicFacts, counters: Counters, policy: Pick<DynamicPolicy, 'servedProofs' | 'servedTrials'>): TrialStanding | undefined {
  const needed = policy.servedProofs;
  const proofs = counters.countryProofs ?? 0;
  if (!input.tierBlocked || needed === undefined || proofs >= needed || policy.servedTrials === undefined) return undefined;
  const now = input.facts.now;
  const held = readTrialSlot(counters.trial);
  // The decision's clock, not the key's TTL, ends a trial: the window frees a slot whose code was never used.
  const slot = held !== undefined && now >= held.at && now - held.at < policy.servedTrials.windowMs ? held : undefined;
  if (slot !== undefined && slot.number === numberTag(input.facts.number.e164)) return 'same-number';
  if (input.trust === 'low') return 'low-trust';
  if (counters.trialsLeft === undefined) return 'not-read';
  if (slot !== undefined && proofs <= slot.proofs) return 'slot-taken';
  return counters.trialsLeft > 0 ? 'granted' : 'budget-spent';
}

/** What a trial key holds: the number on trial (numberTag), the country's proofs then, and when. */
export function trialSlotValue(e164: string, proofs: number, at: number): string {
  return `${numberTag(e164)}.${proofs}.${at}`;
}

function readTrialSlot(value: string | undefined): { number: string; proofs: number; at: number } | undefined {
  const [number, proofs, at] = (value ?? '').split('.').map((part, index) => (index === 0 ? part : Number(part)));
  return typeof number === 'string' && number !== '' && Number.isSafeInteger(proofs) && Number.isSafeInteger(at) ? { number, proofs: proofs as number, at: at as number } : undefined;
}

// Settings

export const SERVED_COUNTRY_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_SERVED_PROOFS', actions: 'send', group: 'static rules', meaning: 'Numbers proven (verified) in a high-risk-tier country in 30-60 days that open it, its voice counting numbers proven by a call (watched by the pumping rule); elsewhere, as many let a whole-country SMS block lapse once its surge is over; off: the tier stays closed', default: '3', example: '10' },
  { name: 'GUARD_SERVED_TRIALS', actions: 'send', group: 'static rules', meaning: 'New numbers a high-risk-tier country not served yet admits on trial, one at a time per channel (the next once a code is used there), all countries together (count/window; the window also frees a trial whose code was never used); needs the Upstash store; off: none', default: '20/1d', example: 'off' },
  { name: 'GUARD_LIKELY_FACTORS', actions: 'send', group: 'static rules', meaning: "Logins trusted past the high-risk tier on a likely factor (a Unified Phone Experience otp_verify that reads as the account's first MFA factor; its resends free), per destination country (count/window); off: none (for a tenant whose flows verify new numbers of existing accounts)", default: '3/1d', example: 'off' },
  { name: 'GUARD_LIKELY_FACTORS_TOTAL', actions: 'send', group: 'static rules', meaning: 'The same budget of likely-factor logins for all countries together (count/window), so that an attack spread over many countries of the tier gets no more; off: each country its own budget only', default: '10/1d', example: '30/1d' },
];

const DEFAULT_SERVED_TRIALS = '20/1d';
const DEFAULT_LIKELY_FACTORS = '3/1d';
const DEFAULT_LIKELY_FACTORS_TOTAL = '10/1d';

export function parseServedTrials(secrets: Secrets, errors: ConfigErrors): WindowLimit | undefined {
  return parseBudget('GUARD_SERVED_TRIALS', DEFAULT_SERVED_TRIALS, secrets, errors);
}

export function parseLikelyFactors(secrets: Secrets, errors: ConfigErrors): WindowLimit | undefined {
  return parseBudget('GUARD_LIKELY_FACTORS', DEFAULT_LIKELY_FACTORS, secrets, errors);
}

export function parseLikelyFactorsTotal(secrets: Secrets, errors: ConfigErrors): WindowLimit | undefined {
  return parseBudget('GUARD_LIKELY_FACTORS_TOTAL', DEFAULT_LIKELY_FACTORS_TOTAL, secrets, errors);
}

/** A count/window budget; a bad value is reported by name and the default kept. */
function parseBudget(name: string, fallback: string, secrets: Secrets, errors: ConfigErrors): WindowLimit | undefined {
  return errors.read(() => parseWindowLimit(name, secrets[name], fallback), parseWindowLimit(name, undefined, fallback));
}

const DEFAULT_SERVED_PROOFS = 3;

export function parseServedProofs(secrets: Secrets, errors: ConfigErrors): number | undefined {
  const raw = secrets['GUARD_SERVED_PROOFS'];
  if (!isUnset(raw) && raw.trim().toLowerCase() === 'off') return undefined;
  return errors.read(() => parseInteger('GUARD_SERVED_PROOFS', raw, DEFAULT_SERVED_PROOFS, { min: 1, max: 1_000_000 }), DEFAULT_SERVED_PROOFS);
}
