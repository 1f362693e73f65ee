/**
 * Property names the Action bundles shorten (esbuild mangleProps). Auth0 counts an Action's code
 * against 100 kB, and esbuild keeps every property name whole: these internal ones (counters,
 * assessments, policies, facts) were about 4 kB of custom-phone-provider.
 *
 * A name belongs here only if it never leaves the bundle and never enters it: not a field of a
 * decision line, an alert, a stored value or app_metadata, not read from an event, a secret, a
 * provider's answer or a package's object, and never used as a string (a dynamic key such as the
 * rule registry's reads). Each bundle is mangled on its own, so a name must also never be shared
 * between bundles through a store. tests/build/mangled-props.test.ts checks the string and
 * declaration conditions against the sources; the bundle tests run the shortened bundles.
 */
export const MANGLED_PROPS: readonly string[] = [
  'alertErrors', 'alertWebhookUrl', 'allowOnlySecret', 'appMetadata', 'baseDelayMs', 'blockMs',
  'blockNonGeographic', 'blockedLineTypes', 'blockedUntil', 'callingCode', 'conversionCounted',
  'conversionOnAdmission', 'conversionOnRefusal', 'counters', 'countrySmsYesterday',
  'countsConversion', 'countsConversionOnAdmission', 'current', 'domesticHours',
  'domesticHoursOngoing', 'domesticOngoing', 'domesticRecent', 'failMode', 'firmStaticBlock',
  'foldFloor', 'foreignOngoing', 'freeAttempts', 'grantRetries', 'grantWindowMs', 'groupClaims',
  'holdUntil', 'hoursOngoing', 'keyPrefix', 'learningWindows', 'likelyFactor',
  'likelyFactorsTotal', 'lockoutMs', 'lookupError', 'maxDelayMs', 'maxPumpingRisk', 'messageType',
  'notificationId', 'opensNewNumber', 'peeksConversion', 'policy', 'previous', 'previousAt',
  'probeOneIn', 'rangeDropDigits', 'recentElapsedMs', 'recovered', 'refusedHours', 'refusedRecent',
  'resetMs', 'sentHours', 'sentRecent', 'servedBaseline', 'storeError', 'storeMs', 'storeProof',
  'storeRequests', 'tenantSmsYesterday', 'tenantYesterday', 'tierBlocked', 'totalWindowMs',
  'triedHours', 'triedRecent', 'trustedNetwork', 'trustedNumber', 'userLowTrust', 'verifiedHours',
  'verifiedPhone', 'verifyLocale', 'verifyServiceSid', 'voiceAccess', 'windowMs', 'windows',
  'yesterday',
];

/** The esbuild pattern: exactly these names. */
export const MANGLED_PROPS_PATTERN = new RegExp(`^(?:${MANGLED_PROPS.join('|')})$`);
