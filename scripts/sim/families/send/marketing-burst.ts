/**
 * Legitimate family `marketing-burst`: a campaign in one served country brings a burst of new
 * users who enrol within an hour or two, many from phones behind carrier-grade NAT. It may land
 * in the attack hours.
 *
 * Parameter ranges:
 *   country      one served country
 *   startHour    20 – (attack start + 3)
 *   hours        0.5 – 2
 *   perHour      300 – 2500 sessions per hour (x scale), all new users
 *   conversion   0.85 – 0.97;  cgnatShare 0.1 – 0.4
 */
import type { SendFamily } from '../types';
import { HOUR, arrivals, intBetween, realBetween } from '../common';
import { peopleTraffic } from './legit-users';

export const marketingBurst: SendFamily = {
  name: 'marketing-burst',
  kind: 'legit',
  summary: 'a campaign: a burst of enrolments in one served country',
  generate(random, world) {
    const params = {
      country: random.pick(world.served), startHour: realBetween(random, 20, world.attackFromHour + 3), hours: realBetween(random, 0.5, 2),
      perHour: intBetween(random, 300, 2500), conversion: realBetween(random, 0.85, 0.97), cgnatShare: realBetween(random, 0.1, 0.4),
    };
    const from = world.start + params.startHour * HOUR;
    const sessions = arrivals(random, params.perHour * world.scale, from, from + params.hours * HOUR);
    const events = peopleTraffic(random, {
      family: this.name, sessions, countries: { [params.country]: 1 }, returnShare: 0, conversion: params.conversion, lateResend: 0.1,
      voiceShare: 0.02, natShare: 0.1, cgnatShare: params.cgnatShare, lowTrustShare: 0.03, highTrustShare: 0.1,
    });
    return { params, events };
  },
};
