/**
 * Secrets → the registration policy: sign-up countries, sign-up velocity, and what to do when a
 * CAPTCHA token is missing or the provider fails. Bad values are reported by secret name; the
 * safe default is kept.
 */
import { parseWindowLimit } from '../config/dynamic-policy';
import { isUnset, parseBoolean, parseCountryList, parseEnum, parseList } from '../config/parsers';
import { SecretError } from '../config/secret-error';
import { readAllowList, type ConfigErrors, type Secrets } from '../config/static-policy';
import { SMS_HIGH_RISK_COUNTRIES } from '../data/high-risk-countries';
import type { SignupCountryPolicy } from '../rules/signup-country';
import type { SignupLimits } from '../rules/signup-velocity';

export type MissingTokenPolicy = 'deny' | 'low-trust' | 'allow';
export type CaptchaFailMode = 'open' | 'closed' | 'low-trust';

export interface RegistrationPolicy {
  signupCountry: SignupCountryPolicy;
  limits: SignupLimits;
  captchaTokenField: string;
  missingToken: MissingTokenPolicy;
  /** Connection names or client ids whose sign-ups need no token (e.g. back-office provisioning). */
  tokenOptionalFor: ReadonlySet<string>;
  captchaFailMode: CaptchaFailMode;
  denyMessage: string | undefined;
}

export const SIGNUP_LIMIT_DEFAULTS = {
  GUARD_SIGNUP_LIMIT_IP: '10/1h',
  GUARD_SIGNUP_LIMIT_SUBNET: '30/1h',
  GUARD_SIGNUP_LIMIT_DOMAIN: '20/1h',
  GUARD_SIGNUP_LIMIT_TENANT: '1000/1h',
} as const;

export function parseRegistrationPolicy(secrets: Secrets, errors: ConfigErrors): RegistrationPolicy {
  const limit = (name: keyof typeof SIGNUP_LIMIT_DEFAULTS) =>
    errors.read(() => parseWindowLimit(name, secrets[name], SIGNUP_LIMIT_DEFAULTS[name]), parseWindowLimit(name, undefined, SIGNUP_LIMIT_DEFAULTS[name]));
  // An entry that cannot be read may be the tenant's home country: allow-list mode is suspended,
  // and sign-ups from the high-risk tier (except the readable entries) are refused instead.
  const allowList = (name: string, consequence: string) => readAllowList(secrets, name, errors, consequence);
  const allowed = allowList(
    'GUARD_SIGNUP_ALLOWED_COUNTRIES',
    'allow-list mode is OFF for sign-ups until this is fixed: GUARD_SIGNUP_BLOCKED_COUNTRIES and the high-risk tier decide instead (the readable entries stay exempt from the tier)',
  );
  const configuredBlocks = errors.read(() => parseCountryList('GUARD_SIGNUP_BLOCKED_COUNTRIES', secrets['GUARD_SIGNUP_BLOCKED_COUNTRIES']), []);
  const fallbackBlocks = allowed.kind === 'unreadable' ? SMS_HIGH_RISK_COUNTRIES.filter((country) => !allowed.readable.includes(country)) : [];
  return {
    signupCountry: {
      allowOnly: allowed.kind === 'list' ? new Set(allowed.countries) : undefined,
      blocked: new Set([...configuredBlocks, ...fallbackBlocks]),
      refuseUnknown: errors.read(() => parseBoolean('GUARD_SIGNUP_REFUSE_UNKNOWN_COUNTRY', secrets['GUARD_SIGNUP_REFUSE_UNKNOWN_COUNTRY'], false), false),
    },
    limits: {
      ip: limit('GUARD_SIGNUP_LIMIT_IP'),
      subnet: limit('GUARD_SIGNUP_LIMIT_SUBNET'),
      domain: limit('GUARD_SIGNUP_LIMIT_DOMAIN'),
      tenant: limit('GUARD_SIGNUP_LIMIT_TENANT'),
    },
    captchaTokenField: errors.read(() => parseTokenField(secrets['CAPTCHA_TOKEN_FIELD']), 'ulp-captcha-token'),
    missingToken: errors.read(
      () => parseEnum('CAPTCHA_MISSING_TOKEN', secrets['CAPTCHA_MISSING_TOKEN'], 'low-trust', ['deny', 'low-trust', 'allow'] as const),
      'low-trust',
    ),
    tokenOptionalFor: new Set(
      errors.read(
        () => parseList('CAPTCHA_OPTIONAL_FOR', secrets['CAPTCHA_OPTIONAL_FOR'], 'connection names or client ids', (item) => (/^[\w.|:-]{1,128}$/.test(item) ? item : undefined)),
        [],
      ),
    ),
    captchaFailMode: errors.read(
      () => parseEnum('CAPTCHA_FAIL_MODE', secrets['CAPTCHA_FAIL_MODE'], 'low-trust', ['open', 'closed', 'low-trust'] as const),
      'low-trust',
    ),
    denyMessage: errors.read(() => parseDenyMessage(secrets['GUARD_SIGNUP_DENY_MESSAGE']), undefined),
  };
}

/** Universal Login only passes custom fields whose name starts with `ulp-`. */
function parseTokenField(raw: string | undefined): string {
  if (isUnset(raw)) return 'ulp-captcha-token';
  const value = raw.trim();
  if (!/^ulp-[A-Za-z0-9_-]{1,60}$/.test(value)) throw new SecretError('CAPTCHA_TOKEN_FIELD', 'a field name starting with ulp-, such as ulp-captcha-token', raw);
  return value;
}

function parseDenyMessage(raw: string | undefined): string | undefined {
  if (isUnset(raw)) return undefined;
  const value = raw.trim();
  if (value.length > 300) throw new SecretError('GUARD_SIGNUP_DENY_MESSAGE', 'a message of at most 300 characters', raw);
  return value;
}
