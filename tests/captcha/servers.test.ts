/**
 * tests/support/captcha-servers.ts answers raw requests the way each provider documents, so the
 * verify tests exercise the real protocol and not a friendly stub.
 */
import { startCaptchaServer, type CaptchaServer } from '../support/captcha-servers';

const SECRET = 'server-test-secret-000000000000';
const SITE_KEY = '10000000-ffff-ffff-ffff-000000000001';

function form(fields: Record<string, string>): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() };
}

function json(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

async function call(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body };
}

describe('reCAPTCHA v3 server', () => {
  let server: CaptchaServer;
  beforeAll(async () => {
    server = await startCaptchaServer('recaptcha-v3', { secret: SECRET });
  });
  afterAll(() => server.close());

  test('missing secret and token are both reported; JSON bodies carry no form fields', async () => {
    expect(await call(server.url, form({}))).toEqual({ status: 200, body: { success: false, 'error-codes': ['missing-input-secret', 'missing-input-response'] } });
    expect((await call(server.url, json({ secret: SECRET, response: 'x' }))).body).toEqual({
      success: false,
      'error-codes': ['missing-input-secret', 'missing-input-response'],
    });
  });

  test('wrong secret, unknown token, then a documented success with score and action, then a duplicate', async () => {
    server.setToken('good-token', { score: 0.8 });
    expect((await call(server.url, form({ secret: 'nope', response: 'good-token' }))).body).toEqual({ success: false, 'error-codes': ['invalid-input-secret'] });
    expect((await call(server.url, form({ secret: SECRET, response: 'other' }))).body).toEqual({ success: false, 'error-codes': ['invalid-input-response'] });
    const ok = await call(server.url, form({ secret: SECRET, response: 'good-token', remoteip: '203.0.113.9' }));
    expect(ok.body).toMatchObject({ success: true, score: 0.8, action: 'signup', hostname: 'login.example.com' });
    expect(typeof (ok.body as Record<string, unknown>)['challenge_ts']).toBe('string');
    expect((await call(server.url, form({ secret: SECRET, response: 'good-token' }))).body).toEqual({ success: false, 'error-codes': ['timeout-or-duplicate'] });
  });

  test('other paths and methods are not the endpoint', async () => {
    expect((await call(server.url.replace('/siteverify', '/verify'), form({ secret: SECRET }))).status).toBe(404);
    expect((await call(server.url, { method: 'GET' })).status).toBe(405);
  });
});

describe('hCaptcha server', () => {
  let server: CaptchaServer;
  beforeAll(async () => {
    server = await startCaptchaServer('hcaptcha', { secret: SECRET, siteKey: SITE_KEY });
  });
  afterAll(() => server.close());

  test('no score without Enterprise; a risk score and score_reason with it; already-seen on replay', async () => {
    server.setToken('plain', {});
    server.setToken('enterprise', { score: 0.2, reasons: ['safe'] });
    expect((await call(server.url, form({ secret: SECRET, response: 'plain' }))).body).toEqual({
      success: true,
      challenge_ts: expect.any(String),
      hostname: 'login.example.com',
      credit: false,
    });
    expect((await call(server.url, form({ secret: SECRET, response: 'enterprise', sitekey: SITE_KEY }))).body).toMatchObject({ score: 0.2, score_reason: ['safe'] });
    expect((await call(server.url, form({ secret: SECRET, response: 'plain' }))).body).toEqual({ success: false, 'error-codes': ['already-seen-response'] });
  });

  test('a site key of another site, and a remote IP that is none', async () => {
    server.setToken('t1', {});
    expect((await call(server.url, form({ secret: SECRET, response: 't1', sitekey: 'other-site-key-000' }))).body).toEqual({
      success: false,
      'error-codes': ['sitekey-secret-mismatch'],
    });
    expect((await call(server.url, form({ secret: SECRET, response: 't1', remoteip: 'localhost' }))).body).toEqual({
      success: false,
      'error-codes': ['invalid-remoteip'],
    });
  });
});

describe('Turnstile server', () => {
  let server: CaptchaServer;
  beforeAll(async () => {
    server = await startCaptchaServer('turnstile', { secret: SECRET });
  });
  afterAll(() => server.close());

  test('form and JSON bodies both work; success carries empty error-codes, action and cdata', async () => {
    server.setToken('form-token', {});
    server.setToken('json-token', { action: 'login' });
    expect((await call(server.url, form({ secret: SECRET, response: 'form-token' }))).body).toEqual({
      success: true,
      challenge_ts: expect.any(String),
      hostname: 'login.example.com',
      'error-codes': [],
      action: 'signup',
      cdata: '',
    });
    expect((await call(server.url, json({ secret: SECRET, response: 'json-token' }))).body).toMatchObject({ success: true, action: 'login' });
    expect(server.requests.map((request) => request.contentType)).toEqual(['application/x-www-form-urlencoded', 'application/json']);
  });

  test('a replay is timeout-or-duplicate unless it brings the first idempotency_key', async () => {
    server.setToken('retry-token', {});
    const key = '4a1f8c1e-7f7e-4f55-9d0e-0d1c2b3a4f5e';
    const first = await call(server.url, form({ secret: SECRET, response: 'retry-token', idempotency_key: key }));
    expect(first.body).toMatchObject({ success: true });
    expect((await call(server.url, form({ secret: SECRET, response: 'retry-token', idempotency_key: key }))).body).toEqual(first.body);
    expect((await call(server.url, form({ secret: SECRET, response: 'retry-token' }))).body).toEqual({
      success: false,
      'error-codes': ['timeout-or-duplicate'],
    });
  });

  test('a token over 2048 characters is invalid-input-response', async () => {
    const long = 'a'.repeat(2049);
    server.setToken(long, {});
    expect((await call(server.url, json({ secret: SECRET, response: long }))).body).toEqual({ success: false, 'error-codes': ['invalid-input-response'] });
  });
});

describe('reCAPTCHA Enterprise server', () => {
  const PROJECT = 'tollguard-test';
  let server: CaptchaServer;
  beforeAll(async () => {
    server = await startCaptchaServer('recaptcha-enterprise', { secret: SECRET, siteKey: SITE_KEY, projectId: PROJECT });
  });
  afterAll(() => server.close());

  const event = (token: string, siteKey = SITE_KEY) => json({ event: { token, siteKey, expectedAction: 'signup' } });

  test('the API key travels in the query; missing or wrong keys get Google API errors', async () => {
    expect(server.url).toMatch(new RegExp(`/v1/projects/${PROJECT}/assessments$`));
    const missing = await call(server.url, event('t'));
    expect(missing).toMatchObject({ status: 403, body: { error: { code: 403, status: 'PERMISSION_DENIED' } } });
    const wrong = await call(`${server.url}?key=nope`, event('t'));
    expect(wrong).toMatchObject({ status: 400, body: { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'API key not valid. Please pass a valid API key.' } } });
    const project = await call(`${server.url.replace(PROJECT, 'other-project')}?key=${SECRET}`, event('t'));
    expect(project).toMatchObject({ status: 403, body: { error: { status: 'PERMISSION_DENIED' } } });
  });

  test('a form body or a body without event or siteKey is INVALID_ARGUMENT', async () => {
    const url = `${server.url}?key=${SECRET}`;
    expect((await call(url, form({ token: 't' }))).status).toBe(400);
    expect((await call(url, json({ token: 't' }))).status).toBe(400);
    expect((await call(url, json({ event: { token: 't' } }))).status).toBe(400);
  });

  test('token problems are 200 answers with valid=false and the documented invalid reasons', async () => {
    const url = `${server.url}?key=${SECRET}`;
    server.setToken('enterprise-good', { score: 0.7, reasons: ['LOW_CONFIDENCE_SCORE'] });
    server.setToken('enterprise-expired', { valid: false });
    const reason = async (init: RequestInit) => ((await call(url, init)).body as { tokenProperties: { invalidReason: string } }).tokenProperties.invalidReason;
    expect(await reason(event(''))).toBe('MISSING');
    expect(await reason(event('forged'))).toBe('MALFORMED');
    expect(await reason(event('enterprise-expired'))).toBe('EXPIRED');
    expect(await reason(event('enterprise-good', 'another-site-key'))).toBe('UNKNOWN_INVALID_REASON');
    const good = await call(url, event('enterprise-good'));
    expect(good.body).toMatchObject({
      name: expect.stringMatching(/^projects\/\d+\/assessments\/[0-9a-f]+$/),
      event: { token: 'enterprise-good', siteKey: SITE_KEY, expectedAction: 'signup' },
      riskAnalysis: { score: 0.7, reasons: ['LOW_CONFIDENCE_SCORE'] },
      tokenProperties: { valid: true, hostname: 'login.example.com', action: 'signup', createTime: expect.any(String) },
    });
    expect(await reason(event('enterprise-good'))).toBe('DUPE');
  });
});

test('faults and delays apply to the next requests only, and reset clears everything', async () => {
  const server = await startCaptchaServer('turnstile', { secret: SECRET });
  try {
    server.fail(503, '<html>down</html>', 2);
    expect((await call(server.url, form({}))).status).toBe(503);
    expect((await call(server.url, form({}))).status).toBe(503);
    expect((await call(server.url, form({}))).status).toBe(200);
    server.delay(150);
    const started = Date.now();
    await call(server.url, form({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(server.requests).toHaveLength(4);
    server.setToken('kept', {});
    server.reset();
    expect(server.requests).toHaveLength(0);
    expect((await call(server.url, form({ secret: SECRET, response: 'kept' }))).body).toEqual({ success: false, 'error-codes': ['invalid-input-response'] });
  } finally {
    await server.close();
  }
});

describe('hostname and action in each documented place', () => {
  const PROJECT = 'tollguard-test';

  test('siteverify answers carry hostname and action at the top level; null leaves them out', async () => {
    const recaptcha = await startCaptchaServer('recaptcha-v3', { secret: SECRET });
    const hcaptcha = await startCaptchaServer('hcaptcha', { secret: SECRET });
    const turnstile = await startCaptchaServer('turnstile', { secret: SECRET });
    try {
      recaptcha.setToken('chosen', { hostname: 'Login.Example.ORG', action: 'register' });
      recaptcha.setToken('v2-key', { score: null, action: null, hostname: null });
      expect((await call(recaptcha.url, form({ secret: SECRET, response: 'chosen' }))).body).toMatchObject({ hostname: 'Login.Example.ORG', action: 'register', score: 0.9 });
      expect((await call(recaptcha.url, form({ secret: SECRET, response: 'v2-key' }))).body).toEqual({ success: true, challenge_ts: expect.any(String) });

      hcaptcha.setToken('with-action', { action: 'signup', hostname: 'signup.example.org' });
      hcaptcha.setToken('no-host', { hostname: null });
      expect((await call(hcaptcha.url, form({ secret: SECRET, response: 'with-action' }))).body).toEqual({
        success: true, challenge_ts: expect.any(String), hostname: 'signup.example.org', credit: false,
      });
      expect((await call(hcaptcha.url, form({ secret: SECRET, response: 'no-host' }))).body).toEqual({ success: true, challenge_ts: expect.any(String), credit: false });

      turnstile.setToken('no-action', { action: null, hostname: 'example.com' });
      expect((await call(turnstile.url, form({ secret: SECRET, response: 'no-action' }))).body).toEqual({
        success: true, challenge_ts: expect.any(String), hostname: 'example.com', 'error-codes': [], action: '', cdata: '',
      });
    } finally {
      await Promise.all([recaptcha.close(), hcaptcha.close(), turnstile.close()]);
    }
  });

  test('assessments carry them in tokenProperties, empty when left out', async () => {
    const enterprise = await startCaptchaServer('recaptcha-enterprise', { secret: SECRET, siteKey: SITE_KEY, projectId: PROJECT });
    try {
      enterprise.setToken('chosen', { hostname: 'signup.example.org', action: 'register' });
      enterprise.setToken('app-token', { hostname: null, action: null });
      const ask = (token: string) => call(`${enterprise.url}?key=${SECRET}`, json({ event: { token, siteKey: SITE_KEY, expectedAction: 'signup' } }));
      expect((await ask('chosen')).body).toMatchObject({ tokenProperties: { valid: true, hostname: 'signup.example.org', action: 'register' }, event: { expectedAction: 'signup' } });
      expect((await ask('app-token')).body).toMatchObject({ tokenProperties: { valid: true, hostname: '', action: '' } });
    } finally {
      await enterprise.close();
    }
  });
});
