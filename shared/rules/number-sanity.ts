/**
 * The number-sanity rule: a recipient that is not a valid E.164 phone number is refused before any
 * other rule runs (there is nothing to look up, count or deliver).
 */
import type { Finding } from '../engine/types';
import { parseRecipient, type PhoneNumberFacts } from '../phone/e164';

export const NUMBER_SANITY_RULE = 'number-sanity';

export function checkRecipient(raw: unknown): { number: PhoneNumberFacts } | { finding: Finding } {
  const parsed = parseRecipient(raw);
  if (parsed.ok) return { number: parsed.number };
  return { finding: { rule: NUMBER_SANITY_RULE, effect: 'block', reason: parsed.reason } };
}
