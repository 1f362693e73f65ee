/**
 * Conversion per range and per country: OTP sends joined with the verifications that followed
 * them, verified ÷ sent, from tenant logs alone.
 *
 * The join, strongest key first (a verification converts every send it matches):
 * 1. a transaction id (passwordless `cs` → `s`, Okta send → `auth_via_mfa`): the sends of that
 *    transaction in the hour before the verification;
 * 2. the number, when the verification shows it whole (Auth0 MFA `details.authenticator` /
 *    `enrollment.phone_number`, a passwordless user name that is the phone): sends to that number
 *    in the hour before (the send Actions' own window for a claimed verification);
 * 3. the user, when the verification claims a phone factor but its number is masked or absent:
 *    that user's sends in the 10 minutes before, and only if they all went to one number (OTP codes
 *    live for minutes; two numbers in that time and the claim is ambiguous, so it proves nothing).
 * A match must agree on the user: a verification by user B of a number sent for user A, or with
 * another number than the one the transaction sent to, is unmatched. So is a phone claim with no
 * send before it. Unmatched verifications convert nothing and prove nothing; they are counted by
 * reason (a forged or partial log shows up here).
 *
 * Sends in the last hour of the data may still be verified later: they are "pending" and left out
 * of the maths. Conversion = converted ÷ (sent − pending). With no verification at all in the
 * input (a log stream without success events), conversion is not computed: zero would be a lie.
 *
 * Memory is bounded whatever the input: at most MAX_SENDS sends and MAX_VERIFICATIONS
 * verifications are kept (the rest are counted and noted), so the per-range table can never hold
 * more than MAX_SENDS ranges, and the report lists at most MAX_ROWS ranges and countries.
 */
import { maskPhoneNumber } from '../../shared/phone/mask';
import { MIN_BASE_CONVERSION, MIN_DELIVERED_YESTERDAY, MIN_VERIFIED_YESTERDAY } from '../../shared/rules/conversion';
import { rangeLabel, rangeOf } from '../../shared/phone/ranges';
import type { SendFact, VerificationFact } from './conversion-events';
import { spacedPrefix } from './phone';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const NUMBER_JOIN_MS = HOUR;
export const USER_JOIN_MS = 10 * MINUTE;
export const MAX_SENDS = 200_000;
export const MAX_VERIFICATIONS = 200_000;
export const MAX_ROWS = 100;

export interface SuspectThresholds {
  /** A range needs this many decided sends before its conversion means anything. */
  minSends: number;
  /** Conversion under this share (0..1) marks the range suspect. */
  maxConversion: number;
}

/**
 * 10 sends: a range whose legitimate users verify at Telnyx's healthy 60–80 % has about one chance
 * in ten thousand (0.4^10) of showing no verification in 10 sends; 10 %: half Telnyx's "below 20 %
 * may indicate an attack", because log joins miss some real verifications (masked numbers,
 * verifications after the data ends, flows the logs do not show), so measured conversion runs low.
 */
export const DEFAULT_SUSPECT: Readonly<SuspectThresholds> = { minSends: 10, maxConversion: 0.1 };

export type UnmatchedReason = 'never-sent' | 'other-user' | 'other-number' | 'ambiguous' | 'no-user';

/** Kept in memory only: the number a proof is written for (never in a report). */
export interface ProofCandidate {
  e164: string;
  userId: string;
  country: string | undefined;
  /** As the Action names it (`+1415555`). */
  range: string;
  /** The channel of the send the verification converted. */
  channel: 'sms' | 'voice';
  /** The verification closed an OTP the conversion rule counts (an enrolment, a passwordless login), not a challenge. */
  opensNewNumber: boolean;
}

/**
 * An MFA enrolment or a passwordless login: the OTPs the send Actions count as opening a number.
 * On the Unified Phone Experience an MFA challenge is one too (`challengesOpenNumbers`): the
 * Custom Phone Provider Action cannot tell a challenge from another otp_verify, so it counts every
 * one to a number not proven yet as sent, and the code its user then enters must count as
 * verified, or the country's conversion reads every returning user's login as a code nobody used
 * (on one simulated tenant Nigeria's yesterday read 24 % for residents who verify 86 %).
 */
function opensNewNumberOf(verification: VerificationFact, challengesOpenNumbers: boolean): boolean {
  if (verification.type === 'gd_enrollment_complete' || verification.flow === 'passwordless') return true;
  return challengesOpenNumbers && verification.flow === 'mfa';
}

export interface JoinOptions {
  /** The tenant sends its phone messages through the Custom Phone Provider Action (see opensNewNumberOf). */
  challengesOpenNumbers?: boolean;
}

export interface ConversionRow {
  key: string;
  country?: string;
  /** The E.164 prefix of a range (`+44 740012`), for a range block. */
  prefix?: string;
  sent: number;
  pending: number;
  converted: number;
  /** converted ÷ (sent − pending); undefined when nothing is decided yet. */
  conversion?: number;
  numbers: number;
  users: number;
  suspect: boolean;
}

export interface ConversionReport {
  computed: boolean;
  /** Why conversion was not computed. */
  reason?: string;
  window: { start: string; end: string };
  join: { numberWindowMs: number; userWindowMs: number };
  thresholds: SuspectThresholds;
  totals: { sent: number; pending: number; converted: number; conversion?: number; verifications: number; matched: number; unmatched: number; ignoredOutsideWindow: number };
  unmatched: Partial<Record<UnmatchedReason, number>>;
  /** Lowest conversion with enough sends first, then the rest by sends. */
  ranges: ConversionRow[];
  countries: ConversionRow[];
  suspectRanges: ConversionRow[];
  /** Numbers verified for their user (each one proof). */
  provenNumbers: { masked: string; userId: string; range: string; country?: string }[];
  /** Destination countries of the window where the data proves no number while the tenant's codes come back (unprovenCountries). */
  unprovenCountries: string[];
  notes: string[];
}

/** Collects send and verification facts, bounded. */
export class ConversionTracker {
  readonly sends: SendFact[] = [];
  readonly verifications: VerificationFact[] = [];
  droppedSends = 0;
  droppedVerifications = 0;

  constructor(private readonly limits = { sends: MAX_SENDS, verifications: MAX_VERIFICATIONS }) {}

  addSend(fact: SendFact): void {
    if (this.sends.length >= this.limits.sends) this.droppedSends += 1;
    else this.sends.push(fact);
  }

  addVerification(fact: VerificationFact): void {
    if (this.verifications.length >= this.limits.verifications) this.droppedVerifications += 1;
    else this.verifications.push(fact);
  }
}

export interface JoinResult {
  /** Indices into the sends that a verification converted. */
  converted: Set<number>;
  matched: number;
  unmatched: Partial<Record<UnmatchedReason, number>>;
  proofs: ProofCandidate[];
}

/** Pure: which sends each verification converts, which verifications match nothing, what is proven. */
export function joinVerifications(sends: readonly SendFact[], verifications: readonly VerificationFact[], options: JoinOptions = {}): JoinResult {
  const byTransaction = indexBy(sends, (send) => send.transactionId);
  const byNumber = indexBy(sends, (send) => send.number.e164);
  const byUser = indexBy(sends, (send) => send.userId);
  const converted = new Set<number>();
  const unmatched: Partial<Record<UnmatchedReason, number>> = {};
  const proofs = new Map<string, ProofCandidate>();
  let matched = 0;
  for (const verification of verifications) {
    const outcome = matchOne(verification, sends, { byTransaction, byNumber, byUser });
    if (outcome === undefined) continue;
    if (typeof outcome === 'string') {
      unmatched[outcome] = (unmatched[outcome] ?? 0) + 1;
      continue;
    }
    matched += 1;
    for (const index of outcome) converted.add(index);
    const first = sends[outcome[0] ?? -1];
    if (first !== undefined && verification.userId !== undefined) {
      const e164 = first.number.e164;
      proofs.set(`${e164}\u0000${verification.userId}`, {
        e164, userId: verification.userId, country: first.number.country, range: rangeOf(e164, first.number.callingCode), channel: first.channel,
        opensNewNumber: opensNewNumberOf(verification, options.challengesOpenNumbers === true),
      });
    }
  }
  return { converted, matched, unmatched, proofs: [...proofs.values()] };
}

interface Indexes {
  byTransaction: Map<string, number[]>;
  byNumber: Map<string, number[]>;
  byUser: Map<string, number[]>;
}

/** The sends one verification converts; a reason when it matches none; undefined when it is not a phone verification after all. */
function matchOne(verification: VerificationFact, sends: readonly SendFact[], indexes: Indexes): number[] | UnmatchedReason | undefined {
  const before = (indices: readonly number[] | undefined, windowMs: number): number[] =>
    (indices ?? []).filter((index) => {
      const send = sends[index];
      return send !== undefined && send.at <= verification.at && verification.at - send.at <= windowMs;
    });
  const sameUser = (index: number): boolean => {
    const userId = sends[index]?.userId;
    return userId === undefined || userId === verification.userId;
  };
  if (verification.userId === undefined) return verification.claim === 'phone' ? 'no-user' : undefined;

  const inTransaction = verification.transactionId === undefined ? [] : before(indexes.byTransaction.get(verification.transactionId), NUMBER_JOIN_MS);
  if (inTransaction.length > 0) {
    if (!inTransaction.every(sameUser)) return 'other-user';
    const numbers = new Set(inTransaction.map((index) => sends[index]?.number.e164));
    if (verification.number !== undefined && !numbers.has(verification.number.e164)) return 'other-number';
    if (numbers.size > 1) return 'ambiguous';
    return inTransaction;
  }
  if (verification.claim !== 'phone') return undefined;

  if (verification.number !== undefined) {
    const toNumber = before(indexes.byNumber.get(verification.number.e164), NUMBER_JOIN_MS);
    if (toNumber.length === 0) return 'never-sent';
    const mine = toNumber.filter(sameUser);
    return mine.length > 0 ? mine : 'other-user';
  }

  const recent = before(indexes.byUser.get(verification.userId), USER_JOIN_MS);
  if (recent.length === 0) return 'never-sent';
  const numbers = new Set(recent.map((index) => sends[index]?.number.e164));
  if (numbers.size > 1) return 'ambiguous';
  const [only] = numbers;
  if (verification.maskedTail !== undefined && only !== undefined && !only.endsWith(verification.maskedTail)) return 'other-number';
  return recent;
}

function indexBy(sends: readonly SendFact[], keyOf: (send: SendFact) => string | undefined): Map<string, number[]> {
  const index = new Map<string, number[]>();
  sends.forEach((send, position) => {
    const key = keyOf(send);
    if (key === undefined) return;
    let list = index.get(key);
    if (list === undefined) index.set(key, (list = []));
    list.push(position);
  });
  return index;
}

export interface ConversionOptions extends JoinOptions {
  /** The report's window: sends in (start, end] are counted. */
  start: number;
  end: number;
  thresholds: SuspectThresholds;
}

export interface ConversionOutcome {
  report: ConversionReport;
  /** What --write-store would write: proofs (with their numbers: memory only) and suspect ranges. */
  proofs: ProofCandidate[];
}

/** Pure: the conversion section of the report, and the proofs behind it. */
export function computeConversion(tracker: ConversionTracker, options: ConversionOptions): ConversionOutcome {
  const { sends, verifications } = tracker;
  const notes: string[] = [];
  if (tracker.droppedSends > 0) notes.push(`${tracker.droppedSends} send(s) beyond the first ${sends.length} were counted but not joined (memory bound)`);
  if (tracker.droppedVerifications > 0) notes.push(`${tracker.droppedVerifications} verification(s) beyond the first ${verifications.length} were not joined (memory bound)`);
  const base = {
    window: { start: iso(options.start), end: iso(options.end) },
    join: { numberWindowMs: NUMBER_JOIN_MS, userWindowMs: USER_JOIN_MS },
    thresholds: { ...options.thresholds },
  };
  const empty = { sent: 0, pending: 0, converted: 0, verifications: verifications.length, matched: 0, unmatched: 0, ignoredOutsideWindow: 0 };
  if (verifications.length === 0) {
    const reason = sends.length === 0 ? 'no OTP send with a full phone number in the input' : 'no verification event (gd_auth_succeed, gd_enrollment_complete, passwordless s, Okta auth_via_mfa) in the input';
    return { report: { computed: false, reason, ...base, totals: empty, unmatched: {}, ranges: [], countries: [], suspectRanges: [], provenNumbers: [], unprovenCountries: [], notes }, proofs: [] };
  }
  const joined = joinVerifications(sends, verifications, options);
  let newest = -Infinity;
  for (const fact of [...sends, ...verifications]) newest = Math.max(newest, fact.at);
  const pendingFrom = newest - NUMBER_JOIN_MS;

  const ranges = new Map<string, Tally>();
  const countries = new Map<string, Tally>();
  const total = new Tally();
  let outside = 0;
  sends.forEach((send, index) => {
    if (send.at <= options.start || send.at > options.end) {
      outside += 1;
      return;
    }
    const state = { pending: send.at > pendingFrom, converted: joined.converted.has(index) };
    const label = rangeLabel(send.number.e164, send.number.callingCode);
    if (label !== undefined) {
      let tally = ranges.get(label);
      if (tally === undefined) {
        ranges.set(label, (tally = new Tally()));
        tally.country = send.number.country;
        tally.prefix = spacedPrefix(rangeOf(send.number.e164, send.number.callingCode), send.number.callingCode);
      }
      tally.add(send, state);
    }
    if (send.number.country !== undefined) {
      let tally = countries.get(send.number.country);
      if (tally === undefined) countries.set(send.number.country, (tally = new Tally()));
      tally.country = send.number.country;
      tally.add(send, state);
    }
    total.add(send, state);
  });
  if (outside > 0) notes.push(`${outside} send(s) outside the window were used for the join only`);
  const rangeRows = [...ranges.entries()].map(([key, tally]) => tally.row(key, options.thresholds, true)).sort(lowestFirst(options.thresholds));
  const countryRows = [...countries.entries()].map(([key, tally]) => tally.row(key, options.thresholds, false)).sort(lowestFirst(options.thresholds));
  if (rangeRows.length > MAX_ROWS) notes.push(`${rangeRows.length} ranges; the ${MAX_ROWS} listed are the lowest conversion with enough sends, then the busiest`);
  const totalRow = total.row('all', options.thresholds, false);
  const unmatchedCount = Object.values(joined.unmatched).reduce((sum, count) => sum + (count ?? 0), 0);
  const report: ConversionReport = {
    computed: true,
    ...base,
    totals: {
      sent: totalRow.sent,
      pending: totalRow.pending,
      converted: totalRow.converted,
      ...(totalRow.conversion !== undefined ? { conversion: totalRow.conversion } : {}),
      verifications: verifications.length,
      matched: joined.matched,
      unmatched: unmatchedCount,
      ignoredOutsideWindow: outside,
    },
    unmatched: joined.unmatched,
    ranges: rangeRows.slice(0, MAX_ROWS),
    countries: countryRows.slice(0, MAX_ROWS),
    suspectRanges: rangeRows.filter((row) => row.suspect),
    provenNumbers: joined.proofs.map((proof) => ({ masked: maskPhoneNumber(proof.e164), userId: proof.userId, range: `${proof.range}${'x'.repeat(proof.e164.length - proof.range.length)}`, ...(proof.country !== undefined ? { country: proof.country } : {}) })),
    unprovenCountries: unprovenCountries([...countries.keys()], joined.proofs, totalRow),
    notes,
  };
  return { report, proofs: joined.proofs };
}

/**
 * The send Action's unproven-country test over the loaded data: a destination where not one
 * number was proven (any channel), while the tenant's codes come back, enough for a yardstick (as
 * many decided sends and verifications as the conversion rule asks of a day). Without that, an
 * absent proof says nothing (no feedback in the logs) and no country is unproven. Pure.
 */
export function unprovenCountries(countries: readonly string[], proofs: readonly { country?: string }[], total: Pick<ConversionRow, 'sent' | 'pending' | 'converted'>): string[] {
  const decided = total.sent - total.pending;
  if (decided < MIN_DELIVERED_YESTERDAY || total.converted < MIN_VERIFIED_YESTERDAY || total.converted / decided < MIN_BASE_CONVERSION) return [];
  const proven = new Set(proofs.flatMap((proof) => (proof.country === undefined ? [] : [proof.country])));
  return countries.filter((country) => !proven.has(country)).sort();
}

class Tally {
  sent = 0;
  pending = 0;
  converted = 0;
  country: string | undefined;
  prefix: string | undefined;
  private readonly numbers = new Set<string>();
  private readonly users = new Set<string>();

  add(send: SendFact, state: { pending: boolean; converted: boolean }): void {
    this.sent += 1;
    this.numbers.add(send.number.e164);
    if (send.userId !== undefined) this.users.add(send.userId);
    if (state.pending) this.pending += 1;
    else if (state.converted) this.converted += 1;
  }

  row(key: string, thresholds: SuspectThresholds, canBeSuspect: boolean): ConversionRow {
    const decided = this.sent - this.pending;
    const conversion = decided > 0 ? this.converted / decided : undefined;
    const row: ConversionRow = {
      key,
      sent: this.sent,
      pending: this.pending,
      converted: this.converted,
      numbers: this.numbers.size,
      users: this.users.size,
      suspect: canBeSuspect && conversion !== undefined && decided >= thresholds.minSends && conversion < thresholds.maxConversion,
    };
    if (conversion !== undefined) row.conversion = conversion;
    if (this.country !== undefined) row.country = this.country;
    if (this.prefix !== undefined) row.prefix = this.prefix;
    return row;
  }
}

function lowestFirst(thresholds: SuspectThresholds): (a: ConversionRow, b: ConversionRow) => number {
  const enough = (row: ConversionRow): boolean => row.sent - row.pending >= thresholds.minSends;
  return (a, b) => {
    if (enough(a) !== enough(b)) return enough(a) ? -1 : 1;
    if (enough(a) && a.conversion !== b.conversion) return (a.conversion ?? 1) - (b.conversion ?? 1);
    return b.sent - a.sent || a.key.localeCompare(b.key);
  };
}

function iso(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}
