/**
 * The vocabulary of the adversarial evaluation (`npm run simulate -- --families`): a family is a
 * generator with documented parameter ranges; a seed picks one point in those ranges and the
 * generator turns it into timed events. The same events go through the built Actions and through
 * the baselines (scripts/sim/baselines.ts).
 */
import type { Random } from '../random';

/** A parameter value as reported for the worst seed. */
export type ParamValue = number | string | boolean | readonly string[];
export type Params = Record<string, ParamValue>;

/** One OTP request, as the send Action would see it. */
export interface SendEvent {
  at: number;
  family: string;
  legit: boolean;
  /** Attack families: which wave of the family (containment is measured per wave). Legit: 0. */
  wave: number;
  channel: 'sms' | 'voice';
  recipient: string;
  /** Destination country (ISO alpha-2) of the recipient, known by construction. */
  country: string;
  userId: string;
  ip: string;
  requestCountry: string;
  appMetadata: Record<string, unknown>;
  enrollment: boolean;
  /**
   * An otp_verify to a number the account never enrolled: a Unified Phone Experience flow that
   * verifies a number not yet on the profile reads like an MFA challenge. The legacy trigger has no
   * such flow: there the attacker can only enrol the number.
   */
  unconfirmedChallenge?: boolean;
  /** The person enters this OTP's code this long after it is sent (if it is delivered); never for pumped numbers. */
  verifyDelayMs?: number;
}

/** The tenant a seed simulates for the send families. */
export interface SendWorld {
  seed: number;
  start: number;
  /** Total simulated hours; the first `attackFromHour` are clean history the detector learns from. */
  hours: number;
  attackFromHour: number;
  /** Countries the tenant serves (its home markets). */
  served: readonly string[];
  /** Multiplies every rate (1 for the default run, lower for --quick). */
  scale: number;
}

export interface FamilyTraffic<E> {
  params: Params;
  events: E[];
}

export interface SendFamily {
  name: string;
  kind: 'legit' | 'attack';
  summary: string;
  generate(random: Random, world: SendWorld): FamilyTraffic<SendEvent>;
}

export type TokenKind =
  | { kind: 'valid'; score: number; hostname: string }
  | { kind: 'missing' }
  | { kind: 'invalid' };

/** One sign-up, as the Pre-User-Registration Action would see it. */
export interface SignupEvent {
  at: number;
  family: string;
  legit: boolean;
  wave: number;
  email: string;
  ip: string;
  /** geoip country of the request. */
  country: string;
  /** The phone number entered at sign-up, if any (E.164). */
  phone?: string;
  token: TokenKind;
}

export interface SignupWorld {
  seed: number;
  start: number;
  hours: number;
  /** The tenant's own e-mail domain (protected from look-alikes, allowed). */
  tenantDomain: string;
  /** The host name CAPTCHA tokens are issued for on the tenant's login page. */
  loginHost: string;
  scale: number;
}

export interface SignupFamily {
  name: string;
  kind: 'people' | 'bots';
  summary: string;
  generate(random: Random, world: SignupWorld): FamilyTraffic<SignupEvent>;
}
