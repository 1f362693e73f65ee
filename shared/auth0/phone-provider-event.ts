/**
 * The adapter from the Auth0 custom-phone-provider v1 event (the Unified Phone Experience: MFA,
 * passwordless SMS, phone identifiers, account notices) to the phone-message request. Like the
 * send adapter it trusts no field; a problem is a reason, which the Action turns into a drop.
 */
import type { Channel, OtpAction } from '../engine/types';
import { parseIp } from '../net/ip';
import { normaliseRecipient, notificationIdOf, type MessageKind, type PhoneRequestResult } from '../pipeline/phone-request';
import { describeValue, geoCountry, isRecord, optionalText, userFacts, MAX_CODE_LENGTH, MAX_TEXT_LENGTH } from './event-fields';

const TRIGGER = 'custom-phone-provider';

/** Every message type of the trigger, what it carries, and the OTP action it corresponds to. */
export const PHONE_PROVIDER_MESSAGE_TYPES: Readonly<Record<string, { kind: MessageKind; otpAction: OtpAction }>> = {
  otp_enroll: { kind: 'otp', otpAction: 'enrollment' },
  otp_verify: { kind: 'otp', otpAction: 'second-factor-authentication' },
  blocked_account: { kind: 'notice', otpAction: 'unknown' },
  change_password: { kind: 'notice', otpAction: 'unknown' },
  password_breach: { kind: 'notice', otpAction: 'unknown' },
};

const DELIVERY_METHODS: Readonly<Record<string, Channel>> = { text: 'sms', voice: 'voice' };

export function readPhoneProviderEvent(event: unknown): PhoneRequestResult {
  const fail = (reason: string, channel?: Channel): PhoneRequestResult => ({ ok: false, trigger: TRIGGER, reason, ...(channel ? { channel } : {}) });
  if (!isRecord(event)) return fail('event is not an object');
  const notification = event['notification'];
  if (!isRecord(notification)) return fail('event.notification is missing or not an object');

  const method = notification['delivery_method'];
  const channel = typeof method === 'string' ? DELIVERY_METHODS[method] : undefined;
  if (channel === undefined) return fail(`event.notification.delivery_method ${describeValue(method)} is neither text nor voice`);
  const messageType = notification['message_type'];
  const type = typeof messageType === 'string' ? PHONE_PROVIDER_MESSAGE_TYPES[messageType] : undefined;
  if (type === undefined || typeof messageType !== 'string') {
    return fail(`event.notification.message_type ${describeValue(messageType)} is not one tollguard knows (${Object.keys(PHONE_PROVIDER_MESSAGE_TYPES).join(', ')})`, channel);
  }
  const rawCode = notification['code'];
  let code = '';
  if (type.kind === 'otp') {
    if (typeof rawCode !== 'string' || rawCode.length === 0 || rawCode.length > MAX_CODE_LENGTH) {
      return fail(`event.notification.code is missing or malformed for ${messageType}`, channel);
    }
    code = rawCode;
  }
  const textField = channel === 'voice' && typeof notification['as_voice'] === 'string' && notification['as_voice'] !== '' ? 'as_voice' : 'as_text';
  const rawText = notification[textField];
  if (typeof rawText === 'string' && rawText.length > MAX_TEXT_LENGTH) {
    return fail(`event.notification.${textField} is longer than the ${MAX_TEXT_LENGTH} characters a phone message may carry`, channel);
  }
  let text = typeof rawText === 'string' ? rawText : '';
  if (text.length === 0) {
    if (type.kind === 'notice') return fail(`event.notification.${textField} is empty: a ${messageType} notice has nothing to say`, channel);
    text = `Your verification code is ${code}`;
  }

  const recipient = normaliseRecipient(notification['recipient']);
  const request = isRecord(event['request']) ? event['request'] : {};
  const client = isRecord(event['client']) ? event['client'] : {};
  const connection = isRecord(event['connection']) ? event['connection'] : {};
  const organization = isRecord(event['organization']) ? event['organization'] : {};
  const user = isRecord(event['user']) ? event['user'] : {};
  const strategy = typeof connection['strategy'] === 'string' ? connection['strategy'] : undefined;
  return {
    ok: true,
    request: {
      trigger: TRIGGER,
      channel,
      kind: type.kind,
      otpAction: type.otpAction,
      recipientIs: messageType === 'otp_verify' && isMfaChallenge(user, strategy, recipient) ? 'likely-factor' : 'unconfirmed',
      messageType,
      code,
      text,
      recipient,
      ip: parseIp(request['ip']),
      requestCountry: geoCountry(request),
      user: userFacts(user, { verifiedByConnection: strategy !== undefined && AUTH0_VERIFIED_STRATEGIES.has(strategy) }),
      // Auth0 re-runs the Action with the same notification when it is retried: same recipient,
      // channel, type and code (a notice: the same text).
      notificationId: typeof recipient === 'string' ? notificationIdOf([TRIGGER, recipient, channel, messageType, type.kind === 'otp' ? code : text]) : undefined,
      context: {
        clientId: optionalText(client['client_id']),
        connection: optionalText(connection['name']),
        organization: optionalText(organization['id']),
      },
    },
  };
}

/**
 * Connections whose phone_verified Auth0 itself set (a passwordless SMS code, a database
 * connection's phone verification). This trigger's user carries no identities: its connection
 * says who verified the profile number.
 */
const AUTH0_VERIFIED_STRATEGIES: ReadonlySet<string> = new Set(['sms', 'auth0']);

/**
 * An otp_verify reads as an MFA challenge (a likely factor) when the user exists (a user_id) and
 * has logged in before (login_count, when the event has it: a factor is enrolled during a login
 * that then completes), the login is not a passwordless SMS one (the connection's strategy is
 * known and is not sms), and the code goes to a number other than the profile's own phone_number
 * (a phone identifier's login or verification goes there). Passwordless SMS to a new number has
 * no user yet, and a phone identifier's code goes to the profile number: neither passes. The event
 * does not say which flow it is, so a flow that verifies a number not yet on the profile (adding
 * a phone identifier to an existing account) would read the same: the served-country rule trusts
 * one likely factor per user. Every field read here is the platform's, not the requester's.
 */
export function isMfaChallenge(user: Record<string, unknown>, strategy: string | undefined, recipient: unknown): boolean {
  const userId = user['user_id'];
  if (typeof userId !== 'string' || userId === '') return false;
  const logins = user['login_count'];
  if (typeof logins === 'number' && !(logins >= 1)) return false;
  if (strategy === undefined || strategy === '' || strategy === 'sms') return false;
  if (typeof recipient !== 'string') return false;
  const profile = normaliseRecipient(user['phone_number']);
  return typeof profile !== 'string' || digitsOf(profile) !== digitsOf(recipient);
}

function digitsOf(number: string): string {
  return number.replace(/[^0-9]/g, '');
}
