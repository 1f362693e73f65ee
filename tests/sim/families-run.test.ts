/**
 * A small families run through the BUILT bundles: it completes, every family's tallies add up
 * (attempts = delivered + refused, cost = the family's own priced events, blocked <= attempted),
 * the baselines are what they say on the same events, and both send triggers give the same
 * figures. Behaviour only: today's detection rates are not asserted.
 */
import { join } from 'node:path';
import { buildActions } from '../../scripts/build';
import { loadPrices, priceOf } from '../../scripts/sim/scenario';
import { runSendFamilies } from '../../scripts/sim/families/run-send';
import { runSignupFamilies } from '../../scripts/sim/families/run-signup';
import { SEND_FAMILIES, sendWorld } from '../../scripts/sim/families/send';
import { SIGNUP_FAMILIES, signupWorld } from '../../scripts/sim/families/signup';
import { HOUR, streamFor } from '../../scripts/sim/families/common';
import { staticGeo } from '../../scripts/sim/baselines';
import { summariseSend, summariseSignup, formatSignupTables, formatTable } from '../../scripts/sim/families/report';

const prices = loadPrices(join(__dirname, '..', '..', 'scripts', 'scenarios', 'prices.json'));
const SEED = 3;
const SCALE = 0.1;

beforeAll(async () => {
  await buildActions({ quiet: true });
}, 120_000);

test('send families: tallies add up, baselines hold, both triggers agree', async () => {
  const options = { seeds: [SEED], scale: SCALE, prices, only: ['premium-burst'], secrets: {} };
  const legacy = await runSendFamilies({ ...options, trigger: 'send-phone-message' });
  const unified = await runSendFamilies({ ...options, trigger: 'custom-phone-provider' });
  // The attack's enrolments are judged alike by both triggers. A legacy challenge goes to a
  // confirmed factor and is trusted, a unified otp_verify is not: people fare no worse on legacy.
  const attackOf = (run: typeof legacy) => run.results.filter((result) => result.kind === 'attack');
  expect(attackOf(unified).map((result) => ({ ...result, tallies: { ...result.tallies, tollguard: { ...result.tallies.tollguard, collateralLost: 0 } } })))
    .toEqual(attackOf(legacy).map((result) => ({ ...result, tallies: { ...result.tallies, tollguard: { ...result.tallies.tollguard, collateralLost: 0 } } })));
  for (const result of legacy.results.filter((candidate) => candidate.kind === 'legit')) {
    const twin = unified.results.find((candidate) => candidate.family === result.family && candidate.phase === result.phase);
    expect(result.tallies.tollguard.refused).toBeLessThanOrEqual(twin?.tallies.tollguard.refused ?? -1);
  }
  const legitNames = ['high-risk-residents', 'home-users', 'marketing-burst', 'rare-countries'];
  // each legitimate family twice: alone (quiet) and during the attack
  expect(legacy.results.map((result) => `${result.family}${result.phase ? `:${result.phase}` : ''}`).sort()).toEqual(
    [...legitNames.flatMap((name) => [`${name}:attacked`, `${name}:quiet`]), 'premium-burst'].sort(),
  );

  const world = sendWorld(SEED, SCALE);
  let decisions = 0;
  for (const result of legacy.results) {
    const family = SEND_FAMILIES.find((candidate) => candidate.name === result.family);
    const events = (family?.generate(streamFor(SEED, result.family), world).events ?? []).filter((event) => event.at < world.start + world.hours * HOUR);
    decisions += events.length;
    const cost = events.reduce((sum, event) => sum + priceOf(prices, event.channel, event.country), 0);
    for (const tally of Object.values(result.tallies)) {
      expect(tally.attempts).toBe(events.length);
      expect(tally.refused).toBeGreaterThanOrEqual(0);
      expect(tally.refused).toBeLessThanOrEqual(tally.attempts);
      expect(tally.cost).toBeCloseTo(cost, 6);
      expect(tally.costBlocked).toBeLessThanOrEqual(tally.cost + 1e-9);
      if (result.kind === 'attack') expect(tally.beforeContainment).toBeLessThanOrEqual(tally.attempts - tally.refused);
    }
    expect(result.tallies.none).toMatchObject({ refused: 0, costBlocked: 0, collateralLost: 0 });
    if (result.kind === 'attack') {
      const legitEvents = SEND_FAMILIES.filter((candidate) => candidate.kind === 'legit')
        .flatMap((candidate) => candidate.generate(streamFor(SEED, candidate.name), world).events)
        .filter((event) => event.at < world.start + world.hours * HOUR).length;
      for (const tally of Object.values(result.tallies)) {
        expect(tally.legitAttempts).toBe(legitEvents);
        expect(tally.collateralLost).toBeLessThanOrEqual(tally.legitAttempts);
      }
    }
    // nothing refused, nothing contained: the figure is the largest wave
    const waveSizes = [...new Set(events.map((event) => event.wave))].map((wave) => events.filter((event) => event.wave === wave).length);
    if (result.kind === 'attack') expect(result.tallies.none.beforeContainment).toBe(Math.max(...waveSizes));
    expect(result.tallies['static-geo'].refused).toBe(staticGeo(events).filter(Boolean).length);
    const ruled = Object.values(result.rules).reduce((sum, count) => sum + count, 0);
    expect(ruled).toBeGreaterThanOrEqual(result.tallies.tollguard.refused);
    if (result.tallies.tollguard.refused === 0) expect(ruled).toBe(0);
  }
  expect(legacy.decisions).toBe(decisions);

  const table = formatTable('t', summariseSend(legacy.results, SEND_FAMILIES.map((family) => family.name)), ['tollguard', 'none']);
  for (const name of ['home-users', 'premium-burst']) expect(table).toContain(name);
  expect(table).toMatch(/worst seed 3: country=/);
}, 120_000);

test('sign-up families under both providers: every attempt is denied, created low-trust or created trusted, on every guard; nothing leaks', async () => {
  const run = await runSignupFamilies({ seeds: [SEED], scale: 0.2, only: ['typosquat', 'headless-low-score'], secrets: {} });
  const world = signupWorld(SEED, 0.2);
  const names = ['headless-low-score', 'people-burst', 'people-worldwide', 'typosquat'];
  expect(run.results.map((result) => `${result.captcha}:${result.family}`).sort()).toEqual([...names.map((name) => `recaptcha-v3:${name}`), ...names.map((name) => `turnstile:${name}`)]);
  let bots = 0;
  for (const result of run.results) {
    const family = SIGNUP_FAMILIES.find((candidate) => candidate.name === result.family);
    const events = family?.generate(streamFor(SEED, result.family), world).events ?? [];
    // people are pooled over the seed's two worlds (one per bot family)
    const worlds = result.kind === 'people' ? 2 : 1;
    if (result.kind === 'bots' && result.captcha === 'turnstile') bots += events.length;
    for (const tally of Object.values(result.tallies)) {
      expect(tally.attempts).toBe(worlds * events.length);
      expect(tally.denied + tally.lowTrust + tally.trusted).toBe(tally.attempts);
    }
    expect(result.tallies.none).toMatchObject({ denied: 0, lowTrust: 0, trusted: worlds * events.length });
    expect(result.tallies['ip-throttle'].lowTrust).toBe(0);
    expect(Object.values(result.rules).reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(result.tallies.tollguard.denied);
  }
  const peopleEvents = SIGNUP_FAMILIES.filter((family) => family.kind === 'people').reduce((sum, family) => sum + family.generate(streamFor(SEED, family.name), world).events.length, 0);
  expect(run.decisions).toBe(2 * (2 * peopleEvents + bots));
  expect(run.leakCheck).toEqual({ checked: run.decisions, leaks: [] });
  // the same traffic: the baselines see no CAPTCHA, so both providers give them the same figures
  const baselineOf = (captcha: string) => run.results.filter((result) => result.captcha === captcha).map((result) => [result.family, result.tallies['ip-throttle'], result.tallies['disposable-list']]);
  expect(baselineOf('turnstile')).toEqual(baselineOf('recaptcha-v3'));
  const report = formatSignupTables('t', summariseSignup(run.results, names), ['tollguard', 'none'], run.leakCheck);
  expect(report).toMatch(/CAPTCHA Turnstile[\s\S]*CAPTCHA reCAPTCHA v3/);
  expect(report).toMatch(/sign-up targets \(tollguard, worst seed\): \d+ of 8 met/);
}, 180_000);
