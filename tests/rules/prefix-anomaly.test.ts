import fc from 'fast-check';
import { type Secrets } from '../../shared/config/static-policy';
import { type PumpingPolicy } from '../../shared/config/dynamic-policy';
import type { Counters, DynamicFacts, DynamicRuleContext, RateCount } from '../../shared/engine/dynamic-types';
import type { ConversionCounts } from '../../shared/feedback/conversion-counts';
import {
  PREFIX_ANOMALY_RULE,
  channelParameters,
  checkPrefixAnomaly,
  countryIsAnomalous,
  countryIsUnproven,
  countryThreshold,
  rangeOf,
  rangeThreshold,
  trafficBesideVoice,
} from '../../shared/rules/prefix-anomaly';
import { GuardKeys } from '../../shared/store/keys';
import { readTrustTier } from '../../shared/trust';
import { NUMBERS, factsFor } from '../support/facts';
import { countersWith, policyOf } from '../support/dynamic-context';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.UTC(2026, 10, 23, 12, 10);
const keys = new GuardKeys('t:test');


const PUMPING = policyOf().pumping as PumpingPolicy;


function contextFor(
  counters: Partial<Counters>,
  options: { recipient?: string; secrets?: Secrets; highRisk?: boolean; trustedNumber?: boolean } = {},
): DynamicRuleContext {
  const facts = factsFor(options.recipient ?? NUMBERS.US, { now: NOW });
  const input: DynamicFacts = {
    trigger: 'send-phone-message',
    facts,
    trustedNumber: options.trustedNumber ?? false,
    trustedNetwork: false,
    trust: readTrustTier(facts.user.appMetadata),
    range: rangeOf(facts.number.e164, facts.number.callingCode, 4),
    block: rangeOf(facts.number.e164, facts.number.callingCode, 5),
    tierBlocked: false,
    highRiskCountry: options.highRisk ?? false,
    staticBlocked: false,
    firmStaticBlock: false,
  };
  return { input, counters: countersWith(counters), policy: policyOf(options.secrets), keys };
}

const rate = (current: number, baseline: number, windows = 100): RateCount => ({ current, baseline, windows });
/** The tenant has more history than the learning period (24 windows by default): baselines can be trusted. */
const LEARNED: Partial<Counters> = { tenantRate: rate(500, 400, 100) };
const iso = (ms: number) => new Date(ms).toISOString();
/** A quiet, well-served US: 3 new numbers on this range, 40 in the country (baseline 50). */
const QUIET: Partial<Counters> = { ...LEARNED, range: rate(3, 1), countryRate: rate(40, 50) };

describe('rangeOf', () => {
  test('drops the last 4 digits of a US number', () => {
    expect(rangeOf('+14155552671', '1', 4)).toBe('+1415555');
  });

  test('works from parsed numbers (GB mobile)', () => {
    const facts = factsFor(NUMBERS.GB_MOBILE);
    expect(rangeOf(facts.number.e164, facts.number.callingCode, 4)).toBe('+44740012');
  });

  test('short national numbers keep at least 3 national digits', () => {
    expect(rangeOf('+6834002', '683', 4)).toBe('+683400'); // 4 national digits: drop only 1
    expect(rangeOf('+2901234', '290', 4)).toBe('+290123'); // 4 national digits
    expect(rangeOf('+290123', '290', 4)).toBe('+290123'); // 3 national digits: drop none
    expect(rangeOf('+29012', '290', 4)).toBe('+29012'); // fewer than 3: kept whole
    expect(rangeOf('+3541234567', '354', 4)).toBe('+354123'); // 7 national digits: 3 kept
  });

  test('property: a prefix of the number that keeps the calling code and min(3, national) national digits', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[1-9]\d{0,2}$/),
        fc.stringMatching(/^\d{1,14}$/),
        fc.integer({ min: 0, max: 8 }),
        (callingCode, national, drop) => {
          const e164 = `+${callingCode}${national}`;
          const range = rangeOf(e164, callingCode, drop);
          expect(e164.startsWith(range)).toBe(true);
          const keptNational = range.length - 1 - callingCode.length;
          expect(keptNational).toBeGreaterThanOrEqual(Math.min(3, national.length));
          expect(e164.length - range.length).toBeLessThanOrEqual(drop);
          if (national.length >= drop + 3) expect(e164.length - range.length).toBe(drop);
        },
      ),
    );
  });
});

describe('thresholds', () => {
  test('the defaults: range floor 8, country floor 20, factor 4', () => {
    expect(PUMPING).toMatchObject({ rangeFloor: 8, countryFloor: 20, factor: 4, servedBaseline: 5, learningWindows: 24, blockMs: 12 * HOUR });
  });

  test('with no baseline the threshold is the floor', () => {
    expect(rangeThreshold(0, PUMPING, false)).toBe(8);
    expect(countryThreshold(0, PUMPING, false)).toBe(20);
  });

  test('the threshold grows with the baseline: factor x b + 3 sqrt(b), rounded up', () => {
    expect(rangeThreshold(1, PUMPING, false)).toBe(8); // 7 is under the floor
    expect(rangeThreshold(2.25, PUMPING, false)).toBe(14); // 9 + 4.5 = 13.5
    expect(rangeThreshold(4, PUMPING, false)).toBe(22); // 16 + 6
    expect(countryThreshold(50, PUMPING, false)).toBe(222); // 200 + 21.21
    expect(countryThreshold(100, PUMPING, false)).toBe(430); // 400 + 30
  });

  test('a high-risk prior halves the range floor and quarters the country floor', () => {
    expect(rangeThreshold(0, PUMPING, true)).toBe(4);
    expect(countryThreshold(0, PUMPING, true)).toBe(5);
    // a large baseline is not discounted
    expect(rangeThreshold(4, PUMPING, true)).toBe(22);
    expect(countryThreshold(100, PUMPING, true)).toBe(430);
  });

  test('odd floors are rounded up when discounted', () => {
    const odd = { ...PUMPING, rangeFloor: 3, countryFloor: 2 };
    expect(rangeThreshold(0, odd, true)).toBe(2);
    expect(countryThreshold(0, odd, true)).toBe(1);
  });

  test('property: for any baseline b >= 0 the threshold is >= the floor, >= factor x b, and non-decreasing in b', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.integer({ min: 2, max: 10_000 }),
        fc.integer({ min: 2, max: 1_000_000 }),
        fc.double({ min: 1.5, max: 100, noNaN: true }),
        fc.boolean(),
        (a, b, rangeFloor, countryFloor, factor, highRisk) => {
          const pumping = { ...PUMPING, rangeFloor, countryFloor, factor };
          const rangeFloorUsed = highRisk ? Math.ceil(rangeFloor / 2) : rangeFloor;
          const countryFloorUsed = highRisk ? Math.ceil(countryFloor / 4) : countryFloor;
          const [low, high] = a <= b ? [a, b] : [b, a];
          for (const baseline of [low, high]) {
            expect(rangeThreshold(baseline, pumping, highRisk)).toBeGreaterThanOrEqual(rangeFloorUsed);
            expect(rangeThreshold(baseline, pumping, highRisk)).toBeGreaterThanOrEqual(factor * baseline);
            expect(countryThreshold(baseline, pumping, highRisk)).toBeGreaterThanOrEqual(countryFloorUsed);
            expect(countryThreshold(baseline, pumping, highRisk)).toBeGreaterThanOrEqual(factor * baseline);
          }
          expect(rangeThreshold(high, pumping, highRisk)).toBeGreaterThanOrEqual(rangeThreshold(low, pumping, highRisk));
          expect(countryThreshold(high, pumping, highRisk)).toBeGreaterThanOrEqual(countryThreshold(low, pumping, highRisk));
        },
      ),
    );
  });
});

describe('prefix-anomaly rule', () => {
  test('quiet traffic passes', () => {
    expect(checkPrefixAnomaly(contextFor(QUIET))).toBeUndefined();
  });

  test('a range above its threshold is blocked, and the block is recorded for 12 h', () => {
    const outcome = checkPrefixAnomaly(contextFor({ ...QUIET, range: rate(9, 0) }));
    expect(outcome?.finding.rule).toBe(PREFIX_ANOMALY_RULE);
    expect(outcome?.finding.effect).toBe('block');
    expect(outcome?.finding.reason).toBe('range +1415555 had 9 new sms numbers this window (baseline 0.00, threshold 8)');
    expect(outcome?.writes).toHaveLength(1);
    const write = outcome?.writes?.[0];
    expect(write?.key).toBe(keys.rangeBlock('+1415555'));
    expect(write?.key).toBe('t:test:rng:1415555:block');
    expect(write?.until).toBe(NOW + 12 * HOUR);
    expect(write?.ttlMs).toBeGreaterThanOrEqual(12 * HOUR);
    expect(write?.incident).toContain('pumping suspected on range +1415555');
  });

  test('a range at or below its threshold is not blocked', () => {
    expect(checkPrefixAnomaly(contextFor({ ...QUIET, range: rate(8, 0) }))).toBeUndefined();
    expect(checkPrefixAnomaly(contextFor({ ...QUIET, range: rate(22, 4) }))).toBeUndefined();
    expect(checkPrefixAnomaly(contextFor({ ...QUIET, range: rate(23, 4) }))).toBeDefined();
  });

  test('a range blocked earlier stays blocked with a normal count, and no new block is written', () => {
    const until = NOW + 5 * HOUR;
    const outcome = checkPrefixAnomaly(contextFor({ ...QUIET, range: rate(1, 0), rangeBlockedUntil: until }));
    expect(outcome?.finding).toEqual({
      rule: PREFIX_ANOMALY_RULE,
      effect: 'block',
      reason: `range +1415555 is blocked for pumping until ${iso(until)}`,
    });
    expect(outcome?.writes ?? []).toEqual([]);
  });

  test('a range block that has run out no longer blocks', () => {
    expect(checkPrefixAnomaly(contextFor({ ...QUIET, rangeBlockedUntil: NOW }))).toBeUndefined();
    expect(checkPrefixAnomaly(contextFor({ ...QUIET, rangeBlockedUntil: NOW - HOUR }))).toBeUndefined();
  });

  test('a rise that goes on while blocked renews the block', () => {
    const outcome = checkPrefixAnomaly(contextFor({ ...QUIET, range: rate(30, 0), rangeBlockedUntil: NOW + HOUR }));
    expect(outcome?.writes?.map((write) => [write.key, write.until])).toEqual([[keys.rangeBlock('+1415555'), NOW + 12 * HOUR]]);
  });

  test('the high-risk prior blocks a range sooner', () => {
    expect(checkPrefixAnomaly(contextFor({ range: rate(5, 0) }, { recipient: NUMBERS.NG, highRisk: false }))).toBeUndefined();
    expect(checkPrefixAnomaly(contextFor({ range: rate(5, 0) }, { recipient: NUMBERS.NG, highRisk: true }))).toBeDefined();
  });

  describe('country level', () => {
    // US baseline 50 per window: served. A surge of 300 new numbers is far above 4 x 50 + 3 sqrt(50).
    test('a served country with a big surge spread over many ranges (each range normal) is NOT blocked', () => {
      const outcome = checkPrefixAnomaly(contextFor({ ...LEARNED, range: rate(2, 0.5), countryRate: rate(300, 50) }));
      expect(outcome).toBeUndefined();
    });

    test('the same surge concentrated on this range is blocked range by range, never the served country whole', () => {
      const outcome = checkPrefixAnomaly(contextFor({ ...LEARNED, range: rate(150, 0.5), countryRate: rate(300, 50) }));
      expect(outcome?.finding.effect).toBe('block');
      expect(outcome?.finding.reason).toContain('range +1415555 had 150 new sms numbers');
      expect(outcome?.finding.reason).not.toContain('US had');
      expect(outcome?.writes?.map((write) => [write.key, write.until])).toEqual([[keys.rangeBlock('+1415555'), NOW + 12 * HOUR]]);
    });

    test('property: a served country (baseline >= 5) is never blocked whole, whatever its count', () => {
      fc.assert(
        fc.property(fc.double({ min: 5, max: 1e6, noNaN: true }), fc.nat({ max: 10_000_000 }), fc.boolean(), (baseline, current, highRisk) => {
          const outcome = checkPrefixAnomaly(contextFor({ ...LEARNED, range: rate(1, 0), countryRate: rate(current, baseline) }, { recipient: NUMBERS.NG, highRisk }));
          expect(outcome?.writes ?? []).toEqual([]);
        }),
      );
    });

    test('an unserved country (baseline 0) above its floor is blocked whole', () => {
      const unserved = { ...LEARNED, range: rate(1, 0), countryRate: rate(21, 0) };
      const outcome = checkPrefixAnomaly(contextFor(unserved, { recipient: NUMBERS.FR }));
      expect(outcome?.finding.reason).toContain('FR had 21 new sms numbers this window');
      expect(outcome?.writes?.[0]?.until).toBe(NOW + 12 * HOUR);
      expect(outcome?.writes?.[0]?.incident).toContain('pumping suspected towards FR');
      expect(outcome?.writes?.map((write) => write.key)).toEqual([keys.countryBlock('FR', 'sms')]);
      // at the floor: not yet
      expect(checkPrefixAnomaly(contextFor({ ...unserved, countryRate: rate(20, 0) }, { recipient: NUMBERS.FR }))).toBeUndefined();
    });

    test('a barely served country (baseline just under 5) counts as unserved', () => {
      // threshold max(20, ceil(19.6 + 6.64)) = 27
      const counters = { ...LEARNED, range: rate(1, 0), countryRate: rate(28, 4.9) };
      expect(checkPrefixAnomaly(contextFor(counters, { recipient: NUMBERS.FR }))).toBeDefined();
      expect(checkPrefixAnomaly(contextFor({ ...counters, countryRate: rate(27, 4.9) }, { recipient: NUMBERS.FR }))).toBeUndefined();
    });

    test('a high-risk country is blocked from a quarter of the country floor', () => {
      const counters = { ...LEARNED, range: rate(1, 0), countryRate: rate(6, 0) };
      expect(checkPrefixAnomaly(contextFor(counters, { recipient: NUMBERS.NG, highRisk: true }))).toBeDefined();
      expect(checkPrefixAnomaly(contextFor(counters, { recipient: NUMBERS.NG, highRisk: false }))).toBeUndefined();
    });

    test('a barely-served country where no number was proven, while the tenant\'s codes come back, is blocked from the tier\'s quarter floor', () => {
      const quiet = { sent: 0, refused: 0, verified: 0 };
      const conversion = (tenantYesterday: { sent: number; refused: number; verified: number }): ConversionCounts => ({
        sentHours: { current: 6, previous: 0 },
        refusedHours: { current: 0, previous: 0 },
        verifiedHours: { current: 0, previous: 0 },
        sentRecent: { current: 6, previous: 0 },
        refusedRecent: { current: 0, previous: 0 },
        recentElapsedMs: 0,
        lagMs: 10 * MINUTE,
        yesterday: quiet,
        today: { sent: 6, refused: 0, verified: 0 },
        tenantYesterday,
        holdUntil: 0,
      });
      const wired = conversion({ sent: 4000, refused: 0, verified: 3400 });
      const rise = { ...LEARNED, range: rate(1, 0), countryRate: rate(6, 0) };
      const outcome = checkPrefixAnomaly(contextFor({ ...rise, countryProofs: 0, conversion: wired }, { recipient: NUMBERS.FR }));
      expect(outcome?.finding.reason).toContain('FR had 6 new sms numbers this window, a country where no number is proven');
      expect(outcome?.writes?.map((write) => write.key)).toEqual([keys.countryBlock('FR', 'sms')]);
      expect(countryIsUnproven({ countryProofs: 0, conversion: wired })).toBe(true);
      // At the quarter floor (5): not yet.
      expect(checkPrefixAnomaly(contextFor({ ...rise, countryRate: rate(5, 0), countryProofs: 0, conversion: wired }, { recipient: NUMBERS.FR }))).toBeUndefined();
      // One proof there, feedback that does not work (no yardstick yesterday), or the counts not read: the ordinary floor (20).
      expect(checkPrefixAnomaly(contextFor({ ...rise, countryProofs: 1, conversion: wired }, { recipient: NUMBERS.FR }))).toBeUndefined();
      expect(checkPrefixAnomaly(contextFor({ ...rise, countryProofs: 0, conversion: conversion({ sent: 4000, refused: 0, verified: 40 }) }, { recipient: NUMBERS.FR }))).toBeUndefined();
      expect(checkPrefixAnomaly(contextFor({ ...rise, countryProofs: 0, conversion: undefined }, { recipient: NUMBERS.FR }))).toBeUndefined();
      expect(checkPrefixAnomaly(contextFor({ ...rise, countryProofs: undefined, conversion: wired }, { recipient: NUMBERS.FR }))).toBeUndefined();
      // A served country is never blocked whole for SMS, proofs or not.
      expect(checkPrefixAnomaly(contextFor({ ...LEARNED, range: rate(1, 0), countryRate: rate(60, 50), countryProofs: 0, conversion: wired }, { recipient: NUMBERS.FR }))).toBeUndefined();
    });

    test('while the tenant is still learning (history < 24 windows), only high-risk countries are judged', () => {
      const rise = { range: rate(1, 0), countryRate: rate(30, 0) };
      for (const tenantRate of [undefined, rate(50, 40, 0), rate(50, 40, 23)]) {
        expect(checkPrefixAnomaly(contextFor({ ...rise, tenantRate }, { recipient: NUMBERS.FR }))).toBeUndefined();
        expect(checkPrefixAnomaly(contextFor({ ...rise, tenantRate }, { recipient: NUMBERS.NG, highRisk: true }))?.writes?.map((write) => write.key)).toEqual([keys.countryBlock('NG', 'sms')]);
      }
      expect(checkPrefixAnomaly(contextFor({ ...rise, tenantRate: rate(50, 40, 24) }, { recipient: NUMBERS.FR }))?.writes?.map((write) => write.key)).toEqual([keys.countryBlock('FR', 'sms')]);
    });

    test('while learning, range rises are still caught', () => {
      expect(checkPrefixAnomaly(contextFor({ range: rate(9, 0), countryRate: rate(9, 0) }, { recipient: NUMBERS.FR }))?.writes?.length).toBe(1);
    });

    test('GUARD_PUMPING_MEMORY sets the learning period', () => {
      const rise = { range: rate(1, 0), countryRate: rate(30, 0), tenantRate: rate(50, 40, 6) };
      expect(checkPrefixAnomaly(contextFor(rise, { recipient: NUMBERS.FR, secrets: { GUARD_PUMPING_MEMORY: '6' } }))).toBeDefined();
      expect(checkPrefixAnomaly(contextFor(rise, { recipient: NUMBERS.FR, secrets: { GUARD_PUMPING_MEMORY: '7' } }))).toBeUndefined();
    });

    test('a country blocked earlier stays blocked with normal traffic, and no new block is written', () => {
      const until = NOW + 2 * HOUR;
      const outcome = checkPrefixAnomaly(contextFor({ ...QUIET, countryBlockedUntil: until }));
      expect(outcome?.finding.reason).toBe(`US is blocked for pumping until ${iso(until)}`);
      expect(outcome?.writes ?? []).toEqual([]);
    });

    test('range and country rising together give both reasons and both writes', () => {
      const outcome = checkPrefixAnomaly(contextFor({ ...LEARNED, range: rate(25, 0), countryRate: rate(25, 0) }, { recipient: NUMBERS.FR }));
      const range = contextFor({}, { recipient: NUMBERS.FR }).input.range;
      expect(outcome?.writes?.map((write) => write.key)).toEqual([keys.rangeBlock(range), keys.countryBlock('FR', 'sms')]);
      expect(outcome?.finding.reason.split('; ')).toHaveLength(2);
    });
  });

  test('an allow-listed (trusted) number skips the rule entirely', () => {
    const hot = { ...LEARNED, range: rate(1000, 0), rangeBlockedUntil: NOW + HOUR, countryRate: rate(1000, 0), countryBlockedUntil: NOW + HOUR };
    expect(checkPrefixAnomaly(contextFor(hot))).toBeDefined();
    expect(checkPrefixAnomaly(contextFor(hot, { trustedNumber: true }))).toBeUndefined();
  });

  test('GUARD_PUMPING=off skips the rule', () => {
    const hot = { ...LEARNED, range: rate(1000, 0), rangeBlockedUntil: NOW + HOUR, countryRate: rate(1000, 0) };
    expect(checkPrefixAnomaly(contextFor(hot, { secrets: { GUARD_PUMPING: 'off' } }))).toBeUndefined();
  });

  test('configured floors and block time are used', () => {
    const secrets = { GUARD_PUMPING_RANGE_FLOOR: '3', GUARD_PUMPING_BLOCK: '30m' };
    const outcome = checkPrefixAnomaly(contextFor({ range: rate(4, 0) }, { secrets }));
    expect(outcome?.writes?.[0]?.until).toBe(NOW + 30 * MINUTE);
    expect(checkPrefixAnomaly(contextFor({ range: rate(3, 0) }, { secrets }))).toBeUndefined();
  });
});

describe('a country-wide voice rise', () => {
  const voiceLow = { current: 20, baseline: 0.94, windows: 100 };
  const campaign = rate(2000, 200);
  const flat = rate(210, 200);
  const VOICE = channelParameters(PUMPING, 'voice');

  test("in a country outside the tier that takes few calls but is served by SMS, a campaign's voice (in proportion to the tenant's rise) is spared; voice rising alone is not", () => {
    expect(countryIsAnomalous(voiceLow, VOICE, false, 'voice', campaign, true)).toBe(false);
    expect(countryIsAnomalous(voiceLow, VOICE, false, 'voice', flat, true)).toBe(true);
    // Far beyond the tenant's rise, even a campaign does not explain it.
    expect(countryIsAnomalous({ ...voiceLow, current: 60 }, VOICE, false, 'voice', campaign, true)).toBe(true);
  });

  test("a voice flood into several countries is not its own campaign: the tenant's rise is read without its voice", () => {
    // 20 calls to this country and 1 180 more elsewhere: the whole tenant rate rises 7 times, as a
    // campaign would, and the bigger the flood, the more room it would buy itself.
    const flood = { tenantRate: rate(1400, 200), tenantVoiceRate: rate(1200, 10) };
    expect(countryIsAnomalous(voiceLow, VOICE, false, 'voice', flood.tenantRate, true)).toBe(false);
    expect(trafficBesideVoice(flood)).toEqual({ current: 200, baseline: 190, windows: 100 });
    expect(countryIsAnomalous(voiceLow, VOICE, false, 'voice', trafficBesideVoice(flood), true)).toBe(true);
    // A campaign raises the SMS with the calls: still spared.
    const campaignWithCalls = { tenantRate: rate(2000, 200), tenantVoiceRate: rate(40, 10) };
    expect(countryIsAnomalous(voiceLow, VOICE, false, 'voice', trafficBesideVoice(campaignWithCalls), true)).toBe(false);
  });

  test('without the voice count (an SMS request) the rise is the whole tenant rate; it never goes below zero', () => {
    expect(trafficBesideVoice({ tenantRate: rate(450, 200), tenantVoiceRate: undefined })).toEqual(rate(450, 200));
    expect(trafficBesideVoice({ tenantRate: undefined, tenantVoiceRate: rate(3, 1) })).toBeUndefined();
    expect(trafficBesideVoice({ tenantRate: rate(5, 2, 7), tenantVoiceRate: rate(6, 3) })).toEqual({ current: 0, baseline: 0, windows: 7 });
  });

  test('without SMS served there, in the high-risk tier, or for SMS itself, a barely-served country rising is blocked whatever the tenant does', () => {
    expect(countryIsAnomalous(voiceLow, VOICE, false, 'voice', campaign, false)).toBe(true);
    expect(countryIsAnomalous(voiceLow, VOICE, true, 'voice', campaign, true)).toBe(true);
    expect(countryIsAnomalous({ current: 30, baseline: 0.94, windows: 100 }, PUMPING, false, 'sms', campaign, true)).toBe(true);
  });
});

