/**
 * Parsers for single secret values. Each returns the parsed value or throws a SecretError that
 * names the secret. They are pure and total over strings, so they are property-tested.
 */
import { DURATION_EXAMPLES, formatDuration, readDurationMs } from './duration';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { COUNTRIES } from '../data/iso-3166';
import { PartialListError, SecretError } from './secret-error';

export type SecretValue = string | undefined;

const MAX_LIST_ITEMS = 1000;

export function isUnset(raw: SecretValue): raw is undefined {
  return raw === undefined || raw.trim() === '';
}

const WORD_SEPARATORS = /[\s,;]+/;
/** For lists whose items may contain spaces themselves, such as formatted phone prefixes. */
export const LINE_SEPARATORS = /[,;\n]+/;

/** Splits a separated list (commas, semicolons and white space by default), dropping empty items. */
export function splitList(raw: string, separators: RegExp = WORD_SEPARATORS): string[] {
  return raw
    .split(separators)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function parseList<T>(
  name: string,
  raw: SecretValue,
  expected: string,
  parseItem: (item: string) => T | undefined,
  separators?: RegExp,
): T[] {
  if (isUnset(raw)) return [];
  return parseItems(name, splitList(raw, separators), expected, parseItem);
}

/** parseList over items already split. */
export function parseItems<T>(name: string, items: readonly string[], expected: string, parseItem: (item: string) => T | undefined): T[] {
  if (items.length > MAX_LIST_ITEMS) {
    throw new SecretError(name, `at most ${MAX_LIST_ITEMS} items`, `${items.length} items`);
  }
  const valid: T[] = [];
  const bad: string[] = [];
  for (const item of items) {
    const parsed = parseItem(item);
    if (parsed === undefined) bad.push(item);
    else valid.push(parsed);
  }
  if (bad.length > 0) throw new PartialListError(name, `${expected}${PartialListError.KEPT}`, bad, valid);
  return valid;
}

const TRUE_WORDS = new Set(['true', 'on', 'yes', '1', 'enabled']);
const FALSE_WORDS = new Set(['false', 'off', 'no', '0', 'disabled']);

export function parseBoolean(name: string, raw: SecretValue, fallback: boolean): boolean {
  if (isUnset(raw)) return fallback;
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new SecretError(name, 'true or false', raw);
}

export function parseInteger(
  name: string,
  raw: SecretValue,
  fallback: number,
  range: { min: number; max: number },
): number {
  return parseNumberMatching(name, raw, fallback, range, /^-?\d{1,15}$/, 'a whole number');
}

export function parseNumber(
  name: string,
  raw: SecretValue,
  fallback: number,
  range: { min: number; max: number },
): number {
  return parseNumberMatching(name, raw, fallback, range, /^-?\d{1,15}(\.\d{1,15})?$/, 'a number');
}

function parseNumberMatching(
  name: string,
  raw: SecretValue,
  fallback: number,
  range: { min: number; max: number },
  form: RegExp,
  what: string,
): number {
  if (isUnset(raw)) return fallback;
  const text = raw.trim();
  // `+ 0` turns -0 into 0.
  const value = form.test(text) ? Number(text) + 0 : Number.NaN;
  if (!Number.isFinite(value) || value < range.min || value > range.max) {
    throw new SecretError(name, `${what} from ${range.min} to ${range.max}`, raw);
  }
  return value;
}

export function parseEnum<T extends string>(
  name: string,
  raw: SecretValue,
  fallback: T,
  allowed: readonly T[],
): T {
  if (isUnset(raw)) return fallback;
  const word = raw.trim().toLowerCase().replace(/_/g, '-');
  const match = allowed.find((candidate) => candidate === word);
  if (match === undefined) throw new SecretError(name, `one of ${allowed.join(', ')}`, raw);
  return match;
}

/** Parses a duration secret (the grammar of ./duration.ts) into milliseconds within a range. */
export function parseDurationMs(
  name: string,
  raw: SecretValue,
  fallbackMs: number,
  range: { minMs: number; maxMs: number },
): number {
  if (isUnset(raw)) return fallbackMs;
  const value = readDurationMs(raw);
  const expected = `a duration such as ${DURATION_EXAMPLES}, from ${formatDuration(range.minMs)} to ${formatDuration(range.maxMs)}`;
  if (value === undefined || value < range.minMs || value > range.maxMs) throw new SecretError(name, expected, raw);
  return value;
}

export { formatDuration };

/**
 * A country as admins type it, as its ISO 3166-1 alpha-2 code (upper-cased): alpha-2 or alpha-3
 * in any case (`us`, `USA`), `UK` for Britain, or an English short name (`Germany`, `Viet Nam`,
 * accents and punctuation optional). Only regions that have phone numbers are accepted.
 */
export function parseCountryCode(item: string): string | undefined {
  // Test before upper-casing: 'ß'.toUpperCase() is 'SS'.
  const text = item.trim();
  if (/^[A-Za-z]{2}$/.test(text)) {
    const code = text.toUpperCase();
    const alpha2 = code === 'UK' ? 'GB' : code;
    return isSupportedCountry(alpha2) ? alpha2 : undefined;
  }
  if (/^[A-Za-z]{3}$/.test(text)) return alpha3Table().get(text.toUpperCase());
  return countryByName(text);
}

/** Names that are not ISO short names but are what people write. */
const NAME_ALIASES: Readonly<Record<string, string>> = {
  'great britain': 'GB', britain: 'GB', 'united states of america': 'US', america: 'US', russia: 'RU',
  'south korea': 'KR', 'north korea': 'KP', turkey: 'TR', 'czech republic': 'CZ', 'ivory coast': 'CI',
  vatican: 'VA', macedonia: 'MK', 'cape verde': 'CV', swaziland: 'SZ', burma: 'MM', 'east timor': 'TL',
  'dr congo': 'CD',
};

export function countryByName(text: string): string | undefined {
  if (text.length > 60) return undefined;
  const key = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z]+/g, ' ').trim();
  if (key.length < 3) return undefined;
  return NAME_ALIASES[key] ?? nameTable().get(key);
}

let alpha3: Map<string, string> | undefined;
let names: Map<string, string> | undefined;

function readCountryTable(): void {
  alpha3 = new Map();
  names = new Map();
  for (const record of COUNTRIES.split('|')) {
    const alpha2 = record.slice(3, 5);
    alpha3.set(record.slice(0, 3), alpha2);
    for (const name of record.slice(5).split(',')) names.set(name, alpha2);
  }
}

function alpha3Table(): Map<string, string> {
  if (alpha3 === undefined) readCountryTable();
  return alpha3 as Map<string, string>;
}

function nameTable(): Map<string, string> {
  if (names === undefined) readCountryTable();
  return names as Map<string, string>;
}

export const COUNTRY_LIST_FORM = 'ISO 3166-1 alpha-2 codes such as US, GB, DE (alpha-3 codes and English names work too)';

/**
 * Items are separated by commas, semicolons or line breaks; a piece that is not a country name
 * as a whole but holds codes (`US GB DE`) is split again at white space.
 */
export function parseCountryList(name: string, raw: SecretValue): string[] {
  if (isUnset(raw)) return [];
  const items = splitList(raw, LINE_SEPARATORS).flatMap((piece) => {
    if (!/\s/.test(piece) || countryByName(piece) !== undefined) return [piece];
    const words = splitList(piece);
    // 'US GB DE' is three codes; 'Untied States' is one unreadable name, reported whole.
    return words.some((word) => parseCountryCode(word) !== undefined) ? words : [piece];
  });
  return parseItems(name, items, COUNTRY_LIST_FORM, parseCountryCode);
}

/** An https URL (plain http only on loopback, so credentials never cross a network unencrypted). */
export function parseBaseUrl(name: string, raw: SecretValue, fallback: string): string {
  if (isUnset(raw)) return fallback;
  const expected = 'an https:// URL (http:// only for 127.0.0.1 or localhost)';
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new SecretError(name, expected, raw);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new SecretError(name, expected, raw);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}
