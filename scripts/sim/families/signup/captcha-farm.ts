/**
 * Bot family `captcha-farm`: tokens solved by a human farm (valid, standard scores), ordinary big
 * provider addresses with person-like names, a residential proxy pool: nothing in the sign-up
 * itself is wrong.
 *
 * Parameter ranges:
 *   perHour   30 – 500;  hours 0.25 – 1.5 from hour 0.25 – 1.5;  ips 20 – 3000;  regional providers share 0 – 0.3
 */
import type { SignupFamily } from '../types';
import { realBetween } from '../common';
import { localPart } from './people';
import { botSignups, botTiming, farmToken } from './bots';

export const captchaFarm: SignupFamily = {
  name: 'captcha-farm',
  kind: 'bots',
  summary: 'CAPTCHA-farm tokens (valid, standard scores) on ordinary addresses',
  generate(random, world) {
    const params = { ...botTiming(random), regional: realBetween(random, 0, 0.3) };
    const events = botSignups(random, world, {
      ...params,
      family: this.name,
      email: () => `${localPart(random)}${random.int(100)}@${random.next() < params.regional ? random.pick(['web.de', 'mail.ru', 'yandex.ru', 'naver.com']) : random.pick(['gmail.com', 'outlook.com', 'yahoo.com', 'hotmail.com'])}`,
      token: () => farmToken(random, world, params.action),
    });
    return { params, events };
  },
};
