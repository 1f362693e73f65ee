/**
 * The signup-velocity rule: sign-ups per client IP, per subnet, per e-mail domain and per tenant,
 * each over its own window. Big public mail providers are exempt from the domain limit (millions
 * of real users share them); a burst of accounts on one small domain is a bot farm's signature.
 */
import { parseWindowLimit, type WindowLimit } from '../config/dynamic-policy';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import type { WindowCount } from '../engine/dynamic-types';
import type { Finding } from '../engine/types';
import { overLimit } from '../engine/window-limit';

export const SIGNUP_VELOCITY_RULE = 'signup-velocity';

export interface SignupLimits {
  ip: WindowLimit | undefined;
  subnet: WindowLimit | undefined;
  domain: WindowLimit | undefined;
  tenant: WindowLimit | undefined;
}

export interface SignupCounts {
  ip: WindowCount | undefined;
  subnet: WindowCount | undefined;
  domain: WindowCount | undefined;
  tenant: WindowCount | undefined;
}

export function checkSignupVelocity(counts: SignupCounts, limits: SignupLimits, now: number, domain: string | undefined): Finding | undefined {
  const reason =
    overLimit('from this IP', counts.ip, limits.ip, now, 'sign-ups') ??
    overLimit('from this subnet', counts.subnet, limits.subnet, now, 'sign-ups') ??
    overLimit(`with the e-mail domain ${domain ?? ''}`.trim(), counts.domain, limits.domain, now, 'sign-ups') ??
    overLimit('tenant-wide', counts.tenant, limits.tenant, now, 'sign-ups');
  return reason === undefined ? undefined : { rule: SIGNUP_VELOCITY_RULE, effect: 'block', reason };
}

// Settings

export const SIGNUP_VELOCITY_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_SIGNUP_LIMIT_IP', actions: 'signup', group: 'sign-up', meaning: 'Sign-ups per client IP', default: '10/1h', example: '5/1h' },
  { name: 'GUARD_SIGNUP_LIMIT_SUBNET', actions: 'signup', group: 'sign-up', meaning: 'Sign-ups per client subnet (IPv4 /24, IPv6 /64)', default: '30/1h', example: '20/1h' },
  { name: 'GUARD_SIGNUP_LIMIT_DOMAIN', actions: 'signup', group: 'sign-up', meaning: 'Sign-ups per e-mail domain (big public providers exempt)', default: '20/1h', example: '10/1h' },
  { name: 'GUARD_SIGNUP_LIMIT_TENANT', actions: 'signup', group: 'sign-up', meaning: 'Sign-ups tenant-wide', default: '1000/1h', example: '300/1h' },
];

export const SIGNUP_LIMIT_DEFAULTS = {
  GUARD_SIGNUP_LIMIT_IP: '10/1h',
  GUARD_SIGNUP_LIMIT_SUBNET: '30/1h',
  GUARD_SIGNUP_LIMIT_DOMAIN: '20/1h',
  GUARD_SIGNUP_LIMIT_TENANT: '1000/1h',
} as const;

export function parseSignupVelocitySettings(secrets: Secrets, errors: ConfigErrors): SignupLimits {
  const limit = (name: keyof typeof SIGNUP_LIMIT_DEFAULTS) =>
    errors.read(() => parseWindowLimit(name, secrets[name], SIGNUP_LIMIT_DEFAULTS[name]), parseWindowLimit(name, undefined, SIGNUP_LIMIT_DEFAULTS[name]));
  return {
    ip: limit('GUARD_SIGNUP_LIMIT_IP'),
    subnet: limit('GUARD_SIGNUP_LIMIT_SUBNET'),
    domain: limit('GUARD_SIGNUP_LIMIT_DOMAIN'),
    tenant: limit('GUARD_SIGNUP_LIMIT_TENANT'),
  };
}
