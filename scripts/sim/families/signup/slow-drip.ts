/**
 * Bot family `slow-drip`: an operator who read the limits and stays under every one of them: a
 * few sign-ups an hour for the whole span, each from a residential proxy in a /24 of its own, at
 * big providers (exempt from the per-domain limit anyway), person-like names, no phone, farm tokens
 * for the page's own action. Nothing in one sign-up or in any per-key count differs from a person:
 * an honest expectation is that it passes unless standard trust asks for more than a solved token.
 *
 * Parameter ranges:
 *   perHour  5 – 40 for the whole 3 hours (under the tenant's own sign-up rate)
 *   score    farm tokens (0.7 / 0.9), action `signup`;  geoip in the two countries of bots.ts
 */
import type { SignupFamily } from '../types';
import { intBetween } from '../common';
import { localPart } from './people';
import { botSignups, botTiming, farmToken } from './bots';
import { SIGNUP_ACTION } from './tokens';

export const slowDrip: SignupFamily = {
  name: 'slow-drip',
  kind: 'bots',
  summary: 'a slow drip under every per-key limit (farm tokens, big providers, a new /24 each)',
  generate(random, world) {
    const timing = botTiming(random);
    const params = { perHour: intBetween(random, 5, 40), hours: world.hours, startHour: 0, countries: timing.countries, action: SIGNUP_ACTION };
    const events = botSignups(random, world, {
      ...params,
      family: this.name,
      ip: () => random.ipv4(),
      email: () => `${localPart(random)}@${random.pick(['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'hotmail.com'])}`,
      token: () => farmToken(random, world, params.action),
    });
    return { params, events };
  },
};
