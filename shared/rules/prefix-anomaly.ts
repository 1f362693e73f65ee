/**
 * The prefix-anomaly rule (pumping detection in the spirit of Twilio's SMS Fraud Guard).
 *
 * For each prefix depth (the 10 000-number range: the number without its last 4 digits; its
 * 100 000-number block: one digit more dropped) and for each country, the store keeps the count of
 * new conversations (first attempts of a streak; resends do not count) in the current window and
 * an exponentially weighted baseline of past windows, separately for SMS and for voice (a served
 * country's SMS volume must not hide a voice surge). A window count above
 *   max(floor, ceil(factor x baseline + 3 x sqrt(baseline)))
 * is a rise no ordinary traffic explains. The floor is the range floor for a range, twice it for a
 * block (a spread that keeps every range under its floor rises there), halved for voice, and
 * lower in countries of the high-risk tier (the country-risk prior). A rising prefix is blocked
 * for a while, renewed while the rise lasts; traffic to other prefixes keeps flowing. A whole
 * country is blocked only when the tenant barely serves it (baseline under `servedBaseline`) and
 * it rises above its floor: the distributed attack over many ranges of a country nobody logs in
 * from; or when its delivered codes go unused (unusedCodes: the trickle kept under every hourly
 * floor). A served country is never blocked whole: a concentrated rise there is caught prefix by
 * prefix, and a marketing surge spread over a home country's many ranges is not pumping. Until
 * the tenant's own history covers the learning period every baseline is young, so "barely
 * served" is only trusted for high-risk countries. A number proven for this user passes every
 * block of this rule (the block is still recorded for the other numbers).
 */
import type { DynamicPolicy, PumpingPolicy } from '../config/dynamic-policy';
import type { BlockWrite, Counters, DynamicFacts, DynamicFinding, DynamicRuleContext, RateCount } from '../engine/dynamic-types';
import { assessConversion, codesCameBack, conversionFor, servedBySmsYesterday, usualPerHour, type ConversionAssessment, type ConversionPolicy } from './conversion';
import { BLOCK_FLOOR_MULTIPLE } from '../engine/dynamic-plan';
import type { Channel } from '../engine/types';
import { provenByUsedCode } from './served-country';
import { surgeThreshold } from '../engine/surge-threshold';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import { isUnset, parseDurationMs, parseEnum, parseInteger, parseNumber } from '../config/parsers';

export { rangeOf } from '../phone/ranges';

export const PREFIX_ANOMALY_RULE = 'prefix-anomaly';

export function checkPrefixAnomaly({ input, counters, policy, keys }: DynamicRuleContext): DynamicFinding | undefined {
  const pumping = policy.pumping;
  if (pumping === undefined || input.trustedNumber) return undefined;
  const now = input.facts.now;
  const channel = input.facts.channel;
  const parameters = channelParameters(pumping, channel);
  const country = input.facts.number.country;
  const reasons: string[] = [];
  const writes: BlockWrite[] = [];
  const until = now + pumping.blockMs;
  const ttlMs = pumping.blockMs + 60_000;

  // Each prefix depth against its own baseline: the 10 000-number range, then its 100 000-number
  // block (a spread that keeps every range under its floor rises there).
  // A block also carries its share of a country-wide surge (a campaign raises every block a
  // little): up to BLOCK_SURGE_SHARE of the country's new numbers this window is never a rise.
  const blockFloor = Math.max(parameters.rangeFloor * BLOCK_FLOOR_MULTIPLE, Math.ceil(BLOCK_SURGE_SHARE * (counters.countryRate?.current ?? 0)));
  const prefixes: Array<{ prefix: string; rate: RateCount | undefined; blockedUntil: number | undefined; floor: number; what: string }> = [
    { prefix: input.range, rate: counters.range, blockedUntil: counters.rangeBlockedUntil, floor: parameters.rangeFloor, what: 'range' },
    { prefix: input.block, rate: counters.block, blockedUntil: counters.blockBlockedUntil, floor: blockFloor, what: 'block' },
  ];
  for (const { prefix, rate, blockedUntil, floor, what } of prefixes) {
    const scaled = { ...parameters, rangeFloor: floor };
    if (rate !== undefined && rangeIsAnomalous(rate, scaled, input.highRiskCountry)) {
      reasons.push(`${what} ${prefix} had ${rate.current} new ${channel} numbers this window (baseline ${formatBaseline(rate)}, threshold ${rangeThreshold(rate.baseline, scaled, input.highRiskCountry)})`);
      writes.push({ key: keys.rangeBlock(prefix), until, ttlMs, incident: `pumping suspected on ${what} ${prefix} (${channel}): blocked for ${pumping.blockMs / 60_000} min` });
    } else if ((blockedUntil ?? 0) > now) {
      reasons.push(`${what} ${prefix} is blocked for pumping until ${new Date(blockedUntil ?? 0).toISOString()}`);
    }
  }

  if (country !== undefined && counters.countryRate !== undefined) {
    const learned = (counters.tenantRate?.windows ?? 0) >= pumping.learningWindows;
    const smsServed = voiceServedBySms(channel, counters);
    // Asked only of a rise or a standing block (most OTPs have neither), and at most once.
    let surgeOver: boolean | undefined;
    const over = () => (surgeOver ??= surgeIsOver(input, counters, policy));
    const unproven = !input.highRiskCountry && !smsServed && countryIsUnproven(counters);
    const countryRise =
      (learned || input.highRiskCountry) &&
      countryIsAnomalous(counters.countryRate, parameters, input.highRiskCountry, channel, trafficBesideVoice(counters), smsServed, unproven) &&
      !over();
    const trickle = !countryRise && (learned || input.highRiskCountry) ? unusedCodes(counters, parameters, conversionFor(policy.conversion, channel), now) : undefined;
    if (countryRise) {
      const served = counters.countryRate.baseline >= parameters.servedBaseline;
      const standing = served ? `far above its own ${channel} baseline` : unproven ? 'a country where no number is proven' : 'a country barely served before';
      reasons.push(`${country} had ${counters.countryRate.current} new ${channel} numbers this window, ${standing} (baseline ${formatBaseline(counters.countryRate)})`);
      writes.push({ key: keys.countryBlock(country, channel), until, ttlMs, incident: `pumping suspected towards ${country} (${channel}): blocked for ${pumping.blockMs / 60_000} min` });
    } else if (trickle !== undefined) {
      reasons.push(`${country}, a country barely served before, had ${trickle.delivered} ${channel} OTPs delivered in the last 1-2 h and ${trickle.verified} verified (${Math.round(trickle.expected)} expected)`);
      writes.push({ key: keys.countryBlock(country, channel), until, ttlMs, incident: `pumping suspected towards ${country} (${channel}): its codes go unused, blocked for ${pumping.blockMs / 60_000} min` });
    } else if ((counters.countryBlockedUntil ?? 0) > now && !over()) {
      reasons.push(`${country} is blocked for pumping until ${new Date(counters.countryBlockedUntil ?? 0).toISOString()}`);
    }
  }
  if (reasons.length === 0) return undefined;
  // A number proven for this user is never the victim of a range or country block; the block is
  // still recorded for everyone else's messages. A likely factor seen for the first time is an
  // inference, not a proof yet: a surge it is part of holds it too.
  if (provenByUsedCode(input, counters)) {
    return { finding: { rule: PREFIX_ANOMALY_RULE, effect: 'trust', reason: `the number is proven for this user: passes ${reasons.join('; ')}` }, writes };
  }
  return { finding: { rule: PREFIX_ANOMALY_RULE, effect: 'block', reason: reasons.join('; ') }, writes };
}

/**
 * A whole-country block (SMS or voice) of a country outside the high-risk tier whose codes came
 * back yesterday (enough to be a yardstick: conversion.ts servedBySmsYesterday), or that has as many
 * numbers proven in the last 30-60 days as open a tier country (GUARD_SERVED_PROOFS: a home
 * country too small for a day's yardstick still has residents whose codes were used), holds
 * only while OTPs keep coming there faster than twice the usual pace (the conversion rule's own
 * pace test, refused attempts included, over the last lag and over the last one to two hours: a
 * trickle too slow for one lag still keeps it): such a country has residents, who must not wait
 * out GUARD_PUMPING_BLOCK once the surge is over. A rise seen in the window's count is not a rise
 * then either (the count lags the end of a surge by up to a window). For a request from inside
 * the country the surge is over as soon as the domestic attempts alone come no faster than that,
 * by both tests (conversion.ts: a surge made from abroad spares the residents; one made from
 * inside surges the domestic pace itself, in the lag or over the hours). A trickle whose codes
 * go unused still blocks (it never comes fast); tier countries keep their blocks whole. Voice
 * blocks lapse the same way, judged on the voice counts, in a country served by SMS too (on seed 3
 * of voice-mobile the residents' calls were refused for ten hours after the attack stopped).
 * Unknown without the conversion counts (a challenge, GUARD_CONVERSION off): the block stands.
 */
export function surgeIsOver(input: Pick<DynamicFacts, 'facts' | 'highRiskCountry'>, counters: Counters, policy: Pick<DynamicPolicy, 'pumping' | 'conversion' | 'servedProofs'>): boolean {
  const counts = counters.conversion;
  if (input.highRiskCountry || counts === undefined || policy.conversion === undefined) return false;
  const provenThere = policy.servedProofs !== undefined && (counters.countryProofs ?? 0) >= policy.servedProofs;
  if (!servedBySmsYesterday(counts.yesterday) && !voiceServedBySms(input.facts.channel, counters) && !provenThere) return false;
  const pace = assessConversion(counts, policy.conversion, input.facts.now, usualPerHour(counters, policy.pumping));
  const domestic = input.facts.requestCountry !== undefined && input.facts.requestCountry === input.facts.number.country;
  return (!pace.ongoing && !pace.hoursOngoing) || (domestic && !pace.domesticOngoing && !pace.domesticHoursOngoing);
}

/**
 * A trickle: a country the tenant barely serves (hourly baseline under servedBaseline) whose
 * delivered codes go unused, by the conversion rule's own test (GUARD_CONVERSION_FLOOR unverified
 * in the last 1-2 hours, far fewer verified than the tenant's conversion predicts), even when too
 * few OTPs come each hour to count as ongoing there. The conversion rule holds a served country
 * only while OTPs keep coming, since real users live there; a country nobody is served in is
 * blocked like a barely-served one that surges. A tenant opening a new market passes, since its
 * users' codes come back; without verification feedback (no yardstick) or with GUARD_CONVERSION
 * off, nothing is judged. Judged only on an OTP that reads the conversion counts (one that may
 * open a new number). Pure.
 */
export function unusedCodes(
  counters: Pick<Counters, 'countryRate' | 'conversion'>,
  parameters: PumpingPolicy,
  conversion: ConversionPolicy | undefined,
  now: number,
): ConversionAssessment | undefined {
  const hourly = counters.countryRate;
  if (hourly === undefined || hourly.baseline >= parameters.servedBaseline) return undefined;
  if (counters.conversion === undefined || conversion === undefined) return undefined;
  const assessment = assessConversion(counters.conversion, conversion, now);
  return assessment.state === 'collapsed' || assessment.state === 'subsided' ? assessment : undefined;
}

/**
 * Voice has its own, lower floors: calls cost more than texts, so fewer new numbers are enough to
 * be a rise. Its counters are its own too (a served country's SMS volume must not hide a voice surge).
 */
export function channelParameters(pumping: PumpingPolicy, channel: Channel): PumpingPolicy {
  if (channel === 'sms') return pumping;
  return {
    ...pumping,
    rangeFloor: Math.max(2, Math.ceil(pumping.rangeFloor / VOICE_FLOOR_DIVISOR)),
    countryFloor: Math.max(2, Math.ceil(pumping.countryFloor / VOICE_FLOOR_DIVISOR)),
    servedBaseline: pumping.servedBaseline / VOICE_FLOOR_DIVISOR,
  };
}

/** The share of a country's new numbers in a window that one 100 000-number block may carry without alarm. */
export const BLOCK_SURGE_SHARE = 0.05;

/** Voice floors are the SMS floors divided by this. */
export const VOICE_FLOOR_DIVISOR = 2;

export function rangeThreshold(baseline: number, pumping: Pick<PumpingPolicy, 'rangeFloor' | 'countryFloor' | 'factor'>, highRisk: boolean): number {
  return surgeThreshold('range', baseline, pumping, highRisk);
}

export function countryThreshold(baseline: number, pumping: PumpingPolicy, highRisk: boolean): number {
  return surgeThreshold('country', baseline, pumping, highRisk);
}

export function rangeIsAnomalous(range: RateCount, pumping: Pick<PumpingPolicy, 'rangeFloor' | 'countryFloor' | 'factor'>, highRisk: boolean): boolean {
  return range.current > rangeThreshold(range.baseline, pumping, highRisk);
}

/**
 * SMS: only a barely-served country can be blocked whole (a home country's marketing surge is
 * spread over its ranges). Voice: also a served one, when its voice traffic rises far above its own
 * voice baseline and out of proportion to the rest of the tenant's traffic (a campaign raises voice
 * with everything else; voice pumping into ordinary mobile ranges raises voice alone, and no single
 * range rises; `tenant` is trafficBesideVoice, so the flood is not its own campaign). The same
 * proportion test spares the voice of a country outside the high-risk tier that takes few calls
 * but is served by SMS (`smsServed`: its SMS codes came back yesterday): a campaign there brings
 * its few voice users too. A voice block never touches the country's SMS.
 * An unproven country (countryIsUnproven) that is barely served meets the high-risk tier's floor.
 */
export function countryIsAnomalous(
  country: RateCount,
  pumping: PumpingPolicy,
  highRisk: boolean,
  channel: Channel = 'sms',
  tenant: RateCount | undefined = undefined,
  smsServed = false,
  unproven = false,
): boolean {
  const served = country.baseline >= pumping.servedBaseline;
  if (served && channel === 'sms') return false;
  if (country.current <= countryThreshold(country.baseline, pumping, highRisk || (unproven && !served))) return false;
  if (!served && !(channel === 'voice' && smsServed && !highRisk)) return true;
  const tenantRise = tenant === undefined ? 1 : tenant.current / (tenant.baseline + 1);
  return country.current / (country.baseline + 1) > VOICE_OUT_OF_PROPORTION * Math.max(1, tenantRise);
}

/**
 * A country the tenant has no evidence of serving although its feedback works: not one number
 * proven there for this channel in the last 30-60 days (counters.countryProofs), while the tenant's
 * codes came back yesterday (a conversion yardstick exists). For that tenant it is as risky as a
 * country of the shipped tier, so a barely-served one meets the tier's lower country floor: an
 * attacker who spreads his waves over countries nobody is verified in gets a quarter of the floor
 * in each. Without feedback (no yardstick, or the counts not read: a challenge) no country is
 * unproven, since an absent proof then says nothing. Real users of a new market verify, and three
 * proofs (GUARD_SERVED_PROOFS) let a block there lapse with the surge (surgeIsOver). Pure.
 */
export function countryIsUnproven(counters: Pick<Counters, 'countryProofs' | 'conversion'>): boolean {
  const counts = counters.conversion;
  if (counts === undefined || counters.countryProofs === undefined || counters.countryProofs > 0) return false;
  return codesCameBack(counts.tenantYesterday);
}

/** A voice decision to a country whose SMS codes came back yesterday: it has residents, who call too. */
function voiceServedBySms(channel: Channel, counters: Pick<Counters, 'conversion' | 'smsYesterday'>): boolean {
  return channel === 'voice' && servedBySmsYesterday(counters.conversion?.countrySmsYesterday ?? counters.smsYesterday);
}

/**
 * The tenant's traffic without its voice calls, this window and its baseline: what a campaign
 * raises along with a country's few calls. The whole tenant rate would let a voice flood into
 * several countries at once count as its own campaign (on seed 3 of voice-mobile, 127 calls an
 * hour doubled the tenant's traffic, so GB's voice needed twice the rise to be blocked, and 24
 * calls passed). Without the voice count (an SMS request) it is the whole rate. Pure.
 */
export function trafficBesideVoice(counters: Pick<Counters, 'tenantRate' | 'tenantVoiceRate'>): RateCount | undefined {
  const tenant = counters.tenantRate;
  const voice = counters.tenantVoiceRate;
  if (tenant === undefined || voice === undefined) return tenant;
  return { current: Math.max(0, tenant.current - voice.current), baseline: Math.max(0, tenant.baseline - voice.baseline), windows: tenant.windows };
}

/** How many times the tenant's own rise a served country's voice must rise to be blocked whole. */
export const VOICE_OUT_OF_PROPORTION = 2;

function formatBaseline(rate: RateCount | undefined): string {
  return (rate?.baseline ?? 0).toFixed(2);
}

// Settings

export const PUMPING_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_PUMPING', actions: 'send', group: 'pumping', meaning: 'Prefix pumping detection on or off', default: 'on', example: 'off' },
  { name: 'GUARD_PUMPING_WINDOW', actions: 'send', group: 'pumping', meaning: 'Window over which new numbers per range / country are counted', default: '1h', example: '30m' },
  { name: 'GUARD_PUMPING_MEMORY', actions: 'send', group: 'pumping', meaning: 'Windows of memory of the baseline (and of learning before a country counts as unserved)', default: '24', example: '48' },
  { name: 'GUARD_PUMPING_RANGE_FLOOR', actions: 'send', group: 'pumping', meaning: 'New numbers per range per window that are never suspicious (halved in high-risk countries)', default: '8', example: '12' },
  { name: 'GUARD_PUMPING_COUNTRY_FLOOR', actions: 'send', group: 'pumping', meaning: 'New numbers per window to a barely-served country that are never suspicious (quartered in high-risk countries)', default: '20', example: '50' },
  { name: 'GUARD_PUMPING_FACTOR', actions: 'send', group: 'pumping', meaning: 'How many times its baseline a range may rise before it is blocked', default: '4', example: '6' },
  { name: 'GUARD_PUMPING_BLOCK', actions: 'send', group: 'pumping', meaning: 'How long a suspicious range / country stays blocked (renewed while the rise lasts)', default: '12h', example: '2h' },
];

const HOUR = 3_600_000;

export function parsePumpingSettings(secrets: Secrets, errors: ConfigErrors): PumpingPolicy | undefined {
  const toggle = secrets['GUARD_PUMPING'];
  if (!isUnset(toggle)) {
    const word = errors.read(() => parseEnum('GUARD_PUMPING', toggle, 'on', ['on', 'off'] as const), 'on');
    if (word === 'off') return undefined;
  }
  const windowMs = errors.read(
    () => parseDurationMs('GUARD_PUMPING_WINDOW', secrets['GUARD_PUMPING_WINDOW'], HOUR, { minMs: 5 * 60_000, maxMs: 24 * HOUR }),
    HOUR,
  );
  const memoryWindows = errors.read(
    () => parseInteger('GUARD_PUMPING_MEMORY', secrets['GUARD_PUMPING_MEMORY'], 24, { min: 2, max: 24 * 14 }),
    24,
  );
  return {
    windowMs,
    alpha: 1 / memoryWindows,
    rangeDropDigits: 4,
    rangeFloor: errors.read(() => parseInteger('GUARD_PUMPING_RANGE_FLOOR', secrets['GUARD_PUMPING_RANGE_FLOOR'], 8, { min: 2, max: 10_000 }), 8),
    countryFloor: errors.read(() => parseInteger('GUARD_PUMPING_COUNTRY_FLOOR', secrets['GUARD_PUMPING_COUNTRY_FLOOR'], 20, { min: 2, max: 1_000_000 }), 20),
    factor: errors.read(() => parseNumber('GUARD_PUMPING_FACTOR', secrets['GUARD_PUMPING_FACTOR'], 4, { min: 1.5, max: 100 }), 4),
    servedBaseline: 5,
    learningWindows: memoryWindows,
    blockMs: errors.read(
      () => parseDurationMs('GUARD_PUMPING_BLOCK', secrets['GUARD_PUMPING_BLOCK'], 12 * HOUR, { minMs: 5 * 60_000, maxMs: 7 * 24 * HOUR }),
      12 * HOUR,
    ),
  };
}
