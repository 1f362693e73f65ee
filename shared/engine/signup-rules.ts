/**
 * The sign-up engine: the offline sign-up rules (shared/rules/registry.ts, SIGNUP_RULES) over what
 * the registration adapter read. Pure; like the phone engines, a rule that throws is recorded as
 * an error, never propagated, and the caller's fail mode decides.
 */
import type { EmailPolicy } from '../email/email-rule';
import type { EmailParseResult } from '../email/address';
import type { IpAddress } from '../net/ip';
import type { RuleError, RuleRun } from './static-rules';
import type { Finding, SignupCountryPolicy, StaticPolicy } from './types';

export interface SignupFacts {
  /** The e-mail address as parsed; undefined when the sign-up has none. */
  email: EmailParseResult | undefined;
  ip: IpAddress | undefined;
  requestCountry: string | undefined;
}

export interface SignupPolicies {
  email: EmailPolicy;
  network: StaticPolicy['network'];
  signupCountry: SignupCountryPolicy;
}

/** The contract of a sign-up rule: its name (as logged) and its check. */
export interface SignupRule {
  name: string;
  check: (facts: SignupFacts, policies: SignupPolicies) => Finding | undefined;
}

export function runSignupRules(facts: SignupFacts, policies: SignupPolicies, rules: readonly SignupRule[]): RuleRun {
  const run: RuleRun = { findings: [], errors: [], evaluated: [] };
  for (const rule of rules) {
    run.evaluated.push(rule.name);
    try {
      const finding = rule.check(facts, policies);
      if (finding !== undefined) run.findings.push(finding);
    } catch (error) {
      const failure: RuleError = { rule: rule.name, message: error instanceof Error ? error.message : String(error) };
      run.errors.push(failure);
    }
  }
  return run;
}
