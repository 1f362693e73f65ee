/**
 * The adapter from the Auth0 send-phone-message v2 event to the phone-message request. It never
 * trusts the event's shape: every field is checked, and a problem becomes a reason, not an exception.
 */
import { parseIp } from '../net/ip';
import type { PhoneRequestResult } from '../pipeline/phone-request';
import { describeValue, geoCountry, isRecord, optionalText, userFacts, MAX_CODE_LENGTH, MAX_TEXT_LENGTH } from './event-fields';


const TRIGGER = 'send-phone-message';

export function readSendEvent(event: unknown): PhoneRequestResult {
  if (!isRecord(event)) return { ok: false, trigger: TRIGGER, reason: 'event is not an object' };
  const options = event['message_options'];
  if (!isRecord(options)) return { ok: false, trigger: TRIGGER, reason: 'event.message_options is missing or not an object' };

  const messageType = options['message_type'];
  if (messageType !== 'sms' && messageType !== 'voice') {
    return { ok: false, trigger: TRIGGER, reason: `event.message_options.message_type ${describeValue(messageType)} is neither sms nor voice` };
  }
  const code = options['code'];
  if (typeof code !== 'string' || code.length === 0 || code.length > MAX_CODE_LENGTH) {
    return { ok: false, trigger: TRIGGER, channel: messageType, reason: 'event.message_options.code is missing or malformed' };
  }
  const rawText = options['text'];
  const text = typeof rawText === 'string' && rawText.length > 0 ? rawText.slice(0, MAX_TEXT_LENGTH) : `Your verification code is ${code}`;
  const action = options['action'];
  const request = isRecord(event['request']) ? event['request'] : {};
  const client = isRecord(event['client']) ? event['client'] : {};

  return {
    ok: true,
    request: {
      trigger: TRIGGER,
      channel: messageType,
      kind: 'otp',
      otpAction: action === 'enrollment' || action === 'second-factor-authentication' ? action : 'unknown',
      // This trigger challenges only a factor its user confirmed with the enrolment code.
      recipientIs: action === 'second-factor-authentication' ? 'confirmed-factor' : 'unconfirmed',
      messageType: typeof action === 'string' ? action.slice(0, 40) : 'unknown',
      code,
      text,
      recipient: options['recipient'],
      ip: parseIp(request['ip']),
      requestCountry: geoCountry(request),
      user: userFacts(event['user']),
      // This trigger is never retried by Auth0.
      notificationId: undefined,
      context: { clientId: optionalText(client['client_id']) },
    },
  };
}
