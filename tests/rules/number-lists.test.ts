import { checkNumberLists } from '../../shared/rules/number-lists';
import { NUMBERS, factsFor, policyFrom } from '../support/facts';

describe('number-list rule', () => {
  test('a blocked prefix refuses every number under it', () => {
    const { policy } = policyFrom({ GUARD_BLOCKED_NUMBERS: '+44740' });
    expect(checkNumberLists(factsFor(NUMBERS.GB_MOBILE), policy)).toMatchObject({ effect: 'block', reason: expect.stringContaining('+44740') });
    expect(checkNumberLists(factsFor(NUMBERS.US), policy)).toBeUndefined();
  });

  test('an allowed full number is trusted', () => {
    const { policy } = policyFrom({ GUARD_ALLOWED_NUMBERS: NUMBERS.NG });
    expect(checkNumberLists(factsFor(NUMBERS.NG), policy)?.effect).toBe('trust');
  });

  test('the more specific entry wins; a tie goes to block', () => {
    const narrowAllow = policyFrom({ GUARD_BLOCKED_NUMBERS: '+4474', GUARD_ALLOWED_NUMBERS: '+44740012' }).policy;
    expect(checkNumberLists(factsFor(NUMBERS.GB_MOBILE), narrowAllow)?.effect).toBe('trust');
    const narrowBlock = policyFrom({ GUARD_BLOCKED_NUMBERS: '+44740012', GUARD_ALLOWED_NUMBERS: '+4474' }).policy;
    expect(checkNumberLists(factsFor(NUMBERS.GB_MOBILE), narrowBlock)?.effect).toBe('block');
    const tie = policyFrom({ GUARD_BLOCKED_NUMBERS: '+4474', GUARD_ALLOWED_NUMBERS: '+4474' }).policy;
    expect(checkNumberLists(factsFor(NUMBERS.GB_MOBILE), tie)?.effect).toBe('block');
  });

  test('formatting in list entries is tolerated, garbage is reported by secret name', () => {
    expect(checkNumberLists(factsFor(NUMBERS.GB_MOBILE), policyFrom({ GUARD_BLOCKED_NUMBERS: '+44 (740) 0' }).policy)?.effect).toBe('block');
    const { errors } = policyFrom({ GUARD_ALLOWED_NUMBERS: '+44740, 07400' });
    expect(errors[0]).toMatch(/GUARD_ALLOWED_NUMBERS.*07400/);
  });
});
