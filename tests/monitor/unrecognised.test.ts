/**
 * Issue 11 §4: input the monitor does not recognise must not end in "no findings", exit 0: a
 * scheduled job fed the wrong file would stay silent forever. It says which file and why, and
 * exits 1 (an error); files it does recognise are still reported.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, main } from '../../scripts/monitor/cli';
import { Random } from '../../scripts/sim/random';
import { auth0Log, BASE, buildScenario, loginLog, writeJson } from './fixtures';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tollguard-monitor-unrecognised-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: {},
    now: () => BASE + 60_000,
  });
  return { code, stdout, stderr };
}

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('input the monitor does not recognise', () => {
  test.each([
    ['hello.txt', 'hello world\n', 'text'],
    ['package.json', JSON.stringify({ name: 'x', type: 'module', version: '1.0.0', scripts: { test: 'jest' } }, null, 2), 'JSON'],
    ['users.json', JSON.stringify([{ user_id: 'auth0|1', email: 'a@example.com' }, { user_id: 'auth0|2', email: 'b@example.com' }]), 'JSON'],
    ['numbers.ndjson', '{"a":1}\n{"b":2}\n', 'JSON'],
    ['empty.json', '', 'empty'],
  ])('%s: an error naming the file, exit 1, never "no findings"', async (name, content, kind) => {
    const path = await file(name, content);
    const result = await run([path]);
    expect(result.code).toBe(EXIT_ERROR);
    expect(result.stderr).toContain(`error: ${name}: no Auth0, Okta or tollguard log record in it`);
    expect(result.stderr).toContain(kind === 'empty' ? 'the file is empty' : kind === 'text' ? 'text' : 'record');
    expect(result.stdout).not.toMatch(/^findings: 0$/m);
    expect(result.stdout).toContain(`NOT RECOGNISED (no Auth0, Okta or tollguard log in it): ${name}`);
  });

  test('the same in --format json: the report says it, the exit code is 1', async () => {
    const path = await file('hello2.txt', 'hello world\nhow are you\n');
    const result = await run(['--format', 'json', path]);
    expect(result.code).toBe(EXIT_ERROR);
    const report = JSON.parse(result.stdout) as { input: { unrecognised: string[] } };
    expect(report.input.unrecognised).toEqual(['hello2.txt']);
  });

  test('a good file next to a bad one: the good one is still analysed and reported, the run still fails', async () => {
    const scenario = buildScenario();
    const good = join(dir, 'export.json');
    await writeJson(good, scenario.sends.filter((send) => send.format === 'auth0').map((spec) => auth0Log(spec)), 'array');
    const bad = await file('notes.txt', 'hello world\n');
    const result = await run([good, bad]);
    expect(result.code).toBe(EXIT_ERROR);
    expect(result.stdout).toMatch(/findings: [1-9]/);
    expect(result.stderr).toContain('notes.txt: no Auth0, Okta or tollguard log record in it');
    expect(result.stderr).not.toContain('export.json');
    const alone = await run([good]);
    expect(alone.code).toBe(EXIT_FINDINGS);
  });

  test('an Auth0 export with no SMS in it is recognised: no findings, exit 0', async () => {
    const random = new Random(3);
    const path = join(dir, 'logins.json');
    await writeJson(path, Array.from({ length: 20 }, (_, index) => loginLog(BASE - index * 60_000, random)), 'array');
    const result = await run([path]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT_OK);
  });
});
