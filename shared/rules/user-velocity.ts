/**
 * The user-velocity rule: OTPs per user per window. Users the registration Action marked
 * low-trust get the tighter GUARD_LIMIT_USER_LOW_TRUST (or, when that is off, the ordinary limit).
 */
import type { DynamicFinding, DynamicRuleContext } from '../engine/dynamic-types';
import { overLimit } from '../engine/window-limit';

export const USER_VELOCITY_RULE = 'user-velocity';

export function checkUserVelocity({ input, counters, policy }: DynamicRuleContext): DynamicFinding | undefined {
  const lowTrust = input.trust === 'low';
  const limit = lowTrust ? policy.limits.userLowTrust ?? policy.limits.user : policy.limits.user;
  const reason = overLimit(lowTrust ? 'for this low-trust user' : 'for this user', counters.user, limit, input.facts.now);
  return reason === undefined ? undefined : { finding: { rule: USER_VELOCITY_RULE, effect: 'block', reason } };
}
