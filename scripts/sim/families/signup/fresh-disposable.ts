/**
 * Bot family `fresh-disposable`: disposable domains registered today, on no list yet, used in
 * bursts before anyone lists them (one domain after another).
 *
 * Parameter ranges:
 *   domains   1 – 6 new domains (random names under .com .net .xyz .top .site), used in turn
 *   perHour   30 – 500;  hours 0.25 – 1.5 from hour 0.25 – 1.5;  ips 20 – 3000;  CAPTCHA-farm tokens
 */
import type { SignupFamily } from '../types';
import { intBetween } from '../common';
import { localPart } from './people';
import { botSignups, botTiming, farmToken } from './bots';

export const freshDisposable: SignupFamily = {
  name: 'fresh-disposable',
  kind: 'bots',
  summary: 'same-day disposable domains on no list, in bursts',
  generate(random, world) {
    const domains = Array.from({ length: intBetween(random, 1, 6) }, () => `${random.pick(['inbox', 'mail', 'tmp', 'quick', 'drop'])}${random.digits(4)}${random.pick(['box', 'now', 'hub'])}.${random.pick(['com', 'net', 'xyz', 'top', 'site'])}`);
    const params = { ...botTiming(random), domains };
    const events = botSignups(random, world, {
      ...params,
      family: this.name,
      email: (index) => `${localPart(random)}@${domains[Math.floor((index / 40) % domains.length)] ?? domains[0]}`,
      token: () => farmToken(random, world, params.action),
    });
    return { params, events };
  },
};
