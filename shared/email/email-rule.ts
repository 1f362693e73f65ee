/**
 * The e-mail rule of the Pre-User-Registration Action, and its secrets. In order:
 * 1. a domain on GUARD_EMAIL_ALLOWED_DOMAINS (or under one) passes, exempt from the checks below;
 * 2. a domain on GUARD_EMAIL_BLOCKED_DOMAINS (or under one) is refused;
 * 3. with GUARD_EMAIL_ALLOW_ONLY, every other domain is refused;
 * 4. a disposable domain (the domain, or its registrable domain) is refused, unless
 *    GUARD_EMAIL_BLOCK_DISPOSABLE is off;
 * 5. a look-alike of a protected domain (a big provider or an allowed domain: homoglyphs in any
 *    script, one edit from it, or a hyphenated squat of an allowed domain), or a label mixing
 *    scripts, is refused, unless the domain is on GUARD_EMAIL_LOOKALIKE_EXCEPTIONS (a company whose
 *    real name is one letter from a provider: gmall.com).
 * Domains match on their lower-case ASCII form, exactly or as a parent domain: an entry
 * example.com covers sub.example.com; an entry `top` covers every .top address.
 */
import { isUnset, parseBoolean, parseList, type SecretValue } from '../config/parsers';
import type { SecretDoc } from '../config/secret-doc';
import { SecretError } from '../config/secret-error';
import type { ConfigErrors } from '../config/static-policy';
import { domainAndParents, parseDomain, type EmailFacts } from './address';
import { DEFAULT_PROTECTED_DOMAINS, lookalikeReason, lookalikeTargets, type LookalikeTargets } from './lookalike';

export const EMAIL_RULE = 'email';

export interface EmailPolicy {
  /** Exempt from the checks below; with allowOnly, the only domains that may sign up. */
  allowedDomains: ReadonlySet<string>;
  blockedDomains: ReadonlySet<string>;
  /** true: only allowedDomains may sign up. */
  allowOnly: boolean;
  blockDisposable: boolean;
  /** Domains whose look-alikes are refused: the big mail providers and the allowed domains. */
  protectedDomains: readonly string[];
  /** protectedDomains compiled for the look-alike check (the allowed domains as the tenant's own). */
  lookalike: LookalikeTargets;
  /** Never look-alikes (subdomains included); the other checks still apply. */
  lookalikeExceptions: ReadonlySet<string>;
}

export interface EmailFinding {
  rule: 'email';
  effect: 'block';
  reason: string;
}

export const EMAIL_SECRET_NAMES: readonly string[] = [
  'GUARD_EMAIL_ALLOWED_DOMAINS',
  'GUARD_EMAIL_BLOCKED_DOMAINS',
  'GUARD_EMAIL_ALLOW_ONLY',
  'GUARD_EMAIL_BLOCK_DISPOSABLE',
  'GUARD_EMAIL_LOOKALIKE_EXCEPTIONS',
];

export const EMAIL_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_EMAIL_ALLOWED_DOMAINS', actions: 'signup', group: 'sign-up', meaning: 'E-mail domains exempt from the e-mail checks (subdomains included); their look-alikes (homoglyphs, one edit, name-word.tld) are refused', default: 'none', example: 'example.com' },
  { name: 'GUARD_EMAIL_BLOCKED_DOMAINS', actions: 'signup', group: 'sign-up', meaning: 'E-mail domains refused (subdomains included)', default: 'none', example: 'spam.example' },
  { name: 'GUARD_EMAIL_ALLOW_ONLY', actions: 'signup', group: 'sign-up', meaning: 'Only GUARD_EMAIL_ALLOWED_DOMAINS may sign up', default: 'false', example: 'true' },
  { name: 'GUARD_EMAIL_BLOCK_DISPOSABLE', actions: 'signup', group: 'sign-up', meaning: 'Refuse disposable e-mail domains (disposable-email-domains-js list)', default: 'true', example: 'false' },
  { name: 'GUARD_EMAIL_LOOKALIKE_EXCEPTIONS', actions: 'signup', group: 'sign-up', meaning: 'E-mail domains never refused as look-alikes (subdomains included), for a real company whose name is one letter from a mail provider or from an allowed domain; the other e-mail checks still apply', default: 'none', example: 'gmall.com' },
];

export function checkEmail(
  email: EmailFacts,
  policy: EmailPolicy,
  isDisposable: (domain: string) => boolean,
): EmailFinding | undefined {
  if (matchingDomain(email.domain, policy.allowedDomains) !== undefined) return undefined;
  const blocked = matchingDomain(email.domain, policy.blockedDomains);
  if (blocked !== undefined) return block(`domain ${email.domain} matches blocked domain ${blocked}`);
  if (policy.allowOnly) return block(`domain ${email.domain} is not in GUARD_EMAIL_ALLOWED_DOMAINS`);
  if (policy.blockDisposable && (isDisposable(email.domain) || isDisposable(email.registrableDomain))) {
    return block(`domain ${email.domain} is a disposable e-mail domain`);
  }
  if (matchingDomain(email.domain, policy.lookalikeExceptions) !== undefined) return undefined;
  const lookalike = lookalikeReason(email, policy.lookalike);
  return lookalike === undefined ? undefined : block(lookalike);
}

/** The entry of `domains` that is `domain` or one of its parents, most specific first. */
export function matchingDomain(domain: string, domains: ReadonlySet<string>): string | undefined {
  if (domains.size === 0) return undefined;
  return domainAndParents(domain).find((candidate) => domains.has(candidate));
}

export function parseEmailPolicy(
  secrets: Readonly<Record<string, string | undefined>>,
  errors: ConfigErrors,
): EmailPolicy {
  const allowed = errors.read(() => parseDomainList('GUARD_EMAIL_ALLOWED_DOMAINS', secrets['GUARD_EMAIL_ALLOWED_DOMAINS']), []);
  const blocked = errors.read(() => parseDomainList('GUARD_EMAIL_BLOCKED_DOMAINS', secrets['GUARD_EMAIL_BLOCKED_DOMAINS']), []);
  const allowOnly = errors.read(() => parseAllowOnly(secrets['GUARD_EMAIL_ALLOW_ONLY'], allowed), false);
  const exceptions = errors.read(
    () => parseDomainList('GUARD_EMAIL_LOOKALIKE_EXCEPTIONS', secrets['GUARD_EMAIL_LOOKALIKE_EXCEPTIONS']),
    [],
  );
  const blockDisposable = errors.read(
    () => parseBoolean('GUARD_EMAIL_BLOCK_DISPOSABLE', secrets['GUARD_EMAIL_BLOCK_DISPOSABLE'], true),
    true,
  );
  return {
    allowedDomains: new Set(allowed),
    blockedDomains: new Set(blocked),
    allowOnly,
    blockDisposable,
    protectedDomains: [...new Set([...DEFAULT_PROTECTED_DOMAINS, ...allowed])],
    lookalike: lookalikeTargets(DEFAULT_PROTECTED_DOMAINS, allowed),
    lookalikeExceptions: new Set(exceptions),
  };
}

/**
 * Allow-only mode with no usable allowed domain would refuse every sign-up: that is reported as
 * an error and allow-only stays off (the other e-mail checks still apply).
 */
function parseAllowOnly(raw: SecretValue, allowed: readonly string[]): boolean {
  const allowOnly = parseBoolean('GUARD_EMAIL_ALLOW_ONLY', raw, false);
  if (allowOnly && allowed.length === 0) {
    throw new SecretError('GUARD_EMAIL_ALLOW_ONLY', 'true only together with a valid GUARD_EMAIL_ALLOWED_DOMAINS', raw ?? '');
  }
  return allowOnly;
}

/**
 * A list of domains (commas, semicolons or white space between them), each to lower-case ASCII.
 * A leading `@`, `*.` or `.` is tolerated (`@example.com`, `*.example.com`): parent matching
 * already covers subdomains.
 */
export function parseDomainList(name: string, raw: SecretValue): string[] {
  if (isUnset(raw)) return [];
  return parseList(name, raw, 'domain names such as example.com, mail.example.co.uk or bücher.de', (item) => {
    const parsed = parseDomain(item.replace(/^(?:@|\*\.|\.)/, ''));
    return parsed.ok ? parsed.domain : undefined;
  });
}

function block(reason: string): EmailFinding {
  return { rule: EMAIL_RULE, effect: 'block', reason };
}
