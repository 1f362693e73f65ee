/**
 * The signup-country rule: where the sign-up request comes from (Auth0's geoip of the client IP),
 * not where an OTP would go. An allow-list, a block list, and an optional policy for requests
 * whose country is unknown.
 */
import type { Finding } from '../engine/types';

export const SIGNUP_COUNTRY_RULE = 'signup-country';

export interface SignupCountryPolicy {
  allowOnly: ReadonlySet<string> | undefined;
  blocked: ReadonlySet<string>;
  /** Refuse a request whose country geoip could not tell (only meaningful with an allow-list). */
  refuseUnknown: boolean;
}

export function checkSignupCountry(country: string | undefined, policy: SignupCountryPolicy): Finding | undefined {
  if (country === undefined) {
    if (policy.allowOnly === undefined || !policy.refuseUnknown) return undefined;
    return { rule: SIGNUP_COUNTRY_RULE, effect: 'block', reason: 'sign-up country is unknown and only listed countries may sign up' };
  }
  if (policy.blocked.has(country)) return { rule: SIGNUP_COUNTRY_RULE, effect: 'block', reason: `sign-ups from ${country} are blocked` };
  if (policy.allowOnly !== undefined && !policy.allowOnly.has(country)) {
    return { rule: SIGNUP_COUNTRY_RULE, effect: 'block', reason: `${country} is not in GUARD_SIGNUP_ALLOWED_COUNTRIES` };
  }
  return undefined;
}
