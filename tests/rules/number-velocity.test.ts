import fc from 'fast-check';
import { type Secrets } from '../../shared/config/static-policy';
import { type ResendPolicy } from '../../shared/config/dynamic-policy';
import type { Counters, DynamicFacts, DynamicRuleContext } from '../../shared/engine/dynamic-types';
import { NUMBER_VELOCITY_RULE, checkNumberVelocity, requiredResendDelayMs } from '../../shared/rules/number-velocity';
import { GuardKeys } from '../../shared/store/keys';
import { proofValue } from '../../shared/feedback/proofs';
import { proofOf } from '../../shared/rules/served-country';
import { NUMBERS, factsFor } from '../support/facts';
import { countersWith, dynamicFactsFor, policyOf } from '../support/dynamic-context';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const NOW = Date.UTC(2026, 10, 23, 12, 20);



function inputFor(recipient: string = NUMBERS.US): DynamicFacts {
  const facts = factsFor(recipient, { now: NOW });
  return dynamicFactsFor(facts);
}

function check(counters: Partial<Counters>, secrets: Secrets = {}) {
  const context: DynamicRuleContext = {
    input: inputFor(),
    counters: countersWith(counters),
    policy: policyOf(secrets),
    keys: new GuardKeys('t:test'),
  };
  return checkNumberVelocity(context);
}

/** Attempt `attempt` of a streak, `waitedMs` after the previous one, with `inWindow` attempts counted this hour. */
function attempt(attemptNumber: number, waitedMs: number | undefined, inWindow = attemptNumber): Partial<Counters> {
  return {
    streak: { previousAt: waitedMs === undefined ? undefined : NOW - waitedMs, streak: attemptNumber },
    number: { current: inWindow, previous: 0 },
  };
}

describe('requiredResendDelayMs', () => {
  /** 3 free attempts, 30 s base, 32 min max, set explicitly. */
  const resend = policyOf({ GUARD_RESEND_DELAY: '30s', GUARD_RESEND_MAX_DELAY: '32m' }).resend as ResendPolicy;
  /** What ships (pinned in dynamic-policy.test.ts). */
  const shipped = policyOf().resend as ResendPolicy;

  test('the settings parse to 3 free attempts, 30 s base, 32 min max', () => {
    expect(resend).toMatchObject({ freeAttempts: 3, baseDelayMs: 30 * SECOND, maxDelayMs: 32 * MINUTE });
  });

  test('the first three attempts need no wait, then the wait doubles from 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => requiredResendDelayMs(n, resend))).toEqual([
      0,
      0,
      0,
      30 * SECOND,
      60 * SECOND,
      2 * MINUTE,
      4 * MINUTE,
      8 * MINUTE,
      16 * MINUTE,
      32 * MINUTE,
    ]);
  });

  test('the wait is capped at 32 minutes, even for absurd streaks', () => {
    expect(requiredResendDelayMs(11, resend)).toBe(32 * MINUTE);
    expect(requiredResendDelayMs(100, resend)).toBe(32 * MINUTE);
    expect(requiredResendDelayMs(Number.MAX_SAFE_INTEGER, resend)).toBe(32 * MINUTE);
  });

  test('the shipped policy: 3 free attempts, then 30 s, 60 s, ... capped at its maximum', () => {
    expect(shipped).toMatchObject({ freeAttempts: 3, baseDelayMs: 30 * SECOND });
    expect(requiredResendDelayMs(3, shipped)).toBe(0);
    expect(requiredResendDelayMs(4, shipped)).toBe(30 * SECOND);
    expect(requiredResendDelayMs(5, shipped)).toBe(60 * SECOND);
    expect(requiredResendDelayMs(1000, shipped)).toBe(shipped.maxDelayMs);
  });

  test('property: non-decreasing in the attempt number and never above the maximum', () => {
    for (const policy of [resend, shipped]) {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 100_000 }), (n) => {
          const wait = requiredResendDelayMs(n, policy);
          expect(wait).toBeLessThanOrEqual(policy.maxDelayMs);
          expect(wait).toBeGreaterThanOrEqual(0);
          expect(requiredResendDelayMs(n + 1, policy)).toBeGreaterThanOrEqual(wait);
        }),
      );
    }
  });

  test('property: the same holds for any configured base and maximum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: SECOND, max: 60 * MINUTE }),
        fc.integer({ min: 0, max: 24 * 60 * MINUTE }),
        fc.integer({ min: 1, max: 200 }),
        (baseDelayMs, extraMs, n) => {
          const custom: ResendPolicy = { freeAttempts: 3, baseDelayMs, maxDelayMs: baseDelayMs + extraMs, resetMs: 3_600_000 };
          const wait = requiredResendDelayMs(n, custom);
          expect(wait).toBeLessThanOrEqual(custom.maxDelayMs);
          expect(requiredResendDelayMs(n + 1, custom)).toBeGreaterThanOrEqual(wait);
          if (n === 4) expect(wait).toBe(baseDelayMs);
        },
      ),
    );
  });

  test('the streak outlives the longest wait, so a patient attacker cannot reset it by waiting the maximum', () => {
    for (const policy of [resend, shipped]) expect(policy.resetMs).toBeGreaterThan(policy.maxDelayMs);
  });
});

describe('number-velocity rule', () => {
  test('a first resend (attempt 2) 5 s after the first attempt goes out', () => {
    expect(check(attempt(2, 5 * SECOND))).toBeUndefined();
  });

  test('a third attempt (a second resend) 10 s after the second goes out', () => {
    expect(check(attempt(3, 10 * SECOND))).toBeUndefined();
  });

  test('a fourth attempt 10 s after the third is blocked, and the reason states both waits', () => {
    const outcome = check(attempt(4, 10 * SECOND));
    expect(outcome?.finding).toEqual({
      rule: NUMBER_VELOCITY_RULE,
      effect: 'block',
      reason: 'attempt 4 to this number came 10s after the last; it must wait 30s',
    });
    expect(outcome?.writes ?? []).toEqual([]);
  });

  test('the same fourth attempt 31 s after the third goes out', () => {
    expect(check(attempt(4, 31 * SECOND))).toBeUndefined();
  });

  test('waiting exactly the required delay is enough', () => {
    expect(check(attempt(4, 30 * SECOND))).toBeUndefined();
    expect(check(attempt(4, 30 * SECOND - 1))).toBeDefined();
  });

  test('the fifth attempt needs 60 s', () => {
    expect(check(attempt(5, 59 * SECOND))?.finding.reason).toContain('must wait 60s');
    expect(check(attempt(5, 60 * SECOND))).toBeUndefined();
  });

  test('a tenth attempt within a burst is blocked (it must wait the maximum)', () => {
    const outcome = check(attempt(10, 2 * SECOND));
    expect(outcome?.finding.effect).toBe('block');
    const maxSeconds = Math.round((policyOf().resend as ResendPolicy).maxDelayMs / SECOND);
    expect(outcome?.finding.reason).toBe(`attempt 10 to this number came 2s after the last; it must wait ${maxSeconds}s`);
    expect(check(attempt(10, 2 * SECOND), { GUARD_RESEND_MAX_DELAY: '32m' })?.finding.reason).toContain('must wait 1920s');
  });

  test('an attempt that starts a new streak (no previous attempt) goes out', () => {
    expect(check(attempt(1, undefined))).toBeUndefined();
  });

  test('a clock skew (previous attempt in the future) counts as no wait, not a negative one', () => {
    expect(check(attempt(4, -5 * SECOND))?.finding.reason).toContain('came 0s after the last');
  });

  test('window limit 10/1h: the 10th attempt in the window passes, the 11th is blocked', () => {
    expect(check(attempt(1, undefined, 10))).toBeUndefined();
    const outcome = check(attempt(1, undefined, 11));
    expect(outcome?.finding).toEqual({
      rule: NUMBER_VELOCITY_RULE,
      effect: 'block',
      reason: '11 attempts to this number, over the limit of 10/1h',
    });
  });

  test('the window limit counts the previous window too', () => {
    // 20 minutes into the hour: 4 + 12 x 2/3 = 12 > 10
    expect(check({ streak: { previousAt: undefined, streak: 1 }, number: { current: 4, previous: 12 } })?.finding.reason).toContain('over the limit of 10/1h');
    expect(check({ streak: { previousAt: undefined, streak: 1 }, number: { current: 4, previous: 8 } })).toBeUndefined();
  });

  test('GUARD_RESEND_DELAY=off disables the delays but keeps the window limit', () => {
    const off = { GUARD_RESEND_DELAY: 'off' };
    expect(check(attempt(3, 10 * SECOND), off)).toBeUndefined();
    expect(check(attempt(9, 1 * SECOND), off)).toBeUndefined();
    expect(check(attempt(11, 1 * SECOND), off)?.finding.reason).toContain('over the limit of 10/1h');
  });

  test('GUARD_LIMIT_NUMBER=off disables the window but keeps the delays', () => {
    const off = { GUARD_LIMIT_NUMBER: 'off' };
    expect(check(attempt(1, undefined, 500), off)).toBeUndefined();
    expect(check(attempt(4, 10 * SECOND, 500), off)?.finding.reason).toContain('must wait 30s');
  });

  test('a configured base delay is used', () => {
    expect(check(attempt(4, 9 * SECOND), { GUARD_RESEND_DELAY: '10s' })?.finding.reason).toContain('must wait 10s');
    expect(check(attempt(4, 10 * SECOND), { GUARD_RESEND_DELAY: '10s' })).toBeUndefined();
  });

  test('no counters at all (store not asked) means no finding', () => {
    expect(check({})).toBeUndefined();
  });

  test('a number a code already proved for this user waits for nothing, but stays under the window limit', () => {
    const proven = { proof: proofValue('auth0|test') };
    expect(check({ ...attempt(5, 10 * SECOND), ...proven })).toBeUndefined();
    expect(check({ ...attempt(10, 0), ...proven })).toBeUndefined();
    expect(check({ ...attempt(11, 0), ...proven })?.finding.reason).toContain('over the limit of 10/1h');
    // Proven for someone else, or only inferred as a likely factor: the waits apply.
    expect(check({ ...attempt(5, 10 * SECOND), proof: proofValue('auth0|other') })?.finding.reason).toContain('must wait 60s');
  });

  test('a likely factor (a Unified Phone Experience inference, not a used code) waits like any number', () => {
    const facts = factsFor(NUMBERS.US, { now: NOW });
    const input: DynamicFacts = { ...dynamicFactsFor({ ...facts, otpAction: 'second-factor-authentication', recipientIs: 'likely-factor' }), trigger: 'custom-phone-provider', tierBlocked: true };
    const counters = countersWith({ ...attempt(5, 10 * SECOND), proof: proofValue('auth0|test', NOW - MINUTE) });
    expect(proofOf(input, counters)).toBe('likely-factor');
    expect(checkNumberVelocity({ input, counters, policy: policyOf({}), keys: new GuardKeys('t:test') })?.finding.reason).toContain('must wait 60s');
  });

  test('a challenge to a confirmed factor and the phone_verified profile number wait for nothing', () => {
    const counters = countersWith(attempt(5, 10 * SECOND));
    const run = (input: DynamicFacts) => checkNumberVelocity({ input, counters, policy: policyOf({}), keys: new GuardKeys('t:test') });
    const facts = factsFor(NUMBERS.US, { now: NOW });
    expect(run(dynamicFactsFor({ ...facts, otpAction: 'second-factor-authentication', recipientIs: 'confirmed-factor' }))).toBeUndefined();
    expect(run(dynamicFactsFor({ ...facts, user: { ...facts.user, verifiedPhone: facts.number.e164 } }))).toBeUndefined();
    expect(run(dynamicFactsFor(facts))?.finding.reason).toContain('must wait 60s');
  });
});
