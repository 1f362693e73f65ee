/**
 * The Auth0 post-login v3 event as the feedback Action reads it, and the reading itself: from the
 * event snapshot to a claim that a user just verified an SMS code sent to their number.
 *
 * What the event shows of verifications (Auth0 post-login event object): `authentication.methods`
 * lists the factors completed in the session, `{name, timestamp}`, with `name` `sms` for a
 * passwordless SMS first factor; MFA completions are `{name: 'mfa', timestamp, type?}` and carry no
 * number. So only a passwordless SMS login names the number (`user.phone_number`) the code went to.
 */
import type { EventRequest, EventUser } from '../auth0/types';
import { isRecord } from '../auth0/event-fields';
import type { PhoneNumberFacts } from '../phone/e164';
import { describeUnparsedRecipient } from '../phone/mask';
import { checkRecipient } from '../rules/number-sanity';

export interface AuthenticationMethod {
  name: string;
  timestamp?: string;
  /** Only on `mfa` entries: the factor type (phone, otp, push-notification ...). */
  type?: string;
}

export interface PostLoginEvent {
  authentication?: { methods?: AuthenticationMethod[]; [field: string]: unknown };
  authorization?: { roles?: string[] };
  client?: { client_id: string; name?: string; metadata?: Record<string, string> };
  connection?: { id?: string; name?: string; strategy?: string; metadata?: Record<string, unknown> };
  organization?: { id: string; name?: string; display_name?: string; metadata?: Record<string, unknown> };
  request?: EventRequest & { query?: Record<string, unknown> };
  stats?: { logins_count?: number };
  tenant?: { id: string };
  transaction?: { protocol?: string; correlation_id?: string; [field: string]: unknown };
  user?: EventUser & { multifactor?: string[]; enrolledFactors?: Array<{ type: string; options?: Record<string, unknown> }> };
  secrets?: Record<string, string | undefined>;
  [field: string]: unknown;
}

/** The post-login api; the feedback Action calls none of it (a login is never denied or changed). */
export type PostLoginApi = Record<string, unknown>;

/** Method names that say an OTP to the user's phone was completed in this session. */
export const PHONE_METHODS: ReadonlySet<string> = new Set(['sms', 'tel', 'phone_number']);
/** The one method and connection strategy whose number this Action accepts as verified. */
export const PROVING_METHOD = 'sms';
export const PROVING_STRATEGY = 'sms';
/** A transaction in which no code was entered, whatever the session's methods say. */
const REFRESH_PROTOCOL = 'oauth2-refresh-token';

/** What the login says about a verification. */
export type LoginClaim =
  /** Nothing about a phone: no line is written, no store is called. */
  | { kind: 'unrelated' }
  /** A phone login the Action cannot take as a proof; `to` is masked or describes the raw value. */
  | { kind: 'not-a-phone-login'; reason: string; method: string | undefined; strategy: string | undefined; to?: string | undefined }
  /** A passwordless SMS login whose code is older than any sent marker. */
  | { kind: 'stale'; reason: string; method: string; strategy: string; number: PhoneNumberFacts; userId: string }
  /** A passwordless SMS login of `userId` to `number`, to check against the store. */
  | { kind: 'claim'; method: string; strategy: string; number: PhoneNumberFacts; userId: string; raw: string };

export interface ClaimOptions {
  now: number;
  /** A method older than this proves an OTP no sent marker remembers. */
  maxAgeMs: number;
}

/** Reads the claim from the event snapshot (plain data: no getter or proxy left). */
export function readLoginClaim(event: Record<string, unknown>, options: ClaimOptions): LoginClaim {
  const transaction = isRecord(event['transaction']) ? event['transaction'] : {};
  if (transaction['protocol'] === REFRESH_PROTOCOL) return { kind: 'unrelated' };
  const connection = isRecord(event['connection']) ? event['connection'] : {};
  const strategy = shortName(connection['strategy']);
  const authentication = isRecord(event['authentication']) ? event['authentication'] : {};
  const methods = authentication['methods'];
  const onSmsConnection = strategy === PROVING_STRATEGY;

  if (!Array.isArray(methods)) {
    if (!onSmsConnection) return { kind: 'unrelated' };
    const what = methods === undefined ? 'is missing' : 'is not an array';
    return { kind: 'not-a-phone-login', reason: `event.authentication.methods ${what}: cannot tell whether an SMS code was entered`, method: undefined, strategy };
  }
  const phoneMethods = methods.filter(isRecord).filter((method) => typeof method['name'] === 'string' && PHONE_METHODS.has(method['name']));
  if (phoneMethods.length === 0) {
    if (!onSmsConnection) return { kind: 'unrelated' };
    return { kind: 'not-a-phone-login', reason: 'the sms connection names no sms method in event.authentication.methods', method: undefined, strategy };
  }
  const sms = newest(phoneMethods.filter((method) => method['name'] === PROVING_METHOD));
  if (sms === undefined) {
    const name = String(phoneMethods[0]?.['name']);
    return { kind: 'not-a-phone-login', reason: `method ${name} is not a passwordless SMS login (only sms on an sms connection proves a number)`, method: name, strategy };
  }
  if (!onSmsConnection) {
    return {
      kind: 'not-a-phone-login',
      reason: `method sms on a ${strategy ?? 'unnamed'} connection, not a passwordless SMS connection: not recorded`,
      method: PROVING_METHOD,
      strategy,
    };
  }
  const user = isRecord(event['user']) ? event['user'] : undefined;
  const userId = user?.['user_id'];
  if (typeof userId !== 'string' || userId === '') {
    const what = user === undefined ? 'event.user is missing' : 'event.user.user_id is missing or not a string';
    return { kind: 'not-a-phone-login', reason: `${what}: a proof belongs to one user`, method: PROVING_METHOD, strategy };
  }
  const raw = user?.['phone_number'];
  const checked = checkRecipient(raw);
  if ('finding' in checked) {
    return {
      kind: 'not-a-phone-login',
      reason: `event.user.phone_number: ${checked.finding.reason.replace(/^recipient /, '')}`,
      method: PROVING_METHOD,
      strategy,
      to: describeUnparsedRecipient(raw),
    };
  }
  const at = methodTime(sms);
  if (at !== undefined && options.now - at > options.maxAgeMs) {
    const minutes = Math.round((options.now - at) / 60_000);
    return {
      kind: 'stale',
      reason: `the session's sms sign-in is ${minutes} min old (a silent or repeated login of an earlier session): no code was entered now`,
      method: PROVING_METHOD,
      strategy,
      number: checked.number,
      userId,
    };
  }
  return { kind: 'claim', method: PROVING_METHOD, strategy, number: checked.number, userId, raw: String(raw) };
}

/** The entry with the latest timestamp (an entry without one counts as the oldest). */
function newest(methods: Record<string, unknown>[]): Record<string, unknown> | undefined {
  let best: Record<string, unknown> | undefined;
  let bestAt = -Infinity;
  for (const method of methods) {
    const at = methodTime(method) ?? -Infinity;
    if (best === undefined || at > bestAt) {
      best = method;
      bestAt = at;
    }
  }
  return best;
}

function methodTime(method: Record<string, unknown>): number | undefined {
  const timestamp = method['timestamp'];
  if (typeof timestamp !== 'string' || timestamp.length > 40) return undefined;
  const at = Date.parse(timestamp);
  return Number.isFinite(at) ? at : undefined;
}

/** A strategy name fit for a log line, or undefined. */
function shortName(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(value) ? value : undefined;
}
