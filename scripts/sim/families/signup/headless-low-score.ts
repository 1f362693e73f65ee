/**
 * Bot family `headless-low-score`: a headless browser that loads the tenant's sign-up page (so its
 * tokens carry the page's host and action) but solves nothing: reCAPTCHA v3 scores it low, Turnstile
 * does not pass it (the token it sends back is rejected); part of the runs skip the widget and post
 * the form with no token at all. Datacenter addresses in a few /24s.
 *
 * Parameter ranges:
 *   missingShare  0 – 0.5 of the sign-ups with no token;  score 0.1 (veryLowShare 0.5 – 0.9) or 0.3
 *   subnets       1 – 6 datacenter /24s (every address of each used)
 *   timing, countries as every bot family (bots.ts); the action is always the page's (`signup`)
 */
import type { SignupFamily } from '../types';
import { intBetween, realBetween, subnetPool } from '../common';
import { localPart } from './people';
import { botSignups, botTiming, timingWithoutPool } from './bots';
import { SIGNUP_ACTION } from './tokens';

export const headlessLowScore: SignupFamily = {
  name: 'headless-low-score',
  kind: 'bots',
  summary: 'headless browsers: low reCAPTCHA scores, failed Turnstile, or no token',
  generate(random, world) {
    const { action: _farmChoice, ...timing } = timingWithoutPool(botTiming(random));
    const params = { ...timing, missingShare: realBetween(random, 0, 0.5), veryLowShare: realBetween(random, 0.5, 0.9), subnets: intBetween(random, 1, 6) };
    const pool = Array.from({ length: params.subnets }, () => subnetPool(random, 254)).flat();
    const events = botSignups(random, world, {
      ...params,
      family: this.name,
      ip: () => random.pick(pool),
      email: () => `${localPart(random)}${random.digits(4)}@${random.pick(['gmail.com', 'outlook.com', 'yahoo.com', 'mail.ru'])}`,
      token: () =>
        random.next() < params.missingShare
          ? { kind: 'missing' }
          : { kind: 'valid', score: random.next() < params.veryLowShare ? 0.1 : 0.3, hostname: world.loginHost, action: SIGNUP_ACTION, solvesTurnstile: false },
    });
    return { params, events };
  },
};
