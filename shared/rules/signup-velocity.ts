/**
 * The signup-velocity rule: sign-ups per client IP, per subnet, per mailbox, per e-mail domain and
 * tenant-wide, each over its own window.
 *
 * Shared addresses are normal: carrier-grade NAT puts a town behind one /24, an office behind one
 * IP. An IPv6 /64 is one subscriber (a home, a phone) whose addresses rotate freely, so it counts
 * as one address with its own limit, and its /48 as the subnet. So an IP, subnet or domain over its limit first lowers
 * the trust of the new account; only far over it (GUARD_SIGNUP_DENY_FACTOR times the limit) is a
 * sign-up refused, and then only one that brought no passed CAPTCHA: a person behind a busy NAT
 * who solved the CAPTCHA still gets in. Public mail providers are never counted per domain
 * (millions share them; see shared/email/providers.ts).
 *
 * A mailbox is counted as its provider sees it (j.o.h.n+x@gmail.com is john@gmail.com): a second
 * sign-up of one mailbox within the window gets low trust, more are refused. Auth0 itself refuses
 * the same address twice, so repeats of a mailbox are nearly always variants of one inbox.
 *
 * The tenant-wide limit counts only the sign-ups it lets in (the caller adds one after admitting):
 * a bot flood that the other rules refuse cannot fill it and lock people out.
 */
import { formatWindowLimit, parseWindowLimit, type WindowLimit } from '../config/dynamic-policy';
import { parseNumber } from '../config/parsers';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import type { WindowCount } from '../engine/dynamic-types';
import type { SignupJudgement } from '../engine/signup-counters';
import { overLimit, slidingCount } from '../engine/window-limit';

export const SIGNUP_VELOCITY_RULE = 'signup-velocity';

export interface SignupLimits {
  ip: WindowLimit | undefined;
  /** Per IPv6 /64 (one subscriber's site; the addresses in it rotate freely). */
  ipv6: WindowLimit | undefined;
  subnet: WindowLimit | undefined;
  mailbox: WindowLimit | undefined;
  domain: WindowLimit | undefined;
  tenant: WindowLimit | undefined;
  /** Over this many times its limit, an IP, subnet or domain refuses sign-ups without a passed CAPTCHA. */
  denyFactor: number;
}

export interface SignupVelocityCounts {
  ip: WindowCount | undefined;
  subnet: WindowCount | undefined;
  mailbox: WindowCount | undefined;
  domain: WindowCount | undefined;
  /** Sign-ups admitted so far in the tenant's windows (this one not included). */
  tenantAdmitted: WindowCount | undefined;
}

export interface SignupVelocityContext {
  now: number;
  /** The client address is IPv6: its /64 was counted, against the IPv6 limit. */
  ipv6: boolean;
  domain: string | undefined;
  /** The CAPTCHA was verified with a passing (not marginal) answer. */
  captchaPassed: boolean;
}

export function judgeSignupVelocity(counts: SignupVelocityCounts, limits: SignupLimits, context: SignupVelocityContext): SignupJudgement {
  const { now } = context;
  const lowTrust: string[] = [];
  const refuse = (reason: string): SignupJudgement => ({ deny: { rule: SIGNUP_VELOCITY_RULE, effect: 'block', reason }, lowTrust });

  if (counts.tenantAdmitted !== undefined && limits.tenant !== undefined) {
    const admitted = slidingCount(counts.tenantAdmitted, now, limits.tenant.windowMs);
    if (admitted + 1 > limits.tenant.max) {
      return refuse(`${Math.ceil(admitted)} sign-ups admitted tenant-wide, at the limit of ${formatWindowLimit(limits.tenant)}`);
    }
  }
  const mailboxOver = overLimit('of this mailbox (as its provider reads it)', counts.mailbox, limits.mailbox, now, 'sign-ups');
  if (mailboxOver !== undefined) return refuse(mailboxOver);
  if (counts.mailbox !== undefined && counts.mailbox.current + counts.mailbox.previous > 1) {
    lowTrust.push('another sign-up of a mailbox already seen (a dot or plus variant of one inbox)');
  }

  const shared: Array<[string, WindowCount | undefined, WindowLimit | undefined]> = [
    [context.ipv6 ? 'from this IPv6 /64' : 'from this IP', counts.ip, context.ipv6 ? limits.ipv6 : limits.ip],
    ['from this subnet', counts.subnet, limits.subnet],
    [`with the e-mail domain ${context.domain ?? ''}`.trim(), counts.domain, limits.domain],
  ];
  for (const [what, count, limit] of shared) {
    const over = overLimit(what, count, limit, now, 'sign-ups');
    if (over === undefined || count === undefined || limit === undefined) continue;
    const hardLimit = { max: limit.max * limits.denyFactor, windowMs: limit.windowMs };
    const farOver = overLimit(what, count, hardLimit, now, 'sign-ups');
    if (farOver !== undefined && !context.captchaPassed) return refuse(`${farOver} without a passed CAPTCHA`);
    lowTrust.push(over);
  }
  return { deny: undefined, lowTrust };
}

// Settings

export const SIGNUP_VELOCITY_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_SIGNUP_LIMIT_IP', actions: 'signup', group: 'sign-up', meaning: 'Sign-ups per client IP before new accounts get low trust', default: '10/1h', example: '5/1h' },
  { name: 'GUARD_SIGNUP_LIMIT_IPV6', actions: 'signup', group: 'sign-up', meaning: 'Sign-ups per IPv6 /64 (one subscriber; its addresses rotate freely) before new accounts get low trust', default: '1/1h', example: '3/1h' },
  { name: 'GUARD_SIGNUP_LIMIT_SUBNET', actions: 'signup', group: 'sign-up', meaning: 'Sign-ups per client subnet (IPv4 /24, IPv6 /48) before new accounts get low trust', default: '30/1h', example: '20/1h' },
  { name: 'GUARD_SIGNUP_LIMIT_DOMAIN', actions: 'signup', group: 'sign-up', meaning: 'Sign-ups per e-mail domain before new accounts get low trust (public mail providers are not counted)', default: '20/1h', example: '10/1h' },
  { name: 'GUARD_SIGNUP_DENY_FACTOR', actions: 'signup', group: 'sign-up', meaning: 'Over this many times the IP, subnet or domain limit, sign-ups without a passed CAPTCHA are refused', default: '10', example: '3' },
  { name: 'GUARD_SIGNUP_LIMIT_MAILBOX', actions: 'signup', group: 'sign-up', meaning: 'Sign-ups per mailbox as its provider reads it (Gmail dots, plus tags); the second gets low trust, more are refused', default: '2/24h', example: '1/24h' },
  { name: 'GUARD_SIGNUP_LIMIT_TENANT', actions: 'signup', group: 'sign-up', meaning: 'Sign-ups admitted tenant-wide (an emergency brake: refused ones do not count)', default: '5000/1h', example: '300/1h' },
];

export const SIGNUP_LIMIT_DEFAULTS = {
  GUARD_SIGNUP_LIMIT_IP: '10/1h',
  GUARD_SIGNUP_LIMIT_IPV6: '1/1h',
  GUARD_SIGNUP_LIMIT_SUBNET: '30/1h',
  GUARD_SIGNUP_LIMIT_DOMAIN: '20/1h',
  GUARD_SIGNUP_LIMIT_MAILBOX: '2/24h',
  GUARD_SIGNUP_LIMIT_TENANT: '5000/1h',
} as const;

const DEFAULT_DENY_FACTOR = 10;

export function parseSignupVelocitySettings(secrets: Secrets, errors: ConfigErrors): SignupLimits {
  const limit = (name: keyof typeof SIGNUP_LIMIT_DEFAULTS) =>
    errors.read(() => parseWindowLimit(name, secrets[name], SIGNUP_LIMIT_DEFAULTS[name]), parseWindowLimit(name, undefined, SIGNUP_LIMIT_DEFAULTS[name]));
  return {
    ip: limit('GUARD_SIGNUP_LIMIT_IP'),
    ipv6: limit('GUARD_SIGNUP_LIMIT_IPV6'),
    subnet: limit('GUARD_SIGNUP_LIMIT_SUBNET'),
    mailbox: limit('GUARD_SIGNUP_LIMIT_MAILBOX'),
    domain: limit('GUARD_SIGNUP_LIMIT_DOMAIN'),
    tenant: limit('GUARD_SIGNUP_LIMIT_TENANT'),
    denyFactor: errors.read(
      () => parseNumber('GUARD_SIGNUP_DENY_FACTOR', secrets['GUARD_SIGNUP_DENY_FACTOR'], DEFAULT_DENY_FACTOR, { min: 1, max: 1000 }),
      DEFAULT_DENY_FACTOR,
    ),
  };
}
