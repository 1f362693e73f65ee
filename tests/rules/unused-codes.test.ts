/**
 * The pumping rule and a trickle: a country the tenant barely serves whose delivered codes go
 * unused is blocked, even when too few OTPs come each hour to look ongoing; a launch whose codes
 * come back is not.
 */
import type { ConversionCounts } from '../../shared/feedback/conversion-counts';
import type { Counters, DynamicFacts, RateCount } from '../../shared/engine/dynamic-types';
import type { PumpingPolicy } from '../../shared/config/dynamic-policy';
import { checkPrefixAnomaly, rangeOf, surgeIsOver, unusedCodes } from '../../shared/rules/prefix-anomaly';
import { GuardKeys } from '../../shared/store/keys';
import { readTrustTier } from '../../shared/trust';
import { factsFor } from '../support/facts';
import { countersWith, policyOf } from '../support/dynamic-context';

const NOW = Date.UTC(2026, 10, 23, 15, 10);
const LAG = 10 * 60_000;
const POLICY = policyOf();
const PUMPING = POLICY.pumping as PumpingPolicy;
const rate = (current: number, baseline: number, windows = 100): RateCount => ({ current, baseline, windows });
const window = (current: number) => ({ current, previous: 0 });

/**
 * Malaysia's last 1-2 hours: `delivered` OTPs old enough to judge, `verified` of them used,
 * `recent` in the last lag; the tenant converted 85 % yesterday (Malaysia has no yesterday).
 */
function malaysia(delivered: number, verified: number, recent = 1, tenantYesterday = { sent: 2000, refused: 0, verified: 1700 }, yesterday = { sent: 0, refused: 0, verified: 0 }): ConversionCounts {
  return {
    sentHours: window(delivered + recent), refusedHours: window(0), verifiedHours: window(verified),
    sentRecent: window(recent), refusedRecent: window(0), recentElapsedMs: LAG - 1, lagMs: LAG,
    yesterday, tenantYesterday, holdUntil: 0, today: { sent: delivered + recent, refused: 0, verified },
  };
}

const judged = (counters: Partial<Counters>) => unusedCodes(countersWith(counters), PUMPING, POLICY.conversion, NOW);
const barely = { countryRate: rate(4, 0.3) };

describe('unusedCodes', () => {
  test('a barely-served country whose delivered codes go unused, an OTP or two each 10 minutes: judged a trickle', () => {
    expect(judged({ ...barely, conversion: malaysia(16, 0) })).toMatchObject({ state: 'subsided', delivered: 16, verified: 0 });
    expect(judged({ ...barely, conversion: malaysia(40, 2, 9) })).toMatchObject({ state: 'collapsed' });
  });

  test('fewer unused than GUARD_CONVERSION_FLOOR, or codes that come back (a launch): nothing', () => {
    expect(judged({ ...barely, conversion: malaysia(14, 0) })).toBeUndefined();
    expect(judged({ ...barely, conversion: malaysia(30, 24) })).toBeUndefined();
    expect(judged({ ...barely, conversion: malaysia(30, 16) })).toBeUndefined();
  });

  test('a served country, no conversion counts read (a challenge), no feedback wired, or GUARD_CONVERSION off: never judged', () => {
    expect(judged({ countryRate: rate(4, 40), conversion: malaysia(40, 0) })).toBeUndefined();
    expect(judged({ ...barely })).toBeUndefined();
    expect(judged({ ...barely, conversion: malaysia(40, 0, 1, { sent: 2000, refused: 0, verified: 3 }) })).toBeUndefined();
    expect(unusedCodes(countersWith({ ...barely, conversion: malaysia(40, 0) }), PUMPING, undefined, NOW)).toBeUndefined();
  });
});

describe('the pumping rule blocks a trickle', () => {
  const facts = factsFor('+60123456789', { now: NOW });
  const input: DynamicFacts = {
    trigger: 'send-phone-message', facts, trustedNumber: false, trustedNetwork: false, trust: readTrustTier(facts.user.appMetadata),
    range: rangeOf(facts.number.e164, facts.number.callingCode, 4), block: rangeOf(facts.number.e164, facts.number.callingCode, 5),
    tierBlocked: false, highRiskCountry: false, staticBlocked: false, firmStaticBlock: false,
  };
  const keys = new GuardKeys('t:test');
  const counters = { tenantRate: rate(500, 400), range: rate(1, 0.1), block: rate(1, 0.1), ...barely, conversion: malaysia(18, 0) };

  test('the country is blocked for the channel, saying what was measured', () => {
    const blocked = checkPrefixAnomaly({ input, counters: countersWith(counters), policy: POLICY, keys });
    expect(blocked?.finding).toMatchObject({ effect: 'block', reason: expect.stringContaining('MY, a country barely served before, had 18 sms OTPs delivered in the last 1-2 h and 0 verified (15 expected)') });
    expect(blocked?.writes).toEqual([expect.objectContaining({ key: keys.countryBlock('MY', 'sms'), until: NOW + PUMPING.blockMs })]);
  });

  test('calls need half the floor of unused codes: 9 unused calls block the voice of a country barely served, 9 unused texts do not', () => {
    const voice = { ...input, facts: factsFor('+60123456789', { now: NOW, channel: 'voice' }) };
    const trickle = { ...counters, conversion: malaysia(9, 0) };
    const called = checkPrefixAnomaly({ input: voice, counters: countersWith(trickle), policy: POLICY, keys });
    expect(called?.finding).toMatchObject({ effect: 'block', reason: expect.stringContaining('MY, a country barely served before, had 9 voice OTPs delivered in the last 1-2 h and 0 verified') });
    expect(called?.writes).toEqual([expect.objectContaining({ key: keys.countryBlock('MY', 'voice') })]);
    expect(checkPrefixAnomaly({ input, counters: countersWith(trickle), policy: POLICY, keys })).toBeUndefined();
    // 7 unused calls are under half the floor (8).
    expect(checkPrefixAnomaly({ input: voice, counters: countersWith({ ...counters, conversion: malaysia(7, 0) }), policy: POLICY, keys })).toBeUndefined();
  });

  test('before the tenant history covers the learning period an ordinary country is not judged; a healthy one never', () => {
    expect(checkPrefixAnomaly({ input, counters: countersWith({ ...counters, tenantRate: rate(500, 400, 3) }), policy: POLICY, keys })).toBeUndefined();
    expect(checkPrefixAnomaly({ input, counters: countersWith({ ...counters, conversion: malaysia(18, 15) }), policy: POLICY, keys })).toBeUndefined();
  });
});

describe('a whole-country block of a country outside the tier served by its own codes yesterday lasts only while the surge does', () => {
  const keys = new GuardKeys('t:test');
  const inputFor = (options: { highRiskCountry?: boolean; channel?: 'sms' | 'voice' } = {}): DynamicFacts => {
    const facts = factsFor('+60123456789', { now: NOW, channel: options.channel ?? 'sms' });
    return {
      trigger: 'send-phone-message', facts, trustedNumber: false, trustedNetwork: false, trust: readTrustTier(facts.user.appMetadata),
      range: rangeOf(facts.number.e164, facts.number.callingCode, 4), block: rangeOf(facts.number.e164, facts.number.callingCode, 5),
      tierBlocked: false, highRiskCountry: options.highRiskCountry ?? false, staticBlocked: false, firmStaticBlock: false,
    };
  };
  // Yesterday Malaysia's residents enrolled 40 numbers (under 2 an hour: "barely served" by its
  // rate) and used 34 of the codes. An attack there was blocked whole, until six hours from now.
  const residents = { sent: 40, refused: 0, verified: 34 };
  const standing = { tenantRate: rate(500, 400), range: rate(1, 0.1), block: rate(1, 0.1), countryRate: rate(3, 1.5), countryBlockedUntil: NOW + 6 * 60 * 60_000 };
  const check = (counters: Partial<Counters>, input = inputFor()) => checkPrefixAnomaly({ input, counters: countersWith({ ...standing, ...counters }), policy: POLICY, keys });
  const attackGoesOn = malaysia(5, 4, 12, undefined, residents);
  // Over: one OTP in the last lag and two in the last hours, the residents' own pace.
  const surgeOver = malaysia(1, 1, 1, undefined, residents);

  test('while OTPs keep coming faster than twice the usual pace the block stands; once they do not, a resident passes and nothing is written', () => {
    expect(check({ conversion: attackGoesOn })?.finding).toMatchObject({ effect: 'block', reason: expect.stringContaining('MY is blocked for pumping until') });
    expect(check({ conversion: surgeOver })).toBeUndefined();
    expect(surgeIsOver(inputFor(), countersWith({ ...standing, conversion: surgeOver }), POLICY)).toBe(true);
  });

  test('a trickle too slow for one lag to show, but plain over the last hours, keeps the block', () => {
    // 1 OTP in the last lag, 8 over the last hour and ten minutes: about 7 an hour against the usual 1.5.
    const trickle = malaysia(7, 0, 1, undefined, residents);
    expect(check({ conversion: trickle })?.finding.effect).toBe('block');
    expect(surgeIsOver(inputFor(), countersWith({ ...standing, conversion: trickle }), POLICY)).toBe(false);
  });

  test('while the surge is made from abroad, a request from inside the country passes once the domestic attempts alone are at the usual pace; a surge from inside holds it too', () => {
    const fromMalaysia = (): DynamicFacts => {
      const base = inputFor();
      return { ...base, facts: { ...base.facts, requestCountry: 'MY' } };
    };
    // 12 attempts in the last lag, 1 of them from inside Malaysia (yesterday's mean is under 0.3 per 10 min).
    const fromAbroad = { ...attackGoesOn, domesticRecent: { current: 1, previous: 0 }, domesticHours: { current: 2, previous: 0 } };
    expect(check({ conversion: fromAbroad }, fromMalaysia())).toBeUndefined();
    expect(surgeIsOver(fromMalaysia(), countersWith({ ...standing, conversion: fromAbroad }), POLICY)).toBe(true);
    // The same counts hold a request from abroad, and a rise in the window is still recorded by it.
    expect(check({ conversion: fromAbroad })?.finding.effect).toBe('block');
    expect(check({ countryRate: rate(40, 1.5), conversion: fromAbroad })?.writes).toEqual([expect.objectContaining({ key: keys.countryBlock('MY', 'sms') })]);
    expect(check({ countryRate: rate(40, 1.5), conversion: fromAbroad }, fromMalaysia())).toBeUndefined();
    // Domestic counts over the hours not read: no pass.
    expect(check({ conversion: { ...fromAbroad, domesticHours: undefined } }, fromMalaysia())?.finding.effect).toBe('block');
    // A domestic trickle too slow for the lag but plain over the hours (8 from inside in the last hour and ten minutes): it stands.
    expect(check({ conversion: { ...fromAbroad, domesticHours: { current: 8, previous: 0 } } }, fromMalaysia())?.finding.effect).toBe('block');
    // 11 of the 12 from inside: the domestic pace surges, the block stands for residents too.
    expect(check({ conversion: { ...attackGoesOn, domesticRecent: { current: 11, previous: 0 } } }, fromMalaysia())?.finding.effect).toBe('block');
    // In the tier the block stands whole, whoever asks.
    expect(check({ conversion: fromAbroad }, { ...fromMalaysia(), highRiskCountry: true })?.finding.effect).toBe('block');
  });

  test("the window's count, still over the floor after the surge, is no rise then; during the surge it is, and renews the block", () => {
    expect(check({ countryRate: rate(40, 1.5), conversion: surgeOver })).toBeUndefined();
    expect(check({ countryRate: rate(40, 1.5), conversion: attackGoesOn })?.writes).toEqual([expect.objectContaining({ key: keys.countryBlock('MY', 'sms') })]);
  });

  test('a voice block lapses with the surge too, judged on the voice counts, where SMS codes came back yesterday', () => {
    const voice = inputFor({ channel: 'voice' });
    expect(check({ conversion: surgeOver }, voice)).toBeUndefined();
    // Few calls yesterday (no voice yardstick), but the country's SMS codes came back: it has residents.
    const fewCalls = { ...malaysia(1, 1, 1, undefined, { sent: 3, refused: 0, verified: 3 }), countrySmsYesterday: residents };
    expect(check({ conversion: fewCalls }, voice)).toBeUndefined();
    expect(check({ conversion: { ...fewCalls, countrySmsYesterday: undefined } }, voice)?.finding.effect).toBe('block');
    // While the calls keep coming the block stands.
    expect(check({ conversion: { ...attackGoesOn, countrySmsYesterday: residents } }, voice)?.finding.effect).toBe('block');
  });

  test('the block stands whole in the high-risk tier, without a yardstick of its own yesterday, and when no conversion counts were read', () => {
    expect(check({ conversion: surgeOver }, inputFor({ highRiskCountry: true }))?.finding.effect).toBe('block');
    expect(check({ conversion: surgeOver }, inputFor({ channel: 'voice', highRiskCountry: true }))?.finding.effect).toBe('block');
    expect(check({ conversion: malaysia(5, 4, 1, undefined, { sent: 40, refused: 0, verified: 9 }) })?.finding.effect).toBe('block');
    expect(check({})?.finding.effect).toBe('block');
  });

  test('a home country too small for a yardstick yesterday but with GUARD_SERVED_PROOFS numbers proven lets go once the surge is over too', () => {
    // Yesterday 20 delivered and 17 verified: under the 30 a yardstick needs. 3 numbers proven there in the last 30-60 days.
    const small = malaysia(1, 1, 1, undefined, { sent: 20, refused: 0, verified: 17 });
    expect(check({ conversion: small })?.finding.effect).toBe('block');
    expect(check({ conversion: small, countryProofs: 2 })?.finding.effect).toBe('block');
    expect(check({ conversion: small, countryProofs: 3 })).toBeUndefined();
    // While the surge goes on the block stands, proofs or not; in the tier it stands whole.
    expect(check({ conversion: malaysia(5, 4, 12, undefined, { sent: 20, refused: 0, verified: 17 }), countryProofs: 3 })?.finding.effect).toBe('block');
    expect(check({ conversion: small, countryProofs: 3 }, inputFor({ highRiskCountry: true }))?.finding.effect).toBe('block');
    // GUARD_SERVED_PROOFS=off: proofs decide nothing here either.
    expect(checkPrefixAnomaly({ input: inputFor(), counters: countersWith({ ...standing, conversion: small, countryProofs: 3 }), policy: { ...POLICY, servedProofs: undefined }, keys })?.finding.effect).toBe('block');
  });

  test('a trickle whose codes go unused still blocks it: it never comes fast', () => {
    const trickle = check({ countryRate: rate(3, 0.3), countryBlockedUntil: undefined, conversion: malaysia(18, 0, 1, undefined, residents) });
    expect(trickle?.finding).toMatchObject({ effect: 'block', reason: expect.stringContaining('had 18 sms OTPs delivered in the last 1-2 h and 0 verified') });
  });
});
