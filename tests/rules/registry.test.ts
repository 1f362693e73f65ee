/**
 * The rule registry is the one list of rules: names are unique, the number lists run first, and
 * every dynamic rule reads only the counters it declares (a counter it did not declare throws).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseRegistrationPolicy } from '../../shared/register/registration-policy';
import { ConfigErrors, parseStaticPolicy } from '../../shared/config/static-policy';
import { parseEmail } from '../../shared/email/address';
import { parseEmailPolicy } from '../../shared/email/email-rule';
import { runDynamicRules } from '../../shared/engine/dynamic-rules';
import { runSignupRules } from '../../shared/engine/signup-rules';
import { parseIp } from '../../shared/net/ip';
import { SIGNUP_RULES } from '../../shared/rules/signup-registry';
import type { Counters } from '../../shared/engine/dynamic-types';
import { DYNAMIC_RULES, STATIC_RULES } from '../../shared/rules/registry';
import { GuardKeys } from '../../shared/store/keys';
import { countersWith, dynamicFactsFor, policyOf } from '../support/dynamic-context';
import { NUMBERS, factsFor } from '../support/facts';

test('rule names are unique across both lists; the number lists come first', () => {
  const names = [...STATIC_RULES, ...DYNAMIC_RULES].map((rule) => rule.name);
  expect(new Set(names).size).toBe(names.length);
  expect(STATIC_RULES[0]).toMatchObject({ name: 'number-list', scope: 'trusting' });
  expect(STATIC_RULES.filter((rule) => rule.scope === 'trusting')).toHaveLength(1);
});

const NOW = Date.UTC(2026, 11, 1, 12, 30);

/** Counters with every slot filled; reading a slot the rule did not declare throws. */
function guarded(reads: ReadonlyArray<keyof Counters>): Counters {
  const full = countersWith({
    serviceLockUntil: NOW - 1,
    rangeBlockedUntil: NOW - 1,
    countryBlockedUntil: NOW - 1,
    streak: { previousAt: NOW - 1000, streak: 2 },
    number: { current: 1, previous: 0 },
    user: { current: 1, previous: 0 },
    ip: { current: 1, previous: 0 },
    subnet: { current: 1, previous: 0 },
    country: { current: 1, previous: 0 },
    service: { current: 1, previous: 0 },
    range: { current: 1, baseline: 1, windows: 100 },
    countryRate: { current: 1, baseline: 1, windows: 100 },
    tenantRate: { current: 1, baseline: 50, windows: 100 },
  });
  return new Proxy(full, {
    get(target, key) {
      if (typeof key === 'string' && key in target && !(reads as readonly string[]).includes(key)) throw new Error(`read undeclared counter ${key}`);
      return Reflect.get(target, key);
    },
  });
}

test.each(DYNAMIC_RULES.map((rule) => [rule.name, rule] as const))('%s reads only the counters it declares', (_name, rule) => {
  const facts = factsFor(NUMBERS.US, { now: NOW, ip: '198.51.100.7' });
  const input = dynamicFactsFor({ ...facts, user: { id: 'auth0|reads', appMetadata: {} } });
  const run = runDynamicRules({ input, counters: guarded(rule.reads), policy: policyOf({ GUARD_LIMIT_COUNTRY: '50/1h' }), keys: new GuardKeys('t') }, [rule]);
  expect(run.errors).toEqual([]);
  expect(run.evaluated).toEqual([rule.name]);
});

test('the guard itself catches a rule that reads what it did not declare', () => {
  const input = dynamicFactsFor(factsFor(NUMBERS.US, { now: NOW }));
  const rule = DYNAMIC_RULES.find((candidate) => candidate.name === 'number-velocity');
  if (rule === undefined) throw new Error('number-velocity is not registered');
  const run = runDynamicRules({ input, counters: guarded([]), policy: policyOf(), keys: new GuardKeys('t') }, [rule]);
  expect(run.errors).toEqual([{ rule: 'number-velocity', message: expect.stringContaining('read undeclared counter') }]);
});

describe('the sign-up list', () => {
  const policies = () => {
    const errors = new ConfigErrors();
    return {
      email: parseEmailPolicy({}, errors),
      network: parseStaticPolicy({ GUARD_BLOCKED_IPS: '203.0.113.0/24' }, errors).network,
      signupCountry: parseRegistrationPolicy({ GUARD_SIGNUP_BLOCKED_COUNTRIES: 'KP' }, errors).signupCountry,
    };
  };

  test('runs e-mail, network zones and sign-up country, each finding under its own rule', () => {
    const run = runSignupRules(
      { email: parseEmail('x@mailinator.com'), ip: parseIp('203.0.113.9'), requestCountry: 'KP' },
      policies(),
      SIGNUP_RULES,
    );
    expect(run.evaluated).toEqual(['email', 'network-zone', 'signup-country']);
    expect(run.findings.map((finding) => finding.rule)).toEqual(['email', 'network-zone', 'signup-country']);
    expect(run.errors).toEqual([]);
  });

  test('a rule that throws is an error of that rule; the others still run', () => {
    const exploding = { name: 'exploding', check: () => { throw new Error('boom'); } };
    const run = runSignupRules({ email: undefined, ip: undefined, requestCountry: 'KP' }, policies(), [exploding, ...SIGNUP_RULES]);
    expect(run.errors).toEqual([{ rule: 'exploding', message: 'boom' }]);
    expect(run.findings.map((finding) => finding.rule)).toEqual(['signup-country']);
  });
});

test('the engines import no rule module (the registries hand them their lists)', () => {
  const engineDir = join(__dirname, '..', '..', 'shared', 'engine');
  for (const file of readdirSync(engineDir)) {
    const source = readFileSync(join(engineDir, file), 'utf8');
    expect([file, source.match(/from '\.\.\/rules\/[^']+'/g) ?? []]).toEqual([file, []]);
  }
});
