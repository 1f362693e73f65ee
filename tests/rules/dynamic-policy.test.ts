import fc from 'fast-check';
import { ConfigErrors, type Secrets } from '../../shared/config/static-policy';
import {
  DEFAULT_LIMITS,
  formatWindowLimit,
  parseDynamicPolicy,
  parseWindowLimit,
  type DynamicPolicy,
  type WindowLimit,
} from '../../shared/config/dynamic-policy';
import { SecretError } from '../../shared/config/secret-error';
import { requiredResendDelayMs } from '../../shared/rules/number-velocity';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function parse(secrets: Secrets): { policy: DynamicPolicy; errors: string[]; secretErrors: SecretError[] } {
  const errors = new ConfigErrors();
  const policy = parseDynamicPolicy(secrets, errors);
  return { policy, errors: errors.errors.map((error) => error.message), secretErrors: errors.errors };
}

const DEFAULTS = parse({}).policy;

describe('parseDynamicPolicy defaults', () => {
  test('no secrets: no errors, and these defaults', () => {
    const { policy, errors } = parse({});
    expect(errors).toEqual([]);
    expect(policy).toEqual({
      conversion: { floor: 15, drop: 0.5, lagMs: 10 * 60_000, probeOneIn: 40 },
      keyPrefix: 'tollguard',
      failMode: 'open',
      storeTimeoutMs: 300,
      limits: {
        number: { max: 10, windowMs: HOUR },
        user: { max: 10, windowMs: HOUR },
        userLowTrust: { max: 4, windowMs: HOUR },
        ip: { max: 60, windowMs: HOUR },
        userNumbers: { max: 3, windowMs: DAY },
        subnet: { max: 1000, windowMs: HOUR },
        country: undefined,
      },
      resend: { freeAttempts: 3, baseDelayMs: 30 * SECOND, maxDelayMs: 10 * MINUTE, resetMs: 15 * MINUTE },
      serviceCap: { sms: { max: 5000, windowMs: HOUR }, voice: { max: 500, windowMs: HOUR }, lockoutMs: DAY },
      pumping: {
        windowMs: HOUR,
        alpha: 1 / 24,
        rangeDropDigits: 4,
        rangeFloor: 8,
        countryFloor: 20,
        factor: 4,
        servedBaseline: 5,
        learningWindows: 24,
        blockMs: 12 * HOUR,
      },
      servedProofs: 3,
      likelyFactors: { max: 3, windowMs: 24 * HOUR },
      likelyFactorsTotal: { max: 10, windowMs: 24 * HOUR },
      servedTrials: { max: 20, windowMs: 24 * HOUR },
      lookup: undefined,
      alertWebhookUrl: undefined,
    });
  });

  test('blank secrets count as unset', () => {
    const blank = Object.fromEntries(
      [...Object.keys(DEFAULT_LIMITS), 'GUARD_FAIL_MODE', 'GUARD_STORE_TIMEOUT', 'GUARD_KEY_PREFIX', 'ALERT_WEBHOOK_URL', 'GUARD_RESEND_DELAY', 'GUARD_PUMPING'].map((name) => [name, '  ']),
    );
    const { policy, errors } = parse(blank);
    expect(errors).toEqual([]);
    expect(policy).toEqual(DEFAULTS);
  });

  test('every shipped default limit parses', () => {
    for (const [name, value] of Object.entries(DEFAULT_LIMITS)) {
      expect(() => parseWindowLimit(name, value, value)).not.toThrow();
    }
  });

  test('the defaults keep their ordering: low-trust tighter than standard, subnet wider than IP, voice tighter than SMS', () => {
    const { limits, serviceCap } = DEFAULTS;
    expect(limits.userLowTrust?.max).toBeLessThan(limits.user?.max ?? 0);
    expect(limits.subnet?.max).toBeGreaterThan(limits.ip?.max ?? Infinity);
    expect(serviceCap.voice?.max).toBeLessThan(serviceCap.sms?.max ?? 0);
  });
});

describe('parseWindowLimit', () => {
  test('reads count / window', () => {
    expect(parseWindowLimit('GUARD_LIMIT_USER', '10/1h', '1/1h')).toEqual({ max: 10, windowMs: HOUR });
    expect(parseWindowLimit('GUARD_LIMIT_USER', '30/15m', '1/1h')).toEqual({ max: 30, windowMs: 15 * MINUTE });
    expect(parseWindowLimit('GUARD_LIMIT_USER', '500/1d', '1/1h')).toEqual({ max: 500, windowMs: DAY });
    expect(parseWindowLimit('GUARD_LIMIT_USER', ' 10 / 1H ', '1/1h')).toEqual({ max: 10, windowMs: HOUR });
  });

  test('off (any case) turns the limit off', () => {
    expect(parseWindowLimit('GUARD_LIMIT_USER', 'off', '10/1h')).toBeUndefined();
    expect(parseWindowLimit('GUARD_LIMIT_USER', ' OFF ', '10/1h')).toBeUndefined();
  });

  test('unset or blank falls back', () => {
    expect(parseWindowLimit('GUARD_LIMIT_USER', undefined, '7/1h')).toEqual({ max: 7, windowMs: HOUR });
    expect(parseWindowLimit('GUARD_LIMIT_USER', '', '7/1h')).toEqual({ max: 7, windowMs: HOUR });
    expect(parseWindowLimit('GUARD_LIMIT_USER', undefined, 'off')).toBeUndefined();
  });

  test.each(['10', '0/1h', 'ten/1h', '10/1y', '10/', '/1h', '-1/1h', '1.5/1h', '10/30s', '10/8d', '10/1h/2', '12345678/1h', '10 per 1h'])(
    'rejects %j with a SecretError naming the secret',
    (raw) => {
      let thrown: unknown;
      try {
        parseWindowLimit('GUARD_LIMIT_IP', raw, '30/1h');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SecretError);
      expect((thrown as SecretError).secret).toBe('GUARD_LIMIT_IP');
      expect((thrown as SecretError).message).toContain('GUARD_LIMIT_IP');
    },
  );

  test('window bounds: 1 minute to 7 days', () => {
    expect(parseWindowLimit('X', '1/1m', '1/1h')).toEqual({ max: 1, windowMs: MINUTE });
    expect(parseWindowLimit('X', '1/7d', '1/1h')).toEqual({ max: 1, windowMs: 7 * DAY });
    expect(() => parseWindowLimit('X', '1/59s', '1/1h')).toThrow(SecretError);
    expect(() => parseWindowLimit('X', '1/169h', '1/1h')).toThrow(SecretError);
  });

  test('formatWindowLimit names limits in their largest whole unit', () => {
    expect(formatWindowLimit({ max: 10, windowMs: HOUR })).toBe('10/1h');
    expect(formatWindowLimit({ max: 30, windowMs: 15 * MINUTE })).toBe('30/15m');
    expect(formatWindowLimit({ max: 30, windowMs: 90 * MINUTE })).toBe('30/90m');
    expect(formatWindowLimit(undefined)).toBe('off');
  });

  test('property: format then parse gives the same limit back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999 }), fc.integer({ min: 1, max: 7 * 24 * 60 }), (max, minutes) => {
        const limit: WindowLimit = { max, windowMs: minutes * MINUTE };
        expect(parseWindowLimit('X', formatWindowLimit(limit), 'off')).toEqual(limit);
      }),
    );
  });

  test('property: any string either parses to a sane limit, is off, or throws a SecretError naming the secret', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (raw) => {
        try {
          const limit = parseWindowLimit('GUARD_LIMIT_NUMBER', raw, '10/1h');
          if (limit !== undefined) {
            expect(Number.isInteger(limit.max)).toBe(true);
            expect(limit.max).toBeGreaterThanOrEqual(1);
            expect(limit.windowMs).toBeGreaterThanOrEqual(MINUTE);
            expect(limit.windowMs).toBeLessThanOrEqual(7 * DAY);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(SecretError);
          expect((error as SecretError).secret).toBe('GUARD_LIMIT_NUMBER');
        }
      }),
    );
  });
});

describe('parseDynamicPolicy: good values', () => {
  test('fail mode', () => {
    expect(parse({ GUARD_FAIL_MODE: 'closed' }).policy.failMode).toBe('closed');
    expect(parse({ GUARD_FAIL_MODE: ' CLOSED ' }).policy.failMode).toBe('closed');
    expect(parse({ GUARD_FAIL_MODE: 'open' }).policy.failMode).toBe('open');
  });

  test('store timeout: 50 ms to 5 s', () => {
    expect(parse({ GUARD_STORE_TIMEOUT: '50ms' }).policy.storeTimeoutMs).toBe(50);
    expect(parse({ GUARD_STORE_TIMEOUT: '1s' }).policy.storeTimeoutMs).toBe(1000);
    expect(parse({ GUARD_STORE_TIMEOUT: '5s' }).policy.storeTimeoutMs).toBe(5000);
    expect(parse({ GUARD_STORE_TIMEOUT: '5000ms' }).errors).toEqual([]);
  });

  test('key prefix: letters, digits, . _ - up to 32, trimmed', () => {
    expect(parse({ GUARD_KEY_PREFIX: 'acme-prod_1.eu' }).policy.keyPrefix).toBe('acme-prod_1.eu');
    expect(parse({ GUARD_KEY_PREFIX: '  acme  ' }).policy.keyPrefix).toBe('acme');
    expect(parse({ GUARD_KEY_PREFIX: 'x'.repeat(32) }).policy.keyPrefix).toBe('x'.repeat(32));
  });

  test('alert webhook: https, or http on loopback only; the URL is used exactly as given', () => {
    expect(parse({ ALERT_WEBHOOK_URL: 'https://hooks.example.com/services/T0/B0/x/' }).policy.alertWebhookUrl).toBe('https://hooks.example.com/services/T0/B0/x/');
    expect(parse({ ALERT_WEBHOOK_URL: 'http://127.0.0.1:9999/hook' }).policy.alertWebhookUrl).toBe('http://127.0.0.1:9999/hook');
    expect(parse({ ALERT_WEBHOOK_URL: 'http://localhost:9999/hook' }).policy.alertWebhookUrl).toBe('http://localhost:9999/hook');
  });

  test('an alert webhook URL that carries its credentials in the query string is not silently cut', () => {
    // Google Chat and Azure Logic Apps webhooks authenticate with ?key=...&token=... / ?sig=...
    const url = 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=KEY&token=TOKEN';
    const { policy, errors } = parse({ ALERT_WEBHOOK_URL: url });
    // either the URL is used as given, or the admin is told it cannot be
    const reported = errors.some((message) => message.includes('ALERT_WEBHOOK_URL'));
    if (!reported) expect(policy.alertWebhookUrl).toBe(url);
  });

  test('resend delays', () => {
    expect(parse({ GUARD_RESEND_DELAY: 'off' }).policy.resend).toBeUndefined();
    expect(parse({ GUARD_RESEND_DELAY: ' Off ' }).policy.resend).toBeUndefined();
    expect(parse({ GUARD_RESEND_DELAY: '10s' }).policy.resend).toMatchObject({ baseDelayMs: 10 * SECOND, maxDelayMs: 10 * MINUTE });
    expect(parse({ GUARD_RESEND_MAX_DELAY: '32m' }).policy.resend).toMatchObject({ baseDelayMs: 30 * SECOND, maxDelayMs: 32 * MINUTE, resetMs: 48 * MINUTE });
    expect(parse({ GUARD_RESEND_MAX_DELAY: '24h' }).policy.resend?.resetMs).toBe(36 * HOUR);
  });

  test('a base resend delay above the default maximum still gets that delay (the maximum is never below the base)', () => {
    const { policy, errors } = parse({ GUARD_RESEND_DELAY: '1h' });
    expect(errors).toEqual([]);
    const resend = policy.resend;
    expect(resend?.baseDelayMs).toBe(HOUR);
    expect(resend?.maxDelayMs).toBeGreaterThanOrEqual(HOUR);
    // the fourth attempt of a streak must wait the configured base delay, not less
    expect(resend === undefined ? undefined : requiredResendDelayMs(4, resend)).toBe(HOUR);
  });

  test('service cap and lock-out', () => {
    const { policy, errors } = parse({ GUARD_SERVICE_CAP_SMS: '1000/1h', GUARD_SERVICE_CAP_VOICE: 'off', GUARD_SERVICE_CAP_LOCKOUT: '2h' });
    expect(errors).toEqual([]);
    expect(policy.serviceCap).toEqual({ sms: { max: 1000, windowMs: HOUR }, voice: undefined, lockoutMs: 2 * HOUR });
  });

  test('pumping knobs', () => {
    const { policy, errors } = parse({
      GUARD_PUMPING: 'ON',
      GUARD_PUMPING_WINDOW: '15m',
      GUARD_PUMPING_MEMORY: '48',
      GUARD_PUMPING_RANGE_FLOOR: '3',
      GUARD_PUMPING_COUNTRY_FLOOR: '50',
      GUARD_PUMPING_FACTOR: '2.5',
      GUARD_PUMPING_BLOCK: '1d',
    });
    expect(errors).toEqual([]);
    expect(policy.pumping).toMatchObject({ windowMs: 15 * MINUTE, alpha: 1 / 48, learningWindows: 48, rangeFloor: 3, countryFloor: 50, factor: 2.5, blockMs: DAY });
    expect(parse({ GUARD_PUMPING: 'off' }).policy.pumping).toBeUndefined();
  });
});

describe('parseDynamicPolicy: each bad value gives an error naming the secret, and the default is kept', () => {
  type Case = [secret: string, raw: string, read: (policy: DynamicPolicy) => unknown];
  const cases: Case[] = [
    ['GUARD_LIMIT_NUMBER', '10', (p) => p.limits.number],
    ['GUARD_LIMIT_USER', '0/1h', (p) => p.limits.user],
    ['GUARD_LIMIT_USER_LOW_TRUST', 'ten/1h', (p) => p.limits.userLowTrust],
    ['GUARD_LIMIT_IP', '10/1y', (p) => p.limits.ip],
    ['GUARD_LIMIT_SUBNET', '-5/1h', (p) => p.limits.subnet],
    ['GUARD_LIMIT_COUNTRY', '50/1w', (p) => p.limits.country],
    ['GUARD_SERVICE_CAP_SMS', 'lots', (p) => p.serviceCap.sms],
    ['GUARD_SERVICE_CAP_VOICE', '100', (p) => p.serviceCap.voice],
    ['GUARD_SERVICE_CAP_LOCKOUT', '30s', (p) => p.serviceCap.lockoutMs],
    ['GUARD_SERVICE_CAP_LOCKOUT', '8d', (p) => p.serviceCap.lockoutMs],
    ['GUARD_FAIL_MODE', 'sometimes', (p) => p.failMode],
    ['GUARD_FAIL_MODE', 'fail-open', (p) => p.failMode],
    ['GUARD_STORE_TIMEOUT', '49ms', (p) => p.storeTimeoutMs],
    ['GUARD_STORE_TIMEOUT', '6s', (p) => p.storeTimeoutMs],
    ['GUARD_STORE_TIMEOUT', '300', (p) => p.storeTimeoutMs],
    ['GUARD_STORE_TIMEOUT', '0ms', (p) => p.storeTimeoutMs],
    ['GUARD_KEY_PREFIX', 'my tenant', (p) => p.keyPrefix],
    ['GUARD_KEY_PREFIX', 'acme:prod', (p) => p.keyPrefix],
    ['GUARD_KEY_PREFIX', '{acme}', (p) => p.keyPrefix],
    ['GUARD_KEY_PREFIX', 'x'.repeat(33), (p) => p.keyPrefix],
    ['GUARD_KEY_PREFIX', 'tëst', (p) => p.keyPrefix],
    ['GUARD_KEY_PREFIX', 'a\nb', (p) => p.keyPrefix],
    ['ALERT_WEBHOOK_URL', 'http://hooks.example.com/x', (p) => p.alertWebhookUrl],
    ['ALERT_WEBHOOK_URL', 'ftp://hooks.example.com/x', (p) => p.alertWebhookUrl],
    ['ALERT_WEBHOOK_URL', 'hooks.example.com/x', (p) => p.alertWebhookUrl],
    ['GUARD_RESEND_DELAY', '500ms', (p) => p.resend],
    ['GUARD_RESEND_DELAY', '2h', (p) => p.resend],
    ['GUARD_RESEND_MAX_DELAY', '10s', (p) => p.resend],
    ['GUARD_RESEND_MAX_DELAY', '2d', (p) => p.resend],
    ['GUARD_PUMPING', 'maybe', (p) => p.pumping],
    ['GUARD_PUMPING_WINDOW', '1m', (p) => p.pumping],
    ['GUARD_PUMPING_MEMORY', '1', (p) => p.pumping],
    ['GUARD_PUMPING_RANGE_FLOOR', '1', (p) => p.pumping],
    ['GUARD_PUMPING_COUNTRY_FLOOR', 'twenty', (p) => p.pumping],
    ['GUARD_PUMPING_FACTOR', '1', (p) => p.pumping],
    ['GUARD_PUMPING_FACTOR', 'NaN', (p) => p.pumping],
    ['GUARD_PUMPING_BLOCK', '1m', (p) => p.pumping],
  ];

  test.each(cases)('%s = %j', (secret, raw, read) => {
    const { policy, errors, secretErrors } = parse({ [secret]: raw });
    expect(errors).toHaveLength(1);
    expect(secretErrors[0]?.secret).toBe(secret);
    expect(errors[0]).toContain(`secret ${secret} is invalid`);
    expect(read(policy)).toEqual(read(DEFAULTS));
    // nothing else moved either
    expect(policy).toEqual(DEFAULTS);
  });

  test('several bad values are all reported, each by name', () => {
    const { errors } = parse({ GUARD_LIMIT_IP: 'x', GUARD_FAIL_MODE: 'y', GUARD_STORE_TIMEOUT: 'z', ALERT_WEBHOOK_URL: 'http://example.com' });
    expect(errors).toHaveLength(4);
    for (const name of ['GUARD_LIMIT_IP', 'GUARD_FAIL_MODE', 'GUARD_STORE_TIMEOUT', 'ALERT_WEBHOOK_URL']) {
      expect(errors.some((message) => message.includes(name))).toBe(true);
    }
  });

  test('a long bad value is not echoed whole into the error (it may be a secret)', () => {
    const token = 'T'.repeat(200);
    const { errors } = parse({ ALERT_WEBHOOK_URL: `http://hooks.example.com/${token}` });
    expect(errors).toHaveLength(1);
    expect(errors[0]).not.toContain(token);
    expect(errors[0]?.length).toBeLessThan(300);
  });

  test('property: no secret value ever makes the parser throw', () => {
    const names = [...Object.keys(DEFAULT_LIMITS), 'GUARD_FAIL_MODE', 'GUARD_STORE_TIMEOUT', 'GUARD_KEY_PREFIX', 'ALERT_WEBHOOK_URL', 'GUARD_RESEND_DELAY', 'GUARD_RESEND_MAX_DELAY', 'GUARD_SERVICE_CAP_LOCKOUT', 'GUARD_PUMPING', 'GUARD_PUMPING_WINDOW', 'GUARD_PUMPING_MEMORY', 'GUARD_PUMPING_RANGE_FLOOR', 'GUARD_PUMPING_COUNTRY_FLOOR', 'GUARD_PUMPING_FACTOR', 'GUARD_PUMPING_BLOCK'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), fc.string({ maxLength: 40 })), (secrets) => {
        const { policy, secretErrors } = parse(secrets);
        for (const error of secretErrors) expect(names).toContain(error.secret);
        expect(policy.storeTimeoutMs).toBeGreaterThanOrEqual(50);
        expect(policy.storeTimeoutMs).toBeLessThanOrEqual(5000);
        expect(policy.keyPrefix).toMatch(/^[A-Za-z0-9_.-]{1,32}$/);
      }),
    );
  });
});
