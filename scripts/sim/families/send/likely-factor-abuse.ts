/**
 * Attack family `likely-factor-abuse`: an attacker who read how the Unified Phone Experience
 * adapter reads an otp_verify (a database login, a number not on the profile: a likely MFA
 * factor) drives a flow that verifies a new number for an existing account, from a pool of aged
 * accounts that completed logins before, into high-risk-tier countries the tenant does not serve
 * (where a likely factor lifts the tier) and sometimes a served one. On the legacy trigger the
 * same numbers can only be enrolled.
 *
 * Parameter ranges:
 *   countries   1 – 3 of NG, PK, BD, PH, VN, EG, KE, LK, ID, KH, SN (not served), or (wide, 0.4)
 *               6 – 11 of them, to stay under a per-country budget; maybe one served
 *   perHour     5 – 150 new numbers per hour (x scale)
 *   hours       2 – 8;  resends 0 – 2;  voiceShare 0 – 0.3
 *   accounts    5 – 200 aged accounts;  trust standard or high
 *   ips         20 – 2000, in the destination country or not
 */
import type { SendFamily } from '../types';
import { intBetween, pickSome, rangeOfNumber, realBetween, spreadPool, type Range } from '../common';
import { mobileNumber } from '../../numbers';
import { attackWave, waveTimes } from './attacker';

const HIGH_RISK = ['NG', 'PK', 'BD', 'PH', 'VN', 'EG', 'KE', 'LK', 'ID', 'KH', 'SN'] as const;

export const likelyFactorAbuse: SendFamily = {
  name: 'likely-factor-abuse',
  kind: 'attack',
  summary: 'aged accounts verify new numbers in a flow that reads like an MFA challenge',
  generate(random, world) {
    const unserved = HIGH_RISK.filter((country) => !world.served.includes(country));
    const wide = random.next() < 0.4;
    const countries: string[] = pickSome(random, unserved, wide ? intBetween(random, Math.min(6, unserved.length), unserved.length) : intBetween(random, 1, 3));
    const withServed = random.next() < 0.3;
    if (withServed) countries.push(random.pick(world.served));
    const ranges: Range[] = countries.flatMap((country) => Array.from({ length: 40 }, () => ({ prefix: rangeOfNumber(mobileNumber(country, random)), country })));
    const params = {
      countries, wide, perHour: intBetween(random, 5, 150), hours: realBetween(random, 2, 8), resends: intBetween(random, 0, 2), voiceShare: realBetween(random, 0, 0.3),
      accounts: intBetween(random, 5, 200), trust: random.pick(['standard', 'high'] as const), ips: intBetween(random, 20, 2000), inCountry: random.next() < 0.5,
    };
    const ips = spreadPool(random, params.ips);
    const events = waveTimes(world.start, world.attackFromHour, 1, params.hours, 0).flatMap((time, wave) =>
      attackWave(random, {
        family: this.name, wave, ...time, perHour: params.perHour * world.scale, ranges, order: 'random', voiceShare: params.voiceShare,
        resends: params.resends, accounts: params.accounts, trust: params.trust, ips, inCountry: params.inCountry, requestCountry: 'US', asChallenge: true,
      }),
    );
    return { params, events };
  },
};
