/**
 * `npm start`, as a newcomer runs it: both send triggers, and TOLLGUARD_ECHO=1 prints the decision
 * lines themselves (JSON, numbers masked as everywhere else), never a raw recipient.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..');
const run = promisify(execFile);

async function start(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'start.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    timeout: 90_000,
    maxBuffer: 8 * 1024 * 1024,
  });
  return stdout;
}

const RAW_RECIPIENTS = ['+14155552671', '4155552671', '+4915112345678', '+447400123456', '+2348031234567', '+449098790000', '+37120123456'];

test.each(['send-phone-message', 'custom-phone-provider'])('--trigger %s with TOLLGUARD_ECHO=1: one JSON decision line per OTP, masked', async (trigger) => {
  const out = await start(['--trigger', trigger], { TOLLGUARD_ECHO: '1' });
  const decisions = out.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('{"tollguard":"decision"')).map((line) => JSON.parse(line) as Record<string, unknown>);
  const sends = decisions.filter((line) => line['trigger'] === trigger);
  expect(sends).toHaveLength(9);
  expect(sends.map((line) => line['outcome'])).toEqual(['delivered', 'delivered', 'delivered', 'refused', 'refused', 'refused', 'refused', 'refused', 'refused']);
  expect(decisions.some((line) => line['trigger'] === 'pre-user-registration')).toBe(true);
  for (const raw of RAW_RECIPIENTS) expect(out).not.toContain(raw);
  // The dry-run line and the decision line mask a number the same way.
  expect(out).toContain('would send sms to +1415*****71');
  expect(sends[0]?.['to']).toBe('+1415*****71');
}, 120_000);

test('an unknown trigger is refused with a clear message', async () => {
  await expect(start(['--trigger', 'okta'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--trigger must be one of send-phone-message, custom-phone-provider') });
});
