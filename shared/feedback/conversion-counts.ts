/**
 * Conversion counts per destination country and channel: the verified ÷ sent that Twilio's Fraud
 * Guard, Vonage and Prelude decide on, which no provider can see under Auth0 (Auth0 checks the
 * code), kept by tollguard itself.
 *
 * Three counters, in hour and day windows and in windows as long as the feedback's lag:
 * - `sent`: OTPs that may open a new number (opensNewNumber), counted in the decision's one
 *   batch, before the rules run, so a refusal is counted too;
 * - `refused`: those of them the decision then refused, counted by one more request made only on
 *   a refusal (a refused OTP can never be verified, and must not read as a conversion collapse);
 * - `verified`: numbers newly proven for their user by a code of such an OTP (shared/feedback/
 *   proofs.ts recordProof with opensNewNumber: the Post-Login Action's passwordless logins, the
 *   monitor's `--write-store` of completed enrolments); a challenge's later proof is not counted.
 * And one pace: `dom`, in lag-long and hour windows, every such attempt requested from inside its
 * destination country (geoip), counted by such a request in the batch (a peeked one with its
 * sent, once admitted or refused), and read by any other: what is not domestic in the pace came
 * from abroad. shared/rules/conversion.ts lets a domestic request through a collapse that requests
 * from abroad made, and renews the hold while they keep coming.
 * An OTP to a high-risk-tier country (refused by the tier unless evidence lifts it) is read, not
 * counted, in the batch, and counted as sent by one more request once it is admitted (unless its
 * number is already proven for its user: it opens nothing new): the tier's refusals, an attack's
 * flood into an unserved country, then cost no refusal count.
 * Delivered = sent − refused; verified ÷ delivered is the conversion of new numbers. The same
 * counts tenant-wide (all countries, pseudo-country ALL) give a country with no history of its own
 * a yardstick. The conversion rule (shared/rules/conversion.ts) reads them all in
 * the decision's batch; the keys live two windows, so a flood of countries cannot grow them.
 */
import type { Channel, RecipientKind } from '../engine/types';
import type { WindowCount } from '../engine/dynamic-types';
import { windowIndex } from '../engine/window-limit';
import { countOf, countWindowKey, type StoreOp, type StoreResult } from '../store/counter-store';
import type { GuardKeys } from '../store/keys';

const MINUTE = 60_000;
export const CONVERSION_HOUR_MS = 60 * MINUTE;
export const CONVERSION_DAY_MS = 24 * CONVERSION_HOUR_MS;
/** The pseudo-country of the tenant-wide counts. */
export const ALL_COUNTRIES = 'ALL';

/** One whole previous UTC day. */
export interface DayCounts {
  sent: number;
  refused: number;
  verified: number;
}

/** What the decision batch read of one country and channel. */
export interface ConversionCounts {
  /** This hour and the previous one (this OTP included). */
  sentHours: WindowCount;
  refusedHours: WindowCount;
  verifiedHours: WindowCount;
  /** This lag-long window and the previous one: OTPs whose codes may not be fed back yet. */
  sentRecent: WindowCount;
  refusedRecent: WindowCount;
  /** How far into the current lag-long window the decision is (ms), and the lag. */
  recentElapsedMs: number;
  lagMs: number;
  /** Yesterday, whole: the country and channel's own. */
  yesterday: DayCounts;
  /** Today (UTC) so far, this OTP included. */
  today: DayCounts;
  /** Voice only: the same country's SMS yesterday. */
  countrySmsYesterday?: DayCounts;
  /** Yesterday tenant-wide, this channel (and SMS, for voice). */
  tenantYesterday: DayCounts;
  tenantSmsYesterday?: DayCounts;
  /** Until when an earlier collapse holds the country and channel (0: no hold). */
  holdUntil: number;
  /** Voice only: until when the same country's SMS is held (0: no hold). */
  smsHoldUntil?: number;
  /**
   * Read mode only (a tier country's OTP): every such attempt, admitted or refused, this hour and
   * the previous one, and in the lag-long windows: the pace (sent leaves out the refused ones there).
   */
  triedHours?: WindowCount;
  triedRecent?: WindowCount;
  /**
   * The attempts requested from inside the country, in the lag-long windows (this OTP included
   * when it is one of them, ConversionScope.domestic; a peeked one is read as if counted).
   */
  domesticRecent?: WindowCount;
  /** The same, this hour and the previous one. */
  domesticHours?: WindowCount;
}

export interface ConversionScope {
  country: string;
  channel: Channel;
  /**
   * The request comes from the destination country itself (geoip): the batch counts it among the
   * country's domestic attempts (any other request reads them), whose own pace tells a collapse
   * made from abroad from one at home.
   */
  domestic?: boolean;
}

/**
 * An OTP that may be the first to a number: an enrolment (or an unknown action), or a Unified
 * Phone Experience otp_verify, even one that reads as an MFA challenge (a likely factor is an
 * inference: an attacker who drives that flow into a served country still meets the conversion
 * rule). A challenge to a confirmed factor (SendFacts.recipientIs, decided by the trigger's
 * adapter) is neither counted nor refused by the conversion rule.
 */
export function opensNewNumber(facts: { recipientIs: RecipientKind }): boolean {
  return facts.recipientIs !== 'confirmed-factor';
}

type What = 'sent' | 'refused' | 'verified' | 'tried' | 'dom';
/** h: hour, d: UTC day, f: lag-long (the feedback's own pace). */
type Span = 'h' | 'd' | 'f';

class Grid {
  constructor(private readonly keys: GuardKeys, private readonly now: number, private readonly lagMs: number) {}

  private windowMs(span: Span): number {
    return span === 'h' ? CONVERSION_HOUR_MS : span === 'd' ? CONVERSION_DAY_MS : this.lagMs;
  }

  count(country: string, channel: Channel, what: What, span: Span): StoreOp {
    const windowMs = this.windowMs(span);
    return { kind: 'count', key: this.keys.conversion(country, channel, what, span), window: windowIndex(this.now, windowMs), ttlMs: 2 * windowMs + MINUTE };
  }

  get(country: string, channel: Channel, what: What, span: Span, back: 0 | 1): StoreOp {
    return { kind: 'get', key: countWindowKey(this.keys.conversion(country, channel, what, span), windowIndex(this.now, this.windowMs(span)) - back) };
  }

  /** The current window's count, then the previous one's. */
  bothWindows(country: string, channel: Channel, what: What, span: Span): StoreOp[] {
    return [this.get(country, channel, what, span, 0), this.get(country, channel, what, span, 1)];
  }

  yesterday(country: string, channel: Channel): StoreOp[] {
    return (['sent', 'refused', 'verified'] as const).map((what) => this.get(country, channel, what, 'd', 1));
  }
}

/**
 * Counts one OTP as sent: for its country and channel (hour, lag window, day) and tenant-wide
 * (day), and among the domestic attempts if it is one (a peeked OTP's, counted once admitted or
 * refused; the batch counts the others').
 */
export function sentOps(keys: GuardKeys, scope: ConversionScope, now: number, lagMs: number): StoreOp[] {
  const grid = new Grid(keys, now, lagMs);
  const { country, channel } = scope;
  const ops = [grid.count(country, channel, 'sent', 'h'), grid.count(country, channel, 'sent', 'f'), grid.count(country, channel, 'sent', 'd'), grid.count(ALL_COUNTRIES, channel, 'sent', 'd')];
  if (scope.domestic === true) ops.push(...domesticCounts(grid, country, channel));
  return ops;
}

/**
 * How the batch treats this OTP's `sent`: `count` it there (an OTP no static rule refuses); only
 * `read` the counts (a tier country's: counted by sentOps once admitted), counting the attempt apart
 * for the pace; or `peek` at them, counting nothing (a likely factor elsewhere, on the Unified
 * Phone Experience: counted by sentOps once admitted, unless its number is proven by then, since a
 * proven factor's every later login opens no new number and is never verified again; refused, it
 * is counted as sent and refused in one request, as a counted OTP's refusal is).
 */
export type SentMode = 'count' | 'read' | 'peek';

/** The sent section's length in the batch, per mode. */
const SENT_OPS: Readonly<Record<SentMode, number>> = { count: 4, read: 9, peek: 7 };

/**
 * The decision batch's ops, always in this order: the sent counts (counted: 4 ops; read: 7 gets
 * and the attempts counted, 2 ops; peeked: the 7 gets), then the rest, and the hold of an earlier
 * collapse, then the domestic attempts (lag-long and hour windows): counted by a domestic request
 * (2 ops), read by any other and by a peeked one (4; counted with its sent). 19 or 21 ops
 * counted, 24 or 26 read, 24 peeked; voice reads SMS yesterdays and the SMS hold too, 7 more.
 */
export function conversionOps(keys: GuardKeys, scope: ConversionScope, now: number, lagMs: number, mode: SentMode = 'count'): StoreOp[] {
  const grid = new Grid(keys, now, lagMs);
  const { country, channel } = scope;
  const reads = [
    ...grid.bothWindows(country, channel, 'sent', 'h'),
    ...grid.bothWindows(country, channel, 'sent', 'f'),
    ...grid.bothWindows(country, channel, 'sent', 'd'),
    grid.get(ALL_COUNTRIES, channel, 'sent', 'd', 1),
  ];
  const sent: StoreOp[] =
    mode === 'count' ? sentOps(keys, { country, channel }, now, lagMs) : mode === 'peek' ? reads : [...reads, grid.count(country, channel, 'tried', 'h'), grid.count(country, channel, 'tried', 'f')];
  const ops: StoreOp[] = [
    ...sent,
    ...grid.bothWindows(country, channel, 'refused', 'h'),
    ...grid.bothWindows(country, channel, 'refused', 'f'),
    ...grid.bothWindows(country, channel, 'verified', 'h'),
    // Yesterday's and today's sent are the day count's two windows: only refused and verified are read.
    grid.get(country, channel, 'refused', 'd', 1),
    grid.get(country, channel, 'verified', 'd', 1),
    grid.get(ALL_COUNTRIES, channel, 'refused', 'd', 1),
    grid.get(ALL_COUNTRIES, channel, 'verified', 'd', 1),
    { kind: 'get', key: keys.conversionHold(country, channel) },
    grid.get(country, channel, 'refused', 'd', 0),
    grid.get(country, channel, 'verified', 'd', 0),
  ];
  if (channel === 'voice') ops.push(...grid.yesterday(country, 'sms'), ...grid.yesterday(ALL_COUNTRIES, 'sms'), { kind: 'get', key: keys.conversionHold(country, 'sms') });
  ops.push(...(scope.domestic === true && mode !== 'peek' ? domesticCounts(grid, country, channel) : [...grid.bothWindows(country, channel, 'dom', 'f'), ...grid.bothWindows(country, channel, 'dom', 'h')]));
  return ops;
}

/** A domestic attempt, counted in the lag-long and the hour windows. */
function domesticCounts(grid: Grid, country: string, channel: Channel): StoreOp[] {
  return [grid.count(country, channel, 'dom', 'f'), grid.count(country, channel, 'dom', 'h')];
}

/**
 * A voice decision whose OTP the conversion rule does not count (refused by a static rule already,
 * or a trusted number) still asks whether its country is served by SMS (prefix-anomaly.ts): the
 * country's SMS yesterday alone, 3 reads.
 */
export function smsYesterdayOps(keys: GuardKeys, country: string, now: number, lagMs: number): StoreOp[] {
  return new Grid(keys, now, lagMs).yesterday(country, 'sms');
}

/** Reads the answers of smsYesterdayOps (its slice of the batch's results). */
export function readDayCounts(results: readonly StoreResult[]): DayCounts {
  const value = (index: number): number => {
    const result = results[index];
    return result?.kind === 'get' ? countOf(result.value) : 0;
  };
  return { sent: value(0), refused: value(1), verified: value(2) };
}

/**
 * Reads the answers of conversionOps (the same slice of the batch's results, in order). In `read`
 * and `peek` modes this OTP is added to the sent counts as if counted: it is judged as the delivery
 * it becomes if admitted.
 */
export function readConversion(results: readonly StoreResult[], now: number, lagMs: number, mode: SentMode = 'count', domestic = false): ConversionCounts {
  const value = (index: number): number => {
    const result = results[index];
    return result?.kind === 'get' ? countOf(result.value) : 0;
  };
  const counted = (index: number): WindowCount => {
    const result = results[index];
    return result?.kind === 'count' ? { current: result.current, previous: result.previous } : { current: 0, previous: 0 };
  };
  const read = (current: number, previous: number): WindowCount => ({ current: value(current) + 1, previous: value(previous) });
  // Of the tenant-wide day only yesterday is read.
  const [sentHour, sentLag, sentDay, tenantDay] = mode === 'count' ? [counted(0), counted(1), counted(2), counted(3)] : [read(0, 1), read(2, 3), read(4, 5), { current: 0, previous: value(6) }];
  const at = (index: number): number => value(index + SENT_OPS[mode] - SENT_OPS.count);
  const day = (first: number): DayCounts => readDayCounts(results.slice(first, first + 3));
  const rest = 13 + SENT_OPS[mode];
  const countsDomestic = domestic && mode !== 'peek';
  const domesticAt = results.length - (countsDomestic ? 2 : 4);
  const voiceExtras = domesticAt > rest;
  // Counted (two count ops), or read (four gets; a peeked domestic OTP read as if counted).
  const domesticWindows = (span: 0 | 1): WindowCount =>
    countsDomestic ? counted(domesticAt + span) : { current: value(domesticAt + 2 * span) + (domestic ? 1 : 0), previous: value(domesticAt + 2 * span + 1) };
  return {
    sentHours: sentHour,
    sentRecent: sentLag,
    refusedHours: { current: at(4), previous: at(5) },
    refusedRecent: { current: at(6), previous: at(7) },
    verifiedHours: { current: at(8), previous: at(9) },
    recentElapsedMs: now - windowIndex(now, lagMs) * lagMs,
    lagMs,
    yesterday: { sent: sentDay.previous, refused: at(10), verified: at(11) },
    tenantYesterday: { sent: tenantDay.previous, refused: at(12), verified: at(13) },
    holdUntil: at(14),
    today: { sent: sentDay.current, refused: at(15), verified: at(16) },
    ...(mode === 'read' ? { triedHours: counted(7), triedRecent: counted(8) } : {}),
    ...(voiceExtras ? { countrySmsYesterday: day(rest), tenantSmsYesterday: day(rest + 3), smsHoldUntil: value(rest + 6) } : {}),
    domesticRecent: domesticWindows(0),
    domesticHours: domesticWindows(1),
  };
}

/** Counts one refused OTP (made after a refusal of an OTP conversionOps counted as sent). */
export function refusalOps(keys: GuardKeys, scope: ConversionScope, now: number, lagMs: number): StoreOp[] {
  const grid = new Grid(keys, now, lagMs);
  return [
    grid.count(scope.country, scope.channel, 'refused', 'h'),
    grid.count(scope.country, scope.channel, 'refused', 'f'),
    grid.count(scope.country, scope.channel, 'refused', 'd'),
    grid.count(ALL_COUNTRIES, scope.channel, 'refused', 'd'),
  ];
}

/** Counts one newly proven number for its country and channel, and tenant-wide. */
export function verificationOps(keys: GuardKeys, scope: ConversionScope, now: number): StoreOp[] {
  const grid = new Grid(keys, now, CONVERSION_HOUR_MS);
  return [
    grid.count(scope.country, scope.channel, 'verified', 'h'),
    grid.count(scope.country, scope.channel, 'verified', 'd'),
    grid.count(ALL_COUNTRIES, scope.channel, 'verified', 'd'),
  ];
}
