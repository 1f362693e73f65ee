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
/** The window of the per-user count of numbers proven as likely factors (current + previous: 90 to 180 days). */
export const LIKELY_FACTOR_WINDOW_MS = 90 * DAY;
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
  /**
   * Trusted as a likely factor (shared/engine/types.ts RecipientKind), not proven: the proof is
   * marked as one (trusted again only within its budget: shared/rules/served-country.ts), and it is
   * counted for its user and the country's budget of likely factors, never for the country's or
   * range's proofs (an inference does not show that the tenant serves a country). The monitor's
   * join of the code's use (gd_auth_succeed) later replaces it with a proof.
   */
  likelyFactor?: LikelyGrant;
}

export interface LikelyGrant {
  /** The window of GUARD_LIKELY_FACTORS, the country's budget. */
  grantWindowMs: number;
  /** The window of GUARD_LIKELY_FACTORS_TOTAL, all countries' budget (undefined: off). */
  totalWindowMs: number | undefined;
  /** The user's own likely factor, trusted again in a later login: not counted for the user again. */
  again: boolean;
  /** Store the likely proof, dated now (free resends in this login): not over another user's proof. */
  storeProof: boolean;
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

/** Two gets that read how many numbers this user's likely-factor challenges proved (90 to 180 days). */
export function likelyFactorOps(keys: GuardKeys, userId: string, now: number): StoreOp[] {
  const window = windowIndex(now, LIKELY_FACTOR_WINDOW_MS);
  return [
    { kind: 'get', key: countWindowKey(keys.userLikelyFactors(userId), window) },
    { kind: 'get', key: countWindowKey(keys.userLikelyFactors(userId), window - 1) },
  ];
}

export { countOf };

/**
 * What a proof key holds: the userTag of the user the number was proven for; for a likely
 * factor, also when it was first trusted (`<tag>.likely.<at>`), which bounds the resends of that
 * login.
 */
export function proofValue(userId: string, likelyAt?: number): string {
  const tag = userTag(userId);
  return likelyAt === undefined ? tag : `${tag}.likely.${likelyAt}`;
}

/** The proof key's value says whether the number is proven for this user (a likely factor's proof included). */
export function isProvenFor(stored: string | undefined, userId: string | undefined): boolean {
  if (stored === undefined || userId === undefined || userId === '') return false;
  const tag = userTag(userId);
  return stored === tag || stored.startsWith(`${tag}.likely.`);
}

/** Proven for this user by a code that was used (not only a likely factor's inference). */
export function isFullyProvenFor(stored: string | undefined, userId: string | undefined): boolean {
  return stored !== undefined && userId !== undefined && userId !== '' && stored === userTag(userId);
}

export interface LikelyProof {
  /** When the likely factor was first trusted. */
  at: number;
}

/** The likely factor's proof this value holds for this user, if it is one. */
export function likelyProofOf(stored: string | undefined, userId: string | undefined): LikelyProof | undefined {
  if (stored === undefined || userId === undefined || userId === '') return undefined;
  const prefix = `${userTag(userId)}.likely.`;
  if (!stored.startsWith(prefix)) return undefined;
  const at = Number(stored.slice(prefix.length));
  return Number.isSafeInteger(at) ? { at } : undefined;
}

/**
 * The codes of the login in which a likely factor was first trusted: its resends, free. Later
 * challenges to it spend the country's budget again, since logins_count (which Auth0 counts
 * before MFA, completed or not) cannot show that a code was ever used.
 */
export const LIKELY_LOGIN_MS = 10 * MINUTE;

/**
 * Records a proof: the number for the user, one more proven number for its country and range, and
 * (for an OTP that opened the number) one more verified number for the conversion counts (a likely
 * factor: recordLikelyGrant instead). Two requests at once (a put and a batch), made once per
 * number and user: a number already proven for the user is not recorded again by
 * the callers (so re-reading the same logs, or a repeated login, inflates nothing).
 */
export async function recordProof(store: CounterStore, keys: GuardKeys, proven: ProvenNumber, now: number): Promise<void> {
  if (proven.likelyFactor !== undefined) return recordLikelyGrant(store, keys, proven, proven.likelyFactor, now);
  const counts: StoreOp[] = [
    { kind: 'count', key: keys.rangeProofs(proven.range), window: windowIndex(now, RANGE_PROOF_WINDOW_MS), ttlMs: 2 * RANGE_PROOF_WINDOW_MS + MINUTE },
  ];
  if (proven.country !== undefined) {
    const countryWindow = { window: windowIndex(now, COUNTRY_PROOF_WINDOW_MS), ttlMs: 2 * COUNTRY_PROOF_WINDOW_MS + MINUTE };
    counts.push({ kind: 'count', key: keys.countryProofs(proven.country), ...countryWindow });
    if (proven.channel === 'voice') counts.push({ kind: 'count', key: keys.countryVoiceProofs(proven.country), ...countryWindow });
    if (proven.opensNewNumber === true) counts.push(...verificationOps(keys, { country: proven.country, channel: proven.channel ?? 'sms' }, now));
  }
  await Promise.all([store.put(keys.proof(proven.e164), proofValue(proven.userId), PROOF_TTL_MS), store.run(now, counts)]);
}

/**
 * A likely factor trusted: one more of the country's budget spent; a new one is also counted for
 * its user, whose next new likely factor is then not trusted. The likely proof is stored (again)
 * dated now, so that the resends of this login are free, unless the number is proven for someone
 * else. One or two requests at once.
 */
async function recordLikelyGrant(store: CounterStore, keys: GuardKeys, proven: ProvenNumber, grant: LikelyGrant, now: number): Promise<void> {
  const counts: StoreOp[] = [];
  if (proven.country !== undefined) counts.push({ kind: 'count', key: keys.countryLikelyGrants(proven.country), window: windowIndex(now, grant.grantWindowMs), ttlMs: 2 * grant.grantWindowMs + MINUTE });
  if (grant.totalWindowMs !== undefined) counts.push({ kind: 'count', key: keys.tenantLikelyGrants(), window: windowIndex(now, grant.totalWindowMs), ttlMs: 2 * grant.totalWindowMs + MINUTE });
  if (!grant.again) counts.push({ kind: 'count', key: keys.userLikelyFactors(proven.userId), window: windowIndex(now, LIKELY_FACTOR_WINDOW_MS), ttlMs: 2 * LIKELY_FACTOR_WINDOW_MS + MINUTE });
  const writes: Promise<unknown>[] = [];
  if (counts.length > 0) writes.push(store.run(now, counts));
  if (grant.storeProof) writes.push(store.put(keys.proof(proven.e164), proofValue(proven.userId, now), PROOF_TTL_MS));
  await Promise.all(writes);
}

/** The requests recordLikelyGrant makes. */
export function likelyGrantRequests(grant: LikelyGrant): number {
  return grant.storeProof ? 2 : 1;
}
