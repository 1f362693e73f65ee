/**
 * Issue 11 §4: `--block` covers range surges. The accounts behind a surging range are acted on
 * (each sent one SMS, so no per-user threshold flags them), the GUARD_BLOCKED_NUMBERS prefix to
 * add is printed, and, with the Actions' Upstash store configured, a range block (a "blocked
 * until" timestamp under the range key, written with raise-until) is planned: a dry run first,
 * written with --apply. Proven end to end: the monitor writes into a real Redis through the
 * Upstash shim, and the BUILT send Action, reading the same store under the same key prefix and
 * tenant, then refuses a new number in that range and still delivers outside it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildActions } from '../../scripts/build';
import { ACTION_PACKAGES } from '../../scripts/lib/action-packages';
import { EXIT_ERROR, EXIT_FINDINGS, main } from '../../scripts/monitor/cli';
import { GuardKeys, tenantKeyPrefix } from '../../shared/store/keys';
import { DIST_DIR, decisionLineOf } from '../bundle/helpers';
import { ActionClock, gbNumbersInRange, loadStoreScripts, scanKeys } from '../bundle/redis-helpers';
import { loadAction, runSendPhoneMessage, sendPhoneMessageEvent, type LoadedAction } from '../support/actions-runtime';
import { startManagementApi, type ManagementApiServer } from '../support/management-api-logs';
import { describeWithRedis, startRedis, type RedisHandle } from '../support/redis-server';
import { RespClient } from '../support/resp-client';
import { startUpstashShim, type UpstashShim } from '../support/upstash-shim';
import { sdkClients } from './sdk';
import { auth0Log, BASE, HOUR, writeJson, type SendSpec } from './fixtures';

const RANGE = '+44740012';
const TENANT = 'tollguard-test';
const RUN = randomBytes(3).toString('hex');
const NOW = BASE + 60_000;

/** 30 fresh accounts, one SMS each from its own IP, all to one GB range (not high risk). */
function pumpingSends(): SendSpec[] {
  return gbNumbersInRange(RANGE, 30, 100).map((phone, index) => ({
    at: BASE - 3 * HOUR + index * 60_000,
    format: 'auth0' as const,
    channel: 'sms' as const,
    outcome: 'sent' as const,
    userId: `auth0|pump-${index}`,
    ip: `198.51.100.${index + 1}`,
    ua: 'Chrome 120.0.0 / Mac OS X 10.15.7',
    phone,
  }));
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function monitor(args: readonly string[], env: Record<string, string>, server?: ManagementApiServer): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env,
    now: () => NOW,
    management: () => {
      if (server === undefined) throw new Error('no Management API in this test');
      return sdkClients(server.url, server.staticToken);
    },
  });
  return { code, stdout, stderr };
}

let dir: string;
let logs: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tollguard-monitor-range-'));
  logs = path.join(dir, 'pumping.json');
  await writeJson(logs, pumpingSends().map((spec) => auth0Log(spec)), 'array');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('range surges without a counter store', () => {
  test('--block acts on the accounts behind the range and proposes the GUARD_BLOCKED_NUMBERS prefix; the store part is skipped and says why', async () => {
    const record = path.join(dir, 'no-store.ndjson');
    const run = await monitor([logs, '--block', '--record', record], {});
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT_FINDINGS);
    expect(run.stdout).toContain('FLAGGED USERS: none');
    expect(run.stdout).toContain(`RANGE SURGES (`);
    expect(run.stdout).toContain('GUARD_BLOCKED_NUMBERS: add +44 740012');
    const lines = (await readFile(record, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const users = lines.filter((line) => line['action'] === 'block');
    expect(users.map((line) => line['user_id']).sort()).toEqual(pumpingSends().map((spec) => spec.userId).sort());
    expect(users.every((line) => line['result'] === 'would-block' && String(line['reasons']).includes(`surging range ${RANGE}xxxx`))).toBe(true);
    const ranges = lines.filter((line) => line['action'] === 'block-range');
    expect(ranges).toEqual([expect.objectContaining({ range: `${RANGE}xxxx`, prefix: '+44 740012', dry_run: true, result: 'skipped', decision: 'skip-no-store' })]);
  });

  test('with only one of the Upstash variables set the run stops, naming the missing one', async () => {
    const run = await monitor([logs, '--block'], { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1' });
    expect(run.code).toBe(EXIT_ERROR);
    expect(run.stderr).toContain('UPSTASH_REDIS_REST_TOKEN');
  });
});

describeWithRedis('range block written into the counter store, honoured by the built send Action', () => {
  let redis: RedisHandle;
  let shim: UpstashShim;
  let server: ManagementApiServer;
  let action: LoadedAction;
  const clock = new ActionClock();
  const prefix = `mon-${RUN}`;
  const rangeKey = new GuardKeys(tenantKeyPrefix(prefix, TENANT)).rangeBlock(RANGE);
  const env = (): Record<string, string> => ({ UPSTASH_REDIS_REST_URL: shim.url, UPSTASH_REDIS_REST_TOKEN: shim.token, GUARD_KEY_PREFIX: prefix });
  const secrets = (): Record<string, string> => ({ TWILIO_DRY_RUN: 'true', ...env() });

  async function sendTo(to: string): Promise<{ error: Error | undefined; rules: string[]; reasons: string[] }> {
    const event = sendPhoneMessageEvent({ user: { user_id: `auth0|someone-new-${to}`, app_metadata: {} }, request: { ip: '203.0.113.7' } });
    const options = event.message_options as unknown as Record<string, unknown>;
    options['message_type'] = 'sms';
    options['recipient'] = to;
    event.secrets = secrets();
    const invocation = await runSendPhoneMessage(action, event);
    const line = decisionLineOf(invocation);
    return { error: invocation.error, rules: line.rules, reasons: line.reasons };
  }

  async function storedUntil(): Promise<string | null> {
    const client = await RespClient.connect(redis.url, { timeoutMs: 2000 });
    try {
      const reply = await client.send(['GET', rangeKey]);
      return reply === null ? null : String(reply);
    } finally {
      client.close();
    }
  }

  beforeAll(async () => {
    await buildActions({ quiet: true });
    redis = await startRedis();
    await loadStoreScripts(redis.url);
    shim = await startUpstashShim({ redisUrl: redis.url });
    server = await startManagementApi();
    action = loadAction(path.join(DIST_DIR, 'send-phone-message.js'), { allowedPackages: ACTION_PACKAGES });
  }, 60_000);

  afterEach(() => clock.restore());

  afterAll(async () => {
    await server?.close();
    await shim?.close();
    await redis?.stop();
  });

  test('dry run first: the block is planned and recorded, nothing is written, the Action still delivers in the range', async () => {
    const record = path.join(dir, 'dry.ndjson');
    const run = await monitor([logs, '--block', '--tenant', TENANT, '--record', record], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT_FINDINGS);
    expect(run.stdout).toMatch(/\+44740012xxxx\s+\+44 740012\s+would-block-range/);
    expect(await storedUntil()).toBeNull();
    expect(await scanKeys(redis.url, `${prefix}:*`)).toEqual([]);
    const ranges = (await readFile(record, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['action'] === 'block-range');
    expect(ranges).toEqual([expect.objectContaining({ dry_run: true, result: 'would-block-range', key: rangeKey, until: new Date(NOW + 12 * HOUR).toISOString() })]);

    clock.set(NOW + HOUR);
    const [fresh] = gbNumbersInRange(RANGE, 1, 9000);
    const sent = await sendTo(fresh as string);
    expect(sent.error).toBeUndefined();
  });

  test('--apply writes the range block (raise-until, the accounts blocked too); the Action then refuses a new number in the range, and not elsewhere, until the block ends', async () => {
    const record = path.join(dir, 'applied.ndjson');
    const run = await monitor([logs, '--block', '--apply', '--domain', 'acme.eu.auth0.com', '--token', 'x', '--tenant', TENANT, '--range-block-for', '6h', '--record', record], env(), server);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT_FINDINGS);
    expect(await storedUntil()).toBe(String(NOW + 6 * HOUR));
    expect(server.userUpdates.map((update) => update.id).sort()).toEqual(pumpingSends().map((spec) => spec.userId).sort());
    const ranges = (await readFile(record, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['action'] === 'block-range');
    expect(ranges).toEqual([expect.objectContaining({ dry_run: false, result: 'range-blocked', key: rangeKey, until: new Date(NOW + 6 * HOUR).toISOString() })]);

    // A second, shorter run never shortens a block (raise-until only raises).
    const shorter = await monitor([logs, '--block', '--apply', '--domain', 'acme.eu.auth0.com', '--token', 'x', '--tenant', TENANT, '--range-block-for', '1h', '--quiet'], env(), server);
    expect(shorter.code).toBe(EXIT_FINDINGS);
    expect(await storedUntil()).toBe(String(NOW + 6 * HOUR));

    clock.set(NOW + HOUR);
    const [fresh] = gbNumbersInRange(RANGE, 1, 9001);
    const refused = await sendTo(fresh as string);
    expect(refused.error?.name).toBe('SendRefusedError');
    expect(refused.rules).toEqual(['prefix-anomaly']);
    expect(refused.reasons.join(' ')).toContain(`range ${RANGE} is blocked for pumping until ${new Date(NOW + 6 * HOUR).toISOString()}`);

    const [outside] = gbNumbersInRange('+44740013', 1, 5);
    expect((await sendTo(outside as string)).error).toBeUndefined();

    clock.set(NOW + 6 * HOUR + 1000);
    const [later] = gbNumbersInRange(RANGE, 1, 9002);
    expect((await sendTo(later as string)).error).toBeUndefined();
  });
});
