/**
 * Trust levels written by the Pre-User-Registration Action into app_metadata.tollguard and read
 * by the Send Phone Message Action: low-trust users get tighter limits and no voice until proofed.
 */
export type TrustTier = 'low' | 'standard' | 'high';

export const TRUST_METADATA_KEY = 'tollguard';

export function readTrustTier(appMetadata: Readonly<Record<string, unknown>>): TrustTier | undefined {
  const own = ownMetadata(appMetadata);
  const tier = own?.['trust'];
  return tier === 'low' || tier === 'standard' || tier === 'high' ? tier : undefined;
}

/** Identity proofing (an admin or an IDV integration sets app_metadata.tollguard.proofed = true). */
export function isProofed(appMetadata: Readonly<Record<string, unknown>>): boolean {
  return ownMetadata(appMetadata)?.['proofed'] === true;
}

export function ownMetadata(appMetadata: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const own = appMetadata[TRUST_METADATA_KEY];
  return typeof own === 'object' && own !== null && !Array.isArray(own) ? (own as Record<string, unknown>) : undefined;
}

/** What the registration learned, and the tier it earns. */
export interface SignupEvidence {
  captcha: 'pass' | 'marginal' | 'missing' | 'error' | 'not-configured';
  captchaScore: number | undefined;
  signupCountryHighRisk: boolean;
  phoneChecked: boolean;
  /** Reasons from the other sign-up rules to create the account with low trust (shared IP, surge, young domain...). */
  lowTrustReasons?: readonly string[];
}

/**
 * low: no CAPTCHA evidence where one was expected, a marginal score, a sign-up from a
 * high-risk country, or any other rule's low-trust reason; high: a confident CAPTCHA score (>= 0.9); standard otherwise.
 */
export function trustTierFor(evidence: SignupEvidence): TrustTier {
  if (evidence.captcha === 'missing' || evidence.captcha === 'error' || evidence.captcha === 'marginal') return 'low';
  if (evidence.signupCountryHighRisk) return 'low';
  if ((evidence.lowTrustReasons?.length ?? 0) > 0) return 'low';
  if (evidence.captcha === 'pass' && evidence.captchaScore !== undefined && evidence.captchaScore >= 0.9) return 'high';
  return 'standard';
}
