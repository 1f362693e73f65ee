/**
 * Bot family `punycode-lookalike`: the whole-script look-alikes of lookalike-script written in
 * their ASCII (xn--) form, as a script submitting the form would send them, sometimes in capitals
 * (XN--...): a check that only looks at Unicode labels never sees another script.
 *
 * Parameter ranges:
 *   targets     1 – 4 of the whole-script look-alikes and the tenant's own (weighted twice), in punycode
 *   upperShare  0 – 0.3 written in capitals
 *   timing, proxies, countries, farm tokens as every bot family (bots.ts)
 */
import { domainToASCII } from 'node:url';
import type { SignupFamily } from '../types';
import { intBetween, pickSome, realBetween } from '../common';
import { localPart } from './people';
import { botSignups, botTiming, farmToken } from './bots';
import { WHOLE_SCRIPT_LOOKALIKES, ownLookalike } from './lookalike-script';

export const punycodeLookalike: SignupFamily = {
  name: 'punycode-lookalike',
  kind: 'bots',
  summary: 'the whole-script look-alikes in punycode (xn--) form',
  generate(random, world) {
    const own = ownLookalike(world);
    const targets = pickSome(random, [...WHOLE_SCRIPT_LOOKALIKES, own, own], intBetween(random, 1, 4)).map((domain) => domainToASCII(domain));
    const params = { ...botTiming(random), targets, upperShare: realBetween(random, 0, 0.3) };
    const events = botSignups(random, world, {
      ...params,
      family: this.name,
      email: () => {
        const domain = random.pick(targets);
        return `${localPart(random)}@${random.next() < params.upperShare ? domain.toUpperCase() : domain}`;
      },
      token: () => farmToken(random, world, params.action),
    });
    return { params, events };
  },
};
