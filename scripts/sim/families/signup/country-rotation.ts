/**
 * Bot family `country-rotation`: residential proxies rotated through many countries, each
 * sign-up's request from another one (ordinary and high-risk alike), so no per-country or
 * sign-up-country count stands out; person-like addresses at big providers, farm tokens.
 *
 * Parameter ranges:
 *   countries  20 – 45 of the 45 below, one drawn per sign-up
 *   timing, proxies, farm tokens as every bot family (bots.ts)
 */
import type { SignupFamily } from '../types';
import { intBetween, pickSome } from '../common';
import { localPart } from './people';
import { botSignups, botTiming, farmToken } from './bots';

const ROTATION = [
  'US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'BE', 'SE', 'NO', 'DK', 'FI', 'PL', 'CZ', 'AT', 'CH', 'PT', 'IE', 'RO', 'HU', 'GR', 'TR', 'UA',
  'RU', 'BR', 'MX', 'AR', 'CO', 'CL', 'CA', 'IN', 'ID', 'PH', 'VN', 'TH', 'MY', 'SG', 'JP', 'KR', 'AU', 'NZ', 'ZA', 'NG', 'EG', 'KE',
];

export const countryRotation: SignupFamily = {
  name: 'country-rotation',
  kind: 'bots',
  summary: 'proxies rotating the request country widely, one country per sign-up',
  generate(random, world) {
    const timing = botTiming(random);
    const countries = pickSome(random, ROTATION, intBetween(random, 20, ROTATION.length));
    const params = { ...timing, countries };
    const events = botSignups(random, world, {
      ...params,
      family: this.name,
      email: () => `${localPart(random)}${random.int(1000)}@${random.pick(['gmail.com', 'outlook.com', 'yahoo.com', 'hotmail.com'])}`,
      token: () => farmToken(random, world, params.action),
    });
    return { params, events };
  },
};
