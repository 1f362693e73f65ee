/**
 * The signup-new-domain rule: an e-mail domain nobody has signed up with before.
 *
 * Disposable services register fresh domains every day and use each in a burst before any list
 * knows it. The counter store remembers when a domain was first seen (hours since its first
 * sign-up) and how many sign-ups it had since. A domain younger than a day gives no evidence,
 * so its first handful of sign-ups get in with low trust, and more are stopped. Two kinds of real people meet the same pattern, and are let in
 * with low trust instead:
 * - colleagues of a new company signing up together: they come from one network (the office IP
 *   or subnet already used for this domain today), a farm's proxies do not;
 * - everyone, while the tenant's own history is shorter than a day (a fresh deployment sees every
 *   domain for the first time).
 * Public mail providers and the tenant's allowed domains are never counted (the caller skips them).
 */
import { isUnset, parseInteger } from '../config/parsers';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import type { RateCount, WindowCount } from '../engine/dynamic-types';
import type { SignupJudgement } from '../engine/signup-counters';

export const SIGNUP_NEW_DOMAIN_RULE = 'signup-new-domain';

/** Hours of history that make a domain (or the tenant) established. */
export const ESTABLISHED_HOURS = 24;

export interface NewDomainPolicy {
  /** Sign-ups a domain may have in its first day before it is stopped. */
  handful: number;
}

export interface NewDomainCounts {
  /** Hourly rate op of the domain: `windows` is its age in hours since first seen. */
  age: RateCount | undefined;
  /** Sign-ups of the domain in the current and previous day windows (all of a young domain's). */
  days: WindowCount | undefined;
  /** Sign-ups of the domain from this network today (this one included). */
  network: WindowCount | undefined;
  /** Hourly rate op of all sign-ups: `windows` is the tenant's history in hours. */
  tenantAge: RateCount | undefined;
}

export function judgeNewDomain(counts: NewDomainCounts, policy: NewDomainPolicy | undefined, domain: string): SignupJudgement {
  const none: SignupJudgement = { deny: undefined, lowTrust: [] };
  if (policy === undefined || counts.age === undefined || counts.days === undefined) return none;
  const ageHours = counts.age.windows;
  if (ageHours >= ESTABLISHED_HOURS) return none;
  const seen = counts.days.current + counts.days.previous;
  const firstSeen = `first seen ${ageHours < 1 ? 'this hour' : `${ageHours} h ago`}`;
  // Nothing is known of a domain in its first day: its first sign-ups get in, without standard trust.
  if (seen <= policy.handful) return { deny: undefined, lowTrust: [`${domain} is a domain ${firstSeen}, with no history here yet`] };
  const what = `${seen} sign-ups with ${domain}, a domain ${firstSeen} (more than ${policy.handful} in its first day)`;
  if ((counts.network?.current ?? 0) > 1) return { deny: undefined, lowTrust: [`${what}, from a network already used for it (colleagues)`] };
  if ((counts.tenantAge?.windows ?? 0) < ESTABLISHED_HOURS) return { deny: undefined, lowTrust: [`${what}, while the tenant's history is under a day`] };
  return { deny: { rule: SIGNUP_NEW_DOMAIN_RULE, effect: 'block', reason: what }, lowTrust: [] };
}

// Settings

export const SIGNUP_NEW_DOMAIN_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_SIGNUP_NEW_DOMAIN_LIMIT', actions: 'signup', group: 'sign-up', meaning: 'Sign-ups a never-seen e-mail domain may have in its first day before it is stopped (colleagues from one network get low trust instead); off to disable', default: '5', example: '10' },
];

const DEFAULT_HANDFUL = 5;

export function parseNewDomainSettings(secrets: Secrets, errors: ConfigErrors): NewDomainPolicy | undefined {
  const raw = secrets['GUARD_SIGNUP_NEW_DOMAIN_LIMIT'];
  if (!isUnset(raw) && raw.trim().toLowerCase() === 'off') return undefined;
  return { handful: errors.read(() => parseInteger('GUARD_SIGNUP_NEW_DOMAIN_LIMIT', raw, DEFAULT_HANDFUL, { min: 1, max: 100_000 }), DEFAULT_HANDFUL) };
}
