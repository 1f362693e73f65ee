/**
 * Attack family `under-floor-spread`: an attacker who read the pumping rule keeps every range
 * under its floor (8 new numbers per range per hour window) and spreads over many adjacent ranges,
 * in one to three countries (served ones included), from proxies in those countries, with a
 * human-looking resend now and then (resends are not new conversations).
 *
 * Parameter ranges:
 *   countries      1 – 3, each served (probability 0.5) or from LV, LT, EE, AT, RO, TH, MY, PT, CZ, HU
 *   rangesPer      5 – 40 adjacent ranges per country
 *   perRangeHour   2 – 8 new numbers per range per hour (x scale on the total)
 *   hours          2 – 6;  resends 0 – 2 per number
 *   ips            200 – 5000 in-country proxy addresses;  trust standard (a CAPTCHA farm signed them up)
 */
import type { SendFamily } from '../types';
import { adjacentRanges, intBetween, realBetween, spreadPool } from '../common';
import { attackWave, waveTimes } from './attacker';

const ELSEWHERE = ['LV', 'LT', 'EE', 'AT', 'RO', 'TH', 'MY', 'PT', 'CZ', 'HU'] as const;

export const underFloorSpread: SendFamily = {
  name: 'under-floor-spread',
  kind: 'attack',
  summary: 'many adjacent ranges, each kept under the pumping floor, from in-country proxies',
  generate(random, world) {
    const count = intBetween(random, 1, 3);
    const countries = Array.from({ length: count }, () => (random.next() < 0.5 ? random.pick(world.served) : random.pick(ELSEWHERE)));
    const rangesPer = intBetween(random, 5, 40);
    const ranges = countries.flatMap((country) => adjacentRanges(random, country, rangesPer));
    const params = {
      countries, rangesPer, perRangeHour: realBetween(random, 2, 8), hours: realBetween(random, 2, 6), resends: intBetween(random, 0, 2),
      ips: intBetween(random, 200, 5000),
    };
    const ips = spreadPool(random, params.ips);
    const events = waveTimes(world.start, world.attackFromHour, 1, params.hours, 0).flatMap((time, wave) =>
      attackWave(random, {
        family: this.name, wave, ...time, perHour: params.perRangeHour * ranges.length * world.scale, ranges, order: 'round-robin', voiceShare: 0,
        resends: params.resends, accounts: 'fresh', trust: 'standard', ips, inCountry: true, requestCountry: 'US',
      }),
    );
    return { params, events };
  },
};
