/**
 * Recipient numbers: the raw `message_options.recipient` string becomes a validated E.164 number
 * with its country and line type, or a refusal with a reason. libphonenumber-js with full metadata
 * ("max") is the source of truth for validity and type; it is required at run time, not bundled.
 */
import { parsePhoneNumberWithError, type CountryCode, type NumberType } from 'libphonenumber-js/max';

export interface PhoneNumberFacts {
  e164: string;
  /** ISO 3166-1 alpha-2, or undefined for non-geographic numbers (+800, +882, +883 ...). */
  country: string | undefined;
  callingCode: string;
  /** libphonenumber's type, e.g. MOBILE, FIXED_LINE_OR_MOBILE, PREMIUM_RATE; undefined if unknown. */
  type: NumberType | undefined;
}

export type NumberParseResult =
  | { ok: true; number: PhoneNumberFacts }
  | { ok: false; reason: string };

/** E.164 allows 15 digits; anything much longer than a formatted number is hostile or broken. */
const MAX_RECIPIENT_LENGTH = 32;
const ALLOWED_FORMATTING = /^\+[0-9 ()\-.]+$/;

export function parseRecipient(raw: unknown): NumberParseResult {
  if (typeof raw !== 'string') return { ok: false, reason: 'recipient is missing or not a string' };
  const text = raw.trim();
  if (text.length === 0) return { ok: false, reason: 'recipient is empty' };
  if (text.length > MAX_RECIPIENT_LENGTH) {
    return { ok: false, reason: `recipient is ${text.length} characters long, too long for a phone number` };
  }
  if (!text.startsWith('+')) return { ok: false, reason: 'recipient is not in E.164 form (no leading +)' };
  if (!ALLOWED_FORMATTING.test(text)) {
    return { ok: false, reason: 'recipient contains characters other than ASCII digits and formatting' };
  }
  try {
    const parsed = parsePhoneNumberWithError(text);
    if (!parsed.isValid()) return { ok: false, reason: 'recipient is not a valid phone number' };
    return {
      ok: true,
      number: {
        e164: parsed.number,
        country: parsed.country,
        callingCode: parsed.countryCallingCode,
        type: parsed.getType(),
      },
    };
  } catch (error) {
    const code = error instanceof Error ? error.message : 'unparseable';
    return { ok: false, reason: `recipient is not a phone number (${code})` };
  }
}

export type { CountryCode, NumberType };
