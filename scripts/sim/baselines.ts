/**
 * The baselines the families are compared with: small pure models of what a tenant has without
 * tollguard, run over the very events the built Actions see. Each returns, per event (in the
 * order given, which must be by time), whether it was refused.
 *
 * Send baselines:
 * - `none`: every OTP goes out.
 * - `auth0-builtin`: Auth0's own limit of 10 OTPs per user per sliding hour, plus an Okta-style
 *   tenant service cap: when more than `AUTH0_SERVICE_CAP.max` messages (SMS and voice together)
 *   were attempted in the current clock hour, everything is refused for `lockoutMs` (24 h).
 *   Refused attempts count, as they do at Auth0 (the counter is on requests).
 * - `static-geo`: the shipped high-risk tier as a static list (voice: the tier plus its voice
 *   extras), nothing else.
 * Sign-up baselines:
 * - `none`: every sign-up is created.
 * - `ip-throttle`: Auth0 Suspicious IP Throttling's sign-up stage, a token bucket per IP of
 *   `IP_THROTTLE.maxAttempts` refilled one every `IP_THROTTLE.rateMs` (the Management API's
 *   pre-user-registration stage fields; values as we understand Auth0's defaults, 50 and 1.2 s).
 * - `disposable-list`: the disposable-email-domains-js list alone (the domain or a parent, in
 *   any case, Unicode or punycode).
 */
import { disposableEmailBlocklistSet } from 'disposable-email-domains-js';
import { domainToASCII } from 'node:url';
import { SMS_HIGH_RISK_COUNTRIES, VOICE_EXTRA_HIGH_RISK_COUNTRIES } from '../../shared/data/high-risk-countries';

export interface SendLike {
  at: number;
  channel: 'sms' | 'voice';
  country: string;
  userId: string;
}

export interface SignupLike {
  at: number;
  ip: string;
  email: string;
}

export const SEND_BASELINES = ['none', 'auth0-builtin', 'static-geo'] as const;
export type SendBaseline = (typeof SEND_BASELINES)[number];
export const SIGNUP_BASELINES = ['none', 'ip-throttle', 'disposable-list'] as const;
export type SignupBaseline = (typeof SIGNUP_BASELINES)[number];

const HOUR = 3_600_000;
export interface Limit {
  max: number;
  windowMs: number;
}
export interface ServiceCap extends Limit {
  lockoutMs: number;
}
export interface TokenBucket {
  maxAttempts: number;
  rateMs: number;
}

export const AUTH0_USER_LIMIT: Limit = { max: 10, windowMs: HOUR };
export const AUTH0_SERVICE_CAP: ServiceCap = { max: 1000, windowMs: HOUR, lockoutMs: 24 * HOUR };
export const IP_THROTTLE: TokenBucket = { maxAttempts: 50, rateMs: 1200 };

export function runSendBaseline(name: SendBaseline, events: readonly SendLike[]): boolean[] {
  switch (name) {
    case 'none':
      return events.map(() => false);
    case 'auth0-builtin':
      return auth0Builtin(events);
    case 'static-geo':
      return staticGeo(events);
  }
}

export function runSignupBaseline(name: SignupBaseline, events: readonly SignupLike[]): boolean[] {
  switch (name) {
    case 'none':
      return events.map(() => false);
    case 'ip-throttle':
      return ipThrottle(events);
    case 'disposable-list':
      return disposableList(events);
  }
}

export function auth0Builtin(events: readonly SendLike[], userLimit: Limit = AUTH0_USER_LIMIT, cap: ServiceCap = AUTH0_SERVICE_CAP): boolean[] {
  const recent = new Map<string, number[]>();
  let capWindow = -1;
  let capCount = 0;
  let lockedUntil = -Infinity;
  return events.map((event) => {
    const window = Math.floor(event.at / cap.windowMs);
    if (window !== capWindow) {
      capWindow = window;
      capCount = 0;
    }
    capCount += 1;
    if (capCount > cap.max && lockedUntil <= event.at) lockedUntil = event.at + cap.lockoutMs;
    const mine = (recent.get(event.userId) ?? []).filter((at) => at > event.at - userLimit.windowMs);
    mine.push(event.at);
    recent.set(event.userId, mine);
    return event.at < lockedUntil || mine.length > userLimit.max;
  });
}

const SMS_TIER: ReadonlySet<string> = new Set(SMS_HIGH_RISK_COUNTRIES);
const VOICE_TIER: ReadonlySet<string> = new Set([...SMS_HIGH_RISK_COUNTRIES, ...VOICE_EXTRA_HIGH_RISK_COUNTRIES]);

export function staticGeo(events: readonly SendLike[]): boolean[] {
  return events.map((event) => (event.channel === 'voice' ? VOICE_TIER : SMS_TIER).has(event.country));
}

export function ipThrottle(events: readonly SignupLike[], throttle: TokenBucket = IP_THROTTLE): boolean[] {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return events.map((event) => {
    const bucket = buckets.get(event.ip) ?? { tokens: throttle.maxAttempts, at: event.at };
    bucket.tokens = Math.min(throttle.maxAttempts, bucket.tokens + (event.at - bucket.at) / throttle.rateMs);
    bucket.at = event.at;
    buckets.set(event.ip, bucket);
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  });
}

let disposable: ReadonlySet<string> | undefined;

export function disposableList(events: readonly SignupLike[]): boolean[] {
  disposable ??= disposableEmailBlocklistSet();
  const list = disposable;
  return events.map((event) => {
    // The domain follows the last @ (a quoted local part may hold one); punycode and capitals as the list writes them.
    const domain = domainToASCII(event.email.slice(event.email.lastIndexOf('@') + 1).toLowerCase());
    const labels = domain.split('.');
    return labels.some((_, index) => index < labels.length - 1 && list.has(labels.slice(index).join('.')));
  });
}
