/** Small, defensive readers of the fields every Auth0 event shares (request, user, client). */
import type { UserFacts } from '../engine/types';

export const MAX_CODE_LENGTH = 16;
/** Twilio's own limit on a message body (and far above any OTP template). */
export const MAX_TEXT_LENGTH = 1600;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request's country from Auth0's geoip, when it is a real ISO code. */
export function geoCountry(request: Record<string, unknown>): string | undefined {
  const geoip = isRecord(request['geoip']) ? request['geoip'] : {};
  const country = geoip['countryCode'];
  return typeof country === 'string' && /^[A-Z]{2}$/.test(country) ? country : undefined;
}

/**
 * `verifiedByConnection`: the event's connection is one whose phone_verified Auth0 itself sets,
 * for events that carry no identities (the custom-phone-provider trigger's user).
 */
export function userFacts(user: unknown, options: { verifiedByConnection?: boolean } = {}): UserFacts {
  const record = isRecord(user) ? user : {};
  const verifiedByPlatform = verifiedByAuth0(record['identities']) || (options.verifiedByConnection === true && record['identities'] === undefined);
  const verifiedPhone = record['phone_verified'] === true && verifiedByPlatform ? internationalDigits(record['phone_number']) : undefined;
  return {
    id: typeof record['user_id'] === 'string' ? record['user_id'] : undefined,
    appMetadata: isRecord(record['app_metadata']) ? record['app_metadata'] : {},
    ...(verifiedPhone === undefined ? {} : { verifiedPhone }),
  };
}

/**
 * phone_verified means something only where Auth0 itself verified the number: a passwordless SMS
 * or database identity. An enterprise or social identity provider asserts it, and any IdP could.
 * Events without identities (the Unified Phone Experience's) give profile evidence only through
 * their connection (userFacts' verifiedByConnection).
 */
function verifiedByAuth0(identities: unknown): boolean {
  if (!Array.isArray(identities) || identities.length > 50) return false;
  return identities.some((identity) => isRecord(identity) && (identity['provider'] === 'sms' || identity['provider'] === 'auth0'));
}

/**
 * An international number as `+` and its digits (`+44 (0)20 7946 0958` stays unmatched: only
 * spacing and punctuation are dropped), or undefined: a profile number that is not plainly
 * international is never taken as evidence.
 */
function internationalDigits(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const text = value.trim();
  const international = text.startsWith('00') ? `+${text.slice(2)}` : text;
  if (!/^\+[0-9 ()\-.]+$/.test(international) || international.includes('(0)')) return undefined;
  const digits = international.replace(/[^0-9]/g, '');
  return digits.length >= 7 && digits.length <= 15 ? `+${digits}` : undefined;
}

export function optionalText(value: unknown, max = 256): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}

/** A value for an error message: short strings quoted, anything else by its type only. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 20));
  return `<${value === null ? 'null' : typeof value}>`;
}

/**
 * The tenant id of an Action event, read before anything else and never throwing (a hostile
 * getter gives the default namespace, and the snapshot later names the problem).
 */
export function tenantIdOf(event: unknown): string {
  try {
    const tenant = isRecord(event) ? event['tenant'] : undefined;
    const id = isRecord(tenant) ? tenant['id'] : undefined;
    return typeof id === 'string' && id.length > 0 ? id : 'default';
  } catch {
    return 'default';
  }
}
