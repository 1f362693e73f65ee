/**
 * The static decision engine: rules 1-4 of the design, pure and synchronous, over the ordered rule
 * list it is given (shared/rules/registry.ts). Every rule runs (so a log line shows every reason),
 * except that once a number-trusting rule trusts the destination, later number rules are skipped.
 * A rule that throws is recorded as an error, never propagated: the caller's fail mode decides.
 */
import type { Finding, SendFacts, StaticPolicy } from './types';

export interface RuleError {
  rule: string;
  message: string;
}

export interface RuleRun {
  findings: Finding[];
  errors: RuleError[];
  evaluated: string[];
}

/** The contract of a static rule: its name (as logged), what it is about, and its check. */
export interface StaticRule {
  name: string;
  /**
   * `number`: about the destination number (skipped once the number is trusted); `trusting` also
   * may trust the number (an allow-list); `request`: about the rest of the request.
   */
  scope: 'number' | 'trusting' | 'request';
  check: (facts: SendFacts, policy: StaticPolicy) => Finding | undefined;
}

export function runStaticRules(facts: SendFacts, policy: StaticPolicy, rules: readonly StaticRule[]): RuleRun {
  const run: RuleRun = { findings: [], errors: [], evaluated: [] };
  let numberTrusted = false;
  for (const rule of rules) {
    if (rule.scope === 'number' && numberTrusted) continue;
    const finding = runRule(run, rule.name, () => rule.check(facts, policy));
    if (rule.scope === 'trusting' && finding?.effect === 'trust') numberTrusted = true;
  }
  return run;
}

function runRule(run: RuleRun, name: string, check: () => Finding | undefined): Finding | undefined {
  run.evaluated.push(name);
  try {
    const finding = check();
    if (finding !== undefined) run.findings.push(finding);
    return finding;
  } catch (error) {
    run.errors.push({ rule: name, message: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

export function isTrusted(run: RuleRun, rule: string): boolean {
  return run.findings.some((finding) => finding.rule === rule && finding.effect === 'trust');
}
