/**
 * Bot family `lookalike-script`: domains written wholly in another script that render like a big
 * provider or like the tenant's own domain (уаһоо.com, соор.example, in Cyrillic only), so no label
 * mixes scripts and only a skeleton comparison can tell.
 *
 * Parameter ranges:
 *   targets   1 – 4 of the whole-script look-alikes below and the tenant's own (weighted twice)
 *   perHour   30 – 500;  hours 0.25 – 1.5 from hour 0.25 – 1.5;  ips 20 – 3000;  CAPTCHA-farm tokens
 */
import type { SignupFamily, SignupWorld } from '../types';
import { intBetween, pickSome } from '../common';
import { localPart } from './people';
import { botSignups, botTiming, farmToken } from './bots';

/** Cyrillic-only labels that render like a big provider's (no label mixes scripts). */
export const WHOLE_SCRIPT_LOOKALIKES = [
  '\u0443\u0430\u04bb\u043e\u043e.com', // уаһоо.com (yahoo.com)
  '\u0430\u043e\u04cf.com', // аоӏ.com (aol.com)
  '\u051b\u051b.com', // ԛԛ.com (qq.com)
  '\u051d\u0435\u044c.de', // ԝеь.de (web.de)
];

/** соор.<tld> in Cyrillic only: renders like the tenant's coop.<tld>. */
export function ownLookalike(world: SignupWorld): string {
  return `\u0441\u043e\u043e\u0440.${world.tenantDomain.split('.').slice(1).join('.')}`;
}

export const lookalikeScript: SignupFamily = {
  name: 'lookalike-script',
  kind: 'bots',
  summary: 'whole-script (Cyrillic only) look-alikes of providers and of the tenant',
  generate(random, world) {
    const own = ownLookalike(world);
    const targets = pickSome(random, [...WHOLE_SCRIPT_LOOKALIKES, own, own], intBetween(random, 1, 4));
    const params = { ...botTiming(random), targets };
    const events = botSignups(random, world, { ...params, family: this.name, email: () => `${localPart(random)}@${random.pick(targets)}`, token: () => farmToken(random, world, params.action) });
    return { params, events };
  },
};
