/** Builders for dynamic-rule tests: a default-filled Counters object and a policy parsed from secrets. */
import { ConfigErrors, type Secrets } from '../../shared/config/static-policy';
import { parseDynamicPolicy, type DynamicPolicy } from '../../shared/config/dynamic-policy';
import { emptyCounters } from '../../shared/engine/dynamic-plan';
import type { Counters, DynamicFacts } from '../../shared/engine/dynamic-types';
import type { SendFacts } from '../../shared/engine/types';
import { rangeOf } from '../../shared/rules/prefix-anomaly';
import { readTrustTier } from '../../shared/trust';

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

/** Dynamic facts for plain static facts: nothing trusted, not blocked, a standard prior. */
export function dynamicFactsFor(facts: SendFacts): DynamicFacts {
  return {
    trigger: 'send-phone-message',
    facts,
    trustedNumber: false,
    trustedNetwork: false,
    trust: readTrustTier(facts.user.appMetadata),
    range: rangeOf(facts.number.e164, facts.number.callingCode, 4),
    block: rangeOf(facts.number.e164, facts.number.callingCode, 5),
    tierBlocked: false,
    highRiskCountry: false,
    staticBlocked: false,
    firmStaticBlock: false,
  };
}
