import type { NumberType } from 'libphonenumber-js/max';
import type { CidrRange, IpAddress } from '../net/ip';
import type { PhoneNumberFacts } from '../phone/e164';

export type Channel = 'sms' | 'voice';

/** Rule names of the guard's own failures, shared by both Actions. */
export const GUARD_ERROR_RULE = 'guard-error';
export const STORE_UNAVAILABLE_RULE = 'store-unavailable';
export type GuardMode = 'enforce' | 'monitor' | 'off';
export type OtpAction = 'enrollment' | 'second-factor-authentication' | 'unknown';

/** What one rule concluded. `trust` is an explicit allow-listing that exempts from later rules. */
export interface Finding {
  rule: string;
  effect: 'block' | 'trust';
  reason: string;
  /** A refusal by the shipped high-risk tier alone: evidence that the tenant serves the country lifts it (served-country rule). */
  liftable?: boolean;
}

export interface UserFacts {
  id: string | undefined;
  appMetadata: Readonly<Record<string, unknown>>;
  /** The profile's phone number when the platform marked it verified (phone_verified), as + and digits. */
  verifiedPhone?: string | undefined;
}

/**
 * - `confirmed-factor`: the platform sends this OTP only to a number its user confirmed with a
 *   code (a Send Phone Message or Okta challenge to an enrolled factor);
 * - `likely-factor`: a Unified Phone Experience otp_verify whose event reads as an MFA challenge
 *   (shared/auth0/phone-provider-event.ts isMfaChallenge), which the event cannot tell for certain
 *   from other flows that verify a new number: trusted for one number per user;
 * - `unconfirmed`: an enrolment, a passwordless or phone-identifier code, a notice.
 */
export type RecipientKind = 'confirmed-factor' | 'likely-factor' | 'unconfirmed';

/** Everything the static rules look at, gathered from the Auth0 event by the adapter. */
export interface SendFacts {
  now: number;
  channel: Channel;
  otpAction: OtpAction;
  /** What the trigger's adapter knows of the recipient (shared/auth0, shared/okta): see RecipientKind. */
  recipientIs: RecipientKind;
  number: PhoneNumberFacts;
  ip: IpAddress | undefined;
  requestCountry: string | undefined;
  user: UserFacts;
}

/** Why a country is blocked for a channel; shown in the log reason. */
export type CountryBlockSource = 'high-risk tier' | 'configured block list';

export interface GeoChannelPolicy {
  /** Allow-list mode when defined: only these countries may receive this channel. */
  allowOnly: ReadonlySet<string> | undefined;
  allowOnlySecret: string | undefined;
  blocked: ReadonlyMap<string, CountryBlockSource>;
  /** Numbers with no country (+800, +870, +881, +882, +883...) are refused unless allow-listed. */
  blockNonGeographic: boolean;
}

export interface VoiceAccessPolicy {
  /** `everyone`: no per-user gate; `allowed-users`: voice only for users marked or in a group. */
  mode: 'everyone' | 'allowed-users';
  /** app_metadata keys that hold group / role names (arrays of strings, or one string). */
  groupClaims: readonly string[];
  groups: ReadonlySet<string>;
}

export interface StaticPolicy {
  mode: GuardMode;
  blockedLineTypes: ReadonlySet<NumberType>;
  geo: Readonly<Record<Channel, GeoChannelPolicy>>;
  numbers: { allow: ReadonlySet<string>; block: ReadonlySet<string> };
  network: { allow: readonly CidrRange[]; block: readonly CidrRange[] };
  voiceAccess: VoiceAccessPolicy;
}

/** Which request countries may sign up (the sign-up country rule's settings). */
export interface SignupCountryPolicy {
  allowOnly: ReadonlySet<string> | undefined;
  blocked: ReadonlySet<string>;
  /** Refuse a request whose country geoip could not tell (only meaningful with an allow-list). */
  refuseUnknown: boolean;
}
