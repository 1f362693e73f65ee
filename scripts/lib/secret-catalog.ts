/**
 * Every Action secret tollguard reads, gathered in one catalogue: what it means, its default and an
 * example. The rules' own settings come from their modules (shared/rules/*). The table in
 * docs/secrets.md is printed from this list (`npx tsx scripts/secrets-table.ts --write`), and a
 * test checks that the code, this list and that table agree. Examples are placeholders, never
 * real credentials.
 */
import type { SecretDoc } from '../../shared/config/secret-doc';
import { COUNTRY_VELOCITY_SECRETS } from '../../shared/rules/country-velocity';
import { GEO_SECRETS } from '../../shared/rules/geo';
import { IP_VELOCITY_SECRETS } from '../../shared/rules/ip-velocity';
import { LINE_TYPE_SECRETS } from '../../shared/rules/line-type';
import { NETWORK_ZONE_SECRETS } from '../../shared/rules/network-zones';
import { NUMBER_LIST_SECRETS } from '../../shared/rules/number-lists';
import { NUMBER_VELOCITY_SECRETS } from '../../shared/rules/number-velocity';
import { PUMPING_SECRETS } from '../../shared/rules/prefix-anomaly';
import { SERVED_COUNTRY_SECRETS } from '../../shared/rules/served-country';
import { CONVERSION_SECRETS } from '../../shared/rules/conversion';
import { SERVICE_CAP_SECRETS } from '../../shared/rules/service-cap';
import { EMAIL_SECRETS } from '../../shared/email/email-rule';
import { SIGNUP_COUNTRY_SECRETS } from '../../shared/rules/signup-country';
import { SIGNUP_NEW_DOMAIN_SECRETS } from '../../shared/rules/signup-new-domain';
import { SIGNUP_SURGE_SECRETS } from '../../shared/rules/signup-surge';
import { SIGNUP_VELOCITY_SECRETS } from '../../shared/rules/signup-velocity';
import { LOOKUP_SECRETS } from '../../shared/rules/twilio-lookup';
import { USER_VELOCITY_SECRETS } from '../../shared/rules/user-velocity';
import { VOICE_ACCESS_SECRETS } from '../../shared/rules/voice-access';

export type { SecretDoc };

/** Each rule documents its own settings in its module; the other secrets are documented here. */
export const SECRET_CATALOG: readonly SecretDoc[] = [
  { name: 'TWILIO_ACCOUNT_SID', actions: 'send', group: 'credentials', meaning: 'Twilio account SID', default: 'required (unless TWILIO_DRY_RUN)', example: 'AC + 32 hex digits' },
  { name: 'TWILIO_AUTH_TOKEN', actions: 'send', group: 'credentials', meaning: 'Twilio auth token', default: 'required (unless TWILIO_DRY_RUN)', example: '(your token)' },
  { name: 'TWILIO_FROM_NUMBER', actions: 'send', group: 'credentials', meaning: 'Sender for SMS and caller ID for voice: E.164 number, short code or alphanumeric ID', default: 'one of the three senders is required', example: '+15005550006' },
  { name: 'TWILIO_MESSAGING_SERVICE_SID', actions: 'send', group: 'credentials', meaning: 'Send SMS through a Messaging Service instead of one number', default: 'unset', example: 'MG + 32 hex digits' },
  { name: 'TWILIO_VERIFY_SERVICE_SID', actions: 'send', group: 'credentials', meaning: "Deliver through Twilio Verify with Auth0's code as CustomCode (the service must allow custom codes)", default: 'unset', example: 'VA + 32 hex digits' },
  { name: 'UPSTASH_REDIS_REST_URL', actions: 'both', group: 'credentials', meaning: 'Upstash Redis REST URL; without it (and the token) counters live in the container only', default: 'unset (embedded store)', example: 'https://example-12345.upstash.io' },
  { name: 'UPSTASH_REDIS_REST_TOKEN', actions: 'both', group: 'credentials', meaning: 'Upstash Redis REST token (printable characters, no spaces or line breaks)', default: 'unset', example: '(your token)' },
  { name: 'GUARD_MODE', actions: 'both', group: 'mode', meaning: 'enforce: refuse; monitor: decide and log "would block" but deliver; off: deliver without checks', default: 'enforce', example: 'monitor' },
  { name: 'GUARD_SILENT_REFUSAL', actions: 'send', group: 'mode', meaning: 'send-phone-message only: true refuses silently (returns without sending, so Auth0 records no failure and a caller cannot tell which numbers pass; the line says refusal "silent"); false throws an Error, which Auth0 reports as a failed delivery. custom-phone-provider and the Okta hook always refuse silently', default: 'false', example: 'true' },
  { name: 'TWILIO_VOICE_FROM_NUMBER', actions: 'send', group: 'delivery', meaning: 'Caller ID for voice when it differs from TWILIO_FROM_NUMBER', default: 'TWILIO_FROM_NUMBER', example: '+15005550006' },
  { name: 'TWILIO_DRY_RUN', actions: 'send', group: 'delivery', meaning: 'Print what would be sent (code masked) instead of calling Twilio', default: 'false', example: 'true' },
  { name: 'TWILIO_TIMEOUT', actions: 'send', group: 'delivery', meaning: 'Hard timeout of each Twilio request (no retries)', default: '5s', example: '3s' },
  { name: 'TWILIO_SMS_VALIDITY_SECONDS', actions: 'send', group: 'delivery', meaning: "SMS ValidityPeriod: how long Twilio may queue an OTP", default: '600', example: '300' },
  { name: 'TWILIO_VOICE_LANGUAGE', actions: 'send', group: 'delivery', meaning: 'Language of the voice call (<Say language>)', default: 'en-US', example: 'fr-FR' },
  { name: 'TWILIO_VOICE_NAME', actions: 'send', group: 'delivery', meaning: 'Twilio text-to-speech voice', default: "Twilio's default", example: 'Polly.Joanna' },
  { name: 'TWILIO_VOICE_REPEAT', actions: 'send', group: 'delivery', meaning: 'How many times the call reads the code (1-5)', default: '3', example: '2' },
  { name: 'TWILIO_VERIFY_LOCALE', actions: 'send', group: 'delivery', meaning: 'Locale passed to Twilio Verify', default: "Verify's default", example: 'de' },
  { name: 'TWILIO_BASE_URL', actions: 'send', group: 'delivery', meaning: 'Override the Twilio API origin: a regional host https://api.<edge>.<region>.twilio.com (Verify and Lookup then use the matching verify. / lookups. hosts), or a proxy / local test server that serves all three (http only on loopback)', default: 'https://api.twilio.com etc.', example: 'https://api.dublin.ie1.twilio.com' },
  ...GEO_SECRETS,
  ...SERVED_COUNTRY_SECRETS,
  ...LINE_TYPE_SECRETS,
  ...NUMBER_LIST_SECRETS,
  ...NETWORK_ZONE_SECRETS,
  ...VOICE_ACCESS_SECRETS,
  ...NUMBER_VELOCITY_SECRETS,
  ...USER_VELOCITY_SECRETS,
  ...IP_VELOCITY_SECRETS,
  ...COUNTRY_VELOCITY_SECRETS,
  ...SERVICE_CAP_SECRETS,
  ...PUMPING_SECRETS,
  ...CONVERSION_SECRETS,
  ...LOOKUP_SECRETS,
  { name: 'GUARD_FAIL_MODE', actions: 'both', group: 'store and alerts', meaning: 'When the store is down or a rule fails: open (deliver, logged loudly) or closed (refuse)', default: 'open', example: 'closed' },
  { name: 'GUARD_STORE_TIMEOUT', actions: 'both', group: 'store and alerts', meaning: 'Hard timeout of each store request', default: '300ms', example: '150ms' },
  { name: 'GUARD_KEY_PREFIX', actions: 'both', group: 'store and alerts', meaning: 'Prefix of every Redis key (the tenant is added), so one database serves several tenants', default: 'tollguard', example: 'tg-prod' },
  { name: 'ALERT_WEBHOOK_URL', actions: 'send', group: 'store and alerts', meaning: 'Slack-style webhook called once per incident (cap tripped, range or country blocked); user-info is sent as Basic auth; redirects are not followed; a decision waits at most 200 ms for it', default: 'unset', example: 'https://hooks.example.com/services/PLACEHOLDER' },
  { name: 'OKTA_HOOK_AUTH_SECRET', actions: 'okta', group: 'credentials', meaning: 'Okta telephony hook server only (an environment variable, not an Action secret): the Authorization header value registered for the hook in Okta; requests without it get 401. The server reads every send secret from its environment too', default: 'required by the hook server', example: '(a random value of 32+ characters)' },
  { name: 'CAPTCHA_PROVIDER', actions: 'signup', group: 'captcha', meaning: 'recaptcha-v3, recaptcha-enterprise, hcaptcha, turnstile, or none', default: 'none', example: 'turnstile' },
  { name: 'CAPTCHA_SECRET', actions: 'signup', group: 'captcha', meaning: "The provider's secret key (the API key for reCAPTCHA Enterprise)", default: 'required with a provider', example: '(your secret)' },
  { name: 'CAPTCHA_SITE_KEY', actions: 'signup', group: 'captcha', meaning: 'Site key (required for reCAPTCHA Enterprise; sent to hCaptcha when set)', default: 'unset', example: '(your site key)' },
  { name: 'CAPTCHA_PROJECT_ID', actions: 'signup', group: 'captcha', meaning: 'Google Cloud project of reCAPTCHA Enterprise', default: 'unset', example: 'my-project' },
  { name: 'CAPTCHA_VERIFY_URL', actions: 'signup', group: 'captcha', meaning: "Override the provider's verify endpoint (a proxy or a local test server)", default: "the provider's documented URL", example: 'https://verify.example.com/siteverify' },
  { name: 'CAPTCHA_TIMEOUT', actions: 'signup', group: 'captcha', meaning: 'Hard timeout of the verify request', default: '2s', example: '1s' },
  { name: 'CAPTCHA_MIN_SCORE', actions: 'signup', group: 'captcha', meaning: 'Lowest human-likeness score, 0-1, for standard trust (hCaptcha risk scores are inverted): under it CAPTCHA_LOW_SCORE applies; a pass within 0.2 of it gives low trust', default: '0.5', example: '0.7' },
  { name: 'CAPTCHA_EXPECTED_HOSTNAMES', actions: 'signup', group: 'captcha', meaning: 'Hostnames the token must have been issued on', default: "the login's own host (event.request.hostname); not checked when the event names none", example: 'login.example.com' },
  { name: 'CAPTCHA_EXPECTED_ACTION', actions: 'signup', group: 'captcha', meaning: 'The action the token must carry, where the provider returns one', default: 'signup', example: 'register' },
  { name: 'CAPTCHA_TOKEN_FIELD', actions: 'signup', group: 'captcha', meaning: 'The ulp- field of the sign-up prompt that carries the token', default: 'ulp-captcha-token', example: 'ulp-turnstile' },
  { name: 'CAPTCHA_MISSING_TOKEN', actions: 'signup', group: 'captcha', meaning: 'No token (Dashboard / Management API sign-ups, old clients): deny, low-trust or allow', default: 'low-trust', example: 'deny' },
  { name: 'CAPTCHA_OPTIONAL_FOR', actions: 'signup', group: 'captcha', meaning: 'Connection names or client ids whose sign-ups need no token', default: 'none', example: 'Backoffice-Import' },
  { name: 'CAPTCHA_LOW_SCORE', actions: 'signup', group: 'captcha', meaning: 'A genuine token scored under CAPTCHA_MIN_SCORE: low-trust (let in, tighter OTP limits) or deny', default: 'low-trust', example: 'deny' },
  { name: 'CAPTCHA_FAIL_MODE', actions: 'signup', group: 'captcha', meaning: 'Provider down or slow: open, closed, or low-trust (let in with low trust)', default: 'low-trust', example: 'closed' },
  ...SIGNUP_COUNTRY_SECRETS,
  ...SIGNUP_VELOCITY_SECRETS,
  ...SIGNUP_NEW_DOMAIN_SECRETS,
  ...SIGNUP_SURGE_SECRETS,
  { name: 'GUARD_SIGNUP_DENY_MESSAGE', actions: 'signup', group: 'sign-up', meaning: 'The message refused users see (the built-in one is translated for en, fr, de, es, pt, it, nl)', default: 'built-in, translated', example: 'Sign-ups are paused.' },
  ...EMAIL_SECRETS,
];
