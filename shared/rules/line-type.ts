/**
 * The line-type rule: number types an OTP never needs to reach (premium rate, shared cost, UAN,
 * pager, voicemail, personal numbers, toll free) are refused offline, before any money is spent.
 */
import type { Finding, SendFacts, StaticPolicy } from '../engine/types';

export const LINE_TYPE_RULE = 'line-type';

export function checkLineType(facts: SendFacts, policy: StaticPolicy): Finding | undefined {
  const type = facts.number.type;
  if (type === undefined || !policy.blockedLineTypes.has(type)) return undefined;
  return { rule: LINE_TYPE_RULE, effect: 'block', reason: `destination is a ${type} number` };
}
