import { ConfigErrors } from '../../shared/config/static-policy';
import { parseRegistrationPolicy } from '../../shared/register/registration-policy';
import { checkSignupCountry } from '../../shared/rules/signup-country';
import { checkSignupVelocity } from '../../shared/rules/signup-velocity';

describe('signup-country rule', () => {
  const open = { allowOnly: undefined, blocked: new Set(['KP']), refuseUnknown: false };
  const allowList = { allowOnly: new Set(['US', 'CA']), blocked: new Set<string>(), refuseUnknown: false };

  test('blocked countries are refused, others pass', () => {
    expect(checkSignupCountry('KP', open)).toMatchObject({ rule: 'signup-country', effect: 'block', reason: expect.stringContaining('KP') });
    expect(checkSignupCountry('FR', open)).toBeUndefined();
  });

  test('an allow-list refuses unlisted countries and names its secret', () => {
    expect(checkSignupCountry('US', allowList)).toBeUndefined();
    expect(checkSignupCountry('FR', allowList)?.reason).toContain('GUARD_SIGNUP_ALLOWED_COUNTRIES');
  });

  test('an unknown country passes unless an allow-list asks to refuse it', () => {
    expect(checkSignupCountry(undefined, open)).toBeUndefined();
    expect(checkSignupCountry(undefined, allowList)).toBeUndefined();
    expect(checkSignupCountry(undefined, { ...allowList, refuseUnknown: true })?.effect).toBe('block');
    expect(checkSignupCountry(undefined, { ...open, refuseUnknown: true })).toBeUndefined();
  });
});

describe('sign-up country secrets (issue 11)', () => {
  const policyOf = (secrets: Record<string, string>) => {
    const errors = new ConfigErrors();
    const policy = parseRegistrationPolicy(secrets, errors);
    return { country: policy.signupCountry, errors: errors.errors.map((error) => error.message) };
  };

  test.each(['USA', 'us', 'United States', 'USA, CAN'])('GUARD_SIGNUP_ALLOWED_COUNTRIES=%p accepts US sign-ups', (raw) => {
    const { country, errors } = policyOf({ GUARD_SIGNUP_ALLOWED_COUNTRIES: raw });
    expect(errors).toEqual([]);
    expect(checkSignupCountry('US', country)).toBeUndefined();
    expect(checkSignupCountry('FR', country)?.effect).toBe('block');
  });

  test('an unreadable entry suspends allow-list mode: block list and high-risk tier decide, loudly', () => {
    const { country, errors } = policyOf({ GUARD_SIGNUP_ALLOWED_COUNTRIES: 'NG, Untied States', GUARD_SIGNUP_BLOCKED_COUNTRIES: 'FRA', GUARD_SIGNUP_REFUSE_UNKNOWN_COUNTRY: 'true' });
    expect(errors).toEqual([expect.stringContaining('GUARD_SIGNUP_ALLOWED_COUNTRIES')]);
    expect(errors[0]).toContain('allow-list mode is OFF for sign-ups');
    expect(checkSignupCountry('US', country)).toBeUndefined();
    expect(checkSignupCountry('DE', country)).toBeUndefined();
    expect(checkSignupCountry('NG', country)).toBeUndefined();
    expect(checkSignupCountry('BD', country)?.effect).toBe('block');
    expect(checkSignupCountry('FR', country)?.effect).toBe('block');
    expect(checkSignupCountry(undefined, country)).toBeUndefined();
  });
});

describe('signup-velocity rule', () => {
  const HOUR = 3_600_000;
  const limits = { ip: { max: 10, windowMs: HOUR }, subnet: { max: 30, windowMs: HOUR }, domain: { max: 20, windowMs: HOUR }, tenant: undefined };
  const none = { ip: undefined, subnet: undefined, domain: undefined, tenant: undefined };
  const windowStart = Date.UTC(2026, 10, 23, 12);

  test('under every limit passes; the first limit passed is the reason', () => {
    expect(checkSignupVelocity({ ...none, ip: { current: 10, previous: 0 } }, limits, windowStart, 'example.org')).toBeUndefined();
    const finding = checkSignupVelocity({ ...none, ip: { current: 11, previous: 0 }, domain: { current: 50, previous: 0 } }, limits, windowStart, 'example.org');
    expect(finding).toMatchObject({ rule: 'signup-velocity', effect: 'block' });
    expect(finding?.reason).toBe('11 sign-ups from this IP, over the limit of 10/1h');
  });

  test('the domain reason names the domain; counters not asked are ignored', () => {
    expect(checkSignupVelocity({ ...none, domain: { current: 21, previous: 0 } }, limits, windowStart, 'tiny.example')?.reason).toContain('tiny.example');
    expect(checkSignupVelocity(none, limits, windowStart, undefined)).toBeUndefined();
  });

  test('the previous window weighs in at the start of a window and fades out', () => {
    const counts = { ...none, subnet: { current: 10, previous: 40 } };
    expect(checkSignupVelocity(counts, limits, windowStart, undefined)?.reason).toContain('subnet');
    expect(checkSignupVelocity(counts, limits, windowStart + 0.9 * HOUR, undefined)).toBeUndefined();
  });
});
