/**
 * The one request shape of a phone message, whatever brought it: Auth0's send-phone-message or
 * custom-phone-provider trigger, or Okta's telephony inline hook. Each entry reads its own event
 * into this shape; everything after (decide, deliver, log) is shared.
 */
import { createHash } from 'node:crypto';
import type { Channel, OtpAction, RecipientKind, UserFacts } from '../engine/types';
import type { IpAddress } from '../net/ip';

export type PhoneTrigger = 'send-phone-message' | 'custom-phone-provider' | 'okta-telephony-hook';

/**
 * `otp` carries a one-time code; `notice` (blocked account, password changed or breached) carries
 * none, so OTP-specific rules (resend delays, per-user / per-IP OTP limits, pumping baselines,
 * Lookup) do not apply to it: only the static rules, the per-number limit and the service cap.
 */
export type MessageKind = 'otp' | 'notice';

export interface PhoneMessageRequest {
  trigger: PhoneTrigger;
  channel: Channel;
  kind: MessageKind;
  otpAction: OtpAction;
  /** What the adapter knows of the recipient (SendFacts.recipientIs). */
  recipientIs: RecipientKind;
  /** The message type as the trigger names it (otp_enroll, mfa-verification, sms...), for the log. */
  messageType: string;
  /** The code to deliver; '' for notices. Never logged. */
  code: string;
  /** The SMS body (or, for voice, the sentence read aloud with the code spelled out). Never logged. */
  text: string;
  /** The raw recipient, normalised later by the number-sanity rule. */
  recipient: unknown;
  ip: IpAddress | undefined;
  requestCountry: string | undefined;
  user: UserFacts;
  /**
   * Identifies one notification across the provider's retries (custom-phone-provider retries up to
   * 5 times): a replay is not counted again. Undefined where the trigger never retries.
   */
  notificationId: string | undefined;
  /** Context for the log line only. */
  context: { clientId?: string | undefined; connection?: string | undefined; organization?: string | undefined };
}

export type PhoneRequestResult = { ok: true; request: PhoneMessageRequest } | { ok: false; reason: string; trigger: PhoneTrigger; channel?: Channel };

/**
 * A stable id for one notification: its retries carry the same recipient, type, channel and code
 * (or, for notices, the same text). Hashed: the id is a store key and must not hold the code.
 */
export function notificationIdOf(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part}\u0000`);
  return hash.digest('base64url').slice(0, 24);
}

/** Recipients arrive formatted (`+1-808-555-5555`, `+44 (0) 20…`, `0049…`); keep the digits after one leading + or 00. */
export function normaliseRecipient(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (text.length > 64) return text;
  const international = text.startsWith('00') ? `+${text.slice(2)}` : text;
  if (!/^\+[0-9 ()\-./\u00A0]+$/.test(international)) return text;
  return `+${international.slice(1).replace(/\(0\)/g, '').replace(/[^0-9]/g, '')}`;
}
