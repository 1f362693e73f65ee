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
 * It trips when, over the last 1-2 hours, at least GUARD_CONVERSION_FLOOR delivered OTPs went
 * unverified, and the verifications are fewer than GUARD_CONVERSION_DROP of those yesterday's
 * conversion predicts, and also more than three standard deviations short of it (a quiet country
 * is not judged on a handful of codes); and while OTPs keep coming faster than the country's
 * ordinary pace (twice the pumping rule's baseline of new conversations there, or yesterday's mean
 * without it), so that it stops soon after the attack does. OTPs of the last one to two
 * GUARD_CONVERSION_LAG (the feedback's own delay: a monitor's cadence, a code's entry) are not
 * judged yet: their codes may not be back, and a surge's first minutes must not look like a
 * collapse. A collapse holds the country for HOLD_MS while OTPs keep coming. A country with no yesterday of its own is measured against the tenant's whole traffic
 * (voice against SMS when calls are too few to be a yardstick).
 *
 * A country of the shipped high-risk tier that its proofs opened (served-country.ts) is judged over
 * today too (the UTC day so far, assessToday): an attacker who knows the floor feeds such a
 * country a few numbers an hour, under the hour's floor and under the pumping rule's high-risk
 * floors, and its real users are too few for an hour to show anything. Today's conversion then
 * trips by the same test, while the last two hours bring OTPs faster than twice the usual pace (the
 * slower of the pumping rule's baseline and yesterday's mean: the baseline learns a long trickle);
 * so an attack there gets at most about the country's own real traffic before it is refused.
 * Tier countries alone: pumping pays there, and elsewhere real volume makes the hour enough. Judging
 * countries the tenant barely serves over the day too caught a trickle of calls under the voice
 * floor (seed 3 of human-mimic: 92.7 to 94.8 % blocked) but refused more rare-country residents
 * during attacks (0.85 to 1.12 % at worst on the legacy trigger, 0.99 to 1.61 % on the Unified
 * Phone Experience): a morning attack's fall held the day's later real users there. Not kept.
 *
 * A collapse that requests from abroad made spares the country's own: an OTP requested from inside
 * its destination country (geoip) passes while the domestic requests alone come no faster than
 * the same twice the usual pace. Proxies abroad then hurt no resident; an attacker who moves his
 * requests inside the country makes the domestic pace itself surge, and is held as before; one who
 * keeps his domestic share under that pace gets no more than the same domestic trickle would get
 * with no foreign flood beside it (it would not be `ongoing`, and never held). While requests from
 * abroad alone keep coming that fast, and new numbers too (newNumbersSurge), they also renew the
 * hold: without it the hold lapsed an hour after the collapse last showed, and the attack's next
 * batch went out until the counts showed it again. Residents' retries, exempt, no longer make up a
 * held country's pace, and no retry is a new number. Tier countries get no such exemption: their
 * fall over the day (assessToday) judges a trickle, and a refused flood from abroad beside it must
 * not lift that.
 *
 * A surge from abroad is held before its conversion can be judged (foreignSurge, below): its codes
 * are younger than the lag for the first one to two lags, and a flood of a thousand an hour from
 * proxies abroad passed a thousand codes in that time.
 *
 * A hold measures itself with probes from inside the country, and lifts for requests from inside
 * once they convert again (PROBES_PER_LAG, below).
 *
 * What it refuses: OTPs to numbers not proven for their user (numberIsProven) that may open a new
 * number: enrolments, and Unified Phone Experience challenges (an otp_verify may be a passwordless
 * login to any number). A Send Phone Message or Okta challenge goes to a factor the user confirmed
 * with a code, and a proven number has been verified: neither is refused here. A delivery outage
 * also collapses conversion; refusing then costs little, since those codes were not arriving.
 */
import { createHash } from 'node:crypto';
import { CONVERSION_DAY_MS, CONVERSION_HOUR_MS, opensNewNumber, type ConversionCounts, type DayCounts } from '../feedback/conversion-counts';
import type { DynamicFacts, DynamicFinding, DynamicRuleContext, Counters, WindowCount } from '../engine/dynamic-types';
import type { Channel } from '../engine/types';
import { thresholdOver } from '../engine/surge-threshold';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import { windowIndex } from '../engine/window-limit';
import { formatDuration, isUnset, parseDurationMs, parseEnum, parseInteger, parseNumber } from '../config/parsers';
import { numberIsProven } from './served-country';

export const CONVERSION_RULE = 'conversion';

export interface ConversionPolicy {
  /** Unverified delivered OTPs (last 1-2 hours) under which the rule never refuses. */
  floor: number;
  /** Refuse when verifications fall under this share of what yesterday's conversion predicts. */
  drop: number;
  /** How long verifications take to come back (OTPs younger than this are not judged yet). */
  lagMs: number;
  /** One in this many of the OTPs a hold refuses from inside the country is a probe (0: none). */
  probeOneIn: number;
}

/** Yesterday must show at least this much before its conversion is a yardstick. */
export const MIN_DELIVERED_YESTERDAY = 30;
export const MIN_VERIFIED_YESTERDAY = 10;
/** Under this, yesterday's verifications are too few to be feedback (none wired, or barely). */
export const MIN_BASE_CONVERSION = 0.1;
/** OTPs keep coming: more in the last lag than this many times the usual pace, and at least ONGOING_MIN. */
export const ONGOING_FACTOR = 2;
export const ONGOING_MIN = 3;

/** How long a collapse holds its country and channel closed to unproven numbers, while OTPs keep coming. */
export const HOLD_MS = 60 * 60_000;

/**
 * A collapse that comes back within REPEAT_WINDOW_MS of the end of the last hold is the same
 * attack again, not a new one: it holds for REPEAT_HOLD_MS. The hold key outlives its hold by the
 * repeat window so that the next collapse can read when the last one ended.
 */
export const REPEAT_WINDOW_MS = 2 * 60 * 60_000;
export const REPEAT_HOLD_MS = 4 * 60 * 60_000;

/** How long a collapse seen now holds: longer when it returns soon after a hold ran out. Pure. */
export function holdLengthMs(holdUntil: number, now: number): number {
  return holdUntil > 0 && holdUntil <= now && now - holdUntil < REPEAT_WINDOW_MS ? REPEAT_HOLD_MS : HOLD_MS;
}

/**
 * A hold measures itself. Refused codes never come back, so a held country's conversion cannot
 * show that the OTPs still coming are now a campaign's real users (they convert) and no longer
 * the attack (it does not). One in GUARD_CONVERSION_PROBES (40; 0: none, and no recovery) of the
 * refusable OTPs requested from inside the country is admitted as a probe, at most PROBES_PER_LAG delivered in a lag-long window: an
 * attack feeding the hold from inside gets a fortieth of its attempts, at most about 36 an hour
 * per country and channel, and one from abroad none. This hour's deliveries under a hold are
 * those probes. Once PROBE_MIN of them were delivered and their codes came back at
 * GUARD_CONVERSION_DROP of the yardstick or better, the country has recovered: the hold lifts
 * for requests from inside it (and stays lifted into the next hour, on the last hour and this
 * one together, while the new one is too young to judge). A campaign at home passes again;
 * requests from abroad stay held, or an attack from abroad beside the campaign would pass with
 * it. Only while the domestic pace itself surges: under a collapse made from abroad the
 * residents pass, and their healthy codes would read as a recovery the attack never made.
 */
export const PROBES_PER_LAG = 6;
export const PROBE_MIN = 8;

/** Pure: whether this OTP is drawn as one in `oneIn` (the millisecond of the request decides, not the attacker; 0: never). */
export function probeDrawn(e164: string, now: number, oneIn: number): boolean {
  return oneIn > 0 && createHash('sha256').update(`${e164}@${now}`).digest().readUInt32BE(0) % oneIn === 0;
}

/**
 * collapsed: conversion fell and OTPs keep coming. held: an earlier collapse holds the country
 * while OTPs keep coming (refused OTPs are never verified, so the ratio of what is still delivered
 * no longer shows the attack). subsided: conversion fell but OTPs no longer come faster than usual.
 */
export type ConversionState = 'no-baseline' | 'healthy' | 'collapsed' | 'held' | 'subsided';
export type Yardstick = 'country' | 'country-sms' | 'tenant' | 'tenant-sms';

export interface ConversionAssessment {
  state: ConversionState;
  /** Delivered in the last 1-2 hours, less the last one to two lags (not judged yet). */
  delivered: number;
  verified: number;
  /** Yesterday's verified ÷ delivered (undefined without a yardstick), and whose. */
  baseline: number | undefined;
  yardstick: Yardstick | undefined;
  /** Verifications yesterday's conversion predicts for `delivered`. */
  expected: number;
  /** OTPs (refused ones included) in the last lag. */
  recent: number;
  /** They come faster than twice the usual pace (and at least ONGOING_MIN): the surge goes on. */
  ongoing: boolean;
  /**
   * The same test over the last one to two hours (the hour windows, refused attempts included): a
   * trickle too slow for one lag to show still shows there.
   */
  hoursOngoing: boolean;
  /**
   * The attempts requested from inside the country in the last lag (undefined: not read); whether
   * they alone come faster than twice the usual pace (the test of `ongoing`); and whether the rest
   * (from abroad, or of unknown geo) do too and outnumber them: the surge is made from abroad (a
   * home campaign's travellers are a few percent of it). Unread, the domestic ones are taken as
   * surging and the rest as not: no exemption, no renewal.
   */
  domesticRecent: number | undefined;
  domesticOngoing: boolean;
  /** The domestic attempts over the last one to two hours, by the test of hoursOngoing (unread: surging). */
  domesticHoursOngoing: boolean;
  foreignOngoing: boolean;
  /**
   * The probes convert again (this hour's deliveries, or the last hour's with them while this one
   * has fewer than PROBE_MIN: hourRecovered), while the domestic pace surges (read, not assumed):
   * the collapse or hold lifts for requests from inside the country; it stands for the rest.
   */
  recovered: boolean;
}

/** Yesterday's conversion, if it is enough of a yardstick. */
function conversionOf(day: DayCounts | undefined): number | undefined {
  if (day === undefined) return undefined;
  const delivered = Math.max(0, day.sent - day.refused);
  const base = delivered > 0 ? Math.min(1, day.verified / delivered) : 0;
  return delivered < MIN_DELIVERED_YESTERDAY || day.verified < MIN_VERIFIED_YESTERDAY || base < MIN_BASE_CONVERSION ? undefined : base;
}

/**
 * The destination's SMS codes that came back yesterday, enough to be a yardstick of their own: the
 * tenant serves the country by SMS (asked on a voice decision only).
 */
export function servedBySmsYesterday(countrySmsYesterday: DayCounts | undefined): boolean {
  return codesCameBack(countrySmsYesterday);
}

/** A day's codes came back, enough for its conversion to be a yardstick (the feedback works). */
export function codesCameBack(day: DayCounts | undefined): boolean {
  return conversionOf(day) !== undefined;
}

function yardstickOf(counts: ConversionCounts): { base: number; source: Yardstick } | undefined {
  const candidates: Array<[Yardstick, DayCounts | undefined]> = [
    ['country', counts.yesterday],
    ['country-sms', counts.countrySmsYesterday],
    ['tenant', counts.tenantYesterday],
    ['tenant-sms', counts.tenantSmsYesterday],
  ];
  for (const [source, day] of candidates) {
    const base = conversionOf(day);
    if (base !== undefined) return { base, source };
  }
  return undefined;
}

/** OTPs delivered (sent − refused) in the lag-long windows: codes whose verification may still be on its way. */
function deliveredInLagWindows(counts: ConversionCounts): number {
  const { sentRecent: sent, refusedRecent: refused } = counts;
  return Math.max(0, sent.current - refused.current) + Math.max(0, sent.previous - refused.previous);
}

/**
 * Pure: the state of one country and channel from its counts. `usualPerHour`: the country's ordinary new conversations per hour, when the pumping rule keeps
 * them (its baseline learns no burst: a campaign yesterday does not make today's attack look
 * ordinary); else yesterday's mean.
 */
export function assessConversion(counts: ConversionCounts, policy: ConversionPolicy, now: number, usualPerHour?: number): ConversionAssessment {
  // The last lag's share of the previous lag-long window (the current one is all inside it): the
  // pace. What is not judged yet is both windows whole, one to two lags: a surge's onset crowds the
  // end of the previous window, and a share of it would count young codes as unused.
  const olderShare = Math.max(0, 1 - counts.recentElapsedMs / counts.lagMs);
  const attempts = counts.triedRecent ?? counts.sentRecent;
  const recent = attempts.current + attempts.previous * olderShare;
  const recentDelivered = deliveredInLagWindows(counts);
  const deliveredHours = counts.sentHours.current + counts.sentHours.previous - counts.refusedHours.current - counts.refusedHours.previous;
  const delivered = Math.max(0, Math.round(deliveredHours - recentDelivered));
  const verified = counts.verifiedHours.current + counts.verifiedHours.previous;
  const yardstick = yardstickOf(counts);
  const ordinaryPace = usualPerHour !== undefined ? (usualPerHour * counts.lagMs) / CONVERSION_HOUR_MS : (counts.yesterday.sent * counts.lagMs) / CONVERSION_DAY_MS;
  const surging = (attempts: number) => attempts >= ONGOING_MIN && attempts > ONGOING_FACTOR * ordinaryPace;
  const ongoing = surging(recent);
  const hours = counts.triedHours ?? counts.sentHours;
  const hoursCovered = hoursCoveredAt(now);
  const surgingOverHours = (attempts: WindowCount) => {
    const total = attempts.current + attempts.previous;
    return total >= ONGOING_MIN && total > (ONGOING_FACTOR * ordinaryPace * hoursCovered * CONVERSION_HOUR_MS) / counts.lagMs;
  };
  const hoursOngoing = surgingOverHours(hours);
  const domestic = counts.domesticRecent;
  const domesticRecent = domestic === undefined ? undefined : domestic.current + domestic.previous * olderShare;
  const base = {
    delivered,
    verified,
    recent: Math.round(recent),
    ongoing,
    hoursOngoing,
    domesticRecent: domesticRecent === undefined ? undefined : Math.round(domesticRecent),
    domesticOngoing: domesticRecent === undefined || surging(domesticRecent),
    domesticHoursOngoing: counts.domesticHours === undefined || surgingOverHours(counts.domesticHours),
    foreignOngoing: domesticRecent !== undefined && surging(recent - domesticRecent) && recent - domesticRecent > domesticRecent,
  };
  if (yardstick === undefined) return { state: 'no-baseline', ...base, recovered: false, baseline: undefined, yardstick: undefined, expected: 0 };
  const expected = delivered * yardstick.base;
  const recovered = policy.probeOneIn > 0 && counts.domesticHours !== undefined && base.domesticHoursOngoing && hourRecovered(counts, recentDelivered, policy.drop * yardstick.base);
  const collapsed = fellShort(delivered, verified, expected, policy);
  const held = counts.holdUntil > now;
  const state: ConversionState = !ongoing ? (collapsed ? 'subsided' : 'healthy') : collapsed ? 'collapsed' : held ? 'held' : 'healthy';
  return { state, ...base, recovered, baseline: yardstick.base, yardstick: yardstick.source, expected };
}

/**
 * Under a hold an hour's deliveries are its probes. Recovered: once PROBE_MIN were delivered this
 * hour, their codes came back at `share` (the drop times the yardstick) or better; an hour with
 * fewer is judged with the last one, so that a lifted hold is not taken back each time a new
 * hour starts. A code younger than the lag (`notJudged`) counts as half a delivery: the lag is
 * how long codes take to come back, so about half of them are. Left out whole (as the collapse
 * test, over one to two hours, leaves them), the verifications of an attack's young neighbours
 * would outweigh its judged codes within one hour.
 * Once the current lag window delivered more than probes can (the hold lifted just now), its codes
 * are left out whole and the previous window's count as half: they went out in a burst, and a
 * burst's codes are not half back after minutes. Counted as half, they took the recovery back as
 * soon as it let a campaign through, until the next feedback run brought their codes, over and
 * over (on seed 2 of served-countries most of the home campaign's refusals). A false recovery
 * still ends: an attack let through at twice the residents' pace is judged unrecovered about 20
 * minutes into the hour, and the hold then measures itself with probes again.
 */
function hourRecovered(counts: ConversionCounts, notJudged: number, share: number): boolean {
  const thisHour = counts.sentHours.current - counts.refusedHours.current;
  const lastLag = Math.max(0, counts.sentRecent.current - counts.refusedRecent.current);
  const young = lastLag > PROBES_PER_LAG + 1 ? lastLag + (notJudged - lastLag) / 2 : notJudged / 2;
  const discounted = Math.min(thisHour, young);
  if (thisHour >= PROBE_MIN) return counts.verifiedHours.current >= share * Math.max(PROBE_MIN, thisHour - discounted);
  const both = thisHour + counts.sentHours.previous - counts.refusedHours.previous;
  return both >= PROBE_MIN && counts.verifiedHours.previous + counts.verifiedHours.current >= share * (both - discounted);
}

/** How many hours the current and previous hour windows cover at `now` (1 to 2). */
function hoursCoveredAt(now: number): number {
  return 1 + (now - windowIndex(now, CONVERSION_HOUR_MS) * CONVERSION_HOUR_MS) / CONVERSION_HOUR_MS;
}

/**
 * The floor, the drop and three standard deviations of the verified count (binomial: each delivered
 * code is used or not, at the yardstick's share): verifications fell short of what yesterday
 * predicts. A Poisson spread (the square root of the expectation) is wider by 1 / sqrt(1 - share),
 * 2.3 times at 81 %, and kept a dozen unused codes from counting at all.
 */
function fellShort(delivered: number, verified: number, expected: number, policy: ConversionPolicy): boolean {
  return delivered - verified >= policy.floor && verified < policy.drop * expected && verified < expected - 3 * Math.sqrt(expected * (1 - expected / delivered));
}

export type TodayState = 'no-baseline' | 'healthy' | 'collapsed' | 'subsided';

export interface TodayAssessment {
  state: TodayState;
  /** Delivered today (UTC) so far, less the last one to two lags (not judged yet). */
  delivered: number;
  verified: number;
  baseline: number | undefined;
  yardstick: Yardstick | undefined;
  expected: number;
  /** OTPs (refused ones included) per hour over the last one to two hours. */
  perHour: number;
}

/**
 * Pure: today's conversion of one country and channel (a tier country's, see the header). The
 * pace is the last one to two hours': a trickle brings too few OTPs in one lag to show it goes on.
 * Half GUARD_CONVERSION_FLOOR unused codes are enough here, the tier's prior (its pumping floors are
 * lower too): ten countries fed three numbers an hour each passed about 15 codes apiece before
 * the whole floor was reached, while real residents' codes come back and the drop decides for them.
 */
export function assessToday(counts: ConversionCounts, policy: ConversionPolicy, now: number, usualPerHour?: number): TodayAssessment {
  const recentDelivered = deliveredInLagWindows(counts);
  const delivered = Math.max(0, counts.today.sent - counts.today.refused - recentDelivered);
  const verified = counts.today.verified;
  const hoursCovered = hoursCoveredAt(now);
  const attempts = counts.triedHours ?? counts.sentHours;
  const perHour = (attempts.current + attempts.previous) / hoursCovered;
  const yardstick = yardstickOf(counts);
  if (yardstick === undefined) return { state: 'no-baseline', delivered, verified, baseline: undefined, yardstick: undefined, expected: 0, perHour };
  const expected = delivered * yardstick.base;
  // The slower of the pumping rule's baseline and yesterday's delivered mean: a trickle that lasts
  // hours is learned by the baseline, never by yesterday.
  const yesterdayPerHour = (Math.max(0, counts.yesterday.sent - counts.yesterday.refused) * CONVERSION_HOUR_MS) / CONVERSION_DAY_MS;
  const usual = usualPerHour === undefined ? yesterdayPerHour : Math.min(usualPerHour, yesterdayPerHour);
  const ongoing = perHour * hoursCovered >= ONGOING_MIN && perHour > ONGOING_FACTOR * usual;
  const short = fellShort(delivered, verified, expected, withHalfFloor(policy));
  const state: TodayState = short ? (ongoing ? 'collapsed' : 'subsided') : 'healthy';
  return { state, delivered, verified, baseline: yardstick.base, yardstick: yardstick.source, expected, perHour };
}

/** Whether a collapse refuses this OTP: only one that may open a new number and that nothing proves. */
export function refusableOnCollapse(input: DynamicFacts, counters: Counters): boolean {
  return opensNewNumber(input.facts) && !numberIsProven(input, counters);
}

const YARDSTICK_WORDS: Readonly<Record<Yardstick, (country: string) => string>> = {
  country: (country) => `${country} yesterday`,
  'country-sms': (country) => `${country} SMS yesterday`,
  tenant: () => 'the whole tenant yesterday',
  'tenant-sms': () => "the whole tenant's SMS yesterday",
};

const PROVEN_PASSES = 'the number is proven for this user, or a confirmed factor: passes';
const UNTIL_RECOVERY = '; a number nothing proves is refused there until it recovers';

/** The reasons' account of the verifications missing: so many of so many, against the yardstick's share. */
function shortfall(seen: Pick<ConversionAssessment, 'verified' | 'delivered' | 'baseline' | 'yardstick' | 'expected'>, when: string, lag: string, country: string): string {
  const percent = (share: number) => `${Math.round(share * 100)}%`;
  const share = percent(seen.delivered > 0 ? seen.verified / seen.delivered : 0);
  const against = YARDSTICK_WORDS[seen.yardstick ?? 'country'](country);
  return `${seen.verified} of ${seen.delivered} OTPs delivered ${when} (before the last ${lag} or two) were verified (${share}), against ${percent(seen.baseline ?? 0)} for ${against} (${Math.round(seen.expected)} expected)`;
}

/**
 * New numbers keep coming into the country faster than twice the usual pace: the pumping rule's
 * count of new conversations in its window so far (first attempts of a streak: a retry is none)
 * against its baseline scaled to the part of the window elapsed, with three standard deviations
 * of room.
 */
export function newNumbersSurge(counters: Pick<Counters, 'countryRate'>, pumping: { windowMs: number } | undefined, now: number): boolean {
  const rate = counters.countryRate;
  if (rate === undefined || pumping === undefined) return false;
  const expected = (rate.baseline * (now - windowIndex(now, pumping.windowMs) * pumping.windowMs)) / pumping.windowMs;
  return rate.current >= ONGOING_MIN && rate.current > ONGOING_FACTOR * expected + 3 * Math.sqrt(expected);
}

/** The country's ordinary new conversations per hour: the pumping rule's baseline, when it keeps one. */
export function usualPerHour(counters: Pick<Counters, 'countryRate'>, pumping: { windowMs: number } | undefined): number | undefined {
  return counters.countryRate !== undefined && pumping !== undefined ? (counters.countryRate.baseline * CONVERSION_HOUR_MS) / pumping.windowMs : undefined;
}

/** The policy with half GUARD_CONVERSION_FLOOR, rounded up: voice's, and a tier country's day (assessToday). */
function withHalfFloor(policy: ConversionPolicy): ConversionPolicy {
  return { ...policy, floor: Math.ceil(policy.floor / 2) };
}

/**
 * Voice needs half GUARD_CONVERSION_FLOOR of unused codes: calls cost more than texts (the pumping
 * floors are halved for voice too), and a trickle of calls at about 7 an hour into a country the
 * tenant barely serves never gathered 15 unused codes in one to two hours. Real callers' codes come
 * back, and the drop and the spread decide for them. Pure.
 */
export function conversionFor(policy: ConversionPolicy, channel: Channel): ConversionPolicy;
export function conversionFor(policy: ConversionPolicy | undefined, channel: Channel): ConversionPolicy | undefined;
export function conversionFor(policy: ConversionPolicy | undefined, channel: Channel): ConversionPolicy | undefined {
  return policy && channel === 'voice' ? withHalfFloor(policy) : policy;
}

export function checkConversion({ input, counters, policy, keys }: DynamicRuleContext): DynamicFinding | undefined {
  const base = policy.conversion;
  const counts = counters.conversion;
  const country = input.facts.number.country;
  if (base === undefined || counts === undefined || country === undefined) return undefined;
  const settings = conversionFor(base, input.facts.channel);
  const now = input.facts.now;
  const usual = usualPerHour(counters, policy.pumping);
  const assessment = assessConversion(counts, settings, now, usual);
  const channel = input.facts.channel;
  const lag = formatDuration(settings.lagMs);
  const fromAbroad =
    assessment.state === 'healthy' && assessment.ongoing && input.facts.requestCountry !== undefined && input.facts.requestCountry !== country && foreignSurge(counters, policy.pumping?.countryFloor);
  const ownHold = assessment.state === 'collapsed' || assessment.state === 'held' || fromAbroad;
  // Only when this channel's own state refuses nothing: the SMS hold then decides the call alone.
  const smsHoldAlone = !ownHold && smsHeldForCalls(input, counts, assessment);
  if (!ownHold && !smsHoldAlone) return input.tierBlocked ? checkToday(input, counters, assessToday(counts, base, now, usual), lag) : undefined;
  // The hold keeps the country closed once refused OTPs have made what is still delivered look
  // healthy. A collapse seen in the counts writes or renews it (at half-time), and so do requests
  // from abroad that make the surge (over twice the usual pace alone, and more than the domestic
  // ones: a home campaign's travellers are not) while new numbers keep coming too; the
  // rest of the hold does not: refused people retry, and their retries alone must not keep it
  // closed for good (residents pass, below, and count as domestic; a retry is no new number, so
  // the refused users of a country mostly reached from abroad cannot renew it either).
  // A request of unknown geo renews nothing (on Okta every request is one: a home campaign would read as a surge from abroad).
  const renewed = assessment.state === 'held' && input.facts.requestCountry !== undefined && assessment.foreignOngoing && newNumbersSurge(counters, policy.pumping, now);
  // A collapse that returns right after a hold ran out (the attack waited it out, or fed the
  // country from inside it, where nothing renews a hold) holds longer; a hold only bites while
  // OTPs keep coming faster than usual, so the residents' ordinary pace passes it whatever its length.
  const holdMs = assessment.state === 'collapsed' ? holdLengthMs(counts.holdUntil, now) : HOLD_MS;
  const writes =
    assessment.state === 'collapsed' || renewed || fromAbroad
      ? [{ key: keys.conversionHold(country, channel), until: now + holdMs, ttlMs: holdMs + REPEAT_WINDOW_MS + 60_000, incident: `${fromAbroad ? 'a surge from abroad' : 'conversion collapsed'} towards ${country} (${channel})${holdMs === HOLD_MS ? '' : ' again soon after its last hold ran out'}: unproven numbers refused while OTPs keep coming` }]
      : [];
  if (!refusableOnCollapse(input, counters)) return { finding: { rule: CONVERSION_RULE, effect: 'trust', reason: `${PROVEN_PASSES} the conversion hold on ${country} (${channel})` }, writes };
  if (smsHoldAlone) {
    const which = input.facts.requestCountry === country ? 'a call while calls come at over twice their usual pace' : 'a call requested from abroad';
    return { finding: { rule: CONVERSION_RULE, effect: 'block', reason: `SMS to ${country} is held until ${new Date(counts.smsHoldUntil ?? 0).toISOString()}: ${which} is refused with it` } };
  }
  // Not in the tier: there the day's test (checkToday) judges a trickle, and a refused flood from abroad must not lift it.
  const domestic = !input.tierBlocked && input.facts.requestCountry === country;
  if (domestic && !assessment.domesticOngoing) return { finding: { rule: CONVERSION_RULE, effect: 'trust', reason: `requested from ${country} at its usual pace (${assessment.domesticRecent} in the last ${lag}): passes the collapse requests from abroad made (${channel})` }, writes };
  if (domestic && assessment.recovered)
    return { finding: { rule: CONVERSION_RULE, effect: 'trust', reason: `requested from ${country}, whose probes convert again (${channel}): the hold stands for requests from abroad` }, writes };
  if (domestic && counts.sentRecent.current - counts.refusedRecent.current <= PROBES_PER_LAG && probeDrawn(input.facts.number.e164, now, settings.probeOneIn))
    return { finding: { rule: CONVERSION_RULE, effect: 'trust', reason: `a probe of the hold on ${country} (${channel}): its code measures recovery` }, writes };
  const reason = fromAbroad
    ? `${counters.foreignRate?.current} new ${channel} numbers to ${country} from abroad this window, far above their usual share${UNTIL_RECOVERY}`
    : assessment.state === 'collapsed'
      ? `conversion to ${country} (${channel}) collapsed: ${shortfall(assessment, 'in the last 1-2 h', lag, country)}, and ${assessment.recent} more came in the last ${lag}${UNTIL_RECOVERY}`
      : `conversion to ${country} (${channel}) held earlier and OTPs keep coming (${assessment.recent} in the last ${lag}, over twice the usual pace): held until ${new Date(counts.holdUntil).toISOString()} for numbers nothing proves`;
  return { finding: { rule: CONVERSION_RULE, effect: 'block', reason }, writes };
}

/**
 * A call requested from abroad (geoip known on both sides) to a country whose SMS is held by this
 * rule goes with the hold: an attack that drives SMS from proxies abroad calls from them too, a few
 * an hour, under every voice floor (on seed 3 of served-countries about 30 calls into GB and PL over
 * five hours, most of the fraud cost that passed once the texts were held). A call from inside
 * the country goes with it only while calls there come at over twice their usual pace (the
 * conversion rule's pace test, over the lag or the last one to two hours): an attack through
 * in-country proxies calls a few an hour beside its texts too (seed 1 of human-mimic, GB), and
 * the residents' calls at the usual pace pass. A traveller's new number waits for the hold to
 * end, at most an hour (four, for an attack that came back) after OTPs stopped coming fast. Pure.
 */
export function smsHeldForCalls(input: Pick<DynamicFacts, 'facts'>, counts: Pick<ConversionCounts, 'smsHoldUntil'>, pace: Pick<ConversionAssessment, 'ongoing' | 'hoursOngoing'>): boolean {
  const { channel, requestCountry, number, now } = input.facts;
  if (channel !== 'voice' || (counts.smsHoldUntil ?? 0) <= now || requestCountry === undefined) return false;
  return requestCountry !== number.country || pace.ongoing || pace.hoursOngoing;
}

/**
 * New numbers of a country requested from other countries (geoip) this pumping window, against
 * their own baseline (a tenant's travellers and expatriates make a steady share, which it learns):
 * over half the country floor, and rising twice as fast as the domestic ones (the country's less
 * those from abroad). A campaign raises both alike; a flood from proxies abroad raises the foreign
 * ones alone. Against the country's whole, the flood was its own campaign wherever it outnumbered
 * the residents: on seed 2 of unserved-distributed about 38 codes each went to AR and LV, countries
 * a few residents use, before the country floor. Half the floor: requests from abroad are a small
 * share of most countries'. A country most of whose usual requests come from abroad (an
 * expatriates' app) is never held this way; its conversion still judges it. Pure.
 */
export function foreignSurge({ foreignRate: foreign, countryRate: all }: Pick<Counters, 'foreignRate' | 'countryRate'>, countryFloor: number | undefined): boolean {
  if (foreign === undefined || all === undefined || countryFloor === undefined) return false;
  const home = all.baseline - foreign.baseline;
  return (
    foreign.current > thresholdOver(foreign.baseline, countryFloor / 2, 4) &&
    foreign.baseline <= home &&
    foreign.current / (foreign.baseline + 1) > ONGOING_FACTOR * Math.max(1, (all.current - foreign.current) / (home + 1))
  );
}

function checkToday(input: DynamicFacts, counters: Counters, today: TodayAssessment, lag: string): DynamicFinding | undefined {
  const country = input.facts.number.country ?? '';
  const channel = input.facts.channel;
  if (today.state !== 'collapsed') return undefined;
  if (!refusableOnCollapse(input, counters)) return { finding: { rule: CONVERSION_RULE, effect: 'trust', reason: `${PROVEN_PASSES} the fall of today's conversion to ${country} (${channel})` } };
  const reason =
    `conversion to ${country} (${channel}) fell today: ${shortfall(today, 'since 00:00 UTC', lag, country)}, ` +
    `and ${today.perHour.toFixed(1)} an hour come over the last 1-2 h, over twice the usual pace${UNTIL_RECOVERY}`;
  return { finding: { rule: CONVERSION_RULE, effect: 'block', reason } };
}

// Settings

export const CONVERSION_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_CONVERSION', actions: 'send', group: 'pumping', meaning: 'Refuse unproven numbers in a country whose verified ÷ delivered OTPs collapses (needs verification feedback: Post-Login Action or monitor --write-store)', default: 'on', example: 'off' },
  { name: 'GUARD_CONVERSION_FLOOR', actions: 'send', group: 'pumping', meaning: 'Unverified OTPs to a country and channel in the last 1-2 hours that never trip the conversion rule (half of it for voice, and for a high-risk-tier country over the day)', default: '15', example: '40' },
  { name: 'GUARD_CONVERSION_DROP', actions: 'send', group: 'pumping', meaning: "Trip when verifications fall under this share of what the country's conversion yesterday predicts", default: '0.5', example: '0.3' },
  { name: 'GUARD_CONVERSION_PROBES', actions: 'send', group: 'pumping', meaning: 'One in this many of the OTPs a conversion hold refuses from inside the country goes out as a probe (at most 6 per lag window); once probes verify, the hold lifts for requests from inside. 0: no probes', default: '40', example: '0' },
  { name: 'GUARD_CONVERSION_LAG', actions: 'send', group: 'pumping', meaning: 'How long verifications take to come back (the monitor --write-store cadence plus entry time); younger OTPs are not judged yet', default: '10m', example: '20m' },
];

const DEFAULT_FLOOR = 15;
const DEFAULT_DROP = 0.5;
const DEFAULT_LAG_MS = 10 * 60_000;
const DEFAULT_PROBE_ONE_IN = 40;

export function parseConversionSettings(secrets: Secrets, errors: ConfigErrors): ConversionPolicy | undefined {
  const toggle = secrets['GUARD_CONVERSION'];
  if (!isUnset(toggle)) {
    const word = errors.read(() => parseEnum('GUARD_CONVERSION', toggle, 'on', ['on', 'off'] as const), 'on');
    if (word === 'off') return undefined;
  }
  return {
    floor: errors.read(() => parseInteger('GUARD_CONVERSION_FLOOR', secrets['GUARD_CONVERSION_FLOOR'], DEFAULT_FLOOR, { min: 3, max: 1_000_000 }), DEFAULT_FLOOR),
    drop: errors.read(() => parseNumber('GUARD_CONVERSION_DROP', secrets['GUARD_CONVERSION_DROP'], DEFAULT_DROP, { min: 0.05, max: 0.95 }), DEFAULT_DROP),
    lagMs: errors.read(() => parseDurationMs('GUARD_CONVERSION_LAG', secrets['GUARD_CONVERSION_LAG'], DEFAULT_LAG_MS, { minMs: 60_000, maxMs: 60 * 60_000 }), DEFAULT_LAG_MS),
    probeOneIn: errors.read(() => parseInteger('GUARD_CONVERSION_PROBES', secrets['GUARD_CONVERSION_PROBES'], DEFAULT_PROBE_ONE_IN, { min: 0, max: 1_000_000 }), DEFAULT_PROBE_ONE_IN),
  };
}
