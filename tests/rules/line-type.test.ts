import { checkLineType } from '../../shared/rules/line-type';
import { NUMBERS, factsFor, policyFrom } from '../support/facts';

describe('line-type rule', () => {
  test('premium-rate and personal numbers are refused by default', () => {
    const { policy } = policyFrom();
    expect(checkLineType(factsFor(NUMBERS.GB_PREMIUM), policy)).toMatchObject({ rule: 'line-type', effect: 'block', reason: expect.stringContaining('PREMIUM_RATE') });
    expect(checkLineType(factsFor(NUMBERS.GB_PERSONAL), policy)?.reason).toContain('PERSONAL_NUMBER');
  });

  test('mobiles pass', () => {
    expect(checkLineType(factsFor(NUMBERS.GB_MOBILE), policyFrom().policy)).toBeUndefined();
    expect(checkLineType(factsFor(NUMBERS.US), policyFrom().policy)).toBeUndefined();
  });

  test('the list is configurable; "none" switches the rule off; VOIP can be added', () => {
    expect(checkLineType(factsFor(NUMBERS.GB_PREMIUM), policyFrom({ GUARD_BLOCKED_LINE_TYPES: 'none' }).policy)).toBeUndefined();
    const { policy } = policyFrom({ GUARD_BLOCKED_LINE_TYPES: 'mobile, premium-rate' });
    expect(checkLineType(factsFor(NUMBERS.GB_MOBILE), policy)?.reason).toContain('MOBILE');
    expect(checkLineType(factsFor(NUMBERS.GB_PERSONAL), policy)).toBeUndefined();
  });

  test('an unknown type is reported by secret name and the default list is kept', () => {
    const { policy, errors } = policyFrom({ GUARD_BLOCKED_LINE_TYPES: 'premium, satellite' });
    expect(errors[0]).toMatch(/GUARD_BLOCKED_LINE_TYPES.*premium/);
    expect(checkLineType(factsFor(NUMBERS.GB_PREMIUM), policy)?.effect).toBe('block');
  });
});
