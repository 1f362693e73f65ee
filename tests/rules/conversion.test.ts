/**
 * The conversion rule: verified ÷ delivered against the country's own yesterday, and which OTPs a
 * collapse refuses.
 */
import fc from 'fast-check';
import { ConfigErrors } from '../../shared/config/static-policy';
import type { ConversionCounts } from '../../shared/feedback/conversion-counts';
import { opensNewNumber } from '../../shared/feedback/conversion-counts';
import { CONVERSION_RULE, assessConversion, checkConversion, parseConversionSettings, type ConversionPolicy } from '../../shared/rules/conversion';
import type { DynamicFacts } from '../../shared/engine/dynamic-types';
import type { OtpAction } from '../../shared/engine/types';
import type { PhoneTrigger } from '../../shared/pipeline/phone-request';
import { GuardKeys, userTag } from '../../shared/store/keys';
import { factsFor } from '../support/facts';
import { countersWith, dynamicFactsFor, policyOf } from '../support/dynamic-context';

const keys = new GuardKeys('t:test');
const POLICY: ConversionPolicy = { floor: 15, drop: 0.5 };
const GERMANY = '+4915112345678';

/** Counts with yesterday at 85 % (1000 delivered, 850 verified) unless overridden. */
function counts(now: { sent: number; refused?: number; verified: number }, yesterday: { sent: number; refused?: number; verified: number } = { sent: 1000, verified: 850 }): ConversionCounts {
  return {
    sentHours: { current: Math.ceil(now.sent / 2), previous: Math.floor(now.sent / 2) },
    refusedHours: { current: now.refused ?? 0, previous: 0 },
    verifiedHours: { current: Math.ceil(now.verified / 2), previous: Math.floor(now.verified / 2) },
    sentYesterday: yesterday.sent,
    refusedYesterday: yesterday.refused ?? 0,
    verifiedYesterday: yesterday.verified,
  };
}

function input(options: { trigger?: PhoneTrigger; otpAction?: OtpAction; userId?: string } = {}): DynamicFacts {
  const facts = { ...factsFor(GERMANY), otpAction: options.otpAction ?? 'enrollment' };
  if (options.userId !== undefined) facts.user = { ...facts.user, id: options.userId };
  return { ...dynamicFactsFor(facts), trigger: options.trigger ?? 'send-phone-message' };
}

describe('assessConversion', () => {
  test('without a yardstick yesterday the rule stays silent: too few delivered, too few verified, or no feedback wired', () => {
    const collapsedToday = { sent: 200, verified: 0 };
    expect(assessConversion(counts(collapsedToday, { sent: 29, verified: 29 }), POLICY).state).toBe('no-baseline');
    expect(assessConversion(counts(collapsedToday, { sent: 500, verified: 9 }), POLICY).state).toBe('no-baseline');
    // 40 of 500: under one in ten verified is not feedback, it is no feedback.
    expect(assessConversion(counts(collapsedToday, { sent: 500, verified: 40 }), POLICY).state).toBe('no-baseline');
    // Yesterday's refusals were never delivered: 1000 sent of which 980 refused is 20 delivered.
    expect(assessConversion(counts(collapsedToday, { sent: 1000, refused: 980, verified: 15 }), POLICY).state).toBe('no-baseline');
  });

  test('a surge that converts like yesterday is healthy, however large', () => {
    expect(assessConversion(counts({ sent: 5000, verified: 4000 }), POLICY)).toMatchObject({ state: 'healthy', delivered: 5000, verified: 4000, baseline: 0.85 });
  });

  test('pumping added to a country collapses its conversion: refused', () => {
    // 100 real users converting at 85 % plus 150 pumped numbers that never verify.
    const assessment = assessConversion(counts({ sent: 250, verified: 85 }), POLICY);
    expect(assessment).toMatchObject({ state: 'collapsed', delivered: 250, verified: 85 });
    expect(assessment.expected).toBeCloseTo(212.5);
  });

  test('pumping smaller than the real traffic does not halve conversion: not judged here (the prefix rule watches concentrated rises)', () => {
    expect(assessConversion(counts({ sent: 180, verified: 85 }), POLICY).state).toBe('healthy');
  });

  test('under GUARD_CONVERSION_FLOOR unverified OTPs nothing trips, even with none verified', () => {
    expect(assessConversion(counts({ sent: 14, verified: 0 }), POLICY).state).toBe('healthy');
    expect(assessConversion(counts({ sent: 16, verified: 0 }), POLICY).state).toBe('collapsed');
    expect(assessConversion(counts({ sent: 16, verified: 0 }), { ...POLICY, floor: 40 }).state).toBe('healthy');
  });

  test("refused OTPs are not delivered: a country whose attack is already refused does not read as collapsed", () => {
    expect(assessConversion(counts({ sent: 1000, refused: 900, verified: 85 }), POLICY).state).toBe('healthy');
  });

  test('a quiet country is not judged on a handful of codes (three standard deviations short of the expectation, too)', () => {
    // 20 delivered at yesterday's 85 % expects 17; 5 verified is under half of it but within 3 sqrt(17) = 12.4.
    expect(assessConversion(counts({ sent: 20, verified: 5 }), { floor: 3, drop: 0.5 }).state).toBe('healthy');
    expect(assessConversion(counts({ sent: 20, verified: 4 }), { floor: 3, drop: 0.5 }).state).toBe('collapsed');
  });

  test('property: ordinary traffic converting at least as well as yesterday is never collapsed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.double({ min: 0.1, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.2, noNaN: true }), (sent, base, lag) => {
        const verified = Math.floor(sent * base * (1 - lag));
        const yesterday = { sent: 1000, verified: Math.round(1000 * base) };
        return assessConversion(counts({ sent, verified }, yesterday), POLICY).state !== 'collapsed';
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
      'conversion to DE (sms) collapsed: 20 of 250 OTPs delivered in the last 1-2 h were verified (8%), against 85% yesterday (213 expected); a number nothing proves is refused there until it recovers',
    );
    expect(outcome?.writes).toBeUndefined();
  });

  test('a number proven for this user, and a challenge to a confirmed factor (Send Phone Message, Okta), are never refused by it', () => {
    expect(checkConversion({ input: input({ userId: 'auth0|ada' }), counters: { ...collapsed, proof: userTag('auth0|ada') }, policy, keys })).toBeUndefined();
    expect(checkConversion({ input: input({ otpAction: 'second-factor-authentication' }), counters: collapsed, policy, keys })).toBeUndefined();
    expect(checkConversion({ input: input({ trigger: 'okta-telephony-hook', otpAction: 'second-factor-authentication' }), counters: collapsed, policy, keys })).toBeUndefined();
    // Another user's proof does not carry over.
    expect(checkConversion({ input: input({ userId: 'auth0|mallory' }), counters: { ...collapsed, proof: userTag('auth0|ada') }, policy, keys })?.finding.effect).toBe('block');
  });

  test('a Unified Phone Experience otp_verify may be a passwordless login to any number: refused on a collapse unless proven', () => {
    expect(checkConversion({ input: input({ trigger: 'custom-phone-provider', otpAction: 'second-factor-authentication' }), counters: collapsed, policy, keys })?.finding.effect).toBe('block');
    expect(opensNewNumber('custom-phone-provider', 'second-factor-authentication')).toBe(true);
    expect(opensNewNumber('send-phone-message', 'second-factor-authentication')).toBe(false);
    expect(opensNewNumber('send-phone-message', 'enrollment')).toBe(true);
    expect(opensNewNumber('okta-telephony-hook', 'unknown')).toBe(true);
  });

  test('healthy, unread (not planned) or without a country: nothing', () => {
    expect(checkConversion({ input: input(), counters: countersWith({ conversion: counts({ sent: 250, verified: 210 }) }), policy, keys })).toBeUndefined();
    expect(checkConversion({ input: input(), counters: countersWith(), policy, keys })).toBeUndefined();
    const nowhere = { ...input(), facts: { ...input().facts, number: { ...input().facts.number, country: undefined } } };
    expect(checkConversion({ input: nowhere, counters: collapsed, policy, keys })).toBeUndefined();
    expect(checkConversion({ input: input(), counters: collapsed, policy: policyOf({ GUARD_CONVERSION: 'off' }), keys })).toBeUndefined();
  });
});

describe('GUARD_CONVERSION* settings', () => {
  test('defaults, off, and values', () => {
    expect(policyOf().conversion).toEqual({ floor: 15, drop: 0.5 });
    expect(policyOf({ GUARD_CONVERSION: 'off' }).conversion).toBeUndefined();
    expect(policyOf({ GUARD_CONVERSION_FLOOR: '40', GUARD_CONVERSION_DROP: '0.3' }).conversion).toEqual({ floor: 40, drop: 0.3 });
  });

  test.each([
    ['GUARD_CONVERSION', 'maybe'],
    ['GUARD_CONVERSION_FLOOR', 'many'],
    ['GUARD_CONVERSION_FLOOR', '1'],
    ['GUARD_CONVERSION_DROP', '2'],
    ['GUARD_CONVERSION_DROP', 'half'],
  ])('%s=%s is reported by name and the default kept', (name, value) => {
    const errors = new ConfigErrors();
    expect(parseConversionSettings({ [name]: value }, errors)).toEqual({ floor: 15, drop: 0.5 });
    expect(errors.errors.map((error) => error.message).join(' ')).toContain(name);
  });
});
