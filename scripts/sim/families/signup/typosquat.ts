/**
 * Bot family `typosquat`: ASCII typo-squats of big providers and of the tenant's own domain
 * (gmial.com, outlok.com, c0op.example), domains the operator owns and reads mail at.
 *
 * Parameter ranges:
 *   targets   1 – 5 of the typo domains below
 *   perHour   30 – 500;  hours 0.25 – 1.5 from hour 0.25 – 1.5;  ips 20 – 3000;  CAPTCHA-farm tokens
 */
import type { SignupFamily } from '../types';
import { intBetween, pickSome } from '../common';
import { localPart } from './people';
import { botSignups, botTiming, farmToken } from './bots';

export const PROVIDER_TYPOS = ['gmial.com', 'gmai.com', 'gmaill.com', 'gnail.com', 'outlok.com', 'hotmial.com', 'yaho.com', 'yahooo.com', 'icloud.co', 'protonmial.com'];

export const typosquat: SignupFamily = {
  name: 'typosquat',
  kind: 'bots',
  summary: 'ASCII typo-squats of big providers and of the tenant domain',
  generate(random, world) {
    const [name = 'coop', ...rest] = world.tenantDomain.split('.');
    const tld = rest.join('.');
    const own = [`${name.replace('o', '0')}.${tld}`, `${name}${name.slice(-1)}.${tld}`, `${name}-login.${tld}`];
    const targets = pickSome(random, [...PROVIDER_TYPOS, ...own], intBetween(random, 1, 5));
    const params = { ...botTiming(random), targets };
    const events = botSignups(random, world, { ...params, family: this.name, email: () => `${localPart(random)}@${random.pick(targets)}`, token: () => farmToken(random, world, params.action) });
    return { params, events };
  },
};
