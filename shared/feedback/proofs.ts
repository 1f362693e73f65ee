/**
 * Proven numbers: the verification feedback none of the phone providers can see under Auth0.
 *
 * A number is proven for a user when a code sent to it was used: a later MFA challenge to a number
 * the same user enrolled (the enrolment was verified, or Auth0 would not challenge it), a
 * passwordless SMS login seen by the Post-Login Action, or a log line the monitor joined. A proof
 * is only accepted for a number tollguard itself sent an OTP to recently (`sent` marker), so a
 * forged claim for a number never sent proves nothing, and it is stored for one user: another
 * user's claim on the same number does not inherit it.
 *
 * What a proof gives: the number passes range and country blocks for that user (per-number limits
 * still apply), and proofs per country are the evidence that the tenant serves a country of the
 * shipped high-risk tier (shared/rules/served-country.ts).
 */
import { countOf, countWindowKey, type CounterStore, type StoreOp } from '../store/counter-store';
import type { GuardKeys } from '../store/keys';
import { userTag } from '../store/keys';
import { windowIndex } from '../engine/window-limit';
import type { Channel } from '../engine/types';
import { verificationOps } from './conversion-counts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How long a proof lasts (renewed by every later proof of the number). */
export const PROOF_TTL_MS = 180 * DAY;
/** The window of the per-country proof count (current + previous: 30 to 60 days of evidence). */
export const COUNTRY_PROOF_WINDOW_MS = 30 * DAY;
export const RANGE_PROOF_WINDOW_MS = DAY;
/** A claimed verification must follow an OTP sent within this window (current + previous hour). */
export const SENT_WINDOW_MS = HOUR;

export interface ProvenNumber {
  e164: string;
  country: string | undefined;
  range: string;
  userId: string;
  /** The channel the verified code went by (sms when the source cannot tell). */
  channel?: Channel;
  /**
   * The verified OTP is one the conversion rule counts as sent (an enrolment, a passwordless login:
   * shared/feedback/conversion-counts.ts opensNewNumber), verified just now: it then counts as
   * verified too. A challenge's proof (its enrolment was days ago) does not.
   */
  opensNewNumber?: boolean;
}

/** The op that marks an OTP sent to a number (one of the send batch's ops). */
export function sentOp(keys: GuardKeys, e164: string, now: number): StoreOp {
  return { kind: 'count', key: keys.sent(e164), window: windowIndex(now, SENT_WINDOW_MS), ttlMs: 2 * SENT_WINDOW_MS + MINUTE };
}

/** Two gets that read the sent marker of a number without counting. */
export function sentMarkerOps(keys: GuardKeys, e164: string, now: number): StoreOp[] {
  const window = windowIndex(now, SENT_WINDOW_MS);
  return [
    { kind: 'get', key: countWindowKey(keys.sent(e164), window) },
    { kind: 'get', key: countWindowKey(keys.sent(e164), window - 1) },
  ];
}

/**
 * Two gets that read the proofs that open a country for a channel (current and previous 30-day
 * windows): for SMS every number proven there, for voice those proven by a call.
 */
export function countryProofOps(keys: GuardKeys, country: string, now: number, channel: Channel = 'sms'): StoreOp[] {
  const window = windowIndex(now, COUNTRY_PROOF_WINDOW_MS);
  const key = channel === 'voice' ? keys.countryVoiceProofs(country) : keys.countryProofs(country);
  return [
    { kind: 'get', key: countWindowKey(key, window) },
    { kind: 'get', key: countWindowKey(key, window - 1) },
  ];
}

export { countOf };

/** The proof key's value says whether the number is proven for this user. */
export function isProvenFor(stored: string | undefined, userId: string | undefined): boolean {
  return stored !== undefined && userId !== undefined && userId !== '' && stored === userTag(userId);
}

/**
 * Records a proof: the number for the user, one more proven number for its country and range, and
 * (for an OTP that opened the number) one more verified number for the conversion counts. Two requests at once (a put and a batch),
 * made once per number and user: a number already proven for the user is not recorded again by
 * the callers (so re-reading the same logs, or a repeated login, inflates nothing).
 */
export async function recordProof(store: CounterStore, keys: GuardKeys, proven: ProvenNumber, now: number): Promise<void> {
  const counts: StoreOp[] = [
    { kind: 'count', key: keys.rangeProofs(proven.range), window: windowIndex(now, RANGE_PROOF_WINDOW_MS), ttlMs: 2 * RANGE_PROOF_WINDOW_MS + MINUTE },
  ];
  if (proven.country !== undefined) {
    const countryWindow = { window: windowIndex(now, COUNTRY_PROOF_WINDOW_MS), ttlMs: 2 * COUNTRY_PROOF_WINDOW_MS + MINUTE };
    counts.push({ kind: 'count', key: keys.countryProofs(proven.country), ...countryWindow });
    if (proven.channel === 'voice') counts.push({ kind: 'count', key: keys.countryVoiceProofs(proven.country), ...countryWindow });
    if (proven.opensNewNumber === true) counts.push(...verificationOps(keys, { country: proven.country, channel: proven.channel ?? 'sms' }, now));
  }
  await Promise.all([store.put(keys.proof(proven.e164), userTag(proven.userId), PROOF_TTL_MS), store.run(now, counts)]);
}

