/**
 * shared/email/email-rule.ts: the e-mail rule's order (allowed, blocked, allow-only, disposable,
 * look-alike), parent-domain matching on the ASCII form, and its five secrets.
 */
import fc from 'fast-check';
import { ConfigErrors } from '../../shared/config/static-policy';
import { SecretError } from '../../shared/config/secret-error';
import { parseEmail, type EmailFacts } from '../../shared/email/address';
import { isDisposableDomain } from '../../shared/email/disposable';
import {
  EMAIL_SECRETS,
  EMAIL_SECRET_NAMES,
  checkEmail,
  matchingDomain,
  parseDomainList,
  parseEmailPolicy,
  type EmailPolicy,
} from '../../shared/email/email-rule';
import { DEFAULT_PROTECTED_DOMAINS, lookalikeTargets } from '../../shared/email/lookalike';

function facts(raw: string): EmailFacts {
  const result = parseEmail(raw);
  if (!result.ok) throw new Error(`test address ${raw} is refused: ${result.reason}`);
  return result.email;
}

function policyFrom(secrets: Record<string, string | undefined> = {}): { policy: EmailPolicy; errors: SecretError[] } {
  const errors = new ConfigErrors();
  const policy = parseEmailPolicy(secrets, errors);
  return { policy, errors: errors.errors };
}

const check = (raw: string, secrets: Record<string, string | undefined> = {}) =>
  checkEmail(facts(raw), policyFrom(secrets).policy, isDisposableDomain);

describe('parseEmailPolicy', () => {
  test('defaults: no lists, allow-only off, disposable blocked, big providers protected', () => {
    const { policy, errors } = policyFrom();
    expect(errors).toEqual([]);
    expect(policy).toEqual({
      allowedDomains: new Set(),
      blockedDomains: new Set(),
      allowOnly: false,
      blockDisposable: true,
      protectedDomains: DEFAULT_PROTECTED_DOMAINS,
      lookalike: lookalikeTargets(DEFAULT_PROTECTED_DOMAINS),
      lookalikeExceptions: new Set(),
    });
  });

  test('lists are normalised to lower-case ASCII; IDN, @ and *. prefixes are accepted', () => {
    const { policy, errors } = policyFrom({
      GUARD_EMAIL_ALLOWED_DOMAINS: 'Acme.COM, @partner.example; *.bücher.de\nxn--p1ai',
      GUARD_EMAIL_BLOCKED_DOMAINS: 'top  spam.example.co.uk',
      GUARD_EMAIL_ALLOW_ONLY: 'yes',
      GUARD_EMAIL_BLOCK_DISPOSABLE: 'off',
    });
    expect(errors).toEqual([]);
    expect([...policy.allowedDomains]).toEqual(['acme.com', 'partner.example', 'xn--bcher-kva.de', 'xn--p1ai']);
    expect([...policy.blockedDomains]).toEqual(['top', 'spam.example.co.uk']);
    expect(policy.allowOnly).toBe(true);
    expect(policy.blockDisposable).toBe(false);
    // The allowed (the tenant's own) domains are protected from look-alikes too.
    expect(policy.protectedDomains).toEqual([...DEFAULT_PROTECTED_DOMAINS, 'acme.com', 'partner.example', 'xn--bcher-kva.de', 'xn--p1ai']);
  });

  test.each([
    ['GUARD_EMAIL_BLOCKED_DOMAINS', 'http://spam.example', 'http://spam.example'],
    ['GUARD_EMAIL_BLOCKED_DOMAINS', '-bad.example', '-bad.example'],
    ['GUARD_EMAIL_BLOCK_DISPOSABLE', 'sometimes', 'sometimes'],
    ['GUARD_EMAIL_ALLOW_ONLY', 'maybe', 'maybe'],
  ])('a bad %s is reported by name and the safe default kept', (name, value, shown) => {
    const { policy, errors } = policyFrom({ [name]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SecretError);
    expect(errors[0]?.secret).toBe(name);
    expect(errors[0]?.message).toContain(`secret ${name} is invalid`);
    expect(errors[0]?.message).toContain(JSON.stringify(shown));
    expect(policy.allowedDomains.size).toBe(0);
    expect(policy.blockedDomains.size).toBe(0);
    expect(policy.allowOnly).toBe(false);
    expect(policy.blockDisposable).toBe(true);
  });

  test.each([
    ['GUARD_EMAIL_ALLOWED_DOMAINS', 'acme.com, ex_ample.com', 'ex_ample.com', 'allowedDomains', 'acme.com'],
    ['GUARD_EMAIL_BLOCKED_DOMAINS', 'spam.example, [10.0.0.1]', '[10.0.0.1]', 'blockedDomains', 'spam.example'],
  ] as const)('a bad item in %s is reported by name and the good items are kept', (name, value, shown, field, kept) => {
    const { policy, errors } = policyFrom({ [name]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.secret).toBe(name);
    expect(errors[0]?.message).toContain(JSON.stringify(shown));
    expect([...policy[field]]).toEqual([kept]);
  });

  test('allow-only without a usable allowed domain is an error and stays off (it would refuse every sign-up)', () => {
    const alone = policyFrom({ GUARD_EMAIL_ALLOW_ONLY: 'true' });
    expect(alone.policy.allowOnly).toBe(false);
    expect(alone.errors.map((error) => error.secret)).toEqual(['GUARD_EMAIL_ALLOW_ONLY']);
    expect(alone.errors[0]?.message).toContain('GUARD_EMAIL_ALLOWED_DOMAINS');

    const badList = policyFrom({ GUARD_EMAIL_ALLOW_ONLY: 'true', GUARD_EMAIL_ALLOWED_DOMAINS: 'acme..com' });
    expect(badList.policy.allowOnly).toBe(false);
    expect(badList.errors.map((error) => error.secret)).toEqual(['GUARD_EMAIL_ALLOWED_DOMAINS', 'GUARD_EMAIL_ALLOW_ONLY']);
  });

  test('EMAIL_SECRET_NAMES lists the five secrets the parser reads, and EMAIL_SECRETS documents each', () => {
    expect([...EMAIL_SECRET_NAMES].sort()).toEqual([
      'GUARD_EMAIL_ALLOWED_DOMAINS',
      'GUARD_EMAIL_ALLOW_ONLY',
      'GUARD_EMAIL_BLOCKED_DOMAINS',
      'GUARD_EMAIL_BLOCK_DISPOSABLE',
      'GUARD_EMAIL_LOOKALIKE_EXCEPTIONS',
    ]);
    expect(EMAIL_SECRETS.map((secret) => secret.name).sort()).toEqual([...EMAIL_SECRET_NAMES].sort());
    for (const secret of EMAIL_SECRETS) expect(secret).toMatchObject({ actions: 'signup', group: 'sign-up' });
  });

  test('GUARD_EMAIL_LOOKALIKE_EXCEPTIONS is a domain list like the others; a bad entry is reported by name', () => {
    const { policy, errors } = policyFrom({ GUARD_EMAIL_LOOKALIKE_EXCEPTIONS: 'GMall.com, @gmial.example; *.outlok.com' });
    expect(errors).toEqual([]);
    expect([...policy.lookalikeExceptions]).toEqual(['gmall.com', 'gmial.example', 'outlok.com']);
    const bad = policyFrom({ GUARD_EMAIL_LOOKALIKE_EXCEPTIONS: 'gmall.com, http://x' });
    expect(bad.errors.map((error) => error.secret)).toEqual(['GUARD_EMAIL_LOOKALIKE_EXCEPTIONS']);
    expect(bad.errors[0]?.message).toContain('GUARD_EMAIL_LOOKALIKE_EXCEPTIONS');
    // As with the other lists, the readable entries are kept.
    expect([...bad.policy.lookalikeExceptions]).toEqual(['gmall.com']);
  });

  test('blank values count as unset', () => {
    const secrets = Object.fromEntries(EMAIL_SECRET_NAMES.map((name) => [name, '  ']));
    expect(policyFrom(secrets)).toEqual(policyFrom());
  });

  test('parseDomainList never throws anything but a SecretError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (raw) => {
        try {
          const domains = parseDomainList('GUARD_EMAIL_BLOCKED_DOMAINS', raw);
          for (const domain of domains) expect(domain).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)*$/);
        } catch (error) {
          expect(error).toBeInstanceOf(SecretError);
        }
      }),
    );
  });
});

describe('matchingDomain', () => {
  const set = new Set(['example.com', 'top', 'xn--bcher-kva.de']);
  test.each([
    ['example.com', 'example.com'],
    ['sub.example.com', 'example.com'],
    ['a.b.example.com', 'example.com'],
    ['anything.top', 'top'],
    ['mail.xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['notexample.com', undefined],
    ['example.com.evil.net', undefined],
    ['example.co', undefined],
  ])('%s -> %s', (domain, expected) => {
    expect(matchingDomain(domain, set)).toBe(expected);
  });
});

describe('checkEmail', () => {
  test('an ordinary address passes', () => {
    expect(check('user@gmail.com')).toBeUndefined();
    expect(check('user@example.co.uk')).toBeUndefined();
  });

  test('a disposable domain, or a subdomain of one, is blocked', () => {
    expect(check('user@mailinator.com')).toEqual({ rule: 'email', effect: 'block', reason: 'domain mailinator.com is a disposable e-mail domain' });
    expect(check('user@inbox.mailinator.com')?.reason).toContain('disposable');
  });

  test('the registrable domain is checked too, with any isDisposable function', () => {
    const seen: string[] = [];
    const onlyRegistrable = (domain: string) => {
      seen.push(domain);
      return domain === 'throwaway.example';
    };
    const finding = checkEmail(facts('user@x.y.throwaway.example'), policyFrom().policy, onlyRegistrable);
    expect(finding?.reason).toContain('disposable');
    expect(seen).toEqual(['x.y.throwaway.example', 'throwaway.example']);
  });

  test('disposable blocking can be switched off', () => {
    expect(check('user@mailinator.com', { GUARD_EMAIL_BLOCK_DISPOSABLE: 'false' })).toBeUndefined();
  });

  test('a blocked domain or parent domain is blocked, naming the entry', () => {
    const secrets = { GUARD_EMAIL_BLOCKED_DOMAINS: 'spam.example, top' };
    expect(check('user@spam.example', secrets)?.reason).toBe('domain spam.example matches blocked domain spam.example');
    expect(check('user@a.b.spam.example', secrets)?.reason).toBe('domain a.b.spam.example matches blocked domain spam.example');
    expect(check('user@cheap-pills.top', secrets)?.reason).toContain('blocked domain top');
    expect(check('user@notspam.example', secrets)).toBeUndefined();
  });

  test('blocked IDN entries match the punycode form of the address', () => {
    expect(check('user@mail.BÜCHER.de', { GUARD_EMAIL_BLOCKED_DOMAINS: 'bücher.de' })?.reason).toContain('xn--bcher-kva.de');
  });

  test('allowed beats disposable, look-alike and blocked', () => {
    expect(check('user@mailinator.com', { GUARD_EMAIL_ALLOWED_DOMAINS: 'mailinator.com' })).toBeUndefined();
    expect(check('user@sub.mailinator.com', { GUARD_EMAIL_ALLOWED_DOMAINS: 'mailinator.com' })).toBeUndefined();
    expect(check('user@gm\u0430il.com', { GUARD_EMAIL_ALLOWED_DOMAINS: 'gm\u0430il.com' })).toBeUndefined();
    expect(
      check('user@ops.acme.com', { GUARD_EMAIL_ALLOWED_DOMAINS: 'ops.acme.com', GUARD_EMAIL_BLOCKED_DOMAINS: 'acme.com' }),
    ).toBeUndefined();
    expect(
      check('user@sales.acme.com', { GUARD_EMAIL_ALLOWED_DOMAINS: 'ops.acme.com', GUARD_EMAIL_BLOCKED_DOMAINS: 'acme.com' })?.reason,
    ).toContain('blocked domain acme.com');
  });

  test('allow-only admits the allowed domains and their subdomains only', () => {
    const secrets = { GUARD_EMAIL_ALLOWED_DOMAINS: 'acme.com', GUARD_EMAIL_ALLOW_ONLY: 'true' };
    expect(check('user@acme.com', secrets)).toBeUndefined();
    expect(check('user@eu.acme.com', secrets)).toBeUndefined();
    expect(check('user@gmail.com', secrets)).toEqual({
      rule: 'email',
      effect: 'block',
      reason: 'domain gmail.com is not in GUARD_EMAIL_ALLOWED_DOMAINS',
    });
  });

  test('blocked is reported before allow-only and disposable', () => {
    const secrets = { GUARD_EMAIL_ALLOWED_DOMAINS: 'acme.com', GUARD_EMAIL_ALLOW_ONLY: 'true', GUARD_EMAIL_BLOCKED_DOMAINS: 'mailinator.com' };
    expect(check('user@mailinator.com', secrets)?.reason).toContain('blocked domain mailinator.com');
  });

  test('disposable is reported before look-alike', () => {
    const always = () => true;
    expect(checkEmail(facts('user@gm\u0430il.com'), policyFrom().policy, always)?.reason).toContain('disposable');
  });

  test('look-alikes of the big providers and of the allowed (own) domains are blocked', () => {
    expect(check('user@gm\u0430il.com')).toEqual({ rule: 'email', effect: 'block', reason: 'domain xn--gmil-63d.com looks like gmail.com' });
    expect(check('user@\u0430cme.com', { GUARD_EMAIL_ALLOWED_DOMAINS: 'acme.com' })?.reason).toBe('domain xn--cme-5cd.com looks like acme.com');
    expect(check('user@p\u0430ypal-help.com')?.reason).toContain('mixes Latin and Cyrillic');
    expect(check('user@\u043F\u043E\u0447\u0442\u0430.\u0440\u0444')).toBeUndefined();
  });

  test('ASCII typo-squats are blocked, the reason naming what they look like', () => {
    for (const [domain, target] of [['gnail.com', 'gmail.com'], ['outlok.com', 'outlook.com'], ['yahooo.com', 'yahoo.com'], ['icloud.co', 'icloud.com'], ['gmai1.com', 'gmail.com']]) {
      expect(check(`user@${domain}`)).toEqual({ rule: 'email', effect: 'block', reason: `domain ${domain} looks like ${target}` });
    }
  });

  test('the allowed domains are protected by one edit and by hyphenated squats too', () => {
    const own = { GUARD_EMAIL_ALLOWED_DOMAINS: 'coop.example' };
    expect(check('user@coop.example', own)).toBeUndefined();
    expect(check('user@c0op.example', own)?.reason).toBe('domain c0op.example looks like coop.example');
    expect(check('user@coopp.example', own)?.reason).toBe('domain coopp.example looks like coop.example');
    expect(check('user@coop-login.example', own)?.reason).toBe('domain coop-login.example looks like coop.example');
    expect(check('user@login-coop.example', own)?.reason).toBe('domain login-coop.example looks like coop.example');
    expect(check('user@coop-login.example')).toBeUndefined();
  });

  test('a look-alike exception passes the look-alike check only (gmall.com is a real company)', () => {
    expect(check('user@gmall.com')?.reason).toBe('domain gmall.com looks like gmail.com');
    const excepted = { GUARD_EMAIL_LOOKALIKE_EXCEPTIONS: 'gmall.com' };
    expect(check('user@gmall.com', excepted)).toBeUndefined();
    expect(check('user@shop.gmall.com', excepted)).toBeUndefined();
    expect(check('user@gnail.com', excepted)?.reason).toBe('domain gnail.com looks like gmail.com');
    // Disposable and blocked still apply to an exception.
    expect(check('user@mailinator.com', { GUARD_EMAIL_LOOKALIKE_EXCEPTIONS: 'mailinator.com' })?.reason).toContain('disposable');
    expect(check('user@gmall.com', { ...excepted, GUARD_EMAIL_BLOCKED_DOMAINS: 'gmall.com' })?.reason).toContain('blocked');
  });

  test('real providers and IDNs pass with default secrets', () => {
    const real = [
      'münchen.de', 'bücher.de', 'почта.рф', 'яндекс.рф', '例え.jp', 'société.fr', 'ñandú.es', '한국.kr', 'naver.com', 'daum.net',
      'hanmail.net', 'yandex.ru', 'mail.ru', 'rambler.ru', 'web.de', 'gmx.de', 't-online.de', 'orange.fr', 'free.fr', 'laposte.net',
      'libero.it', 'wp.pl', 'o2.pl', 'onet.pl', 'seznam.cz', 'ukr.net', 'i.ua', 'qq.com', '163.com', 'uol.com.br', 'bol.com.br',
      'yahoo.co.jp', 'docomo.ne.jp', 'rediffmail.com', 'smith-labs123.com', 'rossi-gmbh55.de', 'ymail.com', 'email.com', 'mail.com',
      'gmx.com', 'gmx.net', 'hotmail.co.uk', 'outlook.de',
    ];
    for (const domain of real) expect({ domain, finding: check(`user@${domain}`) }).toEqual({ domain, finding: undefined });
  });
});

describe('bad input: a clear decision, never an exception', () => {
  const decide = (raw: unknown) => {
    const parsed = parseEmail(raw);
    return parsed.ok ? checkEmail(parsed.email, policyFrom().policy, isDisposableDomain) : { rule: 'email', effect: 'block', reason: parsed.reason };
  };

  test.each([
    ['a 300-character domain', `user@${'a'.repeat(296)}.com`, 'longer than'],
    ['a 300-character domain of short labels', `user@${'ab.'.repeat(99)}com`, 'longer than'],
    ['an empty label', 'user@gmail..com', 'empty label'],
    ['a leading dot', 'user@.gmail.com', 'empty label'],
    ['a trailing dot', 'user@gmail.com.', 'empty label'],
    ['invalid punycode', 'user@xn--zz.com', 'domain'],
    ['a label of 64 characters', `user@${'a'.repeat(64)}.com`, 'label'],
  ])('%s is refused with a reason', (_name, raw, reason) => {
    const decision = decide(raw);
    expect(decision).toMatchObject({ rule: 'email', effect: 'block' });
    expect(decision?.reason).toContain(reason);
  });

  test.each([['"john"@gmail.com'], ['"john doe"@gmail.com'], ['"a.b"@gmail.com']])('a quoted local part (%s) is a clear decision: allowed at a provider', (raw) => {
    expect(decide(raw)).toBeUndefined();
  });

  test('mixed-case providers and punycode spellings get the same decision as their plain forms', () => {
    expect(decide('User@GMail.COM')).toBeUndefined();
    expect(decide('User@GNAIL.com')?.reason).toBe('domain gnail.com looks like gmail.com');
    expect(decide('user@xn--mnchen-3ya.de')).toBeUndefined();
    expect(decide('user@XN--MNCHEN-3YA.DE')).toBeUndefined();
    expect(decide('user@\u0443\u0430\u04BB\u043E\u043E.com')?.reason).toBe('domain xn--80a2aar51d.com looks like yahoo.com');
    expect(decide('user@XN--80A2AAR51D.com')?.reason).toBe('domain xn--80a2aar51d.com looks like yahoo.com');
  });

  test('no string makes the rule throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 320 }), (raw) => {
        expect(() => decide(raw)).not.toThrow();
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 300 }), (local, domain) => {
        expect(() => decide(`${local}@${domain}`)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
