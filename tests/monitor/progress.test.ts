/**
 * Issue 11 §4: long live reads show progress on a terminal: one line on stderr, rewritten in
 * place (no progress library is installed, so a small one of our own), only when stderr is a
 * TTY, never with --format json, and cleared before the report. Files read show it the same way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_FINDINGS, main, type CliDeps } from '../../scripts/monitor/cli';
import { progressLine } from '../../scripts/monitor/progress';
import { startManagementApi, type ManagementApiServer } from '../support/management-api-logs';
import { auth0Log, BASE, buildScenario, writeJson } from './fixtures';
import { sdkClients } from './sdk';

const UNTIL = new Date(BASE).toISOString();

describe('progressLine', () => {
  test('rewrites one line in place, at most every interval, and clears it at the end', () => {
    let out = '';
    let clock = 0;
    const line = progressLine({ isTTY: true, write: (text) => void (out += text) }, () => clock, 100);
    expect(line).toBeDefined();
    line?.update('a');
    clock = 50;
    line?.update('b'); // too soon: dropped
    clock = 150;
    line?.update('c');
    line?.done();
    expect(out).toBe('\r\u001b[2Ka\r\u001b[2Kc\r\u001b[2K');
  });

  test('nothing when the stream is not a terminal', () => {
    expect(progressLine({ isTTY: false, write: () => undefined }, () => 0)).toBeUndefined();
    expect(progressLine({ write: () => undefined }, () => 0)).toBeUndefined();
  });
});

describe('the command line', () => {
  let server: ManagementApiServer;
  let dir: string;
  beforeAll(async () => {
    server = await startManagementApi();
    server.addLogs(buildScenario().sends.filter((send) => send.format === 'auth0').map((spec) => auth0Log(spec)));
    dir = await mkdtemp(join(tmpdir(), 'tollguard-monitor-progress-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(args: string[], tty: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    let clock = BASE;
    const deps: Partial<CliDeps> = {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      stderrIsTTY: tty,
      env: {},
      // Every reading of the clock moves it 1 s on, so each page is worth a progress update.
      now: () => (clock += 1000),
      management: () => sdkClients(server.url, server.staticToken),
    };
    const code = await main(args, deps);
    return { code, stdout, stderr };
  }

  const live = ['--source', 'live', '--domain', 'acme.eu.auth0.com', '--token', 'x', '--since', '2025-03-01', '--until', UNTIL];

  test('live, stderr a TTY: a progress line per page (pages, logs, sends), cleared before the report', async () => {
    const result = await run(live, true);
    expect(result.code).toBe(EXIT_FINDINGS);
    const updates = result.stderr.split('\r\u001b[2K').filter((part) => part.length > 0);
    expect(updates.length).toBeGreaterThanOrEqual(3);
    expect(updates[updates.length - 1]).toMatch(/^reading logs: \d+ requests?, [\d,]+ logs, [\d,]+ sends$/);
    expect(result.stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(result.stdout).not.toContain('\r');
  });

  test('live, stderr not a TTY (a cron job, a pipe): no progress at all', async () => {
    const result = await run(live, false);
    expect(result.code).toBe(EXIT_FINDINGS);
    expect(result.stderr).toBe('');
  });

  test('--format json: no progress even on a terminal, and stdout is pure JSON', async () => {
    const result = await run([...live, '--format', 'json'], true);
    expect(result.stderr).toBe('');
    expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
  });

  test('files: the same line, per file', async () => {
    const file = join(dir, 'export.json');
    await writeJson(file, buildScenario().sends.filter((send) => send.format === 'auth0').map((spec) => auth0Log(spec)), 'array');
    const result = await run([file, '--until', UNTIL], true);
    expect(result.code).toBe(EXIT_FINDINGS);
    expect(result.stderr).toMatch(/reading export\.json: [\d,]+ records, [\d.]+ [kM]?B/);
  });
});
