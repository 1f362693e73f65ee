/**
 * shared/email/email-rule.ts: the e-mail rule's order (allowed, blocked, allow-only, disposable,
 * look-alike), parent-domain matching on the ASCII form, and its four secrets.
 */
import fc from 'fast-check';
import { ConfigErrors } from '../../shared/config/static-policy';
import { SecretError } from '../../shared/config/secret-error';
import { parseEmail, type EmailFacts } from '../../shared/email/address';
import { isDisposableDomain } from '../../shared/email/disposable';
import {
  EMAIL_SECRET_NAMES,
  checkEmail,
  matchingDomain,
  parseDomainList,
  parseEmailPolicy,
  type EmailPolicy,
} from '../../shared/email/email-rule';
import { DEFAULT_PROTECTED_DOMAINS } from '../../shared/email/lookalike';

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

  test('EMAIL_SECRET_NAMES lists the four secrets the parser reads', () => {
    expect([...EMAIL_SECRET_NAMES].sort()).toEqual([
      'GUARD_EMAIL_ALLOWED_DOMAINS',
      'GUARD_EMAIL_ALLOW_ONLY',
      'GUARD_EMAIL_BLOCKED_DOMAINS',
      'GUARD_EMAIL_BLOCK_DISPOSABLE',
    ]);
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
});
