/**
 * Masks a phone number for logs: the country code and the first national digits (enough to see the
 * range being attacked) and the last two digits stay; the middle is replaced by `*`.
 */
export function maskPhoneNumber(e164: string, callingCode?: string): string {
  const digits = e164.replace(/\D/g, '');
  if (digits.length < 6) return '+' + '*'.repeat(digits.length);
  const codeLength = callingCode?.length ?? 1;
  const keepTail = 2;
  // Up to 3 national digits stay (the range under attack), but at least 4 digits are always hidden.
  const nationalShown = Math.max(0, Math.min(3, digits.length - codeLength - keepTail - 4));
  const keepHead = Math.min(codeLength + nationalShown, digits.length - keepTail - 4);
  const middle = digits.length - keepHead - keepTail;
  return `+${digits.slice(0, keepHead)}${'*'.repeat(middle)}${digits.slice(-keepTail)}`;
}

/** For inputs that never parsed: show only the length and character class, never the content. */
export function describeUnparsedRecipient(raw: unknown): string {
  if (typeof raw !== 'string') return `<${raw === null ? 'null' : typeof raw}>`;
  return `<${raw.length} chars>`;
}
