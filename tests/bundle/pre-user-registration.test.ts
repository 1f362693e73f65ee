/**
 * The built Pre-User-Registration Action in the local Actions runtime, with each CAPTCHA provider
 * played by a local server that follows the provider's documented verify API.
 */
import path from 'node:path';
import { buildActions } from '../../scripts/build';
import { ACTION_PACKAGES } from '../../scripts/lib/action-packages';
import type { PreUserRegistrationEvent } from '../../shared/auth0/types';
import {
  loadAction,
  preUserRegistrationEvent,
  runPreUserRegistration,
  runSendPhoneMessage,
  sendPhoneMessageEvent,
  type DeepPartial,
  type LoadedAction,
} from '../support/actions-runtime';
import { startCaptchaServer, type CaptchaServer } from '../support/captcha-servers';
import { withClockAt as withClock } from '../../scripts/sim/clock';
import { DIST_DIR, SecrecyLedger, decisionLineOf } from './helpers';

const SECRET = 'captcha-secret-for-tests-only';
/** The login host of the sample event: tokens must carry it unless CAPTCHA_EXPECTED_HOSTNAMES names others. */
const LOGIN_HOST = preUserRegistrationEvent().request.hostname as string;
const ledger = new SecrecyLedger();
let turnstile: CaptchaServer;
let recaptcha: CaptchaServer;
let prefixCounter = 0;

beforeAll(async () => {
  await buildActions({ quiet: true });
  turnstile = await startCaptchaServer('turnstile', { secret: SECRET });
  recaptcha = await startCaptchaServer('recaptcha-v3', { secret: SECRET });
  ledger.forbid(SECRET, 'CAPTCHA secret');
});
afterEach(() => {
  turnstile.reset();
  recaptcha.reset();
});
afterAll(async () => {
  await turnstile?.close();
  await recaptcha?.close();
});

function load(): LoadedAction {
  return loadAction(path.join(DIST_DIR, 'pre-user-registration.js'), { allowedPackages: ACTION_PACKAGES });
}

function turnstileSecrets(extra: Record<string, string> = {}): Record<string, string> {
  prefixCounter += 1;
  return { CAPTCHA_PROVIDER: 'turnstile', CAPTCHA_SECRET: SECRET, CAPTCHA_VERIFY_URL: turnstile.url, GUARD_KEY_PREFIX: `reg${prefixCounter}`, ...extra };
}

/**
 * A sign-up; by default with an address at a public mail provider, since a domain the tenant has
 * never seen gets low trust in its first day (the signup-new-domain rule).
 */
async function signUp(action: LoadedAction, secrets: Record<string, string>, overrides: DeepPartial<PreUserRegistrationEvent> = {}, token?: unknown) {
  const event = preUserRegistrationEvent({ ...overrides, user: { email: 'jane.doe@gmail.com', ...(overrides.user ?? {}) } });
  event.secrets = secrets;
  if (token !== undefined) event.request.body = { ...(event.request.body ?? {}), 'ulp-captcha-token': token };
  if (typeof token === 'string') ledger.forbid(token, 'CAPTCHA token');
  if (typeof event.user?.phone_number === 'string') ledger.forbidRecipient(event.user.phone_number);
  const invocation = await runPreUserRegistration(action, event);
  ledger.record(invocation);
  const outcome = invocation.result;
  if (outcome === undefined) throw new Error(`no outcome: ${invocation.error?.message}`);
  // The deny reason lands in the tenant logs: it must be as clean as a log line.
  if (outcome.denied) ledger.record({ ...invocation, logs: [outcome.denied.reason, outcome.denied.userMessage] });
  return { invocation, outcome, line: decisionLineOf(invocation) };
}

function tollguardMetadata(outcome: { appMetadata: Record<string, unknown> }): Record<string, unknown> {
  return outcome.appMetadata['tollguard'] as Record<string, unknown>;
}

describe('CAPTCHA', () => {
  test('a valid Turnstile token lets the user in with standard trust, and the token never reaches a log', async () => {
    turnstile.setToken('human-token-1', { valid: true, hostname: LOGIN_HOST, action: 'signup' });
    const { outcome, line, invocation } = await signUp(load(), turnstileSecrets(), {}, 'human-token-1');
    expect(outcome.denied).toBeUndefined();
    expect(tollguardMetadata(outcome)).toMatchObject({ trust: 'standard', captcha: { outcome: 'pass', provider: 'turnstile' }, signup_country: 'US' });
    expect(line.outcome).toBe('allowed');
    expect(turnstile.requests).toHaveLength(1);
    expect(turnstile.requests[0]?.params['secret']).toBe(SECRET);
    expect(turnstile.requests[0]?.params['response']).toBe('human-token-1');
    expect(invocation.logs.join('\n')).not.toContain('human-token-1');
  });

  test('reCAPTCHA v3 scores decide the trust tier or the refusal', async () => {
    const secrets = () => ({ CAPTCHA_PROVIDER: 'recaptcha-v3', CAPTCHA_SECRET: SECRET, CAPTCHA_VERIFY_URL: recaptcha.url, GUARD_KEY_PREFIX: `rc${(prefixCounter += 1)}` });
    recaptcha.setToken('confident-token-1', { valid: true, score: 0.95, action: 'signup', hostname: LOGIN_HOST });
    recaptcha.setToken('marginal-token-1', { valid: true, score: 0.6, action: 'signup', hostname: LOGIN_HOST });
    recaptcha.setToken('bot-token-1', { valid: true, score: 0.2, action: 'signup', hostname: LOGIN_HOST });
    expect(tollguardMetadata((await signUp(load(), secrets(), {}, 'confident-token-1')).outcome)['trust']).toBe('high');
    expect(tollguardMetadata((await signUp(load(), secrets(), {}, 'marginal-token-1')).outcome)['trust']).toBe('low');
    // A genuine token with a low score: people on shared networks get them too, so low trust by default.
    const low = await signUp(load(), secrets(), {}, 'bot-token-1');
    expect(low.outcome.denied).toBeUndefined();
    expect(tollguardMetadata(low.outcome)['trust']).toBe('low');
    expect(String((low.line['captcha'] as { note?: string }).note)).toContain('CAPTCHA_LOW_SCORE');
    recaptcha.setToken('bot-token-2', { valid: true, score: 0.2, action: 'signup', hostname: LOGIN_HOST });
    const bot = await signUp(load(), { ...secrets(), CAPTCHA_LOW_SCORE: 'deny' }, {}, 'bot-token-2');
    expect(bot.outcome.denied?.reason).toMatch(/captcha.*0\.2/i);
    expect(bot.outcome.denied?.userMessage).not.toMatch(/captcha|score|bot/i);
    expect(bot.line.rules).toEqual(['captcha']);
  });

  test('a token issued for another host is refused, naming both hosts; the login host is the default', async () => {
    recaptcha.setToken('foreign-token-1', { valid: true, score: 0.9, action: 'signup', hostname: 'free-prizes.example' });
    const secrets = { CAPTCHA_PROVIDER: 'recaptcha-v3', CAPTCHA_SECRET: SECRET, CAPTCHA_VERIFY_URL: recaptcha.url, GUARD_KEY_PREFIX: `rc${(prefixCounter += 1)}` };
    const foreign = await signUp(load(), secrets, {}, 'foreign-token-1');
    expect(foreign.line.rules).toEqual(['captcha']);
    expect(foreign.outcome.denied?.reason).toContain('free-prizes.example');
    expect(foreign.outcome.denied?.reason).toContain(LOGIN_HOST);
  });

  test('a missing token follows CAPTCHA_MISSING_TOKEN, by connection or client', async () => {
    const lowTrust = await signUp(load(), turnstileSecrets());
    expect(tollguardMetadata(lowTrust.outcome)).toMatchObject({ trust: 'low', captcha: { outcome: 'missing' } });
    const deny = await signUp(load(), turnstileSecrets({ CAPTCHA_MISSING_TOKEN: 'deny' }));
    expect(deny.outcome.denied?.reason).toContain('no CAPTCHA token');
    const exempt = await signUp(load(), turnstileSecrets({ CAPTCHA_MISSING_TOKEN: 'deny', CAPTCHA_OPTIONAL_FOR: 'Username-Password-Authentication' }));
    expect(exempt.outcome.denied).toBeUndefined();
    expect(tollguardMetadata(exempt.outcome)['trust']).toBe('standard');
    const noBody = await signUp(load(), turnstileSecrets({ CAPTCHA_MISSING_TOKEN: 'deny' }), { request: { body: undefined } });
    expect(noBody.outcome.denied).toBeDefined();
    expect(turnstile.requests).toHaveLength(0);
  });

  test('a provider set without a usable secret is not "no CAPTCHA": the fail mode applies and the error names the secret', async () => {
    turnstile.setToken('misconfigured-token-1', { valid: true });
    const { outcome, line } = await signUp(load(), { CAPTCHA_PROVIDER: 'turnstile', GUARD_KEY_PREFIX: 'misconf' }, {}, 'misconfigured-token-1');
    expect(JSON.stringify(line['config_errors'])).toContain('CAPTCHA_SECRET');
    expect(tollguardMetadata(outcome)).toMatchObject({ trust: 'low', captcha: { outcome: 'error' } });
    const closed = await signUp(load(), { CAPTCHA_PROVIDER: 'turnstile', CAPTCHA_FAIL_MODE: 'closed', GUARD_KEY_PREFIX: 'misconf2' }, {}, 'misconfigured-token-1');
    expect(closed.outcome.denied?.reason).toContain('misconfigured');
  });

  test('a token that is a list or 100 kB long is refused without asking the provider', async () => {
    const list = await signUp(load(), turnstileSecrets(), {}, ['a', 'b']);
    expect(list.outcome.denied?.reason).toContain('list');
    const huge = await signUp(load(), turnstileSecrets(), {}, 'x'.repeat(100_000));
    expect(huge.outcome.denied?.reason).toContain('100000 characters');
    expect(huge.invocation.logs.join('\n')).not.toContain('x'.repeat(200));
    expect(turnstile.requests).toHaveLength(0);
  });

  test('an invalid or replayed token is refused', async () => {
    const invalid = await signUp(load(), turnstileSecrets(), {}, 'never-issued');
    expect(invalid.outcome.denied).toBeDefined();
    turnstile.setToken('replayable-token-1', { valid: true, hostname: LOGIN_HOST, action: 'signup' });
    expect((await signUp(load(), turnstileSecrets(), {}, 'replayable-token-1')).outcome.denied).toBeUndefined();
    expect((await signUp(load(), turnstileSecrets(), {}, 'replayable-token-1')).outcome.denied).toBeDefined();
  });

  test('provider down, slow or answering HTML follows CAPTCHA_FAIL_MODE (default: let in with low trust)', async () => {
    turnstile.setToken('token-down-1', { valid: true });
    turnstile.fail(500, '{"success":false,"error-codes":["internal-error"]}', 1);
    const down = await signUp(load(), turnstileSecrets(), {}, 'token-down-1');
    expect(down.outcome.denied).toBeUndefined();
    expect(tollguardMetadata(down.outcome)).toMatchObject({ trust: 'low', captcha: { outcome: 'error' } });
    turnstile.setToken('token-html-1', { valid: true });
    turnstile.fail(502, '<html><body>Bad gateway</body></html>', 1);
    const closed = await signUp(load(), turnstileSecrets({ CAPTCHA_FAIL_MODE: 'closed' }), {}, 'token-html-1');
    expect(closed.outcome.denied?.reason).toContain('unavailable');
    turnstile.setToken('token-slow-1', { valid: true });
    turnstile.delay(1500, 1);
    const slow = await signUp(load(), turnstileSecrets({ CAPTCHA_TIMEOUT: '300ms' }), {}, 'token-slow-1');
    expect(slow.outcome.denied).toBeUndefined();
    expect(slow.invocation.durationMs).toBeLessThan(1400);
    expect(tollguardMetadata(slow.outcome)['trust']).toBe('low');
  });
});

describe('e-mail, network, country and phone checks', () => {
  test('disposable, look-alike and malformed e-mail addresses are refused; allowed domains are exempt', async () => {
    const denied = async (email: string, extra: Record<string, string> = {}) => (await signUp(load(), turnstileSecrets(extra), { user: { email } })).outcome.denied;
    expect((await denied('bot@mailinator.com'))?.reason).toMatch(/disposable/i);
    expect((await denied('victim@gmаil.com'))?.reason).toContain('gmail.com');
    expect((await denied('not-an-email'))?.reason).toMatch(/e-?mail/i);
    expect(await denied('ok@mailinator.com', { GUARD_EMAIL_ALLOWED_DOMAINS: 'mailinator.com' })).toBeUndefined();
    expect(await denied('someone@example.org')).toBeUndefined();
  });

  test('blocked network zones and sign-up countries are refused; a missing geoip is not an error', async () => {
    const zone = await signUp(load(), turnstileSecrets({ GUARD_BLOCKED_IPS: '203.0.113.0/24' }), { request: { ip: '203.0.113.50' } });
    expect(zone.line.rules).toContain('network-zone');
    const country = await signUp(load(), turnstileSecrets({ GUARD_SIGNUP_BLOCKED_COUNTRIES: 'US' }));
    expect(country.line.rules).toContain('signup-country');
    const noGeo = await signUp(load(), turnstileSecrets({ GUARD_SIGNUP_ALLOWED_COUNTRIES: 'US' }), { request: { geoip: undefined } });
    expect(noGeo.outcome.denied).toBeUndefined();
    const strict = await signUp(load(), turnstileSecrets({ GUARD_SIGNUP_ALLOWED_COUNTRIES: 'US', GUARD_SIGNUP_REFUSE_UNKNOWN_COUNTRY: 'true' }), { request: { geoip: undefined } });
    expect(strict.outcome.denied).toBeDefined();
  });

  test("a phone number at sign-up gets the send Action's number rules", async () => {
    // The shipped tier is about SMS cost and no SMS goes out at sign-up: low trust, not a refusal.
    const nigeria = await signUp(load(), turnstileSecrets(), { user: { phone_number: '+2348031234567' } });
    expect(nigeria.outcome.denied).toBeUndefined();
    expect(tollguardMetadata(nigeria.outcome)['trust']).toBe('low');
    expect(JSON.stringify(nigeria.line['trust_reasons'])).toContain('phone number: sms to NG is blocked (high-risk tier)');
    // A country the admin blocked is still refused.
    const blocked = await signUp(load(), turnstileSecrets({ GUARD_BLOCKED_COUNTRIES: 'NG' }), { user: { phone_number: '+2348031234567' } });
    expect(blocked.outcome.denied?.reason).toContain('geo');
    const premium = await signUp(load(), turnstileSecrets(), { user: { phone_number: '+449098790000' } });
    expect(premium.outcome.denied?.reason).toContain('line-type');
    const fine = await signUp(load(), turnstileSecrets(), { user: { phone_number: '+14155552671' } });
    expect(fine.outcome.denied).toBeUndefined();
    expect(tollguardMetadata(fine.outcome)['phone_checked']).toBe(true);
    expect(fine.line['phone']).toBe('+1415*****71');
  });
});

describe('sign-up velocity, modes and messages', () => {
  test('a busy IP or small domain lowers trust first; far over the limit, sign-ups without a passed CAPTCHA are refused; providers are not counted', async () => {
    const action = load();
    const secrets = turnstileSecrets();
    for (let i = 0; i < 10; i += 1) {
      const early = await signUp(action, secrets, { user: { email: `u${i}@example.org` } });
      expect(early.outcome.denied).toBeUndefined();
      expect(JSON.stringify(early.line['trust_reasons'] ?? [])).not.toContain('from this IP');
    }
    const eleventh = await signUp(action, secrets, { user: { email: 'u10@example.org' } });
    expect(eleventh.outcome.denied).toBeUndefined();
    expect(tollguardMetadata(eleventh.outcome)['trust']).toBe('low');
    expect(JSON.stringify(eleventh.line['trust_reasons'])).toContain('11 sign-ups from this IP');
    expect(eleventh.line['counter_rules']).toContain('signup-velocity');

    const strict = turnstileSecrets({ GUARD_SIGNUP_DENY_FACTOR: '1' });
    const strictAction = load();
    for (let i = 0; i < 10; i += 1) await signUp(strictAction, strict, { user: { email: `s${i}@example.org` } });
    const refused = await signUp(strictAction, strict, { user: { email: 's10@example.org' } });
    expect(refused.line.rules).toEqual(['signup-velocity']);
    expect(JSON.stringify(refused.line.reasons)).toContain('without a passed CAPTCHA');

    const domainSecrets = turnstileSecrets({ GUARD_SIGNUP_LIMIT_IP: 'off', GUARD_SIGNUP_LIMIT_SUBNET: 'off', GUARD_SIGNUP_LIMIT_DOMAIN: '3/1h' });
    const domainAction = load();
    for (let i = 0; i < 3; i += 1) await signUp(domainAction, domainSecrets, { user: { email: `x${i}@tiny-startup.example` } });
    const fourth = await signUp(domainAction, domainSecrets, { user: { email: 'x3@tiny-startup.example' } });
    expect(fourth.outcome.denied).toBeUndefined();
    expect(JSON.stringify(fourth.line['trust_reasons'])).toContain('with the e-mail domain tiny-startup.example');
    for (let i = 0; i < 4; i += 1) {
      const person = await signUp(domainAction, domainSecrets, { user: { email: `person${i}@gmail.com` } });
      expect(person.outcome.denied).toBeUndefined();
      expect(JSON.stringify(person.line['trust_reasons'] ?? [])).not.toContain('e-mail domain');
    }
  });

  test('Gmail dot and plus variants are one mailbox: the second gets low trust, the third is refused; the raw address is kept', async () => {
    const action = load();
    const secrets = turnstileSecrets();
    const first = await signUp(action, secrets, { user: { email: 'john.smith@gmail.com' } });
    expect(JSON.stringify(first.line['trust_reasons'] ?? [])).not.toContain('mailbox');
    const second = await signUp(action, secrets, { user: { email: 'J.ohnsmith+promo@googlemail.com' } });
    expect(second.outcome.denied).toBeUndefined();
    expect(JSON.stringify(second.line['trust_reasons'])).toContain('mailbox');
    const third = await signUp(action, secrets, { user: { email: 'johnsmith+x2@gmail.com' } });
    expect(third.line.rules).toEqual(['signup-velocity']);
    expect(JSON.stringify(third.line.reasons)).toContain('mailbox');
    // A different Yahoo mailbox is not merged with one that differs by a dot.
    await signUp(action, secrets, { user: { email: 'ann.lee@yahoo.com' } });
    const other = await signUp(action, secrets, { user: { email: 'annlee@yahoo.com' } });
    expect(JSON.stringify(other.line['trust_reasons'] ?? [])).not.toContain('mailbox');
  });

  test('a never-seen domain: a handful pass, then (once the tenant has a day of history) it is stopped; colleagues from one network get low trust', async () => {
    const action = load();
    const secrets = turnstileSecrets({ GUARD_SIGNUP_LIMIT_IP: 'off', GUARD_SIGNUP_LIMIT_SUBNET: 'off' });
    const day = 24 * 3_600_000;
    const started = Date.now();
    // The tenant's first sign-up, then a day later the burst on a domain nobody used before.
    await withClock(started, () => signUp(action, secrets, { user: { email: 'first@gmail.com' } }));
    const later = started + day + 60_000;
    for (let i = 0; i < 5; i += 1) {
      const early = await withClock(later + i, () => signUp(action, secrets, { user: { email: `b${i}@quick4821hub.site` }, request: { ip: `198.51.${i}.7` } }));
      expect(early.outcome.denied).toBeUndefined();
      expect(JSON.stringify(early.line['trust_reasons'])).toContain('quick4821hub.site is a domain first seen this hour, with no history here yet');
    }
    const sixth = await withClock(later + 10, () => signUp(action, secrets, { user: { email: 'b5@quick4821hub.site' }, request: { ip: '198.51.77.7' } }));
    expect(sixth.line.rules).toEqual(['signup-new-domain']);
    for (let i = 0; i < 6; i += 1) await withClock(later + 20 + i, () => signUp(action, secrets, { user: { email: `c${i}@new-company.example` }, request: { ip: '203.0.113.9' } }));
    const colleague = await withClock(later + 30, () => signUp(action, secrets, { user: { email: 'c7@new-company.example' }, request: { ip: '203.0.113.9' } }));
    expect(colleague.outcome.denied).toBeUndefined();
    expect(JSON.stringify(colleague.line['trust_reasons'])).toContain('colleagues');
  });

  test('monitor mode logs "would deny" but lets the user in; off does nothing', async () => {
    const monitor = await signUp(load(), turnstileSecrets({ GUARD_MODE: 'monitor' }), { user: { email: 'bot@mailinator.com' } });
    expect(monitor.outcome.denied).toBeUndefined();
    expect(monitor.line.outcome).toBe('would_deny_allowed');
    const off = await signUp(load(), turnstileSecrets({ GUARD_MODE: 'off' }), { user: { email: 'bot@mailinator.com' } });
    expect(off.outcome.denied).toBeUndefined();
    expect(off.outcome.appMetadata['tollguard']).toBeUndefined();
  });

  test('the user message is generic and follows the request language; an admin can replace it', async () => {
    const french = await signUp(load(), turnstileSecrets(), { user: { email: 'bot@mailinator.com' }, request: { language: 'fr-FR,fr;q=0.9' } });
    expect(french.outcome.denied?.userMessage).toMatch(/compte/);
    const custom = await signUp(load(), turnstileSecrets({ GUARD_SIGNUP_DENY_MESSAGE: 'Sign-ups are paused.' }), { user: { email: 'bot@mailinator.com' } });
    expect(custom.outcome.denied?.userMessage).toBe('Sign-ups are paused.');
  });

  test('a language header that names an Object property still gets a real message', async () => {
    const { outcome } = await signUp(load(), turnstileSecrets(), { user: { email: 'bot@mailinator.com' }, request: { language: 'constructor' } });
    expect(typeof outcome.denied?.userMessage).toBe('string');
    expect(outcome.denied?.userMessage).toMatch(/account/);
  });

  test('in monitor mode a sign-up that would be refused is let in with low trust only', async () => {
    const { outcome } = await signUp(load(), turnstileSecrets({ GUARD_MODE: 'monitor' }), { user: { email: 'bot@mailinator.com' } }, 'never-issued-token-2');
    expect(outcome.denied).toBeUndefined();
    expect(tollguardMetadata(outcome)['trust']).toBe('low');
  });

  test('a formatted phone number that matches a blocked number never appears whole in the reason', async () => {
    const { outcome } = await signUp(load(), turnstileSecrets({ GUARD_BLOCKED_NUMBERS: '+14155550123' }), { user: { phone_number: '+1 (415) 555-0123' } });
    expect(outcome.denied?.reason).toContain('number-list');
    expect(outcome.denied?.reason).not.toContain('4155550123');
  });

  test('bad secrets are reported by name and the defaults keep protecting', async () => {
    const { line, outcome } = await signUp(load(), turnstileSecrets({ CAPTCHA_TOKEN_FIELD: 'captcha', GUARD_SIGNUP_LIMIT_IP: 'lots' }), { user: { email: 'bot@mailinator.com' } });
    expect(JSON.stringify(line['config_errors'])).toContain('CAPTCHA_TOKEN_FIELD');
    expect(JSON.stringify(line['config_errors'])).toContain('GUARD_SIGNUP_LIMIT_IP');
    expect(outcome.denied).toBeDefined();
  });

  test('a missing event shape never crashes the Action', async () => {
    const action = load();
    const event = preUserRegistrationEvent({ user: undefined, request: undefined, connection: undefined });
    event.secrets = turnstileSecrets();
    const invocation = await runPreUserRegistration(action, event);
    expect(invocation.error).toBeUndefined();
    expect(invocation.result?.denied).toBeUndefined();
  });
});

describe('trust reaches the Send Phone Message Action', () => {
  test('a low-trust user gets no voice and the tighter per-user limit', async () => {
    const registration = await signUp(load(), turnstileSecrets());
    const appMetadata = registration.outcome.appMetadata;
    expect(tollguardMetadata(registration.outcome)['trust']).toBe('low');
    const send = loadAction(path.join(DIST_DIR, 'send-phone-message.js'), { allowedPackages: ACTION_PACKAGES });
    const sendEvent = (recipient: string, channel: 'sms' | 'voice') => {
      const event = sendPhoneMessageEvent({ message_options: { recipient, message_type: channel }, user: { user_id: 'auth0|lowtrust', app_metadata: appMetadata } });
      // Attempts per user are what this checks; new numbers per user (GUARD_LIMIT_USER_NUMBERS) are off.
      event.secrets = { TWILIO_DRY_RUN: 'true', GUARD_LIMIT_USER_NUMBERS: 'off' };
      return event;
    };
    const voice = await runSendPhoneMessage(send, sendEvent('+14155552671', 'voice'));
    expect(decisionLineOf(voice).rules).toEqual(['voice-access']);
    const numbers = ['+14155552672', '+14155552673', '+14155552674', '+14155552675', '+14155552676'];
    const results = [];
    for (const number of numbers) results.push(await runSendPhoneMessage(send, sendEvent(number, 'sms')));
    // The voice attempt counted too: attempts 2-4 pass, the 5th is over GUARD_LIMIT_USER_LOW_TRUST (4/1h).
    expect(results.map((result) => result.error === undefined)).toEqual([true, true, true, false, false]);
    expect(decisionLineOf(results[3]!).rules).toEqual(['user-velocity']);
  });
});

test('no CAPTCHA token, CAPTCHA secret or full phone number reached any log line or deny reason', () => {
  expect(ledger.counts.logLines).toBeGreaterThan(30);
  expect(ledger.leaks()).toEqual([]);
});
