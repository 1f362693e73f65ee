/**
 * shared/captcha/config.ts: CAPTCHA secrets, their defaults, and errors that name the secret.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CAPTCHA_SECRET_NAMES, isCaptchaRequested, parseCaptchaConfig } from '../../shared/captcha/config';
import {
  HCAPTCHA_VERIFY_URL,
  RECAPTCHA_V3_VERIFY_URL,
  TURNSTILE_VERIFY_URL,
} from '../../shared/captcha/endpoints';
import type { CaptchaConfig } from '../../shared/captcha/types';
import { ConfigErrors } from '../../shared/config/static-policy';

const SECRET = 'test-secret-0x0000000000000000000000000000000000000000';
const SITE_KEY = '10000000-ffff-ffff-ffff-000000000001';

function parse(secrets: Record<string, string | undefined>): { config: CaptchaConfig | undefined; errors: ConfigErrors } {
  const errors = new ConfigErrors();
  return { config: parseCaptchaConfig(secrets, errors), errors };
}

function errorFor(errors: ConfigErrors, name: string): string {
  const found = errors.errors.find((error) => error.secret === name);
  if (found === undefined) throw new Error(`no error names ${name}; got ${errors.errors.map((e) => e.message).join(' | ')}`);
  expect(found.name).toBe('SecretError');
  expect(found.message).toContain(`secret ${name} is invalid`);
  return found.message;
}

const ENTERPRISE = {
  CAPTCHA_PROVIDER: 'recaptcha-enterprise',
  CAPTCHA_SECRET: 'AIzaSyTestOnlyNotARealKey0000000000000',
  CAPTCHA_SITE_KEY: '6LeSiteKeyForTestsOnly000000000000000000',
  CAPTCHA_PROJECT_ID: 'tollguard-test',
};

describe('CAPTCHA_PROVIDER', () => {
  test.each([[undefined], [''], ['  '], ['none'], ['NONE'], [' None ']])('%p: CAPTCHA is off, without errors', (value) => {
    const { config, errors } = parse({ CAPTCHA_PROVIDER: value, CAPTCHA_SECRET: SECRET });
    expect(config).toBeUndefined();
    expect(errors.errors).toEqual([]);
    expect(isCaptchaRequested({ CAPTCHA_PROVIDER: value })).toBe(false);
  });

  test('an unknown provider is an error naming the secret and the choices, and CAPTCHA stays unusable', () => {
    const { config, errors } = parse({ CAPTCHA_PROVIDER: 'recaptcha', CAPTCHA_SECRET: SECRET });
    expect(config).toBeUndefined();
    expect(errorFor(errors, 'CAPTCHA_PROVIDER')).toContain('one of none, recaptcha-v3, recaptcha-enterprise, hcaptcha, turnstile');
    expect(isCaptchaRequested({ CAPTCHA_PROVIDER: 'recaptcha' })).toBe(true);
  });

  test.each([
    ['recaptcha-v3', RECAPTCHA_V3_VERIFY_URL],
    ['hcaptcha', HCAPTCHA_VERIFY_URL],
    ['turnstile', TURNSTILE_VERIFY_URL],
    ['Turnstile', TURNSTILE_VERIFY_URL],
  ])('%s with only a secret: documented endpoint and safe defaults', (provider, verifyUrl) => {
    const { config, errors } = parse({ CAPTCHA_PROVIDER: provider, CAPTCHA_SECRET: ` ${SECRET} ` });
    expect(errors.errors).toEqual([]);
    expect(config).toEqual({
      provider: provider.toLowerCase(),
      secret: SECRET,
      siteKey: undefined,
      projectId: undefined,
      verifyUrl,
      timeoutMs: 2000,
      minScore: 0.5,
      expectedHostnames: [],
      expectedAction: 'signup',
    });
  });

  test('the documented endpoints', () => {
    expect(RECAPTCHA_V3_VERIFY_URL).toBe('https://www.google.com/recaptcha/api/siteverify');
    expect(HCAPTCHA_VERIFY_URL).toBe('https://api.hcaptcha.com/siteverify');
    expect(TURNSTILE_VERIFY_URL).toBe('https://challenges.cloudflare.com/turnstile/v0/siteverify');
  });
});

describe('CAPTCHA_SECRET', () => {
  test('a provider without a secret is an error naming CAPTCHA_SECRET, and no configuration', () => {
    for (const value of [undefined, '', '   ']) {
      const { config, errors } = parse({ CAPTCHA_PROVIDER: 'turnstile', CAPTCHA_SECRET: value });
      expect(config).toBeUndefined();
      expect(errorFor(errors, 'CAPTCHA_SECRET')).toContain('required when CAPTCHA_PROVIDER is set');
    }
  });

  test('a malformed secret is refused without echoing it', () => {
    for (const value of ['short', 'has a space in the middle of it', `x${'y'.repeat(600)}`, 'tab\tinside-the-secret']) {
      const { config, errors } = parse({ CAPTCHA_PROVIDER: 'hcaptcha', CAPTCHA_SECRET: value });
      expect(config).toBeUndefined();
      const message = errorFor(errors, 'CAPTCHA_SECRET');
      expect(message).toContain(`a value of ${value.trim().length} characters`);
      expect(message).not.toContain(value.trim().slice(0, 8));
    }
  });

  test('for Enterprise the secret is the API key', () => {
    const { errors } = parse({ ...ENTERPRISE, CAPTCHA_SECRET: undefined });
    expect(errorFor(errors, 'CAPTCHA_SECRET')).toContain('Google Cloud API key');
  });
});

describe('reCAPTCHA Enterprise requirements', () => {
  test('with key, site key and project: the project\'s assessments URL', () => {
    const { config, errors } = parse(ENTERPRISE);
    expect(errors.errors).toEqual([]);
    expect(config).toMatchObject({
      provider: 'recaptcha-enterprise',
      secret: ENTERPRISE.CAPTCHA_SECRET,
      siteKey: ENTERPRISE.CAPTCHA_SITE_KEY,
      projectId: 'tollguard-test',
      verifyUrl: 'https://recaptchaenterprise.googleapis.com/v1/projects/tollguard-test/assessments',
    });
  });

  test.each([['CAPTCHA_SITE_KEY'], ['CAPTCHA_PROJECT_ID']])('without %s: an error naming it, and no configuration', (name) => {
    const { config, errors } = parse({ ...ENTERPRISE, [name]: undefined });
    expect(config).toBeUndefined();
    expect(errorFor(errors, name)).toContain('required for recaptcha-enterprise');
  });

  test.each([['My_Project'], ['ab'], ['project-'], ['-project'], ['1project'], ['a'.repeat(31)]])(
    'project ID %p is refused',
    (projectId) => {
      const { config, errors } = parse({ ...ENTERPRISE, CAPTCHA_PROJECT_ID: projectId });
      expect(config).toBeUndefined();
      expect(errorFor(errors, 'CAPTCHA_PROJECT_ID')).toContain('Google Cloud project ID');
    },
  );

  test.each([['my-project-123'], ['123456789012'], ['example.com:my-project']])('project ID %p is accepted', (projectId) => {
    const { config, errors } = parse({ ...ENTERPRISE, CAPTCHA_PROJECT_ID: projectId });
    expect(errors.errors).toEqual([]);
    expect(config?.verifyUrl).toBe(`https://recaptchaenterprise.googleapis.com/v1/projects/${encodeURIComponent(projectId)}/assessments`);
  });
});

describe('CAPTCHA_SITE_KEY', () => {
  test('optional for hCaptcha; kept when well-formed', () => {
    expect(parse({ CAPTCHA_PROVIDER: 'hcaptcha', CAPTCHA_SECRET: SECRET, CAPTCHA_SITE_KEY: SITE_KEY }).config?.siteKey).toBe(SITE_KEY);
  });

  test('a malformed site key is an error; an optional one falls back to unset', () => {
    const { config, errors } = parse({ CAPTCHA_PROVIDER: 'hcaptcha', CAPTCHA_SECRET: SECRET, CAPTCHA_SITE_KEY: 'bad key!' });
    expect(config?.siteKey).toBeUndefined();
    expect(errorFor(errors, 'CAPTCHA_SITE_KEY')).toContain('got "bad key!"');
  });
});

describe('the tuning knobs keep their default when a value is bad', () => {
  const base = { CAPTCHA_PROVIDER: 'turnstile', CAPTCHA_SECRET: SECRET };
  const knob = <K extends keyof CaptchaConfig>(secrets: Record<string, string>, key: K) => {
    const { config, errors } = parse({ ...base, ...secrets });
    if (config === undefined) throw new Error('expected a configuration');
    return { value: config[key], errors };
  };

  test('CAPTCHA_VERIFY_URL keeps the whole path; https anywhere, http only on loopback', () => {
    expect(knob({ CAPTCHA_VERIFY_URL: 'https://proxy.example.com/cf/turnstile/v0/siteverify/' }, 'verifyUrl').value).toBe(
      'https://proxy.example.com/cf/turnstile/v0/siteverify',
    );
    expect(knob({ CAPTCHA_VERIFY_URL: 'http://127.0.0.1:8787/turnstile/v0/siteverify' }, 'verifyUrl').value).toBe(
      'http://127.0.0.1:8787/turnstile/v0/siteverify',
    );
    expect(knob({ CAPTCHA_VERIFY_URL: 'http://localhost:9/x' }, 'verifyUrl').value).toBe('http://localhost:9/x');
    for (const bad of ['http://proxy.example.com/siteverify', 'not a url', 'ftp://127.0.0.1/x']) {
      const { value, errors } = knob({ CAPTCHA_VERIFY_URL: bad }, 'verifyUrl');
      expect(value).toBe(TURNSTILE_VERIFY_URL);
      expect(errorFor(errors, 'CAPTCHA_VERIFY_URL')).toContain('https://');
    }
  });

  test('an Enterprise override replaces the assessments URL and the key is still sent per request', () => {
    const { config } = parse({ ...ENTERPRISE, CAPTCHA_VERIFY_URL: 'http://127.0.0.1:9999/v1/projects/tollguard-test/assessments' });
    expect(config?.verifyUrl).toBe('http://127.0.0.1:9999/v1/projects/tollguard-test/assessments');
  });

  test('CAPTCHA_TIMEOUT: a duration from 200ms to 10s, default 2s', () => {
    expect(knob({}, 'timeoutMs').value).toBe(2000);
    expect(knob({ CAPTCHA_TIMEOUT: '200ms' }, 'timeoutMs').value).toBe(200);
    expect(knob({ CAPTCHA_TIMEOUT: '1500ms' }, 'timeoutMs').value).toBe(1500);
    expect(knob({ CAPTCHA_TIMEOUT: '10s' }, 'timeoutMs').value).toBe(10_000);
    for (const bad of ['100ms', '11s', '2', 'fast', '1m']) {
      const { value, errors } = knob({ CAPTCHA_TIMEOUT: bad }, 'timeoutMs');
      expect(value).toBe(2000);
      expect(errorFor(errors, 'CAPTCHA_TIMEOUT')).toContain('from 200ms to 10s');
    }
  });

  test('CAPTCHA_MIN_SCORE: a number from 0 to 1, default 0.5', () => {
    expect(knob({}, 'minScore').value).toBe(0.5);
    expect(knob({ CAPTCHA_MIN_SCORE: '0.7' }, 'minScore').value).toBe(0.7);
    expect(knob({ CAPTCHA_MIN_SCORE: '0' }, 'minScore').value).toBe(0);
    expect(knob({ CAPTCHA_MIN_SCORE: '1' }, 'minScore').value).toBe(1);
    for (const bad of ['1.5', '-0.1', 'high', '70%']) {
      const { value, errors } = knob({ CAPTCHA_MIN_SCORE: bad }, 'minScore');
      expect(value).toBe(0.5);
      expect(errorFor(errors, 'CAPTCHA_MIN_SCORE')).toContain('a number from 0 to 1');
    }
  });

  test('CAPTCHA_EXPECTED_HOSTNAMES: a list of host names, lower-cased, default none', () => {
    expect(knob({}, 'expectedHostnames').value).toEqual([]);
    expect(knob({ CAPTCHA_EXPECTED_HOSTNAMES: 'Login.Example.com, www.example.com.; auth.example.org' }, 'expectedHostnames').value).toEqual([
      'login.example.com',
      'www.example.com',
      'auth.example.org',
    ]);
    // The good items are kept: one typo must not switch the hostname check off.
    const { value, errors } = knob({ CAPTCHA_EXPECTED_HOSTNAMES: 'login.example.com, https://bad.example.com' }, 'expectedHostnames');
    expect(value).toEqual(['login.example.com']);
    expect(errorFor(errors, 'CAPTCHA_EXPECTED_HOSTNAMES')).toContain('got "https://bad.example.com"');
  });

  test('CAPTCHA_EXPECTED_ACTION: default signup, "none" turns the check off', () => {
    expect(knob({}, 'expectedAction').value).toBe('signup');
    expect(knob({ CAPTCHA_EXPECTED_ACTION: 'register_v2' }, 'expectedAction').value).toBe('register_v2');
    expect(knob({ CAPTCHA_EXPECTED_ACTION: 'None' }, 'expectedAction').value).toBeUndefined();
    const { value, errors } = knob({ CAPTCHA_EXPECTED_ACTION: 'sign up' }, 'expectedAction');
    expect(value).toBe('signup');
    expect(errorFor(errors, 'CAPTCHA_EXPECTED_ACTION')).toContain('"none" or an action name');
  });
});

describe('the secret names', () => {
  test('CAPTCHA_SECRET_NAMES is exactly the set of secrets the module reads', () => {
    const source = readFileSync(join(__dirname, '../../shared/captcha/config.ts'), 'utf8');
    const read = new Set([...source.matchAll(/secrets\['([A-Z0-9_]+)'\]/g)].map((match) => match[1]));
    expect([...read].sort()).toEqual([...CAPTCHA_SECRET_NAMES].sort());
  });

  test('any values: parsing never throws, and every error names one of the CAPTCHA secrets', () => {
    const value = fc.option(fc.oneof(fc.string(), fc.constantFrom('recaptcha-v3', 'recaptcha-enterprise', 'hcaptcha', 'turnstile', 'none', '0.5', '2s')), {
      nil: undefined,
    });
    const secrets = fc.record(Object.fromEntries(CAPTCHA_SECRET_NAMES.map((name) => [name, value])) as Record<string, typeof value>);
    fc.assert(
      fc.property(secrets, (record) => {
        const { config, errors } = parse(record);
        for (const error of errors.errors) expect(CAPTCHA_SECRET_NAMES as readonly string[]).toContain(error.secret);
        if (config !== undefined) {
          expect(config.minScore).toBeGreaterThanOrEqual(0);
          expect(config.minScore).toBeLessThanOrEqual(1);
          expect(config.timeoutMs).toBeGreaterThanOrEqual(200);
          expect(config.timeoutMs).toBeLessThanOrEqual(10_000);
          expect(config.secret.length).toBeGreaterThanOrEqual(8);
        }
        const secret = record['CAPTCHA_SECRET']?.trim() ?? '';
        if (secret.length >= 8) {
          const secretError = errors.errors.find((error) => error.secret === 'CAPTCHA_SECRET');
          if (secretError !== undefined) expect(secretError.message).not.toContain(secret);
        }
      }),
      { numRuns: 300 },
    );
  });
});
