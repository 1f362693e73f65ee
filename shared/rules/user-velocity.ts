/**
 * The user-velocity rule: OTPs per user per window. Users the registration Action marked
 * low-trust get the tighter GUARD_LIMIT_USER_LOW_TRUST (or, when that is off, the ordinary limit).
 * And new numbers one user enrols per window (GUARD_LIMIT_USER_NUMBERS): a person enrols one
 * phone, perhaps a second after changing it; an aged account used for pumping must enrol every
 * number it pumps, since the platform only challenges a factor it confirmed.
 */
import type { DynamicFinding, DynamicRuleContext } from '../engine/dynamic-types';
import { overLimit } from '../engine/window-limit';
import { formatWindowLimit, readWindowLimit, type WindowLimit } from '../config/dynamic-policy';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';

export const USER_VELOCITY_RULE = 'user-velocity';

export function checkUserVelocity({ input, counters, policy }: DynamicRuleContext): DynamicFinding | undefined {
  const lowTrust = input.trust === 'low';
  const limit = lowTrust ? policy.limits.userLowTrust ?? policy.limits.user : policy.limits.user;
  const reason =
    overLimit(lowTrust ? 'for this low-trust user' : 'for this user', counters.user, limit, input.facts.now) ?? numbersReason(counters.userNumbers?.current, policy.limits.userNumbers);
  return reason === undefined ? undefined : { finding: { rule: USER_VELOCITY_RULE, effect: 'block', reason } };
}

function numbersReason(enrolled: number | undefined, limit: WindowLimit | undefined): string | undefined {
  if (enrolled === undefined || limit === undefined || enrolled <= limit.max) return undefined;
  return `${enrolled} new numbers enrolled by this user, over the limit of ${formatWindowLimit(limit)}`;
}

// Settings

export const USER_VELOCITY_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_LIMIT_USER', actions: 'send', group: 'velocity', meaning: 'Attempts per user', default: '10/1h', example: '8/1h' },
  { name: 'GUARD_LIMIT_USER_LOW_TRUST', actions: 'send', group: 'velocity', meaning: 'Attempts per user the registration Action marked low-trust', default: '4/1h', example: '3/1h' },
  { name: 'GUARD_LIMIT_USER_NUMBERS', actions: 'send', group: 'velocity', meaning: 'New numbers one user may enrol (resends to a number do not count)', default: '3/1d', example: '2/1d' },
];

export function parseUserVelocitySettings(
  secrets: Secrets,
  errors: ConfigErrors,
): { user: WindowLimit | undefined; userLowTrust: WindowLimit | undefined; userNumbers: WindowLimit | undefined } {
  return {
    user: readWindowLimit(secrets, errors, 'GUARD_LIMIT_USER'),
    userLowTrust: readWindowLimit(secrets, errors, 'GUARD_LIMIT_USER_LOW_TRUST'),
    userNumbers: readWindowLimit(secrets, errors, 'GUARD_LIMIT_USER_NUMBERS'),
  };
}
