/**
 * Legitimate family `rare-countries`: a trickle of users in countries the tenant does not serve
 * and that are not in the high-risk tier (a few customers abroad). Their countries are "barely
 * served", the profile a whole-country pumping block aims at.
 *
 * Parameter ranges:
 *   countries    3 – 8 of IS, CL, ZA, NZ, AR, MT, TH, MY, SG, PT, GR, IE, IL, CZ, HU, FI, LV, LT, EE
 *   perHour      1 – 6 sessions per hour (x scale), flat
 *   returnShare  0.3 – 0.8;  conversion 0.8 – 0.97;  voiceShare 0 – 0.15
 */
import type { SendFamily } from '../types';
import { HOUR, arrivals, intBetween, pickSome, realBetween } from '../common';
import { peopleTraffic } from './legit-users';

export const RARE_HOMES = ['IS', 'CL', 'ZA', 'NZ', 'AR', 'MT', 'TH', 'MY', 'SG', 'PT', 'GR', 'IE', 'IL', 'CZ', 'HU', 'FI', 'LV', 'LT', 'EE'] as const;

export const rareCountries: SendFamily = {
  name: 'rare-countries',
  kind: 'legit',
  summary: 'a trickle of users in unserved, ordinary-risk countries',
  generate(random, world) {
    const countries = pickSome(random, RARE_HOMES.filter((country) => !world.served.includes(country)), intBetween(random, 3, 8));
    const params = {
      countries, perHour: intBetween(random, 1, 6), returnShare: realBetween(random, 0.3, 0.8), conversion: realBetween(random, 0.8, 0.97),
      voiceShare: realBetween(random, 0, 0.15),
    };
    const sessions = arrivals(random, params.perHour * world.scale, world.start, world.start + world.hours * HOUR);
    const events = peopleTraffic(random, {
      family: this.name, sessions, countries: Object.fromEntries(countries.map((country) => [country, 1])), returnShare: params.returnShare,
      conversion: params.conversion, lateResend: 0.08, voiceShare: params.voiceShare, natShare: 0.1, cgnatShare: 0.05, lowTrustShare: 0.03, highTrustShare: 0.2,
    });
    return { params, events };
  },
};
