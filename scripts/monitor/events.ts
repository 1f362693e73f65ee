/**
 * Normalised send events, and the parsers that make them from the three log formats the monitor
 * reads:
 * - Auth0 tenant log events (Management API `GET /api/v2/logs`, log-stream JSON, exports):
 *   `gd_send_sms`, `gd_send_sms_failure`, `gd_send_voice`, `gd_send_voice_failure`.
 * - Okta System Log events: `system.sms.send_phone_verification_message` and
 *   `system.voice.send_phone_verification_call` (Classic Engine: phone in `target[]`, type
 *   `MobilePhone`; Identity Engine: `debugContext.debugData.phoneNumber`).
 * - tollguard's own decision lines (`{"tollguard":"decision",...}`), raw or embedded in a string
 *   field of another record (an Actions log entry, a log-stream event).
 * Every other record is counted by type and skipped, never fatal. Envelopes are unwrapped: a
 * log-stream event `{log_id, data}`, a Management API page `{logs: [...]}`, an Okta event hook
 * `{data: {events: [...]}}`, an array.
 */
import type { PhoneTrigger } from '../../shared/pipeline/phone-request';
import { looksLikePhoneNumber, maskLoose, maskNumberRuns, type PhoneIdentity } from './phone';

export type Source = 'auth0' | 'okta' | 'tollguard';
export type Channel = 'sms' | 'voice';
/** sent: the message went out; failed: the provider / platform could not send it; blocked: refused by policy. */
export type Outcome = 'sent' | 'failed' | 'blocked';

export interface SendEvent {
  at: number;
  source: Source;
  channel: Channel;
  outcome: Outcome;
  /** outcome === 'sent' */
  ok: boolean;
  /** tollguard in monitor mode: delivered, but the rules would have blocked it. */
  wouldBlock?: boolean;
  userId?: string;
  /** Login / e-mail; masked when it is a phone number. */
  userName?: string;
  ip?: string;
  userAgent?: string;
  /** Opaque identity of the destination number (see PhoneIdentity); never the number itself. */
  numberKey?: string;
  numberMasked?: string;
  range?: string;
  /** The range as the send Action names it (`+1415555`), for a range block; full numbers only. */
  rangePrefix?: string;
  /** Destination country (from the number). */
  country?: string;
  /** The requester's country (geo of the IP) when the log carries it; free text for Okta. */
  ipCountry?: string;
  /** The raw event type (`gd_send_sms`, `system.sms.send_phone_verification_message`, `tollguard:refused`). */
  type: string;
  /** tollguard rule names behind a block. */
  rules?: string[];
  /** Okta: the telephony inline hook failed or timed out, Okta sent this OTP itself. */
  hookFailover?: true;
}

export type SkipReason = 'other-type' | 'unrecognised' | 'no-timestamp' | 'incomplete';

export type Normalized =
  | { kind: 'send'; event: SendEvent }
  | { kind: 'skipped'; reason: SkipReason; type: string };

export interface NormalizeOptions {
  identity: PhoneIdentity;
  /** Timestamp to use for a tollguard line that has none (from the record or text line around it). */
  fallbackAt?: number;
  /** Sees every log record once its envelopes are unwrapped (the conversion join reads more types than sends). */
  onRecord?: (record: Record<string, unknown>) => void;
}

export const AUTH0_SEND_TYPES: Readonly<Record<string, { channel: Channel; outcome: Outcome }>> = {
  gd_send_sms: { channel: 'sms', outcome: 'sent' },
  gd_send_sms_failure: { channel: 'sms', outcome: 'failed' },
  gd_send_voice: { channel: 'voice', outcome: 'sent' },
  gd_send_voice_failure: { channel: 'voice', outcome: 'failed' },
};

/** Okta's OTP sends: enrolment (phone verification), MFA challenge, password reset, account unlock. */
export const OKTA_SEND_TYPES: Readonly<Record<string, Channel>> = {
  'system.sms.send_phone_verification_message': 'sms',
  'system.sms.send_factor_verify_message': 'sms',
  'system.sms.send_password_reset_message': 'sms',
  'system.sms.send_account_unlock_message': 'sms',
  'system.voice.send_phone_verification_call': 'voice',
  'system.voice.send_mfa_challenge_call': 'voice',
  'system.voice.send_password_reset_call': 'voice',
  'system.voice.send_account_unlock_call': 'voice',
};

/**
 * The debug-data flag of an Okta send that the telephony inline hook did not handle (it failed
 * or timed out, and Okta sent the OTP through its own fallback provider). Both spellings are read.
 */
const HOOK_FAILOVER_KEYS = ['is_sms_hook_failover', 'isSmsHookFailover'] as const;

const TOLLGUARD_OUTCOMES: Readonly<Record<string, { outcome: Outcome; wouldBlock?: boolean }>> = {
  delivered: { outcome: 'sent' },
  would_block_delivered: { outcome: 'sent', wouldBlock: true },
  refused: { outcome: 'blocked' },
  not_delivered: { outcome: 'failed' },
};

const MAX_ENVELOPE_DEPTH = 3;

/** Turns one parsed JSON value into zero or more normalised results. Never throws. */
export function normalizeRecord(value: unknown, options: NormalizeOptions): Normalized[] {
  const out: Normalized[] = [];
  expand(value, options, out, 0);
  return out;
}

function expand(value: unknown, options: NormalizeOptions, out: Normalized[], depth: number): void {
  if (Array.isArray(value)) {
    if (depth >= MAX_ENVELOPE_DEPTH) {
      out.push({ kind: 'skipped', reason: 'unrecognised', type: '(nested array)' });
      return;
    }
    for (const item of value) expand(item, options, out, depth + 1);
    return;
  }
  if (!isRecord(value)) {
    out.push({ kind: 'skipped', reason: 'unrecognised', type: `(${value === null ? 'null' : typeof value})` });
    return;
  }
  if (depth < MAX_ENVELOPE_DEPTH) {
    // Management API page with include_totals: {start, limit, length, total, logs: [...]}
    if (Array.isArray(value['logs']) && value['type'] === undefined) return expand(value['logs'], options, out, depth + 1);
    const data = value['data'];
    // Okta event hook delivery: {eventType: "com.okta.event_hook", data: {events: [...]}}
    if (isRecord(data) && Array.isArray(data['events'])) return expand(data['events'], options, out, depth + 1);
    // Auth0 log stream (webhook) event: {log_id, data: {...the log...}}
    if (isRecord(data) && value['type'] === undefined && value['eventType'] === undefined) return expand(data, options, out, depth + 1);
  }
  options.onRecord?.(value);
  out.push(...normalizeOne(value, options));
}

function normalizeOne(record: Record<string, unknown>, options: NormalizeOptions): Normalized[] {
  if (record['tollguard'] === 'decision') return [fromTollguard(record, options, options.fallbackAt)];
  const type = text(record['type']);
  if (type !== undefined && AUTH0_SEND_TYPES[type] !== undefined) return [fromAuth0(record, type, options)];
  const eventType = text(record['eventType']);
  if (eventType !== undefined && OKTA_SEND_TYPES[eventType] !== undefined) return [fromOkta(record, eventType, options)];

  // A tollguard line inside a string field (Actions console output, a wrapped log line).
  const embedded = findEmbeddedDecisions(record);
  if (embedded.length > 0) {
    const at = recordTime(record) ?? options.fallbackAt;
    return embedded.map((decision) => fromTollguard(decision, options, at));
  }
  if (record['tollguard'] !== undefined) return [{ kind: 'skipped', reason: 'other-type', type: `tollguard:${String(record['tollguard'])}` }];
  // Another log of a known kind (a login, an Okta sign-on): counted by type. A `type` alone is not
  // enough (package.json has one): an Auth0 log has a date or log_id, an Okta event a published time or uuid.
  if (type !== undefined && (record['date'] !== undefined || record['log_id'] !== undefined)) return [{ kind: 'skipped', reason: 'other-type', type: type.slice(0, 80) }];
  if (eventType !== undefined && (record['published'] !== undefined || record['uuid'] !== undefined)) return [{ kind: 'skipped', reason: 'other-type', type: eventType.slice(0, 80) }];
  return [{ kind: 'skipped', reason: 'unrecognised', type: '(no type)' }];
}

// ---------------------------------------------------------------------------------------------
// Auth0
// ---------------------------------------------------------------------------------------------

export function fromAuth0(log: Record<string, unknown>, type: string, options: NormalizeOptions): Normalized {
  const kind = AUTH0_SEND_TYPES[type];
  if (kind === undefined) return { kind: 'skipped', reason: 'other-type', type };
  const at = parseTime(log['date']);
  if (at === undefined) return { kind: 'skipped', reason: 'no-timestamp', type };
  const details = asRecord(log['details']);
  const authenticator = asRecord(details?.['authenticator']);
  const enrollment = asRecord(details?.['enrollment']);
  const rawNumber =
    text(authenticator?.['phone_number']) ?? text(enrollment?.['phone_number']) ?? text(details?.['phone_number']);
  const number = rawNumber === undefined ? undefined : options.identity.identify(rawNumber);
  const location = asRecord(log['location_info']);
  const event: SendEvent = {
    at,
    source: 'auth0',
    channel: kind.channel,
    outcome: kind.outcome,
    ok: kind.outcome === 'sent',
    userId: safeText(text(log['user_id']) ?? text(enrollment?.['user_id'])),
    userName: safeName(text(log['user_name'])),
    ip: safeText(text(log['ip'])),
    userAgent: safeText(text(log['user_agent'])),
    numberKey: number?.key,
    numberMasked: number?.masked,
    range: number?.range,
    rangePrefix: number?.rangePrefix,
    country: number?.country,
    ipCountry: safeText(text(location?.['country_code'])),
    type,
  };
  return { kind: 'send', event: compact(event) };
}

// ---------------------------------------------------------------------------------------------
// Okta
// ---------------------------------------------------------------------------------------------

export function fromOkta(log: Record<string, unknown>, eventType: string, options: NormalizeOptions): Normalized {
  const channel = OKTA_SEND_TYPES[eventType];
  if (channel === undefined) return { kind: 'skipped', reason: 'other-type', type: eventType };
  const at = parseTime(log['published']);
  if (at === undefined) return { kind: 'skipped', reason: 'no-timestamp', type: eventType };
  const result = text(asRecord(log['outcome'])?.['result'])?.toUpperCase();
  const outcome: Outcome =
    result === undefined || result === 'SUCCESS' || result === 'ALLOW' ? 'sent' : result === 'DENY' ? 'blocked' : 'failed';
  const actor = asRecord(log['actor']);
  const client = asRecord(log['client']);
  const userAgent = asRecord(client?.['userAgent']);
  const geo = asRecord(client?.['geographicalContext']);
  const debugData = asRecord(asRecord(log['debugContext'])?.['debugData']);
  const target = Array.isArray(log['target']) ? log['target'] : [];
  const phoneTarget = target.map(asRecord).find((item) => item !== undefined && item['type'] === 'MobilePhone');
  const rawNumber = text(phoneTarget?.['alternateId']) ?? text(debugData?.['phoneNumber']);
  const callingCode = text(debugData?.['countryCallingCode']) ?? numberText(debugData?.['countryCallingCode']);
  const number = rawNumber === undefined ? undefined : options.identity.identify(rawNumber, callingCode);
  const event: SendEvent = {
    at,
    source: 'okta',
    channel,
    outcome,
    ok: outcome === 'sent',
    userId: safeText(text(actor?.['id'])),
    userName: safeName(text(actor?.['alternateId']) ?? text(actor?.['displayName'])),
    ip: safeText(text(client?.['ipAddress'])),
    userAgent: safeText(text(userAgent?.['rawUserAgent'])),
    numberKey: number?.key,
    numberMasked: number?.masked,
    range: number?.range,
    rangePrefix: number?.rangePrefix,
    country: number?.country,
    ipCountry: safeText(text(geo?.['country'])),
    type: eventType,
  };
  if (HOOK_FAILOVER_KEYS.some((key) => debugData?.[key] === true || debugData?.[key] === 'true')) event.hookFailover = true;
  return { kind: 'send', event: compact(event) };
}

// ---------------------------------------------------------------------------------------------
// tollguard decision lines
// ---------------------------------------------------------------------------------------------

/** The entries whose decision lines are phone messages (one pipeline, one line format). */
const PHONE_TRIGGERS: ReadonlySet<string> = new Set<PhoneTrigger>(['send-phone-message', 'custom-phone-provider', 'okta-telephony-hook']);

export function fromTollguard(line: Record<string, unknown>, options: NormalizeOptions, fallbackAt: number | undefined): Normalized {
  if (!PHONE_TRIGGERS.has(String(line['trigger']))) return { kind: 'skipped', reason: 'other-type', type: `tollguard:${text(line['trigger']) ?? '(no trigger)'}` };
  const outcomeText = text(line['outcome']);
  const outcome = outcomeText === undefined ? undefined : TOLLGUARD_OUTCOMES[outcomeText];
  const channel = line['channel'] === 'sms' || line['channel'] === 'voice' ? line['channel'] : undefined;
  const type = `tollguard:${outcomeText ?? '(no outcome)'}`;
  if (outcome === undefined || channel === undefined) return { kind: 'skipped', reason: 'incomplete', type };
  const at = parseTime(line['at']) ?? parseTime(line['time']) ?? parseTime(line['timestamp']) ?? parseTime(line['ts']) ?? fallbackAt;
  if (at === undefined) return { kind: 'skipped', reason: 'no-timestamp', type };
  const to = text(line['to']);
  const number = to === undefined ? undefined : to.includes('*') ? options.identity.identifyMasked(to) : undefined;
  const country = text(line['country']);
  const rules = Array.isArray(line['rules']) ? line['rules'].filter((rule): rule is string => typeof rule === 'string').slice(0, 20) : [];
  const event: SendEvent = {
    at,
    source: 'tollguard',
    channel,
    outcome: outcome.outcome,
    ok: outcome.outcome === 'sent',
    wouldBlock: outcome.wouldBlock,
    userId: safeText(text(line['user_id'])),
    ip: safeText(text(line['ip'])),
    numberKey: number?.key,
    numberMasked: number?.masked,
    range: number?.range,
    country: country !== undefined && /^[A-Z]{2}$/.test(country) ? country : number?.country,
    ipCountry: safeText(text(line['request_country'])),
    type,
    rules: rules.length > 0 ? rules.map((rule) => rule.slice(0, 40)) : undefined,
  };
  return { kind: 'send', event: compact(event) };
}

const DECISION_MARK = /"tollguard"\s*:\s*"decision"/g;
const MAX_STRINGS_SCANNED = 200;

/** tollguard decision objects found inside the string fields of a record (up to 4 levels deep). */
export function findEmbeddedDecisions(record: Record<string, unknown>): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  let budget = MAX_STRINGS_SCANNED;
  const visit = (value: unknown, depth: number): void => {
    if (budget <= 0 || depth > 4) return;
    if (typeof value === 'string') {
      budget -= 1;
      if (value.includes('"tollguard"')) found.push(...extractDecisionJson(value));
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
    } else if (isRecord(value)) {
      for (const item of Object.values(value)) visit(item, depth + 1);
    }
  };
  visit(record, 0);
  return found;
}

/** Every `{"tollguard":"decision",...}` JSON object inside a text. */
export function extractDecisionJson(textValue: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  DECISION_MARK.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = DECISION_MARK.exec(textValue)) !== null) {
    const start = textValue.lastIndexOf('{', match.index);
    if (start < 0) continue;
    const end = matchingBrace(textValue, start);
    if (end < 0) continue;
    try {
      const parsed: unknown = JSON.parse(textValue.slice(start, end + 1));
      if (isRecord(parsed) && parsed['tollguard'] === 'decision') found.push(parsed);
    } catch {
      // not JSON after all
    }
    DECISION_MARK.lastIndex = Math.max(DECISION_MARK.lastIndex, end + 1);
  }
  return found;
}

function matchingBrace(source: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < source.length; index += 1) {
    const char = source.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index += 1;
      else if (char === 0x22) inString = false;
      continue;
    }
    if (char === 0x22) inString = true;
    else if (char === 0x7b) depth += 1;
    else if (char === 0x7d) {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const TIME_FIELDS = ['date', 'timestamp', '@timestamp', 'time', 'published', 'ts'] as const;

function recordTime(record: Record<string, unknown>): number | undefined {
  for (const field of TIME_FIELDS) {
    const at = parseTime(record[field]);
    if (at !== undefined) return at;
  }
  return undefined;
}

const LEADING_TIMESTAMP = /^\s*\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)/;

/** The ISO timestamp a text log line starts with, if any (`2025-01-02T03:04:05.678Z INFO ...`). */
export function leadingTimestamp(line: string): number | undefined {
  const match = LEADING_TIMESTAMP.exec(line);
  if (match?.[1] === undefined) return undefined;
  const iso = match[1].includes('T') ? match[1] : match[1].replace(' ', 'T');
  return parseTime(/Z|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : `${iso}Z`);
}

/** Milliseconds since the epoch from an ISO string, a number (ms, or s when small) or `{$date}`. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'string') {
    if (value.length < 10 || value.length > 40) return undefined;
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return value < 1e11 ? Math.round(value * 1000) : Math.round(value);
  }
  if (isRecord(value)) return parseTime(value['$date']);
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

/** A non-blank string field, trimmed. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined;
}

/** An integer field as text (Okta and Auth0 put some ids in numbers). */
export function numberText(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? String(value) : undefined;
}

const MAX_FIELD_LENGTH = 300;

/**
 * A free-text field as the monitor keeps it: bounded in length, and with anything that looks
 * like a full international number (`+` and 6+ digits) masked.
 */
export function safeText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bounded = value.length > MAX_FIELD_LENGTH ? `${value.slice(0, MAX_FIELD_LENGTH)}…` : value;
  return maskNumberRuns(bounded);
}

/** A user name, masked whole when it is a phone number (phone-identifier / passwordless users). */
export function safeName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return looksLikePhoneNumber(value) ? maskLoose(value) : safeText(value);
}

function compact(event: SendEvent): SendEvent {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) if (value !== undefined) out[key] = value;
  return out as unknown as SendEvent;
}
