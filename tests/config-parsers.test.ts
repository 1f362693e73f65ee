/**
 * shared/config/parsers.ts and secret-error.ts: every secret parser gives its fallback when unset,
 * parses valid values, and refuses anything else with a SecretError naming the secret.
 */
import fc from 'fast-check';
import {
  formatDuration,
  isUnset,
  parseBaseUrl,
  parseBoolean,
  parseCountryCode,
  parseCountryList,
  parseDurationMs,
  parseEnum,
  parseInteger,
  parseList,
  parseNumber,
  splitList,
} from '../shared/config/parsers';
import { SecretError } from '../shared/config/secret-error';
import { COUNTRIES } from '../shared/data/iso-3166';

const NAME = 'GUARD_TEST_SECRET';
const UNSET = [undefined, '', '   ', '\n\t '];

function secretError(run: () => unknown): SecretError {
  try {
    run();
  } catch (error) {
    if (error instanceof SecretError) return error;
    throw new Error(`expected a SecretError, got ${String(error)}`);
  }
  throw new Error('expected a SecretError, nothing was thrown');
}

/** The error names the secret (property and message) and says what was expected. */
function expectRefused(run: () => unknown, expected: string | RegExp): SecretError {
  const error = secretError(run);
  expect(error).toBeInstanceOf(Error);
  expect(error.name).toBe('SecretError');
  expect(error.secret).toBe(NAME);
  expect(error.message).toContain(`secret ${NAME} is invalid`);
  if (typeof expected === 'string') expect(error.message).toContain(`expected ${expected}`);
  else expect(error.message).toMatch(expected);
  return error;
}

const DAY = 86_400_000;

describe('SecretError', () => {
  test('names the secret and the expected form and quotes a short value', () => {
    const error = new SecretError('GUARD_MODE', 'one of enforce, monitor, off', 'enforcing');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SecretError');
    expect(error.secret).toBe('GUARD_MODE');
    expect(error.expected).toBe('one of enforce, monitor, off');
    expect(error.message).toBe('secret GUARD_MODE is invalid: expected one of enforce, monitor, off, got "enforcing"');
  });

  test('an empty value is described, not quoted', () => {
    expect(new SecretError('X', 'y', '').message).toBe('secret X is invalid: expected y, got an empty value');
  });

  test('a long value is shortened in the message', () => {
    const value = 'abcdefghij'.repeat(5) + 'TAIL-SECRET-PART';
    const error = new SecretError('X', 'y', value);
    expect(error.message).not.toContain(value);
    expect(error.message).not.toContain('TAIL-SECRET-PART');
    expect(error.message).toContain(`"${value.slice(0, 37)}..."`);
  });

  test('a 40-character value is shown whole, 41 characters are shortened', () => {
    expect(new SecretError('X', 'y', 'a'.repeat(40)).message).toContain(`"${'a'.repeat(40)}"`);
    expect(new SecretError('X', 'y', 'a'.repeat(41)).message).toContain(`"${'a'.repeat(37)}..."`);
  });

  test('PROPERTY: the message never holds more than 40 characters of the value', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 41, maxLength: 300 }), (value) => {
        const message = new SecretError('X', 'y', value).message;
        expect(message).not.toContain(value);
        expect(message.length).toBeLessThanOrEqual('secret X is invalid: expected y, got '.length + JSON.stringify(value.slice(0, 37) + '...').length);
      }),
    );
  });
});

describe('unset values give the fallback', () => {
  test.each(UNSET)('%p', (raw) => {
    expect(isUnset(raw)).toBe(true);
    expect(parseBoolean(NAME, raw, true)).toBe(true);
    expect(parseBoolean(NAME, raw, false)).toBe(false);
    expect(parseInteger(NAME, raw, 42, { min: 0, max: 100 })).toBe(42);
    expect(parseNumber(NAME, raw, 0.5, { min: 0, max: 1 })).toBe(0.5);
    expect(parseEnum(NAME, raw, 'enforce', ['enforce', 'monitor', 'off'])).toBe('enforce');
    expect(parseDurationMs(NAME, raw, 5000, { minMs: 500, maxMs: 15_000 })).toBe(5000);
    expect(parseBaseUrl(NAME, raw, 'https://fallback.example')).toBe('https://fallback.example');
    expect(parseCountryList(NAME, raw)).toEqual([]);
    expect(parseList(NAME, raw, 'anything', (item) => item)).toEqual([]);
  });

  test('a value with content is not unset', () => {
    expect(isUnset(' x ')).toBe(false);
  });
});

describe('parseBoolean', () => {
  test.each([
    ['true', true],
    ['TRUE', true],
    [' on ', true],
    ['Yes', true],
    ['1', true],
    ['enabled', true],
    ['false', false],
    ['OFF', false],
    ['no', false],
    ['0', false],
    [' Disabled\n', false],
  ])('%p → %p', (raw, value) => {
    expect(parseBoolean(NAME, raw, !value)).toBe(value);
  });

  test.each(['maybe', 'tru', '2', 'y', 'n', 'true false', 'nope'])('refuses %p', (raw) => {
    const error = expectRefused(() => parseBoolean(NAME, raw, false), 'true or false');
    expect(error.message).toContain(JSON.stringify(raw));
  });

  test('PROPERTY: returns a boolean or throws a SecretError, on any string', () => {
    const wordish = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('true', 'false', 'on', 'off', 'yes', 'no', '1', '0', 'enabled', 'disabled').chain((word) =>
        fc.tuple(fc.constantFrom('', ' ', '\t'), fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length })).map(
          ([pad, upper]) => pad + Array.from(word, (c, i) => (upper[i] ? c.toUpperCase() : c)).join('') + pad,
        ),
      ),
    );
    fc.assert(
      fc.property(wordish, fc.boolean(), (raw, fallback) => {
        let value: boolean;
        try {
          value = parseBoolean(NAME, raw, fallback);
        } catch (error) {
          expect(error).toBeInstanceOf(SecretError);
          expect((error as SecretError).secret).toBe(NAME);
          return;
        }
        expect(typeof value).toBe('boolean');
        const word = raw.trim().toLowerCase();
        if (['true', 'on', 'yes', '1', 'enabled'].includes(word)) expect(value).toBe(true);
        else if (['false', 'off', 'no', '0', 'disabled'].includes(word)) expect(value).toBe(false);
        else expect(value).toBe(fallback);
      }),
    );
  });
});

describe('parseInteger', () => {
  const range = { min: 1, max: 100 };

  test.each([
    ['42', 42],
    [' 7 ', 7],
    ['1', 1],
    ['100', 100],
  ])('%p → %p', (raw, value) => {
    expect(parseInteger(NAME, raw, 5, range)).toBe(value);
  });

  test('negative numbers', () => {
    expect(parseInteger(NAME, '-7', 0, { min: -10, max: 10 })).toBe(-7);
  });

  test.each(['0', '101', '-1', '4.2', '1e3', '0x10', '12abc', '1 000', '١٢', '１２', '+5', 'NaN', 'Infinity', '9999999999999999'])(
    'refuses %p',
    (raw) => {
      expectRefused(() => parseInteger(NAME, raw, 5, range), 'a whole number from 1 to 100');
    },
  );

  test('PROPERTY: on any string, an integer within range or a SecretError, never NaN', () => {
    const numberish = fc.oneof(
      fc.string(),
      fc.integer().map(String),
      fc.string({ unit: fc.constantFrom('-', '0', '1', '5', '9', ' ', '.', 'e') }),
    );
    fc.assert(
      fc.property(numberish, (raw) => {
        let value: number;
        try {
          value = parseInteger(NAME, raw, 50, { min: -1000, max: 1000 });
        } catch (error) {
          expect(error).toBeInstanceOf(SecretError);
          return;
        }
        expect(Number.isInteger(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(-1000);
        expect(value).toBeLessThanOrEqual(1000);
      }),
    );
  });

  test('PROPERTY: round trip of any integer in range', () => {
    const rangeAndValue = fc
      .tuple(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: -1e12, max: 1e12 }))
      .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }))
      .chain((r) => fc.tuple(fc.constant(r), fc.integer(r)));
    fc.assert(
      fc.property(rangeAndValue, fc.constantFrom('', ' ', '\t'), ([r, n], pad) => {
        expect(parseInteger(NAME, `${pad}${n}${pad}`, r.min, r)).toBe(n);
      }),
    );
  });
});

describe('parseNumber', () => {
  test.each([
    ['0.5', 0.5],
    ['1', 1],
    [' 0.25 ', 0.25],
    ['0', 0],
  ])('%p → %p', (raw, value) => {
    expect(parseNumber(NAME, raw, 0.9, { min: 0, max: 1 })).toBe(value);
  });

  test.each(['1.5', '-0.1', '.5', '5.', '1e-1', 'NaN', 'Infinity', '0,5', 'half'])('refuses %p', (raw) => {
    expectRefused(() => parseNumber(NAME, raw, 0.9, { min: 0, max: 1 }), 'a number from 0 to 1');
  });
});

describe('parseEnum', () => {
  const modes = ['enforce', 'monitor', 'off'] as const;

  test.each([
    ['enforce', 'enforce'],
    ['MONITOR', 'monitor'],
    [' Off ', 'off'],
  ])('%p → %p', (raw, value) => {
    expect(parseEnum(NAME, raw, 'enforce', modes)).toBe(value);
  });

  test.each(['block', 'enforcing', 'on'])('refuses %p', (raw) => {
    expectRefused(() => parseEnum(NAME, raw, 'enforce', modes), 'one of enforce, monitor, off');
  });
});

describe('parseDurationMs', () => {
  const range = { minMs: 100, maxMs: 30 * DAY };
  const expectedForm = 'a duration such as 250ms, 30s, 15m, 24h or 7d, from 100ms to 30d';

  test.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['7d', 7 * DAY],
    ['250MS', 250],
    ['30S', 30_000],
    ['15M', 900_000],
    ['2H', 7_200_000],
    ['1D', DAY],
    [' 90s ', 90_000],
    ['100ms', 100],
    ['30d', 30 * DAY],
  ])('%p → %p ms', (raw, ms) => {
    expect(parseDurationMs(NAME, raw, 5000, range)).toBe(ms);
  });

  test.each(['99ms', '31d', '721h', '0s'])('refuses %p (out of range)', (raw) => {
    expectRefused(() => parseDurationMs(NAME, raw, 5000, range), expectedForm);
  });

  test.each(['10', '1.5h', '-1m', 'm', '1w', '1y', '15 minutes', 'ms', '1000000000ms', '5m30s', '1e3ms', '１５m'])('refuses %p', (raw) => {
    expectRefused(() => parseDurationMs(NAME, raw, 5000, range), expectedForm);
  });

  test('formatDuration picks the largest whole unit', () => {
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(1500)).toBe('1500ms');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(900_000)).toBe('15m');
    expect(formatDuration(5_400_000)).toBe('90m');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(36 * 3_600_000)).toBe('36h');
  });

  test('PROPERTY: parseDurationMs(formatDuration(ms)) === ms for whole seconds, minutes, hours and days in range', () => {
    const maxMs = 400 * DAY;
    const duration = fc
      .constantFrom(1, 1000, 60_000, 3_600_000, DAY)
      .chain((scale) => fc.integer({ min: 0, max: Math.floor(maxMs / scale) }).map((count) => count * scale))
      .filter((ms) => ms < 1_000_000_000 || ms % 1000 === 0);
    fc.assert(
      fc.property(duration, (ms) => {
        expect(parseDurationMs(NAME, formatDuration(ms), -1, { minMs: 0, maxMs })).toBe(ms);
      }),
    );
  });

  test('PROPERTY: on any string, a duration within range or a SecretError', () => {
    const durationish = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('1', '5', '0', 'm', 's', 'h', 'd', 'M', ' ', '-', '.') }));
    fc.assert(
      fc.property(durationish, (raw) => {
        let value: number;
        try {
          value = parseDurationMs(NAME, raw, 5000, range);
        } catch (error) {
          expect(error).toBeInstanceOf(SecretError);
          return;
        }
        expect(Number.isInteger(value)).toBe(true);
        if (!isUnset(raw)) {
          expect(value).toBeGreaterThanOrEqual(range.minMs);
          expect(value).toBeLessThanOrEqual(range.maxMs);
        }
      }),
    );
  });
});

describe('parseBaseUrl', () => {
  test.each([
    ['https://eu1-example.upstash.io', 'https://eu1-example.upstash.io'],
    ['https://eu1-example.upstash.io/', 'https://eu1-example.upstash.io'],
    ['  https://api.example.com/base//  ', 'https://api.example.com/base'],
    ['HTTPS://API.EXAMPLE.COM', 'https://api.example.com'],
    ['https://api.example.com:8443/v1/', 'https://api.example.com:8443/v1'],
    ['http://127.0.0.1:8079', 'http://127.0.0.1:8079'],
    ['http://127.0.0.1:8079/', 'http://127.0.0.1:8079'],
    ['http://localhost:3000/', 'http://localhost:3000'],
    ['http://[::1]:8080/', 'http://[::1]:8080'],
  ])('%p → %p', (raw, url) => {
    expect(parseBaseUrl(NAME, raw, '')).toBe(url);
  });

  test.each([
    'ftp://x',
    'http://example.com',
    'http://10.0.0.1:8080',
    'http://localhost.example.com',
    'http://127.0.0.1.nip.io',
    'nonsense',
    'example.com',
    '//example.com',
    'https://',
    'javascript:alert(1)',
    'ws://localhost',
  ])('refuses %p', (raw) => {
    const error = expectRefused(() => parseBaseUrl(NAME, raw, ''), 'an https:// URL (http:// only for 127.0.0.1 or localhost)');
    expect(error.message).toContain(JSON.stringify(raw));
  });

  test('a long bad URL is shortened in the message', () => {
    const raw = 'http://example.com/' + 'x'.repeat(200) + '?token=SECRETSECRET';
    const error = expectRefused(() => parseBaseUrl(NAME, raw, ''), /expected an https:\/\/ URL/);
    expect(error.message).not.toContain('SECRETSECRET');
    expect(error.message).not.toContain(raw);
    expect(error.message.length).toBeLessThan(200);
  });
});

describe('parseCountryList and parseList', () => {
  const expectedForm = 'ISO 3166-1 alpha-2 codes such as US, GB, DE';

  test('comma, semicolon and whitespace separated, upper-cased', () => {
    expect(parseCountryList(NAME, 'us, gb;DE')).toEqual(['US', 'GB', 'DE']);
    expect(parseCountryList(NAME, 'us\ngb\tfr,,;; de')).toEqual(['US', 'GB', 'FR', 'DE']);
    expect(parseCountryList(NAME, ',;')).toEqual([]);
  });

  test('the spellings admins type: alpha-3, UK, any case, English names (issue 11)', () => {
    expect(parseCountryList(NAME, 'USA')).toEqual(['US']);
    expect(parseCountryList(NAME, 'UK')).toEqual(['GB']);
    expect(parseCountryList(NAME, 'usa, gbr; deu\nFra')).toEqual(['US', 'GB', 'DE', 'FR']);
    expect(parseCountryList(NAME, 'USA GBR can')).toEqual(['US', 'GB', 'CA']);
    expect(parseCountryList(NAME, 'United States, united kingdom; Germany\nCôte d’Ivoire')).toEqual(['US', 'GB', 'DE', 'CI']);
    expect(parseCountryList(NAME, 'Viet Nam, Vietnam, Russia, South Korea')).toEqual(['VN', 'VN', 'RU', 'KR']);
    expect(parseCountryCode('uk')).toBe('GB');
    expect(parseCountryCode('Gbr')).toBe('GB');
    // Regions without phone numbers, and codes that are not ISO, are still refused.
    for (const item of ['ATA', 'AQ', 'XXX', 'EU', 'Korea']) expect(parseCountryCode(item)).toBeUndefined();
  });

  test('every alpha-3 code in the table maps to a supported alpha-2 code and back to a distinct country', () => {
    const seen = new Set<string>();
    for (const code of COUNTRIES.split('|').map((record) => record.slice(0, 5))) {
      const alpha2 = parseCountryCode(code.slice(0, 3));
      expect(alpha2).toBe(code.slice(3));
      expect(parseCountryCode(code.slice(3))).toBe(alpha2);
      seen.add(code.slice(3));
    }
    expect(seen.size).toBeGreaterThan(240);
    expect(parseCountryCode('DEU')).toBe('DE');
    expect(parseCountryCode('CHE')).toBe('CH');
  });

  test('splitList drops empty items', () => {
    expect(splitList(' a,, b ;c\n d ')).toEqual(['a', 'b', 'c', 'd']);
    expect(splitList(' , ; ')).toEqual([]);
  });

  test.each(['USX', 'U', 'U1', 'U-S', 'ÜS', 'Untied States'])('refuses %p and names the item', (item) => {
    const error = expectRefused(() => parseCountryList(NAME, `US, ${item}, GB`), expectedForm);
    expect(error.message).toContain(JSON.stringify(item));
  });

  // toUpperCase turns some single non-ASCII letters into two ASCII letters: 'ß' → 'SS' (South Sudan),
  // 'ﬁ' → 'FI' (Finland), 'ﬆ' → 'ST'. None of them is an alpha-2 code.
  test.each(['ß', 'ﬁ', 'ﬆ'])('refuses the non-ASCII %p, which upper-cases to two ASCII letters', (item) => {
    expect(parseCountryCode(item)).toBeUndefined();
    expectRefused(() => parseCountryList(NAME, item), expectedForm);
  });

  test('more than 1000 items are refused; 1000 are fine', () => {
    expect(parseCountryList(NAME, Array(1000).fill('US').join(','))).toHaveLength(1000);
    const error = expectRefused(() => parseCountryList(NAME, Array(1001).fill('US').join(',')), 'at most 1000 items');
    expect(error.message).toContain('1001 items');
    expectRefused(() => parseList(NAME, Array(5000).fill('x').join(' '), 'anything', (item) => item), 'at most 1000 items');
  });

  test('parseList names every bad item and the expected form, and keeps the good ones', () => {
    const parseDigit = (item: string) => (/^\d$/.test(item) ? Number(item) : undefined);
    expect(parseList(NAME, '1, 2;3', 'single digits', parseDigit)).toEqual([1, 2, 3]);
    const error = expectRefused(() => parseList(NAME, '1, 22, x', 'single digits', parseDigit), 'single digits');
    expect(error.message).toContain('"22, x"');
    expect((error as unknown as { valid: number[] }).valid).toEqual([1]);
  });

  test('a long bad item is shortened in the message', () => {
    const item = 'Q'.repeat(30) + 'SECRETPART' + 'Z'.repeat(30);
    const error = expectRefused(() => parseCountryList(NAME, `US ${item}`), expectedForm);
    expect(error.message).not.toContain(item);
    expect(error.message).not.toContain('ZZZZZ');
  });

  test('PROPERTY: parseCountryList returns alpha-2 codes or throws a SecretError, nothing else', () => {
    const listish = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.array(fc.oneof(fc.constantFrom('us', 'GB', 'de', 'USA', 'x', 'ß', '1'), fc.string({ maxLength: 3 })), { maxLength: 8 }).map((items) => items.join(', ')),
    );
    fc.assert(
      fc.property(listish, (raw) => {
        let codes: string[];
        try {
          codes = parseCountryList(NAME, raw);
        } catch (error) {
          expect(error).toBeInstanceOf(SecretError);
          expect((error as SecretError).secret).toBe(NAME);
          return;
        }
        expect(Array.isArray(codes)).toBe(true);
        for (const code of codes) expect(code).toMatch(/^[A-Z]{2}$/);
      }),
    );
  });
});
