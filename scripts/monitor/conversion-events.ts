/**
 * The facts the conversion join needs, read from one unwrapped log record: OTP sends and the
 * verifications that may follow them. Other records give nothing. Never throws.
 *
 * Sends: Auth0 `gd_send_sms` / `gd_send_voice` (MFA), passwordless `cs` with a phone number, Okta
 * `system.sms.send_*` / `system.voice.send_*` that went out. Verifications: Auth0 `gd_auth_succeed`
 * and `gd_enrollment_complete` for a phone factor, a passwordless SMS login `s`, Okta
 * `user.authentication.auth_via_mfa` that succeeded.
 *
 * A number is kept only when the log shows it whole and it is valid (masked forms identify
 * nothing). A verification says whether it claims a phone factor: only such a claim can be an
 * unmatched (forged) one; a TOTP or push success is not a phone verification at all.
 */
import { asRecord, numberText, OKTA_SEND_TYPES, parseTime, text } from './events';
import { isMaskedNumber, looksLikePhoneNumber, parseFullNumber, type FullNumber } from './phone';

export type Flow = 'mfa' | 'passwordless' | 'okta';

export interface SendFact {
  at: number;
  flow: Flow;
  channel: 'sms' | 'voice';
  userId?: string;
  transactionId?: string;
  number: FullNumber;
}

/** How strongly a verification says it was a phone factor. */
export type PhoneClaim = 'phone' | 'unknown';

export interface VerificationFact {
  at: number;
  flow: Flow;
  type: string;
  userId?: string;
  transactionId?: string;
  /** The number, when the log shows it whole. */
  number?: FullNumber;
  /** The digits a masked number still shows at its end (`+1 XXX-XXX-1234` → `1234`). */
  maskedTail?: string;
  /** phone: a phone factor (or a number was given); unknown: joined on a transaction only. */
  claim: PhoneClaim;
}

export type ConversionFact = { kind: 'send'; fact: SendFact } | { kind: 'verification'; fact: VerificationFact };

const AUTH0_MFA_SENDS: Readonly<Record<string, 'sms' | 'voice'>> = { gd_send_sms: 'sms', gd_send_voice: 'voice' };
const AUTH0_MFA_VERIFICATIONS: ReadonlySet<string> = new Set(['gd_auth_succeed', 'gd_enrollment_complete']);
/** Authenticator types of a phone factor in Guardian logs; any other named type is not one. */
const PHONE_AUTHENTICATOR_TYPES: ReadonlySet<string> = new Set(['phone', 'sms', 'voice']);
const MAX_ID_LENGTH = 200;

export function conversionFact(record: Record<string, unknown>): ConversionFact | undefined {
  const type = text(record['type']);
  if (type !== undefined) {
    if (AUTH0_MFA_SENDS[type] !== undefined) return auth0MfaSend(record, AUTH0_MFA_SENDS[type]);
    if (AUTH0_MFA_VERIFICATIONS.has(type)) return auth0MfaVerification(record, type);
    if (type === 'cs') return passwordlessSend(record);
    if (type === 's') return passwordlessLogin(record);
  }
  const eventType = text(record['eventType']);
  if (eventType !== undefined) {
    const channel = OKTA_SEND_TYPES[eventType];
    if (channel !== undefined) return oktaSend(record, channel);
    if (eventType === 'user.authentication.auth_via_mfa') return oktaVerification(record);
  }
  return undefined;
}

function auth0MfaSend(log: Record<string, unknown>, channel: 'sms' | 'voice'): ConversionFact | undefined {
  const at = parseTime(log['date']);
  const raw = auth0PhoneField(log);
  const number = raw === undefined ? undefined : parseFullNumber(raw);
  if (at === undefined || number === undefined) return undefined;
  return { kind: 'send', fact: compact({ at, flow: 'mfa', channel, userId: auth0UserId(log), number }) };
}

function auth0MfaVerification(log: Record<string, unknown>, type: string): ConversionFact | undefined {
  const at = parseTime(log['date']);
  if (at === undefined) return undefined;
  const details = asRecord(log['details']);
  const authenticatorType = text(asRecord(details?.['authenticator'])?.['type'])?.toLowerCase();
  if (authenticatorType !== undefined && !PHONE_AUTHENTICATOR_TYPES.has(authenticatorType)) return undefined;
  const raw = auth0PhoneField(log);
  if (authenticatorType === undefined && raw === undefined) return undefined;
  return { kind: 'verification', fact: withNumber({ at, flow: 'mfa', type, userId: auth0UserId(log), claim: 'phone' }, raw) };
}

function passwordlessSend(log: Record<string, unknown>): ConversionFact | undefined {
  const at = parseTime(log['date']);
  const details = asRecord(log['details']);
  const body = asRecord(details?.['body']);
  const raw = text(body?.['phone_number']) ?? text(details?.['phone_number']);
  const number = raw === undefined ? undefined : parseFullNumber(raw);
  if (at === undefined || number === undefined) return undefined;
  return { kind: 'send', fact: compact({ at, flow: 'passwordless', channel: 'sms', userId: auth0UserId(log), transactionId: transactionOf(details), number }) };
}

/** A successful login through a passwordless SMS connection (strategy `sms`). */
function passwordlessLogin(log: Record<string, unknown>): ConversionFact | undefined {
  const strategy = text(log['strategy']) ?? text(log['connection']);
  if (strategy !== 'sms') return undefined;
  const at = parseTime(log['date']);
  if (at === undefined) return undefined;
  const details = asRecord(log['details']);
  const userName = text(log['user_name']);
  const raw = userName !== undefined && looksLikePhoneNumber(userName) ? userName : userName !== undefined && isMaskedNumber(userName) ? userName : undefined;
  const fact: VerificationFact = compact({ at, flow: 'passwordless', type: 's', userId: auth0UserId(log), transactionId: transactionOf(details), claim: 'phone' });
  return { kind: 'verification', fact: withNumber(fact, raw) };
}

function oktaSend(event: Record<string, unknown>, channel: 'sms' | 'voice'): ConversionFact | undefined {
  const at = parseTime(event['published']);
  const result = text(asRecord(event['outcome'])?.['result'])?.toUpperCase();
  if (at === undefined || (result !== undefined && result !== 'SUCCESS' && result !== 'ALLOW')) return undefined;
  const debugData = asRecord(asRecord(event['debugContext'])?.['debugData']);
  const targets = Array.isArray(event['target']) ? event['target'].map(asRecord) : [];
  const phone = targets.find((item) => item?.['type'] === 'MobilePhone');
  const raw = text(phone?.['alternateId']) ?? text(debugData?.['phoneNumber']) ?? text(debugData?.['phone_number']);
  const hint = text(debugData?.['countryCallingCode']) ?? numberText(debugData?.['countryCallingCode']) ?? text(debugData?.['country_calling_code']);
  const number = raw === undefined ? undefined : parseFullNumber(raw, hint);
  if (number === undefined) return undefined;
  return { kind: 'send', fact: compact({ at, flow: 'okta', channel, userId: id(asRecord(event['actor'])?.['id']), transactionId: id(asRecord(event['transaction'])?.['id']), number }) };
}

const OKTA_PHONE_METHODS: ReadonlySet<string> = new Set(['SMS', 'VOICE']);

function oktaVerification(event: Record<string, unknown>): ConversionFact | undefined {
  const at = parseTime(event['published']);
  const result = text(asRecord(event['outcome'])?.['result'])?.toUpperCase();
  if (at === undefined || result !== 'SUCCESS') return undefined;
  const method = oktaMethod(event);
  if (method !== undefined && !OKTA_PHONE_METHODS.has(method)) return undefined;
  const fact: VerificationFact = compact({
    at,
    flow: 'okta',
    type: 'user.authentication.auth_via_mfa',
    userId: id(asRecord(event['actor'])?.['id']),
    transactionId: id(asRecord(event['transaction'])?.['id']),
    claim: method === undefined ? 'unknown' : 'phone',
  });
  return { kind: 'verification', fact };
}

/** The factor method of an Okta MFA success (`SMS`, `VOICE`, `EMAIL`...), wherever the event puts it. */
function oktaMethod(event: Record<string, unknown>): string | undefined {
  const targets = Array.isArray(event['target']) ? event['target'].map(asRecord) : [];
  for (const target of targets) {
    const entry = asRecord(target?.['detailEntry']);
    const method = text(entry?.['methodTypeUsed']) ?? text(entry?.['method_type_used']) ?? text(target?.['method_type_used']);
    if (method !== undefined) return method.toUpperCase();
  }
  const debugData = asRecord(asRecord(event['debugContext'])?.['debugData']);
  const method = text(debugData?.['method_type_used']) ?? text(debugData?.['factor']);
  return method?.toUpperCase();
}

function withNumber(fact: VerificationFact, raw: string | undefined): VerificationFact {
  if (raw === undefined) return fact;
  const number = parseFullNumber(raw);
  if (number !== undefined) return { ...fact, number };
  if (isMaskedNumber(raw)) {
    const tail = /(\d+)\D*$/.exec(raw)?.[1];
    if (tail !== undefined && tail.length >= 2) return { ...fact, maskedTail: tail.slice(-4) };
  }
  return fact;
}

function auth0PhoneField(log: Record<string, unknown>): string | undefined {
  const details = asRecord(log['details']);
  return text(asRecord(details?.['authenticator'])?.['phone_number']) ?? text(asRecord(details?.['enrollment'])?.['phone_number']) ?? text(details?.['phone_number']);
}

function auth0UserId(log: Record<string, unknown>): string | undefined {
  return id(log['user_id']) ?? id(asRecord(asRecord(log['details'])?.['enrollment'])?.['user_id']);
}

function transactionOf(details: Record<string, unknown> | undefined): string | undefined {
  return id(details?.['transaction_id']) ?? id(asRecord(details?.['transaction'])?.['id']);
}

function id(value: unknown): string | undefined {
  const found = text(value);
  return found !== undefined && found.length <= MAX_ID_LENGTH ? found : undefined;
}

function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = item;
  return out as T;
}
