/**
 * The BUILT send-phone-message bundle (dist/send-phone-message.js) on a real Redis, reached through
 * the Upstash REST shim by the Action's own Upstash REST client: round trips per
 * decision, velocity, service cap, pumping detection, alert webhook, fail modes on real store
 * failures, hostile input kept out of keys, the embedded store, and secrecy of every log line.
 *
 * Delivery is TWILIO_DRY_RUN so only the store is exercised. Every test has its own key prefix
 * (unique per run) and its own loaded container. Time is moved by replacing Date.now of the
 * context the Action runs in (ActionClock; jest.spyOn(Date, 'now') would only move the sandbox's
 * clock); Redis TTLs stay real and are never waited for.
 *
 * The Redis servers start with the store's Lua scripts loaded (SCRIPT LOAD), as a warm Upstash
 * database has them; one test covers a cold database. A container sends each script whole (EVAL)
 * on its first call, then EVALSHA.
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
import { recordProof } from '../../shared/feedback/proofs';
import { sentOps, verificationOps } from '../../shared/feedback/conversion-counts';
import { GuardKeys, tenantKeyPrefix } from '../../shared/store/keys';
import { UpstashStore } from '../../shared/store/upstash-store';
import { ActionClock, gbNumbersInRange, loadStoreScripts, scanKeys, startHookServer, usNumbersInDistinctRanges } from './redis-helpers';

const BUNDLE = path.join(DIST_DIR, 'send-phone-message.js');

const CODE = '739184';
const TEXT = `Your verification code is ${CODE}`;
const RUN = randomBytes(3).toString('hex');
const TENANT = 'tollguard-test';
const WRONG_TOKEN = 'wrong-upstash-token-0123456789abcdef';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 09:05 UTC: five minutes into a fixed window of every hourly limit. */
const T0 = Date.UTC(2031, 2, 3, 9, 5, 0);

const US = '+14155552671';
const NIGERIA = '+2348031234567';
/** A 10 000-number GB mobile range (the number without its last four digits). */
const GB_RANGE = '+44740012';

/** The default GUARD_STORE_TIMEOUT, and the slack a decision may take beyond the store timeout. */
const DEFAULT_STORE_TIMEOUT_MS = 300;
const DECISION_SLACK_MS = 700;
/**
 * A store timeout, as the guard words it ("store did not answer within N ms") or as the Upstash
 * client's own abort signal (same deadline, armed first, so it usually wins) words it.
 */
const STORE_TIMEOUT_ERROR = /store did not answer within \d+ ms|TimeoutError: The operation was aborted due to timeout/;

type Secrets = Record<string, string | undefined>;

interface Sent {
  invocation: Invocation<void>;
  line: DecisionLine;
}

interface SendSpec {
  secrets: Secrets;
  to?: string;
  type?: 'sms' | 'voice';
  action?: 'enrollment' | 'second-factor-authentication';
  userId?: string;
  ip?: string;
  appMetadata?: Record<string, unknown>;
  /** event.request.geoip.countryCode (the sample event's otherwise). */
  requestCountry?: string;
}

const ledger = new SecrecyLedger();
const clock = new ActionClock();
let prefixCount = 0;
let sendCount = 0;

function newPrefix(): string {
  prefixCount += 1;
  return `t${prefixCount}-${RUN}`;
}

function merge(base: Secrets, extra: Secrets): Secrets {
  const secrets: Secrets = { ...base };
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete secrets[name];
    else secrets[name] = value;
  }
  return secrets;
}

/** Dry-run delivery and the embedded store, under its own key prefix. */
function embeddedSecrets(prefix: string, extra: Secrets = {}): Secrets {
  return merge({ TWILIO_DRY_RUN: 'true', GUARD_KEY_PREFIX: prefix }, extra);
}

/** Dry-run delivery and the store behind `target` (a shim), under its own key prefix. */
function upstashSecrets(target: UpstashShim, prefix: string, extra: Secrets = {}): Secrets {
  return merge(
    { TWILIO_DRY_RUN: 'true', UPSTASH_REDIS_REST_URL: target.url, UPSTASH_REDIS_REST_TOKEN: target.token, GUARD_KEY_PREFIX: prefix },
    extra,
  );
}

/** A tenant of its own key prefix on the shim's store: its secrets, and the store and keys a test seeds or reads directly. */
function storeTenant(target: UpstashShim, extra: Secrets): { secrets: Secrets; store: UpstashStore; keys: GuardKeys } {
  const prefix = newPrefix();
  return {
    secrets: upstashSecrets(target, prefix, extra),
    store: new UpstashStore({ url: target.url, token: target.token, timeoutMs: 2000 }),
    keys: new GuardKeys(tenantKeyPrefix(prefix, TENANT)),
  };
}

function freshAction(): LoadedAction {
  const action = loadAction(BUNDLE, { allowedPackages: ACTION_PACKAGES });
  ledger.watch(action);
  return action;
}

/** An event with the distinctive code; by default its own user and IP. */
function makeEvent(spec: SendSpec): SendPhoneMessageEvent {
  sendCount += 1;
  const event = sendPhoneMessageEvent({
    user: { user_id: spec.userId ?? `auth0|redis-test-${sendCount}`, app_metadata: spec.appMetadata ?? {} },
    request: { ip: spec.ip ?? `203.0.113.${(sendCount % 250) + 1}` },
  });
  if (spec.requestCountry !== undefined) event.request = { ...event.request, geoip: { ...event.request.geoip, countryCode: spec.requestCountry } } as SendPhoneMessageEvent['request'];
  event.message_options = { ...event.message_options, code: CODE, text: TEXT };
  const options = event.message_options as unknown as Record<string, unknown>;
  options['message_type'] = spec.type ?? 'sms';
  options['recipient'] = spec.to ?? US;
  if (spec.action !== undefined) options['action'] = spec.action;
  event.secrets = spec.secrets as Record<string, string>;
  return event;
}

async function send(action: LoadedAction, spec: SendSpec): Promise<Sent> {
  ledger.forbidRecipient(spec.to ?? US);
  const invocation = await runSendPhoneMessage(action, makeEvent(spec));
  ledger.record(invocation);
  return { invocation, line: decisionLineOf(invocation) };
}

function expectDelivered({ invocation, line }: Sent): void {
  expect(invocation.error).toBeUndefined();
  expect(line).toMatchObject({ decision: 'allow', outcome: 'delivered' });
}

/** Refused on purpose (tollguard's own Error), with exactly these rules. */
function expectRefused({ invocation, line }: Sent, rules: string[]): void {
  expect(invocation.error?.name).toBe('SendRefusedError');
  expect(invocation.error?.message).toMatch(/^tollguard refused this (sms|voice) OTP/);
  expect(line).toMatchObject({ decision: 'block', outcome: 'refused', rules });
}

function expectWithin({ invocation }: Sent, storeTimeoutMs: number): void {
  expect(invocation.durationMs).toBeLessThan(storeTimeoutMs + DECISION_SLACK_MS);
}

describeWithRedis('send-phone-message bundle on real Redis through the Upstash shim', () => {
  let redis: RedisHandle;
  let shim: UpstashShim;
  /** Shims and servers a test started; closed after it even when it fails. */
  const cleanups: (() => Promise<void>)[] = [];

  async function extraShim(redisUrl: string, options: { redisTimeoutMs?: number } = {}): Promise<UpstashShim> {
    const extra = await startUpstashShim({ redisUrl, ...options });
    ledger.forbid(extra.token, 'Upstash token');
    cleanups.push(() => extra.close());
    return extra;
  }

  /** A Redis of the test's own; with the store's scripts loaded unless `scripts` is false. */
  async function extraRedis({ scripts = true } = {}): Promise<RedisHandle> {
    const extra = await startRedis();
    cleanups.push(async () => {
      if (!extra.external) extra.resume();
      await extra.stop();
    });
    if (scripts) await loadStoreScripts(extra.url);
    return extra;
  }

  beforeAll(async () => {
    await buildActions({ quiet: true });
    redis = await startRedis();
    // A warm Upstash database already holds the scripts (see the NOSCRIPT test for a cold one).
    await loadStoreScripts(redis.url);
    shim = await startUpstashShim({ redisUrl: redis.url });
    ledger.forbid(CODE, 'OTP code');
    ledger.forbid(TEXT, 'message text');
    ledger.forbid(shim.token, 'Upstash token');
    ledger.forbid(WRONG_TOKEN, 'wrong Upstash token');

    // Warm-up through the bundle: both scripts (the batch and, by tripping a cap, raise-until) run.
    clock.set(T0);
    try {
      const action = freshAction();
      const secrets = upstashSecrets(shim, `warm-${RUN}`, { GUARD_SERVICE_CAP_SMS: '1/1h' });
      const [first, second] = usNumbersInDistinctRanges(2, 900);
      const delivered = await send(action, { secrets, to: first });
      expectDelivered(delivered);
      expect(delivered.line['store_error']).toBeUndefined();
      const tripped = await send(action, { secrets, to: second });
      expectRefused(tripped, ['service-cap']);
      expect(tripped.line['store_error']).toBeUndefined();
    } finally {
      clock.restore();
    }
  }, 30_000);

  afterEach(async () => {
    clock.restore();
    for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
  });

  afterAll(async () => {
    await shim?.close();
    await redis?.stop();
  });

  // -------------------------------------------------------------------------------------------
  describe('one round trip', () => {
    test('an allowed decision is one EVALSHA request; the line says store upstash, store_requests 1', async () => {
      clock.set(T0);
      const action = freshAction();
      const secrets = upstashSecrets(shim, newPrefix());
      const [first, second] = usNumbersInDistinctRanges(2, 201);
      expectDelivered(await send(action, { secrets, to: first })); // this container's first call

      shim.resetRequests();
      clock.advance(5 * SECOND);
      const sent = await send(action, { secrets, to: second });

      expectDelivered(sent);
      expect(sent.line).toMatchObject({ store: 'upstash', store_requests: 1, rules: [], reasons: [] });
      expect(sent.line['store_error']).toBeUndefined();
      expect(sent.line['incidents']).toBeUndefined();
      expect(typeof sent.line['store_ms']).toBe('number');
      expect(shim.requests).toHaveLength(1);
      const [request] = shim.requests;
      expect(request?.method).toBe('POST');
      expect(request?.headers['authorization']).toBe(`Bearer ${shim.token}`);
      expect(request?.commands).toHaveLength(1);
      expect(request?.commands[0]?.[0]?.toLowerCase()).toBe('evalsha');
    });

    test('a Redis that never saw the scripts: the first decision sends the script whole (one EVAL) and is served, the next is one EVALSHA', async () => {
      const cold = await extraRedis({ scripts: false });
      const coldShim = await extraShim(cold.url);
      clock.set(T0);
      const action = freshAction();
      const secrets = upstashSecrets(coldShim, newPrefix());
      const [first, second] = usNumbersInDistinctRanges(2, 210);

      const fallback = await send(action, { secrets, to: first });
      expectDelivered(fallback);
      expect(fallback.line['store_error']).toBeUndefined();
      expect(fallback.line).toMatchObject({ store: 'upstash', store_requests: 1 });
      // Issue 11: EVALSHA first cost a cold database two round trips (NOSCRIPT, then EVAL).
      expect(coldShim.requests.map((request) => request.commands[0]?.[0]?.toLowerCase())).toEqual(['eval']);

      coldShim.resetRequests();
      clock.advance(5 * SECOND);
      const warm = await send(action, { secrets, to: second });
      expectDelivered(warm);
      expect(warm.line['store_error']).toBeUndefined();
      expect(coldShim.requests.map((request) => request.commands[0]?.[0]?.toLowerCase())).toEqual(['evalsha']);
    });

    test('service cap: the tripping decision makes 3 requests (batch, lock, refusal count) and opens an incident; SMS stays locked, voice flows, 25 h later SMS is back', async () => {
      clock.set(T0);
      const action = freshAction();
      const secrets = upstashSecrets(shim, newPrefix(), { GUARD_SERVICE_CAP_SMS: '3/1h' });
      const numbers = usNumbersInDistinctRanges(8, 220);
      const at = (index: number) => numbers[index] as string;

      for (let i = 0; i < 3; i++) {
        shim.resetRequests();
        clock.advance(10 * SECOND);
        const sent = await send(action, { secrets, to: at(i) });
        expectDelivered(sent);
        expect(sent.line).toMatchObject({ store: 'upstash', store_requests: 1 });
        expect(shim.requests).toHaveLength(1);
      }

      shim.resetRequests();
      clock.advance(10 * SECOND);
      const tripped = await send(action, { secrets, to: at(3) });
      expectRefused(tripped, ['service-cap']);
      expect(tripped.line).toMatchObject({ store: 'upstash', store_requests: 3 });
      expect(tripped.line.reasons[0]).toContain('4 attempts of sms tenant-wide, over the limit of 3/1h');
      expect(tripped.line['incidents']).toEqual([expect.stringContaining('service cap tripped: sms stopped tenant-wide')]);
      expect(shim.requests).toHaveLength(3);
      // The container's first block write sends the raise script whole (issue 11); the refusal is
      // then counted for the conversion rule (a batch, already known to Redis).
      expect(shim.requests.map((request) => request.commands[0]?.[0]?.toLowerCase())).toEqual(['evalsha', 'eval', 'evalsha']);

      // Later SMS, to any number, from anyone: refused by the lock, two requests (the batch and the
      // refusal count), no new incident.
      shim.resetRequests();
      clock.advance(20 * MINUTE);
      const locked = await send(action, { secrets, to: at(4) });
      expectRefused(locked, ['service-cap']);
      expect(locked.line.reasons[0]).toMatch(/sms is locked tenant-wide until .*\(service cap tripped\)/);
      expect(locked.line['incidents']).toBeUndefined();
      expect(locked.line['store_requests']).toBe(2);
      expect(shim.requests).toHaveLength(2);

      // In the next hourly window the SMS count is back to zero, but the 24 h lock-out still holds.
      clock.advance(2 * HOUR);
      expectRefused(await send(action, { secrets, to: at(5) }), ['service-cap']);

      // The voice channel has its own cap and keeps working.
      const voice = await send(action, { secrets, to: at(6), type: 'voice' });
      expectDelivered(voice);
      expect(voice.line).toMatchObject({ channel: 'voice', store: 'upstash', store_requests: 1 });

      // 25 h after the trip the lock-out (24 h) is over.
      clock.set(T0 + 40 * SECOND + 25 * HOUR);
      const back = await send(action, { secrets, to: at(7) });
      expectDelivered(back);
      expect(back.line).toMatchObject({ channel: 'sms', store_requests: 1 });
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('velocity end to end', () => {
    test('one number: 1st to 3rd at once, the 4th within seconds refused; a 4th after 31 s goes out', async () => {
      clock.set(T0);
      const action = freshAction();
      const secrets = upstashSecrets(shim, newPrefix());
      const [number, other] = usNumbersInDistinctRanges(2, 240);

      expectDelivered(await send(action, { secrets, to: number }));
      for (const _resend of [2, 3]) {
        clock.advance(1 * SECOND);
        expectDelivered(await send(action, { secrets, to: number }));
      }
      clock.advance(1 * SECOND);
      const fourth = await send(action, { secrets, to: number });
      expectRefused(fourth, ['number-velocity']);
      expect(fourth.line.reasons[0]).toBe('attempt 4 to this number came 1s after the last; it must wait 30s');

      // Another number, same timing but the 4th attempt 31 s after the 3rd: delivered.
      expectDelivered(await send(action, { secrets, to: other }));
      for (const _resend of [2, 3]) {
        clock.advance(1 * SECOND);
        expectDelivered(await send(action, { secrets, to: other }));
      }
      clock.advance(31 * SECOND);
      expectDelivered(await send(action, { secrets, to: other }));
    });

    test('one number: the refused 4th attempt counts too, so the next one waits twice as long (60 s)', async () => {
      clock.set(T0);
      const action = freshAction();
      const secrets = upstashSecrets(shim, newPrefix());
      const [number] = usNumbersInDistinctRanges(1, 260);

      expectDelivered(await send(action, { secrets, to: number }));
      for (const _resend of [2, 3]) {
        clock.advance(1 * SECOND);
        expectDelivered(await send(action, { secrets, to: number }));
      }
      clock.advance(1 * SECOND);
      expectRefused(await send(action, { secrets, to: number }), ['number-velocity']);

      clock.advance(31 * SECOND);
      const early = await send(action, { secrets, to: number });
      expectRefused(early, ['number-velocity']);
      expect(early.line.reasons[0]).toBe('attempt 5 to this number came 31s after the last; it must wait 60s');

      clock.advance(121 * SECOND); // attempt 6 must wait 120 s after the refused attempt 5
      expectDelivered(await send(action, { secrets, to: number }));
    });

    test('per user: 10 OTPs to different numbers in an hour go out, the 11th is refused', async () => {
      clock.set(T0);
      const action = freshAction();
      // Attempts per user, not new numbers per user: that limit is off here, and so are trials (NG must stay refused).
      const secrets = upstashSecrets(shim, newPrefix(), { GUARD_LIMIT_USER_NUMBERS: 'off', GUARD_SERVED_TRIALS: 'off' });
      const userId = 'auth0|velocity-user';
      const numbers = usNumbersInDistinctRanges(11, 280);

      for (const [index, to] of numbers.entries()) {
        clock.advance(2 * MINUTE);
        const sent = await send(action, { secrets, to, userId });
        if (index < 10) {
          expectDelivered(sent);
        } else {
          expectRefused(sent, ['user-velocity']);
          expect(sent.line.reasons[0]).toBe('11 attempts for this user, over the limit of 10/1h');
        }
      }
    });

    test('a low-trust user (app_metadata.tollguard.trust = low) is refused at the 5th', async () => {
      clock.set(T0);
      const action = freshAction();
      // Attempts per user, not new numbers per user: that limit is off here, and so are trials (NG must stay refused).
      const secrets = upstashSecrets(shim, newPrefix(), { GUARD_LIMIT_USER_NUMBERS: 'off', GUARD_SERVED_TRIALS: 'off' });
      const appMetadata = { tollguard: { trust: 'low' } };
      const numbers = usNumbersInDistinctRanges(5, 300);

      for (const [index, to] of numbers.entries()) {
        clock.advance(1 * MINUTE);
        const sent = await send(action, { secrets, to, userId: 'auth0|low-trust-user', appMetadata });
        if (index < 4) {
          expectDelivered(sent);
        } else {
          expectRefused(sent, ['user-velocity']);
          expect(sent.line.reasons[0]).toBe('5 attempts for this low-trust user, over the limit of 4/1h');
        }
      }
    });

    test('per IP with GUARD_LIMIT_IP=5/1h: the 6th from one IP is refused, another IP still passes', async () => {
      clock.set(T0);
      const action = freshAction();
      const secrets = upstashSecrets(shim, newPrefix(), { GUARD_LIMIT_IP: '5/1h' });
      const numbers = usNumbersInDistinctRanges(7, 320);
      const at = (index: number) => numbers[index] as string;

      for (let i = 0; i < 6; i++) {
        clock.advance(1 * MINUTE);
        const sent = await send(action, { secrets, to: at(i), ip: '192.0.2.44' });
        if (i < 5) {
          expectDelivered(sent);
        } else {
          expectRefused(sent, ['ip-velocity']);
          expect(sent.line.reasons[0]).toBe('6 attempts from this IP, over the limit of 5/1h');
          expect(sent.line.ip).toBe('192.0.2.44');
        }
      }
      expectDelivered(await send(action, { secrets, to: at(6), ip: '192.0.2.45' }));
    });

    test('refused attempts count: one OTP refused by geo, then the user is refused at the 10th delivered-looking send', async () => {
      clock.set(T0);
      const action = freshAction();
      // Attempts per user, not new numbers per user: that limit is off here, and so are trials (NG must stay refused).
      const secrets = upstashSecrets(shim, newPrefix(), { GUARD_LIMIT_USER_NUMBERS: 'off', GUARD_SERVED_TRIALS: 'off' });
      const userId = 'auth0|geo-then-velocity';

      const geo = await send(action, { secrets, to: NIGERIA, userId });
      expectRefused(geo, ['geo']);
      expect(geo.line).toMatchObject({ store: 'upstash', store_requests: 1 }); // counted even though refused

      const numbers = usNumbersInDistinctRanges(10, 340);
      for (const [index, to] of numbers.entries()) {
        clock.advance(2 * MINUTE);
        const sent = await send(action, { secrets, to, userId });
        if (index < 9) {
          expectDelivered(sent);
        } else {
          // Without the geo-refused attempt this would be the user's 10th: within the limit.
          expectRefused(sent, ['user-velocity']);
          expect(sent.line.reasons[0]).toBe('11 attempts for this user, over the limit of 10/1h');
        }
      }
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('pumping detection', () => {
    test('the 9th new number in one range is refused with an incident; other ranges flow; resends do not count; 13 h later the range is open', async () => {
      clock.set(T0);
      const action = freshAction();
      const secrets = upstashSecrets(shim, newPrefix());
      const range = gbNumbersInRange(GB_RANGE, 11);
      const at = (index: number) => range[index] as string;

      for (let i = 0; i < 8; i++) {
        clock.advance(30 * SECOND);
        const sent = await send(action, { secrets, to: at(i) });
        expectDelivered(sent);
        expect(sent.line.country).toBe('GB');
      }
      // Resends to numbers already seen are not new numbers: the range stays at 8.
      clock.advance(30 * SECOND);
      expectDelivered(await send(action, { secrets, to: at(0) }));
      clock.advance(30 * SECOND);
      expectDelivered(await send(action, { secrets, to: at(1) }));

      clock.advance(30 * SECOND);
      const tripped = await send(action, { secrets, to: at(8) });
      const trippedAt = clock.now;
      expectRefused(tripped, ['prefix-anomaly']);
      expect(tripped.line.reasons[0]).toContain(`range ${GB_RANGE} had 9 new sms numbers this window`);
      expect(tripped.line['incidents']).toEqual([expect.stringContaining(`pumping suspected on range ${GB_RANGE}`)]);
      // The batch, the block write, the refusal count.
      expect(tripped.line['store_requests']).toBe(3);

      // The range stays refused, without a second incident.
      clock.advance(30 * SECOND);
      const again = await send(action, { secrets, to: at(9) });
      expectRefused(again, ['prefix-anomaly']);
      expect(again.line['incidents']).toBeUndefined();

      // Another range of the same country is not affected.
      const [otherRange] = gbNumbersInRange('+44740013', 1, 11);
      const elsewhere = await send(action, { secrets, to: otherRange as string });
      expectDelivered(elsewhere);
      expect(elsewhere.line.country).toBe('GB');

      // 13 h without traffic: the 12 h block is over and the range has no rise any more.
      clock.set(trippedAt + 13 * HOUR);
      const later = await send(action, { secrets, to: at(10) });
      expectDelivered(later);
      expect(later.line['store_requests']).toBe(1);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('verification feedback (proven numbers, served countries)', () => {
    const nigerian = (last: number) => `+23480312345${String(last).padStart(2, '0')}`;

    test('a challenge proves its number (the platform challenges only a confirmed factor), for that user only, recorded once; an enrolment proves nothing', async () => {
      clock.set(T0);
      const action = freshAction();
      const secrets = upstashSecrets(shim, newPrefix());
      const [number, stranger] = usNumbersInDistinctRanges(2, 611);
      const enrol = await send(action, { secrets, to: number as string, userId: 'auth0|ada', action: 'enrollment' });
      expectDelivered(enrol);
      expect(enrol.line['evidence']).toMatchObject({ number_proven: false });
      clock.advance(HOUR);
      const challenge = await send(action, { secrets, to: number as string, userId: 'auth0|ada', action: 'second-factor-authentication' });
      expectDelivered(challenge);
      expect(challenge.line['evidence']).toMatchObject({ number_proven: true, proven_by: 'confirmed-factor', proof_recorded: true });
      expect(challenge.line['store_requests']).toBe(3);
      clock.advance(HOUR);
      const again = await send(action, { secrets, to: number as string, userId: 'auth0|ada', action: 'second-factor-authentication' });
      expect(again.line['evidence']).toEqual({ number_proven: true, proven_by: 'stored-proof', country_proofs: 1 });
      expect(again.line['store_requests']).toBe(1);
      // Another user's enrolment of the same number inherits nothing.
      const other = await send(action, { secrets, to: number as string, userId: 'auth0|mallory', action: 'enrollment' });
      expect(other.line['evidence']).toMatchObject({ number_proven: false });
      // A factor confirmed before tollguard was installed (no enrolment seen here) is proven by its challenge too.
      const older = await send(action, { secrets, to: stranger as string, userId: 'auth0|bob', action: 'second-factor-authentication' });
      expectDelivered(older);
      expect(older.line['evidence']).toMatchObject({ number_proven: true, proven_by: 'confirmed-factor', proof_recorded: true });
      expect(older.line['trusted']).toBeUndefined();
      // An event without a user proves nothing.
      const anonymous = await send(action, { secrets, to: stranger as string, userId: '', action: 'second-factor-authentication' });
      expect(anonymous.line['evidence']).toMatchObject({ number_proven: false });
    });

    test('proofs recorded elsewhere (Post-Login, monitor) open a high-risk-tier country and pass a proven number; the admin block list stays closed', async () => {
      clock.set(T0);
      const action = freshAction();
      // Proofs alone: no number goes on trial here (the next test is about trials).
      const { secrets, store, keys } = storeTenant(shim, { GUARD_SERVED_TRIALS: 'off' });
      const enrol = await send(action, { secrets, to: nigerian(1), userId: 'auth0|ada', action: 'enrollment' });
      expectRefused(enrol, ['geo']);
      expect(enrol.line['evidence']).toEqual({ number_proven: false, country_proofs: 0, served_needs: 3 });

      await recordProof(store, keys, { e164: nigerian(1), country: 'NG', range: nigerian(1).slice(0, -4), userId: 'auth0|ada' }, clock.now);
      clock.advance(20 * MINUTE);
      const proven = await send(action, { secrets, to: nigerian(1), userId: 'auth0|ada', action: 'second-factor-authentication' });
      expectDelivered(proven);
      expect(proven.line['trusted']).toEqual([expect.stringContaining('proven for this user (a code to it was used)')]);
      expect(proven.line['evidence']).toMatchObject({ number_proven: true, proven_by: 'stored-proof' });
      clock.advance(20 * MINUTE);
      expectRefused(await send(action, { secrets, to: nigerian(1), userId: 'auth0|mallory', action: 'enrollment' }), ['geo']);

      for (const [index, user] of ['auth0|bola', 'auth0|chidi'].entries()) {
        await recordProof(store, keys, { e164: nigerian(2 + index), country: 'NG', range: nigerian(2 + index).slice(0, -4), userId: user }, clock.now);
      }
      clock.advance(MINUTE);
      const opened = await send(action, { secrets, to: nigerian(9), userId: 'auth0|dayo', action: 'enrollment' });
      expectDelivered(opened);
      expect(opened.line['trusted']).toEqual([expect.stringContaining('NG is served (sms): 3 numbers proven')]);
      expect(opened.line['evidence']).toEqual({ number_proven: false, country_proofs: 3, served_needs: 3 });

      clock.advance(20 * MINUTE);
      const pinned = await send(action, { secrets: { ...secrets, GUARD_BLOCKED_COUNTRIES: 'NG' }, to: nigerian(1), userId: 'auth0|ada', action: 'second-factor-authentication' });
      expectRefused(pinned, ['geo']);
    });

    test('a high-risk-tier country learns: challenges to confirmed factors pass and prove their numbers, and three such proofs open the country for SMS', async () => {
      clock.set(T0);
      const action = freshAction();
      // The pumping rule is off: its high-risk floors would see these numbers of one range; this test is about evidence, so trials are off too.
      const secrets = upstashSecrets(shim, newPrefix(), { GUARD_PUMPING: 'off', GUARD_SERVED_TRIALS: 'off' });
      for (const [index, user] of ['auth0|ada', 'auth0|bola', 'auth0|chidi'].entries()) {
        expectRefused(await send(action, { secrets, to: nigerian(20 + index), userId: user, action: 'enrollment' }), ['geo']);
      }
      expectRefused(await send(action, { secrets, to: nigerian(30), userId: 'auth0|dayo', action: 'enrollment' }), ['geo']);
      // The platform challenges only a confirmed factor: each challenge proves its number for its user.
      clock.advance(2 * HOUR);
      for (const [index, user] of ['auth0|ada', 'auth0|bola'].entries()) {
        const challenge = await send(action, { secrets, to: nigerian(20 + index), userId: user, action: 'second-factor-authentication' });
        expectDelivered(challenge);
        expect(challenge.line['evidence']).toMatchObject({ number_proven: true, proof_recorded: true });
      }
      // Two proofs are not enough yet.
      expectRefused(await send(action, { secrets, to: nigerian(31), userId: 'auth0|femi', action: 'enrollment' }), ['geo']);
      // A factor confirmed before tollguard (no enrolment seen) passes and proves its number as well.
      const older = await send(action, { secrets, to: nigerian(40), userId: 'auth0|eze', action: 'second-factor-authentication' });
      expectDelivered(older);
      expect(older.line['evidence']).toMatchObject({ number_proven: true, proof_recorded: true });
      clock.advance(MINUTE);
      const opened = await send(action, { secrets, to: nigerian(32), userId: 'auth0|gozie', action: 'enrollment' });
      expectDelivered(opened);
      expect(opened.line['trusted']).toEqual([expect.stringContaining('NG is served (sms): 3 numbers proven')]);
      // SMS proofs do not open the country's voice; an admin block list is never lifted.
      expectRefused(await send(action, { secrets, to: nigerian(33), userId: 'auth0|gozie', type: 'voice', action: 'enrollment' }), ['geo']);
      expectRefused(await send(action, { secrets: { ...secrets, GUARD_BLOCKED_COUNTRIES: 'NG' }, to: nigerian(20), userId: 'auth0|ada', action: 'enrollment' }), ['geo']);
    });

    test("a tier country's voice opens only with numbers proven by a call, counted apart from its SMS proofs", async () => {
      clock.set(T0);
      const action = freshAction();
      const { secrets, store, keys } = storeTenant(shim, { GUARD_PUMPING: 'off', GUARD_SERVED_TRIALS: 'off' });
      const prove = (index: number, channel: 'sms' | 'voice') =>
        recordProof(store, keys, { e164: nigerian(50 + index), country: 'NG', range: nigerian(50 + index).slice(0, -4), userId: `auth0|p${index}`, channel }, clock.now);
      for (const index of [0, 1, 2]) await prove(index, 'sms');
      await prove(3, 'voice');
      await prove(4, 'voice');
      clock.advance(MINUTE);
      const call = { secrets, to: nigerian(60), userId: 'auth0|caller', type: 'voice', action: 'enrollment' } as const;
      const refused = await send(action, call);
      expectRefused(refused, ['geo']);
      expect(refused.line['evidence']).toEqual({ number_proven: false, country_proofs: 2, served_needs: 3 });
      expectDelivered(await send(action, { ...call, type: 'sms' }));
      await prove(5, 'voice');
      clock.advance(MINUTE);
      const opened = await send(action, { ...call, to: nigerian(61) });
      expectDelivered(opened);
      expect(opened.line['trusted']).toEqual([expect.stringContaining('NG is served (voice): 3 numbers proven there by a call')]);
    });

    test('a tier country not served yet admits one new number at a time on trial: its resends pass, the next waits for a proof, the trials of a day are bounded, voice has its own trial', async () => {
      clock.set(T0);
      const action = freshAction();
      const { secrets, store, keys } = storeTenant(shim, { GUARD_PUMPING: 'off', GUARD_SERVED_TRIALS: '3/1d' });
      const enrol = (to: string, userId: string, type: 'sms' | 'voice' = 'sms') => send(action, { secrets, to, userId, type, action: 'enrollment' });

      const first = await enrol(nigerian(70), 'auth0|ada');
      expectDelivered(first);
      expect(first.line['trusted']).toEqual([expect.stringContaining('NG is not served yet (sms: 0 of 3 numbers proven): admitted on trial')]);
      expect(first.line['evidence']).toMatchObject({ number_proven: false, trial: 'granted', trial_recorded: true });
      // The batch, then the trial slot and the day's count at once (the admitted OTP is counted as sent
      // for the country's conversion in that count's batch: the decision's batch only read it).
      expect(first.line['store_requests']).toBe(3);
      clock.advance(MINUTE);
      const resend = await enrol(nigerian(70), 'auth0|ada');
      expectDelivered(resend);
      expect(resend.line['evidence']).toMatchObject({ trial: 'same-number' });
      // The batch, then the admitted resend counted as sent.
      expect(resend.line['store_requests']).toBe(2);
      // Another number waits: no code was used in NG since the first went on trial.
      const second = await enrol(nigerian(71), 'auth0|bola');
      expectRefused(second, ['geo']);
      expect(second.line['evidence']).toMatchObject({ trial: 'slot-taken', country_proofs: 0 });
      // Voice has a trial of its own (a call proves that the country takes calls).
      const call = await enrol(nigerian(72), 'auth0|chidi', 'voice');
      expectDelivered(call);
      expect(call.line['evidence']).toMatchObject({ trial: 'granted' });
      // The first number's code is used (the monitor's join, a Post-Login, a later challenge): the next number goes on trial.
      await recordProof(store, keys, { e164: nigerian(70), country: 'NG', range: nigerian(70).slice(0, -4), userId: 'auth0|ada' }, clock.now);
      clock.advance(MINUTE);
      const next = await enrol(nigerian(71), 'auth0|bola');
      expectDelivered(next);
      expect(next.line['evidence']).toMatchObject({ trial: 'granted', country_proofs: 1 });
      // GUARD_SERVED_TRIALS=3/1d is spent (all countries together): a free slot in Ghana admits nobody.
      const ghana = await enrol('+233241234567', 'auth0|kofi');
      expectRefused(ghana, ['geo']);
      expect(ghana.line['evidence']).toMatchObject({ trial: 'budget-spent' });
      // A low-trust user is never put on trial.
      const low = await send(action, { secrets, to: '+233241234568', userId: 'auth0|low', action: 'enrollment', appMetadata: { tollguard: { trust: 'low' } } });
      expectRefused(low, ['geo']);
      expect(low.line['evidence']).toMatchObject({ trial: 'low-trust' });
      // A day later the window frees both the budget and a slot whose code was never used.
      clock.advance(24 * HOUR + MINUTE);
      const later = await enrol(nigerian(73), 'auth0|dayo');
      expectDelivered(later);
      expect(later.line['evidence']).toMatchObject({ trial: 'granted' });
    });

    test("a tier country's OTP requested from inside it is counted once among its domestic attempts, by the batch that only reads its sent count, whether admitted on trial or refused", async () => {
      clock.set(T0);
      const action = freshAction();
      const { secrets, store, keys } = storeTenant(shim, { GUARD_PUMPING: 'off', GUARD_SERVED_TRIALS: '3/1d' });
      const domesticCounts = async () => {
        const answers = await store.run(clock.now, [
          { kind: 'get', key: `${keys.conversion('NG', 'sms', 'dom', 'f')}:${Math.floor(clock.now / (10 * MINUTE))}` },
          { kind: 'get', key: `${keys.conversion('NG', 'sms', 'dom', 'h')}:${Math.floor(clock.now / HOUR)}` },
          { kind: 'get', key: `${keys.conversion('NG', 'sms', 'sent', 'd')}:${Math.floor(clock.now / DAY)}` },
        ]);
        return answers.map((answer) => (answer.kind === 'get' ? Number(answer.value ?? 0) : Number.NaN));
      };
      const fromLagos = (to: string, userId: string) => send(action, { secrets, to, userId, action: 'enrollment', requestCountry: 'NG' });
      // Admitted on trial: the decision's batch counted the domestic attempt; the admission's own request counts only the sent.
      const first = await fromLagos(nigerian(90), 'auth0|amaka');
      expectDelivered(first);
      expect(first.line).toMatchObject({ request_country: 'NG', evidence: { trial: 'granted', trial_recorded: true } });
      expect(await domesticCounts()).toEqual([1, 1, 1]);
      // Refused (the trial slot is taken): an attempt all the same, counted once; nothing sent.
      clock.advance(MINUTE);
      expectRefused(await fromLagos(nigerian(91), 'auth0|bayo'), ['geo']);
      expect(await domesticCounts()).toEqual([2, 2, 1]);
      // From abroad: no domestic attempt.
      clock.advance(MINUTE);
      expectDelivered(await send(action, { secrets, to: nigerian(90), userId: 'auth0|amaka', action: 'enrollment', requestCountry: 'GB' }));
      expect(await domesticCounts()).toEqual([2, 2, 2]);
    });

    test("a tier country its proofs opened is judged by today's conversion: a trickle under every hourly floor is refused once the day shows it; admitted OTPs are counted after the decision, refused ones cost nothing", async () => {
      clock.set(T0);
      const action = freshAction();
      const { secrets, store, keys } = storeTenant(shim, { GUARD_PUMPING: 'off', GUARD_SERVED_TRIALS: 'off' });
      const ng = { country: 'NG', channel: 'sms' as const };
      for (const index of [0, 1, 2]) await recordProof(store, keys, { e164: nigerian(80 + index), country: 'NG', range: nigerian(80 + index).slice(0, -4), userId: `auth0|r${index}` }, T0 - 2 * DAY);
      // Yesterday NG's residents enrolled 48 new numbers (2 an hour) and used 36 of the codes (75 %).
      for (let index = 0; index < 48; index++) await store.run(T0 - DAY, sentOps(keys, ng, T0 - DAY, 10 * MINUTE));
      for (let index = 0; index < 36; index++) await store.run(T0 - DAY, verificationOps(keys, ng, T0 - DAY));
      // From 05:05 UTC, five new numbers an hour whose codes nobody uses: 10 in two hours, under the hour's floor of 15;
      // the day needs half of it in a tier country (8 unused).
      clock.set(T0 - 4 * HOUR);
      const outcomes: Sent[] = [];
      for (let index = 0; index < 20; index++) {
        outcomes.push(await send(action, { secrets, to: `+23480398765${String(index).padStart(2, '0')}`, userId: `auth0|trickle${index}`, action: 'enrollment' }));
        clock.advance(12 * MINUTE);
      }
      const firstRefused = outcomes.findIndex((sent) => sent.line['outcome'] === 'refused');
      expect(firstRefused).toBeGreaterThanOrEqual(8);
      for (const sent of outcomes.slice(0, firstRefused)) {
        expectDelivered(sent);
        expect(sent.line['trusted']).toEqual([expect.stringContaining('NG is served (sms)')]);
        // The batch read the conversion counts; the admitted OTP is then counted as sent.
        expect(sent.line['store_requests']).toBe(2);
      }
      const refused = outcomes[firstRefused] as Sent;
      expectRefused(refused, ['conversion']);
      expect(refused.line['reasons']).toEqual([expect.stringMatching(/^conversion to NG \(sms\) fell today: 0 of \d+ OTPs delivered since 00:00 UTC .* against 75% for NG yesterday/)]);
      // Refused: nothing was counted, so no refusal count either.
      expect(refused.line['store_requests']).toBe(1);
      for (const sent of outcomes.slice(firstRefused)) expectRefused(sent, ['conversion']);
      const today = await store.run(clock.now, [{ kind: 'get', key: `${keys.conversion('NG', 'sms', 'sent', 'd')}:${Math.floor(clock.now / DAY)}` }]);
      expect(today[0]).toEqual({ kind: 'get', value: String(firstRefused) });
      // A number proven for its user still passes, in the one batch: it opens no new number, so it
      // is not counted as sent (a resident's every return would otherwise dilute NG's conversion).
      await recordProof(store, keys, { e164: nigerian(90), country: 'NG', range: nigerian(90).slice(0, -4), userId: 'auth0|amaka' }, clock.now);
      const proven = await send(action, { secrets, to: nigerian(90), userId: 'auth0|amaka', action: 'enrollment' });
      expectDelivered(proven);
      expect(proven.line['store_requests']).toBe(1);
      const after = await store.run(clock.now, [{ kind: 'get', key: `${keys.conversion('NG', 'sms', 'sent', 'd')}:${Math.floor(clock.now / DAY)}` }]);
      expect(after[0]).toEqual({ kind: 'get', value: String(firstRefused) });
    });

    test('a proven number passes a range block; other numbers of the range stay refused', async () => {
      clock.set(T0);
      const action = freshAction();
      const secrets = upstashSecrets(shim, newPrefix());
      const range = gbNumbersInRange(GB_RANGE, 12);
      const at = (index: number) => range[index] as string;
      // A user proves a number of the range first (enrolment, then a challenge).
      expectDelivered(await send(action, { secrets, to: at(11), userId: 'auth0|kept', action: 'enrollment' }));
      clock.advance(MINUTE);
      expectDelivered(await send(action, { secrets, to: at(11), userId: 'auth0|kept', action: 'second-factor-authentication' }));
      for (let i = 0; i < 9; i++) {
        clock.advance(30 * SECOND);
        await send(action, { secrets, to: at(i), action: 'enrollment' });
      }
      clock.advance(30 * SECOND);
      expectRefused(await send(action, { secrets, to: at(9), action: 'enrollment' }), ['prefix-anomaly']);
      clock.advance(30 * SECOND);
      const proven = await send(action, { secrets, to: at(11), userId: 'auth0|kept', action: 'second-factor-authentication' });
      expectDelivered(proven);
      expect(proven.line['trusted']).toEqual([expect.stringContaining(`the number is proven for this user: passes range ${GB_RANGE}`)]);
    });

    test('conversion: a country whose new numbers stop verifying refuses unproven enrolments and holds the country (refusals counted apart); challenges and proven numbers pass; yesterday is the yardstick', async () => {
      // The pumping rule is off: this test is about conversion alone (a country this young is barely
      // served, and the pumping rule would block it whole too: tests/rules/unused-codes.test.ts).
      // Feedback here is immediate: OTPs of the last minute are not judged yet.
      const { secrets, store, keys } = storeTenant(shim, { GUARD_PUMPING: 'off', GUARD_CONVERSION_LAG: '1m' });
      const numbers = usNumbersInDistinctRanges(140, 200, '0777');
      let next = 0;
      const enrol = async (verify: boolean) => {
        const to = numbers[next] as string;
        const userId = `auth0|conv-${next}`;
        next += 1;
        clock.advance(10 * SECOND);
        const sent = await send(action, { secrets, to, userId, action: 'enrollment' });
        if (verify && sent.line.decision === 'allow') await recordProof(store, keys, { e164: to, country: 'US', range: to.slice(0, -4), userId, channel: 'sms', opensNewNumber: true }, clock.now);
        return { sent, to, userId };
      };
      // Yesterday: 40 enrolments, 34 verified (85 %).
      clock.set(T0 - 24 * HOUR);
      const action = freshAction();
      for (let i = 0; i < 40; i++) expectDelivered((await enrol(i % 7 !== 0)).sent);
      // Today: real users verify as yesterday, then pumped numbers never do.
      clock.set(T0);
      const kept = await enrol(true);
      for (let i = 0; i < 9; i++) expectDelivered((await enrol(true)).sent);
      let refused: Sent | undefined;
      let pumped = 0;
      while (refused === undefined && pumped < 60) {
        const { sent } = await enrol(false);
        pumped += 1;
        if (sent.line.decision === 'block') refused = sent;
      }
      expect(refused).toBeDefined();
      expectRefused(refused as Sent, ['conversion']);
      expect((refused as Sent).line.reasons[0]).toMatch(
        /^conversion to US \(sms\) collapsed: 10 of \d+ OTPs delivered in the last 1-2 h \(before the last 1m or two\) were verified \(\d+%\), against 85% for US yesterday \(\d+ expected\), and \d+ more came in the last 1m/,
      );
      // The batch, the hold written with its incident, the refusal count.
      expect((refused as Sent).line['store_requests']).toBe(3);
      expect((refused as Sent).line['incidents']).toEqual([expect.stringContaining('conversion collapsed towards US (sms)')]);
      // It trips once about 30 OTPs are one to two lags old (6 a minute here): 10 of 30 verified, where
      // 85 % expects 25.5, more than twice 10 and more than three binomial standard deviations (5.9) above it.
      expect(pumped).toBeGreaterThanOrEqual(20);
      expect(pumped).toBeLessThanOrEqual(35);
      const refusedKey = `${keys.conversion('US', 'sms', 'refused', 'h')}:${Math.floor(clock.now / HOUR)}`;
      const before = (await store.run(clock.now, [{ kind: 'get', key: refusedKey }]))[0];
      expect(before).toEqual({ kind: 'get', value: '1' });
      const again = (await enrol(false)).sent;
      expectRefused(again, ['conversion']);
      expect(again.line['store_requests']).toBe(2);
      expect((await store.run(clock.now, [{ kind: 'get', key: refusedKey }]))[0]).toEqual({ kind: 'get', value: '2' });
      // A challenge to a confirmed factor and a number proven for its user still go out.
      clock.advance(5 * SECOND);
      expectDelivered(await send(action, { secrets, to: kept.to, userId: kept.userId, action: 'second-factor-authentication' }));
      clock.advance(40 * SECOND); // the number's resend wait (its third OTP in the streak)
      expectDelivered(await send(action, { secrets, to: kept.to, userId: kept.userId, action: 'enrollment' }));
      // Monitor mode delivers, and a delivered OTP is not counted as refused; GUARD_CONVERSION=off delivers.
      clock.advance(5 * SECOND);
      // (Probes off: whether a number is drawn as one depends on the millisecond.)
      const watched = await send(action, { secrets: { ...secrets, GUARD_MODE: 'monitor', GUARD_CONVERSION_PROBES: '0' }, to: numbers[next++] as string, action: 'enrollment' });
      expect(watched.line).toMatchObject({ decision: 'block', outcome: 'would_block_delivered', rules: ['conversion'], store_requests: 1 });
      expect((await store.run(clock.now, [{ kind: 'get', key: refusedKey }]))[0]).toEqual({ kind: 'get', value: '2' });
      clock.advance(5 * SECOND);
      expectDelivered(await send(action, { secrets: { ...secrets, GUARD_CONVERSION: 'off' }, to: numbers[next++] as string, action: 'enrollment' }));
    });

    test('conversion: a held country measures itself; a campaign at home whose probes verify passes again, requests from abroad stay held', async () => {
      const { secrets, store, keys } = storeTenant(shim, { GUARD_PUMPING: 'off', GUARD_CONVERSION_LAG: '1m' });
      // Pumping is off, so numbers may share ranges: four lines in each of 175 exchanges.
      const numbers = ['0551', '0552', '0553', '0554'].flatMap((line) => usNumbersInDistinctRanges(175, 300, line));
      let next = 0;
      const enrol = async (requestCountry: string, verify: boolean) => {
        const to = numbers[next] as string;
        const userId = `auth0|probe-${next}`;
        next += 1;
        clock.advance(10 * SECOND);
        const sent = await send(action, { secrets, to, userId, action: 'enrollment', requestCountry });
        if (verify && sent.line.decision === 'allow') await recordProof(store, keys, { e164: to, country: 'US', range: to.slice(0, -4), userId, channel: 'sms', opensNewNumber: true }, clock.now);
        return sent;
      };
      clock.set(T0 - 24 * HOUR);
      const action = freshAction();
      for (let i = 0; i < 40; i++) expectDelivered(await enrol('US', i % 7 !== 0));
      // Pumping from abroad collapses US conversion and holds it.
      clock.set(T0);
      let pumped = 0;
      while ((await enrol('FR', false)).line.decision !== 'block') if (++pumped > 80) throw new Error('the collapse never tripped');
      // A campaign at home (six enrolments a minute, every delivered code used): its domestic pace
      // surges, so the residents' pass does not apply; one in 40 passes as a probe.
      const campaign: Sent[] = [];
      let lifted: Sent | undefined;
      while (lifted === undefined && campaign.length < 500) {
        const sent = await enrol('US', true);
        campaign.push(sent);
        if ((sent.line['trusted'] as string[] | undefined)?.some((reason) => reason.includes('whose probes convert again')) === true) lifted = sent;
      }
      const probes = campaign.filter((sent) => (sent.line['trusted'] as string[] | undefined)?.some((reason) => reason.includes('a probe of the hold on US (sms)')) === true);
      const refused = campaign.filter((sent) => sent.line.decision === 'block');
      expect(lifted).toBeDefined();
      expectDelivered(lifted as Sent);
      // Eight probes delivered and verified lift it; every other campaign OTP before was refused.
      expect(probes.length).toBeGreaterThanOrEqual(8);
      for (const probe of probes) expectDelivered(probe);
      // The campaign's first OTPs pass at the domestic usual pace, until it surges.
      const atUsualPace = campaign.filter((sent) => sent.line.decision !== 'block' && !probes.includes(sent) && sent !== lifted);
      expect(atUsualPace.length).toBeLessThanOrEqual(3);
      for (const sent of atUsualPace) expect(sent.line['trusted']).toEqual([expect.stringContaining('requested from US at its usual pace')]);
      expect(refused.length).toBe(campaign.length - probes.length - atUsualPace.length - 1);
      for (const sent of refused) expectRefused(sent, ['conversion']);
      // Lifted for requests from inside the country only: the attack from abroad is still refused.
      expectRefused(await enrol('FR', false), ['conversion']);
      expectDelivered(await enrol('US', true));
    });

    test('conversion: without verification feedback (none yesterday) the rule never refuses', async () => {
      const secrets = upstashSecrets(shim, newPrefix(), { GUARD_PUMPING_COUNTRY_FLOOR: '1000' });
      const numbers = usNumbersInDistinctRanges(100, 200, '0888');
      clock.set(T0 - 24 * HOUR);
      const action = freshAction();
      for (let i = 0; i < 40; i++) {
        clock.advance(30 * SECOND);
        await send(action, { secrets, to: numbers[i] as string, action: 'enrollment' });
      }
      clock.set(T0);
      for (let i = 40; i < 100; i++) {
        clock.advance(10 * SECOND);
        expectDelivered(await send(action, { secrets, to: numbers[i] as string, action: 'enrollment' }));
      }
    });

    test('voice has its own counters and lower floors: an SMS-busy range does not hide a voice rise', async () => {
      clock.set(T0);
      const action = freshAction();
      const secrets = upstashSecrets(shim, newPrefix());
      const range = gbNumbersInRange(GB_RANGE, 14);
      const at = (index: number) => range[index] as string;
      for (let i = 0; i < 8; i++) {
        clock.advance(20 * SECOND);
        expectDelivered(await send(action, { secrets, to: at(i), type: 'sms' }));
      }
      // The voice floor of a range is 4: the fifth new number called is a rise of its own.
      for (let i = 8; i < 12; i++) {
        clock.advance(20 * SECOND);
        expectDelivered(await send(action, { secrets, to: at(i), type: 'voice', appMetadata: { tollguard: { trust: 'high' } } }));
      }
      clock.advance(20 * SECOND);
      const voice = await send(action, { secrets, to: at(12), type: 'voice', appMetadata: { tollguard: { trust: 'high' } } });
      expectRefused(voice, ['prefix-anomaly']);
      expect(voice.line.reasons[0]).toContain(`range ${GB_RANGE} had 5 new voice numbers this window (baseline 0.00, threshold 4)`);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('alert webhook', () => {
    test('a tripped service cap posts one JSON alert; further refusals in the incident post nothing', async () => {
      const hook = await startHookServer();
      cleanups.push(() => hook.close());
      ledger.forbid(hook.url, 'alert webhook URL');
      clock.set(T0);
      const action = freshAction();
      const secrets = upstashSecrets(shim, newPrefix(), { GUARD_SERVICE_CAP_SMS: '2/1h', ALERT_WEBHOOK_URL: hook.url });
      const numbers = usNumbersInDistinctRanges(5, 360);
      const at = (index: number) => numbers[index] as string;

      expectDelivered(await send(action, { secrets, to: at(0) }));
      expectDelivered(await send(action, { secrets, to: at(1) }));
      expect(hook.bodies).toHaveLength(0);

      clock.advance(1 * MINUTE);
      const tripped = await send(action, { secrets, to: at(2) });
      expectRefused(tripped, ['service-cap']);
      expect(tripped.line['alert_errors']).toBeUndefined();
      expect(hook.bodies).toHaveLength(1);
      const body = hook.bodies[0] as Record<string, unknown>;
      expect(typeof body['text']).toBe('string');
      expect(body['text']).toContain('service cap tripped: sms stopped tenant-wide');
      expect(body['tollguard']).toEqual({
        summary: expect.stringContaining('service cap tripped: sms stopped tenant-wide'),
        trigger: 'send-phone-message',
        tenant: TENANT,
        at: new Date(T0 + MINUTE).toISOString(),
      });
      const bodyText = JSON.stringify(body);
      expect(bodyText).not.toContain(CODE);
      for (const number of numbers) expect(bodyText).not.toContain(number.slice(1));

      clock.advance(1 * MINUTE);
      expectRefused(await send(action, { secrets, to: at(3) }), ['service-cap']);
      clock.advance(1 * MINUTE);
      expectRefused(await send(action, { secrets, to: at(4) }), ['service-cap']);
      expect(hook.bodies).toHaveLength(1);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('fail modes on real store failures', () => {
    test('Redis stopped: open by default (delivered, store_error), geo still refuses, closed refuses with store-unavailable', async () => {
      const own = await extraRedis();
      const ownShim = await extraShim(own.url);
      clock.set(T0);
      const action = freshAction();
      const prefix = newPrefix();
      const open = upstashSecrets(ownShim, prefix);
      const closed = upstashSecrets(ownShim, prefix, { GUARD_FAIL_MODE: 'closed' });
      const [before, during] = usNumbersInDistinctRanges(2, 380);

      const healthy = await send(action, { secrets: open, to: before });
      expectDelivered(healthy);
      expect(healthy.line['store_error']).toBeUndefined();

      await own.stop();

      const us = await send(action, { secrets: open, to: during });
      expectDelivered(us);
      expectWithin(us, DEFAULT_STORE_TIMEOUT_MS);
      expect(us.line).toMatchObject({ store: 'upstash', fail_mode: 'open' });
      expect(us.line['store_error']).toEqual(expect.any(String));

      const nigeria = await send(action, { secrets: open, to: NIGERIA });
      expectRefused(nigeria, ['geo']);
      expectWithin(nigeria, DEFAULT_STORE_TIMEOUT_MS);
      expect(nigeria.line).toMatchObject({ fail_mode: 'open' });
      expect(nigeria.line['store_error']).toEqual(expect.any(String));

      const refused = await send(action, { secrets: closed, to: during });
      expectRefused(refused, ['store-unavailable']);
      expectWithin(refused, DEFAULT_STORE_TIMEOUT_MS);
      expect(refused.line).toMatchObject({ fail_mode: 'closed' });
      expect(refused.line.reasons[0]).toContain('GUARD_FAIL_MODE is closed');
    });

    test('a slow store (1 s) with GUARD_STORE_TIMEOUT=200ms: the store error names the timeout, delivered within the bound', async () => {
      const slow = await extraShim(redis.url);
      slow.latencyMs = 1000;
      clock.set(T0);
      const action = freshAction();
      const secrets = upstashSecrets(slow, newPrefix(), { GUARD_STORE_TIMEOUT: '200ms' });

      const sent = await send(action, { secrets, to: US });
      expectDelivered(sent);
      expectWithin(sent, 200);
      expect(sent.line).toMatchObject({ store: 'upstash', fail_mode: 'open' });
      expect(sent.line['store_error']).toMatch(STORE_TIMEOUT_ERROR);

      const nigeria = await send(action, { secrets, to: NIGERIA });
      expectRefused(nigeria, ['geo']);
      expectWithin(nigeria, 200);
    });

    test.each([
      ['HTTP 500 with an Upstash error body', { status: 500, body: '{"error":"boom"}' }, /boom/],
      ['HTTP 500 with an HTML body', { status: 500, body: '<html><body>Bad gateway</body></html>' }, /./],
      ['HTTP 200 with an HTML body', { status: 200, body: '<html>' }, /./],
      ['HTTP 200 with a result of the wrong shape', { status: 200, body: '{"result":"nonsense"}' }, /not an array/],
    ])('store answers %s: store_error, delivered, no crash', async (_name, fail, error) => {
      const broken = await extraShim(redis.url);
      broken.fail = fail;
      clock.set(T0);
      const action = freshAction();
      const secrets = upstashSecrets(broken, newPrefix());

      const sent = await send(action, { secrets, to: US });
      expectDelivered(sent);
      expectWithin(sent, DEFAULT_STORE_TIMEOUT_MS);
      expect(sent.line).toMatchObject({ store: 'upstash', fail_mode: 'open' });
      expect(sent.line['store_error']).toMatch(error);
      expect(sent.line['rule_errors']).toBeUndefined();

      expectRefused(await send(action, { secrets, to: NIGERIA }), ['geo']);
    });

    test('connections dropped without an answer: store_error, delivered', async () => {
      const dropping = await extraShim(redis.url);
      dropping.dropConnections = true;
      clock.set(T0);
      const action = freshAction();
      const sent = await send(action, { secrets: upstashSecrets(dropping, newPrefix()), to: US });
      expectDelivered(sent);
      expectWithin(sent, DEFAULT_STORE_TIMEOUT_MS);
      expect(sent.line['store_error']).toEqual(expect.any(String));
      expect(sent.line['fail_mode']).toBe('open');
    });

    test('a wrong Upstash token: store_error, delivered (open), nothing counted', async () => {
      clock.set(T0);
      const action = freshAction();
      const prefix = newPrefix();
      const secrets = upstashSecrets(shim, prefix, { UPSTASH_REDIS_REST_TOKEN: WRONG_TOKEN });

      shim.resetRequests();
      const sent = await send(action, { secrets, to: US });
      expectDelivered(sent);
      expectWithin(sent, DEFAULT_STORE_TIMEOUT_MS);
      expect(sent.line).toMatchObject({ store: 'upstash', fail_mode: 'open' });
      expect(sent.line['store_error']).toMatch(/Invalid token/);
      expect(shim.requests.length).toBeGreaterThanOrEqual(1);
      expect(shim.requests[0]?.headers['authorization']).toBe(`Bearer ${WRONG_TOKEN}`);
      expect(await scanKeys(redis.url, `${prefix}:*`)).toEqual([]);
    });

    test('Redis paused (SIGSTOP): the decision times out at GUARD_STORE_TIMEOUT and fails open; after resume the store answers again', async () => {
      const own = await extraRedis();
      if (own.external) return; // pause() needs a spawned redis-server
      const ownShim = await extraShim(own.url, { redisTimeoutMs: 5000 });
      clock.set(T0);
      const action = freshAction();
      const prefix = newPrefix();
      const secrets = upstashSecrets(ownShim, prefix);
      const closed = upstashSecrets(ownShim, prefix, { GUARD_FAIL_MODE: 'closed' });
      const numbers = usNumbersInDistinctRanges(3, 400);

      expectDelivered(await send(action, { secrets, to: numbers[0] as string }));

      own.pause();
      try {
        const hung = await send(action, { secrets, to: numbers[1] as string });
        expectDelivered(hung);
        expectWithin(hung, DEFAULT_STORE_TIMEOUT_MS);
        expect(hung.line).toMatchObject({ store: 'upstash', fail_mode: 'open' });
        expect(hung.line['store_error']).toMatch(STORE_TIMEOUT_ERROR);

        const nigeria = await send(action, { secrets, to: NIGERIA });
        expectRefused(nigeria, ['geo']);
        expectWithin(nigeria, DEFAULT_STORE_TIMEOUT_MS);

        const refused = await send(action, { secrets: closed, to: numbers[1] as string });
        expectRefused(refused, ['store-unavailable']);
        expectWithin(refused, DEFAULT_STORE_TIMEOUT_MS);
      } finally {
        own.resume();
      }

      const recovered = await send(action, { secrets, to: numbers[2] as string });
      expectDelivered(recovered);
      expect(recovered.line['store_error']).toBeUndefined();
      expect(recovered.line['store_requests']).toBe(1);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('hostile input never reaches keys raw', () => {
    test('user ids with newlines or 10 000 characters, an IPv6 zone id and an IPv4-mapped IPv6 address', async () => {
      clock.set(T0);
      const action = freshAction();
      const prefix = newPrefix();
      const secrets = upstashSecrets(shim, prefix);
      const numbers = usNumbersInDistinctRanges(4, 420);
      const at = (index: number) => numbers[index] as string;

      const newlines = await send(action, { secrets, to: at(0), userId: 'auth0|evil\r\nDEL *\nKEYS *\n' });
      expectDelivered(newlines);
      const huge = await send(action, { secrets, to: at(1), userId: `auth0|${'x'.repeat(9994)}` });
      expectDelivered(huge);
      const zoned = await send(action, { secrets, to: at(2), ip: 'fe80::1%eth0' });
      expectDelivered(zoned);
      expect(zoned.line.ip).toBe('fe80::1');
      const mapped = await send(action, { secrets, to: at(3), ip: '::ffff:198.51.100.77' });
      expectDelivered(mapped);
      expect(mapped.line.ip).toBe('198.51.100.77');
      for (const sent of [newlines, huge, zoned, mapped]) {
        expect(sent.line).toMatchObject({ store: 'upstash', store_requests: 1 });
        expect(sent.line['store_error']).toBeUndefined();
      }

      const keys = await scanKeys(redis.url, `${prefix}:*`);
      expect(keys.length).toBeGreaterThan(10);
      for (const key of keys) {
        expect(key.startsWith(`${prefix}:${TENANT}:`)).toBe(true);
        expect(key).not.toMatch(/[\r\n%\s]/);
        expect(key.length).toBeLessThanOrEqual(120);
        expect(key).not.toContain('evil');
        expect(key).not.toContain('xxxxxxxx');
        expect(key).not.toContain('::ffff');
      }
      const userKeys = keys.filter((key) => key.includes(':user:'));
      expect(userKeys.length).toBeGreaterThanOrEqual(4);
      for (const key of userKeys) expect(key).toMatch(new RegExp(`^${prefix}:${TENANT}:user:[A-Za-z0-9_-]{22}:(\\d+|numbers)$`));
      expect(keys.some((key) => key.startsWith(`${prefix}:${TENANT}:ip:fe80::1:`))).toBe(true);
      expect(keys.some((key) => key.startsWith(`${prefix}:${TENANT}:ip:198.51.100.77:`))).toBe(true);
      expect(keys.some((key) => key.startsWith(`${prefix}:${TENANT}:net:198.51.100.0/24:`))).toBe(true);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('embedded store', () => {
    test('without UPSTASH_* secrets: store embedded, the same resend rule, counters live per loaded container', async () => {
      clock.set(T0);
      const action = freshAction();
      const secrets = embeddedSecrets(newPrefix());
      const [number] = usNumbersInDistinctRanges(1, 440);

      shim.resetRequests();
      const first = await send(action, { secrets, to: number });
      expectDelivered(first);
      expect(first.line).toMatchObject({ store: 'embedded', store_requests: 1 });
      expect(first.line['store_error']).toBeUndefined();
      for (const _resend of [2, 3]) {
        clock.advance(1 * SECOND);
        expectDelivered(await send(action, { secrets, to: number }));
      }
      clock.advance(1 * SECOND);
      const fourth = await send(action, { secrets, to: number });
      expectRefused(fourth, ['number-velocity']);
      expect(fourth.line.reasons[0]).toBe('attempt 4 to this number came 1s after the last; it must wait 30s');
      expect(shim.requests).toHaveLength(0);

      // A new container starts with an empty embedded store.
      clock.advance(1 * SECOND);
      const fresh = await send(freshAction(), { secrets, to: number });
      expectDelivered(fresh);
      expect(fresh.line).toMatchObject({ store: 'embedded' });
    });

    test.each([
      ['only UPSTASH_REDIS_REST_URL set', 'UPSTASH_REDIS_REST_TOKEN', (target: UpstashShim) => ({ UPSTASH_REDIS_REST_URL: target.url })],
      ['only UPSTASH_REDIS_REST_TOKEN set', 'UPSTASH_REDIS_REST_URL', (target: UpstashShim) => ({ UPSTASH_REDIS_REST_TOKEN: target.token })],
    ])('%s: config_errors names %s, store unusable, fail open', async (_name, missing, extra) => {
      clock.set(T0);
      const action = freshAction();
      const secrets = embeddedSecrets(newPrefix(), extra(shim));

      shim.resetRequests();
      const sent = await send(action, { secrets, to: US });
      expectDelivered(sent);
      expect(sent.line).toMatchObject({ store: 'unusable', store_requests: 0, fail_mode: 'open' });
      expect(sent.line.config_errors).toEqual(expect.arrayContaining([expect.stringContaining(missing)]));
      expect(sent.line['store_error']).toContain(missing);
      expect(shim.requests).toHaveLength(0);

      expectRefused(await send(action, { secrets, to: NIGERIA }), ['geo']);
    });
  });

  // -------------------------------------------------------------------------------------------
  // Keep last: it checks what every test above wrote.
  describe('secrecy across every invocation in this file', () => {
    test('no log line or thrown error contains the code, the text, an Upstash token, the webhook URL or a full number', () => {
      const counts = ledger.counts;
      expect(counts.actions).toBeGreaterThanOrEqual(20);
      expect(counts.errors).toBeGreaterThanOrEqual(20);
      expect(counts.logLines).toBeGreaterThanOrEqual(100);
      expect(ledger.leaks()).toEqual([]);
    });

    test('every number in a decision line is masked; store errors were written', () => {
      const lines = ledger.decisionLines();
      const shown = lines.flatMap((line) => (line.to === undefined ? [] : [line.to]));
      expect(shown.length).toBeGreaterThanOrEqual(80);
      for (const to of shown) expect(to).toMatch(/^\+\d{2,7}\*{3,}\d{2}$/);
      expect(lines.filter((line) => typeof line['store_error'] === 'string').length).toBeGreaterThanOrEqual(10);
    });
  });
});
