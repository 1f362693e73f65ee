/**
 * Bot family `plus-variants`: a few Outlook, Hotmail, iCloud or Proton inboxes multiplied by plus
 * tags and capitals (Sam.Lee42+n7@Outlook.com): these providers deliver every tag to the one inbox
 * and ignore case, but (unlike Gmail) keep dots, so only the tag and the case may be dropped.
 *
 * Parameter ranges:
 *   inboxes     1 – 5 base addresses, each at one of outlook.com, hotmail.com, live.com, icloud.com, proton.me
 *   mixedCase   0 – 0.5 of the variants in capitals
 *   timing, proxies, countries, farm tokens as every bot family (bots.ts)
 */
import type { SignupFamily } from '../types';
import { intBetween, realBetween } from '../common';
import { localPart } from './people';
import { botSignups, botTiming, farmToken } from './bots';

const PLUS_DOMAINS = ['outlook.com', 'hotmail.com', 'live.com', 'icloud.com', 'proton.me'];

export const plusVariants: SignupFamily = {
  name: 'plus-variants',
  kind: 'bots',
  summary: 'plus-tag and case variants of a few Outlook / iCloud / Proton inboxes',
  generate(random, world) {
    const inboxes = Array.from({ length: intBetween(random, 1, 5) }, () => `${localPart(random)}@${random.pick(PLUS_DOMAINS)}`);
    const params = { ...botTiming(random), inboxes: inboxes.length, domains: [...new Set(inboxes.map((inbox) => inbox.split('@')[1] ?? ''))], mixedCase: realBetween(random, 0, 0.5) };
    const events = botSignups(random, world, {
      ...params,
      family: this.name,
      email: (index) => {
        const [local = 'x', domain = 'outlook.com'] = random.pick(inboxes).split('@');
        const variant = `${local}+${random.pick(['a', 'x', 'promo', 'n'])}${index}@${domain}`;
        return random.next() < params.mixedCase ? variant.replace(/(^|[.@])([a-z])/g, (_, separator: string, letter: string) => `${separator}${letter.toUpperCase()}`) : variant;
      },
      token: () => farmToken(random, world, params.action),
    });
    return { params, events };
  },
};
