/**
 * shared/email/address.ts: which addresses are accepted (and in what normal form) and which are
 * refused, with what reason. parseEmail is total: property-tested on arbitrary input.
 */
import fc from 'fast-check';
import { domainAndParents, parseDomain, parseEmail, registrableDomain, type EmailFacts } from '../../shared/email/address';

function accepted(raw: unknown): EmailFacts {
  const result = parseEmail(raw);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be accepted, got: ${result.reason}`);
  return result.email;
}

function refusal(raw: unknown): string {
  const result = parseEmail(raw);
  if (result.ok) throw new Error(`expected ${String(raw)} to be refused, got ${JSON.stringify(result.email)}`);
  return result.reason;
}

describe('parseEmail accepts', () => {
  test.each([
    ['user@gmail.com', { local: 'user', domain: 'gmail.com', unicodeDomain: 'gmail.com', registrableDomain: 'gmail.com' }],
    // The domain is lower-cased; the local part keeps its case (it is the mailbox owner's to interpret).
    ['USER@GMAIL.COM', { local: 'USER', domain: 'gmail.com', unicodeDomain: 'gmail.com', registrableDomain: 'gmail.com' }],
    ['first.last+tag@mail.example.co.uk', { local: 'first.last+tag', domain: 'mail.example.co.uk', registrableDomain: 'example.co.uk' }],
    ["o'brien!#$%&*/=?^_`{|}~-@example.org", { local: "o'brien!#$%&*/=?^_`{|}~-", domain: 'example.org' }],
    // IDN domains: ASCII (punycode) form, Unicode form kept alongside.
    ['user@bücher.de', { domain: 'xn--bcher-kva.de', unicodeDomain: 'bücher.de', registrableDomain: 'xn--bcher-kva.de' }],
    ['user@BÜCHER.DE', { domain: 'xn--bcher-kva.de', unicodeDomain: 'bücher.de' }],
    ['user@xn--bcher-kva.de', { domain: 'xn--bcher-kva.de', unicodeDomain: 'bücher.de' }],
    ['user@почта.рф', { domain: 'xn--80a1acny.xn--p1ai', unicodeDomain: 'почта.рф' }],
    ['user@日本語ドメイン.jp', { domain: 'xn--eckwd4c7c5976acvb2w6i.jp' }],
    // Non-ASCII local parts are valid (RFC 6531).
    ['josé@example.com', { local: 'josé', domain: 'example.com' }],
    ['a@b.co', { local: 'a', domain: 'b.co' }],
    ['x@sub.domain.example.com.au', { domain: 'sub.domain.example.com.au', registrableDomain: 'example.com.au' }],
    ['x@123.example.com', { domain: '123.example.com' }],
    ['x@ab--cd.example', { domain: 'ab--cd.example' }],
  ])('%s', (raw, expected) => {
    expect(accepted(raw)).toMatchObject(expected);
  });

  test('a local part of exactly 64 and an address of exactly 254 characters', () => {
    const local = 'l'.repeat(64);
    const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(57)}.com`;
    expect(`${local}@${domain}`).toHaveLength(254);
    expect(accepted(`${local}@${domain}`).domain).toBe(domain);
  });
});

describe('parseEmail refuses', () => {
  test.each<[string, unknown, string | RegExp]>([
    ['a number', 42, 'not a string'],
    ['null', null, 'not a string'],
    ['undefined', undefined, 'not a string'],
    ['an array', ['user@gmail.com'], 'not a string'],
    ['an object', { email: 'user@gmail.com' }, 'not a string'],
    ['the empty string', '', 'empty'],
    ['a 300-character address', `${'a'.repeat(60)}@${'b'.repeat(235)}.com`, 'longer than 254'],
    ['no @', 'user.gmail.com', 'no @'],
    ['two @', 'a@@b.com', 'more than one @'],
    ['two @ apart', 'a@b@c.com', 'more than one @'],
    ['a quoted local part never closed', '"quoted@example.com', 'not closed'],
    ['a quoted local part with a non-ASCII character', '"jöhn doe"@example.com', 'printable ASCII'],
    ['an empty quoted local part', '""@example.com', 'empty'],
    ['white space outside the quotes', '"john doe"@exa mple.com', 'white space'],
    ['an empty local part', '@example.com', 'local part is empty'],
    ['an empty domain', 'user@', 'domain is empty'],
    ['a 65-character local part', `${'a'.repeat(65)}@example.com`, 'local part is longer than 64'],
    ['a local part over 64 octets in UTF-8', `${'é'.repeat(33)}@example.com`, 'local part is longer than 64'],
    ['a space', 'us er@example.com', 'white space'],
    ['a leading space', ' user@example.com', 'white space'],
    ['a trailing newline', 'user@example.com\n', 'white space'],
    ['a no-break space', 'user\u00A0@example.com', 'white space'],
    ['a NUL', 'user\u0000@example.com', 'control'],
    ['an escape', 'user\u001B@example.com', 'control'],
    ['DEL', 'user\u007F@example.com', 'control'],
    ['a soft hyphen', 'user@gm\u00ADail.com', 'invisible'],
    ['a zero-width space', 'user@gm\u200Bail.com', 'invisible'],
    ['a right-to-left override', 'user@\u202Emoc.liamg', 'invisible'],
    ['an unpaired surrogate', 'user\uD800@example.com', 'invalid characters'],
    ['a comma in the local part', 'a,b@example.com', 'local part contains ","'],
    ['a leading dot', '.user@example.com', 'dot'],
    ['a trailing dot', 'user.@example.com', 'dot'],
    ['two dots in a row', 'us..er@example.com', 'dot'],
    ['a domain without a dot', 'a@b', 'no dot'],
    ['localhost', 'root@localhost', 'no dot'],
    ['an IPv4 literal', 'user@[192.0.2.1]', 'IP-literal'],
    ['an IPv6 literal', 'user@[IPv6:2001:db8::1]', 'IP-literal'],
    ['a bare IPv4 address', 'user@192.0.2.1', 'IP address'],
    ['a hexadecimal IPv4 form', 'user@0x7f.1', 'IP address'],
    ['an empty label', 'user@example..com', 'empty label'],
    ['a trailing dot in the domain', 'user@example.com.', 'empty label'],
    ['a leading dot in the domain', 'user@.example.com', 'empty label'],
    ['a label over 63', `user@${'a'.repeat(64)}.com`, 'longer than 63'],
    ['a leading hyphen', 'user@-example.com', 'hyphen'],
    ['a trailing hyphen', 'user@example-.com', 'hyphen'],
    ['an underscore', 'user@ex_ample.com', '"_"'],
    ['a percent sign (no URL decoding)', 'user@ex%41mple.com', '"%"'],
    ['a slash', 'user@example.com/x', '"/"'],
    ['a colon', 'user@example.com:25', '":"'],
    ['invalid punycode', 'user@xn--abc.com', 'not a valid internationalised domain name'],
    ['a Unicode label over 63 octets as punycode', `user@${'ü'.repeat(60)}.de`, 'longer than 63'],
    // Decision: IDNA would read these as gmail.com / example.com; a second spelling of the same
    // mailbox is a duplicate-account trick, so they are refused (the reason names the real domain).
    ['a fullwidth domain', 'user@ｇｍａｉｌ.com', /compatibility characters \(it stands for gmail\.com\)/],
    ['a mathematical bold domain', 'user@𝐠𝐦𝐚𝐢𝐥.com', /it stands for gmail\.com/],
    ['an ideographic full stop', 'user@example。com', /it stands for example\.com/],
    ['a fullwidth full stop', 'user@example．com', /it stands for example\.com/],
  ])('%s', (_name, raw, reason) => {
    const text = refusal(raw);
    if (typeof reason === 'string') expect(text).toContain(reason);
    else expect(text).toMatch(reason);
  });

  test('reasons never echo the local part', () => {
    expect(refusal('secret.person@-example.com')).not.toContain('secret.person');
    expect(refusal('secret.person@[192.0.2.1]')).not.toContain('secret.person');
  });
});

describe('parseDomain (domain list entries)', () => {
  test('accepts single labels (whole TLDs), IDN and upper case', () => {
    expect(parseDomain('top')).toEqual({ ok: true, domain: 'top' });
    expect(parseDomain('Bücher.DE')).toEqual({ ok: true, domain: 'xn--bcher-kva.de' });
    expect(parseDomain('рф')).toEqual({ ok: true, domain: 'xn--p1ai' });
  });

  test('refuses numbers that the URL parser would read as IPv4', () => {
    expect(parseDomain('123').ok).toBe(false);
    expect(parseDomain('1.2.3').ok).toBe(false);
    expect(parseDomain('example.0x10').ok).toBe(false);
  });
});

describe('registrableDomain', () => {
  test.each([
    ['example.com', 'example.com'],
    ['mail.example.com', 'example.com'],
    ['a.b.c.example.com', 'example.com'],
    ['mail.example.co.uk', 'example.co.uk'],
    ['example.co.uk', 'example.co.uk'],
    ['co.uk', 'co.uk'],
    ['x.example.com.br', 'example.com.br'],
    ['x.example.co.jp', 'example.co.jp'],
    ['x.example.co.in', 'example.co.in'],
    ['x.example.com.au', 'example.com.au'],
    // Not a listed suffix: best effort takes the last two labels.
    ['x.example.de', 'example.de'],
    ['com', 'com'],
  ])('%s -> %s', (domain, expected) => {
    expect(registrableDomain(domain)).toBe(expected);
  });

  test('domainAndParents lists the domain first and the TLD last', () => {
    expect(domainAndParents('a.b.example.com')).toEqual(['a.b.example.com', 'b.example.com', 'example.com', 'com']);
  });
});

describe('parseEmail properties', () => {
  test.each([
    ['fc.anything()', fc.anything()],
    ['full Unicode strings', fc.string({ unit: 'binary' })],
    ['strings around an @', fc.tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })).map(([a, b]) => `${a}@${b}`)],
  ])('never throws on %s', (_name, arbitrary: fc.Arbitrary<unknown>) => {
    fc.assert(
      fc.property(arbitrary, (raw) => {
        const result = parseEmail(raw);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-', 'ü', 'é', 'ß', 'а', 'я', 'α', '日', 'ド', '한', 'ｇ', '。', '_');
  const label = fc.string({ unit: letter, minLength: 1, maxLength: 12 });
  const plausible = fc
    .tuple(
      fc.string({ unit: fc.constantFrom(...'abcXYZ019.+_-', 'é'), minLength: 1, maxLength: 20 }),
      fc.array(label, { minLength: 1, maxLength: 4 }),
    )
    .map(([local, labels]) => `${local}@${labels.join('.')}`);

  test('when accepted, the domain is lower-case ASCII and re-parsing gives the same facts', () => {
    let acceptedCount = 0;
    fc.assert(
      fc.property(plausible, (raw) => {
        const result = parseEmail(raw);
        if (!result.ok) return;
        acceptedCount += 1;
        const { local, domain, unicodeDomain, registrableDomain: registrable } = result.email;
        expect(domain).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
        expect(domain.endsWith(registrable)).toBe(true);
        const again = parseEmail(`${local}@${domain}`);
        expect(again).toEqual({ ok: true, email: result.email });
        const fromUnicode = parseEmail(`${local}@${unicodeDomain}`);
        expect(fromUnicode.ok && fromUnicode.email.domain).toBe(domain);
      }),
      { numRuns: 1000 },
    );
    expect(acceptedCount).toBeGreaterThan(50);
  });
});

describe('quoted local parts (RFC 5321; Auth0 accepts them)', () => {
  test.each([
    ['"john doe"@example.com', '"john doe"'],
    ['"a@b"@example.com', '"a@b"'],
    ['"esc\\"aped"@example.com', '"esc\\"aped"'],
  ])('%s is accepted, the local part kept as written', (address, local) => {
    expect(parseEmail(address)).toMatchObject({ ok: true, email: { local, domain: 'example.com' } });
  });
});
