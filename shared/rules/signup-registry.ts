/**
 * The one ordered list of the sign-up's offline rules (the phone rules are in ./registry.ts). Each
 * rule lives in its own module; the sign-up engine (shared/engine/signup-rules.ts) runs this list.
 */
import { isDisposableDomain } from '../email/disposable';
import { EMAIL_RULE, checkEmail } from '../email/email-rule';
import type { SignupRule } from '../engine/signup-rules';
import { NETWORK_ZONE_RULE, checkIpZones } from './network-zones';
import { SIGNUP_COUNTRY_RULE, checkSignupCountry } from './signup-country';

/**
 * The sign-up rules that need no network: the e-mail address, the network zones and the sign-up
 * country. The phone number given at sign-up meets STATIC_RULES; the CAPTCHA and sign-up velocity
 * follow, concurrently, in the registration handler (they need the provider and the store).
 */
export const SIGNUP_RULES: readonly SignupRule[] = [
  {
    name: EMAIL_RULE,
    check: ({ email }, policies) =>
      email === undefined ? undefined : email.ok ? checkEmail(email.email, policies.email, isDisposableDomain) : { rule: EMAIL_RULE, effect: 'block', reason: email.reason },
  },
  { name: NETWORK_ZONE_RULE, check: ({ ip }, policies) => checkIpZones(ip, policies.network) },
  { name: SIGNUP_COUNTRY_RULE, check: ({ requestCountry }, policies) => checkSignupCountry(requestCountry, policies.signupCountry) },
];
