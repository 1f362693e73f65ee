/**
 * Legitimate family `high-risk-residents`: real users whose phones are in countries of the default
 * high-risk tier (expatriates, customers abroad, a market the tenant grows into). Under the
 * default tier these are refused: the family shows that cost instead of hiding it.
 *
 * Parameter ranges:
 *   countries    2 – 5 of PH, UA, VN, EG, NG, KE, ID, PK, BD, MA, GH, AE, SA
 *   perHour      1 – 10 sessions per hour (x scale), flat
 *   returnShare  0.3 – 0.8;  conversion 0.7 – 0.95 (SMS delivery is worse there)
 *   voiceShare   0 – 0.1;  cgnatShare 0.1 – 0.4 (mobile-first markets)
 */
import type { SendFamily } from '../types';
import { HOUR, arrivals, intBetween, pickSome, realBetween } from '../common';
import { peopleTraffic } from './legit-users';

export const HIGH_RISK_HOMES = ['PH', 'UA', 'VN', 'EG', 'NG', 'KE', 'ID', 'PK', 'BD', 'MA', 'GH', 'AE', 'SA'] as const;

export const highRiskResidents: SendFamily = {
  name: 'high-risk-residents',
  kind: 'legit',
  summary: 'real users with phones in high-risk-tier countries',
  generate(random, world) {
    const countries = pickSome(random, HIGH_RISK_HOMES, intBetween(random, 2, 5));
    const params = {
      countries, perHour: intBetween(random, 1, 10), returnShare: realBetween(random, 0.3, 0.8), conversion: realBetween(random, 0.7, 0.95),
      voiceShare: realBetween(random, 0, 0.1), cgnatShare: realBetween(random, 0.1, 0.4),
    };
    const sessions = arrivals(random, params.perHour * world.scale, world.start, world.start + world.hours * HOUR);
    const events = peopleTraffic(random, {
      family: this.name, sessions, countries: Object.fromEntries(countries.map((country) => [country, 1])), returnShare: params.returnShare,
      conversion: params.conversion, lateResend: 0.1, voiceShare: params.voiceShare, natShare: 0.1, cgnatShare: params.cgnatShare, lowTrustShare: 0.05, highTrustShare: 0.1,
    });
    return { params, events };
  },
};
