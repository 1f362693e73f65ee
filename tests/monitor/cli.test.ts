import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, main, USAGE, type CliDeps, type ManagementConfig } from '../../scripts/monitor/cli';
import { Random } from '../../scripts/sim/random';
import { startManagementApi, type ManagementApiServer } from '../support/management-api-logs';
import { auth0Log, BASE, buildScenario, HOUR, logStreamEvent, loginLog, oktaEvent, tollguardLine, writeJson, type Scenario } from './fixtures';
import { sdkClients } from './sdk';
import { mfaSend, mfaSuccess } from './conversion-fixtures';

const ROOT = join(__dirname, '..', '..');
const UNTIL = new Date(BASE).toISOString();

let dir: string;
let scenario: Scenario;
let files: { auth0Array: string; auth0Stream: string; oktaClassic: string; oktaOie: string; console: string; legit: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tollguard-monitor-cli-'));
  scenario = buildScenario();
  const random = new Random(99);
  const auth0 = scenario.sends.filter((send) => send.format === 'auth0');
  const half = Math.floor(auth0.length / 2);
  const noise = Array.from({ length: 50 }, (_, index) => loginLog(BASE - index * 300_000, random));
  files = {
    auth0Array: join(dir, 'export.json'),
    auth0Stream: join(dir, 'stream.ndjson'),
    oktaClassic: join(dir, 'okta-classic.json'),
    oktaOie: join(dir, 'okta-oie.ndjson'),
    console: join(dir, 'actions.log'),
    legit: join(dir, 'legit.json'),
  };
  await writeJson(files.auth0Array, [...auth0.slice(0, half).map(auth0Log), ...noise], 'array');
  await writeJson(files.auth0Stream, auth0.slice(half).map((spec) => logStreamEvent(auth0Log(spec))), 'ndjson');
  await writeJson(files.oktaClassic, scenario.sends.filter((send) => send.format === 'okta-classic').map((spec) => oktaEvent(spec)), 'array');
  await writeJson(files.oktaOie, scenario.sends.filter((send) => send.format === 'okta-oie').map((spec) => oktaEvent(spec)), 'ndjson');
  const consoleLines = scenario.sends
    .filter((send) => send.format === 'tollguard')
    .map((spec) => `${new Date(spec.at).toISOString()} INFO tollguard ${JSON.stringify(tollguardLine(spec, false))}`);
  await writeFile(files.console, `boot\n${consoleLines.join('\n')}\n`);
  await writeJson(files.legit, auth0.filter((send) => send.userId.startsWith('auth0|legit')).map(auth0Log), 'array');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  managementCalls: ManagementConfig[];
  webhooks: unknown[];
}

async function cli(args: readonly string[], deps: Partial<CliDeps> = {}, server?: ManagementApiServer): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const managementCalls: ManagementConfig[] = [];
  const webhooks: unknown[] = [];
  const code = await main(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: {},
    now: () => BASE + 60_000,
    sleep: async () => undefined,
    management: (config) => {
      managementCalls.push(config);
      if (server === undefined) throw new Error('no Management API in this test');
      return sdkClients(server.url, server.staticToken);
    },
    fetch: (async (_url: string | URL | Request, init?: RequestInit) => {
      webhooks.push(JSON.parse(String(init?.body)) as unknown);
      return new Response('ok', { status: 200 });
    }) as typeof fetch,
    ...deps,
  });
  return { code, stdout, stderr, managementCalls, webhooks };
}

const allFiles = (): string[] => [files.auth0Array, files.auth0Stream, files.oktaClassic, files.oktaOie, files.console];

describe('flags', () => {
  test('--help prints the usage and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout).toBe(USAGE);
  });

  test.each([
    [['--bogus', 'x.json'], "'--bogus'"],
    [['--window', '5x', 'x.json'], '--window'],
    [['--window', '30s', 'x.json'], '--window'],
    [['--min-sends', '0', 'x.json'], '--min-sends'],
    [['--min-numbers', 'three', 'x.json'], '--min-numbers'],
    [['--surge-factor', '-1', 'x.json'], '--surge-factor'],
    [['--until', 'yesterday', 'x.json'], '--until'],
    [['--format', 'xml', 'x.json'], '--format'],
    [['--source', 'ftp'], '--source'],
    [['--block', '--delete', 'x.json'], '--block and --delete'],
    [['--apply', 'x.json'], '--apply needs --block, --delete or --write-store'],
    [['--allow-list', 'a.txt', 'x.json'], '--allow-list'],
    [['--checkpoint', 'state', 'x.json'], '--checkpoint only applies to --source live'],
    [['--source', 'live'], '--domain'],
    [['--source', 'live', '--domain', 'acme.eu.auth0.com'], '--client-id'],
    [['--source', 'live', '--domain', 'https://x/y z', '--token', 't'], '--domain'],
    [['--block', '--apply', 'x.json'], '--domain'],
    [[], 'no input'],
    [['--webhook', 'ftp://x', 'x.json'], '--webhook'],
  ])('%j is refused with a message naming the problem', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(EXIT_ERROR);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  test('a missing file is an error naming the file', async () => {
    const run = await cli([join(dir, 'nope.json')]);
    expect(run.code).toBe(EXIT_ERROR);
    expect(run.stderr).toContain('nope.json: no such file');
  });
});

describe('file mode', () => {
  test('Auth0 export + log stream, Okta Classic + Identity Engine, tollguard console lines: findings, exit 3', async () => {
    const json = join(dir, 'report.json');
    const html = join(dir, 'report.html');
    const run = await cli([...allFiles(), '--until', UNTIL, '--json', json, '--html', html]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT_FINDINGS);
    expect(run.stdout).toContain('FLAGGED USERS: 3');
    const report = JSON.parse(await readFile(json, 'utf8')) as {
      users: { userId: string }[];
      rangeSurges: { key: string }[];
      input: { sources: string[]; sendEvents: number; skippedTypes: Record<string, number> };
    };
    expect(report.users.map((row) => row.userId).sort()).toEqual([scenario.expect.oktaAttacker, scenario.expect.attackerUser, scenario.expect.tollguardUser].sort());
    expect(report.rangeSurges.map((row) => row.key)).toEqual([scenario.expect.pumpRange]);
    expect(report.input.sources).toEqual(['export.json', 'stream.ndjson', 'okta-classic.json', 'okta-oie.ndjson', 'actions.log']);
    expect(report.input.sendEvents).toBe(scenario.sends.length);
    expect(report.input.skippedTypes).toEqual({ s: 50 });
    expect(await readFile(html, 'utf8')).toContain('<svg');
  });

  test('a country no number is proven in, while codes come back elsewhere, surges at the high-risk floor', async () => {
    // 40 British MFA sends, 30 of them verified; then 6 Latvian ones nobody verifies.
    const start = BASE - 6 * HOUR;
    const british = Array.from({ length: 40 }, (_, index) => {
      const at = start + index * 60_000;
      const userId = `auth0|gb-${index}`;
      const phone = `+4474001${String(10000 + index)}`;
      return index < 30 ? [mfaSend({ at, userId, phone }), mfaSuccess({ at: at + 30_000, userId, phone })] : [mfaSend({ at, userId, phone })];
    }).flat();
    const latvian = Array.from({ length: 6 }, (_, index) => mfaSend({ at: BASE - 2 * HOUR + index * 60_000, userId: `auth0|lv-${index}`, phone: `+3712${String(1000000 + index * 1111)}` }));
    const file = join(dir, 'unproven.json');
    await writeJson(file, [...british, ...latvian], 'array');
    const html = join(dir, 'unproven.html');
    const run = await cli([file, '--until', UNTIL, '--format', 'json', '--html', html]);
    expect(await readFile(html, 'utf8')).toContain('No number proven in: LV');
    const report = JSON.parse(run.stdout) as { countrySurges: { key: string; unproven?: boolean; threshold: number }[]; conversion: { unprovenCountries: string[] } };
    expect(report.conversion.unprovenCountries).toEqual(['LV']);
    // GB (40 numbers, no history: over the floor of 20) is a surge of a proven country; LV's 6 are one at the floor of 5.
    expect(report.countrySurges.map((row) => [row.key, row.threshold, row.unproven ?? false])).toEqual([['GB', 20, false], ['LV', 5, true]]);
  });

  test('--format json puts the report on stdout', async () => {
    const run = await cli([files.auth0Array, '--until', UNTIL, '--format', 'json']);
    const parsed = JSON.parse(run.stdout) as { version: number; window: { end: string } };
    expect(parsed.version).toBe(1);
    expect(parsed.window.end).toBe(UNTIL);
  });

  test('legitimate traffic only: no findings, exit 0', async () => {
    const run = await cli([files.legit, '--until', UNTIL, '--quiet']);
    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout).toBe('');
  });

  test('bad input does not stop the run: truncated file and unreadable lines are reported', async () => {
    const broken = join(dir, 'broken.json');
    const text = JSON.stringify(scenario.sends.filter((send) => send.format === 'auth0').slice(0, 40).map(auth0Log));
    await writeFile(broken, text.slice(0, text.length - 100));
    const garbage = join(dir, 'garbage.ndjson');
    const good = scenario.sends.find((send) => send.format === 'auth0');
    if (good === undefined) throw new Error('the scenario has Auth0 sends');
    await writeFile(garbage, `${JSON.stringify(auth0Log(good))}\nnot json at all\n{"type":"gd_send_sms",\n{"type":"mystery_type","date":"2025-03-10T00:00:00Z"}\n`);
    const run = await cli([broken, garbage, '--until', UNTIL, '--format', 'json']);
    const report = JSON.parse(run.stdout) as { input: { truncated: string[]; errors: number; skippedTypes: Record<string, number>; notes: string[] } };
    expect(report.input.truncated).toEqual(['broken.json']);
    expect(report.input.errors).toBe(2);
    expect(report.input.skippedTypes).toEqual({ mystery_type: 1 });
    expect(report.input.notes.join('\n')).toContain('garbage.ndjson: 2 unreadable record(s) (lines 2, 3)');
  });
});

describe('response', () => {
  let server: ManagementApiServer;
  beforeEach(async () => {
    server = await startManagementApi();
  });
  afterEach(async () => {
    await server.close();
  });

  test('--block without --apply is a dry run: the plan is printed and recorded, no API client is even built', async () => {
    const record = join(dir, 'dry-run.ndjson');
    const run = await cli([...allFiles(), '--until', UNTIL, '--block', '--record', record], {}, server);
    expect(run.code).toBe(EXIT_FINDINGS);
    expect(run.managementCalls).toEqual([]);
    expect(server.requests).toEqual([]);
    expect(run.stdout).toContain('DRY RUN: nothing was changed');
    expect(run.stdout).toMatch(/auth0\|attacker-a\s+\S*\s*would-block/);
    const lines = (await readFile(record, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { dry_run: boolean; user_id: string; result: string });
    expect(lines.every((line) => line.dry_run)).toBe(true);
    expect(lines.find((line) => line.user_id === scenario.expect.oktaAttacker)?.result).toBe('skipped');
  });

  test('--block --apply blocks the flagged Auth0 users except the allow-listed one, and records it', async () => {
    const allowList = join(dir, 'allow.txt');
    await writeFile(allowList, `# staff\n${scenario.expect.tollguardUser}\n`);
    const record = join(dir, 'applied.ndjson');
    const run = await cli([...allFiles(), '--until', UNTIL, '--block', '--apply', '--allow-list', allowList, '--record', record, '--domain', 'acme.eu.auth0.com', '--token', 'x'], {}, server);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT_FINDINGS);
    expect(run.managementCalls).toEqual([{ domain: 'acme.eu.auth0.com', token: 'x' }]);
    expect(server.userUpdates.map((update) => update.id).sort()).toEqual([scenario.expect.attackerUser, scenario.expect.dripUser, ...scenario.expect.pumpUsers].sort());
    expect(server.userUpdates.every((update) => update.body['blocked'] === true)).toBe(true);
    expect(server.userDeletes).toEqual([]);
    const lines = (await readFile(record, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { action: string; user_id: string; result: string; dry_run: boolean }).filter((line) => line.action === 'block');
    expect(lines.map((line) => [line.user_id, line.result]).sort()).toEqual(
      [
        [scenario.expect.attackerUser, 'blocked'],
        [scenario.expect.dripUser, 'blocked'],
        ...scenario.expect.pumpUsers.map((user) => [user, 'blocked']),
        [scenario.expect.oktaAttacker, 'skipped'],
        [scenario.expect.tollguardUser, 'skipped'],
      ].sort(),
    );
  });

  test('a missing allow-list file stops the run before anything is done', async () => {
    const run = await cli([files.auth0Array, '--block', '--apply', '--allow-list', join(dir, 'missing.txt'), '--domain', 'acme.eu.auth0.com', '--token', 'x'], {}, server);
    expect(run.code).toBe(EXIT_ERROR);
    expect(server.requests).toEqual([]);
  });

  test('the webhook gets a summary when there are findings, and nothing otherwise', async () => {
    const withFindings = await cli([...allFiles(), '--until', UNTIL, '--quiet', '--webhook', 'https://hooks.example.com/x']);
    expect(withFindings.webhooks).toHaveLength(1);
    expect(JSON.stringify(withFindings.webhooks[0])).toContain('finding(s)');
    const quiet = await cli([files.legit, '--until', UNTIL, '--quiet'], { env: { TOLLGUARD_MONITOR_WEBHOOK: 'https://hooks.example.com/x' } });
    expect(quiet.webhooks).toEqual([]);
  });

  test('a failing webhook makes the run fail (exit 1) but the report is still written', async () => {
    const run = await cli([...allFiles(), '--until', UNTIL, '--webhook', 'https://hooks.example.com/x'], { fetch: (async () => new Response('no', { status: 500 })) as unknown as typeof fetch });
    expect(run.code).toBe(EXIT_ERROR);
    expect(run.stdout).toContain('FLAGGED USERS');
    expect(run.stderr).toContain('alert webhook answered HTTP 500');
  });
});

describe('live mode with a checkpoint', () => {
  let server: ManagementApiServer;
  beforeEach(async () => {
    server = await startManagementApi();
  });
  afterEach(async () => {
    await server.close();
  });

  test('each run reads only new logs, keeps the history, and the state file holds no phone number', async () => {
    const state = join(dir, 'state.ndjson');
    const auth0 = scenario.sends.filter((send) => send.format === 'auth0');
    const cut = BASE - 8 * HOUR;
    server.addLogs(auth0.filter((send) => send.at <= cut).map((spec) => auth0Log(spec)));
    const args = ['--source', 'live', '--domain', 'acme.eu.auth0.com', '--token', 'x', '--checkpoint', state, '--since', '2025-03-01', '--until', UNTIL, '--format', 'json'];
    const first = await cli(args, {}, server);
    expect(first.stderr).toBe('');
    const firstReport = JSON.parse(first.stdout) as { users: { userId: string }[]; input: { sendEvents: number } };
    expect(firstReport.users.map((row) => row.userId)).toEqual([scenario.expect.attackerUser]);
    const firstRequests = server.requests.length;

    server.addLogs(auth0.filter((send) => send.at > cut).map((spec) => auth0Log(spec)));
    const second = await cli(args, {}, server);
    const secondReport = JSON.parse(second.stdout) as { users: { userId: string }[]; input: { sendEvents: number }; failureSpikes: unknown[]; history: { events: number } };
    // Only the new logs were read (checkpoint paging, no search), but the analysis saw everything.
    const secondRequests = server.requests.slice(firstRequests);
    expect(secondRequests.every((request) => request.query['from'] !== undefined && request.query['q'] === undefined)).toBe(true);
    expect(secondReport.input.sendEvents).toBe(auth0.filter((send) => send.at > cut).length);
    expect(secondReport.history.events).toBe(auth0.length);
    expect(secondReport.users.map((row) => row.userId)).toEqual([scenario.expect.attackerUser]);
    expect(secondReport.failureSpikes).toHaveLength(1);

    const stateText = await readFile(state, 'utf8');
    expect(stateText.split('\n')[0]).toMatch(/^\{"tollguardMonitorState":1,"checkpoint":"900/);
    for (const send of auth0) expect(stateText).not.toContain(send.phone.slice(1));
  });
});

describe('end to end: `tsx scripts/monitor.ts` with the real ManagementClient over HTTPS', () => {
  let server: ManagementApiServer;
  beforeAll(async () => {
    server = await startManagementApi({ tls: true });
  });
  afterAll(async () => {
    await server.close();
  });

  test('client credentials, checkpoint paging, block --apply, exit 3', async () => {
    server.addLogs(scenario.sends.filter((send) => send.format === 'auth0').map((spec) => auth0Log(spec)));
    const ca = join(dir, 'ca.pem');
    await writeFile(ca, server.caPem ?? '');
    const record = join(dir, 'e2e-record.ndjson');
    const result = await promisify(execFile)(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'scripts', 'monitor.ts'), '--source', 'live', '--since', '2025-03-01', '--until', UNTIL, '--block', '--apply', '--record', record, '--quiet'],
      {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', NODE_EXTRA_CA_CERTS: ca, AUTH0_DOMAIN: server.domain, AUTH0_CLIENT_ID: server.clientId, AUTH0_CLIENT_SECRET: server.clientSecret },
        timeout: 30_000,
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code ?? -1, stderr: error.stderr ?? '' }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT_FINDINGS);
    const token = server.requests.find((request) => request.path === '/oauth/token');
    expect(token?.body).toMatchObject({ grant_type: 'client_credentials', client_id: server.clientId, audience: `https://${server.domain}/api/v2/` });
    const logCalls = server.requests.filter((request) => request.path === '/api/v2/logs');
    expect(logCalls[0]?.query).toMatchObject({ sort: 'date:1', per_page: '1' });
    expect(logCalls.slice(1).every((request) => request.query['take'] === '100' && request.query['from'] !== undefined)).toBe(true);
    expect(server.userUpdates.map((update) => update.id).sort()).toEqual([scenario.expect.attackerUser, scenario.expect.dripUser, ...scenario.expect.pumpUsers].sort());
    // One line per user, and one for the range (no counter store configured: skipped).
    const lines = (await readFile(record, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { action: string; result: string });
    expect(lines.filter((line) => line.action === 'block')).toHaveLength(2 + scenario.expect.pumpUsers.length);
    expect(lines.filter((line) => line.action === 'block-range')).toEqual([expect.objectContaining({ result: 'skipped' })]);
  }, 45_000);
});
