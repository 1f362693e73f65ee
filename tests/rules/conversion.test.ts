/**
 * The conversion rule: verified ÷ delivered against the country's own yesterday, and which OTPs a
 * collapse refuses.
 */
import fc from 'fast-check';
import { ConfigErrors } from '../../shared/config/static-policy';
import type { ConversionCounts } from '../../shared/feedback/conversion-counts';
import { opensNewNumber } from '../../shared/feedback/conversion-counts';
import { CONVERSION_RULE, PROBES_PER_LAG, PROBE_MIN, assessConversion, conversionFor, probeDrawn, assessToday, checkConversion, foreignSurge, newNumbersSurge, parseConversionSettings, servedBySmsYesterday, type ConversionPolicy } from '../../shared/rules/conversion';
import type { DynamicFacts } from '../../shared/engine/dynamic-types';
import type { OtpAction, RecipientKind } from '../../shared/engine/types';
import type { PhoneTrigger } from '../../shared/pipeline/phone-request';
import { GuardKeys, userTag } from '../../shared/store/keys';
import { factsFor } from '../support/facts';
import { countersWith, dynamicFactsFor, policyOf } from '../support/dynamic-context';

const keys = new GuardKeys('t:test');
const GERMANY = '+4915112345678';
const LAG = 10 * 60_000;
const NOW = Date.UTC(2026, 10, 23, 12, 9, 59);
const POLICY: ConversionPolicy = { floor: 15, drop: 0.5, lagMs: LAG, probeOneIn: 40 };
const PROBE_ONE_IN = POLICY.probeOneIn;

/**
 * Counts with yesterday at 85 % (1000 delivered, 850 verified; a mean pace of 6.9 OTPs per 10 min)
 * unless overridden. `now.sent` are the OTPs old enough to be judged; `recent` more came in the
 * last 10 minutes (default 20: OTPs keep coming).
 */
function counts(
  now: { sent: number; refused?: number; verified: number; recent?: number },
  yesterday: { sent: number; refused?: number; verified: number } = { sent: 1000, verified: 850 },
): ConversionCounts {
  const recent = now.recent ?? 20;
  const sent = now.sent + recent;
  return {
    sentHours: { current: Math.ceil(sent / 2), previous: Math.floor(sent / 2) },
    refusedHours: { current: now.refused ?? 0, previous: 0 },
    verifiedHours: { current: Math.ceil(now.verified / 2), previous: Math.floor(now.verified / 2) },
    sentRecent: { current: recent, previous: 0 },
    refusedRecent: { current: 0, previous: 0 },
    recentElapsedMs: LAG - 1,
    lagMs: LAG,
    yesterday: { sent: yesterday.sent, refused: yesterday.refused ?? 0, verified: yesterday.verified },
    tenantYesterday: { sent: 0, refused: 0, verified: 0 },
    holdUntil: 0,
    today: { sent, refused: now.refused ?? 0, verified: now.verified },
  };
}

function input(options: { trigger?: PhoneTrigger; otpAction?: OtpAction; userId?: string; recipientIs?: RecipientKind } = {}): DynamicFacts {
  const facts = { ...factsFor(GERMANY), otpAction: options.otpAction ?? 'enrollment', recipientIs: options.recipientIs ?? 'unconfirmed' };
  if (options.userId !== undefined) facts.user = { ...facts.user, id: options.userId };
  return { ...dynamicFactsFor(facts), trigger: options.trigger ?? 'send-phone-message' };
}

describe('assessConversion', () => {
  test('without a yardstick yesterday the rule stays silent: too few delivered, too few verified, or no feedback wired', () => {
    const collapsedToday = { sent: 200, verified: 0 };
    expect(assessConversion(counts(collapsedToday, { sent: 29, verified: 29 }), POLICY, NOW).state).toBe('no-baseline');
    expect(assessConversion(counts(collapsedToday, { sent: 500, verified: 9 }), POLICY, NOW).state).toBe('no-baseline');
    // 40 of 500: under one in ten verified is not feedback, it is no feedback.
    expect(assessConversion(counts(collapsedToday, { sent: 500, verified: 40 }), POLICY, NOW).state).toBe('no-baseline');
    // Yesterday's refusals were never delivered: 1000 sent of which 980 refused is 20 delivered.
    expect(assessConversion(counts(collapsedToday, { sent: 1000, refused: 980, verified: 15 }), POLICY, NOW).state).toBe('no-baseline');
  });

  test('a surge that converts like yesterday is healthy, however large', () => {
    expect(assessConversion(counts({ sent: 5000, verified: 4000, recent: 800 }), POLICY, NOW)).toMatchObject({ state: 'healthy', delivered: 5000, verified: 4000, baseline: 0.85, yardstick: 'country' });
  });

  test('pumping added to a country collapses its conversion: refused', () => {
    // 100 real users converting at 85 % plus 150 pumped numbers that never verify.
    const assessment = assessConversion(counts({ sent: 250, verified: 85 }), POLICY, NOW);
    expect(assessment).toMatchObject({ state: 'collapsed', delivered: 250, verified: 85 });
    expect(assessment.expected).toBeCloseTo(212.5);
  });

  test('pumping smaller than the real traffic does not halve conversion: not judged here (the prefix rule watches concentrated rises)', () => {
    expect(assessConversion(counts({ sent: 180, verified: 85 }), POLICY, NOW).state).toBe('healthy');
  });

  test('under GUARD_CONVERSION_FLOOR unverified OTPs nothing trips, even with none verified', () => {
    expect(assessConversion(counts({ sent: 14, verified: 0 }), POLICY, NOW).state).toBe('healthy');
    expect(assessConversion(counts({ sent: 16, verified: 0 }), POLICY, NOW).state).toBe('collapsed');
    expect(assessConversion(counts({ sent: 16, verified: 0 }), { ...POLICY, floor: 40 }, NOW).state).toBe('healthy');
  });

  test("the last lag is not judged yet: a surge's first minutes, whose codes are not back, are no collapse", () => {
    // 600 OTPs in the last 10 minutes, none verified yet; the 100 before converted as usual.
    expect(assessConversion(counts({ sent: 100, verified: 85, recent: 600 }), POLICY, NOW)).toMatchObject({ state: 'healthy', delivered: 100, recent: 600 });
    // Half-way into a 10-minute window: the pace is the last 10 minutes (half of the previous window
    // on top of this one), and neither window is judged yet (a surge's onset crowds the end of the previous one).
    const halfway: ConversionCounts = { ...counts({ sent: 0, verified: 85, recent: 0 }), sentHours: { current: 300, previous: 0 }, sentRecent: { current: 100, previous: 100 }, recentElapsedMs: LAG / 2 };
    expect(assessConversion(halfway, POLICY, NOW)).toMatchObject({ delivered: 100, recent: 150 });
  });

  test('once OTPs stop coming faster than the ordinary pace, a collapse has subsided: nothing is refused', () => {
    // 7 in the last 10 minutes is yesterday's pace (6.9), not twice it.
    expect(assessConversion(counts({ sent: 250, verified: 85, recent: 7 }), POLICY, NOW).state).toBe('subsided');
    expect(assessConversion(counts({ sent: 250, verified: 85, recent: 14 }), POLICY, NOW).state).toBe('collapsed');
    // The pumping rule's baseline is the usual pace when it has one: 60 an hour is 10 per 10 minutes.
    expect(assessConversion(counts({ sent: 250, verified: 85, recent: 14 }), POLICY, NOW, 60).state).toBe('subsided');
    expect(assessConversion(counts({ sent: 250, verified: 85, recent: 21 }), POLICY, NOW, 60).state).toBe('collapsed');
  });

  test("refused OTPs are not delivered: a country whose attack is already refused does not read as collapsed", () => {
    expect(assessConversion(counts({ sent: 1000, refused: 900, verified: 85 }), POLICY, NOW).state).toBe('healthy');
  });

  test('voice needs half GUARD_CONVERSION_FLOOR of unused codes (rounded up); SMS the whole of it; off stays off', () => {
    expect(conversionFor(POLICY, 'voice')).toEqual({ ...POLICY, floor: 8 });
    expect(conversionFor(POLICY, 'sms')).toBe(POLICY);
    expect(conversionFor(undefined, 'voice')).toBeUndefined();
    // 10 calls delivered, none verified: collapsed for voice, under the floor for SMS.
    expect(assessConversion(counts({ sent: 10, verified: 0 }), conversionFor(POLICY, 'voice') ?? POLICY, NOW).state).toBe('collapsed');
    expect(assessConversion(counts({ sent: 10, verified: 0 }), POLICY, NOW).state).toBe('healthy');
  });

  test('a quiet country is not judged on a handful of codes (three binomial standard deviations short of the expectation, too)', () => {
    // 20 delivered at yesterday's 50 % expects 10, with a standard deviation of sqrt(20 x 0.5 x 0.5) = 2.24:
    // 4 verified is under half of it but within three deviations (3.3); 3 is not.
    const half = { sent: 1000, verified: 500 };
    expect(assessConversion(counts({ sent: 20, verified: 4 }, half), { ...POLICY, floor: 3 }, NOW).state).toBe('healthy');
    expect(assessConversion(counts({ sent: 20, verified: 3 }, half), { ...POLICY, floor: 3 }, NOW).state).toBe('collapsed');
    // At 85 % the spread is narrower (1.6 for 20 codes): the halved expectation decides, 8 verified of 20 trips.
    expect(assessConversion(counts({ sent: 20, verified: 9 }), { ...POLICY, floor: 3 }, NOW).state).toBe('healthy');
    expect(assessConversion(counts({ sent: 20, verified: 8 }), { ...POLICY, floor: 3 }, NOW).state).toBe('collapsed');
  });

  test("a country without a yesterday of its own is measured against the tenant's; voice too thin to be a yardstick against SMS", () => {
    const unserved = { ...counts({ sent: 40, verified: 0 }, { sent: 0, verified: 0 }), tenantYesterday: { sent: 5000, refused: 0, verified: 4400 } };
    expect(assessConversion(unserved, POLICY, NOW)).toMatchObject({ state: 'collapsed', baseline: 0.88, yardstick: 'tenant' });
    const thinVoice = counts({ sent: 40, verified: 2 }, { sent: 12, verified: 9 });
    expect(assessConversion(thinVoice, POLICY, NOW).state).toBe('no-baseline');
    expect(assessConversion({ ...thinVoice, countrySmsYesterday: { sent: 2000, refused: 0, verified: 1700 } }, POLICY, NOW)).toMatchObject({ state: 'collapsed', baseline: 0.85, yardstick: 'country-sms' });
    // Its own 40 % converts worse than SMS: judged by its own.
    const ownVoice = { ...counts({ sent: 40, verified: 12 }, { sent: 100, verified: 40 }), countrySmsYesterday: { sent: 2000, refused: 0, verified: 1700 } };
    expect(assessConversion(ownVoice, POLICY, NOW)).toMatchObject({ state: 'healthy', baseline: 0.4, yardstick: 'country' });
  });

  test('property: ordinary traffic converting at least as well as yesterday is never collapsed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.double({ min: 0.1, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.2, noNaN: true }), (sent, base, lag) => {
        const verified = Math.floor(sent * base * (1 - lag));
        const yesterday = { sent: 1000, verified: Math.round(1000 * base) };
        return assessConversion(counts({ sent, verified, recent: sent }, yesterday), POLICY, NOW).state !== 'collapsed';
      }),
    );
  });
});

describe('conversion rule', () => {
  const policy = policyOf();
  const collapsed = countersWith({ conversion: counts({ sent: 250, verified: 20 }) });

  test('a collapse refuses an unproven enrolment, saying what was measured', () => {
    const outcome = checkConversion({ input: input(), counters: collapsed, policy, keys });
    expect(outcome?.finding).toMatchObject({ rule: CONVERSION_RULE, effect: 'block' });
    expect(outcome?.finding.reason).toBe(
      'conversion to DE (sms) collapsed: 20 of 250 OTPs delivered in the last 1-2 h (before the last 10m or two) were verified (8%), against 85% for DE yesterday (213 expected), and 20 more came in the last 10m; a number nothing proves is refused there until it recovers',
    );
    // The collapse holds the country for an hour while OTPs keep coming (one write, renewed at half-time).
    // Its key outlives the hold by two hours, so that a collapse coming back can read when it ended.
    expect(outcome?.writes).toEqual([{ key: keys.conversionHold('DE', 'sms'), until: input().facts.now + 3_600_000, ttlMs: 3_600_000 + 7_200_000 + 60_000, incident: expect.stringContaining('conversion collapsed towards DE (sms)') }]);
  });

  test('a collapse that comes back within two hours of the end of the last hold holds four hours; later, or during a hold, one', () => {
    const at = input().facts.now;
    const collapseAfterHoldEnded = (endedAgo: number) =>
      checkConversion({ input: input(), counters: countersWith({ conversion: { ...counts({ sent: 250, verified: 20 }), holdUntil: at - endedAgo } }), policy, keys });
    const again = collapseAfterHoldEnded(20 * 60_000);
    expect(again?.finding.effect).toBe('block');
    expect(again?.writes).toEqual([{ key: keys.conversionHold('DE', 'sms'), until: at + 4 * 3_600_000, ttlMs: 4 * 3_600_000 + 7_200_000 + 60_000, incident: expect.stringContaining('again soon after its last hold ran out') }]);
    expect(collapseAfterHoldEnded(0)?.writes?.[0]?.until).toBe(at + 4 * 3_600_000);
    // Two hours after the hold ended (or never held), a collapse is a new one: an hour.
    expect(collapseAfterHoldEnded(2 * 3_600_000)?.writes?.[0]?.until).toBe(at + 3_600_000);
    expect(collapseAfterHoldEnded(at)?.writes?.[0]?.until).toBe(at + 3_600_000);
    // A collapse while the hold still runs renews it by the hour, not by four.
    expect(collapseAfterHoldEnded(-10 * 60_000)?.writes?.[0]?.until).toBe(at + 3_600_000);
  });

  test('a hold keeps refusing while OTPs keep coming, though what is still delivered looks healthy; it lets go once they come at the usual pace', () => {
    const at = input().facts.now;
    const looksHealthy = { ...counts({ sent: 30, verified: 26, recent: 40 }), holdUntil: at + 30 * 60_000 };
    const held = checkConversion({ input: input(), counters: countersWith({ conversion: looksHealthy }), policy, keys });
    expect(held?.finding).toMatchObject({ rule: CONVERSION_RULE, effect: 'block', reason: expect.stringContaining('held earlier and OTPs keep coming (40 in the last 10m') });
    // The hold is not renewed by itself: only a collapse in the counts writes it.
    expect(held?.writes).toEqual([]);
    expect(checkConversion({ input: input(), counters: countersWith({ conversion: { ...looksHealthy, sentRecent: { current: 5, previous: 0 } } }), policy, keys })).toBeUndefined();
    expect(checkConversion({ input: input(), counters: countersWith({ conversion: { ...looksHealthy, holdUntil: at - 1 } }), policy, keys })).toBeUndefined();
  });

  describe('a collapse that requests from abroad made', () => {
    // 230 OTPs of the last 1-2 h unverified, 20 more in the last 10 minutes: of those, `domestic` were requested from DE itself.
    const withDomestic = (domestic: number, extra: Partial<ConversionCounts> = {}) => countersWith({ conversion: { ...counts({ sent: 250, verified: 20 }), domesticRecent: { current: domestic, previous: 0 }, ...extra } });
    const fromGermany = (): DynamicFacts => {
      const base = input();
      return { ...base, facts: { ...base.facts, requestCountry: 'DE' } };
    };

    test('spares a request from inside the country while the domestic requests alone come at the usual pace, and says so', () => {
      // Yesterday's mean pace is 6.9 per 10 minutes: 13 domestic requests are under twice it.
      expect(assessConversion({ ...counts({ sent: 250, verified: 20 }), domesticRecent: { current: 13, previous: 0 } }, POLICY, NOW)).toMatchObject({ state: 'collapsed', ongoing: true, domesticRecent: 13, domesticOngoing: false });
      const outcome = checkConversion({ input: fromGermany(), counters: withDomestic(13), policy, keys });
      expect(outcome?.finding).toEqual({ rule: CONVERSION_RULE, effect: 'trust', reason: 'requested from DE at its usual pace (13 in the last 10m): passes the collapse requests from abroad made (sms)' });
      // The collapse is still recorded: the requests from abroad stay held.
      expect(outcome?.writes).toEqual([expect.objectContaining({ key: keys.conversionHold('DE', 'sms') })]);
      // The same counts refuse a request from abroad, or of unknown geo.
      expect(checkConversion({ input: input(), counters: withDomestic(13), policy, keys })?.finding.effect).toBe('block');
      const unknown = { ...fromGermany(), facts: { ...fromGermany().facts, requestCountry: undefined } };
      expect(checkConversion({ input: unknown, counters: withDomestic(13), policy, keys })?.finding.effect).toBe('block');
    });

    test('refuses it once the domestic requests surge too (an attacker who moved his proxies inside the country)', () => {
      expect(checkConversion({ input: fromGermany(), counters: withDomestic(14), policy, keys })?.finding.effect).toBe('block');
      expect(checkConversion({ input: fromGermany(), counters: withDomestic(20), policy, keys })?.finding.effect).toBe('block');
      // Half-way into the window, half of the previous window's domestic requests still count towards the pace.
      expect(checkConversion({ input: fromGermany(), counters: withDomestic(8, { recentElapsedMs: LAG / 2 }), policy, keys })?.finding.effect).toBe('trust');
      const halfwayMore = withDomestic(8, { recentElapsedMs: LAG / 2, domesticRecent: { current: 8, previous: 12 } });
      expect(checkConversion({ input: fromGermany(), counters: halfwayMore, policy, keys })?.finding.effect).toBe('block');
      // Counts that do not say (none read) spare nobody.
      expect(checkConversion({ input: fromGermany(), counters: collapsed, policy, keys })?.finding.effect).toBe('block');
      expect(assessConversion(counts({ sent: 250, verified: 20 }), POLICY, NOW)).toMatchObject({ domesticRecent: undefined, domesticOngoing: true, foreignOngoing: false });
    });

    test('through a standing hold, domestic requests pass; requests from abroad that alone keep surging with new numbers renew the hold, retries do not', () => {
      const at = input().facts.now;
      // What is still delivered looks healthy (the attack is refused); 40 came in the last 10 minutes.
      // Ten minutes into the pumping rule's hour, DE has had 40 new numbers against a baseline of 30
      // an hour (5 per 10 minutes: its usual pace, so over 10 in the last 10 minutes is a surge).
      const newNumbers = { current: 40, baseline: 30, windows: 30 };
      const tenMinutesIn = (facts: DynamicFacts): DynamicFacts => ({ ...facts, facts: { ...facts.facts, now: at + 10 * 60_000 } });
      const heldWith = (domestic: number, countryRate = newNumbers) =>
        countersWith({ countryRate, conversion: { ...counts({ sent: 30, verified: 26, recent: 40 }), holdUntil: at + 20 * 60_000, domesticRecent: { current: domestic, previous: 0 } } });
      expect(checkConversion({ input: fromGermany(), counters: heldWith(4), policy, keys })?.finding.effect).toBe('trust');
      // 36 from abroad, over twice the usual pace: the hold is renewed (once past half-time: engine/dynamic-rules.ts writesToRecord).
      const renewed = checkConversion({ input: tenMinutesIn(input()), counters: heldWith(4), policy, keys });
      expect(renewed?.finding.effect).toBe('block');
      expect(renewed?.writes).toEqual([{ key: keys.conversionHold('DE', 'sms'), until: at + 70 * 60_000, ttlMs: 3_600_000 + 7_200_000 + 60_000, incident: expect.any(String) }]);
      // A request of unknown geo renews nothing (the Okta hook's are all such).
      const unknownGeo = tenMinutesIn({ ...input(), facts: { ...input().facts, requestCountry: undefined } });
      expect(checkConversion({ input: unknownGeo, counters: heldWith(4), policy, keys })?.writes).toEqual([]);
      // The same attempts from abroad with no new numbers beyond the usual (the refused users of a country mostly reached from abroad, retrying): held, not renewed.
      const retries = checkConversion({ input: tenMinutesIn(input()), counters: heldWith(4, { current: 8, baseline: 30, windows: 30 }), policy, keys });
      expect(retries?.finding.effect).toBe('block');
      expect(retries?.writes).toEqual([]);
      // A home campaign during the hold: 185 of 200 from inside DE; its 15 travellers come faster than twice the usual pace, but make no surge from abroad.
      const campaign = countersWith({ countryRate: { current: 150, baseline: 30, windows: 30 }, conversion: { ...counts({ sent: 30, verified: 26, recent: 200 }), holdUntil: at + 20 * 60_000, domesticRecent: { current: 185, previous: 0 } } });
      expect(checkConversion({ input: tenMinutesIn(input()), counters: campaign, policy, keys })?.writes).toEqual([]);
      // 31 domestic (surging: residents and proxies inside) and 9 from abroad (not twice the usual pace): held, not renewed.
      expect(checkConversion({ input: fromGermany(), counters: heldWith(31), policy, keys })?.finding.effect).toBe('block');
      const notRenewed = checkConversion({ input: tenMinutesIn(input()), counters: heldWith(31), policy, keys });
      expect(notRenewed?.finding.effect).toBe('block');
      expect(notRenewed?.writes).toEqual([]);
    });

    test('new numbers surge: the window so far against the baseline scaled to it, with room', () => {
      const pumping = { windowMs: 3_600_000 };
      const hourStart = Date.UTC(2026, 10, 23, 12);
      const at = (minutes: number) => hourStart + minutes * 60_000;
      const surge = (current: number, baseline: number, minutes: number) => newNumbersSurge({ countryRate: { current, baseline, windows: 30 } }, pumping, at(minutes));
      // Baseline 24 an hour: 30 minutes in, 12 are expected; 2 x 12 + 3 sqrt(12) = 34.4.
      expect(surge(34, 24, 30)).toBe(false);
      expect(surge(35, 24, 30)).toBe(true);
      // One minute in, 0.4 expected: at least 3 new numbers all the same.
      expect(surge(2, 24, 1)).toBe(false);
      expect(surge(3, 24, 1)).toBe(true);
      expect(newNumbersSurge({ countryRate: undefined }, pumping, at(30))).toBe(false);
      expect(newNumbersSurge({ countryRate: { current: 100, baseline: 1, windows: 30 } }, undefined, at(30))).toBe(false);
    });
  });

  test('a number proven for this user, and a challenge to a confirmed factor (Send Phone Message, Okta), are never refused by it', () => {
    expect(checkConversion({ input: input({ userId: 'auth0|ada' }), counters: { ...collapsed, proof: userTag('auth0|ada') }, policy, keys })?.finding.effect).toBe('trust');
    // (The plan reads no conversion counts for a confirmed factor's challenge; given some, it still passes.)
    expect(checkConversion({ input: input({ otpAction: 'second-factor-authentication', recipientIs: 'confirmed-factor' }), counters: collapsed, policy, keys })?.finding.effect).toBe('trust');
    expect(checkConversion({ input: input({ trigger: 'okta-telephony-hook', otpAction: 'second-factor-authentication', recipientIs: 'confirmed-factor' }), counters: collapsed, policy, keys })?.finding.effect).toBe('trust');
    // Another user's proof does not carry over.
    expect(checkConversion({ input: input({ userId: 'auth0|mallory' }), counters: { ...collapsed, proof: userTag('auth0|ada') }, policy, keys })?.finding.effect).toBe('block');
  });

  test('a Unified Phone Experience otp_verify may be a passwordless login to any number: refused on a collapse unless proven', () => {
    expect(checkConversion({ input: input({ trigger: 'custom-phone-provider', otpAction: 'second-factor-authentication' }), counters: collapsed, policy, keys })?.finding.effect).toBe('block');
    // One that reads as an MFA challenge too: in a served country a likely factor proves nothing.
    expect(checkConversion({ input: input({ trigger: 'custom-phone-provider', otpAction: 'second-factor-authentication', recipientIs: 'likely-factor' }), counters: collapsed, policy, keys })?.finding.effect).toBe('block');
    expect(opensNewNumber({ recipientIs: 'unconfirmed' })).toBe(true);
    expect(opensNewNumber({ recipientIs: 'likely-factor' })).toBe(true);
    expect(opensNewNumber({ recipientIs: 'confirmed-factor' })).toBe(false);
  });

  test('healthy, unread (not planned) or without a country: nothing', () => {
    expect(checkConversion({ input: input(), counters: countersWith({ conversion: counts({ sent: 250, verified: 210 }) }), policy, keys })).toBeUndefined();
    expect(checkConversion({ input: input(), counters: countersWith(), policy, keys })).toBeUndefined();
    const nowhere = { ...input(), facts: { ...input().facts, number: { ...input().facts.number, country: undefined } } };
    expect(checkConversion({ input: nowhere, counters: collapsed, policy, keys })).toBeUndefined();
    expect(checkConversion({ input: input(), counters: collapsed, policy: policyOf({ GUARD_CONVERSION: 'off' }), keys })).toBeUndefined();
  });
});

describe('a surge from abroad, held before its conversion can be judged', () => {
  const policy = policyOf();
  // DE: 30 new numbers an hour, 1.5 of them requested from abroad (travellers).
  const usual = { countryRate: { current: 12, baseline: 30, windows: 48 }, foreignRate: { current: 1, baseline: 1.5, windows: 48 } };
  const flood = (foreign: number) => ({ countryRate: { current: 12 + foreign, baseline: 30, windows: 48 }, foreignRate: { current: foreign, baseline: 1.5, windows: 48 } });

  test('new numbers from abroad far above their own baseline and out of proportion to the domestic ones are a surge', () => {
    expect(foreignSurge(usual, 20)).toBe(false);
    // Half the country floor (10 of 20) is never a surge; one more is.
    expect(foreignSurge(flood(10), 20)).toBe(false);
    expect(foreignSurge(flood(11), 20)).toBe(true);
    // A quiet country, reached from abroad for the first time: the floor alone decides.
    expect(foreignSurge({ countryRate: { current: 14, baseline: 3, windows: 48 }, foreignRate: { current: 10, baseline: 0, windows: 48 } }, 20)).toBe(false);
    expect(foreignSurge({ countryRate: { current: 15, baseline: 3, windows: 48 }, foreignRate: { current: 11, baseline: 0, windows: 48 } }, 20)).toBe(true);
    // Without the counter (a request from inside, unknown geo, pumping off) nothing is judged.
    expect(foreignSurge({ countryRate: usual.countryRate, foreignRate: undefined }, 20)).toBe(false);
    expect(foreignSurge(flood(500), undefined)).toBe(false);
  });

  test('a flood from abroad into a country a few residents use rises against them, not against itself', () => {
    // AR: half a new number an hour, nearly all from inside. Eleven from abroad in one window:
    // against the whole country (itself mostly the flood) that rise was no surge.
    const rare = (foreign: number, domestic: number) => ({ countryRate: { current: foreign + domestic, baseline: 0.5, windows: 48 }, foreignRate: { current: foreign, baseline: 0.05, windows: 48 } });
    expect(foreignSurge(rare(11, 1), 20)).toBe(true);
    expect(foreignSurge(rare(10, 1), 20)).toBe(false);
    // Residents who surge too (in-country proxies beside, or a campaign there) keep it off.
    expect(foreignSurge(rare(11, 12), 20)).toBe(false);
  });

  test("a campaign raises the country's requests from abroad with its domestic ones: no surge", () => {
    // Twenty times the domestic pace, its travellers twenty times too.
    expect(foreignSurge({ countryRate: { current: 570 + 30, baseline: 30, windows: 48 }, foreignRate: { current: 30, baseline: 1.5, windows: 48 } }, 20)).toBe(false);
    // An expatriates' tenant: most of IN's requests come from abroad, and the baseline has learned it.
    expect(foreignSurge({ countryRate: { current: 120, baseline: 100, windows: 48 }, foreignRate: { current: 100, baseline: 80, windows: 48 } }, 20)).toBe(false);
    // Its campaign raises both alike; and a flood from abroad raises its whole as much, so such a country is left to its conversion.
    expect(foreignSurge({ countryRate: { current: 600, baseline: 100, windows: 48 }, foreignRate: { current: 480, baseline: 80, windows: 48 } }, 20)).toBe(false);
    expect(foreignSurge({ countryRate: { current: 5100, baseline: 100, windows: 48 }, foreignRate: { current: 5080, baseline: 80, windows: 48 } }, 20)).toBe(false);
    // Where requests from abroad are a small share, the same flood rises alone.
    expect(foreignSurge({ countryRate: { current: 1100, baseline: 100, windows: 48 }, foreignRate: { current: 1080, baseline: 5, windows: 48 } }, 20)).toBe(true);
  });

  test('property: foreign and domestic new numbers rising in the same proportion are never a surge', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 400 }), fc.double({ min: 1, max: 50, noNaN: true }), (domesticBase, foreignBase, rise) => {
        const foreign = { current: Math.round(foreignBase * rise), baseline: foreignBase, windows: 48 };
        const country = { current: Math.round((domesticBase + foreignBase) * rise), baseline: domesticBase + foreignBase, windows: 48 };
        return !foreignSurge({ countryRate: country, foreignRate: foreign }, 20);
      }),
    );
  });

  test('the rule holds the country for unproven numbers requested from abroad, while OTPs keep coming; the residents and proven numbers pass', () => {
    const healthy = counts({ sent: 100, verified: 85, recent: 40 });
    const outcome = checkConversion({ input: input(), counters: countersWith({ conversion: healthy, ...flood(60) }), policy, keys });
    expect(outcome?.finding).toMatchObject({ rule: CONVERSION_RULE, effect: 'block' });
    expect(outcome?.finding.reason).toBe('60 new sms numbers to DE from abroad this window, far above their usual share; a number nothing proves is refused there until it recovers');
    expect(outcome?.writes).toEqual([{ key: keys.conversionHold('DE', 'sms'), until: input().facts.now + 3_600_000, ttlMs: 3_600_000 + 7_200_000 + 60_000, incident: expect.stringContaining('a surge from abroad towards DE (sms)') }]);
    // Held, it refuses as any hold does (renewed while requests from abroad outpace the domestic ones).
    const held = checkConversion({ input: input(), counters: countersWith({ conversion: { ...healthy, holdUntil: input().facts.now + 60_000 }, ...flood(60) }), policy, keys });
    expect(held?.finding).toMatchObject({ effect: 'block', reason: expect.stringContaining('held earlier and OTPs keep coming') });
    // The ordinary share from abroad, or the same surge once OTPs stop coming fast: nothing.
    expect(checkConversion({ input: input(), counters: countersWith({ conversion: healthy, ...usual }), policy, keys })).toBeUndefined();
    expect(checkConversion({ input: input(), counters: countersWith({ conversion: counts({ sent: 100, verified: 85, recent: 2 }), ...flood(60) }), policy, keys })).toBeUndefined();
    // A request from inside DE reads no foreign counter (the batch plans it for requests from abroad only).
    const fromInside = { ...input(), facts: { ...input().facts, requestCountry: 'DE' } };
    expect(checkConversion({ input: fromInside, counters: countersWith({ conversion: healthy, ...flood(60) }), policy, keys })).toBeUndefined();
    // A number proven for this user passes; the hold is still written for the others.
    const proven = checkConversion({ input: { ...input({ userId: 'auth0|u1' }) }, counters: countersWith({ conversion: healthy, ...flood(60), proof: userTag('auth0|u1') }), policy, keys });
    expect(proven?.finding.effect).toBe('trust');
    expect(proven?.writes).toHaveLength(1);
  });
});

describe("a call while the country's SMS is held", () => {
  const policy = policyOf();
  const call = (requestCountry: string | undefined, userId?: string) => {
    const base = input(userId === undefined ? {} : { userId });
    return { ...base, facts: { ...base.facts, channel: 'voice' as const, requestCountry } };
  };
  // DE's calls look ordinary: a few, their codes used; its SMS is held for another half hour.
  const now = input().facts.now;
  const calls = (smsHoldUntil: number) => ({ ...counts({ sent: 10, verified: 9, recent: 1 }), smsHoldUntil });

  test('is refused with the hold; a call from inside DE, one of unknown geo, a proven number and a lapsed hold pass', () => {
    const refused = checkConversion({ input: call('US'), counters: countersWith({ conversion: calls(now + 1_800_000) }), policy, keys });
    expect(refused?.finding).toEqual({ rule: CONVERSION_RULE, effect: 'block', reason: `SMS to DE is held until ${new Date(now + 1_800_000).toISOString()}: a call requested from abroad is refused with it` });
    expect(refused?.writes ?? []).toEqual([]);
    expect(checkConversion({ input: call('DE'), counters: countersWith({ conversion: calls(now + 1_800_000) }), policy, keys })).toBeUndefined();
    expect(checkConversion({ input: call(undefined), counters: countersWith({ conversion: calls(now + 1_800_000) }), policy, keys })).toBeUndefined();
    expect(checkConversion({ input: call('US'), counters: countersWith({ conversion: calls(now) }), policy, keys })).toBeUndefined();
    const proven = checkConversion({ input: call('US', 'auth0|u1'), counters: countersWith({ conversion: calls(now + 1_800_000), proof: userTag('auth0|u1') }), policy, keys });
    expect(proven?.finding.effect).toBe('trust');
  });

  test('from inside DE, a call is refused with the hold only while calls come at over twice their usual pace', () => {
    const surging = { ...counts({ sent: 10, verified: 9, recent: 40 }), smsHoldUntil: now + 1_800_000 };
    const refused = checkConversion({ input: call('DE'), counters: countersWith({ conversion: surging }), policy, keys });
    expect(refused?.finding).toEqual({ rule: CONVERSION_RULE, effect: 'block', reason: `SMS to DE is held until ${new Date(now + 1_800_000).toISOString()}: a call while calls come at over twice their usual pace is refused with it` });
    // At the usual pace (above) it passes; unknown geo says nothing either way.
    expect(checkConversion({ input: call(undefined), counters: countersWith({ conversion: surging }), policy, keys })).toBeUndefined();
  });

  test('an SMS request reads no SMS hold of its own this way (its own hold decides)', () => {
    const sms = { ...input(), facts: { ...input().facts, requestCountry: 'US' } };
    expect(checkConversion({ input: sms, counters: countersWith({ conversion: calls(now + 1_800_000) }), policy, keys })).toBeUndefined();
  });
});

/**
 * A Kenya its residents opened (a tier country): yesterday 48 new numbers, 36 verified (75 %, 2 an
 * hour). Today so far `today` OTPs (1 in the last 10 minutes, not judged yet), `verified` of them
 * used; `lastHours` came this hour and the previous one (the decision is 1 h 10 min into the hour).
 */
function kenyaToday(today: number, verified: number, lastHours: number): ConversionCounts {
  return {
    sentHours: { current: Math.ceil(lastHours / 2), previous: Math.floor(lastHours / 2) },
    refusedHours: { current: 0, previous: 0 },
    verifiedHours: { current: 1, previous: 1 },
    sentRecent: { current: 1, previous: 0 },
    refusedRecent: { current: 0, previous: 0 },
    recentElapsedMs: LAG - 1,
    lagMs: LAG,
    yesterday: { sent: 48, refused: 0, verified: 36 },
    tenantYesterday: { sent: 5000, refused: 0, verified: 4250 },
    holdUntil: 0,
    today: { sent: today, refused: 0, verified },
  };
}

describe('a hold measures itself: probes from inside the country, and the recovery they show', () => {
  const policy = policyOf();
  const at = NOW;
  /**
   * Held for another 30 minutes. The last 1-2 hours still show the collapse (250 delivered, 20
   * verified); this hour, `thisHour` delivered OTPs old enough to be judged, `verifiedThisHour` of
   * them verified; 40 came in the last 10 minutes, `domestic` of them from inside DE.
   */
  const heldCounts = (options: { thisHour: number; verifiedThisHour: number; domestic?: number; deliveredThisLag?: number }): ConversionCounts => {
    const base = counts({ sent: 250, verified: 20, recent: 40 });
    const domestic = options.domestic ?? 40;
    const deliveredThisLag = options.deliveredThisLag ?? 0;
    return {
      ...base,
      sentHours: { current: options.thisHour + 40, previous: 250 - options.thisHour },
      refusedHours: { current: 40 - deliveredThisLag, previous: 0 },
      verifiedHours: { current: options.verifiedThisHour, previous: 20 - Math.min(20, options.verifiedThisHour) },
      sentRecent: { current: 40, previous: 0 },
      refusedRecent: { current: 40 - deliveredThisLag, previous: 0 },
      holdUntil: at + 30 * 60_000,
      domesticRecent: { current: domestic, previous: 0 },
      domesticHours: { current: domestic * 3, previous: 0 },
    };
  };
  const fromGermanyAt = (now: number): DynamicFacts => {
    const base = input();
    return { ...base, facts: { ...base.facts, now, requestCountry: 'DE' } };
  };
  /** The first milliseconds from NOW on whose draw is (or is not) a probe for GERMANY. */
  const drawnAt = (wanted: boolean): number => {
    for (let now = at; ; now += 1) if (probeDrawn(GERMANY, now, PROBE_ONE_IN) === wanted) return now;
  };

  test('the draw takes about one in PROBE_ONE_IN, decided by the millisecond, the same every time for the same one', () => {
    const draws = Array.from({ length: 20_000 }, (_, index) => probeDrawn(GERMANY, at + index, PROBE_ONE_IN));
    const share = draws.filter(Boolean).length / draws.length;
    expect(share).toBeGreaterThan(0.8 / PROBE_ONE_IN);
    expect(share).toBeLessThan(1.2 / PROBE_ONE_IN);
    expect(draws.map((_, index) => probeDrawn(GERMANY, at + index, PROBE_ONE_IN))).toEqual(draws);
    // Another number drawn at the same milliseconds is not drawn alike.
    expect(Array.from({ length: 2_000 }, (_, index) => probeDrawn('+4915112345679', at + index, PROBE_ONE_IN))).not.toEqual(draws.slice(0, 2_000));
  });

  test('a drawn OTP requested from inside the held country passes as a probe, up to PROBES_PER_LAG delivered a lag window; one from abroad, of unknown geo or in the tier does not', () => {
    const drawn = drawnAt(true);
    const held = countersWith({ conversion: heldCounts({ thisHour: 0, verifiedThisHour: 0, deliveredThisLag: 1 }) });
    const probe = checkConversion({ input: fromGermanyAt(drawn), counters: held, policy, keys });
    expect(probe?.finding).toEqual({ rule: CONVERSION_RULE, effect: 'trust', reason: expect.stringContaining('a probe of the hold on DE (sms)') });
    expect(checkConversion({ input: fromGermanyAt(drawnAt(false)), counters: held, policy, keys })?.finding.effect).toBe('block');
    const full = countersWith({ conversion: heldCounts({ thisHour: 0, verifiedThisHour: 0, deliveredThisLag: PROBES_PER_LAG + 1 }) });
    expect(checkConversion({ input: fromGermanyAt(drawn), counters: full, policy, keys })?.finding.effect).toBe('block');
    const atCap = countersWith({ conversion: heldCounts({ thisHour: 0, verifiedThisHour: 0, deliveredThisLag: PROBES_PER_LAG }) });
    expect(checkConversion({ input: fromGermanyAt(drawn), counters: atCap, policy, keys })?.finding.effect).toBe('trust');
    const fromAbroad = { ...fromGermanyAt(drawn), facts: { ...fromGermanyAt(drawn).facts, requestCountry: 'US' } };
    expect(checkConversion({ input: fromAbroad, counters: held, policy, keys })?.finding.effect).toBe('block');
    const unknown = { ...fromGermanyAt(drawn), facts: { ...fromGermanyAt(drawn).facts, requestCountry: undefined } };
    expect(checkConversion({ input: unknown, counters: held, policy, keys })?.finding.effect).toBe('block');
    // GUARD_CONVERSION_PROBES=0: no probes, the hold refuses them all.
    const noProbes = policyOf({ GUARD_CONVERSION_PROBES: '0' });
    expect(checkConversion({ input: fromGermanyAt(drawn), counters: held, policy: noProbes, keys })?.finding.effect).toBe('block');
    expect(Array.from({ length: 1_000 }, (_, index) => probeDrawn(GERMANY, at + index, 0)).some(Boolean)).toBe(false);
    // A collapse seen just now admits probes too, and still writes its hold.
    const collapsing = countersWith({ conversion: { ...heldCounts({ thisHour: 0, verifiedThisHour: 0, deliveredThisLag: 1 }), holdUntil: 0 } });
    const first = checkConversion({ input: fromGermanyAt(drawn), counters: collapsing, policy, keys });
    expect(first?.finding.effect).toBe('trust');
    expect(first?.writes).toEqual([expect.objectContaining({ key: keys.conversionHold('DE', 'sms') })]);
  });

  test('this hour\'s probes converting like yesterday lift the hold for requests from inside the country while its domestic pace surges; probes that do not, or too few, keep it', () => {
    const recovered = (conversion: ConversionCounts) => assessConversion(conversion, POLICY, at).recovered;
    // 20 judged this hour, 15 verified: 75 % against 85 % yesterday.
    const converting = heldCounts({ thisHour: 20, verifiedThisHour: 15 });
    expect(assessConversion(converting, POLICY, at)).toMatchObject({ state: 'collapsed', recovered: true });
    const lifted = checkConversion({ input: fromGermanyAt(drawnAt(false)), counters: countersWith({ conversion: converting }), policy, keys });
    expect(lifted?.finding).toEqual({ rule: CONVERSION_RULE, effect: 'trust', reason: 'requested from DE, whose probes convert again (sms): the hold stands for requests from abroad' });
    // The collapse is still written: requests from abroad stay held.
    expect(lifted?.writes).toEqual([expect.objectContaining({ key: keys.conversionHold('DE', 'sms') })]);
    // GUARD_CONVERSION_PROBES=0 turns the recovery off with the probes.
    expect(assessConversion(converting, { ...POLICY, probeOneIn: 0 }, at).recovered).toBe(false);
    const fromAbroad = { ...fromGermanyAt(drawnAt(false)), facts: { ...fromGermanyAt(drawnAt(false)).facts, requestCountry: 'FR' } };
    expect(checkConversion({ input: fromAbroad, counters: countersWith({ conversion: converting }), policy, keys })?.finding.effect).toBe('block');
    // The attack's own numbers drawn: 20 judged, 1 verified.
    expect(recovered(heldCounts({ thisHour: 20, verifiedThisHour: 1 }))).toBe(false);
    expect(checkConversion({ input: fromGermanyAt(drawnAt(false)), counters: countersWith({ conversion: heldCounts({ thisHour: 20, verifiedThisHour: 1 }) }), policy, keys })?.finding.effect).toBe('block');
    // Half of what yesterday predicts is the line: 20 x 0.85 x 0.5 = 8.5.
    expect(recovered(heldCounts({ thisHour: 20, verifiedThisHour: 8 }))).toBe(false);
    expect(recovered(heldCounts({ thisHour: 20, verifiedThisHour: 9 }))).toBe(true);
    // Under PROBE_MIN delivered this hour, it is judged with the last hour's (here the collapse itself).
    expect(recovered(heldCounts({ thisHour: PROBE_MIN - 1, verifiedThisHour: PROBE_MIN - 1 }))).toBe(false);
    expect(recovered(heldCounts({ thisHour: PROBE_MIN, verifiedThisHour: PROBE_MIN - 1 }))).toBe(true);
    // A hold's few young probes, 10 delivered in the last lag: 4 already back is enough for PROBE_MIN (0.425 x 8 = 3.4).
    expect(recovered(heldCounts({ thisHour: 0, verifiedThisHour: 4, deliveredThisLag: 10 }))).toBe(true);
    expect(recovered(heldCounts({ thisHour: 0, verifiedThisHour: 3, deliveredThisLag: 10 }))).toBe(false);
    // The hold just lifted: a burst of 40 in this lag window, its codes not back yet, is left out; the hour's 20 older codes decide.
    expect(recovered(heldCounts({ thisHour: 20, verifiedThisHour: 15, deliveredThisLag: 40 }))).toBe(true);
    expect(recovered(heldCounts({ thisHour: 20, verifiedThisHour: 8, deliveredThisLag: 40 }))).toBe(false);
    // Probes only in this lag window (7 at most): its codes count as half back, as under the hold.
    expect(recovered(heldCounts({ thisHour: PROBE_MIN, verifiedThisHour: 4, deliveredThisLag: PROBES_PER_LAG + 1 }))).toBe(false);
    expect(recovered(heldCounts({ thisHour: PROBE_MIN, verifiedThisHour: 5, deliveredThisLag: PROBES_PER_LAG + 1 }))).toBe(true);
    // An attack let through at twice the residents' pace for half an hour: 100 delivered, 17 in the last 5 minutes and
    // 33 in the lag window before, 24 verified (the residents'): no recovery, the previous window's codes counting as half back.
    const attackFlowing: ConversionCounts = {
      ...heldCounts({ thisHour: 0, verifiedThisHour: 0 }),
      sentHours: { current: 100, previous: 250 },
      refusedHours: { current: 0, previous: 0 },
      verifiedHours: { current: 24, previous: 20 },
      sentRecent: { current: 17, previous: 33 },
      refusedRecent: { current: 0, previous: 0 },
    };
    expect(recovered(attackFlowing)).toBe(false);
    expect(recovered({ ...attackFlowing, verifiedHours: { current: 40, previous: 20 } })).toBe(true);
    // Once the collapse has left the last two hours, the hold alone keeps the country while probes do not convert.
    const collapseGone = (verifiedThisHour: number): ConversionCounts => ({ ...heldCounts({ thisHour: 20, verifiedThisHour }), sentHours: { current: 60, previous: 30 }, verifiedHours: { current: verifiedThisHour, previous: 26 } });
    expect(assessConversion(collapseGone(1), POLICY, at)).toMatchObject({ state: 'held', recovered: false });
    expect(assessConversion(collapseGone(15), POLICY, at)).toMatchObject({ state: 'held', recovered: true });
    // A new hour starts with too few judged: the last hour whole decides, so a lifted hold is not taken back at the hour.
    const newHour = (lastHour: { delivered: number; verified: number }): ConversionCounts => ({
      ...heldCounts({ thisHour: 3, verifiedThisHour: 1 }),
      sentHours: { current: 43, previous: lastHour.delivered },
      verifiedHours: { current: 1, previous: lastHour.verified },
    });
    expect(recovered(newHour({ delivered: 300, verified: 250 }))).toBe(true);
    // The last hour held the collapse itself (its pumped numbers unverified): not recovered.
    expect(recovered(newHour({ delivered: 300, verified: 40 }))).toBe(false);
  });

  test('a collapse made from abroad is never lifted by the residents it lets pass: their codes are no probes', () => {
    // 6 of the last 40 from inside DE: the domestic pace is the usual one, residents pass, and they convert.
    expect(assessConversion(heldCounts({ thisHour: 20, verifiedThisHour: 17, domestic: 6 }), POLICY, at)).toMatchObject({ state: 'collapsed', recovered: false });
    // Domestic counts unread (not the Actions' batch): nothing is lifted on an assumption.
    const { domesticHours: _unread, ...unread } = heldCounts({ thisHour: 20, verifiedThisHour: 17 });
    expect(assessConversion(unread, POLICY, at)).toMatchObject({ state: 'collapsed', recovered: false });
  });

  test('the attack feeding the hold from inside gets at most PROBES_PER_LAG delivered a lag window: six windows an hour', () => {
    // Every attempt drawn or not, over an hour of 2 000 attempts spread evenly, the cap bounds what passes.
    let deliveredThisLag = 0;
    let window = -1;
    let passed = 0;
    for (let index = 0; index < 2_000; index += 1) {
      const now = at + Math.floor((index * 3_600_000) / 2_000);
      const lagWindow = Math.floor(now / LAG);
      if (lagWindow !== window) [window, deliveredThisLag] = [lagWindow, 0];
      const counters = countersWith({ conversion: heldCounts({ thisHour: 0, verifiedThisHour: 0, deliveredThisLag: deliveredThisLag + 1 }) });
      if (checkConversion({ input: fromGermanyAt(now), counters, policy, keys })?.finding.effect === 'trust') [passed, deliveredThisLag] = [passed + 1, deliveredThisLag + 1];
    }
    expect(passed).toBeGreaterThan(0);
    expect(passed).toBeLessThanOrEqual(7 * PROBES_PER_LAG);
  });
});

describe("today's conversion (a high-risk-tier country opened by its proofs)", () => {
  const KENYA = '+254712345678';
  const tierInput = (options: { userId?: string; tierBlocked?: boolean } = {}): DynamicFacts => {
    const facts = { ...factsFor(KENYA), now: NOW, otpAction: 'enrollment' as const, recipientIs: 'unconfirmed' as const };
    if (options.userId !== undefined) facts.user = { ...facts.user, id: options.userId };
    return { ...dynamicFactsFor(facts), trigger: 'send-phone-message', tierBlocked: options.tierBlocked ?? true };
  };
  const policy = policyOf();

  test("a trickle of a few numbers an hour, under the hour's floor, halves today's conversion: collapsed while OTPs come faster than twice the usual pace", () => {
    // 20 real numbers and 20 pumped ones since midnight; 10 in the last 1-2 hours (8.6 an hour, the usual is 2).
    const trickle = kenyaToday(40, 9, 10);
    expect(assessConversion(trickle, POLICY, NOW).state).toBe('healthy');
    const today = assessToday(trickle, POLICY, NOW);
    expect(today).toMatchObject({ state: 'collapsed', delivered: 39, verified: 9, baseline: 0.75, yardstick: 'country' });
    expect(today.expected).toBeCloseTo(29.25);
    expect(today.perHour).toBeCloseTo(10 / (1 + 10 / 60 - 1 / 60 / 60), 1);
    // The usual pace is the slower of the pumping rule's baseline and yesterday's mean: the baseline
    // learns a trickle that lasts hours, yesterday does not.
    expect(assessToday(trickle, POLICY, NOW, 5).state).toBe('collapsed');
    const busierYesterday = { ...trickle, yesterday: { sent: 200, refused: 0, verified: 150 } };
    expect(assessToday(busierYesterday, POLICY, NOW).state).toBe('subsided');
    expect(assessToday(busierYesterday, POLICY, NOW, 3).state).toBe('collapsed');
  });

  test('once refused, the attempts keep showing the pace: a tier OTP refused is never counted as sent, so its attempts are counted apart', () => {
    // Only 3 admitted in the last hours (the rest refused): by the sent counts alone it would read as subsided.
    const refusedMostly = kenyaToday(40, 9, 3);
    expect(assessToday(refusedMostly, POLICY, NOW).state).toBe('subsided');
    expect(assessToday({ ...refusedMostly, triedHours: { current: 5, previous: 5 } }, POLICY, NOW).state).toBe('collapsed');
    // The hour's hold reads the attempts of the last lag the same way.
    const held = { ...counts({ sent: 30, verified: 26, recent: 2 }), holdUntil: NOW + 30 * 60_000 };
    expect(assessConversion(held, POLICY, NOW).state).toBe('healthy');
    expect(assessConversion({ ...held, triedRecent: { current: 30, previous: 0 } }, POLICY, NOW).state).toBe('held');
  });

  test('once the last hours bring the usual pace, it has subsided; converting like yesterday is healthy; early in the day nothing is judged', () => {
    expect(assessToday(kenyaToday(40, 9, 3), POLICY, NOW).state).toBe('subsided');
    expect(assessToday(kenyaToday(40, 27, 10), POLICY, NOW).state).toBe('healthy');
    // 7 delivered, none verified: under half GUARD_CONVERSION_FLOOR (15) unverified, the tier's floor
    // for the day; 12 are over it, though under the hour's whole floor.
    expect(assessToday(kenyaToday(8, 0, 10), POLICY, NOW).state).toBe('healthy');
    expect(assessToday(kenyaToday(13, 0, 10), POLICY, NOW).state).toBe('collapsed');
    expect(assessConversion(kenyaToday(13, 0, 10), POLICY, NOW).state).not.toBe('collapsed');
    expect(assessToday({ ...kenyaToday(40, 9, 10), yesterday: { sent: 10, refused: 0, verified: 8 }, tenantYesterday: { sent: 0, refused: 0, verified: 0 } }, POLICY, NOW).state).toBe('no-baseline');
  });

  test('the rule refuses an unproven number there, saying what it measured; a proven one passes; outside the tier the day is not judged', () => {
    const counters = countersWith({ conversion: kenyaToday(40, 9, 10) });
    const outcome = checkConversion({ input: tierInput(), counters, policy, keys });
    expect(outcome?.finding).toMatchObject({ rule: CONVERSION_RULE, effect: 'block' });
    // A request from inside Kenya gets no pass there: not from the day's fall, and not from a hold a
    // refused flood from abroad keeps up (30 in the last lag, 1 of them from inside), which would
    // otherwise lift the day's test for a domestic trickle.
    const inKenya = { ...tierInput(), facts: { ...tierInput().facts, requestCountry: 'KE' } };
    const quietAtHome = { domesticRecent: { current: 1, previous: 0 }, domesticHours: { current: 2, previous: 0 } };
    expect(checkConversion({ input: inKenya, counters: countersWith({ conversion: { ...kenyaToday(40, 9, 10), ...quietAtHome } }), policy, keys })?.finding.effect).toBe('block');
    const heldByAFlood = { ...kenyaToday(40, 9, 10), ...quietAtHome, sentRecent: { current: 30, previous: 0 }, holdUntil: NOW + 30 * 60_000 };
    expect(assessConversion(heldByAFlood, POLICY, NOW)).toMatchObject({ state: 'held', domesticOngoing: false });
    expect(checkConversion({ input: inKenya, counters: countersWith({ conversion: heldByAFlood }), policy, keys })?.finding.effect).toBe('block');
    // Outside the tier the same counts let a domestic request through.
    expect(checkConversion({ input: { ...inKenya, tierBlocked: false }, counters: countersWith({ conversion: heldByAFlood }), policy, keys })?.finding.effect).toBe('trust');
    expect(outcome?.finding.reason).toBe(
      'conversion to KE (sms) fell today: 9 of 39 OTPs delivered since 00:00 UTC (before the last 10m or two) were verified (23%), against 75% for KE yesterday (29 expected), and 8.6 an hour come over the last 1-2 h, over twice the usual pace; a number nothing proves is refused there until it recovers',
    );
    // No hold is written: today's counts keep the evidence until the pace falls back.
    expect(outcome?.writes ?? []).toEqual([]);
    expect(checkConversion({ input: tierInput({ userId: 'auth0|wanjiru' }), counters: { ...counters, proof: userTag('auth0|wanjiru') }, policy, keys })?.finding.effect).toBe('trust');
    expect(checkConversion({ input: tierInput({ tierBlocked: false }), counters, policy, keys })).toBeUndefined();
  });

  test("a tier country's calls meet the same half floor over the day (8), not half of voice's half", () => {
    const calls = { ...tierInput(), facts: { ...tierInput().facts, channel: 'voice' as const } };
    // 5 unused calls today (and 7 unused in the last hours, under voice's 8): no fall yet.
    expect(checkConversion({ input: calls, counters: countersWith({ conversion: kenyaToday(6, 0, 10) }), policy, keys })).toBeUndefined();
    expect(checkConversion({ input: calls, counters: countersWith({ conversion: kenyaToday(13, 0, 10) }), policy, keys })?.finding).toMatchObject({ effect: 'block', reason: expect.stringContaining('conversion to KE (voice) fell today') });
  });

  test("property: a tier country's traffic converting at least as well as yesterday is never collapsed today, at any pace", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 5_000 }), fc.double({ min: 0.1, max: 1, noNaN: true }), (today, lastHours, base) => {
        const counts = { ...kenyaToday(today, Math.ceil(Math.max(0, today - 1) * base), lastHours), yesterday: { sent: 1000, refused: 0, verified: Math.round(1000 * base) } };
        return assessToday(counts, POLICY, NOW).state !== 'collapsed';
      }),
    );
  });
});

describe('GUARD_CONVERSION* settings', () => {
  test('defaults, off, and values', () => {
    expect(policyOf().conversion).toEqual({ floor: 15, drop: 0.5, lagMs: LAG, probeOneIn: 40 });
    expect(policyOf({ GUARD_CONVERSION: 'off' }).conversion).toBeUndefined();
    expect(policyOf({ GUARD_CONVERSION_FLOOR: '40', GUARD_CONVERSION_DROP: '0.3', GUARD_CONVERSION_LAG: '20m', GUARD_CONVERSION_PROBES: '0' }).conversion).toEqual({ floor: 40, drop: 0.3, lagMs: 20 * 60_000, probeOneIn: 0 });
  });

  test.each([
    ['GUARD_CONVERSION', 'maybe'],
    ['GUARD_CONVERSION_FLOOR', 'many'],
    ['GUARD_CONVERSION_FLOOR', '1'],
    ['GUARD_CONVERSION_DROP', '2'],
    ['GUARD_CONVERSION_DROP', 'half'],
    ['GUARD_CONVERSION_LAG', '2h'],
    ['GUARD_CONVERSION_LAG', 'soon'],
    ['GUARD_CONVERSION_PROBES', '-1'],
    ['GUARD_CONVERSION_PROBES', 'some'],
  ])('%s=%s is reported by name and the default kept', (name, value) => {
    const errors = new ConfigErrors();
    expect(parseConversionSettings({ [name]: value }, errors)).toEqual({ floor: 15, drop: 0.5, lagMs: LAG, probeOneIn: 40 });
    expect(errors.errors.map((error) => error.message).join(' ')).toContain(name);
  });
});

describe('servedBySmsYesterday', () => {
  test("a voice decision's country is served by SMS when its SMS codes came back yesterday, enough to be a yardstick", () => {
    const day = (sms: { sent: number; refused?: number; verified: number }) => ({ refused: 0, ...sms });
    expect(servedBySmsYesterday(day({ sent: 200, verified: 170 }))).toBe(true);
    expect(servedBySmsYesterday(day({ sent: 200, verified: 5 }))).toBe(false);
    expect(servedBySmsYesterday(day({ sent: 20, verified: 18 }))).toBe(false);
    expect(servedBySmsYesterday(day({ sent: 200, refused: 180, verified: 15 }))).toBe(false);
    expect(servedBySmsYesterday(undefined)).toBe(false);
  });
});
