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
import { customPhoneProviderEvent, loadAction, runCustomPhoneProvider, type LoadedAction } from '../support/actions-runtime';
import { describeWithRedis, startRedis, type RedisHandle } from '../support/redis-server';
import { startTwilioServer, type TwilioTestServer } from '../support/twilio-server';
import { startUpstashShim, type UpstashShim } from '../support/upstash-shim';
import { DIST_DIR, SecrecyLedger, decisionLineOf } from './helpers';
import { loadStoreScripts, scanKeys } from './redis-helpers';

const BUNDLE = path.join(DIST_DIR, 'custom-phone-provider.js');
const RUN = randomBytes(3).toString('hex');
const CODE = '604218';

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
    // The decision made one batch, plus granting the retries (the failed delivery's one write). The
    // sample user's verified profile number proves nothing here: the Unified Phone Experience's event
    // carries no identities, so tollguard cannot tell that Auth0 itself verified it.
    expect(retried[0]?.line['store_requests']).toBe(2);
    expect(retried[0]?.line['evidence']).toMatchObject({ number_proven: false });
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
