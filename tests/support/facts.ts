/** Builders for rule tests: facts and policies from readable inputs, through the real parsers. */
import { ConfigErrors, parseStaticPolicy, type Secrets } from '../../shared/config/static-policy';
import type { Channel, SendFacts, StaticPolicy } from '../../shared/engine/types';
import { parseIp } from '../../shared/net/ip';
import { parseRecipient } from '../../shared/phone/e164';

export function factsFor(
  recipient: string,
  options: { channel?: Channel; ip?: string; appMetadata?: Record<string, unknown>; now?: number } = {},
): SendFacts {
  const parsed = parseRecipient(recipient);
  if (!parsed.ok) throw new Error(`test number ${recipient} is not valid: ${parsed.reason}`);
  return {
    now: options.now ?? Date.UTC(2026, 10, 23, 12),
    channel: options.channel ?? 'sms',
    otpAction: 'enrollment',
    recipientIs: 'unconfirmed',
    number: parsed.number,
    ip: parseIp(options.ip ?? '198.51.100.7'),
    requestCountry: 'US',
    user: { id: 'auth0|test', appMetadata: options.appMetadata ?? {} },
  };
}

export function policyFrom(secrets: Secrets = {}): { policy: StaticPolicy; errors: string[] } {
  const errors = new ConfigErrors();
  const policy = parseStaticPolicy(secrets, errors);
  return { policy, errors: errors.errors.map((error) => error.message) };
}

/** Valid numbers per country (checked by libphonenumber-js max metadata in the tests that use them). */
export const NUMBERS = {
  US: '+14155552671',
  GB_MOBILE: '+447400123456',
  GB_PREMIUM: '+449098790000',
  GB_PERSONAL: '+447011123456',
  DE: '+4915112345678',
  NG: '+2348031234567',
  LV: '+37120123456',
  BD: '+8801712345678',
  FR: '+33612345678',
} as const;
