/**
 * The people behind legitimate sign-ups, shared by the people families: 25 countries (seven in
 * the shipped high-risk tier) and their regional mail providers; internationalised domains typed in
 * Unicode or pasted in punycode; offices (colleagues signing up the same day from one office IP
 * with a company domain nobody has seen before); households (several sign-ups from one home);
 * carrier-grade NAT (many people in one IPv4 /24), mobile IPv6 carriers that put many subscribers
 * in one /64 and subscribers whose /64 is their own; a local mobile number entered at sign-up;
 * addresses as people really type them (a plus tag used once, dots, capitals, rarely a quoted local
 * part); CAPTCHA tokens for the tenant's page (reCAPTCHA v3 scores mostly 0.9, some 0.7, a few low).
 */
import { domainToASCII } from 'node:url';
import type { Random } from '../../random';
import { mobileNumber } from '../../numbers';
import type { SignupEvent, SignupWorld } from '../types';
import { subnetPool } from '../common';
import { ipv6In, ipv6Prefix } from './networks';
import { personToken } from './tokens';

/** Country → its usual mail providers (the global ones are added to every country). */
export const REGIONAL_PROVIDERS: Readonly<Record<string, readonly string[]>> = {
  US: ['comcast.net', 'att.net'], GB: ['btinternet.com', 'sky.com'], DE: ['web.de', 'gmx.de', 't-online.de'], FR: ['orange.fr', 'free.fr', 'laposte.net'],
  ES: ['telefonica.net'], IT: ['libero.it', 'virgilio.it'], NL: ['ziggo.nl', 'kpnmail.nl'], BR: ['uol.com.br', 'bol.com.br'], MX: ['prodigy.net.mx'],
  IN: ['rediffmail.com'], JP: ['yahoo.co.jp', 'docomo.ne.jp'], KR: ['naver.com', 'daum.net', 'hanmail.net'], RU: ['yandex.ru', 'mail.ru', 'rambler.ru'],
  TR: ['yandex.com.tr'], PL: ['wp.pl', 'o2.pl', 'onet.pl'], CA: ['shaw.ca', 'rogers.com'], AU: ['bigpond.com'], CZ: ['seznam.cz'], CN: ['qq.com', '163.com'],
  UA: ['ukr.net', 'i.ua'], PH: ['yahoo.com.ph'], EG: ['yahoo.com'], VN: ['yahoo.com.vn'], NG: ['yahoo.com'], ID: ['yahoo.co.id'], KE: ['yahoo.com'],
};

export const GLOBAL_PROVIDERS = ['gmail.com', 'outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com', 'proton.me'];

/** Providers that deliver `name+tag@` to `name@` (the tag people add for one shop or newsletter). */
export const PLUS_PROVIDERS: ReadonlySet<string> = new Set(['gmail.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'proton.me']);

/** Internationalised domains people really use (in Unicode, as a user types them). */
export const IDN_DOMAINS = ['münchen.de', 'bücher.de', 'почта.рф', 'яндекс.рф', '例え.jp', 'société.fr', 'ñandú.es', '한국.kr'];

export const PEOPLE_COUNTRIES = [
  'US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'BR', 'MX', 'IN', 'JP', 'KR', 'RU', 'TR', 'PL', 'CA', 'AU', 'CZ',
  'UA', 'PH', 'EG', 'VN', 'NG', 'ID', 'KE',
] as const;

const FIRST = ['anna', 'ben', 'chloe', 'david', 'elif', 'farid', 'gita', 'hiro', 'ines', 'jonas', 'kim', 'lena', 'mateo', 'nadia', 'omar', 'priya', 'quang', 'rosa', 'sven', 'tomas', 'uche', 'vera', 'wei', 'yusuf', 'zoe'];
const LAST = ['smith', 'muller', 'dupont', 'garcia', 'rossi', 'devries', 'silva', 'kumar', 'sato', 'kim', 'ivanov', 'yilmaz', 'nowak', 'nguyen', 'okafor', 'santos'];
const TAGS = ['shop', 'news', 'coop', 'signup', 'work', 'promo'];

export interface PeopleSignupModel {
  family: string;
  sessions: readonly number[];
  countries: Readonly<Record<string, number>>;
  /** Share of sign-ups from an office: a company domain first seen today, colleagues on one office IP. */
  companyShare: number;
  /** Mean number of colleagues per office (each office draws 2 to twice this). */
  colleagues: number;
  idnShare: number;
  householdShare: number;
  /** IPv4 carrier-grade NAT: 4 - 32 addresses in one /24, two carriers per country. */
  cgnatShare: number;
  /** Mobile IPv6 carriers that put many subscribers in one /64 (two per country). */
  ipv6SharedShare: number;
  /** IPv6 subscribers with a /64 of their own (a new privacy address each session). */
  ipv6OwnShare: number;
  /** Share entering their phone number at sign-up (a local mobile of their country). */
  phoneShare: number;
  missingTokenShare: number;
  /** Share of people reCAPTCHA v3 scores below 0.5 (shared networks, privacy browsers). */
  lowScoreShare: number;
  /** Share adding a plus tag once (anna.smith+shop@gmail.com) where the provider supports it. */
  plusShare: number;
  /** Share typing capitals (Anna.Smith@Gmail.com). */
  mixedCaseShare: number;
  /** Share with a quoted local part ("anna smith"@company.de), at company and regional domains only. */
  quotedShare: number;
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

type Home = { kind: 'v4'; ip: string } | { kind: 'v6'; prefix: string };

interface Office {
  domain: string;
  ip: string;
  country: string;
  seats: number;
}

function companyDomain(random: Random): string {
  return `${random.pick(LAST)}-${random.pick(['gmbh', 'labs', 'group', 'co', 'studio'])}${random.int(1000)}.${random.pick(['com', 'de', 'fr', 'io', 'co.uk', 'com.br'])}`;
}

function capitalised(text: string): string {
  return text.replace(/(^|[._-])(\p{Ll})/gu, (_, separator: string, letter: string) => `${separator}${letter.toUpperCase()}`);
}

/** How one person writes their address: the provider's rules decide which decorations reach them. */
function addressOf(random: Random, model: PeopleSignupModel, domain: string, big: boolean, serial: number): string {
  const first = random.pick(FIRST);
  const last = random.pick(LAST);
  let local = random.next() < model.quotedShare && !big ? (random.next() < 0.5 ? `"${first} ${last}"` : `"${first}..${last}"`) : `${localPart(random)}${serial % 7 === 0 ? random.int(10) : ''}`;
  if (!local.startsWith('"') && PLUS_PROVIDERS.has(domain) && random.next() < model.plusShare) local = `${local}+${random.pick(TAGS)}`;
  return random.next() < model.mixedCaseShare ? `${capitalised(local)}@${capitalised(domain)}` : `${local}@${domain}`;
}

export function peopleSignups(random: Random, world: SignupWorld, model: PeopleSignupModel): SignupEvent[] {
  const carriers = new Map<string, string[][]>();
  const carriers6 = new Map<string, string[]>();
  const homes: Home[] = [];
  const offices: Office[] = [];
  return model.sessions.map((at, index) => {
    let country = random.weighted(model.countries as Record<string, number>);
    const roll = random.next();
    let ip: string;
    let office: Office | undefined;
    if (roll < model.companyShare) {
      const open = offices.filter((candidate) => candidate.seats > 0);
      if (open.length === 0 || random.next() < 1 / model.colleagues) {
        office = { domain: companyDomain(random), ip: random.ipv4(), country, seats: 2 + random.int(Math.max(1, Math.round(2 * model.colleagues) - 1)) };
        offices.push(office);
      } else office = random.pick(open);
      office.seats -= 1;
      ip = office.ip;
      country = office.country;
    } else {
      const network = roll - model.companyShare;
      const home = homes.length > 0 ? random.pick(homes) : undefined;
      if (network < model.householdShare && home !== undefined) ip = home.kind === 'v4' ? home.ip : ipv6In(random, home.prefix);
      else if (network < model.householdShare + model.cgnatShare) {
        const pools = carriers.get(country) ?? [subnetPool(random, 4 + random.int(29)), subnetPool(random, 4 + random.int(29))];
        carriers.set(country, pools);
        ip = random.pick(random.pick(pools));
      } else if (network < model.householdShare + model.cgnatShare + model.ipv6SharedShare) {
        const prefixes = carriers6.get(country) ?? [ipv6Prefix(random), ipv6Prefix(random)];
        carriers6.set(country, prefixes);
        ip = ipv6In(random, random.pick(prefixes));
      } else if (network < model.householdShare + model.cgnatShare + model.ipv6SharedShare + model.ipv6OwnShare) {
        const prefix = ipv6Prefix(random);
        homes.push({ kind: 'v6', prefix });
        ip = ipv6In(random, prefix);
      } else {
        ip = random.ipv4();
        homes.push({ kind: 'v4', ip });
      }
    }
    const domainRoll = random.next();
    const regional = REGIONAL_PROVIDERS[country] ?? [];
    let domain: string;
    let big = false;
    if (office !== undefined) domain = office.domain;
    else if (domainRoll < model.idnShare) {
      const idn = random.pick(IDN_DOMAINS);
      domain = random.next() < 0.5 ? idn : domainToASCII(idn);
    } else {
      domain = random.pick([...GLOBAL_PROVIDERS, ...regional, ...regional]);
      big = GLOBAL_PROVIDERS.includes(domain);
    }
    const event: SignupEvent = {
      at, family: model.family, legit: true, wave: 0, email: addressOf(random, model, domain, big, index), ip, country,
      token: random.next() < model.missingTokenShare ? { kind: 'missing' } : personToken(random, world, model.lowScoreShare),
    };
    if (random.next() < model.phoneShare) event.phone = mobileNumber(country, random);
    return event;
  });
}
