/**
 * Attack family `human-mimic`: the attacker behaves like the tenant's users. Aged accounts (each
 * asks for a few OTPs an hour, under every per-user limit), human resend timing, proxies in the
 * destination country, a modest rate over hours, destinations mixed between served countries and
 * ordinary-risk unserved ones.
 *
 * Parameter ranges:
 *   countries   1 – 4: served ones, and LV, LT, EE, AT, RO, TH, MY, PT
 *   perHour     10 – 200 new numbers per hour (x scale)
 *   hours       3 – 8;  resends 1 – 2;  voiceShare 0 – 0.3
 *   accounts    10 – 300 aged accounts;  trust standard or high
 *   ips         50 – 2000 in-country proxy addresses
 */
import type { SendFamily } from '../types';
import { intBetween, pickSome, rangeOfNumber, realBetween, spreadPool, type Range } from '../common';
import { mobileNumber } from '../../numbers';
import { attackWave, waveTimes } from './attacker';

const ELSEWHERE = ['LV', 'LT', 'EE', 'AT', 'RO', 'TH', 'MY', 'PT'] as const;

export const humanMimic: SendFamily = {
  name: 'human-mimic',
  kind: 'attack',
  summary: 'aged accounts, human resends, in-country proxies, a modest rate',
  generate(random, world) {
    const pool = [...new Set([...world.served, ...ELSEWHERE])];
    const countries = pickSome(random, pool, intBetween(random, 1, 4));
    const ranges: Range[] = countries.flatMap((country) => Array.from({ length: 100 }, () => ({ prefix: rangeOfNumber(mobileNumber(country, random)), country })));
    const params = {
      countries, perHour: intBetween(random, 10, 200), hours: realBetween(random, 3, 8), resends: intBetween(random, 1, 2), voiceShare: realBetween(random, 0, 0.3),
      accounts: intBetween(random, 10, 300), trust: random.pick(['standard', 'high'] as const), ips: intBetween(random, 50, 2000),
    };
    const ips = spreadPool(random, params.ips);
    const events = waveTimes(world.start, world.attackFromHour, 1, params.hours, 0).flatMap((time, wave) =>
      attackWave(random, {
        family: this.name, wave, ...time, perHour: params.perHour * world.scale, ranges, order: 'random', voiceShare: params.voiceShare,
        resends: params.resends, accounts: params.accounts, trust: params.trust, ips, inCountry: true, requestCountry: 'US',
      }),
    );
    return { params, events };
  },
};
