/**
 * shared/captcha/interpret.ts: documented provider answers → verdicts. Example bodies follow the
 * providers' documentation (pages listed in shared/captcha/endpoints.ts).
 */
import { interpretAnswer, scrub, scrubVerdict, type InterpretConfig, type ProviderAnswer } from '../../shared/captcha/interpret';
import type { CaptchaProvider, CaptchaVerdict } from '../../shared/captcha/types';

const CONFIG: InterpretConfig = { minScore: 0.5, expectedHostnames: [], expectedAction: 'signup' };

function answer(body: unknown, status = 200): ProviderAnswer {
  return { status, json: true, body };
}

function notJson(status = 200): ProviderAnswer {
  return { status, json: false, body: undefined };
}

function run(provider: CaptchaProvider, a: ProviderAnswer, config: Partial<InterpretConfig> = {}): CaptchaVerdict {
  return interpretAnswer(provider, a, { ...CONFIG, ...config });
}

const SITEVERIFY: readonly CaptchaProvider[] = ['recaptcha-v3', 'hcaptcha', 'turnstile'];

describe('reCAPTCHA v3 siteverify answers', () => {
  const human = {
    success: true,
    score: 0.9,
    action: 'signup',
    challenge_ts: '2024-05-01T10:00:00Z',
    hostname: 'login.example.com',
  };

  test('a documented success passes with its score, hostname and action', () => {
    expect(run('recaptcha-v3', answer(human))).toEqual({
      outcome: 'pass',
      provider: 'recaptcha-v3',
      score: 0.9,
      reason: 'passed (score 0.9; hostname not checked; action signup)',
      hostname: 'login.example.com',
      action: 'signup',
    });
  });

  test('a score below the minimum fails and says by how much', () => {
    const verdict = run('recaptcha-v3', answer({ ...human, score: 0.3 }));
    expect(verdict.outcome).toBe('fail');
    expect(verdict.score).toBe(0.3);
    expect(verdict.reason).toBe('score 0.3 below 0.5');
  });

  test('a score equal to the minimum passes; the minimum is configurable', () => {
    expect(run('recaptcha-v3', answer({ ...human, score: 0.5 })).outcome).toBe('pass');
    expect(run('recaptcha-v3', answer({ ...human, score: 0.7 }), { minScore: 0.8 }).reason).toBe('score 0.7 below 0.8');
    expect(run('recaptcha-v3', answer({ ...human, score: 0 }), { minScore: 0 }).outcome).toBe('pass');
  });

  test('no score (a v2 key) passes without one', () => {
    const { score: _score, ...v2 } = human;
    const verdict = run('recaptcha-v3', answer(v2));
    expect(verdict).toMatchObject({ outcome: 'pass', score: undefined, reason: 'passed (no score; hostname not checked; action signup)' });
    const { action: _action, ...bareV2 } = v2;
    expect(run('recaptcha-v3', answer(bareV2))).toMatchObject({
      outcome: 'pass',
      reason: 'passed (no score; hostname not checked; action not checked: recaptcha-v3 returned none)',
    });
  });

  test.each([[1.5], [-0.1], ['0.9'], [Number.NaN], [{}]])('a score of %p is an unexpected shape: error', (score) => {
    expect(run('recaptcha-v3', answer({ ...human, score })).outcome).toBe('error');
  });

  test('a different action fails; the comparison ignores case; no action is not a mismatch, and the reason says so', () => {
    expect(run('recaptcha-v3', answer({ ...human, action: 'login' }))).toMatchObject({
      outcome: 'fail',
      reason: 'action login is not the expected signup (CAPTCHA_EXPECTED_ACTION)',
      action: 'login',
    });
    expect(run('recaptcha-v3', answer({ ...human, action: 'SignUp' })).outcome).toBe('pass');
    expect(run('recaptcha-v3', answer({ ...human, action: '' }))).toMatchObject({
      outcome: 'pass',
      reason: 'passed (score 0.9; hostname not checked; action not checked: recaptcha-v3 returned none)',
    });
    expect(run('recaptcha-v3', answer({ ...human, action: 'login' }), { expectedAction: undefined })).toMatchObject({
      outcome: 'pass',
      reason: 'passed (score 0.9; hostname not checked; action not checked (CAPTCHA_EXPECTED_ACTION none))',
    });
  });

  test('hostnames are checked only when expected, case-insensitively, and a missing one fails', () => {
    const expectedHostnames = ['login.example.com'];
    expect(run('recaptcha-v3', answer(human), { expectedHostnames })).toMatchObject({
      outcome: 'pass',
      reason: 'passed (score 0.9; hostname login.example.com is in CAPTCHA_EXPECTED_HOSTNAMES; action signup)',
    });
    expect(run('recaptcha-v3', answer({ ...human, hostname: 'LOGIN.Example.COM' }), { expectedHostnames }).outcome).toBe('pass');
    expect(run('recaptcha-v3', answer({ ...human, hostname: 'login.example.com.' }), { expectedHostnames }).outcome).toBe('pass');
    expect(run('recaptcha-v3', answer({ ...human, hostname: 'evil.example.net' }), { expectedHostnames })).toMatchObject({
      outcome: 'fail',
      reason: 'hostname evil.example.net is not login.example.com (CAPTCHA_EXPECTED_HOSTNAMES)',
    });
    expect(run('recaptcha-v3', answer({ ...human, hostname: 'evil.example.net' }), { expectedHostnames: ['a.example.com', 'b.example.com'] }).reason).toBe(
      'hostname evil.example.net is not any of a.example.com, b.example.com (CAPTCHA_EXPECTED_HOSTNAMES)',
    );
    const { hostname: _hostname, ...noHost } = human;
    expect(run('recaptcha-v3', answer(noHost), { expectedHostnames }).reason).toBe(
      'no hostname in the answer, expected login.example.com (CAPTCHA_EXPECTED_HOSTNAMES)',
    );
    expect(run('recaptcha-v3', answer({ ...human, hostname: 'evil.example.net' })).outcome).toBe('pass');
  });

  test("the login's host is checked like a named one, and the reasons say where it came from", () => {
    const fromLogin: Partial<InterpretConfig> = { expectedHostnames: ['login.example.com'], hostnameSource: 'login-host' };
    expect(run('recaptcha-v3', answer(human), fromLogin).reason).toBe("passed (score 0.9; hostname login.example.com is the login's host; action signup)");
    expect(run('recaptcha-v3', answer({ ...human, hostname: 'evil.example.net' }), fromLogin).reason).toBe(
      "hostname evil.example.net is not login.example.com (the login's host, event.request.hostname)",
    );
    const { hostname: _hostname, ...noHost } = human;
    expect(run('recaptcha-v3', answer(noHost), fromLogin).reason).toBe(
      "no hostname in the answer, expected login.example.com (the login's host, event.request.hostname)",
    );
    expect(run('recaptcha-v3', answer({ ...human, hostname: 42 }), fromLogin).reason).toBe(
      "no hostname in the answer, expected login.example.com (the login's host, event.request.hostname)",
    );
    expect(run('recaptcha-v3', answer({ ...human, hostname: 'evil.example.net' }), { hostnameSource: 'no-login-host' })).toMatchObject({
      outcome: 'pass',
      reason: 'passed (score 0.9; hostname not checked: CAPTCHA_EXPECTED_HOSTNAMES is unset and the event names no login host; action signup)',
    });
  });

  test.each([
    ['missing-input-response', 'fail', 'no token'],
    ['invalid-input-response', 'fail', 'invalid'],
    ['timeout-or-duplicate', 'fail', 'too old or was already used'],
    ['missing-input-secret', 'error', 'CAPTCHA_SECRET'],
    ['invalid-input-secret', 'error', 'secret CAPTCHA_SECRET is invalid'],
    ['bad-request', 'error', 'malformed'],
  ])('documented error code %s → %s', (code, outcome, words) => {
    const verdict = run('recaptcha-v3', answer({ success: false, 'error-codes': [code] }));
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.reason).toContain(code);
    expect(verdict.reason).toContain(words);
    expect(verdict.score).toBeUndefined();
  });

  test('a refusal without codes, or with unknown codes, fails and lists what came', () => {
    expect(run('recaptcha-v3', answer({ success: false }))).toMatchObject({ outcome: 'fail', reason: 'token refused (no error codes)' });
    expect(run('recaptcha-v3', answer({ success: false, 'error-codes': ['browser-error'] })).reason).toBe('token refused (browser-error)');
    expect(run('recaptcha-v3', answer({ success: false, 'error-codes': ['<script>', 7] })).reason).toBe(
      'token refused (unrecognised-code, unrecognised-code)',
    );
  });

  test('a configuration code outweighs a token code in the same answer', () => {
    const verdict = run('recaptcha-v3', answer({ success: false, 'error-codes': ['missing-input-response', 'missing-input-secret'] }));
    expect(verdict.outcome).toBe('error');
  });
});

describe('hCaptcha siteverify answers', () => {
  const base = { success: true, challenge_ts: '2024-05-01T10:00:00.000000Z', hostname: 'login.example.com', credit: false };

  test('without Enterprise there is no score: pass without one', () => {
    expect(run('hcaptcha', answer(base))).toMatchObject({
      outcome: 'pass',
      score: undefined,
      reason: 'passed (no score; hostname not checked; action not checked: hcaptcha returned none)',
      hostname: 'login.example.com',
    });
  });

  test.each([
    [0, 1],
    [0.1, 0.9],
    [0.5, 0.5],
    [0.7, 0.3],
    [1, 0],
  ])('the Enterprise risk score %p is inverted to human-likeness %p', (risk, human) => {
    expect(run('hcaptcha', answer({ ...base, score: risk, score_reason: [] })).score).toBe(human);
  });

  test('a high risk score fails with the normalised score in the reason', () => {
    expect(run('hcaptcha', answer({ ...base, score: 0.7, score_reason: ['suspicious'] }))).toMatchObject({
      outcome: 'fail',
      score: 0.3,
      reason: 'score 0.3 below 0.5',
    });
  });

  test('hCaptcha has no action: an action field is not read', () => {
    expect(run('hcaptcha', answer({ ...base, action: 'login' }))).toMatchObject({ outcome: 'pass', action: undefined });
  });

  test('hCaptcha hostnames are checked like the others', () => {
    const fromLogin: Partial<InterpretConfig> = { expectedHostnames: ['login.example.com'], hostnameSource: 'login-host' };
    expect(run('hcaptcha', answer(base), fromLogin).outcome).toBe('pass');
    expect(run('hcaptcha', answer({ ...base, hostname: 'dummy-key-pass' }), fromLogin).reason).toBe(
      "hostname dummy-key-pass is not login.example.com (the login's host, event.request.hostname)",
    );
  });

  test.each([
    ['expired-input-response', 'fail'],
    ['already-seen-response', 'fail'],
    ['invalid-or-already-seen-response', 'fail'],
    ['invalid-input-response', 'fail'],
    ['sitekey-secret-mismatch', 'error'],
    ['invalid-input-secret', 'error'],
    ['not-using-dummy-passcode', 'error'],
    ['invalid-remoteip', 'error'],
  ])('error code %s → %s', (code, outcome) => {
    expect(run('hcaptcha', answer({ success: false, 'error-codes': [code] })).outcome).toBe(outcome);
  });

  test('a site key that is not the secret\'s names both secrets', () => {
    const verdict = run('hcaptcha', answer({ success: false, 'error-codes': ['sitekey-secret-mismatch'] }));
    expect(verdict.reason).toContain('CAPTCHA_SITE_KEY');
    expect(verdict.reason).toContain('CAPTCHA_SECRET');
  });
});

describe('Turnstile siteverify answers', () => {
  const documented = {
    success: true,
    challenge_ts: '2022-02-28T15:14:30.096Z',
    hostname: 'example.com',
    'error-codes': [],
    action: 'login',
    cdata: 'sessionid-123456789',
  };

  test('the documented success passes without a score when its action is the expected one', () => {
    expect(run('turnstile', answer(documented), { expectedAction: 'login' })).toEqual({
      outcome: 'pass',
      provider: 'turnstile',
      score: undefined,
      reason: 'passed (no score; hostname not checked; action login)',
      hostname: 'example.com',
      action: 'login',
    });
  });

  test('the documented success fails when another action is expected', () => {
    expect(run('turnstile', answer(documented)).reason).toBe('action login is not the expected signup (CAPTCHA_EXPECTED_ACTION)');
  });

  test("a widget without an action passes the action check and says so; the hostname is the page's", () => {
    const fromLogin: Partial<InterpretConfig> = { expectedHostnames: ['example.com'], hostnameSource: 'login-host' };
    expect(run('turnstile', answer({ ...documented, action: '' }), fromLogin)).toMatchObject({
      outcome: 'pass',
      reason: "passed (no score; hostname example.com is the login's host; action not checked: turnstile returned none)",
    });
    expect(run('turnstile', answer(documented), { ...fromLogin, expectedHostnames: ['login.example.com'] }).reason).toBe(
      "hostname example.com is not login.example.com (the login's host, event.request.hostname)",
    );
  });

  test('Enterprise metadata does not matter; a score field is never read', () => {
    const withExtras = { ...documented, action: 'signup', metadata: { ephemeral_id: 'x:9f78e0ed210960d7693b167e' }, score: 0.01 };
    expect(run('turnstile', answer(withExtras))).toMatchObject({ outcome: 'pass', score: undefined });
  });

  test('the documented failure fails', () => {
    expect(run('turnstile', answer({ success: false, 'error-codes': ['invalid-input-response'] }))).toMatchObject({
      outcome: 'fail',
      reason: 'token refused (invalid-input-response): the token is invalid, malformed or expired',
    });
  });

  test('internal-error is the provider\'s trouble: error, even beside a token code', () => {
    expect(run('turnstile', answer({ success: false, 'error-codes': ['internal-error'] }))).toMatchObject({
      outcome: 'error',
      reason: 'turnstile could not verify (internal-error): the provider had an internal error',
    });
    expect(run('turnstile', answer({ success: false, 'error-codes': ['invalid-input-response', 'internal-error'] })).outcome).toBe('error');
  });

  test('timeout-or-duplicate fails', () => {
    expect(run('turnstile', answer({ success: false, 'error-codes': ['timeout-or-duplicate'] })).outcome).toBe('fail');
  });
});

describe.each(SITEVERIFY)('%s: HTTP status and shape', (provider) => {
  test.each([[500], [502], [503]])('HTTP %p is an error, whatever the body says', (status) => {
    expect(run(provider, answer({ success: true, score: 0.9, action: 'signup' }, status)).outcome).toBe('error');
    expect(run(provider, answer({ success: false, 'error-codes': ['invalid-input-response'] }, status)).reason).toBe(
      `${provider} answered HTTP ${status}`,
    );
  });

  test('a 4xx is read by its error codes when it has some, and is an error otherwise', () => {
    expect(run(provider, answer({ success: false, 'error-codes': ['invalid-input-response'] }, 400)).outcome).toBe('fail');
    expect(run(provider, answer({ success: false }, 400)).outcome).toBe('error');
    expect(run(provider, answer({ success: true, action: 'signup' }, 400)).outcome).toBe('error');
    expect(run(provider, notJson(429))).toMatchObject({ outcome: 'error', reason: `${provider} answered HTTP 429 with a body that is not JSON` });
  });

  test.each([[{}], [{ success: 'true' }], [{ success: 1 }], [null], [[true]], ['success'], [42]])(
    'an answer shaped %p is an error',
    (body) => {
      expect(run(provider, answer(body)).outcome).toBe('error');
    },
  );

  test('a body that is not JSON is an error', () => {
    expect(run(provider, notJson())).toMatchObject({ outcome: 'error', reason: `${provider} answered HTTP 200 with a body that is not JSON` });
  });
});

describe('reCAPTCHA Enterprise assessments', () => {
  const TOKEN = 'enterprise-token-that-the-answer-echoes-0123456789';
  function assessment(overrides: { score?: unknown; reasons?: unknown; tokenProperties?: Record<string, unknown> } = {}) {
    return {
      name: 'projects/123456789012/assessments/0123456789abcdef',
      event: {
        token: TOKEN,
        siteKey: '6LeSiteKeyForTestsOnly000000000000000000',
        userAgent: '',
        userIpAddress: '203.0.113.9',
        expectedAction: 'signup',
        hashedAccountId: '',
      },
      riskAnalysis: { score: 'score' in overrides ? overrides.score : 0.9, reasons: overrides.reasons ?? [] },
      tokenProperties: {
        valid: true,
        invalidReason: 'INVALID_REASON_UNSPECIFIED',
        hostname: 'login.example.com',
        action: 'signup',
        createTime: '2024-05-01T10:00:00.123Z',
        ...overrides.tokenProperties,
      },
    };
  }

  test('a valid token with a high score passes with tokenProperties hostname and action', () => {
    expect(run('recaptcha-enterprise', answer(assessment()))).toEqual({
      outcome: 'pass',
      provider: 'recaptcha-enterprise',
      score: 0.9,
      reason: 'passed (score 0.9; hostname not checked; action signup)',
      hostname: 'login.example.com',
      action: 'signup',
    });
  });

  test('a low score fails and shows the classification reasons', () => {
    expect(run('recaptcha-enterprise', answer(assessment({ score: 0.3, reasons: ['AUTOMATION', 'TOO_MUCH_TRAFFIC'] })))).toMatchObject({
      outcome: 'fail',
      score: 0.3,
      reason: 'score 0.3 below 0.5 (AUTOMATION, TOO_MUCH_TRAFFIC)',
    });
  });

  test.each(['INVALID_REASON_UNSPECIFIED', 'UNKNOWN_INVALID_REASON', 'MALFORMED', 'EXPIRED', 'DUPE', 'MISSING', 'BROWSER_ERROR'])(
    'valid=false with %s fails and names the reason',
    (invalidReason) => {
      const verdict = run('recaptcha-enterprise', answer(assessment({ score: 0, tokenProperties: { valid: false, invalidReason, hostname: '', action: '' } })));
      expect(verdict).toMatchObject({ outcome: 'fail', reason: `token not valid (${invalidReason})`, score: undefined });
    },
  );

  test('proto3 JSON may omit defaults: no `valid` is invalid, no score on a valid token is 0.0', () => {
    const { valid: _valid, ...withoutValid } = assessment().tokenProperties;
    expect(run('recaptcha-enterprise', answer({ ...assessment(), tokenProperties: withoutValid })).outcome).toBe('fail');
    const noScore = { ...assessment(), riskAnalysis: { reasons: [] } };
    expect(run('recaptcha-enterprise', answer(noScore))).toMatchObject({ outcome: 'fail', score: 0, reason: 'score 0 below 0.5' });
    expect(run('recaptcha-enterprise', answer(noScore), { minScore: 0 }).outcome).toBe('pass');
    const { riskAnalysis: _risk, ...noRisk } = assessment();
    expect(run('recaptcha-enterprise', answer(noRisk)).score).toBe(0);
  });

  test('action and hostname are checked against tokenProperties', () => {
    expect(run('recaptcha-enterprise', answer(assessment({ tokenProperties: { action: 'LOGIN' } }))).reason).toBe(
      'action LOGIN is not the expected signup (CAPTCHA_EXPECTED_ACTION)',
    );
    expect(
      run('recaptcha-enterprise', answer(assessment({ tokenProperties: { hostname: 'evil.example.net' } })), { expectedHostnames: ['login.example.com'] })
        .outcome,
    ).toBe('fail');
    const fromLogin: Partial<InterpretConfig> = { expectedHostnames: ['login.example.com'], hostnameSource: 'login-host' };
    expect(run('recaptcha-enterprise', answer(assessment({ tokenProperties: { hostname: 'evil.example.net' } })), fromLogin).reason).toBe(
      "hostname evil.example.net is not login.example.com (the login's host, event.request.hostname)",
    );
    // App keys report androidPackageName / iosBundleId and an empty hostname.
    const appToken = assessment({ tokenProperties: { hostname: '', androidPackageName: 'com.example.app' } });
    expect(run('recaptcha-enterprise', answer(appToken), fromLogin)).toMatchObject({
      outcome: 'fail',
      reason: "no hostname in the answer, expected login.example.com (the login's host, event.request.hostname)",
    });
    expect(run('recaptcha-enterprise', answer(assessment({ tokenProperties: { action: '' } }))).reason).toBe(
      'passed (score 0.9; hostname not checked; action not checked: recaptcha-enterprise returned none)',
    );
  });

  test('the wrong shapes are errors', () => {
    expect(run('recaptcha-enterprise', answer({ name: 'x' })).outcome).toBe('error');
    expect(run('recaptcha-enterprise', answer(assessment({ tokenProperties: { valid: 'true' } }))).outcome).toBe('error');
    expect(run('recaptcha-enterprise', answer(assessment({ score: 2 }))).outcome).toBe('error');
    expect(run('recaptcha-enterprise', notJson())).toMatchObject({ outcome: 'error' });
  });

  test('Google API errors are errors that say what to check', () => {
    const badKey = answer(
      { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT', details: [] } },
      400,
    );
    expect(run('recaptcha-enterprise', badKey)).toMatchObject({
      outcome: 'error',
      reason:
        'recaptcha-enterprise answered HTTP 400 INVALID_ARGUMENT: API key not valid. Please pass a valid API key. (check CAPTCHA_SECRET, the API key)',
    });
    const denied = answer({ error: { code: 403, message: 'Permission denied on resource project x.', status: 'PERMISSION_DENIED' } }, 403);
    expect(run('recaptcha-enterprise', denied).reason).toContain('CAPTCHA_PROJECT_ID');
    expect(run('recaptcha-enterprise', notJson(503)).reason).toBe('recaptcha-enterprise answered HTTP 503 with a body that is not JSON');
    expect(run('recaptcha-enterprise', answer({ error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } }, 500)).outcome).toBe('error');
  });

  test('the echoed event (with the token) never reaches the reason', () => {
    for (const body of [assessment(), assessment({ score: 0.1 }), assessment({ tokenProperties: { valid: false, invalidReason: 'DUPE' } })]) {
      expect(run('recaptcha-enterprise', answer(body)).reason).not.toContain(TOKEN);
    }
  });

  test('provider strings are bounded and stripped of quotes and control characters', () => {
    const verdict = run('recaptcha-enterprise', answer(assessment({ tokenProperties: { action: `"x\n${'y'.repeat(300)}` } })));
    expect(verdict.action).toHaveLength(100);
    expect(verdict.action).not.toMatch(/["\n]/);
  });
});

describe('scrub', () => {
  const token = 'tok+en/with=chars-0123456789';

  test('replaces a value and its URL-encoded forms', () => {
    const text = `a ${token} b ${encodeURIComponent(token)} c ${new URLSearchParams({ t: token }).toString().slice(2)}`;
    const out = scrub(text, [token]);
    expect(out).toBe('a [redacted] b [redacted] c [redacted]');
  });

  test('leaves short values alone and removes values that survive their own replacement', () => {
    expect(scrub('error abc', ['abc'])).toBe('error abc');
    expect(scrub('x redacted y', ['redacted'])).not.toContain('redacted');
    expect(scrub('aaaaaaaaaaaa', ['aaaaaa'])).not.toContain('aaaaaa');
  });

  test('scrubVerdict cleans every string the verdict carries', () => {
    const verdict: CaptchaVerdict = { outcome: 'fail', provider: 'turnstile', score: undefined, reason: `r ${token}`, hostname: token, action: `${token}!` };
    const clean = scrubVerdict(verdict, [token]);
    expect(JSON.stringify(clean)).not.toContain(token);
  });
});
