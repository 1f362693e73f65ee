import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FlaggedUser, Report } from '../../scripts/monitor/analyze';
import { mapConcurrent, type RetryOptions } from '../../scripts/monitor/ratelimit';
import { buildWebhookPayload, executeResponse, parseAllowList, planResponse, postWebhook, type ActionResult } from '../../scripts/monitor/respond';
import { startManagementApi, type ManagementApiServer } from '../support/management-api-logs';
import { sdkClients } from './sdk';

const user = (userId: string | undefined, overrides: Partial<FlaggedUser> = {}): FlaggedUser => ({
  ...(userId !== undefined ? { userId } : {}),
  sources: ['auth0'],
  reasons: ['14 sends (≥ 10)'],
  blockable: userId !== undefined,
  ...overrides,
});

const flagged = {
  flaggedUsers: [
    user('auth0|attacker'),
    user('auth0|vip', { userName: 'ceo@example.com' }),
    user('auth0|friend', { userName: 'Friend@Example.com' }),
    user('00uokta', { sources: ['okta'], blockable: false, userName: 'okta.attacker@example.com' }),
    user('auth0|gone'),
  ],
  ipUsers: [user('auth0|behind-ip', { reasons: ['sent from flagged IP 198.51.100.99'] })],
};

const retry = (waits: number[] = []): RetryOptions => ({ maxRetries: 3, maxWaitMs: 60_000, now: Date.now, sleep: async (ms) => void waits.push(ms) });

describe('planResponse', () => {
  const allowList = parseAllowList('# never touch\nauth0|vip\nfriend@example.com   # by e-mail, any case\n\n');

  test('the allow-list is parsed: comments and blanks dropped, lower-cased', () => {
    expect([...allowList]).toEqual(['auth0|vip', 'friend@example.com']);
  });

  test('allow-listed (by id or e-mail) and Okta users are skipped; IP users only on request', () => {
    const plan = planResponse(flagged, { action: 'block', allowList, includeIpUsers: false });
    expect(plan.map((item) => [item.userId, item.decision])).toEqual([
      ['auth0|attacker', 'act'],
      ['auth0|vip', 'skip-allow-list'],
      ['auth0|friend', 'skip-allow-list'],
      ['00uokta', 'skip-not-auth0'],
      ['auth0|gone', 'act'],
    ]);
    const withIpUsers = planResponse(flagged, { action: 'block', allowList, includeIpUsers: true });
    expect(withIpUsers.find((item) => item.userId === 'auth0|behind-ip')?.decision).toBe('act');
  });
});

describe('executeResponse against the Management API (auth0 SDK)', () => {
  let server: ManagementApiServer;
  beforeEach(async () => {
    server = await startManagementApi({ users: ['auth0|attacker', 'auth0|vip', 'auth0|friend', 'auth0|behind-ip'] });
  });
  afterEach(async () => {
    await server.close();
  });

  const allowList = parseAllowList('auth0|vip\nfriend@example.com');

  test('dry run (the default): lists what would happen, records it, touches nothing', async () => {
    const lines: string[] = [];
    const plan = planResponse(flagged, { action: 'block', allowList, includeIpUsers: false });
    const results = await executeResponse(plan, { users: sdkClients(server.url, server.staticToken).users, apply: false, concurrency: 2, retry: retry(), record: async (line) => void lines.push(line) });
    expect(results.map((result) => [result.userId, result.result])).toEqual([
      ['auth0|attacker', 'would-block'],
      ['auth0|vip', 'skipped'],
      ['auth0|friend', 'skipped'],
      ['00uokta', 'skipped'],
      ['auth0|gone', 'would-block'],
    ]);
    expect(server.requests).toEqual([]);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(5);
    expect(records.every((record) => record['dry_run'] === true && record['tollguard'] === 'monitor-action' && typeof record['at'] === 'string')).toBe(true);
  });

  test('--apply blocks only the flagged Auth0 users not on the allow-list, with {"blocked": true}; a missing user is not-found', async () => {
    const lines: string[] = [];
    const plan = planResponse(flagged, { action: 'block', allowList, includeIpUsers: false });
    const results = await executeResponse(plan, { users: sdkClients(server.url, server.staticToken).users, apply: true, concurrency: 2, retry: retry(), record: async (line) => void lines.push(line) });
    expect(server.userUpdates).toEqual([{ id: 'auth0|attacker', body: { blocked: true } }]);
    expect(server.requests.filter((request) => request.method === 'PATCH').map((request) => request.path).sort()).toEqual(['/api/v2/users/auth0%7Cattacker', '/api/v2/users/auth0%7Cgone']);
    expect(results.map((result) => [result.userId, result.result])).toEqual([
      ['auth0|attacker', 'blocked'],
      ['auth0|vip', 'skipped'],
      ['auth0|friend', 'skipped'],
      ['00uokta', 'skipped'],
      ['auth0|gone', 'not-found'],
    ]);
    expect(lines.map((line) => (JSON.parse(line) as { result: string; dry_run: boolean }).dry_run)).toEqual([false, false, false, false, false]);
  });

  test('--delete deletes instead; a 429 on the way waits and retries', async () => {
    server.rateLimited(1, 2);
    const waits: number[] = [];
    const plan = planResponse({ flaggedUsers: [user('auth0|attacker'), user('auth0|friend', { userName: 'friend@example.com' })], ipUsers: [] }, { action: 'delete', allowList, includeIpUsers: false });
    const results = await executeResponse(plan, { users: sdkClients(server.url, server.staticToken).users, apply: true, concurrency: 1, retry: retry(waits) });
    expect(server.userDeletes).toEqual(['auth0|attacker']);
    expect(results.map((result) => result.result)).toEqual(['deleted', 'skipped']);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(1000);
  });

  test('an API error is reported per user, and the others still run', async () => {
    const limited = await startManagementApi({ scopes: ['read:logs'] });
    try {
      const token = await fetch(`${limited.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: limited.clientId, client_secret: limited.clientSecret, audience: `${limited.url}/api/v2/` }),
      }).then(async (response) => ((await response.json()) as { access_token: string }).access_token);
      const plan = planResponse({ flaggedUsers: [user('auth0|a'), user('auth0|b')], ipUsers: [] }, { action: 'block', allowList: new Set(), includeIpUsers: false });
      const results = await executeResponse(plan, { users: sdkClients(limited.url, token).users, apply: true, concurrency: 2, retry: retry() });
      expect(results.map((result) => result.result)).toEqual(['error', 'error']);
      expect(results[0]?.error).toMatch(/^HTTP 403/);
    } finally {
      await limited.close();
    }
  });
});

test('mapConcurrent keeps the order and never runs more than the limit at once', async () => {
  let running = 0;
  let peak = 0;
  const results = await mapConcurrent([5, 1, 4, 2, 3, 0], 2, async (value) => {
    running += 1;
    peak = Math.max(peak, running);
    await new Promise((resolve) => setTimeout(resolve, value));
    running -= 1;
    return value * 10;
  });
  expect(results).toEqual([50, 10, 40, 20, 30, 0]);
  expect(peak).toBe(2);
});

describe('alert webhook', () => {
  const report = {
    window: { start: '2025-03-09T12:00:00.000Z', end: '2025-03-10T12:00:00.000Z', ms: 86_400_000 },
    findings: 3,
    users: [{ userId: 'auth0|attacker', sends: 14, numbers: 8 }],
    actors: [{}],
    ips: [],
    manyNumbers: [],
    rangeSurges: [{ key: '+2323012xxxx', channel: 'sms', numbers: 30, prefix: '+232 3012' }],
    proposedBlockedNumbers: ['+232 3012'],
    countrySurges: [],
    failureSpikes: [],
    totals: { sends: 100, sent: 90, failed: 5, blocked: 5, numbers: 80, countries: 6 },
  } as unknown as Report;
  const results = [{ result: 'would-block', decision: 'act' }, { result: 'skipped', decision: 'skip-allow-list' }] as ActionResult[];

  test('the payload: Slack text plus blocks, counts and the response summary', () => {
    const payload = buildWebhookPayload(report, results, 'acme.eu.auth0.com');
    expect(payload.text).toBe(':rotating_light: tollguard monitor (acme.eu.auth0.com): 3 finding(s) in the last 24h to 2025-03-10T12:00Z');
    const body = JSON.stringify(payload.blocks);
    expect(body).toContain('auth0|attacker: 14 sends, 8 numbers');
    expect(body).toContain('+2323012xxxx 30 sms numbers');
    expect(body).toContain('*GUARD_BLOCKED_NUMBERS, add*: +232 3012');
    expect(body).toContain('0 acted on, 1 would be (dry run), 0 failed, 1 skipped');
  });

  test('posted as JSON; an HTTP error or a timeout is reported, not thrown', async () => {
    const received: { contentType: string | undefined; body: unknown }[] = [];
    let status = 200;
    let delay = 0;
    const hook = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
        setTimeout(() => {
          res.writeHead(status);
          res.end('ok');
        }, delay);
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    try {
      const payload = buildWebhookPayload(report, [], undefined);
      expect(await postWebhook(url, payload)).toBeUndefined();
      expect(received[0]).toEqual({ contentType: 'application/json', body: payload });
      status = 500;
      expect(await postWebhook(url, payload)).toBe('alert webhook answered HTTP 500');
      status = 200;
      delay = 500;
      expect(await postWebhook(url, payload, fetch, 100)).toMatch(/^alert webhook failed/);
    } finally {
      hook.closeAllConnections();
      await new Promise((resolve) => hook.close(resolve));
    }
  });
});
