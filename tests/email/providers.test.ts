/**
 * shared/email/providers.ts: the world's public mail providers (free-email-domains list plus the
 * named providers), matched by domain or registrable domain, in any spelling a caller may hold.
 */
import { freeEmailDomains } from 'free-email-domains-typescript';
import { isMailProvider } from '../../shared/email/providers';
import { DEFAULT_PROTECTED_DOMAINS } from '../../shared/email/lookalike';

describe('isMailProvider', () => {
  test.each([
    'gmail.com', 'outlook.com', 'yahoo.co.jp', 'naver.com', 'daum.net', 'hanmail.net', 'yandex.ru', 'mail.ru',
    'rambler.ru', 'web.de', 'gmx.de', 't-online.de', 'orange.fr', 'free.fr', 'laposte.net', 'libero.it', 'wp.pl',
    'o2.pl', 'onet.pl', 'seznam.cz', 'ukr.net', 'i.ua', 'qq.com', '163.com', 'uol.com.br', 'bol.com.br',
    'docomo.ne.jp', 'rediffmail.com', 'proton.me', 'pm.me',
  ])('%s is a provider', (domain) => {
    expect(isMailProvider(domain)).toBe(true);
  });

  test('every entry of both lists is a provider', () => {
    expect(freeEmailDomains.length).toBeGreaterThan(4000);
    for (const domain of [...freeEmailDomains, ...DEFAULT_PROTECTED_DOMAINS]) expect({ domain, provider: isMailProvider(domain) }).toEqual({ domain, provider: true });
  });

  test('a subdomain counts through its registrable domain', () => {
    expect(isMailProvider('mx.gmail.com')).toBe(true);
    expect(isMailProvider('eu.mail.yahoo.co.jp')).toBe(true);
  });

  test('case, a trailing dot and white space around are tolerated', () => {
    expect(isMailProvider('GMail.COM')).toBe(true);
    expect(isMailProvider('gmail.com.')).toBe(true);
    expect(isMailProvider(' Naver.com ')).toBe(true);
  });

  test('Unicode and punycode spellings agree', () => {
    // No IDN is on the lists today; the two spellings of one domain must still answer alike.
    for (const [unicode, ascii] of [['почта.рф', 'xn--80a1acny.xn--p1ai'], ['münchen.de', 'xn--mnchen-3ya.de']] as const) {
      expect(isMailProvider(unicode)).toBe(isMailProvider(ascii));
    }
  });

  test.each(['smith-labs123.com', 'rossi-gmbh55.de', 'coop.example', 'münchen.de', 'gmail.co', 'com', 'co.uk'])(
    '%s is not a provider',
    (domain) => {
      expect(isMailProvider(domain)).toBe(false);
    },
  );

  test('bad input answers false, never throws', () => {
    for (const domain of ['', '.', '..', 'a..b', 'x'.repeat(300) + '.com', 'user@gmail.com', '[192.0.2.1]', '\u0000', 'gmail.com/..']) {
      expect(() => isMailProvider(domain)).not.toThrow();
      expect(isMailProvider(domain)).toBe(false);
    }
    expect(isMailProvider(undefined as unknown as string)).toBe(false);
  });
});
