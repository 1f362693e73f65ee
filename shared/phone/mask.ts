/**
 * Masks a phone number for logs: the country code and the first national digits (enough to see the
 * range being attacked) and the last two digits stay; the middle is replaced by `*`.
 *
 * The calling code is read from the digits themselves (calling codes are prefix-free), so one
 * number has one mask wherever it is masked: the decision line, the dry-run sender, the monitor.
 */
import { getCountries, getCountryCallingCode } from 'libphonenumber-js/max';

/** Non-geographic calling codes (global services), which no country carries. */
const NON_GEOGRAPHIC_CODES = ['800', '808', '870', '878', '881', '882', '883', '888', '979'];

let callingCodes: ReadonlySet<string> | undefined;

function knownCallingCodes(): ReadonlySet<string> {
  callingCodes ??= new Set([...getCountries().map((country) => String(getCountryCallingCode(country))), ...NON_GEOGRAPHIC_CODES]);
  return callingCodes;
}

/** The calling code the digits start with, if any. */
export function callingCodeOf(digits: string): string | undefined {
  const codes = knownCallingCodes();
  for (let length = 1; length <= 3; length += 1) {
    const candidate = digits.slice(0, length);
    if (codes.has(candidate)) return candidate;
  }
  return undefined;
}

/**
 * `callingCode` is accepted for older callers and ignored when the digits name their own: the mask
 * depends on the number only.
 */
export function maskPhoneNumber(e164: string, callingCode?: string): string {
  const digits = e164.replace(/\D/g, '');
  if (digits.length < 6) return '+' + '*'.repeat(digits.length);
  const codeLength = (callingCodeOf(digits) ?? callingCode ?? '0').length;
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
