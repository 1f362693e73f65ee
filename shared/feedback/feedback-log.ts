/**
 * The post-login Action's one JSON line per login that concerned a phone: what it concluded about
 * the verification, never the full number (masked), never a secret (the serialised line is scrubbed
 * of the store credentials and of the raw number as a last guard).
 */
import type { GuardMode } from '../engine/types';
import { scrubText } from '../log/scrub';

export type FeedbackOutcome =
  /** A new proof: the number for this user, one more proven number for its country and range. */
  | 'recorded'
  /** The number was already proven for this user: nothing written. */
  | 'already-proven'
  /** No OTP sent to the number by tollguard within the last 1 to 2 hours (or the sign-in is older). */
  | 'not-sent-recently'
  /** The number is proven for another user: the claim is not taken (a proof belongs to one user). */
  | 'proven-for-other-user'
  /** A login that names a phone but cannot prove one (another method or connection, a bad field). */
  | 'not-a-phone-login'
  /** The store failed or was slow: nothing could be checked or recorded. */
  | 'store-error'
  /** A bug or an unreadable configuration: nothing recorded. */
  | 'guard-error';

export interface FeedbackLine {
  tollguard: 'feedback';
  version: 1;
  at: string;
  trigger: 'post-login';
  /** 'unknown' only when the secrets could not be read at all. */
  mode: GuardMode | 'unknown';
  outcome: FeedbackOutcome;
  reason: string;
  /** The phone method of the session (sms, tel, phone_number). */
  method?: string | undefined;
  /** The connection's strategy (sms for passwordless SMS). */
  strategy?: string | undefined;
  /** Masked number, or a description of a value that is no number. */
  to?: string | undefined;
  country?: string | undefined;
  user_id?: string | undefined;
  store?: string | undefined;
  store_requests?: number | undefined;
  store_ms?: number | undefined;
  store_error?: string | undefined;
  config_errors?: string[] | undefined;
  event_problems?: string[] | undefined;
}

const MAX_USER_ID_LOGGED = 128;
const MAX_REASON = 300;

export function loggedUserId(userId: string | undefined): string | undefined {
  if (userId === undefined) return undefined;
  return userId.length > MAX_USER_ID_LOGGED ? `${userId.slice(0, MAX_USER_ID_LOGGED - 3)}...` : userId;
}

/** Serialises, scrubs and writes the line; answers what was written. */
export function writeFeedbackLine(sink: (line: string) => void, line: FeedbackLine, secretsToScrub: readonly string[]): string {
  const bounded = { ...line, reason: line.reason.slice(0, MAX_REASON) };
  const text = scrubText(JSON.stringify(bounded), secretsToScrub);
  sink(text);
  return text;
}
