/** The send families, legitimate first, and the tenant each seed simulates. */
import type { SendFamily, SendWorld } from '../types';
import { intBetween, pickSome, streamFor } from '../common';
import { homeUsers } from './home-users';
import { highRiskResidents } from './high-risk-residents';
import { rareCountries } from './rare-countries';
import { marketingBurst } from './marketing-burst';
import { premiumBurst } from './premium-burst';
import { underFloorSpread } from './under-floor-spread';
import { servedCountries } from './served-countries';
import { voiceMobile } from './voice-mobile';
import { humanMimic } from './human-mimic';
import { unservedDistributed } from './unserved-distributed';
import { likelyFactorAbuse } from './likely-factor-abuse';

export const SEND_FAMILIES: readonly SendFamily[] = [
  homeUsers, highRiskResidents, rareCountries, marketingBurst,
  premiumBurst, underFloorSpread, servedCountries, voiceMobile, humanMimic, unservedDistributed, likelyFactorAbuse,
];

/** Home markets a simulated tenant may serve (none in the high-risk tier). */
export const HOME_MARKETS = ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'CA', 'AU', 'BR', 'MX', 'SE', 'PL', 'JP', 'IN'] as const;

/**
 * The tenant of a seed: 2 – 6 home markets, a start date in November 2026, 24 – 27 clean hours
 * before the attacks (the detector's learning period is 24 one-hour windows), 10 hours of attack time.
 */
export function sendWorld(seed: number, scale: number): SendWorld {
  const random = streamFor(seed, 'send-world');
  const served = pickSome(random, HOME_MARKETS, intBetween(random, 2, 6));
  const attackFromHour = intBetween(random, 24, 27);
  return { seed, start: Date.UTC(2026, 10, 2 + random.int(20)), hours: attackFromHour + 10, attackFromHour, served, scale };
}
