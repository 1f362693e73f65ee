/**
 * Attack family `premium-burst`: the classic pumping burst on a few adjacent ranges of an
 * expensive destination, fresh accounts, rotating addresses.
 *
 * Parameter ranges:
 *   country     one of LV, LT, EE, AT, RO, TH, MY, LK, NG, ID, PK, KH, GB
 *   ranges      1 – 4 adjacent 10 000-number ranges
 *   perHour     200 – 3000 new numbers per hour (x scale)
 *   hours       0.25 – 1.5 per wave;  waves 1 – 2, 1 – 3 h apart
 *   voiceShare  0 – 0.5;  resends 0 – 1 per number
 *   ips         500 – 5000 addresses worldwide;  trust low or standard
 */
import type { SendFamily } from '../types';
import { adjacentRanges, intBetween, realBetween, spreadPool } from '../common';
import { attackWave, waveTimes } from './attacker';

const TARGETS = ['LV', 'LT', 'EE', 'AT', 'RO', 'TH', 'MY', 'LK', 'NG', 'ID', 'PK', 'KH', 'GB'] as const;

export const premiumBurst: SendFamily = {
  name: 'premium-burst',
  kind: 'attack',
  summary: 'a burst on a few adjacent ranges of an expensive destination',
  generate(random, world) {
    const country = random.pick(TARGETS);
    const ranges = adjacentRanges(random, country, intBetween(random, 1, 4));
    const params = {
      country, ranges: ranges.map((range) => range.prefix), perHour: intBetween(random, 200, 3000), hours: realBetween(random, 0.25, 1.5),
      waves: intBetween(random, 1, 2), gapHours: realBetween(random, 1, 3), voiceShare: realBetween(random, 0, 0.5), resends: intBetween(random, 0, 1),
      ips: intBetween(random, 500, 5000), trust: random.pick(['low', 'standard'] as const),
    };
    const ips = spreadPool(random, params.ips);
    const events = waveTimes(world.start, world.attackFromHour, params.waves, params.hours, params.gapHours).flatMap((time, wave) =>
      attackWave(random, {
        family: this.name, wave, ...time, perHour: params.perHour * world.scale, ranges, order: 'random', voiceShare: params.voiceShare,
        resends: params.resends, accounts: 'fresh', trust: params.trust, ips, inCountry: false, requestCountry: 'US',
      }),
    );
    return { params, events };
  },
};
