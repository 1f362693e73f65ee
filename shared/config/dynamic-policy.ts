/**
 * Secrets → the dynamic policy (velocity, service cap, pumping detection, fail mode). Like the
 * static knobs, a bad value is reported by secret name and the safe default is kept.
 */
import { SecretError } from './secret-error';
import { formatDuration, isUnset, parseBaseUrl, parseDurationMs, parseEnum, parseInteger, parseList, parseNumber, type SecretValue } from './parsers';
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

export const DEFAULT_LOOKUP_BLOCKED_TYPES = ['premium', 'sharedCost', 'tollFree', 'uan', 'pager', 'voicemail', 'personal'];

export interface DynamicPolicy {
  keyPrefix: string;
  failMode: 'open' | 'closed';
  storeTimeoutMs: number;
  limits: {
    number: WindowLimit | undefined;
    user: WindowLimit | undefined;
    userLowTrust: WindowLimit | undefined;
    ip: WindowLimit | undefined;
    subnet: WindowLimit | undefined;
    country: WindowLimit | undefined;
  };
  resend: ResendPolicy | undefined;
  serviceCap: { sms: WindowLimit | undefined; voice: WindowLimit | undefined; lockoutMs: number };
  pumping: PumpingPolicy | undefined;
  lookup: LookupPolicy | undefined;
  alertWebhookUrl: string | undefined;
}

const HOUR = 3_600_000;

export const DEFAULT_LIMITS = {
  GUARD_LIMIT_NUMBER: '10/1h',
  GUARD_LIMIT_USER: '10/1h',
  GUARD_LIMIT_USER_LOW_TRUST: '4/1h',
  GUARD_LIMIT_IP: '60/1h',
  GUARD_LIMIT_SUBNET: '200/1h',
  GUARD_LIMIT_COUNTRY: 'off',
  GUARD_SERVICE_CAP_SMS: '5000/1h',
  GUARD_SERVICE_CAP_VOICE: '500/1h',
} as const;

/** Parses `10/1h`, `30/15m` or `off`. */
export function parseWindowLimit(name: string, raw: SecretValue, fallback: string): WindowLimit | undefined {
  const text = (isUnset(raw) ? fallback : raw).trim().toLowerCase();
  if (text === 'off') return undefined;
  const expected = 'a limit such as 10/1h or 30/15m (count / window), or off';
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

export function parseDynamicPolicy(secrets: Secrets, errors: ConfigErrors): DynamicPolicy {
  const limit = (name: keyof typeof DEFAULT_LIMITS) =>
    errors.read(() => parseWindowLimit(name, secrets[name], DEFAULT_LIMITS[name]), parseWindowLimit(name, undefined, DEFAULT_LIMITS[name]));
  const duration = (name: string, fallbackMs: number, minMs: number, maxMs: number) =>
    errors.read(() => parseDurationMs(name, secrets[name], fallbackMs, { minMs, maxMs }), fallbackMs);

  return {
    keyPrefix: errors.read(() => parseKeyPrefix(secrets['GUARD_KEY_PREFIX']), 'tollguard'),
    failMode: errors.read(() => parseEnum('GUARD_FAIL_MODE', secrets['GUARD_FAIL_MODE'], 'open', ['open', 'closed'] as const), 'open'),
    storeTimeoutMs: duration('GUARD_STORE_TIMEOUT', 300, 50, 5000),
    limits: {
      number: limit('GUARD_LIMIT_NUMBER'),
      user: limit('GUARD_LIMIT_USER'),
      userLowTrust: limit('GUARD_LIMIT_USER_LOW_TRUST'),
      ip: limit('GUARD_LIMIT_IP'),
      subnet: limit('GUARD_LIMIT_SUBNET'),
      country: limit('GUARD_LIMIT_COUNTRY'),
    },
    resend: parseResend(secrets, errors),
    serviceCap: {
      sms: limit('GUARD_SERVICE_CAP_SMS'),
      voice: limit('GUARD_SERVICE_CAP_VOICE'),
      lockoutMs: duration('GUARD_SERVICE_CAP_LOCKOUT', 24 * HOUR, 60_000, 7 * 24 * HOUR),
    },
    pumping: parsePumping(secrets, errors),
    lookup: parseLookup(secrets, errors),
    alertWebhookUrl: errors.read(() => parseWebhookUrl(secrets['ALERT_WEBHOOK_URL']), undefined),
  };
}

function parseLookup(secrets: Secrets, errors: ConfigErrors): LookupPolicy | undefined {
  const mode = errors.read(
    () => parseEnum('GUARD_LOOKUP', secrets['GUARD_LOOKUP'], 'off', ['off', 'line-type', 'pumping-risk', 'both'] as const),
    'off',
  );
  if (mode === 'off') return undefined;
  const types = secrets['GUARD_LOOKUP_BLOCKED_TYPES'];
  return {
    fields: mode === 'both' ? ['line_type_intelligence', 'sms_pumping_risk'] : mode === 'line-type' ? ['line_type_intelligence'] : ['sms_pumping_risk'],
    blockedLineTypes: new Set(
      isUnset(types)
        ? DEFAULT_LOOKUP_BLOCKED_TYPES
        : errors.read(
            () => parseList('GUARD_LOOKUP_BLOCKED_TYPES', types, "Twilio line types such as premium, tollFree, nonFixedVoip", (item) => (/^[A-Za-z]{2,32}$/.test(item) ? item : undefined)),
            DEFAULT_LOOKUP_BLOCKED_TYPES,
          ),
    ),
    maxPumpingRisk: errors.read(() => parseInteger('GUARD_LOOKUP_MAX_RISK', secrets['GUARD_LOOKUP_MAX_RISK'], 80, { min: 1, max: 100 }), 80),
    cacheMs: errors.read(() => parseDurationMs('GUARD_LOOKUP_CACHE', secrets['GUARD_LOOKUP_CACHE'], 30 * 24 * HOUR, { minMs: HOUR, maxMs: 90 * 24 * HOUR }), 30 * 24 * HOUR),
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

function parseResend(secrets: Secrets, errors: ConfigErrors): ResendPolicy | undefined {
  const raw = secrets['GUARD_RESEND_DELAY'];
  if (!isUnset(raw) && raw.trim().toLowerCase() === 'off') return undefined;
  const baseDelayMs = errors.read(() => parseDurationMs('GUARD_RESEND_DELAY', raw, 30_000, { minMs: 1000, maxMs: HOUR }), 30_000);
  const defaultMaxMs = Math.max(baseDelayMs, 10 * 60_000);
  const maxDelayMs = errors.read(
    () => parseDurationMs('GUARD_RESEND_MAX_DELAY', secrets['GUARD_RESEND_MAX_DELAY'], defaultMaxMs, { minMs: baseDelayMs, maxMs: 24 * HOUR }),
    defaultMaxMs,
  );
  // A streak is one burst of resends: after a quiet spell longer than the longest wait, a new
  // login starts afresh (the window limit still bounds a slow trickle).
  return { freeAttempts: 2, baseDelayMs, maxDelayMs, resetMs: Math.max(15 * 60_000, Math.ceil(1.5 * maxDelayMs)) };
}

function parsePumping(secrets: Secrets, errors: ConfigErrors): PumpingPolicy | undefined {
  const toggle = secrets['GUARD_PUMPING'];
  if (!isUnset(toggle)) {
    const word = errors.read(() => parseEnum('GUARD_PUMPING', toggle, 'on', ['on', 'off'] as const), 'on');
    if (word === 'off') return undefined;
  }
  const windowMs = errors.read(
    () => parseDurationMs('GUARD_PUMPING_WINDOW', secrets['GUARD_PUMPING_WINDOW'], HOUR, { minMs: 5 * 60_000, maxMs: 24 * HOUR }),
    HOUR,
  );
  const memoryWindows = errors.read(
    () => parseInteger('GUARD_PUMPING_MEMORY', secrets['GUARD_PUMPING_MEMORY'], 24, { min: 2, max: 24 * 14 }),
    24,
  );
  return {
    windowMs,
    alpha: 1 / memoryWindows,
    rangeDropDigits: 4,
    rangeFloor: errors.read(() => parseInteger('GUARD_PUMPING_RANGE_FLOOR', secrets['GUARD_PUMPING_RANGE_FLOOR'], 8, { min: 2, max: 10_000 }), 8),
    countryFloor: errors.read(() => parseInteger('GUARD_PUMPING_COUNTRY_FLOOR', secrets['GUARD_PUMPING_COUNTRY_FLOOR'], 20, { min: 2, max: 1_000_000 }), 20),
    factor: errors.read(() => parseNumber('GUARD_PUMPING_FACTOR', secrets['GUARD_PUMPING_FACTOR'], 4, { min: 1.5, max: 100 }), 4),
    servedBaseline: 5,
    learningWindows: memoryWindows,
    blockMs: errors.read(
      () => parseDurationMs('GUARD_PUMPING_BLOCK', secrets['GUARD_PUMPING_BLOCK'], 12 * HOUR, { minMs: 5 * 60_000, maxMs: 7 * 24 * HOUR }),
      12 * HOUR,
    ),
  };
}
