/**
 * People family `people-worldwide`: the tenant's ordinary sign-ups from 25 countries, with a day
 * curve.
 *
 * Parameter ranges:
 *   perHour          40 – 200 sign-ups per hour (x scale)
 *   weights          each of the 25 countries 1 – 10
 *   companyShare     0.05 – 0.3 from offices (a company domain first seen today, one office IP);
 *                    colleagues 2 – 8 per office on average
 *   idnShare         0.005 – 0.03 (half typed in Unicode, half in punycode)
 *   householdShare   0.02 – 0.15 (another sign-up from a home already seen)
 *   cgnatShare       0.05 – 0.3 (IPv4 carriers: 4 – 32 addresses in one /24, two per country)
 *   ipv6SharedShare  0.02 – 0.15 (IPv6 carriers with many subscribers in one /64, two per country)
 *   ipv6OwnShare     0.05 – 0.25 (a /64 of one's own)
 *   phoneShare       0 – 0.5 enter their local mobile number
 *   missingToken     0 – 0.05 (old app builds without the CAPTCHA)
 *   lowScoreShare    0 – 0.01 reCAPTCHA v3 score under 0.5
 *   plusShare        0 – 0.04;  mixedCaseShare 0 – 0.05;  quotedShare 0 – 0.003
 */
import type { SignupFamily } from '../types';
import { HOUR, diurnalArrivals, intBetween, realBetween } from '../common';
import { PEOPLE_COUNTRIES, peopleSignups } from './people';

export const peopleWorldwide: SignupFamily = {
  name: 'people-worldwide',
  kind: 'people',
  summary: 'ordinary sign-ups from 25 countries (regional providers, IDN, offices, households, CGNAT, IPv6, local numbers)',
  generate(random, world) {
    const weights = Object.fromEntries(PEOPLE_COUNTRIES.map((country) => [country, intBetween(random, 1, 10)]));
    const params = {
      perHour: intBetween(random, 40, 200), companyShare: realBetween(random, 0.05, 0.3), colleagues: intBetween(random, 2, 8), idnShare: realBetween(random, 0.005, 0.03),
      householdShare: realBetween(random, 0.02, 0.15), cgnatShare: realBetween(random, 0.05, 0.3), ipv6SharedShare: realBetween(random, 0.02, 0.15), ipv6OwnShare: realBetween(random, 0.05, 0.25),
      phoneShare: realBetween(random, 0, 0.5), missingToken: realBetween(random, 0, 0.05), lowScoreShare: realBetween(random, 0, 0.01),
      plusShare: realBetween(random, 0, 0.04), mixedCaseShare: realBetween(random, 0, 0.05), quotedShare: realBetween(random, 0, 0.003),
    };
    const sessions = diurnalArrivals(random, params.perHour * world.scale, world.start, world.start + world.hours * HOUR);
    const events = peopleSignups(random, world, {
      family: this.name, sessions, countries: weights, companyShare: params.companyShare, colleagues: params.colleagues, idnShare: params.idnShare,
      householdShare: params.householdShare, cgnatShare: params.cgnatShare, ipv6SharedShare: params.ipv6SharedShare, ipv6OwnShare: params.ipv6OwnShare,
      phoneShare: params.phoneShare, missingTokenShare: params.missingToken, lowScoreShare: params.lowScoreShare,
      plusShare: params.plusShare, mixedCaseShare: params.mixedCaseShare, quotedShare: params.quotedShare,
    });
    return { params, events };
  },
};
