/**
 * Bot family `domain-spread`: an operator with many cheap fresh domains (catch-all mail on each)
 * moving to the next one after a handful of sign-ups, so no domain ever reaches a per-domain
 * limit and each is brand new when first used.
 *
 * Parameter ranges:
 *   perDomain  2 – 8 sign-ups per domain before the next one
 *   names      two words and 0 – 3 digits under .com .net .org .xyz .top .site .online .shop .io
 *   timing, proxies, countries, farm tokens as every bot family (bots.ts)
 */
import type { SignupFamily } from '../types';
import { intBetween } from '../common';
import type { Random } from '../../random';
import { localPart } from './people';
import { botSignups, botTiming, farmToken } from './bots';

const WORDS = ['blue', 'river', 'north', 'pixel', 'maple', 'stone', 'lumen', 'cedar', 'nova', 'harbor', 'quill', 'orbit', 'sage', 'ember', 'delta', 'fern'];
const TLDS = ['com', 'net', 'org', 'xyz', 'top', 'site', 'online', 'shop', 'io'];

function freshDomain(random: Random): string {
  return `${random.pick(WORDS)}${random.pick(WORDS)}${random.digits(random.int(4))}.${random.pick(TLDS)}`;
}

export const domainSpread: SignupFamily = {
  name: 'domain-spread',
  kind: 'bots',
  summary: 'many fresh domains, a new one every few sign-ups',
  generate(random, world) {
    const params = { ...botTiming(random), perDomain: intBetween(random, 2, 8) };
    const domains: string[] = [];
    const events = botSignups(random, world, {
      ...params,
      family: this.name,
      email: (index) => {
        const slot = Math.floor(index / params.perDomain);
        while (domains.length <= slot) {
          const domain = freshDomain(random);
          if (!domains.includes(domain)) domains.push(domain);
        }
        return `${localPart(random)}@${domains[slot] ?? 'x.com'}`;
      },
      token: () => farmToken(random, world, params.action),
    });
    return { params: { ...params, domainsUsed: domains.length }, events };
  },
};
