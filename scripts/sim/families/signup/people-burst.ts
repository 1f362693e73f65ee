/**
 * People family `people-burst`: a marketing campaign in one country: a burst of sign-ups within
 * an hour, most from phones (carrier-grade NAT or a carrier's IPv6), big and regional providers.
 *
 * Parameter ranges:
 *   country          one of the 25 people countries
 *   startHour        0.5 – 2;  hours 0.25 – 1
 *   perHour          150 – 1000 sign-ups per hour (x scale)
 *   cgnatShare       0.3 – 0.7;  ipv6SharedShare 0 – 0.2;  ipv6OwnShare 0 – 0.2
 *   phoneShare       0 – 0.6;  missingToken 0 – 0.03;  lowScoreShare 0 – 0.01
 *   fixed: offices 5 % (colleagues 3), IDN 0.5 %, households 5 %, plus tags 2 %, capitals 3 %, quoted 0.1 %
 */
import type { SignupFamily } from '../types';
import { HOUR, arrivals, intBetween, realBetween } from '../common';
import { PEOPLE_COUNTRIES, peopleSignups } from './people';

export const peopleBurst: SignupFamily = {
  name: 'people-burst',
  kind: 'people',
  summary: 'a marketing burst of sign-ups from one country, mostly behind CGNAT or a carrier IPv6 /64',
  generate(random, world) {
    const params = {
      country: random.pick(PEOPLE_COUNTRIES), startHour: realBetween(random, 0.5, 2), hours: realBetween(random, 0.25, 1), perHour: intBetween(random, 150, 1000),
      cgnatShare: realBetween(random, 0.3, 0.7), ipv6SharedShare: realBetween(random, 0, 0.2), ipv6OwnShare: realBetween(random, 0, 0.2),
      phoneShare: realBetween(random, 0, 0.6), missingToken: realBetween(random, 0, 0.03), lowScoreShare: realBetween(random, 0, 0.01),
    };
    const from = world.start + params.startHour * HOUR;
    const sessions = arrivals(random, params.perHour * world.scale, from, from + params.hours * HOUR);
    const events = peopleSignups(random, world, {
      family: this.name, sessions, countries: { [params.country]: 1 }, companyShare: 0.05, colleagues: 3, idnShare: 0.005, householdShare: 0.05,
      cgnatShare: params.cgnatShare, ipv6SharedShare: params.ipv6SharedShare, ipv6OwnShare: params.ipv6OwnShare,
      phoneShare: params.phoneShare, missingTokenShare: params.missingToken, lowScoreShare: params.lowScoreShare,
      plusShare: 0.02, mixedCaseShare: 0.03, quotedShare: 0.001,
    });
    return { params, events };
  },
};
