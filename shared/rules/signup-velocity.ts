/**
 * The signup-velocity rule: sign-ups per client IP, per subnet, per e-mail domain and per tenant,
 * each over its own window. Big public mail providers are exempt from the domain limit (millions
 * of real users share them); a burst of accounts on one small domain is a bot farm's signature.
 */
import type { WindowLimit } from '../config/dynamic-policy';
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
