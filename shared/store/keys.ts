/**
 * Redis keys, built only from normalised values (E.164 digits, canonical IP text, ISO country
 * codes) under a configurable prefix. User ids are hashed: they are free text chosen by identity
 * providers, may be huge or contain newlines, and are personal data.
 */
import { createHash } from 'node:crypto';
import type { Channel } from '../engine/types';

export class GuardKeys {
  constructor(private readonly prefix: string) {}

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  streak(e164: string): string { return this.key('num', digits(e164), 'streak'); }
  numberWindow(e164: string): string { return this.key('num', digits(e164), 'w'); }
  user(userId: string): string { return this.key('user', hashed(userId)); }
  /** New numbers a user enrolled (per window). */
  userNumbers(userId: string): string { return this.key('user', hashed(userId), 'numbers'); }
  ip(canonicalIp: string): string { return this.key('ip', canonicalIp); }
  subnet(canonicalSubnet: string): string { return this.key('net', canonicalSubnet); }
  countryWindow(country: string): string { return this.key('cty', country, 'w'); }
  service(channel: Channel): string { return this.key('svc', channel, 'w'); }
  serviceLock(channel: Channel): string { return this.key('svc', channel, 'lock'); }
  tenantRate(): string { return this.key('svc', 'all', 'rate'); }
  /** The tenant's voice attempts alone, read by voice requests: what a voice flood adds to tenantRate. */
  tenantVoiceRate(): string { return this.key('svc', 'voice', 'rate'); }
  /**
   * New conversations per window on a prefix (a 10 000-number range or a 100 000-number block), per
   * channel. SMS keeps the name these keys had before voice got its own, so an upgrade keeps the
   * baselines a tenant learned.
   */
  rangeRate(prefix: string, channel: Channel): string { return channel === 'sms' ? this.key('rng', digits(prefix), 'rate') : this.key('rng', digits(prefix), channel, 'rate'); }
  /** A block on a prefix of any length (both channels): the pumping rule's and the monitor's. */
  rangeBlock(prefix: string): string { return this.key('rng', digits(prefix), 'block'); }
  countryRate(country: string, channel: Channel): string { return channel === 'sms' ? this.key('cty', country, 'rate') : this.key('cty', country, channel, 'rate'); }
  /** A whole country blocked for one channel (a voice surge must not silence its SMS). */
  countryBlock(country: string, channel: Channel): string { return this.key('cty', country, channel, 'block'); }
  /** New conversations per window to a country requested from another country, per channel (conversion.ts foreignSurge). */
  foreignRate(country: string, channel: Channel): string { return this.key('cty', country, channel, 'abroad'); }
  lookup(e164: string): string { return this.key('lookup', digits(e164)); }
  /** A number proven real (a verified OTP): its value is the userTag of the user it was proven for. */
  proof(e164: string): string { return this.key('num', digits(e164), 'proof'); }
  /** OTPs sent to a number, per hour (a verification claimed for a number never sent proves nothing). */
  sent(e164: string): string { return this.key('num', digits(e164), 'sent'); }
  /** An enrolment OTP sent to this number for this user (a later challenge to it proves the enrolment was verified). */
  enrolment(e164: string, userId: string): string { return this.key('num', digits(e164), 'enrol', hashed(userId)); }
  /** Numbers a user's likely-factor challenges proved (shared/engine/types.ts RecipientKind), per 90 days. */
  userLikelyFactors(userId: string): string { return this.key('user', hashed(userId), 'likely'); }
  /** Likely factors trusted in a country per GUARD_LIKELY_FACTORS window (their budget). */
  countryLikelyGrants(country: string): string { return this.key('cty', country, 'likely'); }
  /** Likely factors trusted in all countries per GUARD_LIKELY_FACTORS_TOTAL window. */
  tenantLikelyGrants(): string { return this.key('likely', 'all'); }
  /** The number on trial in a tier country not served yet, per channel (shared/rules/served-country.ts). */
  countryTrial(country: string, channel: Channel): string { return this.key('cty', country, channel, 'trial'); }
  /** Numbers admitted on trial in all countries per GUARD_SERVED_TRIALS window. */
  tenantTrials(): string { return this.key('trial', 'all'); }
  /** Numbers proven in a country per 30 days: the evidence that the tenant serves it. */
  countryProofs(country: string): string { return this.key('cty', country, 'proofs'); }
  /** Of those, the numbers proven by a code that came by call: the evidence that the tenant's users there take calls. */
  countryVoiceProofs(country: string): string { return this.key('cty', country, 'voice', 'proofs'); }
  /** Numbers proven in a range per day (conversion feedback). */
  rangeProofs(range: string): string { return this.key('rng', digits(range), 'proofs'); }
  /** OTPs sent, refused after counting, and verified, per destination country and channel (shared/feedback/conversion-counts.ts). */
  conversion(country: string, channel: Channel, what: 'sent' | 'refused' | 'verified' | 'tried' | 'dom', span: 'h' | 'd' | 'f'): string { return this.key('cty', country, channel, 'conv', what, span); }
  /** Until when a conversion collapse holds a country and channel closed to unproven numbers. */
  conversionHold(country: string, channel: Channel): string { return this.key('cty', country, channel, 'conv', 'hold'); }
  /** Retry tokens of one notification the guard asked the provider to retry. */
  retryTokens(notificationId: string): string { return this.key('retry', hashed(notificationId)); }
}

/** What a proof key holds: the user a number was proven for, hashed (user ids are personal data). */
export function userTag(userId: string): string {
  return hashed(`user\u0000${userId}`);
}

/** What a trial key holds to name its number: the number, hashed like a user (no digits in values). */
export function numberTag(e164: string): string {
  return hashed(`num\u0000${e164}`);
}

/** The key prefix for one tenant: the configured prefix plus the tenant, normalised. */
export function tenantKeyPrefix(configured: string, tenantId: unknown): string {
  const tenant = typeof tenantId === 'string' && tenantId.length > 0 ? tenantId : 'default';
  const safe = /^[A-Za-z0-9_-]{1,64}$/.test(tenant) ? tenant : hashed(tenant);
  return `${configured}:${safe}`;
}

function digits(e164: string): string {
  return e164.replace(/\D/g, '');
}

function domainPart(asciiDomain: string): string {
  return asciiDomain.length <= 100 ? asciiDomain : hashed(asciiDomain);
}

function hashed(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}

/** Keys of the Pre-User-Registration Action's sign-up counters. */
export class SignupKeys {
  constructor(private readonly prefix: string) {}

  private key(...parts: string[]): string {
    return [this.prefix, 'signup', ...parts].join(':');
  }

  ip(canonicalIp: string): string { return this.key('ip', canonicalIp); }
  subnet(canonicalSubnet: string): string { return this.key('net', canonicalSubnet); }
  domain(asciiDomain: string): string { return this.key('dom', domainPart(asciiDomain)); }
  /** Sign-ups of a domain per day (all of a young domain's sign-ups are in two windows). */
  domainDay(asciiDomain: string): string { return this.key('dom', domainPart(asciiDomain), 'day'); }
  /** An hourly rate of the domain, kept for its age: hours since its first sign-up. */
  domainAge(asciiDomain: string): string { return this.key('dom', domainPart(asciiDomain), 'age'); }
  /** Sign-ups of a domain from one network per day: colleagues in one office share it. */
  domainNetwork(asciiDomain: string, canonicalSubnet: string): string { return this.key('dom', domainPart(asciiDomain), 'net', hashed(canonicalSubnet)); }
  /** One mailbox as its provider sees it (hashed: it is personal data). */
  mailbox(canonical: string): string { return this.key('box', hashed(canonical)); }
  /** Admitted sign-ups tenant-wide (counted after the decision, only for those let in). */
  tenant(): string { return this.key('all'); }
  /** An hourly rate of all sign-ups, kept for the tenant's age (young domains are refused once it has a day). */
  tenantAge(): string { return this.key('all', 'age'); }
  surgeRate(country: string): string { return this.key('surge', country, 'rate'); }
  surgeUntil(country: string): string { return this.key('surge', country, 'until'); }
}
