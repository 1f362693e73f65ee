/**
 * Valid random phone numbers for simulated traffic: a country's example mobile number with its
 * tail randomised, or a number inside a given range, each checked with libphonenumber-js.
 */
import { getExampleNumber, parsePhoneNumber, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';
import type { Random } from './random';

const MOBILE_TYPES = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

export function mobileNumber(country: string, random: Random): string {
  const example = getExampleNumber(country as CountryCode, examples);
  if (example === undefined) throw new Error(`no example number for ${country}`);
  const e164 = example.number;
  // Keep as little of the example as still yields valid mobiles, so numbers spread over many ranges.
  for (let national = 1; national <= 3; national += 1) {
    const keep = 1 + example.countryCallingCode.length + national;
    for (let attempt = 0; attempt < 30; attempt += 1) {
      const candidate = e164.slice(0, keep) + random.digits(e164.length - keep);
      if (isUsable(candidate, country)) return candidate;
    }
  }
  return e164;
}

export function numberInRange(range: string, random: Random): string {
  const parsed = parseOrUndefined(range + '0'.repeat(Math.max(0, 12 - range.length)));
  const lengths = [12, 11, 13, 10, 14];
  if (parsed?.country) {
    const example = getExampleNumber(parsed.country, examples);
    if (example) lengths.unshift(example.number.length);
  }
  for (const length of lengths) {
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const candidate = range + random.digits(Math.max(0, length - range.length));
      if (parseOrUndefined(candidate)?.isValid()) return candidate;
    }
  }
  throw new Error(`could not make a valid number in range ${range}`);
}

/**
 * A valid mobile of `country` itself: countries that share a calling code (the NANP's +1, +7,
 * +44...) would otherwise get another member's numbers (a "CA" number with a US area code).
 */
function isUsable(e164: string, country: string): boolean {
  const parsed = parseOrUndefined(e164);
  return parsed !== undefined && parsed.isValid() && parsed.country === country && MOBILE_TYPES.has(parsed.getType() ?? '');
}

function parseOrUndefined(e164: string) {
  try {
    return parsePhoneNumber(e164);
  } catch {
    return undefined;
  }
}
