/**
 * Attack family `voice-mobile`: voice OTP calls into ordinary mobile ranges of served countries
 * (termination on mobiles is dear in much of Europe), from aged standard / high-trust accounts so
 * the low-trust voice ban does not apply.
 *
 * Parameter ranges:
 *   countries   1 – 3 served countries
 *   perHour     20 – 300 calls to new numbers per hour (x scale)
 *   hours       1 – 4;  waves 1 – 2, 1 – 2 h apart;  resends 0 – 2
 *   accounts    20 – 400 aged accounts taking turns;  trust standard or high
 *   ips         100 – 3000, in-country
 */
import type { SendFamily } from '../types';
import { intBetween, pickSome, rangeOfNumber, realBetween, spreadPool, type Range } from '../common';
import { mobileNumber } from '../../numbers';
import { attackWave, waveTimes } from './attacker';

export const voiceMobile: SendFamily = {
  name: 'voice-mobile',
  kind: 'attack',
  summary: 'voice calls into ordinary mobile ranges of served countries, aged accounts',
  generate(random, world) {
    const countries = pickSome(random, world.served, intBetween(random, 1, Math.min(3, world.served.length)));
    const ranges: Range[] = countries.flatMap((country) => Array.from({ length: 200 }, () => ({ prefix: rangeOfNumber(mobileNumber(country, random)), country })));
    const params = {
      countries, perHour: intBetween(random, 20, 300), hours: realBetween(random, 1, 4), waves: intBetween(random, 1, 2), gapHours: realBetween(random, 1, 2),
      resends: intBetween(random, 0, 2), accounts: intBetween(random, 20, 400), trust: random.pick(['standard', 'high'] as const), ips: intBetween(random, 100, 3000),
    };
    const ips = spreadPool(random, params.ips);
    const events = waveTimes(world.start, world.attackFromHour, params.waves, params.hours, params.gapHours).flatMap((time, wave) =>
      attackWave(random, {
        family: this.name, wave, ...time, perHour: params.perHour * world.scale, ranges, order: 'random', voiceShare: 1, resends: params.resends,
        accounts: params.accounts, trust: params.trust, ips, inCountry: true, requestCountry: 'US',
      }),
    );
    return { params, events };
  },
};
