/**
 * Secrets → how an allowed OTP is delivered. Unlike the guard's knobs, delivery has no safe
 * fallback for a missing or malformed credential: the problem is reported on every send, naming
 * the secrets, and nothing is sent.
 */
import { TWILIO_ENDPOINTS, type TwilioEndpoints } from '../delivery/twilio-rest';
import { isUnset, parseBaseUrl, parseBoolean, parseDurationMs, parseInteger } from './parsers';
import { SecretError } from './secret-error';
import type { ConfigErrors, Secrets } from './static-policy';

export interface TwilioDeliveryConfig {
  kind: 'messaging' | 'verify';
  accountSid: string;
  authToken: string;
  from: string | undefined;
  messagingServiceSid: string | undefined;
  voiceFrom: string | undefined;
  verifyServiceSid: string | undefined;
  endpoints: TwilioEndpoints;
  timeoutMs: number;
  smsValiditySeconds: number;
  voice: { language: string; voice: string | undefined; repeat: number };
  verifyLocale: string | undefined;
}

export type DeliveryConfig =
  | TwilioDeliveryConfig
  | { kind: 'dry-run' }
  | { kind: 'unusable'; problems: string[] };

const SID_FORMS: Readonly<Record<string, RegExp>> = {
  TWILIO_ACCOUNT_SID: /^AC[0-9a-fA-F]{32}$/,
  TWILIO_MESSAGING_SERVICE_SID: /^MG[0-9a-fA-F]{32}$/,
  TWILIO_VERIFY_SERVICE_SID: /^VA[0-9a-fA-F]{32}$/,
};

/** E.164 number, short code, or alphanumeric sender ID (1-11 characters with a letter). */
const SENDER_FORM = /^(\+[1-9]\d{6,14}|\d{3,8}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/;

export function parseDeliveryConfig(secrets: Secrets, errors: ConfigErrors): DeliveryConfig {
  const dryRun = errors.read(() => parseBoolean('TWILIO_DRY_RUN', secrets['TWILIO_DRY_RUN'], false), false);
  if (dryRun) return { kind: 'dry-run' };

  const problems: string[] = [];
  const required = (name: string): string => {
    const raw = secrets[name];
    if (isUnset(raw)) {
      problems.push(`secret ${name} is missing`);
      return '';
    }
    return checked(name, raw.trim(), problems);
  };
  const optional = (name: string): string | undefined => {
    const raw = secrets[name];
    return isUnset(raw) ? undefined : checked(name, raw.trim(), problems);
  };

  const accountSid = required('TWILIO_ACCOUNT_SID');
  const authToken = required('TWILIO_AUTH_TOKEN');
  const from = optional('TWILIO_FROM_NUMBER');
  const messagingServiceSid = optional('TWILIO_MESSAGING_SERVICE_SID');
  const verifyServiceSid = optional('TWILIO_VERIFY_SERVICE_SID');
  const voiceFrom = optional('TWILIO_VOICE_FROM_NUMBER');
  if (from === undefined && messagingServiceSid === undefined && verifyServiceSid === undefined) {
    problems.push('set one of TWILIO_FROM_NUMBER, TWILIO_MESSAGING_SERVICE_SID or TWILIO_VERIFY_SERVICE_SID');
  }
  const base = strict(problems, () => parseBaseUrl('TWILIO_BASE_URL', secrets['TWILIO_BASE_URL'], ''), '');
  if (problems.length > 0) return { kind: 'unusable', problems };

  return {
    kind: verifyServiceSid !== undefined ? 'verify' : 'messaging',
    accountSid,
    authToken,
    from,
    messagingServiceSid,
    voiceFrom,
    verifyServiceSid,
    endpoints: base === '' ? TWILIO_ENDPOINTS : endpointsFor(base),
    timeoutMs: errors.read(
      () => parseDurationMs('TWILIO_TIMEOUT', secrets['TWILIO_TIMEOUT'], 5000, { minMs: 500, maxMs: 15_000 }),
      5000,
    ),
    smsValiditySeconds: errors.read(
      () => parseInteger('TWILIO_SMS_VALIDITY_SECONDS', secrets['TWILIO_SMS_VALIDITY_SECONDS'], 600, { min: 60, max: 36_000 }),
      600,
    ),
    voice: {
      language: errors.read(() => parseLanguage('TWILIO_VOICE_LANGUAGE', secrets['TWILIO_VOICE_LANGUAGE'], 'en-US'), 'en-US'),
      voice: errors.read(() => parseVoiceName(secrets['TWILIO_VOICE_NAME']), undefined),
      repeat: errors.read(() => parseInteger('TWILIO_VOICE_REPEAT', secrets['TWILIO_VOICE_REPEAT'], 3, { min: 1, max: 5 }), 3),
    },
    verifyLocale: errors.read(() => parseLanguage('TWILIO_VERIFY_LOCALE', secrets['TWILIO_VERIFY_LOCALE'], ''), '') || undefined,
  };
}

/**
 * TWILIO_BASE_URL: a regional Twilio host (https://api.<edge>.<region>.twilio.com) implies the
 * matching verify.* and lookups.* hosts; any other origin (a proxy, a local test server) serves all
 * three APIs.
 */
export function endpointsFor(base: string): TwilioEndpoints {
  const url = new URL(base);
  if (url.hostname.startsWith('api.') && url.hostname.endsWith('.twilio.com')) {
    const rest = url.hostname.slice('api.'.length);
    return { api: base, verify: `${url.protocol}//verify.${rest}`, lookups: `${url.protocol}//lookups.${rest}` };
  }
  return { api: base, verify: base, lookups: base };
}

function checked(name: string, value: string, problems: string[]): string {
  const form = SID_FORMS[name];
  if (form !== undefined && !form.test(value)) {
    // Described by length only: a credential pasted into the wrong field must not reach the logs.
    problems.push(`secret ${name} is invalid: expected ${form.source.slice(1, 3)} followed by 32 hex digits, got a value of ${value.length} characters`);
  } else if ((name === 'TWILIO_FROM_NUMBER' || name === 'TWILIO_VOICE_FROM_NUMBER') && !SENDER_FORM.test(value)) {
    problems.push(new SecretError(name, 'an E.164 number such as +15005550006, a short code, or an alphanumeric sender ID', value).message);
  } else if (name === 'TWILIO_AUTH_TOKEN' && !/^\S{16,128}$/.test(value)) {
    problems.push(`secret ${name} is invalid: expected 16 to 128 characters without spaces`);
  }
  return value;
}

function strict<T>(problems: string[], parse: () => T, fallback: T): T {
  try {
    return parse();
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
    return fallback;
  }
}

function parseLanguage(name: string, raw: string | undefined, fallback: string): string {
  if (isUnset(raw)) return fallback;
  const value = raw.trim();
  if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(value)) throw new SecretError(name, 'a language tag such as en-US or fr', raw);
  return value;
}

function parseVoiceName(raw: string | undefined): string | undefined {
  if (isUnset(raw)) return undefined;
  const value = raw.trim();
  if (!/^[A-Za-z0-9.-]{1,64}$/.test(value)) throw new SecretError('TWILIO_VOICE_NAME', 'a Twilio voice such as Polly.Joanna or man', raw);
  return value;
}
