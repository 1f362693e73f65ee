/**
 * shared/phone: recipient parsing (libphonenumber-js/max), E.164 prefixes and log masking.
 */
import fc from 'fast-check';
import { parsePhoneNumber } from 'libphonenumber-js/max';
import { parseRecipient } from '../shared/phone/e164';
import { callingCodeOf, describeUnparsedRecipient, maskPhoneNumber } from '../shared/phone/mask';
import { longestMatchingPrefix, parsePrefix } from '../shared/phone/prefix';

const E164 = /^\+[1-9]\d{6,14}$/;

function refusal(raw: unknown): string {
  const result = parseRecipient(raw);
  if (result.ok) throw new Error(`expected ${String(raw)} to be refused, got ${result.number.e164}`);
  return result.reason;
}

const digit = fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
const digits = (minLength: number, maxLength: number) => fc.string({ unit: digit, minLength, maxLength });
const leadingDigit = fc.constantFrom('1', '2', '3', '4', '5', '6', '7', '8', '9');

describe('parseRecipient: accepted numbers', () => {
  test('a US number', () => {
    expect(parseRecipient('+14155552671')).toEqual({
      ok: true,
      number: { e164: '+14155552671', country: 'US', callingCode: '1', type: 'FIXED_LINE_OR_MOBILE' },
    });
  });

  test.each(['+1 (415) 555-2671', '+1.415.555.2671', '  +1 415 555 2671\n', '+1-415-555-2671'])(
    'formatted %p is normalised to E.164',
    (raw) => {
      const result = parseRecipient(raw);
      expect(result.ok && result.number.e164).toBe('+14155552671');
      expect(result.ok && result.number.country).toBe('US');
    },
  );

  test('a UK premium-rate number has type PREMIUM_RATE', () => {
    const result = parseRecipient('+449098790000');
    expect(result).toEqual({
      ok: true,
      number: { e164: '+449098790000', country: 'GB', callingCode: '44', type: 'PREMIUM_RATE' },
    });
  });

  test('other countries and a non-geographic number', () => {
    expect(parseRecipient('+33612345678')).toMatchObject({ ok: true, number: { country: 'FR', callingCode: '33', type: 'MOBILE' } });
    expect(parseRecipient('+4915123456789')).toMatchObject({ ok: true, number: { country: 'DE', callingCode: '49', type: 'MOBILE' } });
    const freephone = parseRecipient('+800 1234 5678');
    expect(freephone).toMatchObject({ ok: true, number: { e164: '+80012345678', callingCode: '800', type: 'TOLL_FREE' } });
    expect(freephone.ok && freephone.number.country).toBeUndefined();
  });
});

describe('parseRecipient: refusals with a clear reason', () => {
  test.each([[undefined], [5], [null], [{}], [['+14155552671']], [true]])('non-string %p', (raw) => {
    expect(refusal(raw)).toMatch(/missing or not a string/);
  });

  test.each(['', '   ', '\n\t'])('empty %p', (raw) => {
    expect(refusal(raw)).toMatch(/empty/);
  });

  test('a 5000-character string: the reason gives its length, not its content, and refusing it is fast', () => {
    const long = '+' + '1'.repeat(4999);
    expect(refusal(long)).toMatch(/5000 characters/);
    expect(refusal(long)).not.toContain('1111111111');
    const hostile = ['+' + '('.repeat(4999), '+' + ' 1'.repeat(2500), '+1' + '-'.repeat(4998) + 'x'];
    const started = performance.now();
    for (let i = 0; i < 50; i += 1) for (const raw of hostile) expect(parseRecipient(raw).ok).toBe(false);
    // Linear parsing takes well under a millisecond per call; a backtracking regex would take seconds.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test('hostile inputs just under the length limit are refused quickly', () => {
    const hostile = ['+' + '('.repeat(31), '+' + '1 '.repeat(15) + 'x', '+' + '.-'.repeat(15) + '!', '+' + '9'.repeat(31)];
    const started = performance.now();
    for (let i = 0; i < 50; i += 1) for (const raw of hostile) expect(parseRecipient(raw).ok).toBe(false);
    // Linear parsing takes well under a millisecond per call; a backtracking regex would take seconds.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test('no leading +', () => {
    expect(refusal('14155552671')).toMatch(/no leading \+/);
    expect(refusal('0044 20 7946 0958')).toMatch(/no leading \+/);
  });

  test.each([
    ['Arabic-Indic digits', '+١٤١٥٥٥٥٢٦٧١'],
    ['fullwidth digits', '+１４１５５５５２６７１'],
    ['letters', '+1415CALLNOW'],
    ['an extension', '+14155552671;ext=1'],
    ['a second +', '+1+4155552671'],
    ['a slash', '+1/4155552671'],
  ])('%s', (_name, raw) => {
    expect(refusal(raw)).toMatch(/characters other than ASCII digits and formatting/);
  });

  test('a fullwidth plus and digits', () => {
    expect(refusal('＋１４１５５５５２６７１')).toMatch(/no leading \+|ASCII digits/);
  });

  test.each(['+1000', '+14155', '+1415555267199999', '+0123456789', '+999 123456789'])('invalid number %p', (raw) => {
    expect(refusal(raw)).toMatch(/not a valid phone number|not a phone number/);
  });

  test('formatting only', () => {
    expect(refusal('+()')).toMatch(/not a phone number/);
    expect(refusal('+')).toMatch(/characters other than ASCII digits/);
  });
});

describe('parseRecipient: properties', () => {
  const phoneish = fc.oneof(
    fc
      .tuple(fc.constantFrom('1', '33', '44', '49', '354', '683', '880', '91', '7', '371'), digits(4, 12))
      .map(([cc, rest]) => `+${cc}${rest}`),
    fc.string({ unit: fc.constantFrom('+', '1', '4', '5', '0', ' ', '(', ')', '-', '.', 'x'), maxLength: 34 }),
  );

  test.each([
    ['fc.string()', fc.string()],
    ['full unicode strings', fc.string({ unit: 'binary' })],
    ['fc.anything()', fc.anything()],
    ['phone-like strings', phoneish],
  ])('never throws on %s; an accepted number is E.164 and re-parses to the same facts', (_name, arbitrary) => {
    fc.assert(
      fc.property(arbitrary as fc.Arbitrary<unknown>, (raw) => {
        const result = parseRecipient(raw);
        if (!result.ok) {
          expect(typeof result.reason).toBe('string');
          expect(result.reason.length).toBeGreaterThan(0);
          return;
        }
        expect(result.number.e164).toMatch(E164);
        expect(result.number.e164.startsWith(`+${result.number.callingCode}`)).toBe(true);
        expect(parseRecipient(result.number.e164)).toEqual(result);
      }),
    );
  });

  test('some generated phone-like inputs are accepted (the property above is not vacuous)', () => {
    const accepted = fc.sample(phoneish, { numRuns: 300, seed: 42 }).filter((raw) => parseRecipient(raw).ok);
    expect(accepted.length).toBeGreaterThan(5);
  });
});

describe('parsePrefix', () => {
  test.each([
    ['+4477', '+4477'],
    ['+44 77-00', '+447700'],
    ['+1', '+1'],
    [' (+44) 7.7 ', '+4477'],
    ['+123456789012345', '+123456789012345'],
  ])('%p → %p', (input, prefix) => {
    expect(parsePrefix(input)).toBe(prefix);
  });

  test.each(['4477', '+0', '+', '+1234567890123456', '+44a', '', '++44', '+44+1', '+４４', '+٤٤', '+44\u00a077'])('rejects %p', (input) => {
    expect(parsePrefix(input)).toBeUndefined();
  });

  test('PROPERTY: any 1-15 digit string not starting with 0 is its own prefix', () => {
    fc.assert(
      fc.property(leadingDigit, digits(0, 14), (first, rest) => {
        const prefix = `+${first}${rest}`;
        expect(parsePrefix(prefix)).toBe(prefix);
      }),
    );
  });

  test('PROPERTY: parsePrefix never throws and only returns + and 1-15 digits', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('+', '0', '4', ' ', '-', '(', 'a') })), (input) => {
        const prefix = parsePrefix(input);
        if (prefix !== undefined) expect(prefix).toMatch(/^\+[1-9]\d{0,14}$/);
      }),
    );
  });
});

describe('longestMatchingPrefix', () => {
  const set = new Set(['+44', '+4477', '+447700', '+1', '+14155552671']);

  test('picks the longest matching prefix', () => {
    expect(longestMatchingPrefix(set, '+447700900123')).toBe('+447700');
    expect(longestMatchingPrefix(set, '+447800900123')).toBe('+44');
    expect(longestMatchingPrefix(set, '+447790900123')).toBe('+4477');
    expect(longestMatchingPrefix(set, '+14155552671')).toBe('+14155552671');
    expect(longestMatchingPrefix(set, '+14155552672')).toBe('+1');
  });

  test('no match', () => {
    expect(longestMatchingPrefix(set, '+33612345678')).toBeUndefined();
    expect(longestMatchingPrefix(new Set(), '+447700900123')).toBeUndefined();
    expect(longestMatchingPrefix(set, '+4')).toBeUndefined();
  });

  test('PROPERTY: the result is a set member and a prefix of the number, and no longer member is', () => {
    const short = fc.string({ unit: fc.constantFrom('1', '2'), minLength: 1, maxLength: 6 }).map((d) => `+${d}`);
    fc.assert(
      fc.property(fc.uniqueArray(short, { maxLength: 12 }), fc.string({ unit: fc.constantFrom('1', '2'), minLength: 1, maxLength: 10 }), (members, d) => {
        const prefixes = new Set(members);
        const number = `+${d}`;
        const found = longestMatchingPrefix(prefixes, number);
        const matching = members.filter((member) => number.startsWith(member));
        if (matching.length === 0) {
          expect(found).toBeUndefined();
          return;
        }
        expect(found).toBeDefined();
        expect(prefixes.has(found!)).toBe(true);
        expect(number.startsWith(found!)).toBe(true);
        for (const member of matching) expect(member.length).toBeLessThanOrEqual(found!.length);
      }),
    );
  });
});

describe('maskPhoneNumber', () => {
  test('keeps the country code, 3 national digits and the last 2; masks the rest', () => {
    expect(maskPhoneNumber('+14155552671', '1')).toBe('+1415*****71');
    expect(maskPhoneNumber('+447700900123', '44')).toBe('+44770*****23');
    expect(maskPhoneNumber('+4915123456789', '49')).toBe('+49151******89');
    expect(maskPhoneNumber('+33612345678', '33')).toBe('+33612****78');
  });

  test('one mask per number: the calling code comes from the digits, passed or not (issue 11)', () => {
    expect(maskPhoneNumber('+14155552671')).toBe('+1415*****71');
    expect(maskPhoneNumber('+447700900123')).toBe('+44770*****23');
    expect(maskPhoneNumber('+447700900123', '4')).toBe('+44770*****23');
    expect(maskPhoneNumber('+88234567890123')).toBe(maskPhoneNumber('+88234567890123', '882'));
    for (const number of ['+14155552671', '+447700900123', '+4915123456789', '+2348031234567', '+37120123456', '+8801712345678', '+6834002']) {
      const parsed = parsePhoneNumber(number);
      expect(maskPhoneNumber(number)).toBe(maskPhoneNumber(parsed.number, parsed.countryCallingCode));
      expect(callingCodeOf(number.slice(1))).toBe(parsed.countryCallingCode);
    }
  });

  test('short numbers hide at least four digits; very short ones are hidden entirely', () => {
    expect(maskPhoneNumber('+6834002', '683')).toBe('+6****02');
    expect(maskPhoneNumber('+3546111234', '354')).toBe('+3546****34');
    expect(maskPhoneNumber('+12345', '1')).toBe('+*****');
    expect(maskPhoneNumber('+1', '1')).toBe('+*');
    expect(maskPhoneNumber('', undefined)).toBe('+');
  });

  test('PROPERTY: same length, the country code and up to 3 national digits and the last 2 kept, at least 4 hidden', () => {
    const e164 = fc
      .tuple(fc.tuple(leadingDigit, digits(0, 2)).map(([a, b]) => a + b), digits(5, 14))
      .filter(([cc, national]) => cc.length + national.length >= 8 && cc.length + national.length <= 15);
    fc.assert(
      fc.property(e164, fc.boolean(), ([cc, national], passCallingCode) => {
        const all = cc + national;
        const number = `+${all}`;
        const callingCode = passCallingCode ? cc : undefined;
        const masked = maskPhoneNumber(number, callingCode);
        const code = (callingCodeOf(all) ?? callingCode ?? '0').length;
        const head = Math.min(code + Math.max(0, Math.min(3, all.length - code - 6)), all.length - 6);

        expect(masked).toHaveLength(number.length);
        expect(masked.endsWith(all.slice(-2))).toBe(true);
        expect(masked.startsWith(`+${all.slice(0, head)}`)).toBe(true);
        expect(masked.slice(1 + head, -2)).toMatch(/^\*{4,}$/);
        expect(masked).not.toContain(all);
        expect(masked.replace(/\*/g, '')).toHaveLength(1 + head + 2);
        // A national number of 10 digits or more (US, UK, DE mobile...) hides the 5 digits before the last two.
        if (callingCodeOf(all) === cc && national.length >= 10) expect(masked.slice(-7, -2)).toBe('*****');
      }),
    );
  });
});

describe('describeUnparsedRecipient', () => {
  test('shows only the length or the type', () => {
    expect(describeUnparsedRecipient('+1415CALLNOW')).toBe('<12 chars>');
    expect(describeUnparsedRecipient('')).toBe('<0 chars>');
    expect(describeUnparsedRecipient(undefined)).toBe('<undefined>');
    expect(describeUnparsedRecipient(null)).toBe('<null>');
    expect(describeUnparsedRecipient(5)).toBe('<number>');
    expect(describeUnparsedRecipient({ phone: '+14155552671' })).toBe('<object>');
  });

  test('PROPERTY: never echoes the content', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const described = describeUnparsedRecipient(raw);
        if (typeof raw === 'string') expect(described).toBe(`<${raw.length} chars>`);
        else expect(described).toMatch(/^<(null|undefined|number|bigint|boolean|object|symbol|function)>$/);
      }),
    );
  });
});
