/**
 * The BUILT post-login bundle in the local Actions runtime, on a real Redis through the Upstash REST
 * shim: a passwordless SMS login proves its number only when tollguard sent an OTP to it within the
 * last 1 to 2 hours, only for its own user, once; forged or malformed claims record nothing; a store
 * that is down or slow never stops a login; logins that name no phone cost no store call and no line.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { buildActions } from '../../scripts/build';
import { ACTION_PACKAGES } from '../../scripts/lib/action-packages';
import { COUNTRY_PROOF_WINDOW_MS, RANGE_PROOF_WINDOW_MS, sentOp } from '../../shared/feedback/proofs';
import type { PostLoginEvent } from '../../shared/feedback/post-login-event';
import { windowIndex } from '../../shared/engine/window-limit';
import { countWindowKey } from '../../shared/store/counter-store';
import { GuardKeys, tenantKeyPrefix, userTag } from '../../shared/store/keys';
import { UpstashStore } from '../../shared/store/upstash-store';
import {
  customPhoneProviderEvent,
  loadAction,
  postLoginEvent,
  runCustomPhoneProvider,
  runPostLogin,
  type DeepPartial,
  type LoadedAction,
} from '../support/actions-runtime';
import { describeWithRedis, startRedis, type RedisHandle } from '../support/redis-server';
import { RespClient } from '../support/resp-client';
import { startTwilioServer, type TwilioTestServer } from '../support/twilio-server';
import { startUpstashShim, type UpstashShim } from '../support/upstash-shim';
import { DIST_DIR, SecrecyLedger, decisionLineOf } from './helpers';
import { ActionClock, loadStoreScripts, scanKeys } from './redis-helpers';

const BUNDLE = path.join(DIST_DIR, 'post-login.js');
const RUN = randomBytes(3).toString('hex');
const TENANT = 'tollguard-test';
const USER_A = 'sms|6650c1f0a1b2c3d4e5f60718';
const USER_B = 'sms|7761d2a1b2c3d4e5f6071829';
const NUMBER = '+14155552671';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 10:05 UTC: five minutes into an hour window, so "an hour later" is the previous window. */
const START = Date.parse('2026-03-02T10:05:00.000Z');

interface FeedbackLine {
  tollguard: 'feedback';
  outcome: string;
  reason: string;
  [field: string]: unknown;
}

function feedbackLines(logs: readonly string[]): FeedbackLine[] {
  return logs.flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as FeedbackLine;
      return parsed?.tollguard === 'feedback' ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

describeWithRedis('post-login bundle on real Redis: verification feedback', () => {
  let redis: RedisHandle;
  let shim: UpstashShim;
  let twilio: TwilioTestServer;
  const clock = new ActionClock();
  const ledger = new SecrecyLedger();
  let prefixes = 0;

  beforeAll(async () => {
    await buildActions({ quiet: true });
    redis = await startRedis();
    await loadStoreScripts(redis.url);
    shim = await startUpstashShim({ redisUrl: redis.url });
    twilio = await startTwilioServer();
    ledger.forbid(shim.token, 'Upstash token');
    ledger.forbidRecipient(NUMBER);
  }, 60_000);
  beforeEach(() => {
    clock.set(START);
    shim.fail = null;
    shim.latencyMs = 0;
    shim.dropConnections = false;
  });
  afterEach(() => clock.restore());
  afterAll(async () => {
    clock.restore();
    await twilio?.close();
    await shim?.close();
    await redis?.stop();
    expect(ledger.leaks()).toEqual([]);
  });

  function setup(extra: Record<string, string> = {}) {
    prefixes += 1;
    const prefix = `pl${prefixes}-${RUN}`;
    const action = loadAction(BUNDLE, { allowedPackages: ACTION_PACKAGES });
    ledger.watch(action);
    const secrets: Record<string, string> = {
      UPSTASH_REDIS_REST_URL: shim.url,
      UPSTASH_REDIS_REST_TOKEN: shim.token,
      GUARD_STORE_TIMEOUT: '2s',
      GUARD_KEY_PREFIX: prefix,
      ...extra,
    };
    const keys = new GuardKeys(tenantKeyPrefix(prefix, TENANT));
    return { action, secrets, prefix, keys };
  }

  /** What the send Actions count for every OTP they let out (the same op, the same keys). */
  async function markSent(keys: GuardKeys, e164: string, at = clock.now): Promise<void> {
    const store = new UpstashStore({ url: shim.url, token: shim.token, timeoutMs: 2000 });
    await store.run(at, [sentOp(keys, e164, at)]);
  }

  function login(secrets: Record<string, string>, overrides: DeepPartial<PostLoginEvent> = {}): PostLoginEvent {
    const event = postLoginEvent(overrides);
    event.secrets = secrets;
    ledger.forbidRecipient(event.user?.phone_number);
    return event;
  }

  async function run(action: LoadedAction, event: PostLoginEvent, options: { clone?: boolean } = {}) {
    shim.resetRequests();
    const invocation = await runPostLogin(action, event, options);
    ledger.record(invocation);
    const lines = feedbackLines(invocation.logs);
    return { invocation, lines, line: lines[0], requests: shim.requests.length };
  }

  /** Every key under the prefix with its value (all of them are strings: INCR counters and SETs). */
  async function storeState(prefix: string): Promise<Record<string, string>> {
    const found = (await scanKeys(redis.url, `${prefix}:*`)).sort();
    const client = await RespClient.connect(redis.url, { timeoutMs: 2000 });
    try {
      const state: Record<string, string> = {};
      for (const key of found) state[key] = String(await client.send(['GET', key]));
      return state;
    } finally {
      client.close();
    }
  }

  function proofCounts(keys: GuardKeys, country: string, range: string, now = clock.now) {
    return {
      country: countWindowKey(keys.countryProofs(country), windowIndex(now, COUNTRY_PROOF_WINDOW_MS)),
      range: countWindowKey(keys.rangeProofs(range), windowIndex(now, RANGE_PROOF_WINDOW_MS)),
    };
  }

  function expectLoginUntouched(invocation: Awaited<ReturnType<typeof run>>['invocation']): void {
    expect(invocation.error).toBeUndefined();
    expect(invocation.result?.calls).toEqual([]);
  }

  test('a passwordless SMS login to a number sent an OTP 40 minutes ago is recorded for its user, its country and its range', async () => {
    const { action, secrets, prefix, keys } = setup();
    await markSent(keys, NUMBER, START - 40 * MINUTE);
    const { invocation, lines, line, requests } = await run(action, login(secrets));
    expectLoginUntouched(invocation);
    expect(lines).toHaveLength(1);
    expect(line).toMatchObject({
      tollguard: 'feedback',
      trigger: 'post-login',
      mode: 'enforce',
      outcome: 'recorded',
      method: 'sms',
      strategy: 'sms',
      to: '+1415*****71',
      country: 'US',
      user_id: USER_A,
      store: 'upstash',
      store_requests: 3,
    });
    expect(requests).toBe(3);
    const state = await storeState(prefix);
    expect(state[keys.proof(NUMBER)]).toBe(userTag(USER_A));
    const counts = proofCounts(keys, 'US', '+1415555');
    expect(state[counts.country]).toBe('1');
    expect(state[counts.range]).toBe('1');
  });

  test('replaying the same login records the proof once: the second time is already-proven, one read, no write', async () => {
    const { action, secrets, prefix, keys } = setup();
    await markSent(keys, NUMBER);
    const event = login(secrets);
    expect((await run(action, event)).line?.outcome).toBe('recorded');
    const before = await storeState(prefix);
    clock.advance(5 * MINUTE);
    const again = await run(action, event);
    expectLoginUntouched(again.invocation);
    expect(again.line).toMatchObject({ outcome: 'already-proven', store_requests: 1 });
    expect(again.requests).toBe(1);
    expect(await storeState(prefix)).toEqual(before);
  });

  test('a claimed passwordless login for a number tollguard never sent an OTP to proves nothing and writes nothing', async () => {
    const { action, secrets, prefix, keys } = setup();
    await markSent(keys, '+14155552672'); // a neighbour, not this number
    const before = await storeState(prefix);
    const { invocation, line } = await run(action, login(secrets));
    expectLoginUntouched(invocation);
    expect(line).toMatchObject({ outcome: 'not-sent-recently', store_requests: 1, to: '+1415*****71' });
    expect(await storeState(prefix)).toEqual(before);
  });

  test('a sent marker lasts its hour and the next: 1 h 30 later still counts, 2 h 10 later does not', async () => {
    const { action, secrets, keys } = setup();
    await markSent(keys, NUMBER, START);
    clock.set(START + 2 * HOUR + 10 * MINUTE);
    expect((await run(action, login(secrets))).line?.outcome).toBe('not-sent-recently');
    clock.set(START + HOUR + 30 * MINUTE);
    expect((await run(action, login(secrets))).line?.outcome).toBe('recorded');
  });

  test('a number proven for user A is not proven for user B: B\'s claim is refused and A keeps the proof', async () => {
    const { action, secrets, prefix, keys } = setup();
    await markSent(keys, NUMBER);
    expect((await run(action, login(secrets, { user: { user_id: USER_A } }))).line?.outcome).toBe('recorded');
    const before = await storeState(prefix);
    const forged = await run(action, login(secrets, { user: { user_id: USER_B } }));
    expectLoginUntouched(forged.invocation);
    expect(forged.line).toMatchObject({ outcome: 'proven-for-other-user', user_id: USER_B, store_requests: 1 });
    expect(await storeState(prefix)).toEqual(before);
    expect(before[keys.proof(NUMBER)]).toBe(userTag(USER_A));
    expect(before[keys.proof(NUMBER)]).not.toBe(userTag(USER_B));
  });

  test('the proof is per tenant: the same login on another tenant finds no sent marker', async () => {
    const { action, secrets, keys } = setup();
    await markSent(keys, NUMBER);
    const other = await run(action, login(secrets, { tenant: { id: 'another-tenant' } }));
    expect(other.line?.outcome).toBe('not-sent-recently');
  });

  test('an sms sign-in hours old (a silent login of an earlier session) is not a verification now, and costs no store call', async () => {
    const { action, secrets, keys } = setup();
    await markSent(keys, NUMBER);
    const { line, requests } = await run(action, login(secrets, { authentication: { methods: [{ name: 'sms', timestamp: new Date(START - 3 * HOUR).toISOString() }] } }));
    expect(line).toMatchObject({ outcome: 'not-sent-recently', to: '+1415*****71' });
    expect(line?.reason).toMatch(/180 min old/);
    expect(requests).toBe(0);
  });

  test.each<[string, DeepPartial<PostLoginEvent>]>([
    ['a password login', { authentication: { methods: [{ name: 'pwd', timestamp: new Date(START).toISOString() }] }, connection: { name: 'Username-Password-Authentication', strategy: 'auth0' } }],
    ['an MFA completion (no number in the event)', { authentication: { methods: [{ name: 'pwd', timestamp: new Date(START).toISOString() }, { name: 'mfa', timestamp: new Date(START).toISOString(), type: 'phone' }] }, connection: { name: 'db', strategy: 'auth0' } }],
    ['a refresh-token exchange of a passwordless user', { transaction: { protocol: 'oauth2-refresh-token' } }],
    ['a social login without authentication', { authentication: undefined, connection: { name: 'github', strategy: 'github' } }],
  ])('%s: no line, no store call, the login goes on', async (_, overrides) => {
    const { action, secrets, keys } = setup();
    await markSent(keys, NUMBER);
    const { invocation, lines, requests } = await run(action, login(secrets, overrides));
    expectLoginUntouched(invocation);
    expect(lines).toEqual([]);
    expect(invocation.logs).toEqual([]);
    expect(requests).toBe(0);
  });

  test.each<[string, (event: PostLoginEvent) => void, RegExp]>([
    ['a malformed phone_number', (event) => { (event.user as Record<string, unknown>)['phone_number'] = '+1 (415) 555-26xx'; }, /phone_number: contains characters/],
    ['a phone_number that is no valid number', (event) => { (event.user as Record<string, unknown>)['phone_number'] = '+1415555'; }, /phone_number/],
    ['a phone_number that is an object', (event) => { (event.user as Record<string, unknown>)['phone_number'] = { e164: NUMBER }; }, /missing or not a string/],
    ['a missing user', (event) => { delete event.user; }, /event.user is missing/],
    ['a user without user_id', (event) => { delete event.user?.user_id; }, /user_id is missing/],
    ['a missing connection', (event) => { delete event.connection; }, /unnamed connection/],
    ['methods that are not an array', (event) => { (event.authentication as Record<string, unknown>)['methods'] = { name: 'sms' }; }, /not an array/],
    ['missing methods on the sms connection', (event) => { delete event.authentication; }, /methods is missing/],
    ['phone OTP on a database connection', (event) => { event.connection = { name: 'db', strategy: 'auth0' }; }, /on a auth0 connection/],
  ])('%s: a clear not-a-phone-login line, no store call, the login goes on', async (_, mutate, reason) => {
    const { action, secrets, prefix, keys } = setup();
    await markSent(keys, NUMBER);
    const before = await storeState(prefix);
    const event = login(secrets);
    mutate(event);
    const { invocation, lines, line, requests } = await run(action, event);
    expectLoginUntouched(invocation);
    expect(lines).toHaveLength(1);
    expect(line?.outcome).toBe('not-a-phone-login');
    expect(line?.reason).toMatch(reason);
    expect(requests).toBe(0);
    expect(await storeState(prefix)).toEqual(before);
  });

  test('the store down: a store-error line, nothing recorded, the login goes on', async () => {
    const { action, secrets, prefix, keys } = setup();
    await markSent(keys, NUMBER);
    const before = await storeState(prefix);
    shim.fail = { status: 503, body: '{"error":"service unavailable"}' };
    const { invocation, line } = await run(action, login(secrets));
    expectLoginUntouched(invocation);
    expect(line).toMatchObject({ outcome: 'store-error', store: 'upstash', to: '+1415*****71' });
    expect(typeof line?.['store_error']).toBe('string');
    shim.fail = null;
    expect(await storeState(prefix)).toEqual(before);
  });

  test('the store slow: GUARD_STORE_TIMEOUT bounds the wait, the login goes on', async () => {
    const { action, secrets, keys } = setup({ GUARD_STORE_TIMEOUT: '150ms' });
    await markSent(keys, NUMBER);
    shim.latencyMs = 1500;
    const { invocation, line } = await run(action, login(secrets));
    shim.latencyMs = 0;
    expectLoginUntouched(invocation);
    expect(line).toMatchObject({ outcome: 'store-error' });
    expect(line?.['store_error']).toMatch(/150 ms/);
    expect(invocation.durationMs).toBeLessThan(1000);
  });

  test('connections dropped: a store-error line, the login goes on', async () => {
    const { action, secrets } = setup();
    shim.dropConnections = true;
    const { invocation, line } = await run(action, login(secrets));
    shim.dropConnections = false;
    expectLoginUntouched(invocation);
    expect(line?.outcome).toBe('store-error');
  });

  test('one Upstash secret without the other: store-error naming the missing secret, no request', async () => {
    const { action, secrets } = setup();
    delete secrets['UPSTASH_REDIS_REST_TOKEN'];
    const { invocation, line, requests } = await run(action, login(secrets));
    expectLoginUntouched(invocation);
    expect(line?.outcome).toBe('store-error');
    expect(line?.['store_error']).toMatch(/UPSTASH_REDIS_REST_TOKEN/);
    expect(JSON.stringify(line?.['config_errors'])).toMatch(/UPSTASH_REDIS_REST_TOKEN/);
    expect(requests).toBe(0);
  });

  test('a bad GUARD_STORE_TIMEOUT is named in config_errors and the default is kept', async () => {
    const { action, secrets, keys } = setup({ GUARD_STORE_TIMEOUT: 'soon' });
    await markSent(keys, NUMBER);
    const { line } = await run(action, login(secrets));
    expect(line?.outcome).toBe('recorded');
    expect(JSON.stringify(line?.['config_errors'])).toMatch(/GUARD_STORE_TIMEOUT/);
  });

  test('GUARD_MODE=off records nothing and says nothing; monitor records (feedback refuses nothing)', async () => {
    const off = setup({ GUARD_MODE: 'off' });
    await markSent(off.keys, NUMBER);
    const quiet = await run(off.action, login(off.secrets));
    expect(quiet.invocation.logs).toEqual([]);
    expect(quiet.requests).toBe(0);
    const monitor = setup({ GUARD_MODE: 'monitor' });
    await markSent(monitor.keys, NUMBER);
    expect((await run(monitor.action, login(monitor.secrets))).line).toMatchObject({ outcome: 'recorded', mode: 'monitor' });
  });

  test('without Upstash the embedded store never saw the send Actions\' OTPs: nothing is proven', async () => {
    const action = loadAction(BUNDLE, { allowedPackages: ACTION_PACKAGES });
    ledger.watch(action);
    const { invocation, line } = await run(action, login({}));
    expectLoginUntouched(invocation);
    expect(line).toMatchObject({ outcome: 'not-sent-recently', store: 'embedded' });
  });

  test('a hostile event (getters that throw, a proxy) never reaches the login', async () => {
    const { action, secrets } = setup();
    const event = login(secrets);
    Object.defineProperty(event, 'user', { enumerable: true, get: () => { throw new Error(`boom ${NUMBER}`); } });
    const thrown = await run(action, event, { clone: false });
    expectLoginUntouched(thrown.invocation);
    expect(thrown.line?.outcome).toBe('not-a-phone-login');
    expect(JSON.stringify(thrown.line?.['event_problems'])).toMatch(/user: unreadable/);
    const proxy = new Proxy({}, { get: () => { throw new Error('trap'); }, ownKeys: () => { throw new Error('trap'); } });
    const trapped = await run(action, proxy as PostLoginEvent, { clone: false });
    expect(trapped.invocation.error).toBeUndefined();
    expect(trapped.invocation.result?.calls).toEqual([]);
  });

  test('end to end: the custom-phone-provider bundle sends the login OTP, then the post-login bundle records it', async () => {
    const { action, secrets, prefix, keys } = setup();
    const sender = loadAction(path.join(DIST_DIR, 'custom-phone-provider.js'), { allowedPackages: ACTION_PACKAGES });
    ledger.watch(sender);
    const sendSecrets = { ...secrets, TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: twilio.authToken, TWILIO_FROM_NUMBER: '+15005550006', TWILIO_BASE_URL: twilio.url, TWILIO_TIMEOUT: '1s' };
    // A first passwordless login: the number is not yet verified on the profile, so the send itself proves nothing.
    const notification = customPhoneProviderEvent({ notification: { code: '315790', as_text: 'Your code is 315790', as_voice: 'Your code is 315790' }, user: { phone_verified: false } });
    notification.secrets = sendSecrets;
    ledger.forbid('315790', 'OTP code');
    ledger.forbid(twilio.authToken, 'Twilio auth token');
    const sent = await runCustomPhoneProvider(sender, notification);
    ledger.record(sent);
    expect(decisionLineOf(sent).outcome).toBe('delivered');
    expect((await storeState(prefix))[keys.proof(NUMBER)]).toBeUndefined();
    clock.advance(2 * MINUTE);
    const { line } = await run(action, login(secrets));
    expect(line).toMatchObject({ outcome: 'recorded', user_id: USER_A });
    expect((await storeState(prefix))[keys.proof(NUMBER)]).toBe(userTag(USER_A));
  });
});
