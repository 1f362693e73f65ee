/**
 * The number-list rule: explicit allow / block lists of E.164 numbers and prefixes. An allow match
 * (a support line, a test number) exempts the number from the other number rules; a block match
 * refuses it. When both match, the longer (more specific) prefix wins; a tie goes to block.
 */
import { LINE_SEPARATORS, parseList, type SecretValue } from '../config/parsers';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import type { Finding, SendFacts, StaticPolicy } from '../engine/types';
import { longestMatchingPrefix, parsePrefix } from '../phone/prefix';

export const NUMBER_LIST_RULE = 'number-list';

export function checkNumberLists(facts: SendFacts, policy: StaticPolicy): Finding | undefined {
  const allowed = longestMatchingPrefix(policy.numbers.allow, facts.number.e164);
  const blocked = longestMatchingPrefix(policy.numbers.block, facts.number.e164);
  if (blocked !== undefined && (allowed === undefined || blocked.length >= allowed.length)) {
    return { rule: NUMBER_LIST_RULE, effect: 'block', reason: `destination matches blocked prefix ${blocked}` };
  }
  if (allowed !== undefined) {
    return { rule: NUMBER_LIST_RULE, effect: 'trust', reason: `destination matches allowed prefix ${allowed}` };
  }
  return undefined;
}

// Settings

export const NUMBER_LIST_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_ALLOWED_NUMBERS', actions: 'both', group: 'static rules', meaning: 'E.164 numbers or prefixes exempt from the number rules (comma-separated)', default: 'none', example: '+15005550006, +4477009' },
  { name: 'GUARD_BLOCKED_NUMBERS', actions: 'both', group: 'static rules', meaning: 'E.164 numbers or prefixes always refused (comma-separated)', default: 'none', example: '+3712612, +88' },
];

export function parseNumberListSettings(secrets: Secrets, errors: ConfigErrors): StaticPolicy['numbers'] {
  return {
    allow: new Set(errors.read(() => parsePrefixList('GUARD_ALLOWED_NUMBERS', secrets['GUARD_ALLOWED_NUMBERS']), [])),
    block: new Set(errors.read(() => parsePrefixList('GUARD_BLOCKED_NUMBERS', secrets['GUARD_BLOCKED_NUMBERS']), [])),
  };
}

export function parsePrefixList(name: string, raw: SecretValue): string[] {
  return parseList(name, raw, 'E.164 numbers or prefixes such as +447700900123, +882', parsePrefix, LINE_SEPARATORS);
}

