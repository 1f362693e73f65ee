/**
 * The hostname and action checks for every provider, over real HTTP against the local provider
 * servers: the login's own host is expected when CAPTCHA_EXPECTED_HOSTNAMES names none, the secret
 * wins when it does, and an action is enforced wherever the provider returns one.
 */
import { parseCaptchaConfig } from '../../shared/captcha/config';
import { expectHostnames, readHostname } from '../../shared/captcha/hostname';
import type { CaptchaConfig, CaptchaProvider } from '../../shared/captcha/types';
import { verifyCaptcha } from '../../shared/captcha/verify';
import { ConfigErrors } from '../../shared/config/static-policy';
import { startCaptchaServer, type CaptchaServer, type TokenAnswer } from '../support/captcha-servers';

const PROVIDERS: readonly CaptchaProvider[] = ['recaptcha-v3', 'recaptcha-enterprise', 'hcaptcha', 'turnstile'];
const SECRET = 'captcha-secret-for-hostname-tests';
const SITE_KEY = '10000000-ffff-ffff-ffff-000000000001';
const PROJECT = 'tollguard-test';
const LOGIN_HOST = 'login.example.com';
const IP = '203.0.113.9';

describe('readHostname', () => {
  test.each([
    ['login.example.com', 'login.example.com'],
    ['Login.Example.COM', 'login.example.com'],
    ['login.example.com:443', 'login.example.com'],
    ['LOGIN.example.com:8443', 'login.example.com'],
    ['login.example.com.', 'login.example.com'],
    ['  tenant.us.auth0.com  ', 'tenant.us.auth0.com'],
  ])('%p is the host %p', (raw, host) => {
    expect(readHostname(raw)).toBe(host);
  });

  test.each([[''], ['   '], ['https://login.example.com'], ['login.example.com/signup'], ['[::1]:443'], ['two words.example'], ['-bad.example'], ['a'.repeat(301)], ['a'.repeat(64) + '.example'], ['login.example.com:'], ['login.example.com:123456']])(
    'the string %p is no host',
    (raw) => {
      expect(readHostname(raw)).toBeUndefined();
    },
  );

  test.each([[undefined], [null], [42], [{ hostname: 'login.example.com' }], [['login.example.com']], [true]])('%p is no host', (value) => {
    expect(readHostname(value)).toBeUndefined();
  });
});

describe('expectHostnames', () => {
  const base = (hosts: string[]): CaptchaConfig => ({
    provider: 'turnstile', secret: SECRET, siteKey: undefined, projectId: undefined, verifyUrl: 'https://127.0.0.1/x',
    timeoutMs: 1000, minScore: 0.5, expectedHostnames: hosts, expectedAction: 'signup',
  });

  test('CAPTCHA_EXPECTED_HOSTNAMES wins, else the login host, else no check', () => {
    expect(expectHostnames(base(['a.example.com']), LOGIN_HOST)).toMatchObject({ expectedHostnames: ['a.example.com'], hostnameSource: 'secret' });
    expect(expectHostnames(base([]), LOGIN_HOST)).toMatchObject({ expectedHostnames: [LOGIN_HOST], hostnameSource: 'login-host' });
    expect(expectHostnames(base([]), undefined)).toMatchObject({ expectedHostnames: [], hostnameSource: 'no-login-host' });
  });

  test('the parsed configuration is not changed', () => {
    const config = base([]);
    expectHostnames(config, LOGIN_HOST);
    expect(config.expectedHostnames).toEqual([]);
    expect(config.hostnameSource).toBeUndefined();
  });
});

describe.each(PROVIDERS)('%s: hostname and action over HTTP', (provider) => {
  let server: CaptchaServer;
  let counter = 0;
  const hasAction = provider !== 'hcaptcha';
  const goodScore = provider === 'hcaptcha' ? 0.1 : 0.9;

  beforeAll(async () => {
    server = await startCaptchaServer(provider, { secret: SECRET, siteKey: SITE_KEY, projectId: PROJECT });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  function configFrom(extra: Record<string, string> = {}): CaptchaConfig {
    const errors = new ConfigErrors();
    const config = parseCaptchaConfig(
      {
        CAPTCHA_PROVIDER: provider,
        CAPTCHA_SECRET: SECRET,
        CAPTCHA_SITE_KEY: provider === 'recaptcha-enterprise' || provider === 'hcaptcha' ? SITE_KEY : undefined,
        CAPTCHA_PROJECT_ID: provider === 'recaptcha-enterprise' ? PROJECT : undefined,
        CAPTCHA_VERIFY_URL: server.url,
        ...extra,
      },
      errors,
    );
    expect(errors.errors).toEqual([]);
    if (config === undefined) throw new Error('no configuration');
    return config;
  }

  function issue(answer: TokenAnswer): string {
    const token = `${provider}-host-token-${(counter += 1)}-0123456789abcdef`;
    server.setToken(token, { score: goodScore, ...answer });
    return token;
  }

  async function verify(token: string, loginHost: string | undefined, extra?: Record<string, string>) {
    return verifyCaptcha(token, IP, expectHostnames(configFrom(extra), loginHost));
  }

  test("without CAPTCHA_EXPECTED_HOSTNAMES a token from the login's host passes and the reason says which check applied", async () => {
    const verdict = await verify(issue({ hostname: LOGIN_HOST, action: 'signup' }), LOGIN_HOST);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.reason).toContain("hostname login.example.com is the login's host");
    expect(verdict.reason).toContain(hasAction ? 'action signup' : 'action not checked: hcaptcha returned none');
  });

  test('a token issued for another host is refused, naming both hosts', async () => {
    const verdict = await verify(issue({ hostname: 'free-prizes.example' }), LOGIN_HOST);
    expect(verdict).toMatchObject({
      outcome: 'fail',
      reason: "hostname free-prizes.example is not login.example.com (the login's host, event.request.hostname)",
      hostname: 'free-prizes.example',
    });
  });

  test('an answer without a hostname is refused when a host is expected, with a clear reason', async () => {
    const verdict = await verify(issue({ hostname: null }), LOGIN_HOST);
    expect(verdict).toMatchObject({
      outcome: 'fail',
      reason: "no hostname in the answer, expected login.example.com (the login's host, event.request.hostname)",
    });
  });

  test('CAPTCHA_EXPECTED_HOSTNAMES, when set, replaces the login host', async () => {
    const named = { CAPTCHA_EXPECTED_HOSTNAMES: 'signup.example.org, www.example.org' };
    expect((await verify(issue({ hostname: 'www.example.org' }), LOGIN_HOST, named)).reason).toContain('hostname www.example.org is in CAPTCHA_EXPECTED_HOSTNAMES');
    expect((await verify(issue({ hostname: LOGIN_HOST }), LOGIN_HOST, named)).reason).toBe(
      'hostname login.example.com is not any of signup.example.org, www.example.org (CAPTCHA_EXPECTED_HOSTNAMES)',
    );
  });

  test('with no login host and no secret, the hostname is not checked and the reason says why', async () => {
    const verdict = await verify(issue({ hostname: 'anywhere.example' }), undefined);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.reason).toContain('hostname not checked: CAPTCHA_EXPECTED_HOSTNAMES is unset and the event names no login host');
  });

  test('the host is compared without case', async () => {
    expect((await verify(issue({ hostname: 'LOGIN.Example.com' }), LOGIN_HOST)).outcome).toBe('pass');
  });

  test(hasAction ? 'a token made for another action is refused' : 'hCaptcha returns no action: the action check passes and says so', async () => {
    const verdict = await verify(issue({ action: 'login' }), LOGIN_HOST);
    if (hasAction) {
      expect(verdict).toMatchObject({ outcome: 'fail', reason: 'action login is not the expected signup (CAPTCHA_EXPECTED_ACTION)', action: 'login' });
    } else {
      expect(verdict).toMatchObject({ outcome: 'pass', action: undefined });
      expect(verdict.reason).toContain('action not checked: hcaptcha returned none');
    }
  });

  test('an answer without an action passes the action check, and the reason says the provider returned none', async () => {
    const verdict = await verify(issue({ action: null }), LOGIN_HOST);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.reason).toContain(`action not checked: ${provider} returned none`);
  });

  test('CAPTCHA_EXPECTED_ACTION none turns the action check off; another name is enforced', async () => {
    const off = await verify(issue({ action: 'login' }), LOGIN_HOST, { CAPTCHA_EXPECTED_ACTION: 'none' });
    expect(off.outcome).toBe('pass');
    expect(off.reason).toContain('action not checked (CAPTCHA_EXPECTED_ACTION none)');
    const named = await verify(issue({ action: 'register' }), LOGIN_HOST, { CAPTCHA_EXPECTED_ACTION: 'register' });
    expect(named.outcome).toBe('pass');
    if (hasAction) expect((await verify(issue({ action: 'signup' }), LOGIN_HOST, { CAPTCHA_EXPECTED_ACTION: 'register' })).outcome).toBe('fail');
  });
});

test('reCAPTCHA v2 keys answer siteverify without score and action: hostname checked, no score, no action', async () => {
  const server = await startCaptchaServer('recaptcha-v3', { secret: SECRET });
  try {
    server.setToken('v2-checkbox-token-0123456789', { score: null, action: null });
    const config: CaptchaConfig = {
      provider: 'recaptcha-v3', secret: SECRET, siteKey: undefined, projectId: undefined, verifyUrl: server.url,
      timeoutMs: 1000, minScore: 0.5, expectedHostnames: [], expectedAction: 'signup',
    };
    expect(await verifyCaptcha('v2-checkbox-token-0123456789', IP, expectHostnames(config, LOGIN_HOST))).toMatchObject({
      outcome: 'pass',
      score: undefined,
      reason: "passed (no score; hostname login.example.com is the login's host; action not checked: recaptcha-v3 returned none)",
    });
  } finally {
    await server.close();
  }
});
