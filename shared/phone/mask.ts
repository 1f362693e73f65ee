/**
 * Masks a phone number for logs: the country code and the first national digits (enough to see the
 * range being attacked) and the last two digits stay; the middle is replaced by `*`.
 */
export function maskPhoneNumber(e164: string, callingCode?: string): string {
  const digits = e164.replace(/\D/g, '');
  if (digits.length < 6) return '+' + '*'.repeat(digits.length);
  const keepHead = Math.min((callingCode?.length ?? 1) + 3, digits.length - 4);
  const keepTail = 2;
  const middle = digits.length - keepHead - keepTail;
  return `+${digits.slice(0, keepHead)}${'*'.repeat(middle)}${digits.slice(-keepTail)}`;
}

/** For inputs that never parsed: show only the length and character class, never the content. */
export function describeUnparsedRecipient(raw: unknown): string {
  if (typeof raw !== 'string') return `<${raw === null ? 'null' : typeof raw}>`;
  return `<${raw.length} chars>`;
}
