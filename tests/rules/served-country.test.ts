/**
 * The served-country rule and what "proven" means: evidence lifts the shipped tier, never a guess.
 */
import { GuardKeys, userTag } from '../../shared/store/keys';
import { checkServedCountry, likelyFactorStanding, numberIsProven, parseLikelyFactors, parseLikelyFactorsTotal, parseServedProofs, parseServedTrials, proofOf, trialSlotValue, trialStanding } from '../../shared/rules/served-country';
import { proofValue } from '../../shared/feedback/proofs';
import { ConfigErrors } from '../../shared/config/static-policy';
import { factsFor } from '../support/facts';
import { countersWith, dynamicFactsFor, policyOf } from '../support/dynamic-context';
import type { PhoneTrigger } from '../../shared/pipeline/phone-request';
import type { RecipientKind } from '../../shared/engine/types';

const keys = new GuardKeys('t:test');
const NIGERIA = '+2348031234567';

function context(options: { otpAction?: 'enrollment' | 'second-factor-authentication'; tierBlocked?: boolean; userId?: string; verifiedPhone?: string; trigger?: PhoneTrigger; recipientIs?: RecipientKind } = {}) {
  const facts = { ...factsFor(NIGERIA), otpAction: options.otpAction ?? 'enrollment', recipientIs: options.recipientIs ?? 'unconfirmed' };
  if (options.userId !== undefined) facts.user = { ...facts.user, id: options.userId };
  if (options.verifiedPhone !== undefined) facts.user = { ...facts.user, verifiedPhone: options.verifiedPhone };
  return { ...dynamicFactsFor(facts), tierBlocked: options.tierBlocked ?? true, trigger: options.trigger ?? 'custom-phone-provider' };
}

describe('numberIsProven', () => {
  test('a stored proof counts for its own user only', () => {
    const input = context({ userId: 'auth0|ada' });
    expect(proofOf(input, countersWith({ proof: userTag('auth0|ada') }))).toBe('stored-proof');
    expect(numberIsProven(input, countersWith({ proof: userTag('auth0|mallory') }))).toBe(false);
    expect(numberIsProven(context({ userId: '' }), countersWith({ proof: userTag('') }))).toBe(false);
  });

  test('a Unified Phone Experience otp_verify proves the number only after an enrolment tollguard saw for the same user', () => {
    // An otp_verify alone may be a passwordless login to any number.
    expect(numberIsProven(context({ otpAction: 'second-factor-authentication' }), countersWith())).toBe(false);
    expect(proofOf(context({ otpAction: 'second-factor-authentication' }), countersWith({ enrolmentSeen: true }))).toBe('enrolment-seen');
    // An enrolment proves nothing, seen or not.
    expect(numberIsProven(context({ otpAction: 'enrollment' }), countersWith({ enrolmentSeen: true }))).toBe(false);
  });

  test('a challenge its adapter marks as going to a confirmed factor proves the number, enrolment seen or not; enrolments prove nothing', () => {
    for (const trigger of ['send-phone-message', 'okta-telephony-hook'] as const) {
      const challenge = { trigger, otpAction: 'second-factor-authentication', recipientIs: 'confirmed-factor' } as const;
      expect(numberIsProven(context(challenge), countersWith())).toBe(true);
      expect(numberIsProven(context({ trigger, otpAction: 'enrollment' }), countersWith({ enrolmentSeen: true }))).toBe(false);
      expect(proofOf(context(challenge), countersWith())).toBe('confirmed-factor');
      // A challenge without a user id proves nothing to anyone.
      expect(numberIsProven(context({ ...challenge, userId: '' }), countersWith())).toBe(false);
    }
  });

  test("a likely factor is trusted for the account's first such number only, within its country's budget; an enrolment tollguard saw is the stronger proof", () => {
    const likely = context({ otpAction: 'second-factor-authentication', recipientIs: 'likely-factor' });
    const fresh = { likelyFactors: 0, likelyGrantsLeft: 3 };
    expect(proofOf(likely, countersWith(fresh))).toBe('likely-factor');
    expect(likelyFactorStanding(likely, countersWith(fresh))).toBe('trusted');
    expect(likelyFactorStanding(likely, countersWith({ ...fresh, likelyFactors: 1 }))).toBe('account-has-one');
    expect(numberIsProven(likely, countersWith({ ...fresh, likelyFactors: 1 }))).toBe(false);
    // The country's budget of inferred factors is spent: no proof, whoever asks.
    expect(likelyFactorStanding(likely, countersWith({ ...fresh, likelyGrantsLeft: 0 }))).toBe('country-budget-spent');
    expect(numberIsProven(likely, countersWith({ ...fresh, likelyGrantsLeft: 0 }))).toBe(false);
    // Not read (off, or a store failure): no proof.
    expect(likelyFactorStanding(likely, countersWith({ ...fresh, likelyFactors: undefined }))).toBe('not-read');
    expect(numberIsProven(likely, countersWith({ ...fresh, likelyGrantsLeft: undefined }))).toBe(false);
    expect(proofOf(likely, countersWith({ ...fresh, likelyFactors: 1, enrolmentSeen: true }))).toBe('enrolment-seen');
    expect(proofOf(likely, countersWith({ ...fresh, likelyFactors: 4, proof: userTag('auth0|test') }))).toBe('stored-proof');
    expect(numberIsProven({ ...likely, facts: { ...likely.facts, user: { ...likely.facts.user, id: '' } } }, countersWith(fresh))).toBe(false);
    // Only a challenge reads as a likely factor: an enrolment or sign-in never does.
    expect(numberIsProven(context({ otpAction: 'second-factor-authentication' }), countersWith(fresh))).toBe(false);
    // Where the tier does not refuse, the inference lifts nothing and spends nothing.
    expect(proofOf({ ...likely, tierBlocked: false }, countersWith(fresh))).toBeUndefined();
  });

  test("a stored likely proof: free for the resends of its login, then each later login spends the country's budget; it proves nothing to other flows or users", () => {
    const likely = context({ otpAction: 'second-factor-authentication', recipientIs: 'likely-factor' });
    const now = likely.facts.now;
    const minutesAgo = (minutes: number) => proofValue('auth0|test', now - minutes * 60_000);
    const read = (minutes: number, grantsLeft: number | undefined) => countersWith({ proof: minutesAgo(minutes), likelyFactors: 1, likelyGrantsLeft: grantsLeft });
    expect(likelyFactorStanding(likely, read(3, 0))).toBe('same-login');
    expect(proofOf(likely, read(3, 0))).toBe('likely-factor');
    expect(likelyFactorStanding(likely, read(11, 2))).toBe('trusted-again');
    expect(likelyFactorStanding(likely, read(11, 0))).toBe('country-budget-spent');
    expect(numberIsProven(likely, read(60 * 24, 0))).toBe(false);
    expect(likelyFactorStanding(likely, read(60 * 24, undefined))).toBe('not-read');
    // A passwordless sign-in or an enrolment to the same number: the likely proof is no proof.
    expect(numberIsProven(context({ otpAction: 'second-factor-authentication' }), read(3, 3))).toBe(false);
    expect(numberIsProven(context({ recipientIs: 'likely-factor' }), read(3, 3))).toBe(false);
    // Another user's likely proof on the number: this account's own standing decides.
    const others = countersWith({ proof: proofValue('auth0|mallory', now - 60_000), likelyFactors: 0, likelyGrantsLeft: 0 });
    expect(likelyFactorStanding(likely, others)).toBe('country-budget-spent');
  });

  test("the user's own profile number, marked verified by the platform, is proven; any other number is not", () => {
    expect(proofOf(context({ verifiedPhone: NIGERIA }), countersWith())).toBe('verified-profile');
    expect(numberIsProven(context({ verifiedPhone: '+2348031234568' }), countersWith())).toBe(false);
  });
});

describe('served-country rule', () => {
  const policy = policyOf();

  test('a tier-blocked country with fewer proofs than needed stays closed; with enough it is admitted, saying why', () => {
    expect(checkServedCountry({ input: context(), counters: countersWith({ countryProofs: 2 }), policy, keys })).toBeUndefined();
    const open = checkServedCountry({ input: context(), counters: countersWith({ countryProofs: 3 }), policy, keys });
    expect(open?.finding).toMatchObject({ rule: 'served-country', effect: 'trust', reason: expect.stringContaining('NG is served (sms): 3 numbers proven') });
  });

  test('a proven number is admitted whatever the count; a country the tier does not block needs nothing', () => {
    const proven = checkServedCountry({ input: context({ userId: 'auth0|ada' }), counters: countersWith({ proof: userTag('auth0|ada') }), policy, keys });
    expect(proven?.finding.reason).toContain('proven for this user');
    expect(checkServedCountry({ input: context({ tierBlocked: false }), counters: countersWith({ countryProofs: 99 }), policy, keys })).toBeUndefined();
  });

  test("a call's count opens a country's voice (the plan reads the voice proofs for a call); a proven number passes; a replay keeps the lift", () => {
    const voice = { ...context(), facts: { ...context().facts, channel: 'voice' as const } };
    expect(checkServedCountry({ input: voice, counters: countersWith({ countryProofs: 2 }), policy, keys })).toBeUndefined();
    expect(checkServedCountry({ input: voice, counters: countersWith({ countryProofs: 3 }), policy, keys })?.finding.reason).toContain('NG is served (voice): 3 numbers proven there by a call');
    const provenVoice = { ...context({ userId: 'auth0|ada' }), facts: { ...context({ userId: 'auth0|ada' }).facts, channel: 'voice' as const } };
    expect(checkServedCountry({ input: provenVoice, counters: countersWith({ proof: userTag('auth0|ada') }), policy, keys })?.finding.effect).toBe('trust');
    expect(checkServedCountry({ input: context(), counters: countersWith({ countryProofs: 3, replay: true }), policy, keys })?.finding.effect).toBe('trust');
  });

  test('GUARD_SERVED_PROOFS: a number, off, or a bad value named and the default kept', () => {
    expect(checkServedCountry({ input: context(), counters: countersWith({ countryProofs: 99 }), policy: policyOf({ GUARD_SERVED_PROOFS: 'off' }), keys })).toBeUndefined();
    expect(policyOf({ GUARD_SERVED_PROOFS: '10' }).servedProofs).toBe(10);
    const errors = new ConfigErrors();
    expect(parseServedProofs({ GUARD_SERVED_PROOFS: 'lots' }, errors)).toBe(3);
    expect(errors.errors.map((error) => error.message).join(' ')).toContain('GUARD_SERVED_PROOFS');
  });

  test('GUARD_LIKELY_FACTORS and GUARD_LIKELY_FACTORS_TOTAL: count/window, off, or a bad value named and the default kept', () => {
    expect(policyOf({ GUARD_LIKELY_FACTORS: '5/30m', GUARD_LIKELY_FACTORS_TOTAL: 'off' })).toMatchObject({ likelyFactors: { max: 5, windowMs: 30 * 60_000 }, likelyFactorsTotal: undefined });
    expect(policyOf({ GUARD_LIKELY_FACTORS: 'off' }).likelyFactors).toBeUndefined();
    const errors = new ConfigErrors();
    expect(parseLikelyFactors({ GUARD_LIKELY_FACTORS: 'many' }, errors)).toEqual({ max: 3, windowMs: 86_400_000 });
    expect(parseLikelyFactorsTotal({ GUARD_LIKELY_FACTORS_TOTAL: '0/1h' }, errors)).toEqual({ max: 10, windowMs: 86_400_000 });
    const messages = errors.errors.map((error) => error.message);
    expect(messages).toEqual([expect.stringContaining('GUARD_LIKELY_FACTORS'), expect.stringContaining('GUARD_LIKELY_FACTORS_TOTAL')]);
  });

});

describe('numbers on trial in a tier country not served yet', () => {
  const policy = policyOf();
  const OTHER = '+2348039999999';
  const NOW = context().facts.now;
  const check = (input: ReturnType<typeof context>, counters: ReturnType<typeof countersWith>) => checkServedCountry({ input, counters, policy, keys });

  test('a free slot admits the number on trial, saying so; another number waits until a proof comes from the country', () => {
    const free = countersWith({ countryProofs: 0, trial: undefined, trialsLeft: 20 });
    expect(trialStanding(context(), free, policy)).toBe('granted');
    expect(check(context(), free)?.finding).toMatchObject({ effect: 'trust', reason: expect.stringContaining('NG is not served yet (sms: 0 of 3 numbers proven): admitted on trial') });
    const taken = countersWith({ countryProofs: 1, trial: trialSlotValue(OTHER, 1, NOW - 60_000), trialsLeft: 19 });
    expect(trialStanding(context(), taken, policy)).toBe('slot-taken');
    expect(check(context(), taken)).toBeUndefined();
    // A proof since the other number went on trial (its code was used, or another user's) frees the slot.
    const freed = countersWith({ countryProofs: 2, trial: trialSlotValue(OTHER, 1, NOW - 60_000), trialsLeft: 19 });
    expect(trialStanding(context(), freed, policy)).toBe('granted');
  });

  test('the number on trial passes again (its resends); a replay keeps it; a spent budget, low trust or trials off admit nothing', () => {
    const mine = countersWith({ countryProofs: 1, trial: trialSlotValue(NIGERIA, 1, NOW - 60_000), trialsLeft: 0 });
    expect(trialStanding(context(), mine, policy)).toBe('same-number');
    expect(check(context(), mine)?.finding.effect).toBe('trust');
    expect(trialStanding(context(), countersWith({ countryProofs: 1, trial: trialSlotValue(NIGERIA, 1, NOW - 60_000), trialsLeft: undefined, replay: true }), policy)).toBe('same-number');
    expect(trialStanding(context(), countersWith({ countryProofs: 0, trialsLeft: 0 }), policy)).toBe('budget-spent');
    expect(check(context(), countersWith({ countryProofs: 0, trialsLeft: 0 }))).toBeUndefined();
    const low = { ...context(), trust: 'low' as const };
    expect(trialStanding(low, countersWith({ countryProofs: 0, trialsLeft: 20 }), policy)).toBe('low-trust');
    expect(check(low, countersWith({ countryProofs: 0, trialsLeft: 20 }))).toBeUndefined();
    expect(trialStanding(context(), countersWith({ countryProofs: 0, trialsLeft: 20 }), policyOf({ GUARD_SERVED_TRIALS: 'off' }))).toBeUndefined();
    expect(trialStanding(context(), countersWith({ countryProofs: 0, trialsLeft: 20 }), policyOf({ GUARD_SERVED_PROOFS: 'off' }))).toBeUndefined();
  });

  test('no trial where none is needed: a served country, a country the tier does not refuse; a garbled slot reads as free', () => {
    expect(trialStanding(context(), countersWith({ countryProofs: 3, trialsLeft: 20 }), policy)).toBeUndefined();
    expect(check(context(), countersWith({ countryProofs: 3, trialsLeft: 20 }))?.finding.reason).toContain('NG is served');
    expect(trialStanding(context({ tierBlocked: false }), countersWith({ countryProofs: 0, trialsLeft: 20 }), policy)).toBeUndefined();
    // A slot older than the window is free, whatever it holds (the key's TTL is only garbage collection).
    expect(trialStanding(context(), countersWith({ countryProofs: 0, trial: trialSlotValue(OTHER, 0, NOW - 86_400_000), trialsLeft: 20 }), policy)).toBe('granted');
    expect(trialStanding(context(), countersWith({ countryProofs: 0, trial: trialSlotValue(OTHER, 0, NOW - 86_399_000), trialsLeft: 20 }), policy)).toBe('slot-taken');
    for (const garbled of ['', 'no-dot', '.5.1', 'tag.x.1', 'tag.1', 'tag.1.x']) expect(trialStanding(context(), countersWith({ countryProofs: 0, trial: garbled, trialsLeft: 20 }), policy)).toBe('granted');
  });

  test('GUARD_SERVED_TRIALS: count/window, off, or a bad value named and the default (20/1d) kept', () => {
    expect(policy.servedTrials).toEqual({ max: 20, windowMs: 86_400_000 });
    expect(policyOf({ GUARD_SERVED_TRIALS: '5/12h' }).servedTrials).toEqual({ max: 5, windowMs: 12 * 3_600_000 });
    expect(policyOf({ GUARD_SERVED_TRIALS: 'off' }).servedTrials).toBeUndefined();
    const errors = new ConfigErrors();
    expect(parseServedTrials({ GUARD_SERVED_TRIALS: 'some' }, errors)).toEqual({ max: 20, windowMs: 86_400_000 });
    expect(errors.errors.map((error) => error.message).join(' ')).toContain('GUARD_SERVED_TRIALS');
  });
});
