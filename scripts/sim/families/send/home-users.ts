/**
 * Legitimate family `home-users`: the tenant's everyday logins in the countries it serves, all
 * simulated hours long, with a day curve.
 *
 * Parameter ranges (one draw per seed):
 *   perHour        30 – 140 sessions per hour on average (x scale)
 *   weights        each served country 1 – 10 (the first served country 3x)
 *   returnShare    0.40 – 0.85 of sessions are returning verified users
 *   conversion     0.80 – 0.97 of codes are entered in time
 *   lateResend     0.03 – 0.15 resend although the code arrives
 *   voiceShare     0 – 0.08 of users prefer voice
 *   natShare       0.05 – 0.25 behind a shared home / office NAT
 *   cgnatShare     0.02 – 0.15 behind a mobile carrier's CGNAT (one /24)
 *   lowTrust       0.01 – 0.06 of users low-trust; highTrust 0.1 – 0.4
 *   dayShift       -6 – +6 hours (where the tenant's users live)
 */
import type { SendFamily } from '../types';
import { HOUR, diurnalArrivals, intBetween, realBetween } from '../common';
import { peopleTraffic } from './legit-users';

export const homeUsers: SendFamily = {
  name: 'home-users',
  kind: 'legit',
  summary: 'everyday logins in the served countries (diurnal, returning users, resends, NAT, CGNAT)',
  generate(random, world) {
    const perHour = intBetween(random, 30, 140);
    const countries = Object.fromEntries(world.served.map((country, index) => [country, (index === 0 ? 3 : 1) * intBetween(random, 1, 10)]));
    const params = {
      perHour, countries: world.served, returnShare: realBetween(random, 0.4, 0.85), conversion: realBetween(random, 0.8, 0.97),
      lateResend: realBetween(random, 0.03, 0.15), voiceShare: realBetween(random, 0, 0.08), natShare: realBetween(random, 0.05, 0.25),
      cgnatShare: realBetween(random, 0.02, 0.15), lowTrust: realBetween(random, 0.01, 0.06), highTrust: realBetween(random, 0.1, 0.4), dayShift: intBetween(random, -6, 6),
    };
    const sessions = diurnalArrivals(random, perHour * world.scale, world.start, world.start + world.hours * HOUR, params.dayShift);
    const events = peopleTraffic(random, {
      family: this.name, sessions, countries, returnShare: params.returnShare, conversion: params.conversion, lateResend: params.lateResend,
      voiceShare: params.voiceShare, natShare: params.natShare, cgnatShare: params.cgnatShare, lowTrustShare: params.lowTrust, highTrustShare: params.highTrust,
    });
    return { params, events };
  },
};
