import fc from 'fast-check';
import { conversionOps } from '../../shared/feedback/conversion-counts';
import { emptyCounters, planBatch } from '../../shared/engine/dynamic-plan';
import type { Counters, DynamicFacts } from '../../shared/engine/dynamic-types';
import type { SendFacts } from '../../shared/engine/types';
import { rangeOf } from '../../shared/rules/prefix-anomaly';
import type { StoreOp, StoreResult } from '../../shared/store/counter-store';
import { GuardKeys } from '../../shared/store/keys';
import { readTrustTier } from '../../shared/trust';
import { NUMBERS, factsFor } from '../support/facts';
import { policyOf } from '../support/dynamic-context';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 23, 12, 7);
const HOUR_WINDOW = Math.floor(NOW / HOUR);
const keys = new GuardKeys('t:test');


function inputFor(
  options: { recipient?: string; ip?: string; appMetadata?: Record<string, unknown>; trustedNumber?: boolean; trustedNetwork?: boolean } = {},
  editFacts: (facts: SendFacts) => SendFacts = (facts) => facts,
): DynamicFacts {
  const base = factsFor(options.recipient ?? NUMBERS.US, {
    now: NOW,
    ...(options.ip === undefined ? {} : { ip: options.ip }),
    appMetadata: options.appMetadata ?? {},
  });
  const facts = editFacts(base);
  return {
    trigger: 'send-phone-message',
    facts,
    trustedNumber: options.trustedNumber ?? false,
    trustedNetwork: options.trustedNetwork ?? false,
    trust: readTrustTier(facts.user.appMetadata),
    range: rangeOf(facts.number.e164, facts.number.callingCode, 4),
    block: rangeOf(facts.number.e164, facts.number.callingCode, 5),
    tierBlocked: false,
    highRiskCountry: false,
    staticBlocked: false,
    firmStaticBlock: false,
  };
}

const keysOf = (ops: readonly StoreOp[]) => ops.map((op) => op.key);
const countOp = (key: string, windowMs: number): StoreOp => ({
  kind: 'count',
  key,
  window: Math.floor(NOW / windowMs),
  ttlMs: 2 * windowMs + MINUTE,
});

test("a call reads the country's proofs by call, an SMS all of its proofs (the same two gets either way)", () => {
  const sms = keysOf(planBatch(inputFor({ recipient: NUMBERS.NG }), policyOf(), keys).ops);
  const call = keysOf(planBatch(inputFor({ recipient: NUMBERS.NG }, (facts) => ({ ...facts, channel: 'voice' })), policyOf(), keys).ops);
  const window = Math.floor(NOW / (30 * DAY));
  expect(sms).toEqual(expect.arrayContaining([`t:test:cty:NG:proofs:${window}`, `t:test:cty:NG:proofs:${window - 1}`]));
  expect(sms.some((key) => key.includes(':voice:proofs'))).toBe(false);
  expect(call).toEqual(expect.arrayContaining([`t:test:cty:NG:voice:proofs:${window}`, `t:test:cty:NG:voice:proofs:${window - 1}`]));
  expect(call.some((key) => /:cty:NG:proofs:/.test(key))).toBe(false);
});

describe('planBatch with the default policy and a plain SMS', () => {
  const input = inputFor();
  const plan = planBatch(input, policyOf(), keys);

  test('the facts are what the test means', () => {
    expect(input.facts.number.e164).toBe('+14155552671');
    expect(input.facts.ip?.text).toBe('198.51.100.7');
    expect(input.facts.user.id).toBe('auth0|test');
    expect(input.range).toBe('+1415555');
  });

  test('plans exactly these ops, in this order', () => {
    const rateTtl = Math.max(3 * HOUR * 24, DAY);
    const resetMs = policyOf().resend?.resetMs ?? Number.NaN;
    expect(resetMs).toBeGreaterThan(policyOf().resend?.maxDelayMs ?? Number.NaN);
    const MONTH_WINDOW = Math.floor(NOW / (30 * DAY));
    expect(plan.ops).toEqual([
      { kind: 'get', key: keys.serviceLock('sms') },
      { kind: 'get', key: keys.rangeBlock('+1415555') },
      { kind: 'get', key: keys.rangeBlock('+141555') },
      { kind: 'get', key: keys.countryBlock('US', 'sms') },
      countOp(keys.sent('+14155552671'), HOUR),
      { kind: 'get', key: keys.proof('+14155552671') },
      { kind: 'get', key: `${keys.countryProofs('US')}:${MONTH_WINDOW}` },
      { kind: 'get', key: `${keys.countryProofs('US')}:${MONTH_WINDOW - 1}` },
      countOp(keys.enrolment('+14155552671', 'auth0|test'), 7 * DAY),
      { kind: 'streak', key: keys.streak('+14155552671'), resetMs: resetMs, ttlMs: resetMs + MINUTE },
      countOp(keys.numberWindow('+14155552671'), HOUR),
      countOp(keys.user('auth0|test'), HOUR),
      { kind: 'rate', key: keys.userNumbers('auth0|test'), window: Math.floor(NOW / DAY), alpha: 0.5, foldFloor: 0, ttlMs: 2 * DAY + MINUTE, when: 'new-streak' },
      countOp(keys.ip('198.51.100.7'), HOUR),
      countOp(keys.subnet('198.51.100.0/24'), HOUR),
      countOp(keys.service('sms'), HOUR),
      { kind: 'rate', key: keys.tenantRate(), window: HOUR_WINDOW, alpha: 1 / 24, foldFloor: 20, ttlMs: rateTtl, when: 'always' },
      { kind: 'rate', key: keys.rangeRate('+1415555', 'sms'), window: HOUR_WINDOW, alpha: 1 / 24, foldFloor: 8, ttlMs: rateTtl, when: 'new-streak' },
      { kind: 'rate', key: keys.rangeRate('+141555', 'sms'), window: HOUR_WINDOW, alpha: 1 / 24, foldFloor: 16, ttlMs: rateTtl, when: 'new-streak' },
      { kind: 'rate', key: keys.countryRate('US', 'sms'), window: HOUR_WINDOW, alpha: 1 / 24, foldFloor: 20, ttlMs: rateTtl, when: 'new-streak' },
      ...conversionOps(keys, { country: 'US', channel: 'sms', domestic: true }, NOW, 10 * MINUTE),
    ]);
  });

  test('the keys are normalised, prefixed and readable', () => {
    const month = Math.floor(NOW / (30 * DAY));
    expect(keysOf(plan.ops)).toEqual([
      't:test:svc:sms:lock',
      't:test:rng:1415555:block',
      't:test:rng:141555:block',
      't:test:cty:US:sms:block',
      `t:test:num:14155552671:sent:${HOUR_WINDOW}`.replace(`:${HOUR_WINDOW}`, ''),
      't:test:num:14155552671:proof',
      `t:test:cty:US:proofs:${month}`,
      `t:test:cty:US:proofs:${month - 1}`,
      keys.enrolment('+14155552671', 'auth0|test'),
      't:test:num:14155552671:streak',
      't:test:num:14155552671:w',
      keys.user('auth0|test'),
      keys.userNumbers('auth0|test'),
      't:test:ip:198.51.100.7',
      't:test:net:198.51.100.0/24',
      't:test:svc:sms:w',
      't:test:svc:all:rate',
      't:test:rng:1415555:rate',
      't:test:rng:141555:rate',
      't:test:cty:US:rate',
      ...keysOf(conversionOps(keys, { country: 'US', channel: 'sms', domestic: true }, NOW, 10 * MINUTE)),
    ]);
    expect(keys.enrolment('+14155552671', 'auth0|test')).toMatch(/^t:test:num:14155552671:enrol:[A-Za-z0-9_-]{22}$/);
    expect(keys.user('auth0|test')).toMatch(/^t:test:user:[A-Za-z0-9_-]{22}$/);
  });

  test('all keys are distinct', () => {
    expect(new Set(keysOf(plan.ops)).size).toBe(plan.ops.length);
  });

  test('the streak op comes before the rate ops that count only new streaks', () => {
    const kinds = plan.ops.map((op) => (op.kind === 'rate' ? `rate:${op.when}` : op.kind));
    const streakAt = kinds.indexOf('streak');
    expect(streakAt).toBeGreaterThanOrEqual(0);
    expect(kinds.filter((kind) => kind === 'rate:new-streak')).toHaveLength(4);
    kinds.forEach((kind, index) => {
      if (kind === 'rate:new-streak') expect(index).toBeGreaterThan(streakAt);
    });
  });

  test('an otp_verify not known to be an MFA challenge reads the enrolment (two gets) instead of counting one; a challenge to a confirmed factor, which proves itself, reads nothing', () => {
    for (const trigger of ['send-phone-message', 'okta-telephony-hook'] as const) {
      const confirmed = planBatch({ ...inputFor({}, (facts) => ({ ...facts, otpAction: 'second-factor-authentication', recipientIs: 'confirmed-factor' })), trigger }, policyOf(), keys);
      expect(confirmed.ops.filter((op) => op.key.includes(':enrol:') || op.key.includes(':likely'))).toEqual([]);
    }
    const challenge = planBatch({ ...inputFor({}, (facts) => ({ ...facts, otpAction: 'second-factor-authentication' })), trigger: 'custom-phone-provider' }, policyOf(), keys);
    const enrolment = keys.enrolment('+14155552671', 'auth0|test');
    const week = Math.floor(NOW / (7 * DAY));
    expect(challenge.ops.filter((op) => op.key.startsWith(enrolment))).toEqual([{ kind: 'get', key: `${enrolment}:${week}` }, { kind: 'get', key: `${enrolment}:${week - 1}` }]);
    expect(challenge.ops.filter((op) => op.key.includes(':likely'))).toEqual([]);
  });

  test("a likely factor also reads how many numbers the user's likely factors proved (two gets), summed into one counter", () => {
    const input = { ...inputFor({}, (facts) => ({ ...facts, otpAction: 'second-factor-authentication' as const, recipientIs: 'likely-factor' as const })), trigger: 'custom-phone-provider' as const };
    // Only where the high-risk tier refuses: elsewhere the inference would lift nothing.
    expect(planBatch(input, policyOf(), keys).ops.filter((op) => op.key.includes(':likely'))).toEqual([]);
    const likely = planBatch({ ...input, tierBlocked: true }, policyOf(), keys);
    const key = keys.userLikelyFactors('auth0|test');
    const quarter = Math.floor(NOW / (90 * DAY));
    const gets = likely.ops.filter((op) => op.key.startsWith(key));
    expect(gets).toEqual([{ kind: 'get', key: `${key}:${quarter}` }, { kind: 'get', key: `${key}:${quarter - 1}` }]);
    const results = likely.ops.map((op) => (op.key === `${key}:${quarter - 1}` ? { kind: 'get' as const, value: '1' } : answerOf(op)));
    expect(likely.read(results).likelyFactors).toBe(1);
    expect(likely.read(likely.ops.map(answerOf)).likelyFactors).toBe(0);
  });

  test("a likely factor reads its country's budget and all countries' budget (one get each), and is left the lesser of the two", () => {
    const input = { ...inputFor({}, (facts) => ({ ...facts, otpAction: 'second-factor-authentication' as const, recipientIs: 'likely-factor' as const })), trigger: 'custom-phone-provider' as const, tierBlocked: true };
    // Both budgets count per day by default.
    const day = Math.floor(NOW / (24 * HOUR));
    const country = `${keys.countryLikelyGrants('US')}:${day}`;
    const tenant = `${keys.tenantLikelyGrants()}:${day}`;
    const plan = planBatch(input, policyOf(), keys);
    expect(plan.ops.filter((op) => op.key === country || op.key === tenant)).toEqual([{ kind: 'get', key: country }, { kind: 'get', key: tenant }]);
    const answered = (values: Record<string, string>) => plan.ops.map((op) => (values[op.key] !== undefined ? { kind: 'get' as const, value: values[op.key] } : answerOf(op)));
    expect(plan.read(plan.ops.map(answerOf)).likelyGrantsLeft).toBe(3);
    expect(plan.read(answered({ [country]: '1' })).likelyGrantsLeft).toBe(2);
    expect(plan.read(answered({ [country]: '1', [tenant]: '9' })).likelyGrantsLeft).toBe(1);
    expect(plan.read(answered({ [tenant]: '12' })).likelyGrantsLeft).toBe(0);
    // GUARD_LIKELY_FACTORS_TOTAL off: the country's budget alone; GUARD_LIKELY_FACTORS off: nothing read.
    const countryOnly = planBatch(input, policyOf({ GUARD_LIKELY_FACTORS_TOTAL: 'off' }), keys);
    expect(countryOnly.ops.some((op) => op.key === tenant)).toBe(false);
    expect(countryOnly.read(countryOnly.ops.map(answerOf)).likelyGrantsLeft).toBe(3);
    const off = planBatch(input, policyOf({ GUARD_LIKELY_FACTORS: 'off' }), keys);
    expect(off.ops.filter((op) => op.key.includes(':likely'))).toEqual([]);
    expect(off.read(off.ops.map(answerOf)).likelyGrantsLeft).toBeUndefined();
  });

  test("an enrolment counts the user's new numbers (after the streak op, new streaks only); a challenge does not", () => {
    const enrolment = planBatch(inputFor(), policyOf(), keys);
    const numbersOp = enrolment.ops.find((op) => op.key === keys.userNumbers('auth0|test'));
    expect(numbersOp).toEqual({ kind: 'rate', key: keys.userNumbers('auth0|test'), window: Math.floor(NOW / DAY), alpha: 0.5, foldFloor: 0, ttlMs: 2 * DAY + MINUTE, when: 'new-streak' });
    expect(enrolment.ops.findIndex((op) => op.kind === 'streak')).toBeLessThan(enrolment.ops.indexOf(numbersOp as StoreOp));
    const challenge = planBatch(inputFor({}, (facts) => ({ ...facts, otpAction: 'second-factor-authentication', recipientIs: 'confirmed-factor' })), policyOf(), keys);
    expect(keysOf(challenge.ops)).not.toContain(keys.userNumbers('auth0|test'));
  });

  test("a short number whose block is its range counts it once (no second rate op on the same key)", () => {
    const input = inputFor({ recipient: '+3545512345' });
    expect(input.block).toBe(input.range);
    const plan = planBatch(input, policyOf(), keys);
    const rangeKeys = keysOf(plan.ops).filter((key) => key.startsWith('t:test:rng:'));
    expect(rangeKeys).toEqual([keys.rangeBlock(input.range), keys.rangeRate(input.range, 'sms')]);
  });

  test('voice uses the voice lock, the voice service counter and voice prefix counters', () => {
    const voice = planBatch(inputFor({}, (facts) => ({ ...facts, channel: 'voice' })), policyOf(), keys);
    expect(keysOf(voice.ops)).toContain(keys.rangeRate('+1415555', 'voice'));
    expect(keysOf(voice.ops)).toContain(keys.countryRate('US', 'voice'));
    expect(keysOf(voice.ops)).not.toContain(keys.rangeRate('+1415555', 'sms'));
    expect(keysOf(voice.ops)).toContain(keys.serviceLock('voice'));
    expect(keysOf(voice.ops)).toContain(keys.service('voice'));
    expect(keysOf(voice.ops)).not.toContain(keys.serviceLock('sms'));
    expect(keysOf(voice.ops)).not.toContain(keys.service('sms'));
    // The tenant's voice attempts, every one counted, beside its whole traffic: what a voice flood adds to it.
    const tenantRates = voice.ops.filter((op) => op.kind === 'rate' && op.key.includes(':svc:'));
    expect(tenantRates.map((op) => [op.key, op.kind === 'rate' ? op.when : undefined])).toEqual([[keys.tenantRate(), 'always'], [keys.tenantVoiceRate(), 'always']]);
    const sms = planBatch(inputFor(), policyOf(), keys);
    expect(keysOf(sms.ops)).not.toContain(keys.tenantVoiceRate());
  });
});

describe('planBatch: what is left out', () => {
  const numberKeys = [
    keys.streak('+14155552671'),
    keys.numberWindow('+14155552671'),
    keys.rangeBlock('+1415555'),
    keys.rangeRate('+1415555', 'sms'),
  ];

  test('a trusted number plans no streak, number, range (or other pumping) ops', () => {
    const plan = planBatch(inputFor({ trustedNumber: true }), policyOf(), keys);
    expect(plan.ops.map((op) => op.kind)).toEqual(['get', 'count', 'get', 'get', 'get', 'count', 'count', 'count', 'count', 'count']);
    expect(keysOf(plan.ops).filter((key) => !key.includes(':proof') && !key.includes(':sent') && !key.includes(':enrol:'))).toEqual([
      keys.serviceLock('sms'),
      keys.user('auth0|test'),
      keys.ip('198.51.100.7'),
      keys.subnet('198.51.100.0/24'),
      keys.service('sms'),
    ]);
    for (const key of numberKeys) expect(keysOf(plan.ops)).not.toContain(key);
  });

  test('a trusted network plans no ip or subnet ops', () => {
    const plan = planBatch(inputFor({ trustedNetwork: true }), policyOf(), keys);
    expect(keysOf(plan.ops)).not.toContain(keys.ip('198.51.100.7'));
    expect(keysOf(plan.ops)).not.toContain(keys.subnet('198.51.100.0/24'));
    expect(plan.ops).toHaveLength(37);
    expect(keysOf(plan.ops)).toEqual(expect.arrayContaining(numberKeys));
  });

  test('no IP plans no ip or subnet ops', () => {
    const plan = planBatch(inputFor({}, (facts) => ({ ...facts, ip: undefined })), policyOf(), keys);
    expect(plan.ops.filter((op) => op.key.includes(':ip:') || op.key.includes(':net:'))).toEqual([]);
    expect(plan.ops).toHaveLength(37);
  });

  test('a low-trust user is counted in the low-trust window', () => {
    const secrets = { GUARD_LIMIT_USER: '10/1h', GUARD_LIMIT_USER_LOW_TRUST: '4/15m' };
    const low = planBatch(inputFor({ appMetadata: { tollguard: { trust: 'low' } } }), policyOf(secrets), keys);
    const standard = planBatch(inputFor(), policyOf(secrets), keys);
    const userOp = (ops: readonly StoreOp[]) => ops.find((op) => op.key === keys.user('auth0|test'));
    expect(userOp(low.ops)).toEqual(countOp(keys.user('auth0|test'), 15 * MINUTE));
    expect(userOp(standard.ops)).toEqual(countOp(keys.user('auth0|test'), HOUR));
  });

  test('a low-trust user is still counted when only the standard user limit is off', () => {
    const policy = policyOf({ GUARD_LIMIT_USER: 'off' });
    expect(keysOf(planBatch(inputFor({ appMetadata: { tollguard: { trust: 'low' } } }), policy, keys).ops)).toContain(keys.user('auth0|test'));
    expect(keysOf(planBatch(inputFor(), policy, keys).ops)).not.toContain(keys.user('auth0|test'));
  });

  test('no user id plans no user op', () => {
    const plan = planBatch(inputFor({}, (facts) => ({ ...facts, user: { id: undefined, appMetadata: {} } })), policyOf(), keys);
    expect(plan.ops.filter((op) => op.key.includes(':user:') || op.key.includes(':enrol:'))).toEqual([]);
    expect(plan.ops).toHaveLength(36);
  });

  test('the country window is planned only when GUARD_LIMIT_COUNTRY is on', () => {
    expect(keysOf(planBatch(inputFor(), policyOf(), keys).ops)).not.toContain(keys.countryWindow('US'));
    const on = planBatch(inputFor(), policyOf({ GUARD_LIMIT_COUNTRY: '50/1d' }), keys);
    expect(on.ops.find((op) => op.key === keys.countryWindow('US'))).toEqual(countOp(keys.countryWindow('US'), DAY));
  });

  test('GUARD_PUMPING=off plans no block reads and no rate ops', () => {
    const plan = planBatch(inputFor(), policyOf({ GUARD_PUMPING: 'off' }), keys);
    expect(plan.ops.filter((op) => op.kind === 'rate' && !op.key.endsWith(':numbers'))).toEqual([]);
    expect(keysOf(plan.ops)).not.toContain(keys.tenantRate());
    expect(plan.ops.filter((op) => op.kind === 'get' && !op.key.includes(':proof') && !op.key.includes(':conv:'))).toEqual([{ kind: 'get', key: keys.serviceLock('sms') }]);
  });

  test('GUARD_RESEND_DELAY=off still plans the streak (pumping counts new streaks), with a one-hour reset', () => {
    const plan = planBatch(inputFor(), policyOf({ GUARD_RESEND_DELAY: 'off' }), keys);
    expect(plan.ops.find((op) => op.kind === 'streak')).toEqual({ kind: 'streak', key: keys.streak('+14155552671'), resetMs: HOUR, ttlMs: HOUR + MINUTE });
  });

  test('GUARD_LIMIT_NUMBER=off drops the number window but keeps the streak', () => {
    const plan = planBatch(inputFor(), policyOf({ GUARD_LIMIT_NUMBER: 'off' }), keys);
    expect(keysOf(plan.ops)).not.toContain(keys.numberWindow('+14155552671'));
    expect(keysOf(plan.ops)).toContain(keys.streak('+14155552671'));
  });

  test('an attempt a static rule already refuses is not counted toward the service cap (the lock is still read)', () => {
    const plan = planBatch({ ...inputFor(), staticBlocked: true, firmStaticBlock: true }, policyOf(), keys);
    expect(keysOf(plan.ops)).not.toContain(keys.service('sms'));
    expect(keysOf(plan.ops)).toContain(keys.serviceLock('sms'));
    // Nor is its enrolment marked when no evidence can lift the refusal.
    expect(plan.ops.filter((op) => op.key.includes(':enrol:'))).toEqual([]);
    // Nor counted for the conversion rule (it would cost a refusal count).
    expect(plan.ops.filter((op) => op.key.includes(':conv:'))).toEqual([]);
    expect(plan.ops).toHaveLength(18);
  });

  test('an enrolment refused by the high-risk tier alone is marked (evidence may lift the tier; the later challenge is the proof), and not counted toward the cap', () => {
    const plan = planBatch({ ...inputFor(), staticBlocked: true, tierBlocked: true }, policyOf(), keys);
    expect(plan.ops.filter((op) => op.key.includes(':enrol:'))).toEqual([countOp(keys.enrolment('+14155552671', 'auth0|test'), 7 * DAY)]);
    expect(keysOf(plan.ops)).not.toContain(keys.service('sms'));
  });

  test("an OTP the tier alone refuses reads its country's conversion counts without counting it (counted once admitted); a firm refusal reads none", () => {
    const tierOnly = { ...inputFor({ recipient: NUMBERS.NG }), staticBlocked: true, tierBlocked: true };
    const plan = planBatch(tierOnly, policyOf(), keys);
    const conv = plan.ops.filter((op) => op.key.includes(':conv:'));
    // Read, not counted, but its attempts (the pace: refused ones are never sent) are counted.
    // (and the domestic attempts, read: the request comes from US)
    expect(conv).toHaveLength(26);
    expect(conv.filter((op) => op.kind === 'count').map((op) => op.key)).toEqual([keys.conversion('NG', 'sms', 'tried', 'h'), keys.conversion('NG', 'sms', 'tried', 'f')]);
    expect(plan).toMatchObject({ countsConversion: false, countsConversionOnAdmission: true });
    // Today's NG SMS so far: 12 sent, 2 refused, 3 verified; this OTP is read as the 13th.
    const day = Math.floor(NOW / DAY);
    const values: Record<string, string> = { [`${keys.conversion('NG', 'sms', 'sent', 'd')}:${day}`]: '12', [`${keys.conversion('NG', 'sms', 'refused', 'd')}:${day}`]: '2', [`${keys.conversion('NG', 'sms', 'verified', 'd')}:${day}`]: '3' };
    const counters = plan.read(plan.ops.map((op) => (values[op.key] !== undefined ? { kind: 'get' as const, value: values[op.key] } : answerOf(op))));
    expect(counters.conversion?.today).toEqual({ sent: 13, refused: 2, verified: 3 });
    expect(counters.conversion?.sentHours).toEqual({ current: 1, previous: 0 });
    // A likely factor too: trusted or not, its code's use is counted as verified once the Post-Login or the monitor sees it.
    const likely = planBatch({ ...tierOnly, facts: { ...tierOnly.facts, recipientIs: 'likely-factor' } }, policyOf(), keys);
    expect(likely.countsConversionOnAdmission).toBe(true);
    const firm = planBatch({ ...tierOnly, firmStaticBlock: true }, policyOf(), keys);
    expect(firm.ops.filter((op) => op.key.includes(':conv:'))).toEqual([]);
    expect(firm).toMatchObject({ countsConversion: false, countsConversionOnAdmission: false });
    expect(planBatch({ ...inputFor(), staticBlocked: false }, policyOf(), keys)).toMatchObject({ countsConversion: true, countsConversionOnAdmission: false });
  });

  test("a likely factor outside the tier peeks at its country's conversion counts, counting nothing (counted once admitted, unless proven by then)", () => {
    const likely = { ...inputFor({}, (facts) => ({ ...facts, otpAction: 'second-factor-authentication' as const, recipientIs: 'likely-factor' as const })), trigger: 'custom-phone-provider' as const };
    const plan = planBatch(likely, policyOf(), keys);
    const conv = plan.ops.filter((op) => op.key.includes(':conv:'));
    // The 7 sent gets, the rest of the reads, and the domestic attempts read (counted with its sent, once admitted or refused).
    expect(conv).toHaveLength(24);
    expect(conv.filter((op) => op.kind !== 'get')).toEqual([]);
    expect(plan).toMatchObject({ countsConversion: false, countsConversionOnAdmission: true });
    // Judged as the delivery it becomes if admitted: this OTP is read as one more sent, and one more domestic attempt.
    expect(plan.read(plan.ops.map(answerOf)).conversion).toMatchObject({ sentHours: { current: 1, previous: 0 }, domesticRecent: { current: 1, previous: 0 }, domesticHours: { current: 1, previous: 0 } });
    // An enrolment there is counted in the batch, as before.
    expect(planBatch({ ...inputFor(), trigger: 'custom-phone-provider' }, policyOf(), keys)).toMatchObject({ countsConversion: true, countsConversionOnAdmission: false });
  });

  test("a request from inside its destination country counts its attempt in the country's domestic pace, in every mode; one from abroad, or of unknown geo, reads it", () => {
    const domesticOps = (country: string) => [countOp(keys.conversion(country, 'sms', 'dom', 'f'), 10 * MINUTE), countOp(keys.conversion(country, 'sms', 'dom', 'h'), HOUR)];
    const domOps = (input: DynamicFacts) => planBatch(input, policyOf(), keys).ops.filter((op) => op.key.includes(':conv:dom:'));
    expect(domOps(inputFor())).toEqual(domesticOps('US'));
    const domGets = (country: string) => [
      ...[0, 1].map((back) => ({ kind: 'get', key: `${keys.conversion(country, 'sms', 'dom', 'f')}:${Math.floor(NOW / (10 * MINUTE)) - back}` })),
      ...[0, 1].map((back) => ({ kind: 'get', key: `${keys.conversion(country, 'sms', 'dom', 'h')}:${HOUR_WINDOW - back}` })),
    ];
    expect(domOps(inputFor({}, (facts) => ({ ...facts, requestCountry: 'CA' })))).toEqual(domGets('US'));
    expect(domOps(inputFor({}, (facts) => ({ ...facts, requestCountry: undefined })))).toEqual(domGets('US'));
    // Read mode (a tier country's OTP): the attempt is counted all the same, and read back.
    const fromNigeria = { ...inputFor({ recipient: NUMBERS.NG }, (facts) => ({ ...facts, requestCountry: 'NG' })), staticBlocked: true, tierBlocked: true };
    expect(domOps(fromNigeria)).toEqual(domesticOps('NG'));
    const plan = planBatch(fromNigeria, policyOf(), keys);
    const answers = plan.ops.map((op) => (op.key.includes(':conv:dom:f') ? { kind: 'count' as const, current: 4, previous: 9 } : op.key.includes(':conv:dom:h') ? { kind: 'count' as const, current: 12, previous: 20 } : answerOf(op)));
    expect(plan.read(answers).conversion).toMatchObject({ domesticRecent: { current: 4, previous: 9 }, domesticHours: { current: 12, previous: 20 } });
    const fromBritain = planBatch({ ...fromNigeria, facts: { ...fromNigeria.facts, requestCountry: 'GB' } }, policyOf(), keys);
    const britishAnswers = fromBritain.ops.map((op) => (op.key.includes(':conv:dom:f') ? { kind: 'get' as const, value: '6' } : op.key.includes(':conv:dom:h') ? { kind: 'get' as const, value: '15' } : answerOf(op)));
    expect(fromBritain.read(britishAnswers).conversion).toMatchObject({ domesticRecent: { current: 6, previous: 6 }, domesticHours: { current: 15, previous: 15 } });
  });

  test("a request from abroad also counts the new number among its country's requested from abroad (a rate op after the country's, new streaks only); one from inside, of unknown geo, or without pumping does not", () => {
    const foreignOps = (input: DynamicFacts, secrets = {}) => planBatch(input, policyOf(secrets), keys).ops.filter((op) => op.key === keys.foreignRate('US', input.facts.channel));
    const fromCanada = inputFor({}, (facts) => ({ ...facts, requestCountry: 'CA' }));
    const plan = planBatch(fromCanada, policyOf(), keys);
    const at = plan.ops.findIndex((op) => op.key === keys.foreignRate('US', 'sms'));
    expect(plan.ops[at]).toEqual({ kind: 'rate', key: keys.foreignRate('US', 'sms'), window: HOUR_WINDOW, alpha: 1 / 24, foldFloor: 20, ttlMs: Math.max(3 * HOUR * 24, DAY), when: 'new-streak' });
    expect(plan.ops[at - 1]?.key).toBe(keys.countryRate('US', 'sms'));
    const answers = plan.ops.map((op) => (op.key === keys.foreignRate('US', 'sms') ? { kind: 'rate' as const, current: 7, baseline: 1.5, windows: 30 } : answerOf(op)));
    expect(plan.read(answers).foreignRate).toEqual({ current: 7, baseline: 1.5, windows: 30 });
    expect(keys.foreignRate('US', 'sms')).not.toBe(keys.foreignRate('US', 'voice'));
    expect(foreignOps({ ...fromCanada, facts: { ...fromCanada.facts, channel: 'voice' } })).toHaveLength(1);
    expect(foreignOps(inputFor())).toEqual([]);
    expect(foreignOps(inputFor({}, (facts) => ({ ...facts, requestCountry: undefined })))).toEqual([]);
    expect(foreignOps(fromCanada, { GUARD_PUMPING: 'off' })).toEqual([]);
    expect(planBatch(inputFor(), policyOf(), keys).read(planBatch(inputFor(), policyOf(), keys).ops.map(answerOf)).foreignRate).toBeUndefined();
  });

  test("a message the tier refuses reads its country's trial slot and the trials left to all countries (one get each); low trust, a country the tier lets through, or trials off read neither", () => {
    const refused = { ...inputFor({ recipient: NUMBERS.NG }), staticBlocked: true, tierBlocked: true };
    const slot = keys.countryTrial('NG', 'sms');
    const tenant = `${keys.tenantTrials()}:${Math.floor(NOW / DAY)}`;
    const plan = planBatch(refused, policyOf(), keys);
    expect(plan.ops.filter((op) => op.key === slot || op.key === tenant)).toEqual([{ kind: 'get', key: slot }, { kind: 'get', key: tenant }]);
    const answered = (values: Record<string, string>) => plan.ops.map((op) => (values[op.key] !== undefined ? { kind: 'get' as const, value: values[op.key] } : answerOf(op)));
    expect(plan.read(answered({ [slot]: 'tag.0.1' }))).toMatchObject({ trial: 'tag.0.1', trialsLeft: 20 });
    expect(plan.read(answered({ [tenant]: '25' })).trialsLeft).toBe(0);
    const call = planBatch({ ...refused, facts: { ...refused.facts, channel: 'voice' } }, policyOf(), keys);
    expect(keysOf(call.ops)).toContain(keys.countryTrial('NG', 'voice'));
    const none = [
      planBatch({ ...refused, trust: 'low' }, policyOf(), keys),
      planBatch({ ...refused, tierBlocked: false }, policyOf(), keys),
      planBatch(refused, policyOf({ GUARD_SERVED_TRIALS: 'off' }), keys),
      planBatch(refused, policyOf({ GUARD_SERVED_PROOFS: 'off' }), keys),
    ];
    for (const other of none) {
      expect(other.ops.filter((op) => op.key.includes('trial'))).toEqual([]);
      expect(other.read(other.ops.map(answerOf))).toMatchObject({ trial: undefined, trialsLeft: undefined });
    }
  });

  test("a call a static rule refuses still reads its country's SMS yesterday (three gets, nothing counted): is the country served by SMS?", () => {
    const refusedCall = { ...inputFor({ recipient: NUMBERS.GB_MOBILE }, (facts) => ({ ...facts, channel: 'voice' as const })), staticBlocked: true };
    const plan = planBatch(refusedCall, policyOf(), keys);
    const conv = plan.ops.filter((op) => op.key.includes(':conv:'));
    expect(conv.map((op) => op.kind)).toEqual(['get', 'get', 'get']);
    expect(conv.every((op) => op.key.includes(':GB:sms:conv:') && op.key.endsWith(`:${Math.floor(NOW / DAY) - 1}`))).toBe(true);
    const values = [120, 4, 100];
    let next = 0;
    const counters = plan.read(plan.ops.map((op) => (op.key.includes(':conv:') ? { kind: 'get' as const, value: String(values[next++]) } : answerOf(op))));
    expect(counters.smsYesterday).toEqual({ sent: 120, refused: 4, verified: 100 });
    expect(counters.conversion).toBeUndefined();
    // An SMS refused statically reads none; a call the conversion rule counts reads them with its counts.
    expect(planBatch({ ...inputFor({ recipient: NUMBERS.GB_MOBILE }), staticBlocked: true }, policyOf(), keys).ops.filter((op) => op.key.includes(':conv:'))).toEqual([]);
    const countedCall = planBatch({ ...refusedCall, staticBlocked: false }, policyOf(), keys);
    expect(countedCall.read(countedCall.ops.map(answerOf)).smsYesterday).toBeUndefined();
  });

  test('a service cap that is off plans no service counter (the lock is still read)', () => {
    const plan = planBatch(inputFor(), policyOf({ GUARD_SERVICE_CAP_SMS: 'off' }), keys);
    expect(keysOf(plan.ops)).not.toContain(keys.service('sms'));
    expect(keysOf(plan.ops)).toContain(keys.serviceLock('sms'));
  });

  test('a number with no country plans no country ops', () => {
    const plan = planBatch(inputFor({}, (facts) => ({ ...facts, number: { ...facts.number, country: undefined } })), policyOf({ GUARD_LIMIT_COUNTRY: '50/1h' }), keys);
    expect(plan.ops.filter((op) => op.key.includes(':cty:'))).toEqual([]);
    expect(keysOf(plan.ops)).toContain(keys.rangeRate('+1415555', 'sms'));
  });
});

/** The answer a fresh store gives an op: nothing stored, nothing counted before. */
function answerOf(op: StoreOp): StoreResult {
  switch (op.kind) {
    case 'get': return { kind: 'get', value: undefined };
    case 'count': return { kind: 'count', current: 1, previous: 0 };
    case 'streak': return { kind: 'streak', previousAt: undefined, streak: 1 };
    case 'rate': return { kind: 'rate', current: 1, baseline: 0, windows: 0 };
    case 'retry': return { kind: 'retry', replay: false };
  }
}

describe('planBatch: read() maps the answers back by meaning', () => {
  // Nothing asked, nothing locked: every slot empty, no replay.
  const EMPTY: Counters = emptyCounters();
  test('nothing asked: every slot is empty', () => {
    expect(Object.values(EMPTY).every((value) => value === undefined || value === 0 || value === false)).toBe(true);
    expect(Object.keys(EMPTY).sort()).toEqual(Object.keys(planBatch(inputFor(), policyOf(), keys).read([])).sort());
  });

  test('the full default plan', () => {
    const plan = planBatch(inputFor(), policyOf(), keys);
    const results: StoreResult[] = [
      { kind: 'get', value: String(NOW + 5000) },
      { kind: 'get', value: String(NOW + 6000) },
      { kind: 'get', value: String(NOW + 7000) },
      { kind: 'get', value: undefined },
      { kind: 'count', current: 1, previous: 0 },
      { kind: 'get', value: 'tag-of-someone' },
      { kind: 'get', value: '2' },
      { kind: 'get', value: '3' },
      { kind: 'count', current: 1, previous: 0 },
      { kind: 'streak', previousAt: NOW - 9000, streak: 3 },
      { kind: 'count', current: 1, previous: 2 },
      { kind: 'count', current: 3, previous: 4 },
      { kind: 'rate', current: 1, baseline: 0, windows: 0 },
      { kind: 'count', current: 5, previous: 6 },
      { kind: 'count', current: 7, previous: 8 },
      { kind: 'count', current: 9, previous: 10 },
      { kind: 'rate', current: 10, baseline: 0.5, windows: 30 },
      { kind: 'rate', current: 11, baseline: 1.5, windows: 31 },
      { kind: 'rate', current: 12, baseline: 2.5, windows: 32 },
      { kind: 'rate', current: 13, baseline: 3.5, windows: 33 },
      { kind: 'count', current: 40, previous: 50 },
      { kind: 'count', current: 6, previous: 7 },
      { kind: 'count', current: 300, previous: 1000 },
      { kind: 'count', current: 900, previous: 4000 },
      ...['4', '5', '1', '2', '30', '35', '60', '800', '200', '3000', String(NOW + 60_000), '9', '25'].map((value): StoreResult => ({ kind: 'get', value })),
      { kind: 'count', current: 3, previous: 5 },
      { kind: 'count', current: 11, previous: 17 },
    ];
    expect(results).toHaveLength(plan.ops.length);
    expect(plan.read(results)).toEqual({
      ...EMPTY,
      serviceLockUntil: NOW + 5000,
      rangeBlockedUntil: NOW + 6000,
      blockBlockedUntil: NOW + 7000,
      countryBlockedUntil: 0,
      proof: 'tag-of-someone',
      countryProofs: 5,
      streak: { previousAt: NOW - 9000, streak: 3 },
      number: { current: 1, previous: 2 },
      user: { current: 3, previous: 4 },
      userNumbers: { current: 1, baseline: 0, windows: 0 },
      ip: { current: 5, previous: 6 },
      subnet: { current: 7, previous: 8 },
      service: { current: 9, previous: 10 },
      tenantRate: { current: 10, baseline: 0.5, windows: 30 },
      range: { current: 11, baseline: 1.5, windows: 31 },
      block: { current: 12, baseline: 2.5, windows: 32 },
      countryRate: { current: 13, baseline: 3.5, windows: 33 },
      conversion: {
        sentHours: { current: 40, previous: 50 },
        sentRecent: { current: 6, previous: 7 },
        refusedHours: { current: 4, previous: 5 },
        refusedRecent: { current: 1, previous: 2 },
        verifiedHours: { current: 30, previous: 35 },
        recentElapsedMs: NOW % (10 * MINUTE),
        lagMs: 10 * MINUTE,
        yesterday: { sent: 1000, refused: 60, verified: 800 },
        tenantYesterday: { sent: 4000, refused: 200, verified: 3000 },
        holdUntil: NOW + 60_000,
        today: { sent: 300, refused: 9, verified: 25 },
        domesticRecent: { current: 3, previous: 5 },
        domesticHours: { current: 11, previous: 17 },
      },

    });
  });

  test('a shorter plan (trusted number, trusted network) shifts nothing: each answer lands on its meaning', () => {
    const plan = planBatch(inputFor({ trustedNumber: true, trustedNetwork: true }), policyOf({ GUARD_LIMIT_COUNTRY: '50/1h' }), keys);
    expect(keysOf(plan.ops).filter((key) => !key.includes(':proof') && !key.includes(':sent') && !key.includes(':enrol:'))).toEqual([keys.serviceLock('sms'), keys.user('auth0|test'), keys.countryWindow('US'), keys.service('sms')]);
    const counters = plan.read([
      { kind: 'get', value: undefined },
      { kind: 'count', current: 1, previous: 0 },
      { kind: 'get', value: undefined },
      { kind: 'get', value: undefined },
      { kind: 'get', value: undefined },
      { kind: 'count', current: 1, previous: 0 },
      { kind: 'count', current: 4, previous: 0 },
      { kind: 'count', current: 40, previous: 1 },
      { kind: 'count', current: 400, previous: 2 },
    ]);
    expect(counters).toEqual({
      ...EMPTY,
      countryProofs: 0,
      user: { current: 4, previous: 0 },
      country: { current: 40, previous: 1 },
      service: { current: 400, previous: 2 },
    });
  });

  test('a garbled timestamp reads as "not blocked" (0), not NaN', () => {
    const plan = planBatch(inputFor(), policyOf(), keys);
    const counters = plan.read([{ kind: 'get', value: 'not-a-number' }]);
    expect(counters.serviceLockUntil).toBe(0);
  });

  test('extra answers beyond the plan are ignored', () => {
    const plan = planBatch(inputFor({ trustedNumber: true, trustedNetwork: true }, (facts) => ({ ...facts, user: { id: undefined, appMetadata: {} } })), policyOf(), keys);
    expect(plan.ops).toHaveLength(6);
    const counters = plan.read([
      { kind: 'get', value: '123' },
      { kind: 'count', current: 1, previous: 0 },
      { kind: 'get', value: undefined },
      { kind: 'get', value: undefined },
      { kind: 'get', value: undefined },
      { kind: 'count', current: 1, previous: 0 },
      { kind: 'count', current: 99, previous: 99 },
    ]);
    expect(counters).toEqual({ ...EMPTY, serviceLockUntil: 123, countryProofs: 0, service: { current: 1, previous: 0 } });
  });
});

describe('keys never carry raw or unnormalised input', () => {
  test('a hostile user id (newline, 10 000 characters) becomes a short key with no newline', () => {
    const userId = `auth0|evil\nFLUSHALL\r\n${'x'.repeat(10_000)}`;
    const plan = planBatch(inputFor({}, (facts) => ({ ...facts, user: { id: userId, appMetadata: {} } })), policyOf(), keys);
    const userKey = plan.ops.find((op) => op.key.startsWith('t:test:user:'))?.key;
    expect(userKey).toBeDefined();
    expect(userKey?.length).toBeLessThan(64);
    expect(userKey).not.toMatch(/[\r\n]/);
    expect(userKey).not.toContain('evil');
    expect(userKey).not.toContain('xxxx');
    for (const op of plan.ops) expect(op.key).not.toMatch(/[\r\n\s]/);
  });

  test('property: every user id gives a fixed-form key, the same id the same key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (userId) => {
        const key = keys.user(userId);
        expect(key).toMatch(/^t:test:user:[A-Za-z0-9_-]{22}$/);
        expect(keys.user(userId)).toBe(key);
      }),
    );
  });

  test('different user ids get different keys', () => {
    expect(keys.user('auth0|a')).not.toBe(keys.user('auth0|b'));
  });

  test('an IPv6 zone id does not reach the keys', () => {
    const plan = planBatch(inputFor({ ip: 'fe80::1%eth0' }), policyOf(), keys);
    expect(keysOf(plan.ops)).toContain('t:test:ip:fe80::1');
    expect(keysOf(plan.ops)).toContain('t:test:net:fe80::/64');
    for (const op of plan.ops) {
      expect(op.key).not.toContain('%');
      expect(op.key).not.toContain('eth0');
    }
  });

  test('the same client spelled differently maps to the same IP keys', () => {
    const ipKeys = (ip: string) => keysOf(planBatch(inputFor({ ip }), policyOf(), keys).ops).filter((key) => key.includes(':ip:') || key.includes(':net:'));
    expect(ipKeys('::ffff:198.51.100.7')).toEqual(ipKeys('198.51.100.7'));
    expect(ipKeys('2001:DB8:0:0:0:0:0:1')).toEqual(ipKeys('2001:db8::1'));
    expect(ipKeys('2001:db8::1')).toEqual(['t:test:ip:2001:db8::1', 't:test:net:2001:db8::/64']);
  });

  test('a formatted recipient gives the same number keys as its E.164 form', () => {
    const formatted = planBatch(inputFor({ recipient: '+1 (415) 555-2671' }), policyOf(), keys);
    expect(keysOf(formatted.ops)).toEqual(keysOf(planBatch(inputFor(), policyOf(), keys).ops));
  });
});
