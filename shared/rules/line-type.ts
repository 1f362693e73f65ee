/**
 * The line-type rule: number types an OTP never needs to reach (premium rate, shared cost, UAN,
 * pager, voicemail, personal numbers, toll free) are refused offline, before any money is spent.
 */
import type { NumberType } from 'libphonenumber-js/max';
import { isUnset, parseList } from '../config/parsers';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import type { Finding, SendFacts, StaticPolicy } from '../engine/types';

export const LINE_TYPE_RULE = 'line-type';

export function checkLineType(facts: SendFacts, policy: StaticPolicy): Finding | undefined {
  const type = facts.number.type;
  if (type === undefined || !policy.blockedLineTypes.has(type)) return undefined;
  return { rule: LINE_TYPE_RULE, effect: 'block', reason: `destination is a ${type} number` };
}

// Settings

export const LINE_TYPE_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_BLOCKED_LINE_TYPES', actions: 'both', group: 'static rules', meaning: 'libphonenumber line types refused, or none', default: 'PREMIUM_RATE, SHARED_COST, UAN, PAGER, VOICEMAIL, PERSONAL_NUMBER, TOLL_FREE', example: 'PREMIUM_RATE, VOIP' },
];

export const ALL_LINE_TYPES: readonly NumberType[] = [
  'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL',
  'FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE',
];

export const DEFAULT_BLOCKED_LINE_TYPES: readonly NumberType[] = [
  'PREMIUM_RATE', 'SHARED_COST', 'UAN', 'PAGER', 'VOICEMAIL', 'PERSONAL_NUMBER', 'TOLL_FREE',
];

export function parseLineTypeSettings(secrets: Secrets, errors: ConfigErrors): NumberType[] {
  const raw = secrets['GUARD_BLOCKED_LINE_TYPES'];
  if (!isUnset(raw) && raw.trim().toLowerCase() === 'none') return [];
  return errors.read(
    () =>
      isUnset(raw)
        ? [...DEFAULT_BLOCKED_LINE_TYPES]
        : parseList('GUARD_BLOCKED_LINE_TYPES', raw, `"none" or line types from ${ALL_LINE_TYPES.join(', ')}`, (item) =>
            ALL_LINE_TYPES.find((type) => type === item.toUpperCase().replace(/-/g, '_')),
          ),
    [...DEFAULT_BLOCKED_LINE_TYPES],
  );
}

