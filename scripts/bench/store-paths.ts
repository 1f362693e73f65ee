/**
 * Store requests per decision path, read from the decision lines (`store_requests`) of the BUILT
 * phone Actions, and counted again on the wire by the Upstash shim in front of a real Redis (or,
 * without Redis, from the lines alone on the embedded store). Each path is a short scenario on a
 * simulated clock, under its own key prefix; each row says which requests were made and why.
 */
import { join } from 'node:path';
import { DIST } from '../build';
import { ACTION_PACKAGES } from '../lib/action-packages';
import {
  TEST_TENANT_ID,
  customPhoneProviderEvent,
  loadAction,
  runCustomPhoneProvider,
  runSendPhoneMessage,
  sendPhoneMessageEvent,
  type Invocation,
  type LoadedAction,
} from '../../tests/support/actions-runtime';
import { redisAvailable, startRedis } from '../../tests/support/redis-server';
import { startUpstashShim, type RecordedRequest, type UpstashShim } from '../../tests/support/upstash-shim';
import { startTwilioServer, type TwilioTestServer } from '../../tests/support/twilio-server';
import { BATCH_SCRIPT, RAISE_UNTIL_SCRIPT, sha1 } from '../../shared/store/lua-scripts';
import { compactLua } from '../lib/lua-compact';
import { OP_CODES, type StoreOp } from '../../shared/store/counter-store';
import { takeOverClock, type SimulatedClock } from '../sim/clock';
import { renderSection, type BenchSection } from './format';
import { writeStore } from '../monitor/write-store';
import { UpstashStore } from '../../shared/store/upstash-store';
import { GuardKeys, tenantKeyPrefix } from '../../shared/store/keys';
import { rangeOf } from '../../shared/phone/ranges';


type OpKind = StoreOp['kind'];

/** What one batch request carried: its ops by kind and the keys it named. */
export interface BatchShape {
  ops: Record<OpKind, number>;
  total: number;
  keys: number;
}

const KIND_OF_CODE = new Map<string, OpKind>(Object.entries(OP_CODES).map(([kind, code]) => [code, kind as OpKind]));
/** Arguments after each op code in the batch encoding (shared/store/upstash-store.ts encodeBatch). */
const ARGS_AFTER_CODE: Record<OpKind, number> = { count: 1, streak: 2, rate: 5, get: 0, retry: 0 };
// The bundles carry the scripts compacted (scripts/build.ts); the sources run them as written.
const BATCH_FORMS = new Set([BATCH_SCRIPT, compactLua(BATCH_SCRIPT)]);
const BATCH_SHAS = new Set([...BATCH_FORMS].map(sha1));
const RAISE_FORMS = new Set([RAISE_UNTIL_SCRIPT, compactLua(RAISE_UNTIL_SCRIPT)]);
const RAISE_SHAS = new Set([...RAISE_FORMS].map(sha1));

/**
 * Reads the ops out of one EVAL / EVALSHA command of the batch script (undefined for any other
 * command): `[EVALSHA, sha, numkeys, ...keys, now, code, args..., code, args...]`.
 */
export function batchShape(command: readonly string[]): BatchShape | undefined {
  const name = command[0]?.toUpperCase();
  const script = command[1];
  const isBatch = script !== undefined && ((name === 'EVALSHA' && BATCH_SHAS.has(script)) || (name === 'EVAL' && BATCH_FORMS.has(script)));
  if (!isBatch) return undefined;
  const keys = Number(command[2]);
  if (!Number.isInteger(keys) || keys < 0) return undefined;
  const args = command.slice(3 + keys);
  const ops: Record<OpKind, number> = { count: 0, streak: 0, rate: 0, get: 0, retry: 0 };
  let total = 0;
  // args[0] is the clock's `now`.
  for (let at = 1; at < args.length; ) {
    const kind = KIND_OF_CODE.get(args[at] ?? '');
    if (kind === undefined) return undefined;
    ops[kind] += 1;
    total += 1;
    at += 1 + ARGS_AFTER_CODE[kind];
  }
  return { ops, total, keys };
}

/** One request in words: "batch (27 ops)", "raise-until (1 key)", "SET lookup". */
export function describeRequest(command: readonly string[], prefix: string): string {
  const shape = batchShape(command);
  if (shape !== undefined) return `batch (${shape.total} ops)`;
  const name = command[0]?.toUpperCase() ?? '?';
  const script = command[1] ?? '';
  if ((name === 'EVALSHA' && RAISE_SHAS.has(script)) || (name === 'EVAL' && RAISE_FORMS.has(script))) {
    const keys = Number(command[2]);
    return `raise-until (${keys} key${keys === 1 ? '' : 's'})`;
  }
  if (name === 'SET') return `SET ${keyKind(command[1] ?? '', prefix)}`;
  return name;
}

/** The part of a key that says what it is: `num:*:proof`, `lookup`, `retry`. */
function keyKind(key: string, prefix: string): string {
  const parts = (key.startsWith(`${prefix}:`) ? key.slice(prefix.length + 1) : key).split(':');
  // The tenant comes first (tenantKeyPrefix), then the family.
  const [, family, , kind] = parts;
  return family === 'num' && kind !== undefined ? `num:*:${kind}` : (family ?? '?');
}

/** The row of one path: what the decision line said, what the wire saw, and why. */
export interface PathRow {
  path: string;
  expected: number;
  /** Requests expected on the wire when they differ from the line's (work done after the line). */
  expectedWire: number;
  /** The decision line's `store_requests`. */
  line: number | undefined;
  /** Requests the shim received during the invocation (undefined on the embedded store). */
  wire: number | undefined;
  requests: string[];
  why: string;
  /** What the line said besides (outcome, rules, evidence) to show the path was the one meant. */
  seen: string;
  /** What the line must say: the path is the one meant (a trial refused by another rule is not the trial's path). */
  expectedSeen: string;
  batch: BatchShape | undefined;
}

export interface StorePaths {
  store: 'redis' | 'embedded';
  note: string;
  rows: PathRow[];
}

type DecisionLine = Record<string, unknown>;

function decisionLine(logs: readonly string[]): DecisionLine {
  const line = logs.find((entry) => entry.startsWith('{"tollguard":"decision"'));
  if (line === undefined) throw new Error(`no decision line in ${JSON.stringify(logs).slice(0, 300)}`);
  return JSON.parse(line) as DecisionLine;
}

function seenOf(line: DecisionLine): string {
  const rules = Array.isArray(line['rules']) && line['rules'].length > 0 ? ` [${(line['rules'] as string[]).join(', ')}]` : '';
  const extras = [
    line['replay'] === true ? 'replay' : '',
    line['retry'] === true ? 'retry asked' : '',
    typeof line['lookup'] === 'string' ? `lookup ${line['lookup']}` : '',
    (line['evidence'] as { proof_recorded?: boolean } | undefined)?.proof_recorded === true ? 'proof recorded' : '',
    Array.isArray(line['incidents']) ? 'incident' : '',
  ].filter((text) => text !== '');
  return `${String(line['outcome'])}${rules}${extras.length > 0 ? `, ${extras.join(', ')}` : ''}`;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** 09:05 UTC on a fixed day: five minutes into every hourly window. */
const T0 = Date.UTC(2031, 2, 3, 9, 5, 0);
const US = (exchange: number) => `+1415${exchange}0142`;
const GB_RANGE = '+44740012';
const gb = (index: number) => `${GB_RANGE}${String(index).padStart(4, '0')}`;

interface Send {
  to: string;
  userId: string;
  action?: 'enrollment' | 'second-factor-authentication';
  ip?: string;
}

interface Harness {
  clock: SimulatedClock;
  shim: UpstashShim | undefined;
  twilio: TwilioTestServer;
  rows: PathRow[];
}

class PathScenarios {
  private prefixes = 0;
  private codes = 100_000;
  private now = T0;

  constructor(private readonly harness: Harness) {}

  /** Secrets of a fresh container under its own key prefix; Twilio dry run unless `twilio`. */
  secrets(extra: Record<string, string> = {}, twilio = false): Record<string, string> {
    this.prefixes += 1;
    const { shim } = this.harness;
    const store: Record<string, string> = shim === undefined ? {} : { UPSTASH_REDIS_REST_URL: shim.url, UPSTASH_REDIS_REST_TOKEN: shim.token, GUARD_STORE_TIMEOUT: '2s' };
    const delivery: Record<string, string> = twilio
      ? { TWILIO_ACCOUNT_SID: this.harness.twilio.accountSid, TWILIO_AUTH_TOKEN: this.harness.twilio.authToken, TWILIO_FROM_NUMBER: '+15005550006', TWILIO_BASE_URL: this.harness.twilio.url }
      : { TWILIO_DRY_RUN: 'true' };
    return { ...delivery, ...store, GUARD_KEY_PREFIX: `bench-paths-${this.prefixes}`, ...extra };
  }

  load(trigger: 'send-phone-message' | 'custom-phone-provider'): LoadedAction {
    return loadAction(join(DIST, `${trigger}.js`), { allowedPackages: ACTION_PACKAGES, retainLogs: false });
  }

  private nextCode(): string {
    this.codes += 1;
    return String(this.codes);
  }

  async send(action: LoadedAction, secrets: Record<string, string>, send: Send): Promise<Invocation<void>> {
    const code = this.nextCode();
    const event = sendPhoneMessageEvent({
      message_options: { recipient: send.to, message_type: 'sms', action: send.action ?? 'enrollment', code, text: `Your code is ${code}` },
      request: { ip: send.ip ?? '198.51.100.7' },
      user: { user_id: send.userId, app_metadata: {} },
    });
    event.secrets = secrets;
    return runSendPhoneMessage(action, event);
  }

  async notify(action: LoadedAction, secrets: Record<string, string>, to: string, code: string): Promise<Invocation<unknown>> {
    const event = customPhoneProviderEvent({ notification: { recipient: to, code, as_text: `Your code is ${code}`, as_voice: `Your code is ${code}` }, user: { user_id: 'sms|bench-retry' } });
    event.secrets = secrets;
    return runCustomPhoneProvider(action, event);
  }

  /** An otp_verify on a database login that reads as an MFA challenge (a likely factor). */
  async challengeLikely(action: LoadedAction, secrets: Record<string, string>, to: string, userId: string): Promise<Invocation<unknown>> {
    const code = this.nextCode();
    const event = customPhoneProviderEvent({
      notification: { recipient: to, code, message_type: 'otp_verify', as_text: `Your code is ${code}`, as_voice: `Your code is ${code}` },
      connection: { id: 'con_Db0000000001', name: 'Username-Password-Authentication', strategy: 'auth0' },
    });
    event.user = { user_id: userId, email: 'bench@example.com', login_count: 4, app_metadata: {}, user_metadata: {} } as unknown as typeof event.user;
    event.secrets = secrets;
    return runCustomPhoneProvider(action, event);
  }

  /** Runs `invoke` as one measured path: the line's count and the requests the shim saw meanwhile. */
  async measure(path: string, expected: number | [line: number, wire: number], expectedSeen: string, why: string, prefix: string, invoke: () => Promise<Invocation<unknown>>): Promise<DecisionLine> {
    const { shim } = this.harness;
    shim?.resetRequests();
    const invocation = await invoke();
    const line = decisionLine(invocation.logs);
    const commands = shim?.requests.flatMap((request: RecordedRequest) => request.commands) ?? [];
    const batch = commands.map((command) => batchShape(command)).find((shape) => shape !== undefined);
    this.harness.rows.push({
      path,
      expected: typeof expected === 'number' ? expected : expected[0],
      expectedWire: typeof expected === 'number' ? expected : expected[1],
      line: typeof line['store_requests'] === 'number' ? line['store_requests'] : undefined,
      wire: shim === undefined ? undefined : shim.requests.length,
      requests: commands.map((command) => describeRequest(command, prefix)),
      why,
      seen: seenOf(line),
      expectedSeen,
      batch,
    });
    return line;
  }

  advance(ms: number): void {
    this.now += ms;
    this.harness.clock.set(this.now);
  }

  async run(): Promise<void> {
    this.harness.clock.set(this.now);
    await this.ordinary();
    await this.rangeBlock();
    await this.proof();
    await this.lookup();
    await this.serviceCap();
    await this.providerRetry();
    await this.likelyFactor();
    await this.trial();
  }

  private async ordinary(): Promise<void> {
    const action = this.load('send-phone-message');
    const secrets = this.secrets();
    const prefix = secrets['GUARD_KEY_PREFIX'] as string;
    await this.send(action, secrets, { to: US(201), userId: 'auth0|warm' }); // the container's first call sends the script whole
    this.advance(5 * SECOND);
    await this.measure('allowed OTP to a new number (defaults)', 1, 'delivered', 'the one batch: every counter, block, proof and marker of the decision, read and counted in one script call', prefix, () =>
      this.send(action, secrets, { to: US(202), userId: 'auth0|ada', ip: '198.51.100.8' }),
    );
    this.advance(5 * SECOND);
    await this.measure('resend to the same number (2nd OTP at once)', 1, 'delivered', 'the same batch; the streak op tells a resend from a new conversation, so range and country counters do not move', prefix, () =>
      this.send(action, secrets, { to: US(202), userId: 'auth0|ada', ip: '198.51.100.8' }),
    );
    // Trials off: with them the first Nigerian number would go on trial (trial() measures that path).
    await this.measure('refused by a static rule (Nigeria, high-risk tier)', 1, 'refused [geo]', 'refused offline, still counted in the batch (attempts count, blocked ones included)', prefix, () =>
      this.send(action, { ...secrets, GUARD_SERVED_TRIALS: 'off' }, { to: '+2348031234567', userId: 'auth0|ngozi' }),
    );
  }

  private async rangeBlock(): Promise<void> {
    const action = this.load('send-phone-message');
    const secrets = this.secrets();
    const prefix = secrets['GUARD_KEY_PREFIX'] as string;
    for (let index = 0; index < 8; index += 1) {
      this.advance(30 * SECOND);
      await this.send(action, secrets, { to: gb(index), userId: `auth0|gb${index}`, ip: `203.0.113.${index + 1}` });
    }
    this.advance(30 * SECOND);
    await this.measure('the attempt that trips a new range block (9th new number in a 10 000-number range)', 3, 'refused [prefix-anomaly], incident', 'batch, then raise-until records the range block (and the incident), made only when a block is not already stored; then the refusal is counted for the conversion rule (a batch of 4 count ops)', prefix, () =>
      this.send(action, secrets, { to: gb(8), userId: 'auth0|gb8', ip: '203.0.113.9' }),
    );
    this.advance(30 * SECOND);
    await this.measure('refused on an already-blocked range', 2, 'refused [prefix-anomaly]', 'the batch reads the stored block (one stored far enough ahead is not written again); the refusal is counted for the conversion rule: a refused code can never be verified and must not read as a collapse', prefix, () =>
      this.send(action, secrets, { to: gb(9), userId: 'auth0|gb9', ip: '203.0.113.10' }),
    );
  }

  private async proof(): Promise<void> {
    const action = this.load('send-phone-message');
    const secrets = this.secrets();
    const prefix = secrets['GUARD_KEY_PREFIX'] as string;
    await this.send(action, secrets, { to: US(301), userId: 'auth0|warm' });
    this.advance(MINUTE);
    await this.measure('enrolment OTP (marks the enrolment in the batch)', 1, 'delivered', 'the enrolment marker is one more count op of the same batch', prefix, () =>
      this.send(action, secrets, { to: US(611), userId: 'auth0|grace', action: 'enrollment' }),
    );
    this.advance(HOUR);
    await this.measure('first challenge after that enrolment (records a proof)', 3, 'delivered, proof recorded', 'batch, then the proof: SET of the number\'s proof and a batch of the country and range proof counts, sent at once (a challenge proof is not a conversion count); once per number and user', prefix, () =>
      this.send(action, secrets, { to: US(611), userId: 'auth0|grace', action: 'second-factor-authentication' }),
    );
    this.advance(HOUR);
    await this.measure('later challenge to the proven number', 1, 'delivered', 'the batch reads the stored proof: nothing to record again', prefix, () =>
      this.send(action, secrets, { to: US(611), userId: 'auth0|grace', action: 'second-factor-authentication' }),
    );
  }

  private async lookup(): Promise<void> {
    const action = this.load('send-phone-message');
    const secrets = this.secrets({ GUARD_LOOKUP: 'both' }, true);
    const prefix = secrets['GUARD_KEY_PREFIX'] as string;
    const number = US(411);
    this.harness.twilio.setLookup(number, { lineType: 'mobile', smsPumpingRiskScore: 3 });
    await this.send(action, secrets, { to: US(401), userId: 'auth0|warm' });
    this.advance(MINUTE);
    await this.measure('GUARD_LOOKUP on: a Lookup miss', 2, 'delivered, lookup fetched', 'the batch reads the cache (a get op), Twilio Lookup answers, then SET caches the answer (30 days)', prefix, () =>
      this.send(action, secrets, { to: number, userId: 'auth0|lin' }),
    );
    this.advance(MINUTE);
    await this.measure('GUARD_LOOKUP on: a Lookup hit', 1, 'delivered, lookup cached', 'the cached answer came with the batch', prefix, () => this.send(action, secrets, { to: number, userId: 'auth0|lin2' }));
  }

  private async serviceCap(): Promise<void> {
    const action = this.load('send-phone-message');
    const secrets = this.secrets({ GUARD_SERVICE_CAP_SMS: '3/1h' });
    const prefix = secrets['GUARD_KEY_PREFIX'] as string;
    for (let index = 0; index < 3; index += 1) {
      this.advance(10 * SECOND);
      await this.send(action, secrets, { to: US(501 + index), userId: `auth0|cap${index}` });
    }
    this.advance(10 * SECOND);
    await this.measure('the attempt that trips the service cap (GUARD_SERVICE_CAP_SMS=3/1h)', 3, 'refused [service-cap], incident', 'batch, then raise-until records the tenant-wide lock (and the incident), then the refusal count of the conversion rule', prefix, () =>
      this.send(action, secrets, { to: US(504), userId: 'auth0|cap3' }),
    );
    this.advance(10 * MINUTE);
    await this.measure('refused while the service cap lock stands', 2, 'refused [service-cap]', 'the batch reads the lock; the refusal count of the conversion rule', prefix, () => this.send(action, secrets, { to: US(505), userId: 'auth0|cap4' }));
  }

  private async providerRetry(): Promise<void> {
    const action = this.load('custom-phone-provider');
    const secrets = this.secrets({}, true);
    const prefix = secrets['GUARD_KEY_PREFIX'] as string;
    await this.notify(action, secrets, '+1-415-555-2670', '400001');
    this.advance(MINUTE);
    this.harness.twilio.fault({ status: 503, code: 20503, message: 'Service Unavailable', times: 1, operation: 'message' });
    await this.measure('custom-phone-provider: Twilio 503, retry asked', 2, 'not_delivered, retry asked', 'the decision\'s batch, then the failed delivery\'s one SET that grants the retry tokens (counted in the line\'s store_requests)', prefix, () =>
      this.notify(action, secrets, '+1-415-555-2673', '400002'),
    );
    this.advance(5 * SECOND);
    await this.measure('custom-phone-provider: the provider\'s retry (a replay)', 1, 'delivered, replay', 'the batch takes a retry token first; every later op answers zeros and moves nothing', prefix, () =>
      this.notify(action, secrets, '+1-415-555-2673', '400002'),
    );
  }

  private async likelyFactor(): Promise<void> {
    const action = this.load('custom-phone-provider');
    // No trials here: the second number would go on trial (trial() measures those paths).
    const secrets = this.secrets({ GUARD_RESEND_DELAY: 'off', GUARD_SERVED_TRIALS: 'off' }, true);
    const prefix = secrets['GUARD_KEY_PREFIX'] as string;
    const nigeria = '+2348031230001';
    await this.measure('custom-phone-provider: a likely factor trusted (Nigeria, high-risk tier)', 4, 'delivered, proof recorded', 'the batch (with the budget reads), then the likely proof dated now (SET) and a batch counting the user and the budgets, sent at once; then the admitted OTP counted as sent for the country\'s conversion', prefix, () =>
      this.challengeLikely(action, secrets, nigeria, 'auth0|likely'),
    );
    this.advance(MINUTE);
    await this.measure('custom-phone-provider: its resend in the same login', 2, 'delivered', 'the batch reads the likely proof, dated a minute ago: free, nothing recorded but the admitted OTP counted as sent for the country\'s conversion', prefix, () =>
      this.challengeLikely(action, secrets, nigeria, 'auth0|likely'),
    );
    this.advance(2 * HOUR);
    await this.measure('custom-phone-provider: the same likely factor in a later login', 4, 'delivered, proof recorded', 'the batch, then the proof dated again (SET) and the budgets counted (a batch); the user is not counted again; then the admitted OTP counted as sent', prefix, () =>
      this.challengeLikely(action, secrets, nigeria, 'auth0|likely'),
    );
    this.advance(MINUTE);
    await this.measure('custom-phone-provider: a second number for the same account', 1, 'refused [geo]', 'the batch reads the account\'s likely factor: not trusted, refused by the tier, nothing recorded', prefix, () =>
      this.challengeLikely(action, secrets, '+2348031230002', 'auth0|likely'),
    );
    // The monitor joins the code's use (gd_auth_succeed): the likely proof becomes a proof.
    if (this.harness.shim === undefined) return;
    const store = new UpstashStore({ url: this.harness.shim.url, token: this.harness.shim.token, timeoutMs: 2000 });
    const proof = { e164: nigeria, userId: 'auth0|likely', country: 'NG', range: rangeOf(nigeria, '234'), channel: 'sms' as const, opensNewNumber: false };
    await writeStore([proof], [], { store, keys: new GuardKeys(tenantKeyPrefix(prefix, TEST_TENANT_ID)), apply: true, now: this.now, blockMs: 0 });
    this.advance(2 * HOUR);
    await this.measure('custom-phone-provider: a later login to that number, proven since', 1, 'delivered', 'the batch reads the proof: the tier is lifted and, the number opening nothing new, it is not counted as sent', prefix, () =>
      this.challengeLikely(action, secrets, nigeria, 'auth0|likely'),
    );
  }

  private async trial(): Promise<void> {
    // Trials need the shared store (dynamic-guard.ts trialsNeedASharedStore): none on the embedded one.
    if (this.harness.shim === undefined) return;
    const action = this.load('send-phone-message');
    const secrets = this.secrets();
    const prefix = secrets['GUARD_KEY_PREFIX'] as string;
    await this.measure('an enrolment put on trial (Ghana, high-risk tier, not served yet)', 3, 'delivered', 'the batch (with the trial slot and the trials left), then the slot (SET) and the day\'s trial count (a batch, which also counts the admitted OTP as sent for the country\'s conversion), sent at once', prefix, () =>
      this.send(action, secrets, { to: '+233241230001', userId: 'auth0|trial' }),
    );
    this.advance(MINUTE);
    await this.measure('its resend', 2, 'delivered', 'the batch reads the slot: the same number; then the admitted resend counted as sent for the country\'s conversion (the batch only read those counts)', prefix, () =>
      this.send(action, secrets, { to: '+233241230001', userId: 'auth0|trial' }),
    );
    this.advance(MINUTE);
    await this.measure('another number while the slot is taken (refused)', 1, 'refused [geo]', 'the batch reads the slot and no new proof: refused by the tier, nothing recorded', prefix, () =>
      this.send(action, secrets, { to: '+233241230002', userId: 'auth0|second' }),
    );
    // Three residents' challenges prove their numbers: Ghana is served. Each number in a range and
    // block of its own, so the pumping rule's high-risk floors see no burst in one range.
    for (const [index, to] of ['+233244560003', '+233264560004', '+233554560005'].entries()) {
      this.advance(MINUTE);
      await this.send(action, secrets, { to, userId: `auth0|resident${index}`, action: 'second-factor-authentication' });
    }
    // Later that day: six new numbers in one window would read as a burst to a country barely served before.
    this.advance(2 * HOUR);
    await this.measure('an enrolment to a tier country its proofs opened (Ghana, 3 proofs)', 2, 'delivered', 'the batch reads the country\'s conversion counts without counting (the tier might have refused it), then the admitted OTP is counted as sent (a batch of 4 count ops)', prefix, () =>
      this.send(action, secrets, { to: '+233277890009', userId: 'auth0|served' }),
    );
  }
}

/** Every path, on real Redis behind the shim when redis-server is available, else on the embedded store. */
export async function benchStorePaths(): Promise<StorePaths> {
  const availability = redisAvailable();
  const redis = availability.available ? await startRedis() : undefined;
  const shim = redis === undefined ? undefined : await startUpstashShim({ redisUrl: redis.url });
  const twilio = await startTwilioServer();
  const clock = takeOverClock();
  const rows: PathRow[] = [];
  try {
    await new PathScenarios({ clock, shim, twilio, rows }).run();
  } finally {
    clock.restore();
    await twilio.close();
    await shim?.close();
    await redis?.stop();
  }
  return {
    store: shim === undefined ? 'embedded' : 'redis',
    note: shim === undefined ? `embedded store (no Redis: ${availability.reason}); requests from the decision lines only` : 'real Redis behind the local Upstash REST shim',
    rows,
  };
}

function count(value: number | undefined): string {
  return value === undefined ? 'n/a' : String(value);
}

export function storePathSections(paths: StorePaths): BenchSection[] {
  const mismatches = paths.rows.filter((row) => row.line !== row.expected || (row.wire !== undefined && row.wire !== row.expectedWire) || row.seen !== row.expectedSeen);
  const typical = paths.rows[0]?.batch;
  const sections: BenchSection[] = [
    {
      title: `Store requests per decision path (built Actions, ${paths.note})`,
      header: ['path', 'expected', 'store_requests', 'on the wire', 'requests', 'what the line said', 'why'],
      rows: paths.rows.map((row) => [row.path, row.expected === row.expectedWire ? String(row.expected) : `${row.expected} (+${row.expectedWire - row.expected} after)`, count(row.line), count(row.wire), row.requests.join(' + ') || 'n/a', row.seen, row.why]),
      notes: [
        '"store_requests" is the decision line\'s own count; "on the wire" is what the Upstash shim received during the invocation.',
        'Each path runs on a simulated clock in a fresh container (its first call, not shown, sends the scripts whole).',
        'A batch is one EVALSHA of the batch script; raise-until is the block-recording script; SET is a plain put.',
        mismatches.length === 0 ? 'Every line matched the expected count and said what its path means.' : `MISMATCH on: ${mismatches.map((row) => row.path).join('; ')}`,
      ],
    },
  ];
  if (typical !== undefined) {
    const kinds: Array<[OpKind, string]> = [
      ['count', 'fixed-window counts (number, user, IP, subnet, service, sent marker, enrolment marker)'],
      ['rate', 'per-window rates with a baseline (tenant, range, block, country; per channel)'],
      ['streak', 'the resend streak of the number'],
      ['get', 'reads: service lock, range/block/country blocks, proof, country proofs (2 windows); the cached Lookup when GUARD_LOOKUP is on'],
      ['retry', 'the retry token of a notification (custom-phone-provider only)'],
    ];
    sections.push({
      title: 'The batch of an allowed OTP (send-phone-message, default secrets)',
      header: ['op kind', 'ops', 'what they are'],
      rows: [...kinds.map(([kind, what]) => [kind, String(typical.ops[kind]), what]), ['all', String(typical.total), `${typical.keys} Redis keys named, one EVALSHA`]],
    });
  }
  return sections;
}

if (require.main === module) {
  benchStorePaths()
    .then((paths) => console.log(storePathSections(paths).map(renderSection).join('\n\n')))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exit(1);
    });
}
