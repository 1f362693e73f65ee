/**
 * shared/email/lookalike.ts, beyond homoglyphs: ASCII skeletons, one edit (Damerau) from a big
 * provider or the tenant's domain, hyphenated squats of the tenant's name, whole-script look-alikes,
 * and the real domains (siblings of providers, regional providers, IDNs, companies) that must pass.
 */
import fc from 'fast-check';
import { parseEmail, type EmailFacts } from '../../shared/email/address';
import { DEFAULT_PROTECTED_DOMAINS, MIN_PROVIDER_NAME, lookalikeReason, lookalikeTargets, withinOneEdit } from '../../shared/email/lookalike';

function facts(raw: string): EmailFacts {
  const result = parseEmail(raw);
  if (!result.ok) throw new Error(`test address ${raw} is refused: ${result.reason}`);
  return result.email;
}

const providers = lookalikeTargets(DEFAULT_PROTECTED_DOMAINS);
const tenant = lookalikeTargets(DEFAULT_PROTECTED_DOMAINS, ['coop.example']);
const reasonFor = (domain: string, targets = tenant) => lookalikeReason(facts(`user@${domain}`), targets);

describe('one edit from a big provider', () => {
  test.each([
    ['gmial.com', 'gmail.com'], // transposition
    ['gmai.com', 'gmail.com'], // deletion
    ['gmaill.com', 'gmail.com'], // insertion
    ['gnail.com', 'gmail.com'], // substitution
    ['gmail.co', 'gmail.com'], // the suffix counts: the whole registrable domain is compared
    ['outlok.com', 'outlook.com'],
    ['hotmial.com', 'hotmail.com'],
    ['yaho.com', 'yahoo.com'],
    ['yahooo.com', 'yahoo.com'],
    ['icloud.co', 'icloud.com'],
    ['protonmial.com', 'protonmail.com'],
    ['yandx.ru', 'yandex.ru'],
    ['navre.com', 'naver.com'],
    ['mail.gmial.com', 'gmail.com'], // a subdomain of a squat, through its registrable domain
    ['GMIAL.COM', 'gmail.com'],
  ])('%s looks like %s', (domain, target) => {
    expect(reasonFor(domain)).toBe(`domain ${domain.toLowerCase()} looks like ${target}`);
  });

  test('a homoglyph and a typo together: gmаii.com (Cyrillic а, i for l)', () => {
    expect(reasonFor('gm\u0430ii.com')).toContain('looks like gmail.com');
  });

  test(`short provider names (under ${MIN_PROVIDER_NAME} letters) are not compared by one edit`, () => {
    for (const domain of ['me.co', 'mo.com', 'qa.com', 'qqq.com', 'wen.de', 'weg.de', 'web.de.com', 'aal.com', 'gmy.com', 'main.com', 'maid.com', 'nail.com', 'life.com', 'love.com', 'mail.co']) {
      expect({ domain, reason: reasonFor(domain) }).toEqual({ domain, reason: undefined });
    }
  });

  test('two edits are not a look-alike', () => {
    for (const domain of ['gmalis.com', 'ygmail.co', 'hotmale.com', 'outluke.com']) {
      expect({ domain, reason: reasonFor(domain) }).toEqual({ domain, reason: undefined });
    }
  });
});

describe('genuine providers one edit from another are never flagged', () => {
  test.each([
    'ymail.com', 'email.com', 'mail.com', 'gmx.com', 'gmx.net', 'gmx.de', 'gmx.at', 'hotmail.co.uk', 'hotmail.de', 'hotmail.fr',
    'outlook.de', 'outlook.fr', 'live.de', 'yahoo.co.in', 'yahoo.co.id', 'yahoo.com.ar', 'yahoo.com.au', 'yahoo.de', 'yahoo.dk',
    'yahoo.fr', 'yahoo.fi', 'yahoo.it', 'yahoo.at', 'y7mail.com', 'googlemail.com', 'fastmail.fm', 'fastmail.im', 'proton.me',
    'pm.me', 'me.com', 'mac.com', 'posteo.de', 'posteo.be', 'inbox.ru', 'inbox.lv', 'centrum.cz', 'centrum.sk', 'yandex.ua',
    'yandex.by', 'earthlink.net', 'earthling.net', 'terra.com.br', 'terra.com.ar',
  ])('%s', (domain) => {
    expect(reasonFor(domain)).toBeUndefined();
  });

  test('every protected domain passes against the full list (a protected domain is never its own look-alike)', () => {
    for (const domain of DEFAULT_PROTECTED_DOMAINS) expect({ domain, reason: reasonFor(domain) }).toEqual({ domain, reason: undefined });
  });

  test('being on the free-email list does not make a squat genuine (yaho.com, hotmail.co are on it)', () => {
    expect(reasonFor('yaho.com')).toContain('looks like yahoo.com');
    expect(reasonFor('hotmail.co')).toContain('looks like hotmail.com');
  });
});

describe("the tenant's own domains", () => {
  test.each([
    ['c0op.example', 'skeleton (0 for o)'],
    ['coopp.example', 'one insertion'],
    ['cop.example', 'one deletion'],
    ['ocop.example', 'one transposition'],
    ['co-op.example', 'one insertion (a hyphen)'],
    ['coop-login.example', 'hyphenated, name first'],
    ['login-coop.example', 'hyphenated, name last'],
    ['secure-c0op-login.example', 'hyphenated, homoglyph in the name'],
    ['mail.coop-login.example', 'subdomain of a hyphenated squat'],
    ['\u0441\u043E\u043E\u0440.example', 'wholly Cyrillic'],
  ])('%s (%s) looks like coop.example', (domain) => {
    expect(reasonFor(domain)).toBe(`domain ${facts(`user@${domain}`).domain} looks like coop.example`);
  });

  test('the tenant domain itself and its subdomains pass', () => {
    expect(reasonFor('coop.example')).toBeUndefined();
    expect(reasonFor('mail.coop.example')).toBeUndefined();
  });

  test('a hyphenated name under another suffix, or with the name only inside a word, passes', () => {
    for (const domain of ['coop-login.com', 'cooperative.example', 'coopers-login.example']) {
      expect({ domain, reason: reasonFor(domain) }).toEqual({ domain, reason: undefined });
    }
  });

  test('without the tenant domain, nothing about coop is flagged', () => {
    expect(reasonFor('coop-login.example', providers)).toBeUndefined();
    expect(reasonFor('coopp.example', providers)).toBeUndefined();
  });

  test('a tenant name of three letters is compared by skeleton only', () => {
    const short = lookalikeTargets(DEFAULT_PROTECTED_DOMAINS, ['abc.example']);
    expect(reasonFor('abd.example', short)).toBeUndefined();
    expect(reasonFor('abc-login.example', short)).toBeUndefined();
    expect(reasonFor('\u0430bc.example', short)).toContain('looks like abc.example');
  });
});

describe('whole-script look-alikes (no mixed label)', () => {
  test.each([
    ['\u0443\u0430\u04BB\u043E\u043E.com', 'yahoo.com'], // уаһоо.com
    ['\u0430\u043E\u04CF.com', 'aol.com'], // аоӏ.com
    ['\u051B\u051B.com', 'qq.com'], // ԛԛ.com
    ['\u051D\u0435\u044C.de', 'web.de'], // ԝеь.de
    ['\u0443\u0430\u04BB\u043E.com', 'yahoo.com'], // уаһо.com: Cyrillic and one letter short
  ])('%s looks like %s, in Unicode and in punycode', (domain, target) => {
    expect(reasonFor(domain)).toContain(`looks like ${target}`);
    expect(reasonFor(facts(`user@${domain}`).domain)).toContain(`looks like ${target}`);
  });
});

describe('real domains people use pass', () => {
  test.each([
    'münchen.de', 'bücher.de', 'почта.рф', 'яндекс.рф', '例え.jp', 'société.fr', 'ñandú.es', '한국.kr',
    'xn--mnchen-3ya.de', 'xn--80a1acny.xn--p1ai',
    'naver.com', 'daum.net', 'hanmail.net', 'yandex.ru', 'mail.ru', 'rambler.ru', 'web.de', 'gmx.de', 't-online.de',
    'orange.fr', 'free.fr', 'laposte.net', 'libero.it', 'wp.pl', 'o2.pl', 'onet.pl', 'seznam.cz', 'ukr.net', 'i.ua', 'qq.com',
    '163.com', 'uol.com.br', 'bol.com.br', 'yahoo.co.jp', 'docomo.ne.jp', 'rediffmail.com',
    'smith-labs123.com', 'rossi-gmbh55.de', 'müller-bau.de', 'acme.co.uk', 'example.com', 'mailchimp.com', 'gmail-fan-club.org',
  ])('%s', (domain) => {
    expect(reasonFor(domain)).toBeUndefined();
  });

  test('the company domains of the simulation (surname-kind1234.tld) never look like a provider', () => {
    const names = ['smith', 'rossi', 'müller', 'garcia', 'kim', 'nguyen', 'silva', 'kowalski', 'tanaka', 'ivanov', 'mail', 'yahoo'];
    const company = fc.tuple(fc.constantFrom(...names), fc.constantFrom('gmbh', 'labs', 'group', 'co', 'studio'), fc.nat(999), fc.constantFrom('com', 'de', 'fr', 'io', 'co.uk', 'com.br'));
    fc.assert(
      fc.property(company, ([name, kind, number, tld]) => {
        expect(reasonFor(`${name}-${kind}${number}.${tld}`)).toBeUndefined();
      }),
    );
  });
});

describe('withinOneEdit (Damerau, optimal string alignment)', () => {
  test.each([
    ['gmail', 'gmail', true],
    ['gmail', 'gmial', true],
    ['gmail', 'gmai', true],
    ['gmail', 'gmaill', true],
    ['gmail', 'gnail', true],
    ['gmail', 'xgmail', true],
    ['gmail', 'gmailx', true],
    ['gmail', 'mgail', true],
    ['gmail', 'gmlai', false],
    ['gmail', 'gmal', true],
    ['gmail', 'gma', false],
    ['gmail', 'ymial', false],
    ['ab', 'ba', true],
    ['', 'a', true],
    ['', 'ab', false],
    ['\u0430b', 'ab', true],
  ])('%s / %s: %s', (a, b, expected) => {
    expect(withinOneEdit(a, b)).toBe(expected);
    expect(withinOneEdit(b, a)).toBe(expected);
  });

  test('agrees with a textbook optimal-string-alignment distance', () => {
    const osa = (a: string, b: string): number => {
      const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
      for (let i = 1; i <= a.length; i += 1) {
        for (let j = 1; j <= b.length; j += 1) {
          const row = d[i]!;
          const cost = a[i - 1] === b[j - 1] ? 0 : 1;
          row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + cost);
          if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
        }
      }
      return d[a.length]![b.length]!;
    };
    const word = fc.stringMatching(/^[abc]{0,6}$/);
    fc.assert(fc.property(word, word, (a, b) => {
      expect(withinOneEdit(a, b)).toBe(osa(a, b) <= 1);
    }), { numRuns: 2000 });
  });
});
