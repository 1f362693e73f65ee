/**
 * Bot family `ipv6-rotation`: one or two rented /64s (a cheap VPS gets one), a new address per
 * sign-up: every per-address count sees a stranger each time; only grouping by /64 sees one source.
 * Person-like addresses at big providers, farm tokens.
 *
 * Parameter ranges:
 *   prefixes  1 – 2 /64s;  timing, countries and farm action as every bot family (bots.ts), no proxy pool
 */
import type { SignupFamily } from '../types';
import { intBetween } from '../common';
import { localPart } from './people';
import { botSignups, botTiming, farmToken, timingWithoutPool } from './bots';
import { ipv6In, ipv6Prefix } from './networks';

export const ipv6Rotation: SignupFamily = {
  name: 'ipv6-rotation',
  kind: 'bots',
  summary: 'one or two IPv6 /64s, a new address per sign-up',
  generate(random, world) {
    const prefixes = Array.from({ length: intBetween(random, 1, 2) }, () => ipv6Prefix(random));
    const params = { ...timingWithoutPool(botTiming(random)), prefixes };
    const events = botSignups(random, world, {
      ...params,
      family: this.name,
      ip: () => ipv6In(random, random.pick(prefixes)),
      email: () => `${localPart(random)}${random.int(1000)}@${random.pick(['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com'])}`,
      token: () => farmToken(random, world, params.action),
    });
    return { params, events };
  },
};
