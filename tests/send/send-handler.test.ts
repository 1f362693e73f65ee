/**
 * The send flow's safety net, on the TypeScript sources: whatever fails in the dynamic part, the
 * static findings stand, and the fail mode applies to rule errors.
 */
import { buildSendContainer } from '../../shared/send/container';
import { handleSendPhoneMessage } from '../../shared/send/send-handler';
import { sendPhoneMessageEvent } from '../support/actions-runtime';

function run(recipient: string, secrets: Record<string, string>, breakDynamic: boolean) {
  const lines: string[] = [];
  const container = buildSendContainer({ TWILIO_DRY_RUN: 'true', ...secrets }, (line) => lines.push(line));
  if (breakDynamic) {
    container.guardFor = () => {
      throw new Error('store adapter exploded');
    };
  }
  const event = sendPhoneMessageEvent({ message_options: { recipient } });
  const outcome = handleSendPhoneMessage(event, { container, now: () => Date.UTC(2026, 10, 23, 12), log: (line) => lines.push(line), tenant: 't' });
  return { outcome, lines };
}

function decision(lines: string[]): Record<string, unknown> {
  const line = lines.find((entry) => entry.startsWith('{"tollguard"'));
  return JSON.parse(line ?? '{}') as Record<string, unknown>;
}

test('a failure in the dynamic part keeps the static refusal', async () => {
  const { outcome, lines } = run('+2348031234567', {}, true);
  await expect(outcome).rejects.toThrow(/geo/);
  expect(decision(lines)['rule_errors']).toEqual([expect.stringContaining('store adapter exploded')]);
});

test('a failure in the dynamic part lets a clean number through when failing open, and refuses it when failing closed', async () => {
  const open = run('+14155552671', {}, true);
  await expect(open.outcome).resolves.toBeUndefined();
  expect(decision(open.lines)['outcome']).toBe('delivered');
  const closed = run('+14155552671', { GUARD_FAIL_MODE: 'closed' }, true);
  await expect(closed.outcome).rejects.toThrow(/guard-error/);
});
