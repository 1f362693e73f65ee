/**
 * `npm run twilio-geo` end to end against the local Geo/Dialing Permissions server: the dry-run
 * table, --apply with its read-back, the 30649 refusal, partial failures, a 429, a stall, and the
 * credential and policy checks that stop a run before anything is sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMS_HIGH_RISK_COUNTRIES } from '../../shared/data/high-risk-countries';
import { main, type Overrides } from '../../scripts/twilio-geo';
import { SMS_CONSOLE_ONLY, SMS_NOT_SUPPORTED, startTwilioGeoServer, type GeoServerOptions, type TwilioGeoServer } from '../support/twilio-geo-server';

let tw: TwilioGeoServer;

async function fresh(options: GeoServerOptions = {}): Promise<void> {
  await tw?.close();
  tw = await startTwilioGeoServer(options);
}

beforeEach(() => fresh());
afterAll(() => tw.close());

const FAST: Overrides = { timeoutMs: 2000, apply: { readBackPauseMs: 50 } };

function envFor(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { TWILIO_ACCOUNT_SID: tw.accountSid, TWILIO_AUTH_TOKEN: tw.authToken, TWILIO_GEO_BASE_URL: tw.url, ...extra };
}

async function run(argv: string[], env = envFor(), overrides = FAST): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, overrides, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const writes = () => tw.requests.filter((r) => r.method !== 'GET');
const consoleRefused = new Set<string>([...SMS_CONSOLE_ONLY, ...SMS_NOT_SUPPORTED]);

describe('dry run (the default)', () => {
  it('against factory settings: nothing to change, and the allowed countries Twilio keeps off are named', async () => {
    const { code, out } = await run([]);
    expect(code).toBe(0);
    expect(out).toContain('Nothing to tighten: Twilio already refuses everything the policy refuses.');
    expect(out).toContain('On in Twilio and staying on: SMS (1): US; voice (1): US');
    expect(out).toMatch(/SMS: 0 to turn off, 0 to turn on; voice: 0 to change \(of 245 SMS countries and 244 voice countries/);
    expect(out).toMatch(/SMS \(124\): AC AD AG/);
    expect(writes()).toEqual([]);
    expect(tw.requests.every((r) => r.violations.length === 0)).toBe(true);
    expect(out).not.toContain(tw.authToken);
  });

  it('against an opened account: a row per change, console-only countries marked, every request valid', async () => {
    tw.openEverything();
    const { code, out } = await run(['--dry-run']);
    expect(code).toBe(0);
    expect(out).toMatch(/^NG\s+Nigeria\s+sms\s+on\s+off \(Console only\)\s+high-risk tier$/m);
    expect(out).toMatch(/^GB\s+United Kingdom\s+voice\s+on \+ toll-fraud \+ special\s+on\s+allowed$/m);
    expect(out).toMatch(/^LV\s+Latvia\s+voice\s+on \+ toll-fraud \+ special\s+off\s+high-risk tier$/m);
    expect(out).toContain(`SMS: ${SMS_HIGH_RISK_COUNTRIES.length} to turn off (13 only in the Twilio Console`);
    expect(writes()).toEqual([]);
    expect(tw.requests.every((r) => r.violations.length === 0)).toBe(true);
  });

  it('--json gives the same plan as data', async () => {
    tw.openEverything();
    const { code, out } = await run(['--json']);
    expect(code).toBe(0);
    const plan = JSON.parse(out) as { changes: { channel: string; country: string; consoleOnly?: boolean }[]; totals: Record<string, number> };
    expect(plan.totals).toMatchObject({ smsOff: SMS_HIGH_RISK_COUNTRIES.length, smsOn: 0, smsConsoleOnly: 13 });
    expect(plan.changes.find((c) => c.channel === 'sms' && c.country === 'PK')?.consoleOnly).toBe(true);
  });
});

describe('--apply', () => {
  it('is refused while GUARD_MODE=monitor (nothing sent), unless --force', async () => {
    tw.openEverything();
    const refused = await run(['--apply'], envFor({ GUARD_MODE: 'monitor' }));
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/refusing to --apply while GUARD_MODE is monitor/);
    expect(tw.sms('NG')).toBe(true);
    const forced = await run(['--apply', '--force'], envFor({ GUARD_MODE: 'monitor' }));
    expect(forced.code).toBe(3);
    const closable = SMS_HIGH_RISK_COUNTRIES.filter((country) => !consoleRefused.has(country));
    expect(closable.length).toBeGreaterThan(0);
    for (const country of closable) expect([country, tw.sms(country)]).toEqual([country, false]);
  });

  it('writes the plan, reads it back, and lists what only the Console can change, never as done', async () => {
    tw.openEverything();
    const { code, out } = await run(['--apply']);
    expect(code).toBe(3);
    for (const country of SMS_HIGH_RISK_COUNTRIES) expect([country, tw.sms(country)]).toEqual([country, consoleRefused.has(country)]);
    for (const [iso, switches] of tw.voiceState()) {
      expect([iso, switches.tollFraud, switches.special]).toEqual([iso, false, false]);
    }
    expect(tw.voice('LV')).toEqual({ low: false, special: false, tollFraud: false });
    expect(tw.voice('GB')).toEqual({ low: true, special: false, tollFraud: false });
    expect(out).toMatch(/^PK\s+sms\s+on\s+off\s+change in the Console\s+Twilio error 30649/m);
    expect(out).not.toMatch(/^PK\s+sms.*\bdone\b/m);
    expect(out).toContain("Twilio's API cannot change these; set them in the Console (Messaging > Settings > Geo permissions): AZ BD CU DZ IR LK NG OM PK PS SY TJ TN");
    expect(out).toMatch(/351 done, 13 to change in the Twilio Console, 0 not changed/);
    expect(tw.requests.every((r) => r.violations.length === 0)).toBe(true);
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      'PATCH /v1/Messaging/GeoPermissions',
      'PATCH /v1/Messaging/GeoPermissions',
      'POST /v1/DialingPermissions/BulkCountryUpdates',
      'POST /v1/DialingPermissions/BulkCountryUpdates',
      'POST /v1/DialingPermissions/BulkCountryUpdates',
    ]);
    // A second run has only the console-only countries left.
    const again = await run(['--dry-run', '--json']);
    expect(JSON.parse(again.out).totals).toMatchObject({ smsOff: 13, voiceChanges: 0 });
  });

  it('never turns a country on without --allow-enable, and does with it', async () => {
    const env = envFor({ GUARD_ALLOWED_COUNTRIES: 'GB' });
    const tightened = await run(['--apply'], env);
    expect(tightened.code).toBe(0);
    expect([tw.sms('GB'), tw.sms('US'), tw.voice('US')?.low, tw.voice('GB')?.low]).toEqual([false, false, false, false]);
    const enabled = await run(['--apply', '--allow-enable', '--json'], env);
    expect(enabled.code).toBe(0);
    expect([tw.sms('GB'), tw.voice('GB')]).toEqual([true, { low: true, special: false, tollFraud: false }]);
    const report = JSON.parse(enabled.out) as { results: { outcome: string; row: { channel: string; country: string } }[] };
    expect(report.results.map((r) => `${r.row.channel} ${r.row.country} ${r.outcome}`).sort()).toEqual(['sms GB done', 'voice GB done']);
  });

  it('reports a partial failure of either bulk update as not changed, with Twilio\'s reason', async () => {
    tw.openEverything();
    tw.lockVoice('GB');
    tw.failSms('FR', 21610, 'Permission update rejected');
    const { code, out } = await run(['--apply'], envFor({ GUARD_BLOCKED_COUNTRIES: 'FR, GB', GUARD_HIGH_RISK_TIER: 'off', GUARD_BLOCKED_LINE_TYPES: 'none' }));
    expect(code).toBe(1);
    expect(out).toMatch(/^FR\s+sms\s+on\s+off\s+NOT changed\s+Twilio error 21610: Permission update rejected; Twilio still reports on$/m);
    expect(out).toMatch(/^GB\s+voice\s+on \+ toll-fraud \+ special\s+off\s+NOT changed\s+Twilio still reports the old setting/m);
    expect(out).toMatch(/^GB\s+sms\s+on\s+off\s+done/m);
    expect(out).toMatch(/problem: voice bulk update: Twilio updated \d+ of the \d+ countries sent/);
    expect(tw.sms('GB')).toBe(false);
  });

  it('waits for a bulk voice update Twilio applies late before judging it', async () => {
    await fresh({ voiceApplyDelayMs: 120 });
    const { code, out } = await run(['--apply'], envFor({ GUARD_ALLOWED_COUNTRIES: 'GB' }), { apply: { readBackPauseMs: 200 } });
    expect(code).toBe(0);
    expect(out).toMatch(/^US\s+voice\s+on\s+off\s+done/m);
    expect(tw.requests.filter((r) => r.operation === 'voiceList').length).toBeGreaterThanOrEqual(3);
  });

  it('reports a stalled write as not changed and still reads the account back', async () => {
    tw.openEverything();
    tw.fault({ operation: 'smsUpdate', status: 200, code: 0, message: '', delayMs: 5000 });
    const { code, out } = await run(['--apply'], envFor(), { timeoutMs: 300, apply: { readBackPauseMs: 10, readBackAttempts: 1 } });
    expect(code).toBe(1);
    expect(out).toMatch(/problem: SMS update of 100 countries: PATCH http:\/\/127\.0\.0\.1:\d+\/v1\/Messaging\/GeoPermissions: Twilio did not answer within 0\.3 s \(stalled\)/);
    expect(out).toMatch(/^AE\s+sms\s+on\s+off\s+NOT changed\s+PATCH .*stalled/m);
    expect(out).toMatch(/^AE\s+voice\s+.*NOT changed\s+not sent: an earlier update failed/m);
  });
});

describe('rate limits and stalls', () => {
  it('retries a 429 after a short Retry-After', async () => {
    tw.fault({ operation: 'smsFetch', status: 429, code: 20429, message: 'Too Many Requests', headers: { 'Retry-After': '1' } });
    const started = Date.now();
    const { code } = await run([]);
    expect(code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(tw.requests.filter((r) => r.operation === 'smsFetch')).toHaveLength(2);
  });

  it('does not wait for a long Retry-After, and gives up after two retries', async () => {
    tw.fault({ operation: 'smsFetch', status: 429, code: 20429, message: 'Too Many Requests', headers: { 'Retry-After': '120' } });
    const long = await run([]);
    expect(long.code).toBe(1);
    expect(long.err).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v1\/Messaging\/GeoPermissions: Twilio error 20429: Too Many Requests \(rate limited; Twilio asks to wait 120 s, longer than the 5 s this tool waits/);
    expect(tw.requests).toHaveLength(1);
    tw.reset();
    tw.fault({ operation: 'voiceList', status: 429, code: 20429, message: 'Too Many Requests', headers: { 'Retry-After': '0' }, times: 5 });
    const repeated = await run([]);
    expect(repeated.code).toBe(1);
    expect(repeated.err).toContain('(rate limited; retried 2 times, then gave up)');
    expect(tw.requests.filter((r) => r.operation === 'voiceList')).toHaveLength(3);
  });

  it('follows every page of the Countries list, but only on the Voice host', async () => {
    await fresh({ pageSizeCap: 50 });
    tw.openEverything();
    const { code, out } = await run(['--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out).totals.voiceChanges).toBe(244);
    expect(tw.requests.filter((r) => r.operation === 'voiceList').map((r) => r.query.Page ?? '0')).toEqual(['0', '1', '2', '3', '4']);
    await fresh({ pageSizeCap: 50, linkOrigin: 'https://voice.twilio.example' });
    const elsewhere = await run([]);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.err).toMatch(/pointed the next page at https:\/\/voice\.twilio\.example, not http:\/\/127\.0\.0\.1:\d+; not followed/);
    expect(tw.requests.filter((r) => r.operation === 'voiceList')).toHaveLength(1);
  });

  it('stops with a clear message when Twilio stalls', async () => {
    tw.delay(3000);
    const { code, err } = await run([], envFor(), { timeoutMs: 250 });
    expect(code).toBe(1);
    expect(err).toMatch(/twilio-geo: GET http:\/\/127\.0\.0\.1:\d+\/v1\/Messaging\/GeoPermissions: Twilio did not answer within 0\.25 s \(stalled\); stopped there/);
  });

  it('does not follow a redirect (the credentials stay with the named host)', async () => {
    let elsewhere = 0;
    const target = http.createServer((_req, res) => {
      elsewhere += 1;
      res.end('{}');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', () => resolve()));
    const redirecting = http.createServer((_req, res) => {
      res.writeHead(302, { Location: `http://127.0.0.1:${(target.address() as AddressInfo).port}/v1/Messaging/GeoPermissions` });
      res.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { code, err } = await run([], envFor({ TWILIO_GEO_BASE_URL: `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}` }));
      expect(code).toBe(1);
      expect(err).toMatch(/Twilio answered a redirect \(302\); redirects are not followed/);
      expect(elsewhere).toBe(0);
    } finally {
      redirecting.close();
      target.close();
    }
  });
});

describe('credentials and secrets', () => {
  it('lists every problem at once, describes a SID by its length, and sends nothing', async () => {
    const { code, err } = await run([], { TWILIO_ACCOUNT_SID: 'ACnot-a-sid-1234', GUARD_ALLOWED_COUNTRIES: 'GB, XX', TWILIO_GEO_BASE_URL: 'http://twilio.example' });
    expect(code).toBe(1);
    expect(err).toContain('refusing to run; 4 problems to fix');
    expect(err).toContain('TWILIO_ACCOUNT_SID is invalid: expected AC followed by 32 hex digits, got a value of 16 characters');
    expect(err).toContain('TWILIO_AUTH_TOKEN is not set');
    expect(err).toContain('secret GUARD_ALLOWED_COUNTRIES is invalid');
    expect(err).toContain('secret TWILIO_GEO_BASE_URL is invalid: expected an https:// URL');
    expect(err).not.toContain('ACnot-a-sid');
    expect(err).toContain('nothing was sent to Twilio');
    expect(tw.requests).toEqual([]);
  });

  it('never prints the token, even when Twilio refuses it', async () => {
    const token = 'wrong-token-0123456789abcdef';
    const { code, err } = await run([], envFor({ TWILIO_AUTH_TOKEN: token }));
    expect(code).toBe(1);
    expect(err).toMatch(/Twilio error 20003: Authenticate \(check the credentials\)/);
    expect(err).not.toContain(token);
    expect(tw.requests[0]?.auth).toEqual({ username: tw.accountSid, password: token });
  });

  it('authenticates with an API key pair', async () => {
    const key = { sid: 'SK' + 'b'.repeat(32), secret: 'api-key-secret-not-real' };
    await fresh({ apiKey: key });
    const { code } = await run([], { TWILIO_API_KEY: key.sid, TWILIO_API_SECRET: key.secret, TWILIO_GEO_BASE_URL: tw.url });
    expect(code).toBe(0);
    expect(tw.requests[0]?.auth).toEqual({ username: key.sid, password: key.secret });
  });

  it('reads a dotenv-style file; the environment wins over it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'twilio-geo-'));
    try {
      const file = path.join(dir, '.env');
      writeFileSync(file, [
        '# tollguard secrets',
        `export TWILIO_ACCOUNT_SID=${tw.accountSid}`,
        `TWILIO_AUTH_TOKEN="${tw.authToken}"`,
        `TWILIO_GEO_BASE_URL='${tw.url}'`,
        'GUARD_ALLOWED_COUNTRIES=GB # only the UK',
        '',
      ].join('\n'));
      const fromFile = await run(['--env-file', file, '--json'], {});
      expect(fromFile.code).toBe(0);
      expect(JSON.parse(fromFile.out).changes.map((c: { country: string }) => c.country)).toEqual(['US', 'US']);
      const overridden = await run([`--env-file=${file}`, '--json'], { GUARD_ALLOWED_COUNTRIES: 'US' });
      expect(JSON.parse(overridden.out).changes).toEqual([]);
      writeFileSync(file, `TWILIO_AUTH_TOKEN=${tw.authToken}\nthis line holds a-secret-value\n`);
      const bad = await run(['--env-file', file], {});
      expect(bad.err).toContain('line 2 is not NAME=value');
      expect(bad.err).not.toContain('a-secret-value');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses unknown arguments and --dry-run with --apply', async () => {
    expect((await run(['--yes'])).code).toBe(2);
    expect((await run(['--dry-run', '--apply'])).err).toContain('--dry-run and --apply exclude each other');
    expect(tw.requests).toEqual([]);
  });
});
