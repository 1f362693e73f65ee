/**
 * Log records for the conversion tests: Auth0 MFA sends and verifications (gd_send_sms,
 * gd_auth_succeed, gd_enrollment_complete), passwordless SMS (cs → s), Okta sends and
 * user.authentication.auth_via_mfa. Shapes follow the Auth0 log schema and the Okta System Log.
 */
import { makeLogId } from '../support/management-api-logs';

let sequence = 0;

export interface Auth0Spec {
  at: number;
  userId: string;
  /** The number as the log shows it (whole, masked, or absent). */
  phone?: string;
  channel?: 'sms' | 'voice';
  /** Guardian authenticator type; default phone. */
  authenticatorType?: string;
}

function auth0Base(at: number, type: string, userId: string | undefined, seq: number): Record<string, unknown> {
  const log: Record<string, unknown> = {
    date: new Date(at).toISOString(),
    type,
    client_id: 'cl1ent1d',
    client_name: 'Acme App',
    ip: '192.0.2.10',
    user_agent: 'Chrome 120.0.0 / Mac OS X 10.15.7',
    hostname: 'acme.eu.auth0.com',
    log_id: makeLogId(at, seq),
    tenant_name: 'acme',
  };
  if (userId !== undefined) log['user_id'] = userId;
  return log;
}

export function mfaSend(spec: Auth0Spec): Record<string, unknown> {
  const seq = ++sequence;
  return {
    ...auth0Base(spec.at, spec.channel === 'voice' ? 'gd_send_voice' : 'gd_send_sms', spec.userId, seq),
    description: 'SMS sent',
    details: { authenticator: { id: `sms|dev_${seq}`, type: 'phone', phone_number: spec.phone ?? null }, session_id: `s${seq}` },
  };
}

export function mfaSuccess(spec: Auth0Spec, type: 'gd_auth_succeed' | 'gd_enrollment_complete' = 'gd_auth_succeed'): Record<string, unknown> {
  const seq = ++sequence;
  const details: Record<string, unknown> =
    type === 'gd_enrollment_complete'
      ? { enrollment: { _id: `sms|dev_${seq}`, user_id: spec.userId, phone_number: spec.phone ?? null, identifier: `sms|dev_${seq}`, name: 'sms', tenant: 'acme' } }
      : { authenticator: { id: `sms|dev_${seq}`, type: spec.authenticatorType ?? 'phone', phone_number: spec.phone ?? null } };
  return { ...auth0Base(spec.at, type, spec.userId, seq), description: 'Multi-factor authentication success', details };
}

export interface PasswordlessSpec {
  at: number;
  phone: string;
  transactionId?: string;
  userId?: string;
  /** The `s` log's user name; default the phone. */
  userName?: string;
}

export function passwordlessCodeSent(spec: PasswordlessSpec): Record<string, unknown> {
  const seq = ++sequence;
  const details: Record<string, unknown> = { body: { phone_number: spec.phone, connection: 'sms', send: 'code' } };
  if (spec.transactionId !== undefined) details['transaction_id'] = spec.transactionId;
  return { ...auth0Base(spec.at, 'cs', spec.userId, seq), description: 'Code sent', connection: 'sms', strategy: 'sms', strategy_type: 'passwordless', user_name: spec.phone, details };
}

export function passwordlessLogin(spec: PasswordlessSpec): Record<string, unknown> {
  const seq = ++sequence;
  const details: Record<string, unknown> = { prompts: [], stats: { loginsCount: 2 } };
  if (spec.transactionId !== undefined) details['transaction_id'] = spec.transactionId;
  return {
    ...auth0Base(spec.at, 's', spec.userId ?? `sms|${seq}`, seq),
    description: 'Successful login',
    connection: 'sms',
    strategy: 'sms',
    strategy_type: 'passwordless',
    user_name: spec.userName ?? spec.phone,
    details,
  };
}

/** A database login: not a phone verification, whatever it carries. */
export function passwordLogin(at: number, userId: string): Record<string, unknown> {
  return { ...auth0Base(at, 's', userId, ++sequence), connection: 'Username-Password-Authentication', strategy: 'auth0', user_name: 'someone@example.com', details: {} };
}

export interface OktaSpec {
  at: number;
  actorId: string;
  transactionId: string;
  phone?: string;
  /** auth_via_mfa: the factor method; omitted from the event when undefined. */
  method?: 'SMS' | 'VOICE' | 'EMAIL';
  outcome?: 'SUCCESS' | 'FAILURE';
}

export function oktaSmsSend(spec: OktaSpec): Record<string, unknown> {
  const seq = ++sequence;
  return {
    uuid: `c0ffee00-${String(seq).padStart(4, '0')}-11ee-9c2a-000000000000`,
    published: new Date(spec.at).toISOString(),
    eventType: 'system.sms.send_factor_verify_message',
    version: '0',
    severity: 'INFO',
    actor: { id: spec.actorId, type: 'User', alternateId: `${spec.actorId}@example.com`, displayName: 'Some One' },
    client: { ipAddress: '192.0.2.20', userAgent: { rawUserAgent: 'Mozilla/5.0' } },
    outcome: { result: 'SUCCESS' },
    target: [{ id: `mbl${seq}`, type: 'MobilePhone', alternateId: spec.phone ?? '', displayName: null }],
    transaction: { type: 'WEB', id: spec.transactionId },
    debugContext: { debugData: {} },
  };
}

export function oktaMfaSuccess(spec: OktaSpec): Record<string, unknown> {
  const seq = ++sequence;
  const target: Record<string, unknown> = { id: `pfd${seq}`, type: 'AuthenticatorEnrollment', alternateId: 'unknown', displayName: 'Phone' };
  if (spec.method !== undefined) target['detailEntry'] = { methodTypeUsed: spec.method };
  return {
    uuid: `beefcafe-${String(seq).padStart(4, '0')}-11ee-9c2a-000000000000`,
    published: new Date(spec.at).toISOString(),
    eventType: 'user.authentication.auth_via_mfa',
    version: '0',
    severity: 'INFO',
    actor: { id: spec.actorId, type: 'User', alternateId: `${spec.actorId}@example.com`, displayName: 'Some One' },
    client: { ipAddress: '192.0.2.20' },
    outcome: { result: spec.outcome ?? 'SUCCESS' },
    target: [target],
    transaction: { type: 'WEB', id: spec.transactionId },
    debugContext: { debugData: { factor_intent: 'LOGIN' } },
  };
}
