/**
 * The BUILT Okta hook server on a real Redis (through the Upstash REST shim), delivering through
 * the local Twilio server: one store round trip per decision, limits shared by two server
 * processes (two replicas behind a load balancer), a repeated Okta event counted again, and a
 * stalled store (alone, and with a stalled Twilio) still answered well inside Okta's 3 s.
 */
import { randomBytes } from 'node:crypto';
import { buildOktaHook } from '../../scripts/build-hook';
import { describeWithRedis, startRedis, type RedisHandle } from '../support/redis-server';
import { startTwilioServer, type TwilioTestServer } from '../support/twilio-server';
import { startUpstashShim, type UpstashShim } from '../support/upstash-shim';
import { loadStoreScripts, scanKeys } from '../bundle/redis-helpers';
import { commandOf, oktaRequest, postHook, startHook, type HookProcess } from './support';

const CODE = '602517';
const RUN = randomBytes(3).toString('hex');
const FROM = '+15005550006';
const OKTA_TIMEOUT_MS = 3000;
/** The default GUARD_STORE_TIMEOUT and the slack an answer may take beyond it on a busy machine. */
const STORE_TIMEOUT_MS = 300;
const SLACK_MS = 700;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

describeWithRedis('Okta hook server on real Redis', () => {
  let redis: RedisHandle;
  let twilio: TwilioTestServer;
  const shims: UpstashShim[] = [];
  const servers: HookProcess[] = [];
  let prefixes = 0;

  beforeAll(async () => {
    await buildOktaHook({ quiet: true });
    redis = await startRedis();
    await loadStoreScripts(redis.url);
    twilio = await startTwilioServer();
  });
  afterEach(() => twilio.reset());
  afterAll(async () => {
    for (const server of servers) await server.stop();
    for (const shim of shims) await shim.close();
    await twilio?.close();
    await redis?.stop();
    const lines = servers.flatMap((server) => server.lines);
    expect(lines.filter((line) => line.includes(CODE) || line.includes(twilio.authToken) || line.includes('+1415555'))).toEqual([]);
  });

  async function shim(): Promise<UpstashShim> {
    const created = await startUpstashShim({ redisUrl: redis.url });
    shims.push(created);
    return created;
  }

  function newPrefix(): string {
    prefixes += 1;
    return `okta${prefixes}-${RUN}`;
  }

  async function hook(store: UpstashShim, prefix: string, env: Record<string, string> = {}): Promise<HookProcess> {
    const server = await startHook({
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM_NUMBER: FROM,
      TWILIO_BASE_URL: twilio.url,
      UPSTASH_REDIS_REST_URL: store.url,
      UPSTASH_REDIS_REST_TOKEN: store.token,
      GUARD_KEY_PREFIX: prefix,
      ...env,
    });
    servers.push(server);
    return server;
  }

  function request(to: string, extra: { userId?: string; eventId?: string; ip?: string } = {}): Record<string, unknown> {
    return oktaRequest({ phoneNumber: to, otpCode: CODE, msgTemplate: `Your code is ${CODE}`, userId: extra.userId ?? `00u${randomBytes(6).toString('hex')}`, ipAddress: extra.ip ?? '198.51.100.9', ...(extra.eventId ? { eventId: extra.eventId } : {}) });
  }

  test('a delivered OTP costs one store round trip; its counters live in Redis under the prefix', async () => {
    const store = await shim();
    const prefix = newPrefix();
    const server = await hook(store, prefix);
    expect(server.listening['store']).toBe('upstash');
    store.resetRequests();
    const command = commandOf(await postHook(server, request('+14155550201')));
    expect(command).toMatchObject({ status: 'SUCCESSFUL', provider: 'TWILIO' });
    expect(store.requests).toHaveLength(1);
    const [line] = await server.waitForDecisions(1);
    expect(line).toMatchObject({ outcome: 'delivered', store: 'upstash', store_requests: 1 });
    const keys = await scanKeys(redis.url, `${prefix}*`);
    expect(keys.length).toBeGreaterThan(3);
    expect(keys.every((key) => key.startsWith(`${prefix}:okta:`))).toBe(true);
  });

  test('two server processes share the limits (two replicas behind one load balancer)', async () => {
    const store = await shim();
    const prefix = newPrefix();
    const env = { GUARD_LIMIT_NUMBER: '2/1h', GUARD_RESEND_DELAY: 'off' };
    const a = await hook(store, prefix, env);
    const b = await hook(store, prefix, env);
    const to = '+14155550202';
    const answers = [];
    for (const server of [a, b, a]) answers.push(commandOf(await postHook(server, request(to))));
    expect(answers.map((answer) => answer.provider)).toEqual(['TWILIO', 'TWILIO', 'TOLLGUARD']);
    expect(answers[2]?.transactionMetadata).toBe('not sent: refused by tollguard (number-velocity)');
    expect(twilio.requests).toHaveLength(2);
  });

  test('the same Okta event sent twice counts twice: a repeat is never free', async () => {
    const store = await shim();
    const server = await hook(store, newPrefix(), { GUARD_LIMIT_NUMBER: '1/1h', GUARD_RESEND_DELAY: 'off' });
    const to = '+14155550203';
    const first = commandOf(await postHook(server, request(to, { eventId: 'evt-repeat-1', userId: '00uRepeat' })));
    const repeated = commandOf(await postHook(server, request(to, { eventId: 'evt-repeat-1', userId: '00uRepeat' })));
    expect([first.provider, repeated.provider]).toEqual(['TWILIO', 'TOLLGUARD']);
    const lines = await server.waitForDecisions(2);
    expect(lines[1]).toMatchObject({ outcome: 'refused', rules: ['number-velocity'] });
    expect(lines[1]?.replay).toBeUndefined();
  });

  test('a stalled store: fail open (the default) within the store timeout; p50 / p99 reported', async () => {
    const store = await shim();
    const server = await hook(store, newPrefix());
    store.latencyMs = 10_000;
    const times: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const reply = await postHook(server, request(`+1415555${String(300 + i).padStart(4, '0')}`));
      expect(commandOf(reply)).toMatchObject({ status: 'SUCCESSFUL', provider: 'TWILIO' });
      times.push(reply.ms);
    }
    const sorted = [...times].sort((x, y) => x - y);
    console.log(`Okta hook, stalled store (20 requests, store timeout ${STORE_TIMEOUT_MS} ms, local Twilio): p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms`);
    expect(Math.max(...times)).toBeLessThan(STORE_TIMEOUT_MS + SLACK_MS);
    const lines = await server.waitForDecisions(20);
    expect(lines[0]).toMatchObject({ decision: 'allow', outcome: 'delivered', fail_mode: 'open' });
    expect(String(lines[0]?.store_error)).toMatch(/did not answer within 300 ms|aborted due to timeout/);
  });

  test('a stalled store with GUARD_FAIL_MODE=closed: a shadow block, as fast', async () => {
    const store = await shim();
    const server = await hook(store, newPrefix(), { GUARD_FAIL_MODE: 'closed' });
    store.latencyMs = 10_000;
    const reply = await postHook(server, request('+14155550204'));
    expect(reply.ms).toBeLessThan(STORE_TIMEOUT_MS + SLACK_MS);
    expect(commandOf(reply)).toMatchObject({ status: 'SUCCESSFUL', provider: 'TOLLGUARD' });
    expect(twilio.requests).toEqual([]);
    const [line] = await server.waitForDecisions(1);
    expect(line).toMatchObject({ outcome: 'refused', refusal: 'silent', fail_mode: 'closed' });
  });

  test('Redis itself hung (SIGSTOP) and Twilio stalled too: still answered inside the deadline', async () => {
    if (redis.external) return; // pause() needs a spawned redis-server
    const own = await startRedis();
    try {
      const store = await startUpstashShim({ redisUrl: own.url });
      shims.push(store);
      const server = await hook(store, newPrefix());
      own.pause();
      twilio.delay(10_000);
      const reply = await postHook(server, request('+14155550205'));
      // Store cut at 300 ms, Twilio at 1.5 s: Okta gets the error object (it may send the code itself).
      expect(reply.ms).toBeLessThan(OKTA_TIMEOUT_MS - 500);
      expect((reply.body as { error?: { errorCauses?: { reason: string }[] } }).error?.errorCauses?.[0]?.reason).toBe('PROVIDER_UNAVAILABLE');
      console.log(`Okta hook, hung Redis + stalled Twilio: answered in ${reply.ms.toFixed(0)} ms`);
    } finally {
      own.resume();
      await own.stop();
    }
  });
});
