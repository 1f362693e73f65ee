/**
 * shared/captcha/verify.ts against local servers that speak each provider's documented protocol
 * (tests/support/captcha-servers.ts), plus fetch stubs for what a server cannot easily do.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { parseCaptchaConfig } from '../../shared/captcha/config';
import type { CaptchaConfig, CaptchaProvider, CaptchaVerdict } from '../../shared/captcha/types';
import { buildVerifyRequest, verifyCaptcha } from '../../shared/captcha/verify';
import { ConfigErrors } from '../../shared/config/static-policy';
import { startCaptchaServer, type CaptchaServer, type TokenAnswer } from '../support/captcha-servers';

const PROVIDERS: readonly CaptchaProvider[] = ['recaptcha-v3', 'recaptcha-enterprise', 'hcaptcha', 'turnstile'];
const SCORED: readonly CaptchaProvider[] = ['recaptcha-v3', 'recaptcha-enterprise', 'hcaptcha'];
const WITH_ACTION: readonly CaptchaProvider[] = ['recaptcha-v3', 'recaptcha-enterprise', 'turnstile'];

const SECRET: Record<CaptchaProvider, string> = {
  'recaptcha-v3': '6LeTestSecretNotReal00000000000000000000',
  'recaptcha-enterprise': 'AIzaSyTestOnlyNotARealKey0000000000000',
  hcaptcha: '0x0000000000000000000000000000000000000000',
  turnstile: '1x0000000000000000000000000000000AA',
};
const SITE_KEY = '10000000-ffff-ffff-ffff-000000000001';
const PROJECT = 'tollguard-test';
const IP = '203.0.113.9';

/** The score a provider reports for a given human-likeness (hCaptcha reports risk). */
function providerScore(provider: CaptchaProvider, human: number): number {
  return provider === 'hcaptcha' ? Math.round((1 - human) * 100) / 100 : human;
}

/** A verdict never carries the token or the secret, in any field. */
function expectClean(verdict: CaptchaVerdict, ...sensitive: string[]): void {
  const text = JSON.stringify(verdict);
  for (const value of sensitive) expect(text).not.toContain(value);
}

async function freePortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/siteverify`;
}

describe.each(PROVIDERS)('%s against its local server', (provider) => {
  let server: CaptchaServer;
  let config: CaptchaConfig;
  let counter = 0;
  const secret = SECRET[provider];
  const token = (label: string) => `${label}-${provider}-token-${(counter += 1)}-AbCdEf0123456789_xyz`;
  const register = (label: string, answer: TokenAnswer) => {
    const value = token(label);
    server.setToken(value, answer);
    return value;
  };

  beforeAll(async () => {
    server = await startCaptchaServer(provider, { secret, siteKey: SITE_KEY, projectId: PROJECT });
    const errors = new ConfigErrors();
    const parsed = parseCaptchaConfig(
      {
        CAPTCHA_PROVIDER: provider,
        CAPTCHA_SECRET: secret,
        CAPTCHA_SITE_KEY: provider === 'recaptcha-enterprise' || provider === 'hcaptcha' ? SITE_KEY : undefined,
        CAPTCHA_PROJECT_ID: provider === 'recaptcha-enterprise' ? PROJECT : undefined,
        CAPTCHA_VERIFY_URL: server.url,
        CAPTCHA_TIMEOUT: '1s',
        CAPTCHA_EXPECTED_HOSTNAMES: 'login.example.com',
      },
      errors,
    );
    expect(errors.errors).toEqual([]);
    if (parsed === undefined) throw new Error('no configuration');
    config = parsed;
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(() => {
    server.reset();
  });

  test('a human token passes with the normalised score, sent as the provider documents', async () => {
    const value = register('human', { score: providerScore(provider, 0.9) });
    const verdict = await verifyCaptcha(value, IP, config);
    expect(verdict).toEqual({
      outcome: 'pass',
      provider,
      score: provider === 'turnstile' ? undefined : 0.9,
      reason: `passed (${provider === 'turnstile' ? 'no score' : 'score 0.9'}; hostname login.example.com is in CAPTCHA_EXPECTED_HOSTNAMES; ${
        provider === 'hcaptcha' ? 'action not checked: hcaptcha returned none' : 'action signup'
      })`,
      hostname: 'login.example.com',
      action: provider === 'hcaptcha' ? undefined : 'signup',
    });
    expectClean(verdict, value, secret);

    expect(server.requests).toHaveLength(1);
    const request = server.requests[0];
    if (provider === 'recaptcha-enterprise') {
      expect(request).toEqual({
        method: 'POST',
        path: `/v1/projects/${PROJECT}/assessments`,
        contentType: 'application/json; charset=utf-8',
        query: { key: secret },
        params: { event: { token: value, siteKey: SITE_KEY, expectedAction: 'signup', userIpAddress: IP } },
      });
    } else {
      expect(request).toEqual({
        method: 'POST',
        path: new URL(server.url).pathname,
        contentType: 'application/x-www-form-urlencoded',
        query: {},
        params: { secret, response: value, remoteip: IP, ...(provider === 'hcaptcha' ? { sitekey: SITE_KEY } : {}) },
      });
    }
  });

  test('a remote IP that is no IP address is not sent', async () => {
    const value = register('human', { score: providerScore(provider, 0.9) });
    expect((await verifyCaptcha(value, 'not-an-ip', config)).outcome).toBe('pass');
    const params = server.requests[0]?.params ?? {};
    expect(JSON.stringify(params)).not.toContain('not-an-ip');
  });

  test('an unknown token fails', async () => {
    const value = token('forged');
    const verdict = await verifyCaptcha(value, IP, config);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.reason).toContain(provider === 'recaptcha-enterprise' ? 'token not valid (MALFORMED)' : 'invalid-input-response');
    expectClean(verdict, value, secret);
  });

  test('a token verified twice fails the second time with the provider\'s duplicate answer', async () => {
    const value = register('replayed', { score: providerScore(provider, 0.9) });
    expect((await verifyCaptcha(value, IP, config)).outcome).toBe('pass');
    const again = await verifyCaptcha(value, IP, config);
    expect(again.outcome).toBe('fail');
    const duplicate: Record<CaptchaProvider, string> = {
      'recaptcha-v3': 'timeout-or-duplicate',
      'recaptcha-enterprise': 'DUPE',
      hcaptcha: 'already-seen-response',
      turnstile: 'timeout-or-duplicate',
    };
    expect(again.reason).toContain(duplicate[provider]);
  });

  test('a token the provider marks invalid or expired fails', async () => {
    const value = register('expired', { valid: false, invalidReason: 'EXPIRED' });
    const verdict = await verifyCaptcha(value, IP, config);
    expect(verdict.outcome).toBe('fail');
    expectClean(verdict, value, secret);
  });

  test('a wrong secret is an error (our configuration, not the user) and says the secret is invalid', async () => {
    const value = register('human', { score: providerScore(provider, 0.9) });
    const wrong = `${secret.slice(0, -4)}WRNG`;
    const verdict = await verifyCaptcha(value, IP, { ...config, secret: wrong });
    expect(verdict.outcome).toBe('error');
    if (provider === 'recaptcha-enterprise') {
      expect(verdict.reason).toContain('API key not valid');
    } else {
      expect(verdict.reason).toContain('invalid-input-secret');
      expect(verdict.reason).toContain('secret CAPTCHA_SECRET is invalid');
    }
    expect(verdict.reason).toContain('CAPTCHA_SECRET');
    expectClean(verdict, value, wrong, secret);
  });

  test('a token from another hostname fails when hostnames are expected', async () => {
    const value = register('elsewhere', { score: providerScore(provider, 0.9), hostname: 'evil.example.net' });
    const verdict = await verifyCaptcha(value, IP, config);
    expect(verdict).toMatchObject({
      outcome: 'fail',
      reason: 'hostname evil.example.net is not login.example.com (CAPTCHA_EXPECTED_HOSTNAMES)',
      hostname: 'evil.example.net',
    });
  });

  test('an empty token fails without a round trip', async () => {
    expect(await verifyCaptcha('', IP, config)).toMatchObject({ outcome: 'fail', reason: 'no token' });
    expect(await verifyCaptcha('   ', IP, config)).toMatchObject({ outcome: 'fail', reason: 'no token' });
    expect(server.requests).toHaveLength(0);
  });

  test('HTTP 500 is an error', async () => {
    const value = register('human', { score: providerScore(provider, 0.9) });
    server.fail(500, '{"error":"boom"}');
    const verdict = await verifyCaptcha(value, IP, config);
    expect(verdict.outcome).toBe('error');
    expect(verdict.reason).toContain('HTTP 500');
  });

  test('an HTML page instead of JSON is an error', async () => {
    const value = register('human', { score: providerScore(provider, 0.9) });
    server.fail(200, '<html><body>Just a moment...</body></html>');
    expect(await verifyCaptcha(value, IP, config)).toMatchObject({
      outcome: 'error',
      reason: `${provider} answered HTTP 200 with a body that is not JSON`,
    });
    server.fail(502, '<html><body>Bad gateway</body></html>');
    expect((await verifyCaptcha(value, IP, config)).outcome).toBe('error');
  });

  test('a provider slower than CAPTCHA_TIMEOUT is an error within the timeout', async () => {
    const value = register('human', { score: providerScore(provider, 0.9) });
    server.delay(2000);
    const started = Date.now();
    const verdict = await verifyCaptcha(value, IP, { ...config, timeoutMs: 200 });
    const elapsed = Date.now() - started;
    expect(verdict).toMatchObject({ outcome: 'error', reason: `${provider} did not answer within 200 ms` });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(700);
  });

  test('a refused connection is an error, quickly', async () => {
    const started = Date.now();
    const verdict = await verifyCaptcha(token('any'), IP, { ...config, verifyUrl: await freePortUrl() });
    expect(verdict.outcome).toBe('error');
    expect(verdict.reason).toMatch(new RegExp(`^could not reach ${provider} \\(`));
    expect(verdict.reason).toContain('ECONNREFUSED');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('random tokens never appear in any reason, whatever the server answers', async () => {
    const tokens = fc.stringMatching(/^[A-Za-z0-9_.+/=-]{20,300}$/);
    const scenarios = fc.constantFrom('human', 'bot', 'unknown', 'duplicate', 'invalid', 'wrong-secret', 'html-echo', 'json-echo', 'slow');
    await fc.assert(
      fc.asyncProperty(tokens, scenarios, async (value, scenario) => {
        server.reset();
        let used = config;
        if (scenario === 'human' || scenario === 'duplicate') server.setToken(value, { score: providerScore(provider, 0.9) });
        if (scenario === 'bot') server.setToken(value, { score: providerScore(provider, 0.1), hostname: value.slice(0, 60) });
        if (scenario === 'invalid') server.setToken(value, { valid: false, invalidReason: 'BROWSER_ERROR', errorCodes: ['invalid-input-response'] });
        if (scenario === 'wrong-secret') used = { ...config, secret: `${secret}-rotated` };
        if (scenario === 'html-echo') server.fail(503, `<html><body>${value} ${secret}</body></html>`);
        if (scenario === 'json-echo') {
          server.fail(400, JSON.stringify({ success: false, 'error-codes': [value, secret], error: { code: 400, message: `${value} ${secret}`, status: 'X' } }));
        }
        if (scenario === 'slow') {
          server.delay(1000);
          used = { ...config, timeoutMs: 200 };
        }
        if (scenario === 'duplicate') await verifyCaptcha(value, IP, used);
        const verdict = await verifyCaptcha(value, IP, used);
        expectClean(verdict, value, used.secret, secret);
      }),
      { numRuns: 25 },
    );
  });
});

describe.each(SCORED)('%s: scores', (provider) => {
  let server: CaptchaServer;
  const secret = SECRET[provider];
  let config: CaptchaConfig;

  beforeAll(async () => {
    server = await startCaptchaServer(provider, { secret, siteKey: SITE_KEY, projectId: PROJECT });
    config = {
      provider,
      secret,
      siteKey: SITE_KEY,
      projectId: PROJECT,
      verifyUrl: server.url,
      timeoutMs: 1000,
      minScore: 0.5,
      expectedHostnames: [],
      expectedAction: 'signup',
    };
  });

  afterAll(async () => {
    await server.close();
  });

  test('a low score fails with the normalised score below the minimum', async () => {
    server.setToken(`low-${provider}-token-0123456789`, { score: providerScore(provider, 0.3), reasons: ['AUTOMATION'] });
    const verdict = await verifyCaptcha(`low-${provider}-token-0123456789`, IP, config);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.score).toBe(0.3);
    expect(verdict.reason).toMatch(/^score 0\.3 below 0\.5/);
  });

  test('the minimum is the admin\'s: the same score passes a lower bar', async () => {
    server.setToken(`mid-${provider}-token-0123456789`, { score: providerScore(provider, 0.3) });
    const verdict = await verifyCaptcha(`mid-${provider}-token-0123456789`, IP, { ...config, minScore: 0.2 });
    expect(verdict).toMatchObject({ outcome: 'pass', score: 0.3 });
  });
});

describe.each(WITH_ACTION)('%s: actions', (provider) => {
  test('a token made for another action fails', async () => {
    const secret = SECRET[provider];
    const server = await startCaptchaServer(provider, { secret, siteKey: SITE_KEY, projectId: PROJECT });
    try {
      const config: CaptchaConfig = {
        provider,
        secret,
        siteKey: SITE_KEY,
        projectId: PROJECT,
        verifyUrl: server.url,
        timeoutMs: 1000,
        minScore: 0.5,
        expectedHostnames: [],
        expectedAction: 'signup',
      };
      server.setToken('login-action-token-0123456789', { score: providerScore(provider, 0.9), action: 'login' });
      expect(await verifyCaptcha('login-action-token-0123456789', IP, config)).toMatchObject({
        outcome: 'fail',
        reason: 'action login is not the expected signup (CAPTCHA_EXPECTED_ACTION)',
      });
    } finally {
      await server.close();
    }
  });
});

describe('provider specifics', () => {
  const base = (provider: CaptchaProvider, verifyUrl: string): CaptchaConfig => ({
    provider,
    secret: SECRET[provider],
    siteKey: provider === 'turnstile' || provider === 'recaptcha-v3' ? undefined : SITE_KEY,
    projectId: provider === 'recaptcha-enterprise' ? PROJECT : undefined,
    verifyUrl,
    timeoutMs: 1000,
    minScore: 0.5,
    expectedHostnames: [],
    expectedAction: 'signup',
  });

  test('hCaptcha: a site key of another site is an error naming CAPTCHA_SITE_KEY', async () => {
    const server = await startCaptchaServer('hcaptcha', { secret: SECRET.hcaptcha, siteKey: SITE_KEY });
    try {
      server.setToken('hcaptcha-token-0123456789abcdef', { score: 0.1 });
      const verdict = await verifyCaptcha('hcaptcha-token-0123456789abcdef', IP, {
        ...base('hcaptcha', server.url),
        siteKey: '20000000-ffff-ffff-ffff-000000000002',
      });
      expect(verdict.outcome).toBe('error');
      expect(verdict.reason).toContain('sitekey-secret-mismatch');
      expect(verdict.reason).toContain('CAPTCHA_SITE_KEY');
    } finally {
      await server.close();
    }
  });

  test('Turnstile: a token over 2048 characters fails without a round trip', async () => {
    const server = await startCaptchaServer('turnstile', { secret: SECRET.turnstile });
    try {
      const long = 'x'.repeat(2049);
      server.setToken(long, {});
      expect(await verifyCaptcha(long, IP, base('turnstile', server.url))).toMatchObject({
        outcome: 'fail',
        reason: 'token of 2049 characters is longer than 2048',
      });
      expect(server.requests).toHaveLength(0);
      const max = 'y'.repeat(2048);
      server.setToken(max, {});
      expect((await verifyCaptcha(max, IP, base('turnstile', server.url))).outcome).toBe('pass');
    } finally {
      await server.close();
    }
  });

  test('Turnstile: internal-error is an error for the fail mode, not a refusal', async () => {
    const server = await startCaptchaServer('turnstile', { secret: SECRET.turnstile });
    try {
      server.setToken('turnstile-token-0123456789', { errorCodes: ['internal-error'] });
      expect(await verifyCaptcha('turnstile-token-0123456789', IP, base('turnstile', server.url))).toMatchObject({
        outcome: 'error',
        reason: 'turnstile could not verify (internal-error): the provider had an internal error',
      });
    } finally {
      await server.close();
    }
  });

  test('Enterprise: a wrong project is an error that points at CAPTCHA_PROJECT_ID', async () => {
    const server = await startCaptchaServer('recaptcha-enterprise', { secret: SECRET['recaptcha-enterprise'], siteKey: SITE_KEY, projectId: PROJECT });
    try {
      server.setToken('enterprise-token-0123456789', { score: 0.9 });
      const url = server.url.replace(PROJECT, 'other-project');
      const verdict = await verifyCaptcha('enterprise-token-0123456789', IP, { ...base('recaptcha-enterprise', url), projectId: 'other-project' });
      expect(verdict.outcome).toBe('error');
      expect(verdict.reason).toContain('HTTP 403 PERMISSION_DENIED');
      expect(verdict.reason).toContain('CAPTCHA_PROJECT_ID');
    } finally {
      await server.close();
    }
  });

  test('Enterprise: the expected action is sent; with none, the field is left out', () => {
    const config = base('recaptcha-enterprise', 'https://recaptchaenterprise.googleapis.com/v1/projects/p-123456/assessments');
    const request = buildVerifyRequest('tok', undefined, { ...config, expectedAction: undefined });
    expect(JSON.parse(request.body)).toEqual({ event: { token: 'tok', siteKey: SITE_KEY } });
    expect(request.url).toBe(`https://recaptchaenterprise.googleapis.com/v1/projects/p-123456/assessments?key=${SECRET['recaptcha-enterprise']}`);
  });

  test('IPv6 and mapped addresses are sent canonical', () => {
    const config = base('turnstile', 'https://challenges.cloudflare.com/turnstile/v0/siteverify');
    expect(new URLSearchParams(buildVerifyRequest('t', '2001:DB8:0:0::1', config).body).get('remoteip')).toBe('2001:db8::1');
    expect(new URLSearchParams(buildVerifyRequest('t', '::ffff:203.0.113.9', config).body).get('remoteip')).toBe(IP);
  });
});

describe('the edge never throws and holds its deadline', () => {
  const config: CaptchaConfig = {
    provider: 'recaptcha-enterprise',
    secret: 'AIzaSyTestOnlyNotARealKey0000000000000',
    siteKey: SITE_KEY,
    projectId: PROJECT,
    verifyUrl: 'https://recaptchaenterprise.googleapis.com/v1/projects/tollguard-test/assessments',
    timeoutMs: 200,
    minScore: 0.5,
    expectedHostnames: [],
    expectedAction: 'signup',
  };

  test('a fetch that ignores the abort signal still ends at the deadline', async () => {
    const hanging = (() => new Promise<Response>(() => undefined)) as typeof fetch;
    const started = Date.now();
    expect(await verifyCaptcha('token-0123456789', IP, config, hanging)).toMatchObject({
      outcome: 'error',
      reason: 'recaptcha-enterprise did not answer within 200 ms',
    });
    expect(Date.now() - started).toBeLessThan(600);
  });

  test('a fetch that throws, synchronously or with odd values, is an error', async () => {
    const cases: Array<typeof fetch> = [
      (() => {
        throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } });
      }) as typeof fetch,
      (() => Promise.reject('a string')) as typeof fetch,
      (() => Promise.reject(null)) as typeof fetch,
      (() => Promise.reject({ name: 'AbortError', message: 'from another realm' })) as typeof fetch,
      (() =>
        Promise.resolve({
          status: 200,
          text: () => Promise.reject(new Error('body stream broke')),
        } as unknown as Response)) as typeof fetch,
    ];
    const reasons = [];
    for (const fetchImpl of cases) {
      const verdict = await verifyCaptcha('token-0123456789', IP, config, fetchImpl);
      expect(verdict.outcome).toBe('error');
      reasons.push(verdict.reason);
    }
    expect(reasons).toEqual([
      'could not reach recaptcha-enterprise (ENOTFOUND)',
      'could not reach recaptcha-enterprise (a string)',
      'could not reach recaptcha-enterprise (null)',
      'recaptcha-enterprise did not answer within 200 ms',
      'could not reach recaptcha-enterprise (body stream broke)',
    ]);
  });

  test('an oversized answer is an error', async () => {
    const huge = (() => Promise.resolve(new Response('{"a":"' + 'x'.repeat(70_000) + '"}', { status: 200 }))) as typeof fetch;
    expect((await verifyCaptcha('token-0123456789', IP, config, huge)).outcome).toBe('error');
  });

  test('random tokens and secrets never reach a reason, even when every answer echoes them', async () => {
    const tokens = fc.stringMatching(/^[A-Za-z0-9_.+/=-]{20,300}$/);
    const secrets = fc.stringMatching(/^[\x21-\x7e]{8,80}$/);
    const providers = fc.constantFrom(...PROVIDERS);
    const echoes = fc.constantFrom('codes', 'fields', 'google-error', 'throw', 'html');
    await fc.assert(
      fc.asyncProperty(tokens, secrets, providers, echoes, async (token, secret, provider, echo) => {
        const echoing = (async (input: string | URL | Request, init?: RequestInit) => {
          const url = String(input);
          const sent = String(init?.body ?? '');
          const all = `${url} ${sent} ${token} ${secret}`;
          if (echo === 'throw') throw new TypeError(`fetch failed ${all}`, { cause: { message: all } });
          if (echo === 'html') return new Response(`<html>${all}</html>`, { status: 502 });
          if (echo === 'google-error') return Response.json({ error: { code: 400, message: all, status: 'INVALID_ARGUMENT' } }, { status: 400 });
          if (echo === 'codes') return Response.json({ success: false, 'error-codes': [token.toLowerCase(), token, secret, sent, url] });
          return Response.json({
            success: true,
            score: 0.9,
            hostname: token,
            action: secret,
            tokenProperties: { valid: true, hostname: secret, action: token },
            riskAnalysis: { score: 0.1, reasons: [token, secret] },
          });
        }) as typeof fetch;
        const verdict = await verifyCaptcha(token, IP, { ...config, provider, secret, expectedAction: undefined }, echoing);
        expectClean(verdict, token, secret);
      }),
      { numRuns: 300 },
    );
  });
});
