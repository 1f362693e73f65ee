/**
 * Trust levels written by the Pre-User-Registration Action into app_metadata.tollguard and read
 * by the Send Phone Message Action: low-trust users get tighter limits and no voice until proofed.
 */
export type TrustTier = 'low' | 'standard' | 'high';

export const TRUST_METADATA_KEY = 'tollguard';

export function readTrustTier(appMetadata: Readonly<Record<string, unknown>>): TrustTier | undefined {
  const own = appMetadata[TRUST_METADATA_KEY];
  if (typeof own !== 'object' || own === null) return undefined;
  const tier = (own as Record<string, unknown>)['trust'];
  return tier === 'low' || tier === 'standard' || tier === 'high' ? tier : undefined;
}
