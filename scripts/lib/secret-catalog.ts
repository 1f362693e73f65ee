/**
 * Every Action secret tollguard reads: what it means, its default and an example. The README's
 * table is printed from this list (`npx tsx scripts/secrets-table.ts`), and a test checks that
 * the code, this list and the README agree. Examples are placeholders, never real credentials.
 */
export interface SecretDoc {
  name: string;
  group: 'credentials' | 'delivery' | 'mode' | 'static rules' | 'velocity' | 'pumping' | 'lookup' | 'store and alerts';
  meaning: string;
  default: string;
  example: string;
}

export const SECRET_CATALOG: readonly SecretDoc[] = [
  { name: 'TWILIO_ACCOUNT_SID', group: 'credentials', meaning: 'Twilio account SID', default: 'required (unless TWILIO_DRY_RUN)', example: 'AC + 32 hex digits' },
  { name: 'TWILIO_AUTH_TOKEN', group: 'credentials', meaning: 'Twilio auth token', default: 'required (unless TWILIO_DRY_RUN)', example: '(your token)' },
  { name: 'TWILIO_FROM_NUMBER', group: 'credentials', meaning: 'Sender for SMS and caller ID for voice: E.164 number, short code or alphanumeric ID', default: 'one of the three senders is required', example: '+15005550006' },
  { name: 'TWILIO_MESSAGING_SERVICE_SID', group: 'credentials', meaning: 'Send SMS through a Messaging Service instead of one number', default: 'unset', example: 'MG + 32 hex digits' },
  { name: 'TWILIO_VERIFY_SERVICE_SID', group: 'credentials', meaning: "Deliver through Twilio Verify with Auth0's code as CustomCode (the service must allow custom codes)", default: 'unset', example: 'VA + 32 hex digits' },
  { name: 'UPSTASH_REDIS_REST_URL', group: 'credentials', meaning: 'Upstash Redis REST URL; without it (and the token) counters live in the container only', default: 'unset (embedded store)', example: 'https://example-12345.upstash.io' },
  { name: 'UPSTASH_REDIS_REST_TOKEN', group: 'credentials', meaning: 'Upstash Redis REST token', default: 'unset', example: '(your token)' },
  { name: 'GUARD_MODE', group: 'mode', meaning: 'enforce: refuse; monitor: decide and log "would block" but deliver; off: deliver without checks', default: 'enforce', example: 'monitor' },
  { name: 'TWILIO_VOICE_FROM_NUMBER', group: 'delivery', meaning: 'Caller ID for voice when it differs from TWILIO_FROM_NUMBER', default: 'TWILIO_FROM_NUMBER', example: '+15005550006' },
  { name: 'TWILIO_DRY_RUN', group: 'delivery', meaning: 'Print what would be sent (code masked) instead of calling Twilio', default: 'false', example: 'true' },
  { name: 'TWILIO_TIMEOUT', group: 'delivery', meaning: 'Hard timeout of each Twilio request (no retries)', default: '5s', example: '3s' },
  { name: 'TWILIO_SMS_VALIDITY_SECONDS', group: 'delivery', meaning: "SMS ValidityPeriod: how long Twilio may queue an OTP", default: '600', example: '300' },
  { name: 'TWILIO_VOICE_LANGUAGE', group: 'delivery', meaning: 'Language of the voice call (<Say language>)', default: 'en-US', example: 'fr-FR' },
  { name: 'TWILIO_VOICE_NAME', group: 'delivery', meaning: 'Twilio text-to-speech voice', default: "Twilio's default", example: 'Polly.Joanna' },
  { name: 'TWILIO_VOICE_REPEAT', group: 'delivery', meaning: 'How many times the call reads the code (1-5)', default: '3', example: '2' },
  { name: 'TWILIO_VERIFY_LOCALE', group: 'delivery', meaning: 'Locale passed to Twilio Verify', default: "Verify's default", example: 'de' },
  { name: 'TWILIO_BASE_URL', group: 'delivery', meaning: 'Override the Twilio API origin (a regional edge, a proxy, or a local test server; http only on loopback)', default: 'https://api.twilio.com etc.', example: 'https://api.dublin.ie1.twilio.com' },
  { name: 'GUARD_HIGH_RISK_TIER', group: 'static rules', meaning: 'Refuse the shipped high-risk destination countries (SMS list; voice adds more)', default: 'on', example: 'off' },
  { name: 'GUARD_HIGH_RISK_EXCEPTIONS', group: 'static rules', meaning: 'Countries taken out of the high-risk tier (countries you serve)', default: 'none', example: 'PH, ID' },
  { name: 'GUARD_ALLOWED_COUNTRIES', group: 'static rules', meaning: 'Allow-list mode: only these destination countries (both channels); replaces the tier', default: 'unset (all but blocked)', example: 'US, CA, GB' },
  { name: 'GUARD_BLOCKED_COUNTRIES', group: 'static rules', meaning: 'Destination countries refused on both channels', default: 'none', example: 'RU, BY' },
  { name: 'GUARD_VOICE_ALLOWED_COUNTRIES', group: 'static rules', meaning: 'Allow-list for voice only', default: 'GUARD_ALLOWED_COUNTRIES', example: 'US' },
  { name: 'GUARD_VOICE_BLOCKED_COUNTRIES', group: 'static rules', meaning: 'Countries refused for voice only', default: 'none', example: 'LT, EE' },
  { name: 'GUARD_ALLOW_NON_GEOGRAPHIC', group: 'static rules', meaning: 'Allow numbers of no country (+800, +870, +881, +882, +883)', default: 'false', example: 'true' },
  { name: 'GUARD_BLOCKED_LINE_TYPES', group: 'static rules', meaning: 'libphonenumber line types refused, or none', default: 'PREMIUM_RATE, SHARED_COST, UAN, PAGER, VOICEMAIL, PERSONAL_NUMBER, TOLL_FREE', example: 'PREMIUM_RATE, VOIP' },
  { name: 'GUARD_ALLOWED_NUMBERS', group: 'static rules', meaning: 'E.164 numbers or prefixes exempt from the number rules (comma-separated)', default: 'none', example: '+15005550006, +4477009' },
  { name: 'GUARD_BLOCKED_NUMBERS', group: 'static rules', meaning: 'E.164 numbers or prefixes always refused (comma-separated)', default: 'none', example: '+3712612, +88' },
  { name: 'GUARD_ALLOWED_IPS', group: 'static rules', meaning: 'Trusted network zones (IPv4/IPv6 CIDR): exempt from per-IP limits', default: 'none', example: '203.0.113.0/24, 2001:db8::/32' },
  { name: 'GUARD_BLOCKED_IPS', group: 'static rules', meaning: 'Blocked network zones (IPv4/IPv6 CIDR)', default: 'none', example: '198.51.100.0/24' },
  { name: 'GUARD_VOICE_ACCESS', group: 'static rules', meaning: 'everyone, or allowed-users: voice only for users marked app_metadata.tollguard.voice=true or in a voice group', default: 'everyone', example: 'allowed-users' },
  { name: 'GUARD_VOICE_GROUPS', group: 'static rules', meaning: 'Group or role names that may use voice', default: 'voice-otp', example: 'voice-otp, support' },
  { name: 'GUARD_VOICE_GROUP_CLAIMS', group: 'static rules', meaning: 'app_metadata keys holding group / role names', default: 'groups, roles', example: 'authorization_groups' },
  { name: 'GUARD_LIMIT_NUMBER', group: 'velocity', meaning: 'Attempts per destination number (count/window, or off)', default: '10/1h', example: '5/1h' },
  { name: 'GUARD_RESEND_DELAY', group: 'velocity', meaning: 'Wait before the 3rd attempt of a burst to one number; doubles for each further attempt (or off)', default: '30s', example: '45s' },
  { name: 'GUARD_RESEND_MAX_DELAY', group: 'velocity', meaning: 'Longest resend wait; a burst ends after 1.5x this (at least 15 min) of silence', default: '10m', example: '30m' },
  { name: 'GUARD_LIMIT_USER', group: 'velocity', meaning: 'Attempts per user', default: '10/1h', example: '8/1h' },
  { name: 'GUARD_LIMIT_USER_LOW_TRUST', group: 'velocity', meaning: 'Attempts per user the registration Action marked low-trust', default: '4/1h', example: '3/1h' },
  { name: 'GUARD_LIMIT_IP', group: 'velocity', meaning: 'Attempts per client IP', default: '60/1h', example: '30/1h' },
  { name: 'GUARD_LIMIT_SUBNET', group: 'velocity', meaning: 'Attempts per client subnet (IPv4 /24, IPv6 /64)', default: '200/1h', example: '100/1h' },
  { name: 'GUARD_LIMIT_COUNTRY', group: 'velocity', meaning: 'Attempts per destination country (fixed ceiling)', default: 'off', example: '500/1h' },
  { name: 'GUARD_SERVICE_CAP_SMS', group: 'velocity', meaning: 'Tenant-wide SMS ceiling; when passed, SMS stops for the lock-out', default: '5000/1h', example: '2000/1h' },
  { name: 'GUARD_SERVICE_CAP_VOICE', group: 'velocity', meaning: 'Tenant-wide voice ceiling; when passed, voice stops for the lock-out', default: '500/1h', example: '100/1h' },
  { name: 'GUARD_SERVICE_CAP_LOCKOUT', group: 'velocity', meaning: 'How long a tripped service cap stops its channel', default: '24h', example: '6h' },
  { name: 'GUARD_PUMPING', group: 'pumping', meaning: 'Prefix pumping detection on or off', default: 'on', example: 'off' },
  { name: 'GUARD_PUMPING_WINDOW', group: 'pumping', meaning: 'Window over which new numbers per range / country are counted', default: '1h', example: '30m' },
  { name: 'GUARD_PUMPING_MEMORY', group: 'pumping', meaning: 'Windows of memory of the baseline (and of learning before a country counts as unserved)', default: '24', example: '48' },
  { name: 'GUARD_PUMPING_RANGE_FLOOR', group: 'pumping', meaning: 'New numbers per range per window that are never suspicious (halved in high-risk countries)', default: '8', example: '12' },
  { name: 'GUARD_PUMPING_COUNTRY_FLOOR', group: 'pumping', meaning: 'New numbers per window to a barely-served country that are never suspicious (quartered in high-risk countries)', default: '20', example: '50' },
  { name: 'GUARD_PUMPING_FACTOR', group: 'pumping', meaning: 'How many times its baseline a range may rise before it is blocked', default: '4', example: '6' },
  { name: 'GUARD_PUMPING_BLOCK', group: 'pumping', meaning: 'How long a suspicious range / country stays blocked (renewed while the rise lasts)', default: '12h', example: '2h' },
  { name: 'GUARD_LOOKUP', group: 'lookup', meaning: 'Twilio Lookup (paid): off, line-type, pumping-risk or both', default: 'off', example: 'both' },
  { name: 'GUARD_LOOKUP_BLOCKED_TYPES', group: 'lookup', meaning: 'Twilio line types refused', default: 'premium, sharedCost, tollFree, uan, pager, voicemail, personal', example: 'premium, nonFixedVoip' },
  { name: 'GUARD_LOOKUP_MAX_RISK', group: 'lookup', meaning: 'SMS pumping risk score (0-100) from which a number is refused', default: '80', example: '60' },
  { name: 'GUARD_LOOKUP_CACHE', group: 'lookup', meaning: 'How long a Lookup answer is reused', default: '30d', example: '7d' },
  { name: 'GUARD_FAIL_MODE', group: 'store and alerts', meaning: 'When the store is down or a rule fails: open (deliver, logged loudly) or closed (refuse)', default: 'open', example: 'closed' },
  { name: 'GUARD_STORE_TIMEOUT', group: 'store and alerts', meaning: 'Hard timeout of each store request', default: '300ms', example: '150ms' },
  { name: 'GUARD_KEY_PREFIX', group: 'store and alerts', meaning: 'Prefix of every Redis key (the tenant is added), so one database serves several tenants', default: 'tollguard', example: 'tg-prod' },
  { name: 'ALERT_WEBHOOK_URL', group: 'store and alerts', meaning: 'Slack-style webhook called once per incident (cap tripped, range or country blocked)', default: 'unset', example: 'https://hooks.example.com/services/PLACEHOLDER' },
];
