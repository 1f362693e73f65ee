/**
 * Attack family `served-countries`: pumping spread over ordinary mobile ranges of several served
 * countries at once, where a whole-country block never applies and every range sees only a few
 * new numbers (random mobiles, not adjacent ranges).
 *
 * Parameter ranges:
 *   countries   2 – all served countries
 *   perHour     30 – 600 new numbers per hour (x scale)
 *   hours       2 – 6;  resends 0 – 2;  voiceShare 0 – 0.2
 *   ips         200 – 5000, in-country (probability 0.5) or worldwide;  trust low, standard or high
 */
import type { SendFamily } from '../types';
import { intBetween, pickSome, rangeOfNumber, realBetween, spreadPool, type Range } from '../common';
import { mobileNumber } from '../../numbers';
import { attackWave, waveTimes } from './attacker';

export const servedCountries: SendFamily = {
  name: 'served-countries',
  kind: 'attack',
  summary: 'ordinary mobile ranges of several served countries at once',
  generate(random, world) {
    const countries = pickSome(random, world.served, intBetween(random, Math.min(2, world.served.length), world.served.length));
    const ranges: Range[] = countries.flatMap((country) => Array.from({ length: 200 }, () => ({ prefix: rangeOfNumber(mobileNumber(country, random)), country })));
    const params = {
      countries, perHour: intBetween(random, 30, 600), hours: realBetween(random, 2, 6), resends: intBetween(random, 0, 2), voiceShare: realBetween(random, 0, 0.2),
      ips: intBetween(random, 200, 5000), inCountry: random.next() < 0.5, trust: random.pick(['low', 'standard', 'high'] as const),
    };
    const ips = spreadPool(random, params.ips);
    const events = waveTimes(world.start, world.attackFromHour, 1, params.hours, 0).flatMap((time, wave) =>
      attackWave(random, {
        family: this.name, wave, ...time, perHour: params.perHour * world.scale, ranges, order: 'random', voiceShare: params.voiceShare,
        resends: params.resends, accounts: 'fresh', trust: params.trust, ips, inCountry: params.inCountry, requestCountry: 'US',
      }),
    );
    return { params, events };
  },
};
