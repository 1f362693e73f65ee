import { parseCaptchaConfig } from '../../shared/captcha/config';
import type { CaptchaConfig, CaptchaProvider, CaptchaVerdict } from '../../shared/captcha/types';
import { verifyCaptcha } from '../../shared/captcha/verify';
import { runCaptchaStep, type Verifier } from '../../shared/register/captcha-step';
import { readRegistrationEvent, type RegistrationRequest } from '../../shared/register/registration-event';
import { parseRegistrationPolicy } from '../../shared/register/registration-policy';
import { ConfigErrors, type Secrets } from '../../shared/config/static-policy';
import { startCaptchaServer, type CaptchaServer, type TokenAnswer } from '../support/captcha-servers';

const config: CaptchaConfig = {
  provider: 'turnstile', secret: 'secret-value', siteKey: undefined, projectId: undefined, verifyUrl: 'https://127.0.0.1/verify',
  timeoutMs: 1000, minScore: 0.5, expectedHostnames: [], expectedAction: 'signup',
};

function request(body: Record<string, unknown> | undefined, connectionName = 'Username-Password-Authentication'): RegistrationRequest {
  return { email: 'a@example.org', phone: undefined, ip: undefined, hostname: 'login.example.com', requestCountry: 'US', connectionName, clientId: 'client-1', body, language: 'en' };
}

function policy(secrets: Secrets = {}) {
  return parseRegistrationPolicy(secrets, new ConfigErrors());
}

function answering(verdict: Partial<CaptchaVerdict>): Verifier & { calls: number; configs: CaptchaConfig[] } {
  const verify = Object.assign(
    async (_token: string, _ip: string | undefined, used: CaptchaConfig) => {
      verify.calls += 1;
      verify.configs.push(used);
      return { outcome: 'pass', provider: 'turnstile', score: undefined, reason: 'ok', hostname: undefined, action: undefined, ...verdict } as CaptchaVerdict;
    },
    { calls: 0, configs: [] as CaptchaConfig[] },
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

test("the verifier is asked for the login's host unless CAPTCHA_EXPECTED_HOSTNAMES names hosts", async () => {
  const body = { 'ulp-captcha-token': 'token-value-123' };
  const verify = answering({ score: 0.9 });
  await runCaptchaStep(request(body), config, false, policy(), verify);
  await runCaptchaStep(request(body), { ...config, expectedHostnames: ['signup.example.org'] }, false, policy(), verify);
  await runCaptchaStep({ ...request(body), hostname: undefined }, config, false, policy(), verify);
  expect(verify.configs.map((used) => [used.expectedHostnames, used.hostnameSource])).toEqual([
    [['login.example.com'], 'login-host'],
    [['signup.example.org'], 'secret'],
    [[], 'no-login-host'],
  ]);
});

describe('readRegistrationEvent: the login host', () => {
  test.each([
    [{ request: { hostname: 'login.example.com' } }, 'login.example.com'],
    [{ request: { hostname: 'LOGIN.Example.com' } }, 'login.example.com'],
    [{ request: { hostname: 'login.example.com:443' } }, 'login.example.com'],
    [{ request: { hostname: 'tenant.eu.auth0.com.' } }, 'tenant.eu.auth0.com'],
  ])('%j reads as %p', (event, host) => {
    expect(readRegistrationEvent(event).hostname).toBe(host);
  });

  test.each([[{}], [{ request: null }], [{ request: 'x' }], [{ request: {} }], [{ request: { hostname: 42 } }], [{ request: { hostname: ['a.example'] } }],
    [{ request: { hostname: 'https://login.example.com/u/signup' } }], [{ request: { hostname: '' } }], [{ request: { hostname: 'x'.repeat(5000) } }], [null], ['event']])(
    '%j has no login host, and reading it does not throw',
    (event) => {
      expect(readRegistrationEvent(event).hostname).toBeUndefined();
    },
  );
});

describe.each<CaptchaProvider>(['turnstile', 'recaptcha-v3'])('%s: the step over real HTTP, from the Auth0 event', (provider) => {
  const SECRET = 'captcha-step-secret-for-tests';
  let server: CaptchaServer;
  let captcha: CaptchaConfig;
  let counter = 0;

  beforeAll(async () => {
    server = await startCaptchaServer(provider, { secret: SECRET });
    const parsed = parseCaptchaConfig({ CAPTCHA_PROVIDER: provider, CAPTCHA_SECRET: SECRET, CAPTCHA_VERIFY_URL: server.url }, new ConfigErrors());
    if (parsed === undefined) throw new Error('no configuration');
    captcha = parsed;
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  async function signUp(requestFields: Record<string, unknown> | undefined, answer: TokenAnswer | undefined, secrets: Secrets = {}) {
    const token = `${provider}-step-token-${(counter += 1)}-0123456789`;
    if (answer !== undefined) server.setToken(token, { score: 0.9, ...answer });
    const event = { user: { email: 'a@example.org' }, connection: { name: 'Username-Password-Authentication' }, ...(requestFields === undefined ? {} : { request: { ...requestFields, body: { 'ulp-captcha-token': token } } }) };
    const parsed = parseCaptchaConfig({ CAPTCHA_PROVIDER: provider, CAPTCHA_SECRET: SECRET, CAPTCHA_VERIFY_URL: server.url, ...secrets }, new ConfigErrors()) ?? captcha;
    return runCaptchaStep(readRegistrationEvent(event), parsed, false, policy(), verifyCaptcha);
  }

  test("a token from the login's host passes, even when the event writes the host in upper case with a port", async () => {
    const result = await signUp({ hostname: 'LOGIN.Example.com:443' }, { hostname: 'login.example.com', action: 'signup' });
    expect(result).toMatchObject({ evidence: 'pass', finding: undefined });
    expect(result.note).toBe(`CAPTCHA ${provider} passed (${provider === 'turnstile' ? 'no score' : 'score 0.9'}; hostname login.example.com is the login's host; action signup)`);
  });

  test('a token issued on another host is refused, naming both hosts', async () => {
    const result = await signUp({ hostname: 'login.example.com' }, { hostname: 'free-prizes.example' });
    expect(result.finding).toEqual({
      rule: 'captcha',
      effect: 'block',
      reason: `CAPTCHA ${provider}: hostname free-prizes.example is not login.example.com (the login's host, event.request.hostname)`,
    });
  });

  test('an answer without a hostname is refused with a clear reason', async () => {
    const result = await signUp({ hostname: 'login.example.com' }, { hostname: null });
    expect(result.finding?.reason).toBe(`CAPTCHA ${provider}: no hostname in the answer, expected login.example.com (the login's host, event.request.hostname)`);
  });

  test('a hostname that is not a string means no login host: not checked, and the note says so', async () => {
    const result = await signUp({ hostname: 42 }, { hostname: 'anywhere.example' });
    expect(result.evidence).toBe('pass');
    expect(result.note).toContain('hostname not checked: CAPTCHA_EXPECTED_HOSTNAMES is unset and the event names no login host');
  });

  test('CAPTCHA_EXPECTED_HOSTNAMES replaces the login host', async () => {
    const result = await signUp({ hostname: 'login.example.com' }, { hostname: 'login.example.com' }, { CAPTCHA_EXPECTED_HOSTNAMES: 'www.example.org' });
    expect(result.finding?.reason).toBe(`CAPTCHA ${provider}: hostname login.example.com is not www.example.org (CAPTCHA_EXPECTED_HOSTNAMES)`);
  });

  test('a token for another action is refused; one without an action passes and the note says the provider returned none', async () => {
    expect((await signUp({ hostname: 'login.example.com' }, { action: 'login' })).finding?.reason).toBe(
      `CAPTCHA ${provider}: action login is not the expected signup (CAPTCHA_EXPECTED_ACTION)`,
    );
    const none = await signUp({ hostname: 'login.example.com' }, { action: null });
    expect(none.evidence).toBe('pass');
    expect(none.note).toContain(`action not checked: ${provider} returned none`);
  });

  test('an event without a request has no token: the missing-token policy decides, without a call', async () => {
    const result = await signUp(undefined, undefined);
    expect(result).toMatchObject({ evidence: 'missing', finding: undefined });
    expect(server.requests).toHaveLength(0);
  });
});
