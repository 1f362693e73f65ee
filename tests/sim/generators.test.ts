/** Every family is a deterministic function of its seed, and its events are what it says they are. */
import { parsePhoneNumber } from 'libphonenumber-js/max';
import { SEND_FAMILIES, sendWorld } from '../../scripts/sim/families/send';
import { SIGNUP_FAMILIES, signupWorld } from '../../scripts/sim/families/signup';
import { HOUR, streamFor } from '../../scripts/sim/families/common';
import { takeFamilyFlags } from '../../scripts/sim/families/cli';

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
      expect(event.email).toMatch(/^[^@\s]+@[^@\s]+\.[^@\s]+$/);
      expect(event.country).toMatch(/^[A-Z]{2}$/);
      if (event.phone !== undefined) expect(parsePhoneNumber(event.phone).isValid()).toBe(true);
    }
  });
});

test('--families flags', () => {
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
