/**
 * shared/email/lookalike.ts: Unicode look-alikes of protected domains and mixed-script labels are
 * flagged; real domains, ASCII domains and single-script IDNs are not.
 */
import fc from 'fast-check';
import { parseEmail, type EmailFacts } from '../../shared/email/address';
import { DEFAULT_PROTECTED_DOMAINS, lookalikeReason, scriptsOf, skeleton } from '../../shared/email/lookalike';

function facts(raw: string): EmailFacts {
  const result = parseEmail(raw);
  if (!result.ok) throw new Error(`test address ${raw} is refused: ${result.reason}`);
  return result.email;
}

const reasonFor = (raw: string, protectedDomains: readonly string[] = DEFAULT_PROTECTED_DOMAINS) =>
  lookalikeReason(facts(raw), protectedDomains);

describe('look-alikes of protected domains', () => {
  test.each([
    ['Cyrillic а in gmail', 'user@gm\u0430il.com', 'gmail.com'],
    ['Cyrillic о and с in outlook', 'user@\u043Eutlook.\u0441om', 'outlook.com'],
    ['Greek ο in yahoo', 'user@yah\u03BFo.com', 'yahoo.com'],
    ['Latin script ɡ (U+0261) in gmail', 'user@\u0261mail.com', 'gmail.com'],
    ['dotless ı in icloud', 'user@\u0131cloud.com', 'icloud.com'],
    ['Cyrillic і and palochka ӏ in live', 'user@\u04CF\u0456ve.com', 'live.com'],
    ['an accent: gmáil', 'user@gm\u00E1il.com', 'gmail.com'],
    ['Cyrillic ї (accent stripped, then і)', 'user@gma\u0457l.com', 'gmail.com'],
    ['digit swap on top of a homoglyph: gmаi1', 'user@gm\u0430i1.com', 'gmail.com'],
    ['Cyrillic б and з for 163', 'user@1\u0431\u0437.com', '163.com'],
    ['a subdomain of the look-alike', 'user@mail.gm\u0430il.com', 'gmail.com'],
    ['a look-alike with a Cyrillic TLD part', 'user@m\u0430il.ru', 'mail.ru'],
    ['Armenian օ in proton', 'user@prot\u0585n.me', 'proton.me'],
  ])('%s', (_name, raw, target) => {
    const reason = reasonFor(raw);
    expect(reason).toContain(`looks like ${target}`);
    // The log shows the ASCII (punycode) form, never the homoglyphs.
    expect(reason).toContain(facts(raw).domain);
  });

  test('the real domains are not flagged', () => {
    for (const domain of DEFAULT_PROTECTED_DOMAINS) expect(reasonFor(`user@${domain}`)).toBeUndefined();
  });

  test('ASCII homoglyphs are look-alikes too: gmai1.com, googlemai1.com, rnail.com', () => {
    expect(reasonFor('user@gmai1.com')).toBe('domain gmai1.com looks like gmail.com');
    expect(reasonFor('user@googlemai1.com')).toBe('domain googlemai1.com looks like googlemail.com');
    expect(reasonFor('user@rnail.com')).toBe('domain rnail.com looks like mail.com');
    expect(reasonFor('user@vveb.de')).toBe('domain vveb.de looks like web.de');
  });

  test('a non-ASCII subdomain of a protected domain is that domain, not a look-alike', () => {
    expect(reasonFor('user@b\u00FCcher.gmail.com')).toBeUndefined();
  });

  test('the protected list is the caller\'s: the tenant\'s own domain can be protected', () => {
    expect(reasonFor('user@\u0430cme.com')).toContain('mixes Latin and Cyrillic');
    expect(reasonFor('user@\u0430cme.com', ['acme.com'])).toContain('looks like acme.com');
    expect(reasonFor('user@b\u00FCcher.de', ['bücher.de'])).toBeUndefined();
    expect(reasonFor('user@mail.b\u00FCcher.de', ['xn--bcher-kva.de'])).toBeUndefined();
    expect(reasonFor('user@b\u00FCcher.de', ['bucher.de'])).toContain('looks like bucher.de');
  });

  test('fullwidth forms fold by NFKC (parseEmail refuses them first; hand-built facts are still caught)', () => {
    // Decision: parseEmail refuses 'user@ｇｍａｉｌ.com' outright (IDNA reads it as gmail.com, a second
    // spelling of the same mailbox). The skeleton still folds fullwidth forms as a second line.
    const parsed = parseEmail('user@\uFF47\uFF4D\uFF41\uFF49\uFF4C.com');
    expect(parsed).toEqual({ ok: false, reason: expect.stringContaining('gmail.com') });
    const handBuilt: EmailFacts = { local: 'user', domain: 'gmail.com', unicodeDomain: '\uFF47\uFF4D\uFF41\uFF49\uFF4C.com', registrableDomain: 'gmail.com' };
    expect(lookalikeReason(handBuilt, DEFAULT_PROTECTED_DOMAINS)).toContain('looks like gmail.com');
  });
});

describe('mixed-script labels', () => {
  test.each([
    ['Latin + Cyrillic, not like any protected domain', 'user@p\u0430ypal-support.com', 'Latin and Cyrillic'],
    ['Latin + Greek', 'user@\u03B1pple.com', 'Latin and Greek'],
    ['Cyrillic + Greek', 'user@\u0430\u03B2.com', 'Cyrillic and Greek'],
    ['Latin + Armenian', 'user@g\u0585\u0585gle-shop.com', 'Latin and Armenian'],
  ])('%s', (_name, raw, scripts) => {
    expect(reasonFor(raw)).toContain(`mixes ${scripts} letters`);
  });

  test.each([
    ['pure Cyrillic', 'user@\u043F\u043E\u0447\u0442\u0430.\u0440\u0444'],
    ['pure Cyrillic under .com', 'user@\u043F\u043E\u0447\u0442\u0430.com'],
    ['pure Greek', 'user@\u03B1\u03B8\u03B7\u03BD\u03B1.gr'],
    ['Latin with accents', 'user@b\u00FCcher.de'],
    ['Japanese: Han + Katakana + Hiragana', 'user@\u65E5\u672C\u8A9E\u30C9\u30E1\u30A4\u30F3\u306E.jp'],
    ['Japanese with Latin', 'user@jr\u6771\u65E5\u672C.jp'],
    ['Korean with Latin', 'user@k\uD55C\uAD6D.kr'],
    ['Arabic with Latin digits', 'user@\u0645\u062B\u0627\u06442024.com'],
    ['Latin + Thai (no Latin look-alikes)', 'user@shop\u0E44\u0E17\u0E22.com'],
    ['Cyrillic with digits and hyphens', 'user@\u043F\u043E\u0447\u0442\u0430-24.\u0440\u0444'],
  ])('%s passes', (_name, raw) => {
    expect(reasonFor(raw)).toBeUndefined();
  });

  test('scriptsOf ignores digits, hyphens and combining marks', () => {
    expect([...scriptsOf('abc-123')]).toEqual(['Latin']);
    expect([...scriptsOf('\u043F\u0439')]).toEqual(['Cyrillic']);
    expect([...scriptsOf('a\u0301')]).toEqual(['Latin']);
    expect([...scriptsOf('a\u0430\u03B1')].sort()).toEqual(['Cyrillic', 'Greek', 'Latin']);
  });
});

describe('skeleton', () => {
  test('maps the usual suspects onto ASCII', () => {
    expect(skeleton('gm\u0430il.com')).toBe('gmail.com');
    expect(skeleton('\uFF47\uFF4D\uFF41\uFF49\uFF4C.com')).toBe('gmail.com');
    expect(skeleton('\u0440\u0430\u0443\u0440\u0430l')).toBe('paypal');
    expect(skeleton('163.com')).toBe('l63.com');
    expect(skeleton('g00gle')).toBe('google');
  });

  test('is idempotent and leaves plain lower-case letters alone', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (text) => {
        expect(skeleton(skeleton(text))).toBe(skeleton(text));
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z.-]{0,30}$/).filter((text) => !/rn|vv/.test(text)), (text) => {
        expect(skeleton(text)).toBe(text);
      }),
    );
    expect(skeleton('rnodern')).toBe('modem');
  });

  test('a protected domain, or a subdomain of one, is never flagged, whatever the spelling of the input', () => {
    const protectedDomain = fc.constantFrom(...DEFAULT_PROTECTED_DOMAINS);
    const sub = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(protectedDomain, fc.option(sub), fc.boolean(), (domain, prefix, upper) => {
        const name = `${prefix === null ? '' : `${prefix}.`}${domain}`;
        const parsed = parseEmail(`user@${upper ? name.toUpperCase() : name}`);
        if (parsed.ok) expect(lookalikeReason(parsed.email, DEFAULT_PROTECTED_DOMAINS)).toBeUndefined();
      }),
    );
  });
});
