/**
 * Bot family `foreign-hostname`: valid tokens with good scores, but issued on another site's page
 * (the operator harvests them on a site of its own with the tenant's public site key, or relays
 * them from elsewhere): only a host-name check tells.
 *
 * Parameter ranges:
 *   hostname  one of a few foreign hosts;  score 0.7 / 0.9;  action as a farm chooses (bots.ts)
 *   perHour   30 – 500;  hours 0.25 – 1.5 from hour 0.25 – 1.5;  ips 20 – 3000
 */
import type { SignupFamily } from '../types';
import { localPart } from './people';
import { botSignups, botTiming } from './bots';

export const foreignHostname: SignupFamily = {
  name: 'foreign-hostname',
  kind: 'bots',
  summary: 'valid tokens issued for another host name',
  generate(random, world) {
    const params = { ...botTiming(random), hostname: random.pick(['free-prizes.example', 'captcha-relay.example', 'login.example.net']) };
    const events = botSignups(random, world, {
      ...params,
      family: this.name,
      email: () => `${localPart(random)}${random.int(1000)}@${random.pick(['gmail.com', 'outlook.com', 'yahoo.com'])}`,
      token: () => ({ kind: 'valid', score: random.pick([0.7, 0.9]), hostname: params.hostname, action: params.action }),
    });
    return { params, events };
  },
};
