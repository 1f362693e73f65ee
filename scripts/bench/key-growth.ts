/**
 * Key growth under a flood of distinct prefixes: how many counter-store keys a pumping flood
 * leaves behind per 100 000 decisions, by key family, and that they go once their TTLs pass.
 *
 * Two runs of the same traffic (distinct numbers over every country libphonenumber knows, so
 * nearly every number opens its own 10 000-number range; a new user and IP per OTP):
 * - 100 000 decisions through the send pipeline's TypeScript sources (the code the bundle is built
 *   from) on the embedded MemoryStore, whose clock is the simulated one, so keys can be counted as
 *   the hours and days pass. The store is wrapped in a ledger that notes each key written and its
 *   expiry (the MemoryStore keeps its entries private); the ledger's live count is checked
 *   against the store's own `size()` at every count.
 * - the first decisions of it through the BUILT send-phone-message Action on real Redis behind the
 *   Upstash shim: the keys under the run's prefix counted with SCAN, per family, and every key's
 *   PTTL read. Redis expires keys in real time, which a simulated clock cannot move, so on Redis
 *   the bench reads the TTL bounds (no key without one) and compares its counts with the sources
 *   run at the same decision, before any TTL could have passed.
 */
import { join } from 'node:path';
import examples from 'libphonenumber-js/examples.mobile.json';
import { DIST } from '../build';
import { ACTION_PACKAGES } from '../lib/action-packages';
import { loadAction, runSendPhoneMessage, sendPhoneMessageEvent, type LoadedAction } from '../../tests/support/actions-runtime';
import { redisAvailable, startRedis } from '../../tests/support/redis-server';
import { RespClient } from '../../tests/support/resp-client';
import { startUpstashShim } from '../../tests/support/upstash-shim';
import type { SendPhoneMessageEvent } from '../../shared/auth0/types';
import { tenantIdOf } from '../../shared/auth0/event-fields';
import { policyForKind } from '../../shared/pipeline/message-kinds';
import type { MessageKind } from '../../shared/pipeline/phone-request';
import { buildSendContainer, type SendContainer } from '../../shared/send/container';
import { DynamicGuard } from '../../shared/send/dynamic-guard';
import { handleSendPhoneMessage } from '../../shared/send/send-handler';
import { countWindowKey, type CounterStore, type StoreOp, type StoreResult, type UntilWrite } from '../../shared/store/counter-store';
import { tenantKeyPrefix } from '../../shared/store/keys';
import { MemoryStore } from '../../shared/store/memory-store';
import { takeOverClock } from '../sim/clock';
import { mobileNumber } from '../sim/numbers';
import { Random } from '../sim/random';
import { duration, grouped, renderSection, type BenchSection } from './format';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ------------------------------------------------------------------------------------------------
// The flood

export interface FloodSend {
  at: number;
  recipient: string;
  channel: 'sms' | 'voice';
  action: 'enrollment' | 'second-factor-authentication';
  userId: string;
  ip: string;
}

export interface FloodOptions {
  seed: number;
  startAt: number;
  spanMs: number;
  /** Share of voice calls (the rest SMS). */
  voiceShare: number;
  /** Share of enrolments (the rest MFA challenges; on the legacy trigger a challenge goes to a confirmed factor, which an attacker cannot flood). */
  enrolmentShare: number;
}

export const FLOOD_DEFAULTS: FloodOptions = { seed: 10, startAt: Date.UTC(2031, 2, 3, 8, 0, 0), spanMs: 4 * HOUR, voiceShare: 0.2, enrolmentShare: 1 };

/** Every region libphonenumber has an example mobile number for (245). */
export const FLOOD_COUNTRIES: readonly string[] = Object.keys(examples).sort();

/**
 * `count` OTP requests an attacker would send to spread a pump thin: each to a number never used
 * before, in a random country, from a new account and a new IPv4 address, evenly over the span.
 */
export function floodSends(count: number, options: FloodOptions = FLOOD_DEFAULTS): FloodSend[] {
  const random = new Random(options.seed);
  const used = new Set<string>();
  const sends: FloodSend[] = [];
  while (sends.length < count) {
    const recipient = mobileNumber(random.pick(FLOOD_COUNTRIES), random);
    if (used.has(recipient)) continue;
    used.add(recipient);
    const index = sends.length;
    sends.push({
      at: options.startAt + Math.floor((index * options.spanMs) / count),
      recipient,
      channel: random.next() < options.voiceShare ? 'voice' : 'sms',
      action: random.next() < options.enrolmentShare ? 'enrollment' : 'second-factor-authentication',
      userId: `auth0|flood${index}`,
      ip: random.ipv4(),
    });
  }
  return sends;
}

// ------------------------------------------------------------------------------------------------
// Key families

const PER_VALUE = new Set(['num', 'rng', 'cty', 'user', 'ip', 'net', 'lookup', 'retry']);
const WHOLE_VALUE = new Set(['user', 'ip', 'net', 'lookup', 'retry']);

/**
 * The family of a key under `prefix` (GUARD_KEY_PREFIX, then the tenant): the value a key is
 * made of becomes `*` and window indices go, so `p:t:num:4915123:w:493` is `num:*:w`,
 * `p:t:rng:4474001:rate` is `rng:*:rate` (SMS; voice `rng:*:voice:rate`), `p:t:ip:2001:db8::1` is `ip:*`.
 */
export function keyFamily(key: string, prefix: string): string {
  if (!key.startsWith(`${prefix}:`)) return 'other';
  const parts = key.slice(prefix.length + 1).split(':').slice(1); // the tenant first
  const head = parts[0] ?? '';
  if (!PER_VALUE.has(head)) return parts.filter((part) => !/^\d+$/.test(part)).join(':') || 'other';
  // A user's count of new numbers enrolled is its own family (a day window, not the hour's).
  if (head === 'user' && parts[parts.length - 1] === 'numbers') return 'user:*:numbers';
  if (WHOLE_VALUE.has(head)) return `${head}:*`;
  const rest = parts.slice(2).filter((part) => !/^-?\d+$/.test(part));
  // An enrolment marker names its user (hashed) after the kind.
  if (head === 'num' && rest[0] === 'enrol') return 'num:*:enrol:*';
  return [head, '*', ...rest].join(':');
}

export function countByFamily(keys: Iterable<string>, prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) {
    const family = keyFamily(key, prefix);
    counts.set(family, (counts.get(family) ?? 0) + 1);
  }
  return counts;
}

// ------------------------------------------------------------------------------------------------
// A MemoryStore that shows its keys

/**
 * The embedded store, with a ledger of every key it holds and when that key expires, computed
 * from the ops exactly as the store applies them (a count writes its current window's key, a
 * streak and a rate their key, a raise only when it raised, a replayed batch nothing).
 */
export class KeyLedgerStore implements CounterStore {
  // It stands in for the shared store the Redis run uses: what only a shared store does (numbers on
  // trial, dynamic-guard.ts trialsNeedASharedStore) must happen in the sources run too.
  readonly kind = 'upstash';
  readonly store: MemoryStore;
  private readonly expiries = new Map<string, number>();
  /** Every key ever written, live or not (what Redis holds while no real TTL has passed). */
  private readonly written = new Set<string>();

  constructor(private readonly clock: () => number) {
    this.store = new MemoryStore(clock);
  }

  async run(now: number, ops: readonly StoreOp[]): Promise<StoreResult[]> {
    const results = await this.store.run(now, ops);
    let replay = false;
    ops.forEach((op, index) => {
      const result = results[index];
      if (op.kind === 'retry' && result?.kind === 'retry' && result.replay) replay = true;
      if (replay || op.kind === 'get' || op.kind === 'retry') return;
      this.note(op.kind === 'count' ? countWindowKey(op.key, op.window) : op.key, op.ttlMs);
    });
    return results;
  }

  async raiseUntil(writes: readonly UntilWrite[]): Promise<number[]> {
    const previous = await this.store.raiseUntil(writes);
    writes.forEach((write, index) => {
      if (write.until > (previous[index] ?? 0)) this.note(write.key, write.ttlMs);
    });
    return previous;
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    await this.store.put(key, value, ttlMs);
    this.note(key, ttlMs);
  }

  /** Live keys now; throws if the ledger and the store disagree (the ledger would be wrong). */
  liveKeys(): string[] {
    const now = this.clock();
    for (const [key, expiresAt] of this.expiries) if (expiresAt <= now) this.expiries.delete(key);
    const size = this.store.size();
    if (size !== this.expiries.size) throw new Error(`key ledger holds ${this.expiries.size} live keys, the MemoryStore ${size}`);
    return [...this.expiries.keys()];
  }

  writtenKeys(): string[] {
    return [...this.written];
  }

  private note(key: string, ttlMs: number): void {
    this.expiries.set(key, this.clock() + ttlMs);
    this.written.add(key);
  }
}

// ------------------------------------------------------------------------------------------------
// Running the flood

const FLOOD_PREFIX = 'bench-flood';
const FLOOD_SECRETS: Record<string, string> = { TWILIO_DRY_RUN: 'true', GUARD_KEY_PREFIX: FLOOD_PREFIX };

function floodEvent(send: FloodSend, secrets: Record<string, string>, code: string): SendPhoneMessageEvent {
  const event = sendPhoneMessageEvent({
    message_options: { recipient: send.recipient, message_type: send.channel, action: send.action, code, text: `Your code is ${code}` },
    request: { ip: send.ip },
    user: { user_id: send.userId, app_metadata: {} },
  });
  event.secrets = secrets;
  return event;
}

/** What the decisions of a run did, read from their decision lines. */
export interface FloodTally {
  decisions: number;
  /** Decisions by outcome, refusals by their first rule: `refused: geo`. */
  outcomes: Record<string, number>;
  /** Decisions by their line's store_requests. */
  storeRequests: Record<string, number>;
}

function newTally(): FloodTally {
  return { decisions: 0, outcomes: {}, storeRequests: {} };
}

function tallyLine(tally: FloodTally, logs: readonly string[]): void {
  const text = logs.find((entry) => entry.startsWith('{"tollguard":"decision"'));
  tally.decisions += 1;
  const line = text === undefined ? undefined : (JSON.parse(text) as { outcome?: string; rules?: string[]; store_requests?: number });
  const rule = line?.rules?.[0];
  const outcome = line === undefined ? 'no decision line' : rule === undefined ? String(line.outcome) : `${String(line.outcome)}: ${rule}`;
  tally.outcomes[outcome] = (tally.outcomes[outcome] ?? 0) + 1;
  const requests = String(line?.store_requests ?? 'none');
  tally.storeRequests[requests] = (tally.storeRequests[requests] ?? 0) + 1;
}

/** The send container of the Action, built from the sources, with its guards on `store`. */
function containerOn(store: CounterStore, secrets: Record<string, string>): SendContainer {
  const base = buildSendContainer(secrets, () => undefined);
  const guards = new Map<string, DynamicGuard>();
  return {
    ...base,
    // As the container's own guardFor, on the given store, without alerts or Lookup (both off here).
    guardFor(tenant: string, kind: MessageKind = 'otp') {
      const id = `${kind}\u0000${tenant}`;
      let guard = guards.get(id);
      if (guard === undefined) {
        const policy = policyForKind(base.dynamicPolicy, kind);
        guard = new DynamicGuard({ store, policy, keyPrefix: tenantKeyPrefix(base.dynamicPolicy.keyPrefix, tenant), tenant, alert: undefined, lookup: undefined });
        guards.set(id, guard);
      }
      return guard;
    },
  };
}

/** Live keys by family at one moment of the memory run. */
export interface KeyCount {
  label: string;
  at: number;
  total: number;
  families: Record<string, number>;
}

export interface MemoryFlood {
  tally: FloodTally;
  /** Keys ever written by the first so many decisions (the Redis run's size): what Redis holds after them. */
  writtenAtRedisSize: KeyCount | undefined;
  /** Counts during the flood (after so many decisions) and after it (as the TTLs pass). */
  counts: KeyCount[];
  decisionMsMean: number;
}

function keyCount(label: string, at: number, keys: readonly string[]): KeyCount {
  return { label, at, total: keys.length, families: Object.fromEntries(countByFamily(keys, FLOOD_PREFIX)) };
}

/** After the flood's last decision, when to count again. */
export const AFTER_FLOOD: ReadonlyArray<[string, number]> = [
  ['+1 h', HOUR],
  ['+1 d', DAY],
  ['+4 d', 4 * DAY],
  ['+31 d', 31 * DAY],
  ['+61 d', 61 * DAY],
];

export async function floodOnMemory(sends: readonly FloodSend[], countAfter: ReadonlySet<number>, redisSize: number): Promise<MemoryFlood> {
  let now = sends[0]?.at ?? FLOOD_DEFAULTS.startAt;
  const ledger = new KeyLedgerStore(() => now);
  const container = containerOn(ledger, FLOOD_SECRETS);
  const tally = newTally();
  const counts: KeyCount[] = [];
  let writtenAtRedisSize: KeyCount | undefined;
  let logs: string[] = [];
  const log = (line: string) => logs.push(line);
  const started = performance.now();
  for (const [index, send] of sends.entries()) {
    now = send.at;
    logs = [];
    const event = floodEvent(send, FLOOD_SECRETS, String(100_000 + (index % 900_000)));
    await handleSendPhoneMessage(event, { container, now: () => now, log, tenant: tenantIdOf(event) }).catch(() => undefined);
    tallyLine(tally, logs);
    if (countAfter.has(index + 1)) counts.push(keyCount(`after ${grouped(index + 1)}`, now, ledger.liveKeys()));
    if (index + 1 === redisSize) writtenAtRedisSize = keyCount(`written by ${grouped(index + 1)}`, now, ledger.writtenKeys());
  }
  const decisionMsMean = (performance.now() - started) / Math.max(1, sends.length);
  const last = now;
  for (const [label, later] of AFTER_FLOOD) {
    now = last + later;
    counts.push(keyCount(label, now, ledger.liveKeys()));
  }
  return { tally, writtenAtRedisSize, counts, decisionMsMean };
}

/** One family's keys on Redis: how many, and the PTTL range read on every one of them. */
export interface RedisFamily {
  family: string;
  keys: number;
  minTtlMs: number;
  maxTtlMs: number;
  withoutTtl: number;
}

export interface RedisFlood {
  decisions: number;
  tally: FloodTally;
  keys: number;
  families: RedisFamily[];
  decisionMsMean: number;
}

async function scanAll(client: RespClient, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const reply = await client.send(['SCAN', cursor, 'MATCH', pattern, 'COUNT', '2000']);
    if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) throw new Error(`SCAN answered ${String(reply)}`);
    cursor = String(reply[0]);
    for (const key of reply[1]) keys.push(String(key));
  } while (cursor !== '0');
  return keys;
}

async function pttls(client: RespClient, keys: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (let at = 0; at < keys.length; at += 1000) {
    const chunk = keys.slice(at, at + 1000);
    const replies = await Promise.all(chunk.map((key) => client.send(['PTTL', key])));
    for (const reply of replies) out.push(Number(reply));
  }
  return out;
}

/** The first `sends` through the built bundle on Redis (via the shim), then SCAN and PTTL; a string says why not. */
export async function floodOnRedis(sends: readonly FloodSend[]): Promise<RedisFlood | string> {
  const availability = redisAvailable();
  if (!availability.available) return `skipped: ${availability.reason}`;
  const redis = await startRedis();
  const shim = await startUpstashShim({ redisUrl: redis.url });
  const client = await RespClient.connect(redis.url);
  const prefix = `${FLOOD_PREFIX}-${process.pid}-${Date.now().toString(36)}`;
  const secrets = { ...FLOOD_SECRETS, GUARD_KEY_PREFIX: prefix, UPSTASH_REDIS_REST_URL: shim.url, UPSTASH_REDIS_REST_TOKEN: shim.token, GUARD_STORE_TIMEOUT: '2s' };
  const action: LoadedAction = loadAction(join(DIST, 'send-phone-message.js'), { allowedPackages: ACTION_PACKAGES, retainLogs: false });
  const clock = takeOverClock();
  const tally = newTally();
  const started = performance.now();
  try {
    for (const [index, send] of sends.entries()) {
      clock.set(send.at);
      const invocation = await runSendPhoneMessage(action, floodEvent(send, secrets, String(100_000 + (index % 900_000))));
      tallyLine(tally, invocation.logs);
    }
  } finally {
    clock.restore();
  }
  const decisionMsMean = (performance.now() - started) / Math.max(1, sends.length);
  try {
    const keys = await scanAll(client, `${prefix}:*`);
    const ttls = await pttls(client, keys);
    const families = new Map<string, RedisFamily>();
    keys.forEach((key, index) => {
      const family = keyFamily(key, prefix);
      const ttl = ttls[index] ?? -2;
      const entry = families.get(family) ?? { family, keys: 0, minTtlMs: Number.POSITIVE_INFINITY, maxTtlMs: -1, withoutTtl: 0 };
      entry.keys += 1;
      if (ttl === -1) entry.withoutTtl += 1;
      else if (ttl >= 0) {
        entry.minTtlMs = Math.min(entry.minTtlMs, ttl);
        entry.maxTtlMs = Math.max(entry.maxTtlMs, ttl);
      }
      families.set(family, entry);
    });
    return { decisions: sends.length, tally, keys: keys.length, families: [...families.values()].sort((a, b) => b.keys - a.keys || a.family.localeCompare(b.family)), decisionMsMean };
  } finally {
    client.close();
    await shim.close();
    await redis.stop();
  }
}

// ------------------------------------------------------------------------------------------------
// Tables

/** What each family is and how long it lives (the TTLs the plan and the rules set, defaults). */
export const FAMILY_NOTES: Readonly<Record<string, string>> = {
  'num:*:w': 'per-number window count: 2 windows + 1 min (2 h 1 min)',
  'num:*:streak': 'resend streak: its reset + 1 min (16 min)',
  'num:*:sent': 'OTP-sent marker (proofs need one): 2 h 1 min',
  'num:*:enrol:*': 'enrolment marker per number and user: 14 d 1 min',
  'num:*:proof': 'a proven number: 180 d',
  'user:*': 'per-user window count: 2 h 1 min',
  'user:*:numbers': 'new numbers a user enrolled, per day: 2 d 1 min',
  'ip:*': 'per-IP window count: 2 h 1 min',
  'net:*': 'per-subnet window count: 2 h 1 min',
  'rng:*:rate': 'range/block rate and baseline, SMS: 3 d (memory 24 windows x 3)',
  'rng:*:voice:rate': 'range/block rate and baseline, voice: 3 d',
  'rng:*:block': 'a range or block refused: block time + 1 min (12 h 1 min)',
  'rng:*:proofs': 'proven numbers per range per day: 2 d 1 min',
  'cty:*:rate': 'country rate and baseline, SMS: 3 d',
  'cty:*:voice:rate': 'country rate and baseline, voice: 3 d',
  'cty:*:sms:abroad': 'country rate and baseline of new numbers requested from abroad, SMS: 3 d',
  'cty:*:voice:abroad': 'country rate and baseline of new numbers requested from abroad, voice: 3 d',
  'cty:*:block': 'a country refused: 12 h 1 min',
  'cty:*:sms:block': 'a country refused for SMS: 12 h 1 min',
  'cty:*:voice:block': 'a country refused for voice: 12 h 1 min',
  'cty:*:proofs': 'proven numbers per country per 30 days: 60 d 1 min',
  'svc:all:rate': 'tenant-wide rate: 3 d (one key)',
  'svc:voice:rate': 'tenant-wide rate of the voice attempts, read by voice requests: 3 d (one key)',
  'svc:sms:w': 'service cap window, SMS: 2 h 1 min (one key per window)',
  'svc:voice:w': 'service cap window, voice',
  'svc:sms:lock': 'service cap lock, SMS: 24 h 1 min (one key)',
  'svc:voice:lock': 'service cap lock, voice',
  'cty:*:sms:conv:sent:h': 'conversion, SMS: OTPs that may open a new number, sent, per hour: 2 h 1 min',
  'cty:*:sms:conv:sent:d': 'conversion, SMS: OTPs that may open a new number, sent, per UTC day: 2 d 1 min',
  'cty:*:sms:conv:sent:f': 'conversion, SMS: OTPs that may open a new number, sent, per lag-long window: 2 lags + 1 min (21 min)',
  'cty:*:sms:conv:refused:h': 'conversion, SMS: of those, refused, per hour: 2 h 1 min',
  'cty:*:sms:conv:refused:d': 'conversion, SMS: of those, refused, per UTC day: 2 d 1 min',
  'cty:*:sms:conv:refused:f': 'conversion, SMS: of those, refused, per lag-long window: 2 lags + 1 min (21 min)',
  'cty:*:sms:conv:tried:h': 'conversion, SMS: tier-country attempts, refused ones included (the pace), per hour: 2 h 1 min',
  'cty:*:sms:conv:tried:f': 'conversion, SMS: tier-country attempts, refused ones included (the pace), per lag-long window: 2 lags + 1 min (21 min)',
  'cty:*:sms:conv:dom:f': 'conversion, SMS: attempts requested from inside the destination country (the domestic pace), per lag-long window: 2 lags + 1 min (21 min)',
  'cty:*:sms:conv:verified:h': 'conversion, SMS: numbers newly proven, per hour: 2 h 1 min',
  'cty:*:sms:conv:verified:d': 'conversion, SMS: numbers newly proven, per UTC day: 2 d 1 min',
  'cty:*:sms:conv:hold': 'conversion collapse holding the country, SMS: 3 h 1 min (the hour, then 2 h for a collapse coming back; a repeat: 6 h 1 min)',
  'cty:*:sms:trial': 'the number on trial in a tier country, SMS: the trial window + 1 min (1 d 1 min)',
  'cty:*:voice:conv:sent:h': 'conversion, voice: OTPs that may open a new number, sent, per hour: 2 h 1 min',
  'cty:*:voice:conv:sent:d': 'conversion, voice: OTPs that may open a new number, sent, per UTC day: 2 d 1 min',
  'cty:*:voice:conv:sent:f': 'conversion, voice: OTPs that may open a new number, sent, per lag-long window: 2 lags + 1 min (21 min)',
  'cty:*:voice:conv:refused:h': 'conversion, voice: of those, refused, per hour: 2 h 1 min',
  'cty:*:voice:conv:refused:d': 'conversion, voice: of those, refused, per UTC day: 2 d 1 min',
  'cty:*:voice:conv:refused:f': 'conversion, voice: of those, refused, per lag-long window: 2 lags + 1 min (21 min)',
  'cty:*:voice:conv:tried:h': 'conversion, voice: tier-country attempts, refused ones included (the pace), per hour: 2 h 1 min',
  'cty:*:voice:conv:tried:f': 'conversion, voice: tier-country attempts, refused ones included (the pace), per lag-long window: 2 lags + 1 min (21 min)',
  'cty:*:voice:conv:dom:f': 'conversion, voice: attempts requested from inside the destination country (the domestic pace), per lag-long window: 2 lags + 1 min (21 min)',
  'cty:*:voice:conv:verified:h': 'conversion, voice: numbers newly proven, per hour: 2 h 1 min',
  'cty:*:voice:conv:verified:d': 'conversion, voice: numbers newly proven, per UTC day: 2 d 1 min',
  'cty:*:voice:conv:hold': 'conversion collapse holding the country, voice: 3 h 1 min (6 h 1 min for a repeat)',
  'cty:*:voice:trial': 'the number on trial in a tier country, voice: the trial window + 1 min (1 d 1 min)',
  'trial:all': 'numbers admitted on trial, all countries, per trial window: 2 windows + 1 min (2 d 1 min)',
  'lookup:*': 'cached Twilio Lookup: 30 d',
  'retry:*': 'retry tokens of a notification: 1 h',
};

function families(counts: readonly KeyCount[], redis: RedisFlood | undefined): string[] {
  const all = new Set<string>();
  for (const count of counts) for (const family of Object.keys(count.families)) all.add(family);
  for (const family of redis?.families ?? []) all.add(family.family);
  const peak = (family: string) => Math.max(...counts.map((count) => count.families[family] ?? 0));
  return [...all].sort((a, b) => peak(b) - peak(a) || a.localeCompare(b));
}

function tallyText(tally: FloodTally): string {
  const entries = Object.entries(tally.outcomes).sort((a, b) => b[1] - a[1]);
  return entries.map(([outcome, count]) => `${outcome} ${grouped(count)}`).join(', ');
}

function requestsText(tally: FloodTally): string {
  const entries = Object.entries(tally.storeRequests).sort((a, b) => a[0].localeCompare(b[0]));
  const total = entries.reduce((sum, [requests, count]) => sum + (Number(requests) || 0) * count, 0);
  return `${entries.map(([requests, count]) => `${requests} request${requests === '1' ? '' : 's'}: ${grouped(count)}`).join(', ')}; ${(total / Math.max(1, tally.decisions)).toFixed(3)} per decision`;
}

export function keyGrowthSections(memory: MemoryFlood, redis: RedisFlood | string, sends: readonly FloodSend[]): BenchSection[] {
  const redisRun = typeof redis === 'string' ? undefined : redis;
  const span = (sends.at(-1)?.at ?? 0) - (sends[0]?.at ?? 0);
  const sections: BenchSection[] = [];
  const rows = families(memory.counts, redisRun).map((family) => [family, ...memory.counts.map((count) => grouped(count.families[family] ?? 0)), FAMILY_NOTES[family] ?? '']);
  rows.push(['all keys', ...memory.counts.map((count) => grouped(count.total)), '']);
  sections.push({
    title: `Key growth: live keys by family, ${grouped(sends.length)} decisions over ${duration(span)} of distinct prefixes (sources on the embedded store)`,
    header: ['key family', ...memory.counts.map((count) => count.label), 'what it is, its TTL'],
    rows,
    notes: [
      `Traffic: ${grouped(sends.length)} OTPs to distinct numbers in ${FLOOD_COUNTRIES.length} countries, each from a new user and IPv4 address,`,
      `${Math.round(FLOOD_DEFAULTS.voiceShare * 100)} % voice, ${Math.round(FLOOD_DEFAULTS.enrolmentShare * 100)} % enrolments (an attacker cannot flood challenges: the legacy trigger sends them only to confirmed factors), default secrets, simulated clock.`,
      `Decisions: ${tallyText(memory.tally)}.`,
      `Store requests: ${requestsText(memory.tally)}.`,
      'Run through the send pipeline\'s TypeScript sources (the code the bundle is built from) on the embedded MemoryStore with the simulated clock;',
      'the keys are read from a ledger of the store\'s writes, checked against MemoryStore.size() at every count.',
      `Mean time per decision in this run: ${memory.decisionMsMean.toFixed(3)} ms (pipeline, store and event building).`,
    ],
  });
  if (redisRun === undefined) {
    sections.push({ title: 'Key growth on Redis (built Action)', header: ['figure', 'value'], rows: [['Redis figures', String(redis)]] });
    return sections;
  }
  const atSameDecision = memory.writtenAtRedisSize;
  const redisRows = redisRun.families.map((family) => [
    family.family,
    grouped(family.keys),
    atSameDecision === undefined ? 'n/a' : grouped(atSameDecision.families[family.family] ?? 0),
    family.maxTtlMs < 0 ? 'n/a' : duration(family.minTtlMs),
    family.maxTtlMs < 0 ? 'n/a' : duration(family.maxTtlMs),
    String(family.withoutTtl),
  ]);
  redisRows.push(['all keys', grouped(redisRun.keys), atSameDecision === undefined ? 'n/a' : grouped(atSameDecision.total), '', '', String(redisRun.families.reduce((sum, family) => sum + family.withoutTtl, 0))]);
  const same = atSameDecision !== undefined && atSameDecision.total === redisRun.keys && redisRun.families.every((family) => atSameDecision.families[family.family] === family.keys);
  sections.push({
    title: `Key growth on Redis: the first ${grouped(redisRun.decisions)} decisions through the built send-phone-message Action (Upstash shim)`,
    header: ['key family', 'keys on Redis', 'written by the sources run', 'PTTL min', 'PTTL max', 'keys without a TTL'],
    rows: redisRows,
    notes: [
      'Keys under the run\'s prefix counted with SCAN; PTTL read on every one of them right after the run.',
      'Redis expires keys in real time and the run takes seconds, so no TTL has passed: Redis holds every key written, however much simulated time went by,',
      'and the PTTLs bound how long each family can stay (the shortest TTL is 16 min, far longer than the run). The memory table above counts live keys instead.',
      same
        ? 'Every family holds exactly as many keys as the sources run wrote in the same decisions: the bundle and the sources write the same keys.'
        : 'MISMATCH: the Redis counts differ from the keys the sources run wrote in the same decisions.',
      `Decisions: ${tallyText(redisRun.tally)}. Store requests: ${requestsText(redisRun.tally)}.`,
      `Mean time per decision on Redis: ${redisRun.decisionMsMean.toFixed(2)} ms.`,
    ],
  });
  return sections;
}

// ------------------------------------------------------------------------------------------------

export interface KeyGrowth {
  sends: FloodSend[];
  memory: MemoryFlood;
  redis: RedisFlood | string;
}

/** Decisions of the memory run and of the Redis run: BENCH_FLOOD_DECISIONS, BENCH_FLOOD_REDIS. */
export function floodSizes(env: NodeJS.ProcessEnv): { decisions: number; redis: number } {
  const read = (name: string, fallback: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${name} must be a whole number from 1 to ${grouped(max)}, not ${JSON.stringify(raw)}`);
    return value;
  };
  const decisions = read('BENCH_FLOOD_DECISIONS', 100_000, 1_000_000);
  return { decisions, redis: Math.min(read('BENCH_FLOOD_REDIS', 10_000, 1_000_000), decisions) };
}

export async function benchKeyGrowth(sizes: { decisions: number; redis: number }): Promise<KeyGrowth> {
  const sends = floodSends(sizes.decisions);
  const countAfter = new Set([0.1, 0.25, 0.5, 0.75, 1].map((share) => Math.round(sizes.decisions * share)));
  const memory = await floodOnMemory(sends, countAfter, sizes.redis);
  const redis = await floodOnRedis(sends.slice(0, sizes.redis));
  return { sends, memory, redis };
}

if (require.main === module) {
  benchKeyGrowth(floodSizes(process.env))
    .then((growth) => console.log(keyGrowthSections(growth.memory, growth.redis, growth.sends).map(renderSection).join('\n\n')))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exit(1);
    });
}
