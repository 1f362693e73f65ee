import { itemsOf, newLiveProgress, nextFrom, readLiveLogs, type Log, type LiveProgress } from '../../scripts/monitor/live';
import { lowRemainingWait, rateLimitWait, type RetryOptions } from '../../scripts/monitor/ratelimit';
import { makeLogId, startManagementApi, type ManagementApiServer } from '../support/management-api-logs';
import { auth0Log, BASE, HOUR, loginLog } from './fixtures';
import { Random } from '../../scripts/sim/random';
import { sdkClients } from './sdk';

let server: ManagementApiServer;
const waits: { ms: number; reason: string }[] = [];

function retry(overrides: Partial<RetryOptions> = {}): RetryOptions {
  return {
    maxRetries: 3,
    maxWaitMs: 60_000,
    now: Date.now,
    sleep: async () => undefined,
    onWait: (ms, reason) => waits.push({ ms, reason }),
    ...overrides,
  };
}

/** `count` logs, one minute apart from `start`, every third one an SMS send. */
function makeLogs(count: number, start: number, seed = 1): Record<string, unknown>[] {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, index) => {
    const at = start + index * 60_000;
    return index % 3 === 0
      ? auth0Log({ at, format: 'auth0', channel: 'sms', outcome: 'sent', userId: `auth0|u${index}`, ip: random.ipv4(), ua: 'UA', phone: '+14155552671' }, 10_000 * seed + index)
      : loginLog(at, random, 10_000 * seed + index);
  });
}

async function readAll(options: { from?: string; since?: number; maxPages?: number; take?: number; retry?: RetryOptions }): Promise<{ logs: Log[]; progress: LiveProgress }> {
  const { logs: api } = sdkClients(server.url, server.staticToken);
  const progress = newLiveProgress(options.from);
  const logs: Log[] = [];
  for await (const log of readLiveLogs({ logs: api, retry: options.retry ?? retry(), ...options }, progress)) logs.push(log);
  return { logs, progress };
}

beforeEach(async () => {
  server = await startManagementApi();
  waits.length = 0;
});
afterEach(async () => {
  await server.close();
});

describe('checkpoint paging with the auth0 SDK', () => {
  test('pages of 100 from a log_id until an empty page; only from and take are sent', async () => {
    const logs = makeLogs(250, BASE - 10 * HOUR);
    server.addLogs(logs);
    const first = String(logs[0]?.['log_id']);
    const { logs: read, progress } = await readAll({ from: first });
    expect(read.map((log) => log.log_id)).toEqual(logs.slice(1).map((log) => log['log_id']));
    expect(progress).toMatchObject({ pages: 4, logs: 249, caughtUp: true, checkpoint: logs[249]?.['log_id'] });
    const requests = server.requests.filter((request) => request.path === '/api/v2/logs');
    expect(requests.map((request) => request.query)).toEqual([
      { from: first, take: '100' },
      { from: String(logs[100]?.['log_id']), take: '100' },
      { from: String(logs[200]?.['log_id']), take: '100' },
      { from: String(logs[249]?.['log_id']), take: '100' },
    ]);
    expect(requests.every((request) => request.authorization === `Bearer ${server.staticToken}`)).toBe(true);
  });

  test('without a checkpoint, search mode finds the first log of the --since day, then paging goes on from it', async () => {
    const older = makeLogs(5, BASE - 3 * 24 * HOUR, 2);
    const recent = makeLogs(30, BASE - 5 * HOUR, 3);
    server.addLogs([...older, ...recent]);
    const { logs: read, progress } = await readAll({ since: BASE - 6 * HOUR });
    expect(read.map((log) => log.log_id)).toEqual(recent.map((log) => log['log_id']));
    expect(progress.caughtUp).toBe(true);
    const search = server.requests[0];
    expect(search?.query).toMatchObject({ q: `date:[${new Date(BASE - 6 * HOUR).toISOString().slice(0, 10)} TO *]`, sort: 'date:1', per_page: '1', page: '0' });
  });

  test('no logs since that day: nothing read, no checkpoint', async () => {
    server.addLogs(makeLogs(3, BASE - 5 * 24 * HOUR));
    const { logs, progress } = await readAll({ since: BASE - HOUR });
    expect(logs).toEqual([]);
    expect(progress).toMatchObject({ caughtUp: true, checkpoint: undefined });
  });

  test('resuming from the checkpoint reads only the logs added since', async () => {
    const before = makeLogs(40, BASE - 10 * HOUR, 4);
    server.addLogs(before);
    const firstRun = await readAll({ from: String(before[0]?.['log_id']) });
    const after = makeLogs(15, BASE - HOUR, 5);
    server.addLogs(after);
    const secondRun = await readAll({ from: firstRun.progress.checkpoint });
    expect(secondRun.logs.map((log) => log.log_id)).toEqual(after.map((log) => log['log_id']));
  });

  test('--max-pages stops early and leaves a checkpoint to continue from', async () => {
    const logs = makeLogs(250, BASE - 10 * HOUR, 6);
    server.addLogs(logs);
    const { progress } = await readAll({ from: String(logs[0]?.['log_id']), maxPages: 2 });
    expect(progress).toMatchObject({ pages: 2, logs: 200, caughtUp: false, checkpoint: logs[200]?.['log_id'] });
    expect(progress.notes.join(' ')).toContain('--max-pages');
  });
});

describe('rate limits', () => {
  test('a 429 waits until x-ratelimit-reset and retries; the logs are all read', async () => {
    const logs = makeLogs(20, BASE - HOUR, 7);
    server.addLogs(logs);
    server.rateLimited(2, 3);
    const { logs: read } = await readAll({ from: String(logs[0]?.['log_id']) });
    expect(read).toHaveLength(19);
    expect(waits).toHaveLength(2);
    for (const wait of waits) {
      expect(wait.reason).toContain('rate limited (429)');
      expect(wait.ms).toBeGreaterThan(1000);
      expect(wait.ms).toBeLessThanOrEqual(4000);
    }
    expect(server.requests.filter((request) => request.status === 429)).toHaveLength(2);
  });

  test('retries are bounded: a 429 that lasts fails with the SDK error', async () => {
    server.addLogs(makeLogs(5, BASE - HOUR, 8));
    server.rateLimited(10);
    await expect(readAll({ from: '0', retry: retry({ maxRetries: 2 }) })).rejects.toMatchObject({ statusCode: 429 });
    expect(server.requests).toHaveLength(3);
  });

  test('a 403 (missing read:logs) is not retried', async () => {
    const limited = await startManagementApi({ scopes: ['update:users'] });
    try {
      const token = await fetch(`${limited.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: limited.clientId, client_secret: limited.clientSecret, audience: `${limited.url}/api/v2/` }),
      }).then(async (response) => ((await response.json()) as { access_token: string }).access_token);
      const progress = newLiveProgress('0');
      const reading = readLiveLogs({ logs: sdkClients(limited.url, token).logs, from: '0', retry: retry() }, progress);
      await expect(reading.next()).rejects.toMatchObject({ statusCode: 403 });
      expect(limited.requests.filter((request) => request.path === '/api/v2/logs')).toHaveLength(1);
    } finally {
      await limited.close();
    }
  });

  test('when few requests are left, the reader waits for the reset before the next page', async () => {
    const logs = makeLogs(150, BASE - 5 * HOUR, 9);
    server.addLogs(logs);
    server.announceRemaining(0, 1, 2);
    await readAll({ from: String(logs[0]?.['log_id']) });
    expect(waits).toHaveLength(1);
    expect(waits[0]?.reason).toContain('nearly used up');
    expect(waits[0]?.ms).toBeGreaterThan(1000);
  });

  test('header arithmetic: Retry-After wins, then x-ratelimit-reset; waits are capped', () => {
    const headers = (entries: Record<string, string>): { get: (name: string) => string | null } => ({ get: (name) => entries[name] ?? null });
    const now = 1_700_000_000_000;
    expect(rateLimitWait(headers({ 'retry-after': '3', 'x-ratelimit-reset': String(now / 1000 + 30) }), now, 1000, 60_000)).toBe(3000);
    expect(rateLimitWait(headers({ 'x-ratelimit-reset': String(now / 1000 + 30) }), now, 1000, 60_000)).toBe(30_000);
    expect(rateLimitWait(headers({ 'x-ratelimit-reset': String(now / 1000 + 3600) }), now, 1000, 60_000)).toBe(60_000);
    expect(rateLimitWait(headers({}), now, 1500, 60_000)).toBe(1500);
    expect(lowRemainingWait(headers({ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': String(now / 1000 + 9) }), now, 1, 60_000)).toBe(0);
    expect(lowRemainingWait(headers({ 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': String(now / 1000 + 9) }), now, 1, 60_000)).toBe(9000);
  });
});

describe('response shapes', () => {
  test('nextFrom reads the rel="next" link; itemsOf takes a bare array or {logs}', () => {
    const id = makeLogId(BASE, 1);
    expect(nextFrom(`<https://acme.eu.auth0.com/api/v2/logs?from=${id}&take=100>; rel="next"`)).toBe(id);
    expect(nextFrom('<https://x/api/v2/logs?page=2>; rel="prev"')).toBeUndefined();
    expect(nextFrom(null)).toBeUndefined();
    const log = { log_id: id } as Log;
    expect(itemsOf({ data: [], response: [log] })).toEqual([log]);
    expect(itemsOf({ data: [log], response: { logs: [log] } })).toEqual([log]);
  });
});
