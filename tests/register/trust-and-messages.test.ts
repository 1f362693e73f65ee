import { denialMessage, SUPPORTED_LANGUAGES } from '../../shared/register/user-messages';
import { parseRegistrationPolicy } from '../../shared/register/registration-policy';
import { ConfigErrors } from '../../shared/config/static-policy';
import { isProofed, readTrustTier, trustTierFor } from '../../shared/trust';

describe('trust tiers', () => {
  const base = { captcha: 'pass' as const, captchaScore: 0.8, signupCountryHighRisk: false, phoneChecked: false };

  test('no CAPTCHA evidence where one was expected, a marginal score, or a high-risk sign-up country is low trust', () => {
    expect(trustTierFor({ ...base, captcha: 'missing', captchaScore: undefined })).toBe('low');
    expect(trustTierFor({ ...base, captcha: 'error', captchaScore: undefined })).toBe('low');
    expect(trustTierFor({ ...base, captcha: 'marginal', captchaScore: 0.55 })).toBe('low');
    expect(trustTierFor({ ...base, signupCountryHighRisk: true, captchaScore: 0.99 })).toBe('low');
  });

  test('a confident score is high trust; otherwise standard', () => {
    expect(trustTierFor({ ...base, captchaScore: 0.9 })).toBe('high');
    expect(trustTierFor(base)).toBe('standard');
    expect(trustTierFor({ ...base, captcha: 'not-configured', captchaScore: undefined })).toBe('standard');
  });

  test('app_metadata is read defensively', () => {
    expect(readTrustTier({ tollguard: { trust: 'low' } })).toBe('low');
    expect(readTrustTier({ tollguard: { trust: 'admin' } })).toBeUndefined();
    expect(readTrustTier({ tollguard: ['low'] })).toBeUndefined();
    expect(readTrustTier({})).toBeUndefined();
    expect(isProofed({ tollguard: { proofed: true } })).toBe(true);
    expect(isProofed({ tollguard: { proofed: 'yes' } })).toBe(false);
  });
});

describe('the refused user message', () => {
  test('follows the first language of the request, falls back to English, and can be replaced', () => {
    expect(denialMessage('de-CH,de;q=0.9,en;q=0.8', undefined)).toMatch(/Konto/);
    expect(denialMessage('pt-BR', undefined)).toMatch(/conta/);
    expect(denialMessage('sv', undefined)).toBe(denialMessage('en', undefined));
    expect(denialMessage(undefined, undefined)).toBe(denialMessage('en', undefined));
    expect(denialMessage('fr', 'Closed for now.')).toBe('Closed for now.');
  });

  test('never names a rule or a provider, in any language', () => {
    for (const language of SUPPORTED_LANGUAGES) {
      expect(denialMessage(language, undefined)).not.toMatch(/captcha|e-?mail|velocity|country|score|bot|fraud/i);
    }
  });
});

describe('registration policy secrets', () => {
  test('defaults', () => {
    const policy = parseRegistrationPolicy({}, new ConfigErrors());
    expect(policy).toMatchObject({ captchaTokenField: 'ulp-captcha-token', missingToken: 'low-trust', captchaFailMode: 'low-trust', denyMessage: undefined });
    expect(policy.limits.ip).toEqual({ max: 10, windowMs: 3_600_000 });
  });

  test('bad values are reported by name and the defaults kept', () => {
    const errors = new ConfigErrors();
    const policy = parseRegistrationPolicy(
      { CAPTCHA_TOKEN_FIELD: 'captcha', CAPTCHA_MISSING_TOKEN: 'maybe', GUARD_SIGNUP_LIMIT_DOMAIN: '20', GUARD_SIGNUP_DENY_MESSAGE: 'x'.repeat(301) },
      errors,
    );
    const messages = errors.errors.map((error) => error.message).join('\n');
    for (const name of ['CAPTCHA_TOKEN_FIELD', 'CAPTCHA_MISSING_TOKEN', 'GUARD_SIGNUP_LIMIT_DOMAIN', 'GUARD_SIGNUP_DENY_MESSAGE']) expect(messages).toContain(name);
    expect(policy).toMatchObject({ captchaTokenField: 'ulp-captcha-token', missingToken: 'low-trust', denyMessage: undefined });
    expect(policy.limits.domain).toEqual({ max: 20, windowMs: 3_600_000 });
  });
});
