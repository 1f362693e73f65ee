/**
 * The number-list rule: explicit allow / block lists of E.164 numbers and prefixes. An allow match
 * (a support line, a test number) exempts the number from the other number rules; a block match
 * refuses it. When both match, the longer (more specific) prefix wins; a tie goes to block.
 */
import type { Finding, SendFacts, StaticPolicy } from '../engine/types';
import { longestMatchingPrefix } from '../phone/prefix';

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
