/**
 * The skeleton every entry shares: the fields that open each decision line, and the fail-mode
 * merge (a rule that failed refuses only when the tenant chose GUARD_FAIL_MODE=closed).
 */
import { GUARD_ERROR_RULE, type Finding, type GuardMode } from '../engine/types';

export interface LineBase {
  tollguard: 'decision';
  version: 1;
  at: string;
  mode: GuardMode;
  config_errors: string[] | undefined;
}

export function lineBase(mode: GuardMode, now: number, configErrors: readonly string[]): LineBase {
  return {
    tollguard: 'decision',
    version: 1,
    at: new Date(now).toISOString(),
    mode,
    config_errors: configErrors.length > 0 ? [...configErrors] : undefined,
  };
}

/** Rule errors are bugs or bad data: `closed` adds a refusal that names them, `open` lets the request go. */
export function failModeFinding(ruleErrors: readonly string[], failMode: 'open' | 'closed', what: string): Finding | undefined {
  if (ruleErrors.length === 0 || failMode === 'open') return undefined;
  return { rule: GUARD_ERROR_RULE, effect: 'block', reason: `${what} failed and GUARD_FAIL_MODE is closed` };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
