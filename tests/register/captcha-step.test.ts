import type { CaptchaConfig, CaptchaVerdict } from '../../shared/captcha/types';
import { runCaptchaStep, type Verifier } from '../../shared/register/captcha-step';
import type { RegistrationRequest } from '../../shared/register/registration-event';
import { parseRegistrationPolicy } from '../../shared/register/registration-policy';
import { ConfigErrors, type Secrets } from '../../shared/config/static-policy';

const config: CaptchaConfig = {
  provider: 'turnstile', secret: 'secret-value', siteKey: undefined, projectId: undefined, verifyUrl: 'https://127.0.0.1/verify',
  timeoutMs: 1000, minScore: 0.5, expectedHostnames: [], expectedAction: 'signup',
};

function request(body: Record<string, unknown> | undefined, connectionName = 'Username-Password-Authentication'): RegistrationRequest {
  return { email: 'a@example.org', phone: undefined, ip: undefined, requestCountry: 'US', connectionName, clientId: 'client-1', body, language: 'en' };
}

function policy(secrets: Secrets = {}) {
  return parseRegistrationPolicy(secrets, new ConfigErrors());
}

function answering(verdict: Partial<CaptchaVerdict>): Verifier & { calls: number } {
  const verify = Object.assign(
    async () => {
      verify.calls += 1;
      return { outcome: 'pass', provider: 'turnstile', score: undefined, reason: 'ok', hostname: undefined, action: undefined, ...verdict } as CaptchaVerdict;
    },
    { calls: 0 },
  );
  return verify;
}

test('no provider configured: no evidence either way', async () => {
  const result = await runCaptchaStep(request({}), undefined, false, policy(), answering({}));
  expect(result).toMatchObject({ evidence: 'not-configured', finding: undefined });
});

test('a misconfigured provider follows the fail mode', async () => {
  expect((await runCaptchaStep(request({}), undefined, true, policy(), answering({}))).evidence).toBe('error');
  expect((await runCaptchaStep(request({}), undefined, true, policy({ CAPTCHA_FAIL_MODE: 'closed' }), answering({}))).finding?.rule).toBe('captcha');
});

test('missing tokens follow CAPTCHA_MISSING_TOKEN, and CAPTCHA_OPTIONAL_FOR exempts by connection or client', async () => {
  const verify = answering({});
  expect((await runCaptchaStep(request(undefined), config, false, policy(), verify)).evidence).toBe('missing');
  expect((await runCaptchaStep(request({ 'ulp-captcha-token': '' }), config, false, policy({ CAPTCHA_MISSING_TOKEN: 'deny' }), verify)).finding?.reason).toContain('no CAPTCHA token');
  expect((await runCaptchaStep(request({}), config, false, policy({ CAPTCHA_MISSING_TOKEN: 'allow' }), verify)).evidence).toBe('not-configured');
  expect((await runCaptchaStep(request({}), config, false, policy({ CAPTCHA_MISSING_TOKEN: 'deny', CAPTCHA_OPTIONAL_FOR: 'client-1' }), verify)).finding).toBeUndefined();
  expect(verify.calls).toBe(0);
});

test('malformed tokens are refused without calling the provider', async () => {
  const verify = answering({});
  expect((await runCaptchaStep(request({ 'ulp-captcha-token': { a: 1 } }), config, false, policy(), verify)).finding?.reason).toContain('object');
  expect((await runCaptchaStep(request({ 'ulp-captcha-token': 42 }), config, false, policy(), verify)).finding?.reason).toContain('number');
  expect((await runCaptchaStep(request({ 'ulp-captcha-token': 'y'.repeat(5000) }), config, false, policy(), verify)).finding?.reason).toContain('5000');
  expect(verify.calls).toBe(0);
});

test('the token is read from the configured ulp- field', async () => {
  const verify = answering({ score: 0.95 });
  const result = await runCaptchaStep(request({ 'ulp-turnstile': 'token-value-123' }), config, false, policy({ CAPTCHA_TOKEN_FIELD: 'ulp-turnstile' }), verify);
  expect(result).toMatchObject({ evidence: 'pass', score: 0.95 });
  expect(verify.calls).toBe(1);
});

test('verdicts: pass, marginal, fail, and provider errors by fail mode', async () => {
  const body = { 'ulp-captcha-token': 'token-value-123' };
  expect((await runCaptchaStep(request(body), config, false, policy(), answering({ score: 0.69 }))).evidence).toBe('marginal');
  expect((await runCaptchaStep(request(body), config, false, policy(), answering({ score: 0.7 }))).evidence).toBe('pass');
  expect((await runCaptchaStep(request(body), config, false, policy(), answering({ outcome: 'fail', reason: 'score 0.2 below 0.5' }))).finding?.reason).toContain('0.2');
  const error = answering({ outcome: 'error', reason: 'timeout' });
  expect((await runCaptchaStep(request(body), config, false, policy(), error)).evidence).toBe('error');
  expect((await runCaptchaStep(request(body), config, false, policy({ CAPTCHA_FAIL_MODE: 'open' }), error)).evidence).toBe('not-configured');
  expect((await runCaptchaStep(request(body), config, false, policy({ CAPTCHA_FAIL_MODE: 'closed' }), error)).finding?.reason).toContain('unavailable');
});
