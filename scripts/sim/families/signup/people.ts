/**
 * The people behind legitimate sign-ups, shared by the people families: 25 countries, their
 * regional mail providers, company and IDN domains, households (a few sign-ups from one address),
 * mobile carriers' CGNAT (many people in one /24), a local mobile number entered at sign-up, and
 * reCAPTCHA v3 scores as people get them (mostly 0.9, some 0.7, a few low).
 */
import type { Random } from '../../random';
import { mobileNumber } from '../../numbers';
import type { SignupEvent, SignupWorld } from '../types';
import { subnetPool } from '../common';

/** Country → its usual mail providers (the global ones are added to every country). */
export const REGIONAL_PROVIDERS: Readonly<Record<string, readonly string[]>> = {
  US: ['comcast.net', 'att.net'], GB: ['btinternet.com', 'sky.com'], DE: ['web.de', 'gmx.de', 't-online.de'], FR: ['orange.fr', 'free.fr', 'laposte.net'],
  ES: ['telefonica.net'], IT: ['libero.it', 'virgilio.it'], NL: ['ziggo.nl', 'kpnmail.nl'], BR: ['uol.com.br', 'bol.com.br'], MX: ['prodigy.net.mx'],
  IN: ['rediffmail.com'], JP: ['yahoo.co.jp', 'docomo.ne.jp'], KR: ['naver.com', 'daum.net', 'hanmail.net'], RU: ['yandex.ru', 'mail.ru', 'rambler.ru'],
  TR: ['yandex.com.tr'], PL: ['wp.pl', 'o2.pl', 'onet.pl'], CA: ['shaw.ca', 'rogers.com'], AU: ['bigpond.com'], CZ: ['seznam.cz'], CN: ['qq.com', '163.com'],
  UA: ['ukr.net', 'i.ua'], PH: ['yahoo.com.ph'], EG: ['yahoo.com'], VN: ['yahoo.com.vn'], NG: ['yahoo.com'], ID: ['yahoo.co.id'], KE: ['yahoo.com'],
};

const GLOBAL_PROVIDERS = ['gmail.com', 'outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com', 'proton.me'];

/** Internationalised domains people really use (given here in Unicode, as a user types them). */
export const IDN_DOMAINS = ['münchen.de', 'bücher.de', 'почта.рф', 'яндекс.рф', '例え.jp', 'société.fr', 'ñandú.es', '한국.kr'];

export const PEOPLE_COUNTRIES = [
  'US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'BR', 'MX', 'IN', 'JP', 'KR', 'RU', 'TR', 'PL', 'CA', 'AU', 'CZ',
  'UA', 'PH', 'EG', 'VN', 'NG', 'ID', 'KE',
] as const;

const FIRST = ['anna', 'ben', 'chloe', 'david', 'elif', 'farid', 'gita', 'hiro', 'ines', 'jonas', 'kim', 'lena', 'mateo', 'nadia', 'omar', 'priya', 'quang', 'rosa', 'sven', 'tomas', 'uche', 'vera', 'wei', 'yusuf', 'zoe'];
const LAST = ['smith', 'muller', 'dupont', 'garcia', 'rossi', 'devries', 'silva', 'kumar', 'sato', 'kim', 'ivanov', 'yilmaz', 'nowak', 'nguyen', 'okafor', 'santos'];

export interface PeopleSignupModel {
  family: string;
  sessions: readonly number[];
  countries: Readonly<Record<string, number>>;
  companyShare: number;
  idnShare: number;
  householdShare: number;
  cgnatShare: number;
  /** Share entering their phone number at sign-up (a local mobile of their country). */
  phoneShare: number;
  missingTokenShare: number;
  /** Share of people the CAPTCHA scores below 0.5 (shared networks, privacy browsers). */
  lowScoreShare: number;
}

export function localPart(random: Random): string {
  const first = random.pick(FIRST);
  const last = random.pick(LAST);
  switch (random.int(4)) {
    case 0:
      return `${first}.${last}`;
    case 1:
      return `${first}${last}${random.int(100)}`;
    case 2:
      return `${first[0] ?? 'x'}${last}${1960 + random.int(50)}`;
    default:
      return `${first}_${random.digits(3)}`;
  }
}

export function peopleSignups(random: Random, world: SignupWorld, model: PeopleSignupModel): SignupEvent[] {
  const carriers = new Map<string, string[][]>();
  const households: string[] = [];
  return model.sessions.map((at, index) => {
    const country = random.weighted(model.countries as Record<string, number>);
    const roll = random.next();
    let ip: string;
    if (roll < model.householdShare && households.length > 0) ip = random.pick(households);
    else if (roll < model.householdShare + model.cgnatShare) {
      const pools = carriers.get(country) ?? [subnetPool(random, 4 + random.int(29)), subnetPool(random, 4 + random.int(29))];
      carriers.set(country, pools);
      ip = random.pick(random.pick(pools));
    } else {
      ip = random.ipv4();
      households.push(ip);
    }
    const domainRoll = random.next();
    const domain =
      domainRoll < model.idnShare
        ? random.pick(IDN_DOMAINS)
        : domainRoll < model.idnShare + model.companyShare
          ? `${random.pick(LAST)}-${random.pick(['gmbh', 'labs', 'group', 'co', 'studio'])}${random.int(1000)}.${random.pick(['com', 'de', 'fr', 'io', 'co.uk', 'com.br'])}`
          : random.pick([...GLOBAL_PROVIDERS, ...(REGIONAL_PROVIDERS[country] ?? []), ...(REGIONAL_PROVIDERS[country] ?? [])]);
    const tokenRoll = random.next();
    const score = random.next() < model.lowScoreShare ? random.pick([0.1, 0.3]) : random.next() < 0.75 ? 0.9 : 0.7;
    const event: SignupEvent = {
      at, family: model.family, legit: true, wave: 0, email: `${localPart(random)}${index % 7 === 0 ? random.int(10) : ''}@${domain}`, ip, country,
      token: tokenRoll < model.missingTokenShare ? { kind: 'missing' } : { kind: 'valid', score, hostname: world.loginHost },
    };
    if (random.next() < model.phoneShare) event.phone = mobileNumber(country, random);
    return event;
  });
}
