/**
 * Issue 12: the Okta telephony inline hook's own failovers. When the hook fails or times out,
 * Okta sends the OTP itself through its fallback provider, and the System Log send event says so
 * in its debug data (`is_sms_hook_failover`). Those OTPs went out without tollguard's checks; the
 * monitor reports how many, in which hours, and what to check.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, DEFAULT_THRESHOLDS, emptyInputSummary } from '../../scripts/monitor/analyze';
import { EXIT_FINDINGS, EXIT_OK, main } from '../../scripts/monitor/cli';
import { normalizeRecord, type SendEvent } from '../../scripts/monitor/events';
import { PhoneIdentity } from '../../scripts/monitor/phone';
import { BASE, HOUR, oktaEvent, writeJson, type SendSpec } from './fixtures';

const identity = new PhoneIdentity('33'.repeat(8));

function spec(index: number, at: number): SendSpec {
  return { at, format: 'okta-oie', channel: index % 4 === 0 ? 'voice' : 'sms', outcome: 'sent', userId: `00uokta${String(index).padStart(4, '0')}`, ip: `198.51.100.${index + 1}`, ua: 'Mozilla/5.0', phone: `+1415555${String(2000 + index).padStart(4, '0')}` };
}

/** An Identity Engine send event, as Okta logs it when the hook did (not) answer in time. */
function oktaSend(index: number, at: number, failover: unknown, key = 'is_sms_hook_failover', eventType?: string): Record<string, unknown> {
  const event = oktaEvent(spec(index, at));
  const debug = (event['debugContext'] as { debugData: Record<string, unknown> }).debugData;
  if (failover !== undefined) debug[key] = failover;
  if (eventType !== undefined) event['eventType'] = eventType;
  return event;
}

function eventsOf(records: readonly Record<string, unknown>[]): SendEvent[] {
  return records.flatMap((record) => normalizeRecord(record, { identity })).flatMap((result) => (result.kind === 'send' ? [result.event] : []));
}

const T1 = BASE - 5 * HOUR + 10 * 60_000; // 07:10 UTC
const T2 = BASE - 2 * HOUR + 5 * 60_000; // 10:05 UTC

function attackDay(): Record<string, unknown>[] {
  return [
    // Normal sends through the hook.
    ...Array.from({ length: 6 }, (_, index) => oktaSend(index, BASE - 8 * HOUR + index * 60_000, false)),
    // Failovers in two hours: 3 at 07:xx (one voice, one with the camelCase key, one a string "true"),
    ...[oktaSend(10, T1, true), oktaSend(11, T1 + 60_000, 'true'), oktaSend(12, T1 + 120_000, true, 'isSmsHookFailover')],
    // ... and 2 at 10:xx, one of them an MFA challenge SMS.
    oktaSend(13, T2, true, 'is_sms_hook_failover', 'system.sms.send_factor_verify_message'),
    oktaSend(14, T2 + 60_000, true),
  ];
}

describe('Okta telephony hook failovers', () => {
  test('a send event with is_sms_hook_failover true is marked; false, absent or odd values are not', () => {
    const events = eventsOf([oktaSend(1, BASE, true), oktaSend(2, BASE, 'true'), oktaSend(3, BASE, true, 'isSmsHookFailover'), oktaSend(4, BASE, false), oktaSend(5, BASE, undefined), oktaSend(6, BASE, 'yes'), oktaSend(7, BASE, 1)]);
    expect(events.map((event) => event.hookFailover === true)).toEqual([true, true, true, false, false, false, false]);
  });

  test('every Okta OTP send type is read (MFA challenge, password reset, unlock; SMS and voice)', () => {
    const types = [
      'system.sms.send_factor_verify_message',
      'system.sms.send_password_reset_message',
      'system.sms.send_account_unlock_message',
      'system.voice.send_mfa_challenge_call',
      'system.voice.send_password_reset_call',
      'system.voice.send_account_unlock_call',
    ];
    const events = eventsOf(types.map((type, index) => oktaSend(index, BASE, true, 'is_sms_hook_failover', type)));
    expect(events.map((event) => [event.type, event.channel])).toEqual(types.map((type) => [type, type.startsWith('system.voice') ? 'voice' : 'sms']));
  });

  test('the report counts them, by hour (UTC) and channel, and says what to check', () => {
    const report = analyze(eventsOf(attackDay()), emptyInputSummary(), { windowMs: 24 * HOUR, until: BASE, thresholds: { ...DEFAULT_THRESHOLDS }, generatedAt: BASE });
    expect(report.oktaHookFailovers).toMatchObject({
      count: 5,
      sends: 11,
      byChannel: { sms: 4, voice: 1 },
      hours: [
        { start: '2025-03-10T07:00:00.000Z', count: 3 },
        { start: '2025-03-10T10:00:00.000Z', count: 2 },
      ],
      users: 5,
    });
    expect(report.oktaHookFailovers?.check.join(' ')).toMatch(/healthz/);
    expect(report.oktaHookFailovers?.check.join(' ')).toMatch(/3 s/);
    expect(report.findings).toBeGreaterThanOrEqual(1);
  });

  test('none when the hook always answered: no section, no finding', () => {
    const report = analyze(eventsOf(attackDay().slice(0, 6)), emptyInputSummary(), { windowMs: 24 * HOUR, until: BASE, thresholds: { ...DEFAULT_THRESHOLDS }, generatedAt: BASE });
    expect(report.oktaHookFailovers).toBeUndefined();
    expect(report.findings).toBe(0);
  });

  describe('the command line', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tollguard-monitor-okta-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      let stdout = '';
      let stderr = '';
      const code = await main(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), env: {}, now: () => BASE + 60_000 });
      return { code, stdout, stderr };
    }

    test('terminal, JSON and HTML report the failovers: count, hours, what to check; exit 3', async () => {
      const file = join(dir, 'okta.json');
      await writeJson(file, attackDay(), 'array');
      const html = join(dir, 'report.html');
      const json = join(dir, 'report.json');
      const result = await run([file, '--until', new Date(BASE).toISOString(), '--html', html, '--json', json]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(EXIT_FINDINGS);
      expect(result.stdout).toContain('OKTA TELEPHONY HOOK FAILOVERS: 5 of 11 Okta sends (Okta sent the OTP itself; tollguard did not check them)');
      expect(result.stdout).toMatch(/2025-03-10 07:00 UTC\s+3/);
      expect(result.stdout).toMatch(/2025-03-10 10:00 UTC\s+2/);
      expect(result.stdout).toContain('check:');
      const page = (await readFile(html, 'utf8')).replace(/<[^>]+>/g, '');
      expect(page).toContain('Okta hook failover');
      expect(page).toContain('5 OTPs sent by Okta itself');
      const report = JSON.parse(await readFile(json, 'utf8')) as { oktaHookFailovers: { count: number } };
      expect(report.oktaHookFailovers.count).toBe(5);
    });

    test('no failover, nothing else: exit 0', async () => {
      const file = join(dir, 'okta-ok.json');
      await writeJson(file, attackDay().slice(0, 6), 'array');
      const result = await run([file, '--until', new Date(BASE).toISOString()]);
      expect(result.code).toBe(EXIT_OK);
      expect(result.stdout).not.toContain('FAILOVERS');
    });
  });
});
