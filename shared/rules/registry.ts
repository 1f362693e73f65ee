/**
 * The one ordered list of tollguard's rules. Each rule lives in its own module under shared/rules
 * (its name, its check, and the facts or counters it reads); the engines in shared/engine run the
 * lists they are given and import no rule. Order matters: the number lists run first, because an
 * allow-listed number skips the other number rules; cheap static rules run before any store call.
 * The phone message's static rules and its dynamic rules (on the counter store) are here; the
 * sign-up's offline rules are in ./signup-registry.ts, so the phone bundles do not carry the e-mail
 * rules and their disposable-domain list.
 */
import type { DynamicRule } from '../engine/dynamic-rules';
import type { StaticRule } from '../engine/static-rules';
import { CONVERSION_RULE, checkConversion } from './conversion';
import { COUNTRY_VELOCITY_RULE, checkCountryVelocity } from './country-velocity';
import { GEO_RULE, checkGeo } from './geo';
import { IP_VELOCITY_RULE, checkIpVelocity } from './ip-velocity';
import { LINE_TYPE_RULE, checkLineType } from './line-type';
import { NETWORK_ZONE_RULE, checkNetworkZones } from './network-zones';
import { NUMBER_LIST_RULE, checkNumberLists } from './number-lists';
import { NUMBER_VELOCITY_RULE, checkNumberVelocity } from './number-velocity';
import { PREFIX_ANOMALY_RULE, checkPrefixAnomaly } from './prefix-anomaly';
import { SERVED_COUNTRY_RULE, checkServedCountry } from './served-country';
import { SERVICE_CAP_RULE, checkServiceCap } from './service-cap';
import { USER_VELOCITY_RULE, checkUserVelocity } from './user-velocity';
import { VOICE_ACCESS_RULE, checkVoiceAccess } from './voice-access';

export const STATIC_RULES: readonly StaticRule[] = [
  { name: NUMBER_LIST_RULE, scope: 'trusting', check: checkNumberLists },
  { name: LINE_TYPE_RULE, scope: 'number', check: checkLineType },
  { name: GEO_RULE, scope: 'number', check: checkGeo },
  { name: NETWORK_ZONE_RULE, scope: 'request', check: checkNetworkZones },
  { name: VOICE_ACCESS_RULE, scope: 'request', check: checkVoiceAccess },
];

export const DYNAMIC_RULES: readonly DynamicRule[] = [
  { name: NUMBER_VELOCITY_RULE, reads: ['number', 'streak', 'proof', 'enrolmentSeen', 'likelyFactors', 'likelyGrantsLeft'], check: checkNumberVelocity },
  { name: USER_VELOCITY_RULE, reads: ['user', 'userNumbers'], check: checkUserVelocity },
  { name: IP_VELOCITY_RULE, reads: ['ip', 'subnet'], check: checkIpVelocity },
  { name: COUNTRY_VELOCITY_RULE, reads: ['country'], check: checkCountryVelocity },
  { name: SERVICE_CAP_RULE, reads: ['service', 'serviceLockUntil'], check: checkServiceCap },
  { name: PREFIX_ANOMALY_RULE, reads: ['range', 'rangeBlockedUntil', 'block', 'blockBlockedUntil', 'countryRate', 'tenantRate', 'tenantVoiceRate', 'countryBlockedUntil', 'conversion', 'proof', 'enrolmentSeen', 'likelyFactors', 'likelyGrantsLeft'], check: checkPrefixAnomaly },
  { name: CONVERSION_RULE, reads: ['conversion', 'countryRate', 'foreignRate', 'proof', 'enrolmentSeen', 'likelyFactors', 'likelyGrantsLeft'], check: checkConversion },
  { name: SERVED_COUNTRY_RULE, reads: ['countryProofs', 'proof', 'enrolmentSeen', 'likelyFactors', 'likelyGrantsLeft', 'trial', 'trialsLeft'], check: checkServedCountry },
];

