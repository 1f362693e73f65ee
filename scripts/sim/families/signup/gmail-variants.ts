/**
 * Bot family `gmail-variants`: one operator's few Gmail inboxes multiplied by dots and plus tags
 * (j.ohn.doe+x1@gmail.com): every variant reaches the same inbox, each looks like a new person.
 *
 * Parameter ranges:
 *   inboxes   1 – 5 base addresses;  style dots, plus or both;  googlemail.com share 0 – 0.3
 *   perHour   30 – 500;  hours 0.25 – 1.5 from hour 0.25 – 1.5;  ips 20 – 3000;  tokens from a CAPTCHA farm (0.7 / 0.9)
 */
import type { SignupFamily } from '../types';
import type { Random } from '../../random';
import { intBetween, realBetween } from '../common';
import { botSignups, botTiming, farmToken } from './bots';

function dotted(random: Random, name: string): string {
  return [...name].map((char, index) => (index > 0 && random.next() < 0.3 ? `.${char}` : char)).join('');
}

export const gmailVariants: SignupFamily = {
  name: 'gmail-variants',
  kind: 'bots',
  summary: 'dot / plus variants of a few Gmail inboxes',
  generate(random, world) {
    const inboxes = Array.from({ length: intBetween(random, 1, 5) }, () => `${random.pick(['johnsmith', 'mariagarcia', 'alexkim', 'samlee'])}${random.digits(3)}`);
    const params = { ...botTiming(random), inboxes: inboxes.length, style: random.pick(['dots', 'plus', 'both']), googlemail: realBetween(random, 0, 0.3) };
    const events = botSignups(random, world, {
      ...params,
      family: this.name,
      email: (index) => {
        const inbox = random.pick(inboxes);
        const local = params.style === 'plus' ? inbox : dotted(random, inbox);
        const tag = params.style === 'dots' ? '' : `+${random.pick(['a', 'x', 'promo', 'n'])}${index}`;
        return `${local}${tag}@${random.next() < params.googlemail ? 'googlemail.com' : 'gmail.com'}`;
      },
      token: () => farmToken(random, world, params.action),
    });
    return { params, events };
  },
};
