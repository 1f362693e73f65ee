/**
 * The signup-country rule: where the sign-up request comes from (Auth0's geoip of the client IP),
 * not where an OTP would go. An allow-list, a block list, and an optional policy for requests
 * whose country is unknown.
 */
import { parseBoolean, parseCountryList } from '../config/parsers';
import type { SecretDoc } from '../config/secret-doc';
import { readAllowList, type ConfigErrors, type Secrets } from '../config/static-policy';
import { SMS_HIGH_RISK_COUNTRIES } from '../data/high-risk-countries';
import type { Finding, SignupCountryPolicy } from '../engine/types';

export const SIGNUP_COUNTRY_RULE = 'signup-country';

export type { SignupCountryPolicy };

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

// Settings

export const SIGNUP_COUNTRY_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_SIGNUP_ALLOWED_COUNTRIES', actions: 'signup', group: 'sign-up', meaning: 'Only sign-ups from these request countries (geoip)', default: 'unset (all)', example: 'US, CA' },
  { name: 'GUARD_SIGNUP_BLOCKED_COUNTRIES', actions: 'signup', group: 'sign-up', meaning: 'Sign-ups from these request countries are refused', default: 'none', example: 'KP' },
  { name: 'GUARD_SIGNUP_REFUSE_UNKNOWN_COUNTRY', actions: 'signup', group: 'sign-up', meaning: 'With an allow-list, refuse requests whose country geoip cannot tell', default: 'false', example: 'true' },
];

export function parseSignupCountrySettings(secrets: Secrets, errors: ConfigErrors): SignupCountryPolicy {
  // An entry that cannot be read may be the tenant's home country: allow-list mode is suspended,
  // and sign-ups from the high-risk tier (except the readable entries) are refused instead.
  const allowList = (name: string, consequence: string) => readAllowList(secrets, name, errors, consequence);
  const allowed = allowList(
    'GUARD_SIGNUP_ALLOWED_COUNTRIES',
    'allow-list mode is OFF for sign-ups until this is fixed: GUARD_SIGNUP_BLOCKED_COUNTRIES and the high-risk tier decide instead (readable entries stay exempt)',
  );
  const configuredBlocks = errors.read(() => parseCountryList('GUARD_SIGNUP_BLOCKED_COUNTRIES', secrets['GUARD_SIGNUP_BLOCKED_COUNTRIES']), []);
  const fallbackBlocks = allowed.kind === 'unreadable' ? SMS_HIGH_RISK_COUNTRIES.filter((country) => !allowed.readable.includes(country)) : [];
  return {
    allowOnly: allowed.kind === 'list' ? new Set(allowed.countries) : undefined,
    blocked: new Set([...configuredBlocks, ...fallbackBlocks]),
    refuseUnknown: errors.read(() => parseBoolean('GUARD_SIGNUP_REFUSE_UNKNOWN_COUNTRY', secrets['GUARD_SIGNUP_REFUSE_UNKNOWN_COUNTRY'], false), false),
  };
}
