/**
 * The number-velocity rule: per destination number, a window limit and smart (exponential) delays
 * between resends. The first attempts of a streak go out at once; each further one must wait
 * twice as long as the one before, up to a maximum, until the number has been quiet long enough.
 */
import type { ResendPolicy } from '../config/dynamic-policy';
import type { DynamicFinding, DynamicRuleContext } from '../engine/dynamic-types';
import { overLimit } from '../engine/window-limit';

export const NUMBER_VELOCITY_RULE = 'number-velocity';

export function checkNumberVelocity({ input, counters, policy }: DynamicRuleContext): DynamicFinding | undefined {
  const now = input.facts.now;
  const windowReason = overLimit('to this number', counters.number, policy.limits.number, now);
  if (windowReason !== undefined) return block(windowReason);
  const streak = counters.streak;
  if (streak === undefined || policy.resend === undefined || streak.previousAt === undefined) return undefined;
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
