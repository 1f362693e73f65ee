/**
 * Attack family `unserved-distributed`: many countries the tenant does not serve, high-risk and
 * ordinary alike, random mobile ranges, a high rate for an hour or three.
 *
 * Parameter ranges:
 *   countries   4 – 12 of LV, LT, EE, AT, RO, TH, MY, KH, NG, PK, ID, LK, BD, PH, VN, EG, KE, SN, CZ, HU, PT, AR
 *   perHour     100 – 1500 new numbers per hour (x scale)
 *   hours       1 – 3;  voiceShare 0 – 0.3;  resends 0 – 1
 *   ips         1000 – 10000 worldwide;  trust low or standard
 */
import type { SendFamily } from '../types';
import { intBetween, pickSome, rangeOfNumber, realBetween, spreadPool, type Range } from '../common';
import { mobileNumber } from '../../numbers';
import { attackWave, waveTimes } from './attacker';

const POOL = ['LV', 'LT', 'EE', 'AT', 'RO', 'TH', 'MY', 'KH', 'NG', 'PK', 'ID', 'LK', 'BD', 'PH', 'VN', 'EG', 'KE', 'SN', 'CZ', 'HU', 'PT', 'AR'] as const;

export const unservedDistributed: SendFamily = {
  name: 'unserved-distributed',
  kind: 'attack',
  summary: 'many unserved countries at once, random ranges, high rate',
  generate(random, world) {
    const countries = pickSome(random, POOL.filter((country) => !world.served.includes(country)), intBetween(random, 4, 12));
    const ranges: Range[] = countries.flatMap((country) => Array.from({ length: 50 }, () => ({ prefix: rangeOfNumber(mobileNumber(country, random)), country })));
    const params = {
      countries, perHour: intBetween(random, 100, 1500), hours: realBetween(random, 1, 3), voiceShare: realBetween(random, 0, 0.3), resends: intBetween(random, 0, 1),
      ips: intBetween(random, 1000, 10000), trust: random.pick(['low', 'standard'] as const),
    };
    const ips = spreadPool(random, params.ips);
    const events = waveTimes(world.start, world.attackFromHour, 1, params.hours, 0).flatMap((time, wave) =>
      attackWave(random, {
        family: this.name, wave, ...time, perHour: params.perHour * world.scale, ranges, order: 'random', voiceShare: params.voiceShare,
        resends: params.resends, accounts: 'fresh', trust: params.trust, ips, inCountry: false, requestCountry: 'US',
      }),
    );
    return { params, events };
  },
};
