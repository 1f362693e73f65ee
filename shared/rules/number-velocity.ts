/**
 * The number-velocity rule: per destination number, a window limit and smart (exponential) delays
 * between resends. The first attempts of a streak go out at once; each further one must wait
 * twice as long as the one before, up to a maximum, until the number has been quiet long enough.
 * A number a code already proved for this user (served-country.ts provenByUsedCode) waits for
 * nothing: the waits keep a resend storm to a new number cheap, while
 * the window limit, which still applies, is what bounds one number's volume either way; an
 * attacker who proved a number gains at most that limit, and a real user who taps "resend" in a
 * hurry is not refused on a number that already worked.
 */
import type { DynamicFinding, DynamicRuleContext } from '../engine/dynamic-types';
import { overLimit } from '../engine/window-limit';
import { readWindowLimit, type ResendPolicy, type WindowLimit } from '../config/dynamic-policy';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import { isUnset, parseDurationMs } from '../config/parsers';
import { provenByUsedCode } from './served-country';

export const NUMBER_VELOCITY_RULE = 'number-velocity';

export function checkNumberVelocity({ input, counters, policy }: DynamicRuleContext): DynamicFinding | undefined {
  const now = input.facts.now;
  const windowReason = overLimit('to this number', counters.number, policy.limits.number, now);
  if (windowReason !== undefined) return block(windowReason);
  const streak = counters.streak;
  if (streak === undefined || policy.resend === undefined || streak.previousAt === undefined) return undefined;
  if (provenByUsedCode(input, counters)) return undefined;
  const waitMs = requiredResendDelayMs(streak.streak, policy.resend);
  const waitedMs = Math.max(0, now - streak.previousAt);
  if (waitedMs >= waitMs) return undefined;
  return block(`attempt ${streak.streak} to this number came ${Math.round(waitedMs / 1000)}s after the last; it must wait ${Math.round(waitMs / 1000)}s`);
}

/** The wait before attempt `attempt` (1-based) of a streak. */
export function requiredResendDelayMs(attempt: number, resend: ResendPolicy): number {
  if (attempt <= resend.freeAttempts) return 0;
  const doublings = Math.min(attempt - resend.freeAttempts - 1, 30);
  return Math.min(resend.baseDelayMs * 2 ** doublings, resend.maxDelayMs);
}

function block(reason: string): DynamicFinding {
  return { finding: { rule: NUMBER_VELOCITY_RULE, effect: 'block', reason } };
}

// Settings

export const NUMBER_VELOCITY_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_LIMIT_NUMBER', actions: 'send', group: 'velocity', meaning: 'Attempts per destination number (count/window, or off)', default: '10/1h', example: '5/1h' },
  { name: 'GUARD_RESEND_DELAY', actions: 'send', group: 'velocity', meaning: 'Wait before the 4th attempt of a burst to one number; doubles for each further attempt (or off)', default: '30s', example: '45s' },
  { name: 'GUARD_RESEND_MAX_DELAY', actions: 'send', group: 'velocity', meaning: 'Longest resend wait; a burst ends after 1.5x this (at least 15 min) of silence', default: '10m', example: '30m' },
];

export function parseNumberVelocitySettings(secrets: Secrets, errors: ConfigErrors): { number: WindowLimit | undefined; resend: ResendPolicy | undefined } {
  return { number: readWindowLimit(secrets, errors, 'GUARD_LIMIT_NUMBER'), resend: parseResend(secrets, errors) };
}

const HOUR = 3_600_000;

function parseResend(secrets: Secrets, errors: ConfigErrors): ResendPolicy | undefined {
  const raw = secrets['GUARD_RESEND_DELAY'];
  if (!isUnset(raw) && raw.trim().toLowerCase() === 'off') return undefined;
  const baseDelayMs = errors.read(() => parseDurationMs('GUARD_RESEND_DELAY', raw, 30_000, { minMs: 1000, maxMs: HOUR }), 30_000);
  const defaultMaxMs = Math.max(baseDelayMs, 10 * 60_000);
  const maxDelayMs = errors.read(
    () => parseDurationMs('GUARD_RESEND_MAX_DELAY', secrets['GUARD_RESEND_MAX_DELAY'], defaultMaxMs, { minMs: baseDelayMs, maxMs: 24 * HOUR }),
    defaultMaxMs,
  );
  // A streak is one burst of resends: after a quiet spell longer than the longest wait, a new
  // login starts afresh (the window limit still bounds a slow trickle). Three attempts are free:
  // where SMS delivery is poor a real person taps "resend" twice within a minute or two, and the
  // volume one number can draw is bounded by its window limit, not by these waits.
  return { freeAttempts: 3, baseDelayMs, maxDelayMs, resetMs: Math.max(15 * 60_000, Math.ceil(1.5 * maxDelayMs)) };
}

