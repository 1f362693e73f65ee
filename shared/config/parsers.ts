/**
 * Parsers for single secret values. Each returns the parsed value or throws a SecretError that
 * names the secret. They are pure and total over strings, so they are property-tested.
 */
import { isSupportedCountry } from 'libphonenumber-js/max';
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
  const items = splitList(raw, separators);
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
  if (bad.length > 0) throw new PartialListError(name, `${expected} (the other items are used)`, bad, valid);
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

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses durations such as `90s`, `15m`, `24h`, `7d` or `250ms` into milliseconds. */
export function parseDurationMs(
  name: string,
  raw: SecretValue,
  fallbackMs: number,
  range: { minMs: number; maxMs: number },
): number {
  if (isUnset(raw)) return fallbackMs;
  const match = /^(\d{1,9})\s*(ms|s|m|h|d)$/i.exec(raw.trim());
  const unit = match?.[2]?.toLowerCase();
  const scale = unit === undefined ? undefined : DURATION_UNITS_MS[unit];
  const expected = `a duration such as 250ms, 30s, 15m, 24h or 7d, from ${formatDuration(range.minMs)} to ${formatDuration(range.maxMs)}`;
  if (match === null || scale === undefined) throw new SecretError(name, expected, raw);
  const value = Number(match[1]) * scale;
  if (value < range.minMs || value > range.maxMs) throw new SecretError(name, expected, raw);
  return value;
}

export function formatDuration(ms: number): string {
  for (const [unit, scale] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= scale && ms % scale === 0) return `${ms / scale}${unit}`;
  }
  return `${ms}ms`;
}

/** An ISO 3166-1 alpha-2 country code, upper-cased. */
export function parseCountryCode(item: string): string | undefined {
  // Test before upper-casing: 'ß'.toUpperCase() is 'SS'.
  const text = item.trim();
  if (!/^[A-Za-z]{2}$/.test(text)) return undefined;
  const code = text.toUpperCase();
  // Only regions that have phone numbers: 'UK' is not ISO (Britain is GB) and would never match.
  return isSupportedCountry(code) ? code : undefined;
}

export function parseCountryList(name: string, raw: SecretValue): string[] {
  return parseList(name, raw, 'ISO 3166-1 alpha-2 country codes such as US, GB, DE', parseCountryCode);
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
