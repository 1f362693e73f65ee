/** Builders for dynamic-rule tests: a default-filled Counters object and a policy parsed from secrets. */
import { ConfigErrors, type Secrets } from '../../shared/config/static-policy';
import { parseDynamicPolicy, type DynamicPolicy } from '../../shared/config/dynamic-policy';
import { emptyCounters } from '../../shared/engine/dynamic-plan';
import type { Counters } from '../../shared/engine/dynamic-types';

/** Parses the dynamic policy and fails the test if any secret was rejected. */
export function policyOf(secrets: Secrets = {}): DynamicPolicy {
  const errors = new ConfigErrors();
  const policy = parseDynamicPolicy(secrets, errors);
  expect(errors.errors).toEqual([]);
  return policy;
}

export function countersWith(overrides: Partial<Counters> = {}): Counters {
  return { ...emptyCounters(), ...overrides };
}
