/**
 * Secrets → CAPTCHA configuration. CAPTCHA is off unless CAPTCHA_PROVIDER names a provider. A
 * provider without a usable credential cannot verify anything: that is recorded as a SecretError
 * naming the secret and no configuration is returned (the caller sees `isCaptchaRequested` true
 * and applies its fail mode, loudly). Every other knob keeps its safe default when its value is bad.
 */
import { isUnset, parseBaseUrl, parseDurationMs, parseEnum, parseList, parseNumber } from '../config/parsers';
import { SecretError } from '../config/secret-error';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import { defaultVerifyUrl } from './endpoints';
import { normaliseHostname } from './hostname';
import { CAPTCHA_PROVIDERS, type CaptchaConfig, type CaptchaProvider } from './types';

/** Every secret this module reads. */
export const CAPTCHA_SECRET_NAMES = [
  'CAPTCHA_PROVIDER',
  'CAPTCHA_SECRET',
  'CAPTCHA_SITE_KEY',
  'CAPTCHA_PROJECT_ID',
  'CAPTCHA_VERIFY_URL',
  'CAPTCHA_TIMEOUT',
  'CAPTCHA_MIN_SCORE',
  'CAPTCHA_EXPECTED_HOSTNAMES',
  'CAPTCHA_EXPECTED_ACTION',
] as const;

export const CAPTCHA_DEFAULTS = {
  timeoutMs: 2000,
  timeoutRange: { minMs: 200, maxMs: 10_000 },
  minScore: 0.5,
  expectedAction: 'signup',
} as const;

const PROVIDER_WORDS: readonly ('none' | CaptchaProvider)[] = ['none', ...CAPTCHA_PROVIDERS];

/** Secret keys and API keys: printable ASCII without spaces. The value is never echoed. */
const SECRET_FORM = /^[\x21-\x7e]{8,512}$/;
/** reCAPTCHA keys, hCaptcha UUID site keys, Turnstile site keys. */
const SITE_KEY_FORM = /^[A-Za-z0-9_-]{8,200}$/;
/** Google Cloud project IDs (6-30 characters, optionally domain-scoped) or project numbers. */
const PROJECT_ID_FORM = /^(?:(?:[a-z0-9.-]{1,63}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20})$/;
/** reCAPTCHA allows letters, digits, slashes and underscores; Turnstile letters, digits, _ and -. */
const ACTION_FORM = /^[A-Za-z0-9/_-]{1,100}$/;

/** True when an admin asked for CAPTCHA, even if its configuration turns out unusable. */
export function isCaptchaRequested(secrets: Secrets): boolean {
  const raw = secrets['CAPTCHA_PROVIDER'];
  return !isUnset(raw) && raw.trim().toLowerCase() !== 'none';
}

export function parseCaptchaConfig(secrets: Secrets, errors: ConfigErrors): CaptchaConfig | undefined {
  const providerWord = errors.read<'none' | CaptchaProvider | undefined>(
    () => parseEnum('CAPTCHA_PROVIDER', secrets['CAPTCHA_PROVIDER'], 'none', PROVIDER_WORDS),
    undefined,
  );
  if (providerWord === undefined || providerWord === 'none') return undefined;
  const provider: CaptchaProvider = providerWord;
  const enterprise = provider === 'recaptcha-enterprise';

  const secret = errors.read(() => parseSecret(secrets['CAPTCHA_SECRET'], enterprise), undefined);
  const siteKey = errors.read(() => parseSiteKey(secrets['CAPTCHA_SITE_KEY'], enterprise), undefined);
  const projectId = errors.read(() => parseProjectId(secrets['CAPTCHA_PROJECT_ID'], enterprise), undefined);
  if (secret === undefined) return undefined;
  if (enterprise && (siteKey === undefined || projectId === undefined)) return undefined;

  const fallbackUrl = defaultVerifyUrl(provider, projectId);
  return {
    provider,
    secret,
    siteKey,
    projectId,
    // parseBaseUrl keeps the path (only a trailing slash, query and fragment are dropped).
    verifyUrl: errors.read(() => parseBaseUrl('CAPTCHA_VERIFY_URL', secrets['CAPTCHA_VERIFY_URL'], fallbackUrl), fallbackUrl),
    timeoutMs: errors.read(
      () => parseDurationMs('CAPTCHA_TIMEOUT', secrets['CAPTCHA_TIMEOUT'], CAPTCHA_DEFAULTS.timeoutMs, CAPTCHA_DEFAULTS.timeoutRange),
      CAPTCHA_DEFAULTS.timeoutMs,
    ),
    minScore: errors.read(
      () => parseNumber('CAPTCHA_MIN_SCORE', secrets['CAPTCHA_MIN_SCORE'], CAPTCHA_DEFAULTS.minScore, { min: 0, max: 1 }),
      CAPTCHA_DEFAULTS.minScore,
    ),
    expectedHostnames: errors.read(() => parseHostnames(secrets['CAPTCHA_EXPECTED_HOSTNAMES']), []),
    expectedAction: errors.read(() => parseAction(secrets['CAPTCHA_EXPECTED_ACTION']), CAPTCHA_DEFAULTS.expectedAction),
  };
}

function parseSecret(raw: string | undefined, enterprise: boolean): string {
  const expected = enterprise
    ? 'the Google Cloud API key that may create reCAPTCHA Enterprise assessments (required when CAPTCHA_PROVIDER is set)'
    : 'the secret key of your CAPTCHA site (required when CAPTCHA_PROVIDER is set)';
  if (isUnset(raw)) throw new SecretError('CAPTCHA_SECRET', expected, '');
  const value = raw.trim();
  if (!SECRET_FORM.test(value)) {
    // Describe the value without echoing a credential into the logs.
    throw new SecretError('CAPTCHA_SECRET', `${expected}: 8 to 512 characters without spaces`, `a value of ${value.length} characters`);
  }
  return value;
}

function parseSiteKey(raw: string | undefined, required: boolean): string | undefined {
  if (isUnset(raw)) {
    if (required) throw new SecretError('CAPTCHA_SITE_KEY', 'the reCAPTCHA site key (required for recaptcha-enterprise)', '');
    return undefined;
  }
  const value = raw.trim();
  if (!SITE_KEY_FORM.test(value)) throw new SecretError('CAPTCHA_SITE_KEY', 'a site key of 8 to 200 letters, digits, _ or -', raw);
  return value;
}

function parseProjectId(raw: string | undefined, required: boolean): string | undefined {
  if (isUnset(raw)) {
    if (required) throw new SecretError('CAPTCHA_PROJECT_ID', 'the Google Cloud project ID (required for recaptcha-enterprise)', '');
    return undefined;
  }
  const value = raw.trim();
  if (!PROJECT_ID_FORM.test(value)) {
    throw new SecretError('CAPTCHA_PROJECT_ID', 'a Google Cloud project ID such as my-project-123 or a project number', raw);
  }
  return value;
}

function parseHostnames(raw: string | undefined): string[] {
  return parseList('CAPTCHA_EXPECTED_HOSTNAMES', raw, 'host names such as login.example.com', normaliseHostname);
}

function parseAction(raw: string | undefined): string | undefined {
  if (isUnset(raw)) return CAPTCHA_DEFAULTS.expectedAction;
  const value = raw.trim();
  if (value.toLowerCase() === 'none') return undefined;
  if (!ACTION_FORM.test(value)) {
    throw new SecretError('CAPTCHA_EXPECTED_ACTION', '"none" or an action name of letters, digits, /, _ or - (at most 100)', raw);
  }
  return value;
}
