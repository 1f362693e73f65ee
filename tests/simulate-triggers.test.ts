/**
 * `npm run simulate --trigger ...`: the same traffic through the built send-phone-message and
 * custom-phone-provider Actions gives the same figures, wave by wave (both run one pipeline).
 */
import { join } from 'node:path';
import { buildActions } from '../scripts/build';
import { simulate } from '../scripts/simulate';
import { loadPrices, loadScenario } from '../scripts/sim/scenario';
import { takeTriggerFlag } from '../scripts/sim/phone-trigger';

const SCENARIOS = join(__dirname, '..', 'scripts', 'scenarios');

beforeAll(async () => {
  await buildActions({ quiet: true });
});

test('the default scenario: identical per-wave tallies through both send triggers', async () => {
  const scenario = loadScenario(join(SCENARIOS, 'default.json'));
  const prices = loadPrices(join(SCENARIOS, 'prices.json'));
  const legacy = await simulate(scenario, prices, { quiet: true, trigger: 'send-phone-message' });
  const unified = await simulate(scenario, prices, { quiet: true, trigger: 'custom-phone-provider' });
  const tallies = (result: typeof legacy, legit: boolean) => result.waves.filter((wave) => wave.legit === legit).map((wave) => ({ label: wave.label, attempts: wave.attempts, delivered: wave.delivered, blocked: wave.blocked, rules: [...wave.rules.entries()].sort() }));
  // Attacks are enrolments: both triggers judge them alike.
  expect(tallies(unified, false)).toEqual(tallies(legacy, false));
  expect(unified.decisions).toBe(legacy.decisions);
  // A legacy challenge goes to a confirmed factor and is trusted; a unified otp_verify may be a
  // passwordless login to any number and is not: the legacy trigger never refuses more people.
  const legitBlocked = (result: typeof legacy) => tallies(result, true).map((wave) => wave.blocked);
  legitBlocked(legacy).forEach((blocked, index) => expect(blocked).toBeLessThanOrEqual(legitBlocked(unified)[index] ?? 0));
  expect(legacy.attackCostBlockedShare).toBeGreaterThan(0.9);
  expect(legacy.legitBlockedShare).toBeLessThan(0.01);
}, 120_000);

test('--trigger is validated', () => {
  expect(takeTriggerFlag(['--trigger', 'custom-phone-provider', 'a.json'])).toEqual({ trigger: 'custom-phone-provider', rest: ['a.json'] });
  expect(takeTriggerFlag(['b.json'])).toEqual({ trigger: 'send-phone-message', rest: ['b.json'] });
  expect(takeTriggerFlag(['--trigger=okta']).problem).toMatch(/--trigger must be one of send-phone-message, custom-phone-provider/);
});
