/**
 * Secrets → the dynamic policy (velocity, service cap, pumping detection, fail mode). Like the
 * static knobs, a bad value is reported by secret name and the safe default is kept.
 */
import { parseLikelyFactors, parseLikelyFactorsTotal, parseServedProofs, parseServedTrials } from '../rules/served-country';
import { parseConversionSettings, type ConversionPolicy } from '../rules/conversion';
import { parseCountryVelocitySettings } from '../rules/country-velocity';
import { parseIpVelocitySettings } from '../rules/ip-velocity';
import { parseNumberVelocitySettings } from '../rules/number-velocity';
import { parsePumpingSettings } from '../rules/prefix-anomaly';
import { parseServiceCapSettings } from '../rules/service-cap';
import { parseLookupSettings } from '../rules/twilio-lookup';
import { parseUserVelocitySettings } from '../rules/user-velocity';
import { SecretError } from './secret-error';
import { formatDuration, isUnset, parseBaseUrl, parseDurationMs, parseEnum, type SecretValue } from './parsers';
import type { ConfigErrors, Secrets } from './static-policy';

export interface WindowLimit {
  max: number;
  windowMs: number;
}

export interface ResendPolicy {
  /** Attempts in a streak that need no wait. */
  freeAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Silence after which a number's streak starts over. */
  resetMs: number;
}

export interface PumpingPolicy {
  windowMs: number;
  /** EWMA weight of the newest closed window (1 / memory in windows). */
  alpha: number;
  /** Digits dropped from the end of a number to name its range (4: a 10 000-number block). */
  rangeDropDigits: number;
  rangeFloor: number;
  countryFloor: number;
  factor: number;
  /** A country whose baseline is at least this (per window) counts as served. */
  servedBaseline: number;
  /** Windows of tenant history before a barely-served country counts as unserved (until then only high-risk ones do). */
  learningWindows: number;
  blockMs: number;
}

export interface LookupPolicy {
  fields: Array<'line_type_intelligence' | 'sms_pumping_risk'>;
  blockedLineTypes: ReadonlySet<string>;
  maxPumpingRisk: number;
  cacheMs: number;
}


/** What every Action that talks to the counter store reads: its keys' prefix, its fail mode, its deadline. */
export interface StoreSettings {
  keyPrefix: string;
  failMode: 'open' | 'closed';
  storeTimeoutMs: number;
}

export interface DynamicPolicy extends StoreSettings {
  limits: {
    number: WindowLimit | undefined;
    user: WindowLimit | undefined;
    userLowTrust: WindowLimit | undefined;
    /** Distinct numbers (new conversations) one user may enrol per window. */
    userNumbers: WindowLimit | undefined;
    ip: WindowLimit | undefined;
    subnet: WindowLimit | undefined;
    country: WindowLimit | undefined;
  };
  resend: ResendPolicy | undefined;
  serviceCap: { sms: WindowLimit | undefined; voice: WindowLimit | undefined; lockoutMs: number };
  pumping: PumpingPolicy | undefined;
  /** The conversion rule (undefined: off). */
  conversion: ConversionPolicy | undefined;
  /** Proven numbers that open a high-risk-tier country (undefined: never by evidence). */
  servedProofs: number | undefined;
  /** Likely factors trusted per destination country and window (undefined: none trusted). */
  likelyFactors: WindowLimit | undefined;
  likelyFactorsTotal: WindowLimit | undefined;
  /** Numbers a tier country not served yet admits on trial, one at a time, all countries per window (undefined: none). */
  servedTrials: WindowLimit | undefined;
  lookup: LookupPolicy | undefined;
  alertWebhookUrl: string | undefined;
}

const HOUR = 3_600_000;

export const DEFAULT_LIMITS = {
  GUARD_LIMIT_NUMBER: '10/1h',
  GUARD_LIMIT_USER: '10/1h',
  GUARD_LIMIT_USER_LOW_TRUST: '4/1h',
  GUARD_LIMIT_USER_NUMBERS: '3/1d',
  GUARD_LIMIT_IP: '60/1h',
  GUARD_LIMIT_SUBNET: '1000/1h',
  GUARD_LIMIT_COUNTRY: 'off',
  GUARD_SERVICE_CAP_SMS: '5000/1h',
  GUARD_SERVICE_CAP_VOICE: '500/1h',
} as const;

/** Parses `10/1h`, `30/15m` or `off`. */
export function parseWindowLimit(name: string, raw: SecretValue, fallback: string): WindowLimit | undefined {
  const text = (isUnset(raw) ? fallback : raw).trim().toLowerCase();
  if (text === 'off') return undefined;
  const expected = 'a limit such as 10/1h or 30/15m, or off';
  const match = /^(\d{1,7})\s*\/\s*(\S+)$/.exec(text);
  if (match === null) throw new SecretError(name, expected, raw ?? '');
  const max = Number(match[1]);
  if (max < 1) throw new SecretError(name, expected, raw ?? '');
  const windowMs = parseDurationMs(name, match[2], HOUR, { minMs: 60_000, maxMs: 7 * 24 * HOUR });
  return { max, windowMs };
}

export function formatWindowLimit(limit: WindowLimit | undefined): string {
  return limit === undefined ? 'off' : `${limit.max}/${formatDuration(limit.windowMs)}`;
}

/** One window limit secret, read with its default (a bad value keeps the default). */
export function readWindowLimit(secrets: Secrets, errors: ConfigErrors, name: keyof typeof DEFAULT_LIMITS): WindowLimit | undefined {
  return errors.read(() => parseWindowLimit(name, secrets[name], DEFAULT_LIMITS[name]), parseWindowLimit(name, undefined, DEFAULT_LIMITS[name]));
}

/**
 * The store settings alone: the Actions that judge no phone message (registration, Post-Login)
 * read only these, and their bundles carry none of the send rules' parsers.
 */
export function parseStoreSettings(secrets: Secrets, errors: ConfigErrors): StoreSettings {
  return {
    keyPrefix: errors.read(() => parseKeyPrefix(secrets['GUARD_KEY_PREFIX']), 'tollguard'),
    failMode: errors.read(() => parseEnum('GUARD_FAIL_MODE', secrets['GUARD_FAIL_MODE'], 'open', ['open', 'closed'] as const), 'open'),
    storeTimeoutMs: errors.read(() => parseDurationMs('GUARD_STORE_TIMEOUT', secrets['GUARD_STORE_TIMEOUT'], 300, { minMs: 50, maxMs: 5000 }), 300),
  };
}

/** The dynamic policy, assembled from each rule's own settings parser (shared/rules/*). */
export function parseDynamicPolicy(secrets: Secrets, errors: ConfigErrors): DynamicPolicy {
  const numbers = parseNumberVelocitySettings(secrets, errors);
  return {
    ...parseStoreSettings(secrets, errors),
    limits: {
      number: numbers.number,
      ...parseUserVelocitySettings(secrets, errors),
      ...parseIpVelocitySettings(secrets, errors),
      country: parseCountryVelocitySettings(secrets, errors),
    },
    resend: numbers.resend,
    serviceCap: parseServiceCapSettings(secrets, errors),
    pumping: parsePumpingSettings(secrets, errors),
    conversion: parseConversionSettings(secrets, errors),
    servedProofs: parseServedProofs(secrets, errors),
    likelyFactors: parseLikelyFactors(secrets, errors),
    likelyFactorsTotal: parseLikelyFactorsTotal(secrets, errors),
    servedTrials: parseServedTrials(secrets, errors),
    lookup: parseLookupSettings(secrets, errors),
    alertWebhookUrl: errors.read(() => parseWebhookUrl(secrets['ALERT_WEBHOOK_URL']), undefined),
  };
}

/**
 * The whole URL is kept: some webhooks carry their key in the query string or the user-info. It is
 * therefore never echoed in the error, only described.
 */
function parseWebhookUrl(raw: SecretValue): string | undefined {
  if (isUnset(raw)) return undefined;
  const value = raw.trim();
  try {
    parseBaseUrl('ALERT_WEBHOOK_URL', value, '');
  } catch {
    throw new SecretError('ALERT_WEBHOOK_URL', 'an https:// URL (http:// only for 127.0.0.1 or localhost) on one line', `a value of ${value.length} characters`);
  }
  return new URL(value).href;
}

function parseKeyPrefix(raw: SecretValue): string {
  if (isUnset(raw)) return 'tollguard';
  const value = raw.trim();
  if (!/^[A-Za-z0-9_.-]{1,32}$/.test(value)) {
    throw new SecretError('GUARD_KEY_PREFIX', '1 to 32 letters, digits, or . _ -', raw);
  }
  return value;
}

