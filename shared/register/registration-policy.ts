/**
 * Secrets → the registration policy: sign-up countries and sign-up velocity (each parsed by its
 * rule's module), and what to do when a CAPTCHA token is missing or the provider fails. Bad values are reported by secret name; the
 * safe default is kept.
 */
import { isUnset, parseEnum, parseList } from '../config/parsers';
import { SecretError } from '../config/secret-error';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import { parseSignupCountrySettings, type SignupCountryPolicy } from '../rules/signup-country';
import { parseNewDomainSettings, type NewDomainPolicy } from '../rules/signup-new-domain';
import { parseSurgeSettings, type SurgePolicy } from '../rules/signup-surge';
import { parseSignupVelocitySettings, type SignupLimits } from '../rules/signup-velocity';

export type MissingTokenPolicy = 'deny' | 'low-trust' | 'allow';
export type CaptchaFailMode = 'open' | 'closed' | 'low-trust';
export type LowScorePolicy = 'deny' | 'low-trust';

export interface RegistrationPolicy {
  signupCountry: SignupCountryPolicy;
  limits: SignupLimits;
  /** Off (undefined) when GUARD_SIGNUP_NEW_DOMAIN_LIMIT is off. */
  newDomain: NewDomainPolicy | undefined;
  /** Off (undefined) when GUARD_SIGNUP_SURGE is off. */
  surge: SurgePolicy | undefined;
  captchaTokenField: string;
  missingToken: MissingTokenPolicy;
  /** Connection names or client ids whose sign-ups need no token (e.g. back-office provisioning). */
  tokenOptionalFor: ReadonlySet<string>;
  captchaFailMode: CaptchaFailMode;
  /** A genuine token whose score is under CAPTCHA_MIN_SCORE: people on shared networks or privacy browsers get such scores. */
  lowScore: LowScorePolicy;
  denyMessage: string | undefined;
}

export function parseRegistrationPolicy(secrets: Secrets, errors: ConfigErrors): RegistrationPolicy {
  return {
    signupCountry: parseSignupCountrySettings(secrets, errors),
    limits: parseSignupVelocitySettings(secrets, errors),
    newDomain: parseNewDomainSettings(secrets, errors),
    surge: parseSurgeSettings(secrets, errors),
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
    lowScore: errors.read(
      () => parseEnum('CAPTCHA_LOW_SCORE', secrets['CAPTCHA_LOW_SCORE'], 'low-trust', ['deny', 'low-trust'] as const),
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
