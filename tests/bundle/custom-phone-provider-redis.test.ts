/**
 * The BUILT custom-phone-provider bundle on real Redis through the Upstash REST shim: Auth0 retries
 * a notification the Action asked to retry, and those retries must not move any velocity or pumping
 * counter; a resend the Action never asked for (same code, same number) is counted like any other.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { buildActions } from '../../scripts/build';
import { ACTION_PACKAGES } from '../../scripts/lib/action-packages';
import type { CustomPhoneProviderEvent } from '../../shared/auth0/types';
import { TEST_TENANT_ID, customPhoneProviderEvent, loadAction, runCustomPhoneProvider, type LoadedAction } from '../support/actions-runtime';
import { describeWithRedis, startRedis, type RedisHandle } from '../support/redis-server';
import { startTwilioServer, type TwilioTestServer } from '../support/twilio-server';
import { startUpstashShim, type UpstashShim } from '../support/upstash-shim';
import { DIST_DIR, SecrecyLedger, decisionLineOf } from './helpers';
import { withClockAt as withClock } from '../../scripts/sim/clock';
import { loadStoreScripts, scanKeys } from './redis-helpers';
import { UpstashStore } from '../../shared/store/upstash-store';
import { GuardKeys, tenantKeyPrefix } from '../../shared/store/keys';
import { recordProof } from '../../shared/feedback/proofs';

const BUNDLE = path.join(DIST_DIR, 'custom-phone-provider.js');
const RUN = randomBytes(3).toString('hex');
const CODE = '604218';
const HOUR_MS = 3_600_000;

describeWithRedis('custom-phone-provider bundle on real Redis: retries are not counted twice', () => {
  let redis: RedisHandle;
  let shim: UpstashShim;
  let twilio: TwilioTestServer;
  const ledger = new SecrecyLedger();
  let prefixes = 0;

  beforeAll(async () => {
    await buildActions({ quiet: true });
    redis = await startRedis();
    await loadStoreScripts(redis.url);
    shim = await startUpstashShim({ redisUrl: redis.url });
    twilio = await startTwilioServer();
    ledger.forbid(CODE, 'OTP code');
    ledger.forbid(shim.token, 'Upstash token');
  });
  afterEach(() => twilio.reset());
  afterAll(async () => {
    await twilio?.close();
    await shim?.close();
    await redis?.stop();
    expect(ledger.leaks()).toEqual([]);
  });

  function setup(extra: Record<string, string> = {}): { action: LoadedAction; secrets: Record<string, string>; prefix: string } {
    prefixes += 1;
    const prefix = `cpp${prefixes}-${RUN}`;
    const action = loadAction(BUNDLE, { allowedPackages: ACTION_PACKAGES });
    ledger.watch(action);
    const secrets = {
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM_NUMBER: '+15005550006',
      TWILIO_BASE_URL: twilio.url,
      TWILIO_TIMEOUT: '1s',
      UPSTASH_REDIS_REST_URL: shim.url,
      UPSTASH_REDIS_REST_TOKEN: shim.token,
      GUARD_STORE_TIMEOUT: '2s',
      GUARD_KEY_PREFIX: prefix,
      ...extra,
    };
    return { action, secrets, prefix };
  }

  function notification(secrets: Record<string, string>, code: string, to = '+1-415-555-2671'): CustomPhoneProviderEvent {
    const event = customPhoneProviderEvent({ notification: { recipient: to, code, as_text: `Your code is ${code}`, as_voice: `Your code is ${code}` } });
    event.secrets = secrets;
    ledger.forbid(`Your code is ${code}`, 'message text');
    return event;
  }

  /** An MFA-looking otp_verify on a database login (a likely factor), at `at`, and the tenant's store to check what it counted. */
  function likelyFactorOf(action: LoadedAction, secrets: Record<string, string>, prefix: string, to: string, user: { id: string; logins: number }, requestCountry?: string) {
    const store = new UpstashStore({ url: shim.url, token: shim.token, timeoutMs: 2000 });
    const keys = new GuardKeys(tenantKeyPrefix(prefix, TEST_TENANT_ID));
    const challenge = (code: string, at: number) => {
      const event = customPhoneProviderEvent({
        notification: { recipient: to, code, message_type: 'otp_verify', as_text: `Your code is ${code}`, as_voice: `Your code is ${code}` },
        connection: { id: 'con_Db0000000001', name: 'Username-Password-Authentication', strategy: 'auth0' },
      });
      event.user = { user_id: user.id, email: 'someone@example.com', login_count: user.logins, app_metadata: {}, user_metadata: {} } as unknown as CustomPhoneProviderEvent['user'];
      if (requestCountry !== undefined) event.request = { ...event.request, geoip: { ...event.request?.geoip, countryCode: requestCountry } } as CustomPhoneProviderEvent['request'];
      event.secrets = secrets;
      ledger.forbid(`Your code is ${code}`, 'message text');
      return withClock(at, () => run(action, event));
    };
    /** GB's SMS conversion count of `what` on the UTC day of `at`. */
    const dayCount = async (what: 'sent' | 'refused', at: number) => {
      const [answer] = await store.run(at, [{ kind: 'get', key: `${keys.conversion('GB', 'sms', what, 'd')}:${Math.floor(at / (24 * HOUR_MS))}` }]);
      return answer?.kind === 'get' ? Number(answer.value ?? 0) : Number.NaN;
    };
    /** GB's SMS domestic attempts at `at`: this lag-long window's and this hour's counts. */
    const domesticCounts = async (at: number) => {
      const answers = await store.run(at, [
        { kind: 'get', key: `${keys.conversion('GB', 'sms', 'dom', 'f')}:${Math.floor(at / (10 * 60_000))}` },
        { kind: 'get', key: `${keys.conversion('GB', 'sms', 'dom', 'h')}:${Math.floor(at / HOUR_MS)}` },
      ]);
      return answers.map((answer) => (answer.kind === 'get' ? Number(answer.value ?? 0) : Number.NaN));
    };
    return { store, keys, challenge, dayCount, domesticCounts };
  }

  async function run(action: LoadedAction, event: CustomPhoneProviderEvent) {
    const invocation = await runCustomPhoneProvider(action, structuredClone(event));
    ledger.record(invocation);
    return { invocation, line: decisionLineOf(invocation) };
  }

  test('three retries after 503s, then a delivery: one notification counted once, the next two fit 2/1h only as new codes', async () => {
    const { action, secrets, prefix } = setup({ GUARD_LIMIT_NUMBER: '2/1h', GUARD_RESEND_DELAY: 'off' });
    const event = notification(secrets, CODE);
    twilio.fault({ status: 503, code: 20503, message: 'Service Unavailable', times: 3 });
    const retried = [];
    for (let attempt = 0; attempt < 3; attempt += 1) retried.push(await run(action, event));
    expect(retried.map((sent) => sent.invocation.result?.last?.call)).toEqual(['retry', 'retry', 'retry']);
    expect(retried.map((sent) => sent.line['replay'])).toEqual([undefined, true, true]);
    // The sample user signs in on the passwordless SMS connection, so Auth0 verified the profile
    // number it is sending to: the first decision proves it and records the proof (two requests,
    // once per number and user) on top of its batch and the retry grant (the failed delivery's one
    // write); the retries read the stored proof and only grant again.
    expect(retried.map((sent) => sent.line['store_requests'])).toEqual([4, 2, 2]);
    expect(retried[0]?.line['evidence']).toMatchObject({ number_proven: true, proven_by: 'verified-profile', proof_recorded: true });
    expect(retried[1]?.line['evidence']).toMatchObject({ number_proven: true, proven_by: 'stored-proof' });
    const delivered = await run(action, event);
    expect(delivered.invocation.result?.calls).toEqual([]);
    expect(delivered.line).toMatchObject({ outcome: 'delivered', replay: true });
    expect(twilio.requests.filter((request) => request.operation === 'message')).toHaveLength(4);

    const second = await run(action, notification(secrets, '551177'));
    expect(second.line.outcome).toBe('delivered');
    const third = await run(action, notification(secrets, '662288'));
    expect(third.line).toMatchObject({ outcome: 'refused', rules: ['number-velocity'] });
    expect(await scanKeys(redis.url, `${prefix}:*:retry:*`)).toHaveLength(1);
  });

  test('an otp_verify alone proves nothing (it may be a passwordless login to any number); after an otp_enroll tollguard let through for the same user it proves the number', async () => {
    const { action, secrets } = setup({ GUARD_RESEND_DELAY: 'off' });
    const send = (to: string, messageType: 'otp_enroll' | 'otp_verify', code: string) => {
      const event = customPhoneProviderEvent({
        notification: { recipient: to, code, message_type: messageType, as_text: `Your code is ${code}`, as_voice: `Your code is ${code}` },
        user: { user_id: 'auth0|upe-user', phone_number: undefined, phone_verified: false },
      });
      event.secrets = secrets;
      ledger.forbid(`Your code is ${code}`, 'message text');
      return run(action, event);
    };
    const stranger = await send('+1-415-555-2674', 'otp_verify', '314159');
    expect(stranger.line['evidence']).toMatchObject({ number_proven: false });
    expect(stranger.line['store_requests']).toBe(1);
    await send('+1-415-555-2675', 'otp_enroll', '271828');
    const challenge = await send('+1-415-555-2675', 'otp_verify', '161803');
    expect(challenge.line['evidence']).toMatchObject({ number_proven: true, proof_recorded: true });
  });

  test("an otp_verify on a database login to a number other than the profile one reads as an MFA challenge: the user's first such number passes the high-risk tier and is proven, without counting for its country; passwordless and phone-identifier codes do not pass", async () => {
    // No trials: this test is about likely factors (trials have their own test in send-phone-message-redis).
    const { action, secrets, prefix } = setup({ GUARD_RESEND_DELAY: 'off', GUARD_SERVED_TRIALS: 'off' });
    const NIGERIA = '+234 803 123 4567';
    const database = { id: 'con_Db0000000001', name: 'Username-Password-Authentication', strategy: 'auth0' };
    const passwordless = { id: 'con_Sms000000001', name: 'sms', strategy: 'sms' };
    const send = (code: string, connection: typeof database, user: Record<string, unknown>, to = NIGERIA) => {
      const event = customPhoneProviderEvent({
        notification: { recipient: to, code, message_type: 'otp_verify', as_text: `Your code is ${code}`, as_voice: `Your code is ${code}` },
        connection,
      });
      event.user = user as CustomPhoneProviderEvent['user'];
      event.secrets = secrets;
      ledger.forbid(`Your code is ${code}`, 'message text');
      return run(action, event);
    };
    const ada = { user_id: 'auth0|mfa-user', email: 'ada@example.com', login_count: 7, app_metadata: {}, user_metadata: {} };
    const mfa = await send('550001', database, ada);
    expect(mfa.line).toMatchObject({ outcome: 'delivered', evidence: { number_proven: true, proven_by: 'likely-factor', country_proofs: 0, proof_recorded: true } });
    expect(await scanKeys(redis.url, `${prefix}:*proof*`)).not.toEqual([]);
    expect(await scanKeys(redis.url, `${prefix}:*:cty:NG:proofs:*`)).toEqual([]);
    // Her resend in the same login reads the stored likely proof (nothing more recorded); a second
    // number for the same account is not a likely factor any more (one account buys one number).
    // Its resend: the batch, then the admitted OTP counted as sent for NG's conversion (the tier country's batch only reads it).
    const again = await send('550011', database, ada);
    expect(again.line).toMatchObject({ outcome: 'delivered', store_requests: 2, evidence: { number_proven: true, proven_by: 'likely-factor', likely_factor: 'same-login' } });
    const secondNumber = await send('550012', database, ada, '+234 803 123 4568');
    expect(secondNumber.line).toMatchObject({ outcome: 'refused', rules: ['geo'], evidence: { number_proven: false, likely_factor: 'account-has-one' } });
    // An account that never completed a login has no factor yet.
    const fresh = await send('550013', database, { ...ada, user_id: 'auth0|fresh', login_count: 0 }, '+234 803 123 4569');
    expect(fresh.line).toMatchObject({ outcome: 'refused', rules: ['geo'] });
    // A passwordless login may go to any number: no user yet, or the sms connection.
    const firstLogin = await send('550002', passwordless, {});
    expect(firstLogin.line).toMatchObject({ outcome: 'refused', rules: ['geo'] });
    const smsUser = await send('550003', passwordless, { user_id: 'sms|other', phone_number: '+2348031234999', phone_verified: true });
    expect(smsUser.line).toMatchObject({ outcome: 'refused', rules: ['geo'] });
    // A phone identifier's code goes to the profile number, verified or not yet.
    const identifier = await send('550004', database, { user_id: 'auth0|phone-id', phone_number: NIGERIA, phone_verified: false });
    expect(identifier.line).toMatchObject({ outcome: 'refused', rules: ['geo'] });
    // A passwordless user's own number, which Auth0 verified by a code: proven by the profile, and
    // counted for the country.
    const returning = await send('550005', passwordless, { user_id: 'sms|ada', phone_number: '+2348031234570', phone_verified: true }, '+2348031234570');
    // The batch, then the proof (a SET and a batch at once); a number its user verified opens no new
    // number, so its admission past the tier is not counted as sent for NG's conversion.
    expect(returning.line).toMatchObject({ outcome: 'delivered', store_requests: 3, evidence: { number_proven: true, proven_by: 'verified-profile', proof_recorded: true } });
    expect(await scanKeys(redis.url, `${prefix}:*:cty:NG:proofs:*`)).toHaveLength(1);
  });

  test("a likely factor outside the tier is counted as sent for its country's conversion only once admitted, and not at all once its number is proven (a resident's later logins open nothing new)", async () => {
    const { action, secrets, prefix } = setup({ GUARD_RESEND_DELAY: 'off' });
    const GB = '+447400123456';
    const { store, keys, challenge, dayCount } = likelyFactorOf(action, secrets, prefix, GB, { id: 'auth0|resident', logins: 12 });
    const sentToday = (at: number) => dayCount('sent', at);
    const day = Math.ceil(Date.now() / (24 * HOUR_MS)) * 24 * HOUR_MS + 30 * 24 * HOUR_MS + 9 * HOUR_MS;
    // Her first login since tollguard: nothing proves the number yet. The batch peeks at GB's counts; admitted, it is counted.
    const first = await challenge('670001', day);
    expect(first.line).toMatchObject({ outcome: 'delivered', store_requests: 2, evidence: { number_proven: false } });
    expect(await sentToday(day)).toBe(1);
    // The monitor joins the code's use (gd_auth_succeed): proven for her.
    await recordProof(store, keys, { e164: GB, country: 'GB', range: GB.slice(0, -4), userId: 'auth0|resident' }, day + 5 * 60_000);
    // Her later logins: the one batch, and GB's sent count does not move.
    const later = await challenge('670002', day + HOUR_MS);
    expect(later.line).toMatchObject({ outcome: 'delivered', store_requests: 1, evidence: { number_proven: true, proven_by: 'stored-proof' } });
    expect(await sentToday(day + HOUR_MS)).toBe(1);
  });

  test('a likely factor outside the tier that a rule refuses is counted as sent and refused in one more request, as a counted OTP would be', async () => {
    const { action, secrets, prefix } = setup({ GUARD_RESEND_DELAY: 'off', GUARD_LIMIT_NUMBER: '1/1h' });
    const { challenge, dayCount } = likelyFactorOf(action, secrets, prefix, '+447400123457', { id: 'auth0|second-try', logins: 3 });
    const day = Math.ceil(Date.now() / (24 * HOUR_MS)) * 24 * HOUR_MS + 31 * 24 * HOUR_MS + 9 * HOUR_MS;
    expect((await challenge('680001', day)).line).toMatchObject({ outcome: 'delivered', store_requests: 2 });
    const refused = await challenge('680002', day + 60_000);
    expect(refused.line).toMatchObject({ outcome: 'refused', rules: ['number-velocity'], store_requests: 2 });
    expect([await dayCount('sent', day + 60_000), await dayCount('refused', day + 60_000)]).toEqual([2, 1]);
  });

  test('a peeked likely factor requested from inside its country is counted among the domestic attempts once, when admitted or refused; one from abroad is not', async () => {
    const { action, secrets, prefix } = setup({ GUARD_RESEND_DELAY: 'off', GUARD_LIMIT_NUMBER: '1/1h' });
    const { challenge, domesticCounts } = likelyFactorOf(action, secrets, prefix, '+447400123458', { id: 'auth0|at-home', logins: 5 }, 'GB');
    const day = Math.ceil(Date.now() / (24 * HOUR_MS)) * 24 * HOUR_MS + 32 * 24 * HOUR_MS + 9 * HOUR_MS;
    expect((await challenge('690001', day)).line).toMatchObject({ outcome: 'delivered', store_requests: 2, request_country: 'GB' });
    expect(await domesticCounts(day)).toEqual([1, 1]);
    // Refused by the per-number limit: counted as sent, refused and domestic in the one more request.
    expect((await challenge('690002', day + 60_000)).line).toMatchObject({ outcome: 'refused', store_requests: 2 });
    expect(await domesticCounts(day + 60_000)).toEqual([2, 2]);
    const abroad = likelyFactorOf(action, secrets, prefix, '+447400123459', { id: 'auth0|away', logins: 5 }, 'FR');
    expect((await abroad.challenge('690003', day + 2 * 60_000)).line).toMatchObject({ outcome: 'delivered', store_requests: 2, request_country: 'FR' });
    expect(await domesticCounts(day + 2 * 60_000)).toEqual([2, 2]);
  });

  test("GUARD_LIKELY_FACTORS bounds the likely factors trusted per country, however many accounts ask; a later login to a likely factor spends the budget again", async () => {
    const { action, secrets } = setup({ GUARD_RESEND_DELAY: 'off', GUARD_LIKELY_FACTORS: '2/1h', GUARD_SERVED_TRIALS: 'off' });
    const database = { id: 'con_Db0000000001', name: 'Username-Password-Authentication', strategy: 'auth0' };
    const challenge = (code: string, userId: string, to: string, at: number) => {
      const event = customPhoneProviderEvent({
        notification: { recipient: to, code, message_type: 'otp_verify', as_text: `Your code is ${code}`, as_voice: `Your code is ${code}` },
        connection: database,
      });
      event.user = { user_id: userId, email: 'someone@example.com', login_count: 3, app_metadata: {}, user_metadata: {} } as unknown as CustomPhoneProviderEvent['user'];
      event.secrets = secrets;
      ledger.forbid(`Your code is ${code}`, 'message text');
      return withClock(at, () => run(action, event));
    };
    const hour = Math.ceil(Date.now() / HOUR_MS) * HOUR_MS + 60 * HOUR_MS;
    const first = await challenge('660001', 'auth0|one', '+2348031110001', hour + 1_000);
    const second = await challenge('660002', 'auth0|two', '+2348031110002', hour + 2_000);
    const third = await challenge('660003', 'auth0|three', '+2348031110003', hour + 3_000);
    expect([first, second, third].map((sent) => sent.line['outcome'])).toEqual(['delivered', 'delivered', 'refused']);
    expect(third.line).toMatchObject({ rules: ['geo'], evidence: { number_proven: false, likely_factor: 'country-budget-spent' } });
    // Another country has a budget of its own.
    const kenya = await challenge('660004', 'auth0|three', '+254712345678', hour + 4_000);
    expect(kenya.line).toMatchObject({ outcome: 'delivered', evidence: { proven_by: 'likely-factor', likely_factor: 'trusted' } });
    // The first user's next login, an hour later: her number spends the new hour's budget, and
    // her resend in that login is free.
    const later = await challenge('660005', 'auth0|one', '+2348031110001', hour + HOUR_MS + 1_000);
    expect(later.line).toMatchObject({ outcome: 'delivered', evidence: { likely_factor: 'trusted-again', proof_recorded: true } });
    const resend = await challenge('660008', 'auth0|one', '+2348031110001', hour + HOUR_MS + 90_000);
    expect(resend.line).toMatchObject({ outcome: 'delivered', store_requests: 2, evidence: { likely_factor: 'same-login' } });
    await challenge('660006', 'auth0|two', '+2348031110002', hour + HOUR_MS + 100_000);
    const spent = await challenge('660007', 'auth0|one', '+2348031110001', hour + HOUR_MS + 20 * 60_000);
    expect(spent.line).toMatchObject({ outcome: 'refused', rules: ['geo'], evidence: { likely_factor: 'country-budget-spent' } });

    // GUARD_LIKELY_FACTORS_TOTAL: spread over many countries, an attack gets no more.
    const { secrets: spreadSecrets } = setup({ GUARD_RESEND_DELAY: 'off', GUARD_LIKELY_FACTORS: '3/1h', GUARD_LIKELY_FACTORS_TOTAL: '2/1h', GUARD_SERVED_TRIALS: 'off' });
    Object.assign(secrets, spreadSecrets);
    const spread = [];
    for (const [index, to] of ['+2348031110009', '+254712345670', '+639171234567'].entries()) spread.push(await challenge(`66101${index}`, `auth0|spread${index}`, to, hour + 3 * HOUR_MS + index * 1_000));
    expect(spread.map((sent) => sent.line['outcome'])).toEqual(['delivered', 'delivered', 'refused']);
    expect(spread[2]?.line).toMatchObject({ to: expect.stringContaining('+63'), evidence: { likely_factor: 'country-budget-spent' } });
  });

  test('the same code sent again without a retry asked for is counted (a resend storm is not a retry)', async () => {
    const { action, secrets } = setup({ GUARD_LIMIT_NUMBER: '2/1h', GUARD_RESEND_DELAY: 'off' });
    const event = notification(secrets, '770011', '+1-415-555-2672');
    const outcomes = [];
    for (let attempt = 0; attempt < 3; attempt += 1) outcomes.push((await run(action, event)).line);
    expect(outcomes.map((line) => line.outcome)).toEqual(['delivered', 'delivered', 'refused']);
    expect(outcomes.every((line) => line['replay'] === undefined)).toBe(true);
  });

  test('a permanent Twilio refusal grants no retry: the same notification again counts', async () => {
    const { action, secrets, prefix } = setup({ GUARD_LIMIT_NUMBER: '1/1h', GUARD_RESEND_DELAY: 'off' });
    const event = notification(secrets, '880022', '+1-415-555-2673');
    twilio.fault({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const first = await run(action, event);
    expect(first.invocation.result?.last?.call).toBe('drop');
    const again = await run(action, event);
    expect(again.line).toMatchObject({ outcome: 'refused', rules: ['number-velocity'] });
    expect(await scanKeys(redis.url, `${prefix}:*:retry:*`)).toHaveLength(0);
  });
});
