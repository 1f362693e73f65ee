/**
 * Runs one OTP through either built send Action, so `npm start` and `npm run simulate` can drive
 * the legacy send-phone-message trigger or the Unified Phone Experience's custom-phone-provider
 * trigger with the same traffic (`--trigger <name>`).
 */
import { join } from 'node:path';
import type { LoadedAction } from '../../tests/support/actions-runtime';
import { customPhoneProviderEvent, runCustomPhoneProvider, runSendPhoneMessage, sendPhoneMessageEvent } from '../../tests/support/actions-runtime';
import { DIST } from '../build';

export const SEND_TRIGGERS = ['send-phone-message', 'custom-phone-provider'] as const;
export type SendTrigger = (typeof SEND_TRIGGERS)[number];

export interface OtpSend {
  recipient: string;
  channel: 'sms' | 'voice';
  enrollment: boolean;
  code: string;
  userId?: string;
  ip: string;
  requestCountry?: string;
  appMetadata?: Record<string, unknown>;
  /** Logins the user completed before (the Unified Phone Experience's user.login_count). */
  loginCount?: number;
}

export interface OtpResult {
  refused: boolean;
  logs: string[];
}

export function bundleOf(trigger: SendTrigger): string {
  return join(DIST, `${trigger}.js`);
}

/** `--trigger <name>` (or `--trigger=<name>`) out of argv; the rest is left as it was. */
export function takeTriggerFlag(argv: readonly string[]): { trigger: SendTrigger; rest: string[]; problem?: string } {
  const rest: string[] = [];
  let trigger: string = 'send-phone-message';
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--trigger') trigger = argv[++index] ?? '';
    else if (arg.startsWith('--trigger=')) trigger = arg.slice('--trigger='.length);
    else rest.push(arg);
  }
  if (!(SEND_TRIGGERS as readonly string[]).includes(trigger)) {
    return { trigger: 'send-phone-message', rest, problem: `--trigger must be one of ${SEND_TRIGGERS.join(', ')}, not ${JSON.stringify(trigger)}` };
  }
  return { trigger: trigger as SendTrigger, rest };
}

/** The login connection of the simulated MFA users (a database connection, as most tenants have). */
const MFA_CONNECTION = { id: 'con_SimDatabase0001', name: 'Username-Password-Authentication', strategy: 'auth0' } as const;

export async function sendOtp(action: LoadedAction, trigger: SendTrigger, send: OtpSend, secrets: Record<string, string>): Promise<OtpResult> {
  const request = { ip: send.ip, ...(send.requestCountry ? { geoip: { countryCode: send.requestCountry } } : {}) };
  const user = { ...(send.userId ? { user_id: send.userId } : {}), app_metadata: send.appMetadata ?? {} };
  const text = `Your verification code is ${send.code}`;
  if (trigger === 'send-phone-message') {
    const event = sendPhoneMessageEvent({
      message_options: { recipient: send.recipient, message_type: send.channel, action: send.enrollment ? 'enrollment' : 'second-factor-authentication', code: send.code, text },
      request,
      user,
    });
    event.secrets = secrets;
    const invocation = await runSendPhoneMessage(action, event);
    return { refused: invocation.error !== undefined, logs: invocation.logs };
  }
  const event = customPhoneProviderEvent({
    notification: { recipient: send.recipient, delivery_method: send.channel === 'voice' ? 'voice' : 'text', message_type: send.enrollment ? 'otp_enroll' : 'otp_verify', code: send.code, as_text: text, as_voice: text },
    request,
  });
  // MFA on a database login: the user has no profile phone, and the code goes to the factor.
  event.user = send.loginCount === undefined ? user : { ...user, login_count: send.loginCount };
  event.connection = MFA_CONNECTION;
  event.secrets = secrets;
  const invocation = await runCustomPhoneProvider(action, event);
  return { refused: invocation.result?.last !== undefined || invocation.error !== undefined, logs: invocation.logs };
}
