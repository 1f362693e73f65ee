/**
 * Issue 11 §2-§3 on the BUILT send-phone-message bundle in the local Actions runtime: country
 * spellings admins type, unreadable allow-list entries, secrets that leak only after escaping or
 * URL normalisation, redirects from every outgoing request, one phone mask, the first decision of
 * a container on a slow cold store, store requests per refused attempt on a blocked range, and a
 * stalled alert webhook. Real Redis behind the Upstash shim; local HTTP servers elsewhere.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { buildActions } from '../../scripts/build';
import { ACTION_PACKAGES } from '../../scripts/lib/action-packages';
import type { SendPhoneMessageEvent } from '../../shared/auth0/types';
import { loadAction, runSendPhoneMessage, sendPhoneMessageEvent, type Invocation, type LoadedAction } from '../support/actions-runtime';
import { describeWithRedis, startRedis, type RedisHandle } from '../support/redis-server';
import { startUpstashShim, type UpstashShim } from '../support/upstash-shim';
import { DIST_DIR, SecrecyLedger, decisionLineOf, type DecisionLine } from './helpers';
import { startRecorder, startRedirector, startSilentServer, type LocalServer } from './redirect-helpers';
import { ActionClock, gbNumbersInRange, startHookServer, usNumbersInDistinctRanges } from './redis-helpers';

const BUNDLE = path.join(DIST_DIR, 'send-phone-message.js');
const CODE = '582917';
const TEXT = `Your verification code is ${CODE}`;
const RUN = randomBytes(3).toString('hex');
const T0 = Date.UTC(2031, 4, 6, 10, 5, 0);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

const US = '+14155552671';
const NIGERIA = '+2348031234567';
const GB_RANGE = '+44740012';

const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
const AUTH_TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeed';

type Secrets = Record<string, string | undefined>;

interface Sent {
  invocation: Invocation<void>;
  line: DecisionLine;
}

const ledger = new SecrecyLedger();
const clock = new ActionClock();
const cleanups: (() => Promise<void>)[] = [];
let sendCount = 0;
let prefixCount = 0;

function prefix(): string {
  prefixCount += 1;
  return `h${prefixCount}-${RUN}`;
}

function freshAction(): LoadedAction {
  const action = loadAction(BUNDLE, { allowedPackages: ACTION_PACKAGES });
  ledger.watch(action);
  return action;
}

function makeEvent(secrets: Secrets, to: string): SendPhoneMessageEvent {
  sendCount += 1;
  const event = sendPhoneMessageEvent({
    user: { user_id: `auth0|hardening-${sendCount}`, app_metadata: {} },
    request: { ip: `198.51.100.${(sendCount % 250) + 1}` },
  });
  event.message_options = { ...event.message_options, code: CODE, text: TEXT };
  const options = event.message_options as unknown as Record<string, unknown>;
  options['message_type'] = 'sms';
  options['recipient'] = to;
  event.secrets = Object.fromEntries(Object.entries(secrets).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return event;
}

async function send(action: LoadedAction, secrets: Secrets, to: string = US): Promise<Sent> {
  ledger.forbidRecipient(to);
  const invocation = await runSendPhoneMessage(action, makeEvent(secrets, to));
  ledger.record(invocation);
  return { invocation, line: decisionLineOf(invocation) };
}

function expectDelivered({ invocation, line }: Sent): void {
  expect(invocation.error).toBeUndefined();
  expect(line).toMatchObject({ decision: 'allow', outcome: 'delivered' });
}

function expectRefused({ invocation, line }: Sent, rules: string[]): void {
  expect(invocation.error?.name).toBe('SendRefusedError');
  expect(line).toMatchObject({ decision: 'block', outcome: 'refused', rules });
}

async function server<T extends { close(): Promise<void> }>(started: Promise<T>): Promise<T> {
  const value = await started;
  cleanups.push(() => value.close());
  return value;
}

/** Every text an action wrote (init and invocation logs), for the secrecy checks of one test. */
function everything(action: LoadedAction): string {
  return action.allLogs.join('\n');
}

beforeAll(async () => {
  await buildActions({ quiet: true });
  ledger.forbid(CODE, 'OTP code');
  ledger.forbid(TEXT, 'message text');
}, 60_000);

afterEach(async () => {
  clock.restore();
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

// ---------------------------------------------------------------------------------------------
describe('§2 a typo must not lock out a country', () => {
  test.each(['USA', 'usa', 'US', 'United States', 'USA, GBR', 'UK, USA'])('GUARD_ALLOWED_COUNTRIES=%p: an OTP to the US goes out, no config error', async (raw) => {
    const action = freshAction();
    const secrets = { TWILIO_DRY_RUN: 'true', GUARD_ALLOWED_COUNTRIES: raw, GUARD_KEY_PREFIX: prefix() };
    const sent = await send(action, secrets);
    expectDelivered(sent);
    expect(sent.line.config_errors).toBeUndefined();
    expectRefused(await send(action, secrets, '+4915112345678'), ['geo']);
  });

  test('GUARD_ALLOWED_COUNTRIES=UK lets a GB OTP out', async () => {
    const sent = await send(freshAction(), { TWILIO_DRY_RUN: 'true', GUARD_ALLOWED_COUNTRIES: 'UK', GUARD_KEY_PREFIX: prefix() }, '+447400123456');
    expectDelivered(sent);
  });

  test('an unreadable allow-list entry: the US still gets its OTP, the tier still refuses Nigeria, and every line says why', async () => {
    const action = freshAction();
    const secrets = { TWILIO_DRY_RUN: 'true', GUARD_ALLOWED_COUNTRIES: 'CA, Untied States', GUARD_KEY_PREFIX: prefix() };
    const us = await send(action, secrets);
    expectDelivered(us);
    expect(us.line.config_errors).toEqual([expect.stringMatching(/GUARD_ALLOWED_COUNTRIES.*"Untied States".*allow-list mode is OFF for sms and voice/)]);
    const nigeria = await send(action, secrets, NIGERIA);
    expectRefused(nigeria, ['geo']);
    expect(nigeria.line.reasons[0]).toContain('high-risk tier');
    expect(nigeria.line.config_errors).toEqual(us.line.config_errors);
  });
});

// ---------------------------------------------------------------------------------------------
describe('§2 nothing may leak', () => {
  test('an Upstash token with a pasted line break: config error names the secret, no part of the token in any line, nothing sent to the store', async () => {
    const shim = await server(startUpstashShim({ redisUrl: 'redis://127.0.0.1:1' }));
    const token = 'AYmXAAIjcDE5Zm9vYmFy\nYmF6cXV4cXV1eDEyMzQ1Njc4OTA';
    for (const part of token.split('\n')) ledger.forbid(part, 'Upstash token part');
    const action = freshAction();
    const sent = await send(action, { TWILIO_DRY_RUN: 'true', UPSTASH_REDIS_REST_URL: shim.url, UPSTASH_REDIS_REST_TOKEN: token, GUARD_KEY_PREFIX: prefix() });
    expectDelivered(sent);
    expect(sent.line).toMatchObject({ store: 'unusable', fail_mode: 'open' });
    expect(sent.line.config_errors).toEqual([expect.stringContaining('secret UPSTASH_REDIS_REST_TOKEN is invalid')]);
    expect(sent.line.config_errors?.[0]).toContain('line break');
    expect(shim.requests).toHaveLength(0);
    const text = everything(action);
    for (const part of token.split('\n')) expect(text).not.toContain(part);
    expect(text).not.toContain(JSON.stringify(token).slice(1, -1));
  });

  test('an alert webhook URL with user-info and an upper-case host: the alert goes out with a Basic header; the password is in no line', async () => {
    const hook = await server(startHookServer());
    const port = new URL(hook.url).port;
    const password = 'Hunter2-Very-Secret';
    const url = `http://alerts:${password}@LOCALHOST:${port}/hook`;
    ledger.forbid(password, 'webhook password');
    ledger.forbid(encodeURIComponent(password), 'webhook password, encoded');
    const action = freshAction();
    const secrets = { TWILIO_DRY_RUN: 'true', ALERT_WEBHOOK_URL: url, GUARD_SERVICE_CAP_SMS: '1/1h', GUARD_KEY_PREFIX: prefix() };
    clock.set(T0);
    const [first, second] = usNumbersInDistinctRanges(2, 600);
    expectDelivered(await send(action, secrets, first));
    const tripped = await send(action, secrets, second);
    expectRefused(tripped, ['service-cap']);
    expect(tripped.line['incidents']).toHaveLength(1);
    expect(tripped.line['alert_errors']).toBeUndefined();
    expect(hook.bodies).toHaveLength(1);
    const text = everything(action);
    expect(text).not.toContain(password);
    expect(text).not.toContain('alerts:');
  });

  test('a malformed ALERT_WEBHOOK_URL is described, never echoed', async () => {
    const action = freshAction();
    // Longer than the 40 characters a SecretError shows: the echoed head is no longer the raw value.
    const url = 'ftp://hook:Sup3rSecretKey@example.com/some/longer/path';
    ledger.forbid('Sup3rSecretKey', 'webhook key');
    const sent = await send(action, { TWILIO_DRY_RUN: 'true', ALERT_WEBHOOK_URL: url, GUARD_KEY_PREFIX: prefix() });
    expectDelivered(sent);
    expect(sent.line.config_errors).toEqual([expect.stringContaining('secret ALERT_WEBHOOK_URL is invalid')]);
    expect(everything(action)).not.toContain('Sup3rSecretKey');
  });
});

// ---------------------------------------------------------------------------------------------
describe('§2 no outgoing request follows a redirect', () => {
  let elsewhere: LocalServer;
  let redirector: LocalServer;

  beforeEach(async () => {
    elsewhere = await server(startRecorder({ sid: 'SM00000000000000000000000000000000', status: 'queued', result: [] }));
    redirector = await server(startRedirector(elsewhere.url));
  });

  test('a 307 from TWILIO_BASE_URL: not delivered, a clear error naming the secret, the other server never sees the recipient or the code', async () => {
    const action = freshAction();
    const secrets = {
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM_NUMBER: '+15005550006',
      TWILIO_BASE_URL: redirector.url,
      GUARD_KEY_PREFIX: prefix(),
    };
    ledger.forbid(AUTH_TOKEN, 'Twilio auth token');
    const sent = await send(action, secrets);
    expect(sent.invocation.error?.name).toBe('SendRefusedError');
    expect(sent.line.outcome).toBe('not_delivered');
    expect(sent.line.delivery_error).toContain('Twilio answered HTTP 307, a redirect, which is not followed (check TWILIO_BASE_URL)');
    expect(redirector.hits).toHaveLength(1);
    expect(elsewhere.hits).toEqual([]);
  });

  test('Twilio Lookup through a redirecting base: the lookup error says so, the other server is never hit', async () => {
    const action = freshAction();
    const secrets = {
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM_NUMBER: '+15005550006',
      TWILIO_BASE_URL: redirector.url,
      GUARD_LOOKUP: 'line-type',
      GUARD_KEY_PREFIX: prefix(),
    };
    const sent = await send(action, secrets);
    expect(sent.line['lookup_error']).toContain('a redirect, which is not followed');
    expect(redirector.hits.some((hit) => hit.path.startsWith('/v2/PhoneNumbers/'))).toBe(true);
    expect(elsewhere.hits).toEqual([]);
  });

  test('a 307 from UPSTASH_REDIS_REST_URL: store_error names the secret, fail open, the other server never sees a key', async () => {
    const action = freshAction();
    const sent = await send(action, { TWILIO_DRY_RUN: 'true', UPSTASH_REDIS_REST_URL: redirector.url, UPSTASH_REDIS_REST_TOKEN: 'upstash-token-0123456789abcdef', GUARD_KEY_PREFIX: prefix() });
    expectDelivered(sent);
    expect(sent.line['store_error']).toContain('Upstash answered HTTP 307, a redirect, which is not followed (check UPSTASH_REDIS_REST_URL)');
    expect(sent.line['fail_mode']).toBe('open');
    expect(redirector.hits).toHaveLength(1);
    expect(elsewhere.hits).toEqual([]);
  });

  test('a 307 from ALERT_WEBHOOK_URL: alert_errors says so, the other server is never hit', async () => {
    const action = freshAction();
    const secrets = { TWILIO_DRY_RUN: 'true', ALERT_WEBHOOK_URL: `${redirector.url}/hook`, GUARD_SERVICE_CAP_SMS: '1/1h', GUARD_KEY_PREFIX: prefix() };
    clock.set(T0);
    const [first, second] = usNumbersInDistinctRanges(2, 620);
    expectDelivered(await send(action, secrets, first));
    const tripped = await send(action, secrets, second);
    expectRefused(tripped, ['service-cap']);
    expect(tripped.line['alert_errors']).toEqual(['alert webhook answered HTTP 307, a redirect, which is not followed (check ALERT_WEBHOOK_URL)']);
    expect(redirector.hits).toHaveLength(1);
    expect(elsewhere.hits).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('§2 one phone mask', () => {
  test('the dry-run sender and the decision line mask a number the same way', async () => {
    const action = freshAction();
    for (const to of ['+447400123456', US, '+4915112345678', '+37120123456']) {
      const sent = await send(action, { TWILIO_DRY_RUN: 'true', GUARD_KEY_PREFIX: prefix() }, to);
      expectDelivered(sent);
      const printed = sent.invocation.logs.find((line) => line.startsWith('[dry-run]'));
      expect(printed).toBeDefined();
      expect(printed).toContain(` to ${sent.line.to}:`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('§3 the attacked path', () => {
  test('a stalled alert webhook holds a tripping decision up at most ~200 ms, and the line says the alert was not awaited', async () => {
    const silent = await server(startSilentServer());
    const action = freshAction();
    const secrets = { TWILIO_DRY_RUN: 'true', ALERT_WEBHOOK_URL: `${silent.url}/hook`, GUARD_SERVICE_CAP_SMS: '1/1h', GUARD_KEY_PREFIX: prefix() };
    clock.set(T0);
    const [first, second] = usNumbersInDistinctRanges(2, 640);
    expectDelivered(await send(action, secrets, first));
    const tripped = await send(action, secrets, second);
    expectRefused(tripped, ['service-cap']);
    expect(tripped.line['incidents']).toHaveLength(1);
    expect(tripped.line['alert_errors']).toEqual([expect.stringContaining('alert webhook did not answer within 200 ms')]);
    // The alert budget (200 ms) plus the slack every bundle test allows for a decision.
    expect(tripped.invocation.durationMs).toBeLessThan(200 + 700);
    expect(silent.hits).toHaveLength(1);
  });
});

describeWithRedis('§3 the store on real Redis through the Upstash shim', () => {
  let redis: RedisHandle;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  async function shimFor(redisUrl: string, latencyMs = 0): Promise<UpstashShim> {
    const shim = await server(startUpstashShim({ redisUrl }));
    shim.latencyMs = latencyMs;
    ledger.forbid(shim.token, 'Upstash token');
    return shim;
  }

  async function coldRedis(): Promise<RedisHandle> {
    const cold = await startRedis();
    cleanups.push(async () => {
      if (!cold.external) cold.resume();
      await cold.stop();
    });
    return cold;
  }

  const verbs = (shim: UpstashShim) => shim.requests.map((request) => request.commands[0]?.[0]?.toLowerCase());

  test('the first decision of a container on a slow (200 ms), cold store is one round trip and fits in a 350 ms deadline', async () => {
    const cold = await coldRedis();
    const slow = await shimFor(cold.url, 200);
    clock.set(T0);
    const secrets = { TWILIO_DRY_RUN: 'true', UPSTASH_REDIS_REST_URL: slow.url, UPSTASH_REDIS_REST_TOKEN: slow.token, GUARD_STORE_TIMEOUT: '350ms', GUARD_KEY_PREFIX: prefix() };
    const first = await send(freshAction(), secrets);
    expectDelivered(first);
    expect(first.line['store_error']).toBeUndefined();
    expect(first.line['store_requests']).toBe(1);
    expect(verbs(slow)).toEqual(['eval']);
  });

  test('a block that must be recorded by a container\'s first raise on a slow store is recorded, with its incident and its alert', async () => {
    const cold = await coldRedis();
    const slow = await shimFor(cold.url, 200);
    const hook = await server(startHookServer());
    clock.set(T0);
    const secrets = {
      TWILIO_DRY_RUN: 'true',
      UPSTASH_REDIS_REST_URL: slow.url,
      UPSTASH_REDIS_REST_TOKEN: slow.token,
      GUARD_STORE_TIMEOUT: '350ms',
      GUARD_SERVICE_CAP_SMS: '1/1h',
      ALERT_WEBHOOK_URL: hook.url,
      GUARD_KEY_PREFIX: prefix(),
    };
    const [first, second, third] = usNumbersInDistinctRanges(3, 660);
    expectDelivered(await send(freshAction(), secrets, first));
    // A second container: its batch script is cached in Redis, its raise script never ran anywhere.
    clock.advance(SECOND);
    const tripped = await send(freshAction(), secrets, second);
    expectRefused(tripped, ['service-cap']);
    expect(tripped.line['store_error']).toBeUndefined();
    expect(tripped.line['incidents']).toEqual([expect.stringContaining('service cap tripped')]);
    expect(hook.bodies).toHaveLength(1);
    // The lock was recorded: a third container is refused by it.
    clock.advance(SECOND);
    const locked = await send(freshAction(), secrets, third);
    expectRefused(locked, ['service-cap']);
    expect(locked.line.reasons[0]).toMatch(/locked tenant-wide/);
  });

  test('refused attempts to a blocked range cost two store requests each (the batch, and the refusal count the conversion rule needs); only the trip writes', async () => {
    const shim = await shimFor(redis.url);
    clock.set(T0);
    const action = freshAction();
    const secrets = { TWILIO_DRY_RUN: 'true', UPSTASH_REDIS_REST_URL: shim.url, UPSTASH_REDIS_REST_TOKEN: shim.token, GUARD_KEY_PREFIX: prefix() };
    const range = gbNumbersInRange(GB_RANGE, 16);
    const at = (index: number) => range[index] as string;
    for (let i = 0; i < 8; i++) {
      clock.advance(30 * SECOND);
      expectDelivered(await send(action, secrets, at(i)));
    }
    clock.advance(30 * SECOND);
    shim.resetRequests();
    const tripped = await send(action, secrets, at(8));
    expectRefused(tripped, ['prefix-anomaly']);
    expect(tripped.line['store_requests']).toBe(3);
    expect(shim.requests).toHaveLength(3);

    const perAttempt: number[] = [];
    for (let i = 9; i < 16; i++) {
      clock.advance(MINUTE);
      shim.resetRequests();
      const again = await send(action, secrets, at(i));
      expectRefused(again, ['prefix-anomaly']);
      expect(again.line['incidents']).toBeUndefined();
      expect(again.line['store_requests']).toBe(2);
      perAttempt.push(shim.requests.length);
    }
    expect(perAttempt).toEqual([2, 2, 2, 2, 2, 2, 2]);
  });
});

// Keep last.
describe('secrecy across every invocation in this file', () => {
  test('no log line or thrown error holds the code, the text, a token, a password or a full number', () => {
    expect(ledger.counts.logLines).toBeGreaterThanOrEqual(30);
    expect(ledger.leaks()).toEqual([]);
  });
});
