/**
 * The static decision: rules 1-4 of the design, pure and synchronous. Every rule runs (so a log
 * line shows every reason), except that an allow-listed number skips the other number rules.
 * A rule that throws is recorded as an error, never propagated: the caller's fail mode decides.
 */
import { GEO_RULE, checkGeo } from '../rules/geo';
import { LINE_TYPE_RULE, checkLineType } from '../rules/line-type';
import { NETWORK_ZONE_RULE, checkNetworkZones } from '../rules/network-zones';
import { NUMBER_LIST_RULE, checkNumberLists } from '../rules/number-lists';
import { VOICE_ACCESS_RULE, checkVoiceAccess } from '../rules/voice-access';
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

interface StaticRule {
  name: string;
  /** Skipped when the destination number is explicitly allow-listed. */
  numberRule: boolean;
  check: (facts: SendFacts, policy: StaticPolicy) => Finding | undefined;
}

const STATIC_RULES: readonly StaticRule[] = [
  { name: LINE_TYPE_RULE, numberRule: true, check: checkLineType },
  { name: GEO_RULE, numberRule: true, check: checkGeo },
  { name: NETWORK_ZONE_RULE, numberRule: false, check: checkNetworkZones },
  { name: VOICE_ACCESS_RULE, numberRule: false, check: checkVoiceAccess },
];

export function runStaticRules(facts: SendFacts, policy: StaticPolicy): RuleRun {
  const run: RuleRun = { findings: [], errors: [], evaluated: [] };
  const listFinding = runRule(run, NUMBER_LIST_RULE, () => checkNumberLists(facts, policy));
  const numberTrusted = listFinding?.effect === 'trust';
  for (const rule of STATIC_RULES) {
    if (rule.numberRule && numberTrusted) continue;
    runRule(run, rule.name, () => rule.check(facts, policy));
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
