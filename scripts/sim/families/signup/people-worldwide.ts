/**
 * People family `people-worldwide`: the tenant's ordinary sign-ups from 25 countries, with a day
 * curve.
 *
 * Parameter ranges:
 *   perHour          40 – 200 sign-ups per hour (x scale)
 *   weights          each of the 25 countries 1 – 10
 *   companyShare     0.05 – 0.3;  idnShare 0 – 0.03
 *   householdShare   0.02 – 0.15 (another sign-up from an address already seen)
 *   cgnatShare       0.05 – 0.3 (mobile carriers: 4 – 32 addresses in one /24, two per country)
 *   phoneShare       0 – 0.5 enter their local mobile number
 *   missingToken     0 – 0.05 (old app builds without the CAPTCHA)
 *   lowScoreShare    0 – 0.01 score under 0.5
 */
import type { SignupFamily } from '../types';
import { HOUR, diurnalArrivals, intBetween, realBetween } from '../common';
import { PEOPLE_COUNTRIES, peopleSignups } from './people';

export const peopleWorldwide: SignupFamily = {
  name: 'people-worldwide',
  kind: 'people',
  summary: 'ordinary sign-ups from 25 countries (regional providers, IDN, households, CGNAT, local numbers)',
  generate(random, world) {
    const weights = Object.fromEntries(PEOPLE_COUNTRIES.map((country) => [country, intBetween(random, 1, 10)]));
    const params = {
      perHour: intBetween(random, 40, 200), companyShare: realBetween(random, 0.05, 0.3), idnShare: realBetween(random, 0, 0.03),
      householdShare: realBetween(random, 0.02, 0.15), cgnatShare: realBetween(random, 0.05, 0.3), phoneShare: realBetween(random, 0, 0.5),
      missingToken: realBetween(random, 0, 0.05), lowScoreShare: realBetween(random, 0, 0.01),
    };
    const sessions = diurnalArrivals(random, params.perHour * world.scale, world.start, world.start + world.hours * HOUR);
    const events = peopleSignups(random, world, {
      family: this.name, sessions, countries: weights, companyShare: params.companyShare, idnShare: params.idnShare, householdShare: params.householdShare,
      cgnatShare: params.cgnatShare, phoneShare: params.phoneShare, missingTokenShare: params.missingToken, lowScoreShare: params.lowScoreShare,
    });
    return { params, events };
  },
};
