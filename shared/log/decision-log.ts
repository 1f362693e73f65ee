/**
 * One JSON line per decision, for Auth0 log streams and `npm run monitor`. What may appear is
 * decided here, field by field: never the OTP code, the message text, a token, or a full number.
 * As a last guard, the serialised line is scrubbed of the code and of the raw recipient.
 */
import type { DeliveryReceipt } from '../delivery/sender';
import type { Channel, GuardMode, OtpAction } from '../engine/types';
import type { MessageKind, PhoneTrigger } from '../pipeline/phone-request';
import type { LikelyFactorStanding, ProofSource, TrialStanding } from '../rules/served-country';
import type { TrustTier } from '../trust';

/** The fields every decision line has, whatever the trigger. */
interface DecisionLineBase {
  tollguard: 'decision';
  version: 1;
  at: string;
  mode: GuardMode;
  decision: 'allow' | 'block' | 'error';
  rules: string[];
  reasons: string[];
  config_errors?: string[] | undefined;
  /** Parts of the event that could not be read or were cut (the event snapshot's problems). */
  event_problems?: string[] | undefined;
  rule_errors?: string[] | undefined;
  timings_ms?: { decide: number; deliver?: number } | undefined;
}

/** What the counter store contributed to a decision. */
export interface StoreLogFields {
  store?: string | undefined;
  store_requests?: number | undefined;
  store_ms?: number | undefined;
  store_error?: string | undefined;
  fail_mode?: 'open' | 'closed' | undefined;
  incidents?: string[] | undefined;
  alert_errors?: string[] | undefined;
  lookup?: 'cached' | 'fetched' | undefined;
  lookup_error?: string | undefined;
  /** A provider's retry of a notification already counted: no counter moved. */
  replay?: boolean | undefined;
  /** The verification evidence the decision read (shared/feedback/proofs.ts, served-country rule). */
  evidence?: PhoneEvidence | undefined;
}

export interface PhoneEvidence {
  /** The number is proven for this user (stored, or by this very challenge). */
  number_proven: boolean;
  /** What proves it: a stored proof, the user's phone_verified profile number, a challenge to a confirmed factor, one after an enrolment tollguard saw, or a likely factor. */
  proven_by?: ProofSource | undefined;
  /** This decision recorded a new proof of the number. */
  proof_recorded?: boolean | undefined;
  /** A likely factor nothing else proves (the Unified Phone Experience): trusted, or why not. */
  likely_factor?: LikelyFactorStanding | undefined;
  /** A tier country not served yet: how this number stood for its trial, and whether it was put on trial now. */
  trial?: TrialStanding | undefined;
  trial_recorded?: boolean | undefined;
  /** Numbers proven in the destination country in 30-60 days, and how many open a high-risk-tier country. */
  country_proofs?: number | undefined;
  served_needs?: number | undefined;
}

export type PhoneOutcomeName = 'delivered' | 'would_block_delivered' | 'refused' | 'not_delivered';

/** One phone message (any of the three phone entries). */
export interface PhoneDecisionLine extends DecisionLineBase, StoreLogFields {
  trigger: PhoneTrigger;
  outcome: PhoneOutcomeName;
  /** How a refusal reached the caller: an error it can see, or silence (a shadow block). */
  refusal?: 'error' | 'silent' | undefined;
  /** A failed delivery the provider was asked to retry. */
  retry?: boolean | undefined;
  /** The retry could not be recorded, so the retry will be counted again. */
  retry_error?: string | undefined;
  channel?: Channel | undefined;
  message_type?: string | undefined;
  otp_action?: OtpAction | undefined;
  message_kind?: MessageKind | undefined;
  to?: string | undefined;
  country?: string | undefined;
  ip?: string | undefined;
  request_country?: string | undefined;
  user_id?: string | undefined;
  client_id?: string | undefined;
  connection?: string | undefined;
  organization?: string | undefined;
  trusted?: string[] | undefined;
  delivery?: DeliveryReceipt | undefined;
  delivery_error?: string | undefined;
  twilio_code?: number | undefined;
}

/** One sign-up (pre-user-registration). */
export interface SignupDecisionLine extends DecisionLineBase {
  trigger: 'pre-user-registration';
  outcome: 'allowed' | 'denied' | 'would_deny_allowed';
  trust?: TrustTier | undefined;
  /** Why the account was created with low trust (beyond the CAPTCHA and sign-up country). */
  trust_reasons?: string[] | undefined;
  /** The counter rules that refused the sign-up or lowered its trust. */
  counter_rules?: string[] | undefined;
  captcha?: { outcome: string; provider: string | undefined; score: number | undefined; note: string | undefined } | undefined;
  email_domain?: string | undefined;
  phone?: string | undefined;
  country?: string | undefined;
  ip?: string | undefined;
  connection?: string | undefined;
  client_id?: string | undefined;
  store?: string | undefined;
  store_ms?: number | undefined;
  store_error?: string | undefined;
}

export type DecisionLogLine = PhoneDecisionLine | SignupDecisionLine;
export type DecisionTrigger = DecisionLogLine['trigger'];

export type LogSink = (line: string) => void;

export function writeDecisionLog(sink: LogSink, line: DecisionLogLine, secretsToScrub: readonly string[]): string {
  const text = scrubText(JSON.stringify(line), secretsToScrub);
  sink(text);
  return text;
}

/** The one line written when the guard itself failed (it could not start, or a bug escaped a rule). */
export function guardErrorLine(trigger: DecisionTrigger, outcome: string, reason: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ tollguard: 'decision', version: 1, trigger, decision: 'error', outcome, rules: ['guard-error'], reasons: [reason.slice(0, 300)], ...extra });
}

/** Replaces every form of each secret (escaped, cut at line breaks, URL-normalised) by [redacted]; see scrub.ts. */
import { scrubText } from './scrub';
export { scrubText };
