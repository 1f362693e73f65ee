/**
 * Issue 10 §4 (tenant logs): `npm run monitor -- --write-store` reports conversion per range and
 * writes what it proves into the Actions' counter store. A dry run prints the plan, masked, and
 * writes nothing; with --apply, against a real Redis through the Upstash shim, the proofs and the
 * suspect-range blocks land under the keys the Actions read, forged verifications write nothing,
 * a second run does not count a proof twice, and the BUILT send Action then refuses a new number
 * in the suspect range while passing the number proven there, for its own user only.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildActions } from '../../scripts/build';
import { ACTION_PACKAGES } from '../../scripts/lib/action-packages';
import { EXIT_ERROR, EXIT_FINDINGS, main } from '../../scripts/monitor/cli';
import { COUNTRY_PROOF_WINDOW_MS, RANGE_PROOF_WINDOW_MS } from '../../shared/feedback/proofs';
import { windowIndex } from '../../shared/engine/window-limit';
import { countWindowKey } from '../../shared/store/counter-store';
import { GuardKeys, tenantKeyPrefix, userTag } from '../../shared/store/keys';
import { DIST_DIR, decisionLineOf } from '../bundle/helpers';
import { ActionClock, gbNumbersInRange, loadStoreScripts, scanKeys } from '../bundle/redis-helpers';
import { loadAction, runSendPhoneMessage, sendPhoneMessageEvent, type LoadedAction } from '../support/actions-runtime';
import { describeWithRedis, startRedis, type RedisHandle } from '../support/redis-server';
import { RespClient } from '../support/resp-client';
import { startUpstashShim, type UpstashShim } from '../support/upstash-shim';
import { mfaSend, mfaSuccess } from './conversion-fixtures';
import { BASE, HOUR, writeJson } from './fixtures';

const MINUTE = 60_000;
const SUSPECT = '+44740012';
const HEALTHY = '+44740013';
const TENANT = 'tollguard-test';
const RUN = randomBytes(3).toString('hex');
const NOW = BASE + MINUTE;
const [ADA_NUMBER] = gbNumbersInRange(SUSPECT, 1, 9500) as [string];
const HEALTHY_NUMBERS = gbNumbersInRange(HEALTHY, 10, 200);
const [NEVER_SENT] = gbNumbersInRange('+44740015', 1, 7) as [string];

/**
 * 12 accounts pumping the suspect range (one SMS each, never verified); Ada, a real user whose
 * number is in that range, verifies hers; ten healthy users in another range verify theirs;
 * Mallory forges a success for Ada's number and one for a number never sent.
 */
function tenantLogs(): Record<string, unknown>[] {
  const start = BASE - 8 * HOUR;
  const pump = gbNumbersInRange(SUSPECT, 12, 100).map((phone, index) => mfaSend({ at: start + index * MINUTE, userId: `auth0|pump-${index}`, phone }));
  const ada = [mfaSend({ at: start + 20 * MINUTE, userId: 'auth0|ada', phone: ADA_NUMBER }), mfaSuccess({ at: start + 22 * MINUTE, userId: 'auth0|ada', phone: ADA_NUMBER }, 'gd_enrollment_complete')];
  const healthy = HEALTHY_NUMBERS.flatMap((phone, index) => {
    const at = start + HOUR + index * MINUTE;
    return [mfaSend({ at, userId: `auth0|healthy-${index}`, phone }), mfaSuccess({ at: at + MINUTE, userId: `auth0|healthy-${index}`, phone })];
  });
  const forged = [mfaSuccess({ at: start + 25 * MINUTE, userId: 'auth0|mallory', phone: ADA_NUMBER }), mfaSuccess({ at: start + 26 * MINUTE, userId: 'auth0|mallory', phone: NEVER_SENT })];
  // The data runs on to BASE, so the sends above are hours old: decided, not pending.
  const tail = [mfaSend({ at: BASE, userId: 'auth0|late', phone: HEALTHY_NUMBERS[0] as string })];
  return [...pump, ...ada, ...healthy, ...forged, ...tail];
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function monitor(args: readonly string[], env: Record<string, string>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env,
    now: () => NOW,
    management: () => {
      throw new Error('--write-store needs no Management API');
    },
  });
  return { code, stdout, stderr };
}

/** A full GB number anywhere (with or without its +). */
const FULL_NUMBER = /\+?44740\d{6}(?!\d)/;

let dir: string;
let logs: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tollguard-monitor-write-store-'));
  logs = path.join(dir, 'tenant.json');
  await writeJson(logs, tenantLogs(), 'array');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('conversion in the report, and the flags', () => {
  test('the text report has a conversion section, suspect range first, forged marks counted as unmatched, no full number', async () => {
    const html = path.join(dir, 'report.html');
    const run = await monitor([logs, '--html', html], {});
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT_FINDINGS);
    expect(run.stdout).toContain('CONVERSION (verified ÷ sent');
    expect(run.stdout).toContain('UNMATCHED 2 (other-user 1, never-sent 1; they convert and prove nothing)');
    expect(run.stdout).toMatch(/conversion per range: 2\n.*\n.*\n\+44740012xxxx SUSPECT\s+GB\s+13\s+0\s+1\s+7\.7%/);
    expect(run.stdout).toContain('SUSPECT RANGES (conversion collapsed): +44 740012');
    expect(run.stdout).not.toMatch(FULL_NUMBER);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('Conversion per range');
    expect(page).not.toMatch(FULL_NUMBER);
  });

  test('JSON carries the same section', async () => {
    const run = await monitor([logs, '--format', 'json', '--suspect-conversion', '5'], {});
    const report = JSON.parse(run.stdout) as { conversion: { computed: boolean; thresholds: { maxConversion: number }; suspectRanges: unknown[]; totals: Record<string, number> } };
    expect(report.conversion).toMatchObject({ computed: true, thresholds: { minSends: 10, maxConversion: 0.05 }, totals: { matched: 11, unmatched: 2 } });
    expect(report.conversion.suspectRanges).toEqual([]);
    expect(run.stdout).not.toMatch(FULL_NUMBER);
  });

  test.each([
    [['--write-store', '--apply'], 'UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN'],
    [['--suspect-conversion', '0'], '--suspect-conversion must be a percentage'],
    [['--suspect-conversion', '120'], '--suspect-conversion must be a percentage'],
    [['--suspect-min-sends', '0'], '--suspect-min-sends must be a whole number'],
    [['--tenant', 'x'], '--tenant only applies with --block, --delete or --write-store'],
  ])('%j is refused, naming the problem', async (flags, message) => {
    const run = await monitor([logs, ...flags], {});
    expect(run.code).toBe(EXIT_ERROR);
    expect(run.stderr).toContain(message);
  });

  test('--write-store without a store: a dry run lists the proofs (masked) and the suspect range; the range is skipped for want of a store', async () => {
    const run = await monitor([logs, '--write-store'], {});
    expect(run.code).toBe(EXIT_FINDINGS);
    expect(run.stdout).toContain('STORE WRITES: PROOFS (verified numbers, one per user; DRY RUN: nothing was written; add --apply to write): 11');
    expect(run.stdout).toMatch(/\+44740\*+\d{2}\s+auth0\|ada\s+\+44740012xxxx\s+would-record-proof/);
    expect(run.stdout).toMatch(/\+44740012xxxx\s+\+44 740012\s+skipped \(no counter store/);
    expect(run.stdout).not.toContain('auth0|mallory');
    expect(run.stdout).not.toMatch(FULL_NUMBER);
  });
});

describeWithRedis('--write-store into the counter store, read by the built send Action', () => {
  let redis: RedisHandle;
  let shim: UpstashShim;
  let action: LoadedAction;
  const clock = new ActionClock();
  const prefix = `conv-${RUN}`;
  const keys = new GuardKeys(tenantKeyPrefix(prefix, TENANT));
  const env = (): Record<string, string> => ({ UPSTASH_REDIS_REST_URL: shim.url, UPSTASH_REDIS_REST_TOKEN: shim.token, GUARD_KEY_PREFIX: prefix });

  async function get(key: string): Promise<string | null> {
    const client = await RespClient.connect(redis.url, { timeoutMs: 2000 });
    try {
      const reply = await client.send(['GET', key]);
      return reply === null ? null : String(reply);
    } finally {
      client.close();
    }
  }

  async function sendTo(to: string, userId: string, otpAction: 'enrollment' | 'second-factor-authentication' = 'second-factor-authentication'): Promise<{ error: Error | undefined; line: Record<string, unknown> }> {
    const event = sendPhoneMessageEvent({ user: { user_id: userId, app_metadata: {} }, request: { ip: '203.0.113.7' } });
    const options = event.message_options as unknown as Record<string, unknown>;
    options['message_type'] = 'sms';
    options['recipient'] = to;
    options['action'] = otpAction;
    event.secrets = { TWILIO_DRY_RUN: 'true', ...env() };
    const invocation = await runSendPhoneMessage(action, event);
    return { error: invocation.error, line: decisionLineOf(invocation) as unknown as Record<string, unknown> };
  }

  beforeAll(async () => {
    await buildActions({ quiet: true });
    redis = await startRedis();
    await loadStoreScripts(redis.url);
    shim = await startUpstashShim({ redisUrl: redis.url });
    action = loadAction(path.join(DIST_DIR, 'send-phone-message.js'), { allowedPackages: ACTION_PACKAGES });
  }, 60_000);

  afterEach(() => clock.restore());

  afterAll(async () => {
    await shim?.close();
    await redis?.stop();
  });

  test('dry run first: the plan is printed and recorded, masked; nothing is read or written', async () => {
    const record = path.join(dir, 'dry.ndjson');
    const run = await monitor([logs, '--write-store', '--tenant', TENANT, '--record', record], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT_FINDINGS);
    expect(run.stdout).toMatch(/\+44740012xxxx\s+\+44 740012\s+would-block-range/);
    expect(await scanKeys(redis.url, `${prefix}:*`)).toEqual([]);
    const text = await readFile(record, 'utf8');
    expect(text).not.toMatch(FULL_NUMBER);
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line['action'] === 'record-proof')).toHaveLength(11);
    expect(lines.filter((line) => line['action'] === 'block-range')).toEqual([expect.objectContaining({ dry_run: true, result: 'would-block-range', key: keys.rangeBlock(SUSPECT) })]);
  });

  test('--apply: proofs for the users who verified, the suspect range blocked, forgeries nowhere; a rerun adds nothing; the built Action refuses the range and passes the proven number for its user only', async () => {
    const run = await monitor([logs, '--write-store', '--apply', '--tenant', TENANT], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT_FINDINGS);
    expect(run.stdout).toContain('STORE WRITES: PROOFS (verified numbers, one per user; applied): 11');
    expect(run.stdout).not.toMatch(FULL_NUMBER);

    expect(await get(keys.proof(ADA_NUMBER))).toBe(userTag('auth0|ada'));
    for (const [index, phone] of HEALTHY_NUMBERS.entries()) expect(await get(keys.proof(phone))).toBe(userTag(`auth0|healthy-${index}`));
    expect(await get(keys.proof(NEVER_SENT))).toBeNull();
    expect(await get(keys.rangeBlock(SUSPECT))).toBe(String(NOW + 12 * HOUR));
    const countryKey = countWindowKey(keys.countryProofs('GB'), windowIndex(NOW, COUNTRY_PROOF_WINDOW_MS));
    const rangeKey = countWindowKey(keys.rangeProofs(HEALTHY), windowIndex(NOW, RANGE_PROOF_WINDOW_MS));
    expect(await get(countryKey)).toBe('11');
    expect(await get(rangeKey)).toBe('10');

    // Overlapping logs read again: every proof is already there, nothing is counted twice.
    const again = await monitor([logs, '--write-store', '--apply', '--tenant', TENANT], env());
    expect(again.code).toBe(EXIT_FINDINGS);
    expect(again.stdout.match(/already-proven/g)).toHaveLength(11);
    expect(await get(countryKey)).toBe('11');

    clock.set(NOW + HOUR);
    const [fresh] = gbNumbersInRange(SUSPECT, 1, 9000) as [string];
    // Enrolments: a legacy challenge goes to a factor its user confirmed, and passes on that alone.
    const refused = await sendTo(fresh, 'auth0|someone-new', 'enrollment');
    expect(refused.error?.name).toBe('SendRefusedError');
    expect(refused.line['rules']).toEqual(['prefix-anomaly']);

    const ada = await sendTo(ADA_NUMBER, 'auth0|ada');
    expect(ada.error).toBeUndefined();
    expect(ada.line['evidence']).toMatchObject({ number_proven: true });

    const mallory = await sendTo(ADA_NUMBER, 'auth0|mallory', 'enrollment');
    expect(mallory.error?.name).toBe('SendRefusedError');
    expect(mallory.line['evidence']).toMatchObject({ number_proven: false });

    const healthy = await sendTo(HEALTHY_NUMBERS[3] as string, 'auth0|healthy-3');
    expect(healthy.error).toBeUndefined();
    expect(healthy.line['evidence']).toMatchObject({ number_proven: true });
  });
});
