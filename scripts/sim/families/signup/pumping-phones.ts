/**
 * Bot family `pumping-phones`: the sign-up half of SMS pumping. Bots register with a phone number
 * in a few adjacent ranges of an ordinary-risk destination (the numbers the operator is paid for),
 * so that the OTPs sent to them later look like enrolments of new users. Farm tokens, person-like
 * addresses at big providers.
 *
 * Parameter ranges:
 *   country   one of LV, LT, EE, AT, RO, GB, TH, MY
 *   ranges    1 – 6 adjacent 10 000-number ranges
 *   perHour   30 – 500;  hours 0.25 – 1.5 from hour 0.25 – 1.5;  ips 20 – 3000
 */
import type { SignupFamily } from '../types';
import { adjacentRanges, intBetween, numberIn } from '../common';
import { localPart } from './people';
import { botSignups, botTiming, farmToken } from './bots';

const TARGETS = ['LV', 'LT', 'EE', 'AT', 'RO', 'GB', 'TH', 'MY'] as const;

export const pumpingPhones: SignupFamily = {
  name: 'pumping-phones',
  kind: 'bots',
  summary: 'sign-ups carrying numbers of a few adjacent ranges (pumping targets)',
  generate(random, world) {
    const country = random.pick(TARGETS);
    const ranges = adjacentRanges(random, country, intBetween(random, 1, 6));
    const params = { ...botTiming(random), country, ranges: ranges.map((range) => range.prefix) };
    const events = botSignups(random, world, {
      ...params,
      family: this.name,
      email: () => `${localPart(random)}${random.int(1000)}@${random.pick(['gmail.com', 'outlook.com', 'yahoo.com'])}`,
      token: () => farmToken(random, world, params.action),
    }).map((event) => ({ ...event, phone: numberIn(random, random.pick(ranges)) }));
    return { params, events };
  },
};
