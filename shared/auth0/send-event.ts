/**
 * The adapter from the Auth0 send-phone-message v2 event to the guard's inputs. It never trusts
 * the event's shape: every field is checked, and a problem becomes a reason, not an exception.
 */
import type { Channel, OtpAction, UserFacts } from '../engine/types';
import { parseIp, type IpAddress } from '../net/ip';

export interface SendRequest {
  channel: Channel;
  otpAction: OtpAction;
  code: string;
  text: string;
  recipient: unknown;
  ip: IpAddress | undefined;
  requestCountry: string | undefined;
  user: UserFacts;
}

export type SendRequestResult = { ok: true; request: SendRequest } | { ok: false; reason: string };

const MAX_CODE_LENGTH = 16;
const MAX_TEXT_LENGTH = 1600;

export function readSendEvent(event: unknown): SendRequestResult {
  if (!isRecord(event)) return { ok: false, reason: 'event is not an object' };
  const options = event['message_options'];
  if (!isRecord(options)) return { ok: false, reason: 'event.message_options is missing or not an object' };

  const messageType = options['message_type'];
  if (messageType !== 'sms' && messageType !== 'voice') {
    return { ok: false, reason: `event.message_options.message_type ${describe(messageType)} is neither sms nor voice` };
  }
  const code = options['code'];
  if (typeof code !== 'string' || code.length === 0 || code.length > MAX_CODE_LENGTH) {
    return { ok: false, reason: 'event.message_options.code is missing or malformed' };
  }
  const rawText = options['text'];
  const text = typeof rawText === 'string' && rawText.length > 0 ? rawText.slice(0, MAX_TEXT_LENGTH) : `Your verification code is ${code}`;
  const action = options['action'];
  const request = isRecord(event['request']) ? event['request'] : {};
  const geoip = isRecord(request['geoip']) ? request['geoip'] : {};
  const country = geoip['countryCode'];
  const user = isRecord(event['user']) ? event['user'] : {};

  return {
    ok: true,
    request: {
      channel: messageType,
      otpAction: action === 'enrollment' || action === 'second-factor-authentication' ? action : 'unknown',
      code,
      text,
      recipient: options['recipient'],
      ip: parseIp(request['ip']),
      requestCountry: typeof country === 'string' && /^[A-Z]{2}$/.test(country) ? country : undefined,
      user: {
        id: typeof user['user_id'] === 'string' ? user['user_id'] : undefined,
        appMetadata: isRecord(user['app_metadata']) ? user['app_metadata'] : {},
      },
    },
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 20));
  return `<${value === null ? 'null' : typeof value}>`;
}
