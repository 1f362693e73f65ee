/** Every family is a deterministic function of its seed, and its events are what it says they are. */
import { parsePhoneNumber } from 'libphonenumber-js/max';
import { SEND_FAMILIES, sendWorld } from '../../scripts/sim/families/send';
import { sessionGeo } from '../../scripts/sim/families/send/legit-users';
import { SIGNUP_FAMILIES, signupWorld } from '../../scripts/sim/families/signup';
import { HOUR, streamFor } from '../../scripts/sim/families/common';
import { takeFamilyFlags } from '../../scripts/sim/families/cli';
import type { SignupEvent } from '../../scripts/sim/families/types';
import type { SimValidToken } from '../../scripts/sim/families/signup/tokens';
import { verifierAnswer } from '../../scripts/sim/families/signup/tokens';
import { prefix64 } from '../../scripts/sim/families/signup/networks';
import { SMS_HIGH_RISK_COUNTRIES } from '../../shared/data/high-risk-countries';

const SCALE = 0.2;

describe.each(SEND_FAMILIES.map((family) => [family.name, family] as const))('send family %s', (_name, family) => {
  const world = sendWorld(11, SCALE);
  const first = family.generate(streamFor(11, family.name), world);

  test('the same seed gives the same parameters and events; another seed other ones', () => {
    expect(family.generate(streamFor(11, family.name), sendWorld(11, SCALE))).toEqual(first);
    const other = family.generate(streamFor(12, family.name), sendWorld(12, SCALE));
    expect(other.params).not.toEqual(first.params);
  });

  test('events are of its kind, to valid numbers of the country they name, in the simulated span', () => {
    expect(first.events.length).toBeGreaterThan(0);
    for (const event of first.events.slice(0, 300)) {
      expect(event.legit).toBe(family.kind === 'legit');
      expect(event.family).toBe(family.name);
      const parsed = parsePhoneNumber(event.recipient);
      expect(parsed.isValid()).toBe(true);
      expect(parsed.country).toBe(event.country);
      expect(event.at).toBeGreaterThanOrEqual(world.start);
      if (family.kind === 'attack') expect(event.at).toBeGreaterThanOrEqual(world.start + world.attackFromHour * HOUR);
    }
  });
});

test('legitimate sessions: about one in twenty requested from abroad, the same country for a session and its resends', () => {
  const home = SEND_FAMILIES.find((candidate) => candidate.name === 'home-users');
  if (home === undefined) throw new Error('no home-users family');
  const events = home.generate(streamFor(11, home.name), sendWorld(11, 1)).events;
  const abroad = events.filter((event) => event.requestCountry !== event.country);
  expect(abroad.length / events.length).toBeGreaterThan(0.03);
  expect(abroad.length / events.length).toBeLessThan(0.07);
  // A resend (the same user within 2.5 minutes) comes from where its session did; the rare
  // exceptions are two sessions of one returning user that close together.
  const last = new Map<string, { at: number; from: string | undefined }>();
  let close = 0;
  let moved = 0;
  for (const event of [...events].sort((a, b) => a.at - b.at)) {
    const before = last.get(event.userId);
    if (before !== undefined && event.at - before.at <= 150_000) {
      close += 1;
      if (event.requestCountry !== before.from) moved += 1;
    }
    last.set(event.userId, { at: event.at, from: event.requestCountry });
  }
  expect(close).toBeGreaterThan(100);
  expect(moved / close).toBeLessThan(0.01);
  // Abroad is another country, and the same session always answers the same.
  const geos = Array.from({ length: 2000 }, (_, minute) => sessionGeo({ id: 'auth0|y', country: 'US' }, minute * 60_000));
  expect(geos.filter((geo) => geo !== 'US').length).toBeGreaterThan(50);
  expect(sessionGeo({ id: 'auth0|y', country: 'US' }, 77 * 60_000)).toBe(geos[77]);
});

test('under-floor-spread keeps every range under the pumping floor in every hour window (new numbers)', () => {
  const family = SEND_FAMILIES.find((candidate) => candidate.name === 'under-floor-spread');
  for (const seed of [1, 2, 3]) {
    const { events } = family?.generate(streamFor(seed, 'under-floor-spread'), sendWorld(seed, 1)) ?? { events: [] };
    const perWindow = new Map<string, Set<string>>();
    for (const event of events) {
      const key = `${event.recipient.slice(0, -4)}@${Math.floor(event.at / HOUR)}`;
      perWindow.set(key, (perWindow.get(key) ?? new Set()).add(event.recipient));
    }
    expect(Math.max(...[...perWindow.values()].map((numbers) => numbers.size))).toBeLessThanOrEqual(10);
  }
});

describe.each(SIGNUP_FAMILIES.map((family) => [family.name, family] as const))('sign-up family %s', (_name, family) => {
  const world = signupWorld(5, SCALE);
  const first = family.generate(streamFor(5, family.name), world);

  test('deterministic per seed', () => {
    expect(family.generate(streamFor(5, family.name), signupWorld(5, SCALE))).toEqual(first);
    expect(family.generate(streamFor(6, family.name), signupWorld(6, SCALE)).params).not.toEqual(first.params);
  });

  test('events are of its kind, with an address and a country', () => {
    expect(first.events.length).toBeGreaterThan(0);
    for (const event of first.events) {
      expect(event.legit).toBe(family.kind === 'people');
      expect(event.email).toMatch(/^(?:"[^"@]+"|[^@\s"]+)@[^@\s]+\.[^@\s]+$/);
      expect(event.country).toMatch(/^[A-Z]{2}$/);
      if (event.phone !== undefined) expect(parsePhoneNumber(event.phone).isValid()).toBe(true);
    }
  });
});

/** Numeric parameters each family documents in its header, as [min, max]. */
const SIGNUP_RANGES: Record<string, Record<string, [number, number]>> = {
  'people-worldwide': {
    perHour: [40, 200], companyShare: [0.05, 0.3], colleagues: [2, 8], idnShare: [0.005, 0.03], householdShare: [0.02, 0.15], cgnatShare: [0.05, 0.3],
    ipv6SharedShare: [0.02, 0.15], ipv6OwnShare: [0.05, 0.25], phoneShare: [0, 0.5], missingToken: [0, 0.05], lowScoreShare: [0, 0.01],
    plusShare: [0, 0.04], mixedCaseShare: [0, 0.05], quotedShare: [0, 0.003],
  },
  'people-burst': { startHour: [0.5, 2], hours: [0.25, 1], perHour: [150, 1000], cgnatShare: [0.3, 0.7], ipv6SharedShare: [0, 0.2], ipv6OwnShare: [0, 0.2], phoneShare: [0, 0.6], missingToken: [0, 0.03], lowScoreShare: [0, 0.01] },
  'plus-variants': { inboxes: [1, 5], mixedCase: [0, 0.5] },
  'punycode-lookalike': { upperShare: [0, 0.3] },
  'headless-low-score': { missingShare: [0, 0.5], veryLowShare: [0.5, 0.9], subnets: [1, 6] },
  'domain-spread': { perDomain: [2, 8] },
  'slow-drip': { perHour: [5, 40] },
};
const BOT_TIMING: Record<string, [number, number]> = { perHour: [30, 500], hours: [0.25, 1.5], startHour: [0.25, 1.5], ips: [20, 3000] };
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const generated = (name: string, seed: number, scale = 1) => {
  const family = SIGNUP_FAMILIES.find((candidate) => candidate.name === name);
  if (family === undefined) throw new Error(`no family ${name}`);
  return family.generate(streamFor(seed, name), signupWorld(seed, scale));
};

test.each(SIGNUP_FAMILIES.map((family) => [family.name, family.kind] as const))('%s draws its parameters within the documented ranges', (name, kind) => {
  for (const seed of SEEDS) {
    const { params } = generated(name, seed, 0.05);
    const ranges = { ...(kind === 'bots' && name !== 'slow-drip' ? BOT_TIMING : {}), ...(SIGNUP_RANGES[name] ?? {}) };
    for (const [key, [min, max]] of Object.entries(ranges)) {
      if (!(key in params)) continue;
      const value = params[key] as number;
      expect(value).toBeGreaterThanOrEqual(min);
      expect(value).toBeLessThanOrEqual(max);
    }
    if (kind === 'bots' && name !== 'headless-low-score') expect(['signup', 'verify', 'login', 'homepage', 'submit']).toContain(params['action']);
  }
});

const validToken = (event: SignupEvent): SimValidToken | undefined => (event.token.kind === 'valid' ? (event.token as SimValidToken) : undefined);

test('people carry tokens for the login host and the signup action, scores mostly 0.9, some 0.7, few low', () => {
  const events = SEEDS.slice(0, 3).flatMap((seed) => [...generated('people-worldwide', seed).events, ...generated('people-burst', seed).events]);
  const tokens = events.map(validToken).filter((token) => token !== undefined);
  expect(tokens.length).toBeGreaterThan(0.9 * events.length);
  for (const token of tokens) {
    expect(token.hostname).toBe('login.coop.example');
    expect(token.action).toBe('signup');
    expect(token.solvesTurnstile).not.toBe(false);
  }
  const share = (score: number) => tokens.filter((token) => token.score === score).length / tokens.length;
  expect(share(0.9)).toBeGreaterThan(0.65);
  expect(share(0.7)).toBeGreaterThan(0.15);
  expect(share(0.1) + share(0.3)).toBeLessThan(0.02);
});

test('people: 25 countries, high-risk local numbers, IDN in both forms, offices, households, CGNAT, IPv6 carriers and own /64s, plus tags, capitals, quoted', () => {
  const events = SEEDS.flatMap((seed) => generated('people-worldwide', seed).events);
  expect(new Set(events.map((event) => event.country)).size).toBe(25);
  const phones = events.filter((event) => event.phone !== undefined);
  expect(phones.some((event) => SMS_HIGH_RISK_COUNTRIES.includes(event.country) && parsePhoneNumber(event.phone ?? '').country === event.country)).toBe(true);
  const domains = events.map((event) => event.email.slice(event.email.lastIndexOf('@') + 1).toLowerCase());
  expect(domains.some((domain) => domain.startsWith('xn--') || domain.includes('.xn--'))).toBe(true);
  expect(domains.some((domain) => /[^\x00-\x7f]/.test(domain))).toBe(true);
  expect(domains.some((domain) => ['naver.com', 'yandex.ru', 'seznam.cz', 'ukr.net'].includes(domain))).toBe(true);
  const byKey = (key: (event: SignupEvent) => string) => {
    const groups = new Map<string, SignupEvent[]>();
    for (const event of events) groups.set(key(event), [...(groups.get(key(event)) ?? []), event]);
    return [...groups.values()];
  };
  const v6 = events.filter((event) => event.ip.includes(':'));
  const per64 = byKey((event) => (event.ip.includes(':') ? prefix64(event.ip) : `v4 ${event.ip}`)).filter((group) => group[0]?.ip.includes(':'));
  expect(per64.some((group) => new Set(group.map((event) => event.ip)).size >= 5)).toBe(true); // a carrier /64
  expect(per64.filter((group) => group.length === 1).length).toBeGreaterThan(v6.length / 10); // own /64s
  const per24 = byKey((event) => event.ip.split('.').slice(0, 3).join('.')).filter((group) => !group[0]?.ip.includes(':'));
  expect(per24.some((group) => new Set(group.map((event) => event.ip)).size >= 4)).toBe(true); // CGNAT
  // an office: one company domain, several colleagues on one IP
  const offices = byKey((event) => event.email.slice(event.email.lastIndexOf('@') + 1)).filter((group) => /-(gmbh|labs|group|co|studio)\d+\./.test(group[0]?.email ?? ''));
  expect(offices.some((group) => group.length >= 3 && new Set(group.map((event) => event.ip)).size === 1)).toBe(true);
  expect(events.some((event) => /^[^"]+\+[a-z]+@(gmail|outlook|hotmail|icloud|proton)\./i.test(event.email))).toBe(true);
  expect(events.some((event) => /[A-Z]/.test(event.email))).toBe(true);
  const quoted = SEEDS.flatMap((seed) => [...generated('people-worldwide', seed).events, ...generated('people-burst', seed).events]).filter((event) => event.email.startsWith('"'));
  for (const event of quoted) expect(event.email).not.toMatch(/@(gmail|outlook|hotmail|yahoo|icloud)\.com$/i);
});

test('bot families are what their summaries say', () => {
  for (const seed of [1, 2, 3]) {
    const rotation = generated('ipv6-rotation', seed).events;
    expect(new Set(rotation.map((event) => prefix64(event.ip))).size).toBeLessThanOrEqual(2);
    expect(new Set(rotation.map((event) => event.ip)).size).toBe(rotation.length);

    const drip = generated('slow-drip', seed);
    const perHour = new Map<string, number>();
    for (const event of drip.events) {
      const key = `${event.ip.split('.').slice(0, 3).join('.')}@${Math.floor(event.at / HOUR)}`;
      perHour.set(key, (perHour.get(key) ?? 0) + 1);
    }
    expect(Math.max(...perHour.values())).toBeLessThanOrEqual(2);
    expect(drip.events.every((event) => /@(gmail|outlook|yahoo|icloud|hotmail)\.com$/.test(event.email))).toBe(true);

    const spread = generated('domain-spread', seed);
    const perDomain = new Map<string, number>();
    for (const event of spread.events) perDomain.set(event.email.split('@')[1] ?? '', (perDomain.get(event.email.split('@')[1] ?? '') ?? 0) + 1);
    expect(Math.max(...perDomain.values())).toBeLessThanOrEqual(spread.params['perDomain'] as number);

    expect(generated('punycode-lookalike', seed).events.every((event) => /@xn--/i.test(event.email))).toBe(true);
    const rotated = generated('country-rotation', seed);
    expect(new Set(rotated.events.map((event) => event.country)).size).toBeGreaterThanOrEqual(Math.min(15, rotated.events.length / 4));

    const plus = generated('plus-variants', seed).events;
    expect(plus.every((event) => /\+[a-z]+\d+@(outlook|hotmail|live|icloud|proton)\./i.test(event.email))).toBe(true);

    for (const event of generated('headless-low-score', seed).events) {
      const token = validToken(event);
      if (token === undefined) continue;
      expect(token.score).toBeLessThan(0.5);
      expect(verifierAnswer(event.token, 'turnstile')).toMatchObject({ valid: false });
      expect(verifierAnswer(event.token, 'recaptcha-v3')).toMatchObject({ valid: true, score: token.score, action: 'signup' });
    }
  }
});

test('a token is answered as each provider would: Turnstile has no score', () => {
  const token = { kind: 'valid', score: 0.7, hostname: 'login.coop.example', action: 'verify' } as const;
  expect(verifierAnswer(token, 'turnstile')).toEqual({ valid: true, hostname: 'login.coop.example', action: 'verify' });
  expect(verifierAnswer(token, 'recaptcha-v3')).toEqual({ valid: true, score: 0.7, hostname: 'login.coop.example', action: 'verify' });
  expect(verifierAnswer({ kind: 'valid', score: 0.9, hostname: 'h.example' }, 'turnstile')).toMatchObject({ action: 'signup' });
  expect(verifierAnswer({ kind: 'missing' }, 'turnstile')).toBeUndefined();
  expect(verifierAnswer({ kind: 'invalid' }, 'recaptcha-v3')).toBeUndefined();
});

test('--families flags', () => {
  expect(takeFamilyFlags(['--families']).captcha).toEqual(['turnstile', 'recaptcha-v3']);
  expect(takeFamilyFlags(['--captcha', 'turnstile'])).toMatchObject({ families: true, captcha: ['turnstile'] });
  expect(takeFamilyFlags(['--captcha=reCAPTCHA-v3']).captcha).toEqual(['recaptcha-v3']);
  expect(takeFamilyFlags(['--captcha', 'both']).captcha).toEqual(['turnstile', 'recaptcha-v3']);
  expect(takeFamilyFlags(['--captcha', 'hcaptcha']).problem).toMatch(/--captcha must be turnstile, recaptcha-v3 or both, not "hcaptcha"/);
  expect(takeFamilyFlags(['--families'])).toMatchObject({ families: true, seeds: 3, scale: 1, only: undefined, json: false, rest: [] });
  expect(takeFamilyFlags(['--quick'])).toMatchObject({ families: true, seeds: 1, quick: true });
  expect(takeFamilyFlags(['--quick', '--seeds=3', '--json'])).toMatchObject({ seeds: 3, json: true });
  expect(takeFamilyFlags(['--family', 'premium-burst,typosquat', '--family=home-users']).only).toEqual(['premium-burst', 'typosquat', 'home-users']);
  expect(takeFamilyFlags(['--family', 'nope']).problem).toMatch(/--family must name families among .*premium-burst.*unknown: "nope"/);
  expect(takeFamilyFlags(['--seeds', '0']).problem).toMatch(/--seeds must be a whole number/);
  expect(takeFamilyFlags(['--seed', '7'])).toMatchObject({ families: true, seed: 7 });
  expect(takeFamilyFlags(['--seed', 'x']).problem).toMatch(/--seed must be a whole number/);
  expect(takeFamilyFlags(['a.json'])).toMatchObject({ families: false, rest: ['a.json'] });
});
