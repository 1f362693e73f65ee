/**
 * The adapter from Okta's telephony inline hook request (eventType com.okta.telephony.provider) to
 * the phone-message request. Like the Auth0 adapters it trusts no field: a problem becomes a
 * reason (the hook then answers without sending), never an exception. No reason quotes the code,
 * the number or the template.
 */
import { describeValue, isRecord, optionalText, MAX_CODE_LENGTH, MAX_TEXT_LENGTH } from '../auth0/event-fields';
import type { Channel, OtpAction } from '../engine/types';
import { parseIp } from '../net/ip';
import { normaliseRecipient, type PhoneRequestResult } from '../pipeline/phone-request';

export const OKTA_TRIGGER = 'okta-telephony-hook';
export const OKTA_EVENT_TYPE = 'com.okta.telephony.provider';
const REQUEST_TYPE_PREFIX = 'com.okta.user.telephony.';

/**
 * Okta's four request types. Enrolment sends a code to a number nobody has verified yet (where
 * pumping happens); the other three send it to the number already enrolled for the user.
 */
export const OKTA_REQUEST_TYPES: Readonly<Record<string, OtpAction>> = {
  'pre-enrollment': 'enrollment',
  'mfa-verification': 'second-factor-authentication',
  'account-unlock': 'second-factor-authentication',
  'password-reset': 'second-factor-authentication',
};

/** Okta names the channels `SMS`, `sms`, `voice call`, `Voice`, `CALL` depending on flow and version. */
const CHANNELS: Readonly<Record<string, Channel>> = { sms: 'sms', text: 'sms', voice: 'voice', voicecall: 'voice', call: 'voice' };

/** Okta's user ids are 20 characters (00u...); anything far longer is not one. */
const MAX_USER_ID_LENGTH = 64;

export function oktaChannel(raw: unknown): Channel | undefined {
  if (typeof raw !== 'string' || raw.length > 32) return undefined;
  return CHANNELS[raw.toLowerCase().replace(/[\s_-]+/g, '')];
}

/** `com.okta.user.telephony.pre-enrollment` (or the bare suffix) → its short name and OTP action. */
export function oktaRequestType(raw: unknown): { name: string; otpAction: OtpAction } | undefined {
  if (typeof raw !== 'string' || raw.length > 100) return undefined;
  const name = (raw.startsWith(REQUEST_TYPE_PREFIX) ? raw.slice(REQUEST_TYPE_PREFIX.length) : raw).trim().toLowerCase();
  const known = OKTA_REQUEST_TYPES[name];
  if (known !== undefined) return { name, otpAction: known };
  // A request type Okta adds later is still an OTP to a phone: guarded, with no known action.
  if (raw.startsWith(REQUEST_TYPE_PREFIX) && /^[a-z0-9.-]{1,40}$/.test(name)) return { name, otpAction: 'unknown' };
  return undefined;
}

export function readOktaTelephonyEvent(body: unknown): PhoneRequestResult {
  const fail = (reason: string, channel?: Channel): PhoneRequestResult => ({ ok: false, trigger: OKTA_TRIGGER, reason, ...(channel ? { channel } : {}) });
  if (!isRecord(body)) return fail('the request body is not a JSON object');
  if (body['eventType'] !== OKTA_EVENT_TYPE) return fail(`eventType ${describeValue(body['eventType'])} is not ${OKTA_EVENT_TYPE}`);
  const data = body['data'];
  if (!isRecord(data)) return fail('data is missing or not an object');
  const profile = data['messageProfile'];
  if (!isRecord(profile)) return fail('data.messageProfile is missing or not an object');

  const channel = oktaChannel(profile['deliveryChannel']);
  if (channel === undefined) return fail(`data.messageProfile.deliveryChannel ${describeValue(profile['deliveryChannel'])} is neither SMS nor voice`);
  const requestType = oktaRequestType(body['requestType']);
  if (requestType === undefined) return fail(`requestType ${describeValue(body['requestType'])} is not a telephony request type Okta documents`, channel);
  const code = profile['otpCode'];
  if (typeof code !== 'string' || !/^[0-9A-Za-z]+$/.test(code) || code.length > MAX_CODE_LENGTH) {
    return fail(`data.messageProfile.otpCode is missing or malformed (${typeof code === 'string' ? `${code.length} characters` : describeValue(code)})`, channel);
  }
  const template = profile['msgTemplate'];
  if (typeof template === 'string' && template.length > MAX_TEXT_LENGTH) {
    return fail(`data.messageProfile.msgTemplate is ${template.length} characters, over the ${MAX_TEXT_LENGTH} a phone message may carry`, channel);
  }
  // Okta renders the org's template with the code in it; one without the code would send nothing useful.
  const text = typeof template === 'string' && template.includes(code) ? template : `Your verification code is ${code}`;

  const recipient = normaliseRecipient(profile['phoneNumber']);
  const context = isRecord(data['context']) ? data['context'] : {};
  const request = isRecord(context['request']) ? context['request'] : {};
  const user = isRecord(data['userProfile']) ? data['userProfile'] : {};
  return {
    ok: true,
    request: {
      trigger: OKTA_TRIGGER,
      channel,
      kind: 'otp',
      otpAction: requestType.otpAction,
      // Okta's verification, unlock and reset calls go to the user's enrolled (confirmed) phone factor.
      recipientIs: requestType.otpAction === 'second-factor-authentication' ? 'confirmed-factor' : 'unconfirmed',
      messageType: requestType.name,
      code,
      text,
      recipient,
      ip: parseIp(request['ipAddress']),
      requestCountry: undefined,
      // Okta sends no groups or metadata: trust tiers and voice groups do not apply to Okta users.
      user: { id: optionalText(user['userId'], MAX_USER_ID_LENGTH), appMetadata: {} },
      // Every call counts, a repeated event included: the hook never asks Okta to retry (it answers
      // inside the deadline), and a resend of the same code must never be free.
      notificationId: undefined,
      context: {},
    },
  };
}
