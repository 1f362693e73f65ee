/**
 * Runs the dynamic rules (DESIGN rules 5-6) it is given (shared/rules/registry.ts) over the store's
 * answers. Pure; like the static engine, a rule that throws is recorded, never propagated.
 */
import type { BlockWrite, Counters, DynamicFinding, DynamicRuleContext } from './dynamic-types';
import type { RuleError } from './static-rules';
import type { Finding } from './types';

/** The contract of a dynamic rule: its name (as logged), the counters it reads, and its check. */
export interface DynamicRule {
  name: string;
  reads: ReadonlyArray<keyof Counters>;
  check: (context: DynamicRuleContext) => DynamicFinding | undefined;
}

export interface DynamicRun {
  findings: Finding[];
  writes: BlockWrite[];
  errors: RuleError[];
  evaluated: string[];
}

export function runDynamicRules(context: DynamicRuleContext, rules: readonly DynamicRule[]): DynamicRun {
  const run: DynamicRun = { findings: [], writes: [], errors: [], evaluated: [] };
  for (const { name, check } of rules) {
    run.evaluated.push(name);
    try {
      const outcome = check(context);
      if (outcome === undefined) continue;
      run.findings.push(outcome.finding);
      run.writes.push(...(outcome.writes ?? []));
    } catch (error) {
      run.errors.push({ rule: name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return run;
}

/**
 * The writes worth a store request: a block the store already holds until at least halfway to the
 * new end is not written again. A rise that goes on renews its block about twice per block period,
 * not on every refused attempt (the attacker's attempts would otherwise each cost a request).
 * A key the batch did not read is always written.
 */
export function writesToRecord(writes: readonly BlockWrite[], stored: ReadonlyMap<string, number | undefined>, now: number): BlockWrite[] {
  return writes.filter((write) => {
    const until = stored.get(write.key);
    return until === undefined || until < now + (write.until - now) / 2;
  });
}
