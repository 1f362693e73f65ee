/**
 * Issue 11 §2 on the BUILT pre-user-registration bundle: the sign-up country lists take the
 * spellings admins type, and an unreadable allow-list entry does not lock that country's users
 * out (block list and high-risk tier decide instead, and the line says so).
 */
import * as path from 'node:path';
import { buildActions } from '../../scripts/build';
import { ACTION_PACKAGES } from '../../scripts/lib/action-packages';
import { loadAction, preUserRegistrationEvent, runPreUserRegistration, type DeepPartial, type LoadedAction } from '../support/actions-runtime';
import type { PreUserRegistrationEvent } from '../../shared/auth0/types';
import { DIST_DIR, decisionLineOf } from './helpers';

let prefixCounter = 0;

function load(): LoadedAction {
  return loadAction(path.join(DIST_DIR, 'pre-user-registration.js'), { allowedPackages: ACTION_PACKAGES });
}

async function signUp(secrets: Record<string, string>, countryCode = 'US', overrides: DeepPartial<PreUserRegistrationEvent> = {}) {
  prefixCounter += 1;
  const event = preUserRegistrationEvent({ ...overrides, request: { geoip: { countryCode } } });
  event.secrets = { GUARD_KEY_PREFIX: `hreg${prefixCounter}`, ...secrets };
  const invocation = await runPreUserRegistration(load(), event);
  const outcome = invocation.result;
  if (outcome === undefined) throw new Error(`no outcome: ${invocation.error?.message}`);
  return { outcome, line: decisionLineOf(invocation) };
}

beforeAll(async () => {
  await buildActions({ quiet: true });
}, 60_000);

test.each(['USA', 'usa', 'United States', 'USA, CAN'])('GUARD_SIGNUP_ALLOWED_COUNTRIES=%p: a sign-up from the US is allowed, one from France refused', async (raw) => {
  const us = await signUp({ GUARD_SIGNUP_ALLOWED_COUNTRIES: raw });
  expect(us.outcome.denied).toBeUndefined();
  expect(us.line.config_errors).toBeUndefined();
  const france = await signUp({ GUARD_SIGNUP_ALLOWED_COUNTRIES: raw }, 'FR');
  expect(france.outcome.denied).toBeDefined();
  expect(france.line.rules).toContain('signup-country');
});

test('an unreadable entry: the US may still sign up, the tier refuses a high-risk country, and the line says allow-list mode is off', async () => {
  const secrets = { GUARD_SIGNUP_ALLOWED_COUNTRIES: 'CA, Untied States' };
  const us = await signUp(secrets);
  expect(us.outcome.denied).toBeUndefined();
  expect(us.line.config_errors).toEqual([expect.stringMatching(/GUARD_SIGNUP_ALLOWED_COUNTRIES.*"Untied States".*allow-list mode is OFF for sign-ups/)]);
  const nigeria = await signUp(secrets, 'NG');
  expect(nigeria.outcome.denied).toBeDefined();
  expect(nigeria.line.rules).toContain('signup-country');
});

test('GUARD_SIGNUP_BLOCKED_COUNTRIES takes names and alpha-3 codes', async () => {
  expect((await signUp({ GUARD_SIGNUP_BLOCKED_COUNTRIES: 'France' }, 'FR')).outcome.denied).toBeDefined();
  expect((await signUp({ GUARD_SIGNUP_BLOCKED_COUNTRIES: 'FRA' }, 'FR')).outcome.denied).toBeDefined();
  expect((await signUp({ GUARD_SIGNUP_BLOCKED_COUNTRIES: 'FRA' }, 'US')).outcome.denied).toBeUndefined();
});
