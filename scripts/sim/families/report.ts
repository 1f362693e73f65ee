/**
 * Summaries and tables of a families run: per family, the median and the worst over the seeds for
 * tollguard and every baseline, the worst seed's parameters, and the targets of issues 10 and 14
 * checked against tollguard's worst case.
 */
import { SEND_BASELINES, SIGNUP_BASELINES } from '../baselines';
import type { Guard, SendSeedResult } from './run-send';
import type { SignupGuard, SignupSeedResult } from './run-signup';
import type { Params } from './types';
import { median, share, worst } from './metrics';

export const TARGETS = {
  fraudCostBlocked: 0.98,
  legitLost: 0.003,
  beforeContainment: 50,
  peopleRefused: 0.005,
  botsTrusted: 0.15,
} as const;

export interface Figure {
  median: number;
  worst: number;
  worstSeed: number | undefined;
}

export interface FamilySummary {
  family: string;
  kind: string;
  seeds: number;
  /** metric → guard → figure */
  metrics: Record<string, Record<string, Figure>>;
  worstParams: Params | undefined;
  worstSeed: number | undefined;
  /** Sign-up families: the CAPTCHA provider the figures were measured under. */
  captcha?: string;
  rules: Record<string, number>;
  misses: string[];
  /** Every seed's raw tallies (for --json). */
  runs: ReadonlyArray<{ seed: number; params: Params; tallies: object; rules: Record<string, number> }>;
}

function figure(values: number[], seeds: number[], higherIsWorse: boolean): Figure {
  const bad = worst(values, higherIsWorse);
  return { median: median(values), worst: bad.value, worstSeed: seeds[bad.index] };
}

function sumRules(list: ReadonlyArray<{ rules: Record<string, number> }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of list) for (const [rule, count] of Object.entries(item.rules)) out[rule] = (out[rule] ?? 0) + count;
  return out;
}

export function summariseSend(results: readonly SendSeedResult[], order: readonly string[]): FamilySummary[] {
  const guards: Guard[] = ['tollguard', ...SEND_BASELINES];
  return order.flatMap((name) => {
    const runs = results.filter((result) => result.family === name && result.phase !== 'attacked');
    if (runs.length === 0) return [];
    const seeds = runs.map((run) => run.seed);
    const kind = runs[0]?.kind ?? 'legit';
    const metrics: Record<string, Record<string, Figure>> = {};
    const per = (metric: string, value: (run: SendSeedResult, guard: Guard) => number, higherIsWorse: boolean) => {
      metrics[metric] = Object.fromEntries(guards.map((guard) => [guard, figure(runs.map((run) => value(run, guard)), seeds, higherIsWorse)]));
    };
    if (kind === 'attack') {
      per('fraud cost blocked', (run, guard) => share(run.tallies[guard].costBlocked, run.tallies[guard].cost), false);
      per('delivered before containment', (run, guard) => run.tallies[guard].beforeContainment, true);
      per('fraud cost delivered (USD)', (run, guard) => run.tallies[guard].cost - run.tallies[guard].costBlocked, true);
      per('extra legit OTPs lost (collat.)', (run, guard) => share(run.tallies[guard].collateralLost, run.tallies[guard].legitAttempts), true);
    } else {
      const phase = (wanted: 'quiet' | 'attacked') => (run: SendSeedResult, guard: Guard) => {
        const twin = run.phase === wanted ? run : results.find((other) => other.family === run.family && other.seed === run.seed && other.phase === wanted);
        return twin === undefined ? Number.NaN : share(twin.tallies[guard].refused, twin.tallies[guard].attempts);
      };
      per('legit OTPs lost, no attack', phase('quiet'), true);
      per('legit OTPs lost, during attacks', phase('attacked'), true);
      per('legit OTPs per seed (fewest)', (run, guard) => run.tallies[guard].attempts, false);
    }
    const headline = kind === 'attack' ? metrics['fraud cost blocked'] : metrics['legit OTPs lost, no attack'];
    const worstSeed = headline?.['tollguard']?.worstSeed;
    const misses: string[] = [];
    const own = (metric: string) => metrics[metric]?.['tollguard'];
    if (kind === 'attack') {
      const blocked = own('fraud cost blocked');
      const before = own('delivered before containment');
      if (blocked && blocked.worst < TARGETS.fraudCostBlocked) misses.push(`fraud cost blocked ${pct(blocked.worst)} on seed ${blocked.worstSeed} (target >= 98%)`);
      if (before && before.worst > TARGETS.beforeContainment) misses.push(`${before.worst} delivered before containment on seed ${before.worstSeed} (target <= 50)`);
    } else {
      for (const metric of ['legit OTPs lost, no attack', 'legit OTPs lost, during attacks']) {
        const lost = own(metric);
        if (lost && lost.worst > TARGETS.legitLost) misses.push(`${metric.replace('legit OTPs lost', 'legitimate OTPs lost')} ${pct(lost.worst, 2)} on seed ${lost.worstSeed} (target <= 0.3%)`);
      }
    }
    return [{ family: name, kind, seeds: runs.length, metrics, worstSeed, worstParams: runs.find((run) => run.seed === worstSeed)?.params, rules: sumRules(results.filter((result) => result.family === name)), misses, runs: results.filter((result) => result.family === name).map(({ seed, params, tallies, rules, phase }) => ({ seed, params, tallies, rules, ...(phase ? { phase } : {}) })) }];
  });
}

/** One target line of the sign-up report: a family under one CAPTCHA provider against its target. */
export interface SignupTarget {
  family: string;
  captcha: string;
  metric: string;
  target: string;
  worst: number;
  worstSeed: number | undefined;
  met: boolean;
}

export const PEOPLE_REFUSED = 'people refused (denied)';
export const PEOPLE_LOW = 'people given low trust';
export const BOTS_TRUSTED = 'bots created standard+';
export const BOTS_DENIED = 'bots denied';

/** Per family and CAPTCHA provider (in `providers` order), the sign-up figures for tollguard and every baseline. */
export function summariseSignup(results: readonly SignupSeedResult[], order: readonly string[], providers: readonly string[] = [...new Set(results.map((result) => result.captcha))]): FamilySummary[] {
  const guards: SignupGuard[] = ['tollguard', ...SIGNUP_BASELINES];
  return providers.flatMap((captcha) => order.flatMap((name) => {
    const runs = results.filter((result) => result.family === name && result.captcha === captcha);
    if (runs.length === 0) return [];
    const seeds = runs.map((run) => run.seed);
    const kind = runs[0]?.kind ?? 'people';
    const metrics: Record<string, Record<string, Figure>> = {};
    const per = (metric: string, value: (run: SignupSeedResult, guard: SignupGuard) => number, higherIsWorse: boolean) => {
      metrics[metric] = Object.fromEntries(guards.map((guard) => [guard, figure(runs.map((run) => value(run, guard)), seeds, higherIsWorse)]));
    };
    if (kind === 'people') {
      per(PEOPLE_REFUSED, (run, guard) => share(run.tallies[guard].denied, run.tallies[guard].attempts), true);
      per(PEOPLE_LOW, (run, guard) => share(run.tallies[guard].lowTrust, run.tallies[guard].attempts), true);
    } else {
      per(BOTS_TRUSTED, (run, guard) => share(run.tallies[guard].trusted, run.tallies[guard].attempts), true);
      per(BOTS_DENIED, (run, guard) => share(run.tallies[guard].denied, run.tallies[guard].attempts), false);
    }
    const target = signupTarget(name, captcha, kind, metrics);
    const misses = target.met ? [] : [kind === 'people' ? `people refused ${pct(target.worst, 2)} on seed ${target.worstSeed} (target <= 0.5% on every seed)` : `${pct(target.worst)} created with standard trust or better on seed ${target.worstSeed} (target <= 15%)`];
    return [{ family: name, kind, captcha, seeds: runs.length, metrics, worstSeed: target.worstSeed, worstParams: runs.find((run) => run.seed === target.worstSeed)?.params, rules: sumRules(runs), misses, runs: runs.map(({ seed, params, tallies, rules }) => ({ seed, params, tallies, rules })) }];
  }));
}

/** Tollguard's worst seed against the family's target: people refused <= 0.5 %, bots created standard+ <= 15 %. */
export function signupTarget(family: string, captcha: string, kind: string, metrics: Record<string, Record<string, Figure>>): SignupTarget {
  const people = kind === 'people';
  const metric = people ? PEOPLE_REFUSED : BOTS_TRUSTED;
  const own = metrics[metric]?.['tollguard'];
  const limit = people ? TARGETS.peopleRefused : TARGETS.botsTrusted;
  const worstValue = own?.worst ?? Number.NaN;
  return { family, captcha, metric, target: people ? '<= 0.5% on every seed' : '<= 15%', worst: worstValue, worstSeed: own?.worstSeed, met: !Number.isNaN(worstValue) && worstValue <= limit + 1e-12 };
}

export function signupTargets(summaries: readonly FamilySummary[]): SignupTarget[] {
  return summaries.map((summary) => signupTarget(summary.family, summary.captcha ?? '', summary.kind, summary.metrics));
}

export function pct(value: number, digits = 1): string {
  return Number.isNaN(value) ? '-' : `${(100 * value).toFixed(digits)}%`;
}

function cell(metric: string, value: number): string {
  if (Number.isNaN(value)) return '-';
  if (metric.includes('per seed') || metric.includes('containment')) return String(Math.round(value));
  if (metric.includes('USD')) return value.toFixed(2);
  return pct(value, metric.includes('lost') || metric.includes('refused') || metric.includes('denied') ? 2 : 1);
}

export function formatParams(params: Params | undefined): string {
  if (params === undefined) return '';
  return Object.entries(params)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : typeof value === 'object' ? Object.keys(value).join(',') : String(value)}`)
    .join(' ');
}

/** A plain-text table: one block per family, one row per metric, "median / worst" per guard. */
export function formatTable(title: string, summaries: readonly FamilySummary[], guards: readonly string[]): string {
  const lines: string[] = [`\n${title}`];
  const width = 17;
  lines.push(`${'family'.padEnd(22)} ${'metric (median / worst)'.padEnd(30)} ${guards.map((guard) => guard.padStart(width)).join(' ')}`);
  for (const summary of summaries) {
    Object.entries(summary.metrics).forEach(([metric, byGuard], row) => {
      const label = row === 0 ? `${summary.kind === 'attack' || summary.kind === 'bots' ? '!' : ' '} ${summary.family}` : '';
      const cells = guards.map((guard) => {
        const value = byGuard[guard];
        return (value === undefined ? '-' : `${cell(metric, value.median)} / ${cell(metric, value.worst)}`).padStart(width);
      });
      lines.push(`${label.padEnd(22)} ${metric.padEnd(30)} ${cells.join(' ')}`);
    });
    const rules = Object.entries(summary.rules).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([rule, count]) => `${rule} ${count}`).join(', ');
    lines.push(`${''.padEnd(22)} tollguard refusals by rule: ${rules || 'none'}`);
    lines.push(`${''.padEnd(22)} worst seed ${summary.worstSeed ?? '-'}: ${formatParams(summary.worstParams)}`);
  }
  const misses = summaries.flatMap((summary) => summary.misses.map((miss) => `  ${summary.family}: ${miss}`));
  lines.push(misses.length === 0 ? 'every family within its target on every seed' : `targets missed (tollguard, worst seed):\n${misses.join('\n')}`);
  return lines.join('\n');
}

export const CAPTCHA_LABELS: Readonly<Record<string, string>> = { turnstile: 'Turnstile', 'recaptcha-v3': 'reCAPTCHA v3' };

/**
 * The sign-up tables: one per CAPTCHA provider, one block per family, the target row of each family
 * marked met / NOT MET from tollguard's worst seed; then the leak check and every target line.
 */
export function formatSignupTables(title: string, summaries: readonly FamilySummary[], guards: readonly string[], leaks: { checked: number; leaks: ReadonlyArray<{ family: string; captcha: string; seed: number; what: string }> }, decisionsBy: Readonly<Record<string, number | undefined>> = {}): string {
  const lines: string[] = [];
  const width = 17;
  const providers = [...new Set(summaries.map((summary) => summary.captcha ?? ''))];
  lines.push(`\n${title}`);
  for (const captcha of providers) {
    const count = decisionsBy[captcha];
    lines.push(`\nCAPTCHA ${CAPTCHA_LABELS[captcha] ?? captcha}${count === undefined ? '' : `: ${count} sign-ups`}`);
    lines.push(`${'family'.padEnd(22)} ${'metric (median / worst)'.padEnd(30)} ${guards.map((guard) => guard.padStart(width)).join(' ')}`);
    for (const summary of summaries.filter((candidate) => (candidate.captcha ?? '') === captcha)) {
      const target = signupTarget(summary.family, captcha, summary.kind, summary.metrics);
      Object.entries(summary.metrics).forEach(([metric, byGuard], row) => {
        const label = row === 0 ? `${summary.kind === 'bots' ? '!' : ' '} ${summary.family}` : '';
        const cells = guards.map((guard) => {
          const value = byGuard[guard];
          return (value === undefined ? '-' : `${cell(metric, value.median)} / ${cell(metric, value.worst)}`).padStart(width);
        });
        const mark = metric === target.metric ? `  ${target.met ? 'met' : 'NOT MET'} (target ${target.target})` : '';
        lines.push(`${label.padEnd(22)} ${metric.padEnd(30)} ${cells.join(' ')}${mark}`);
      });
      const rules = Object.entries(summary.rules).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([rule, count]) => `${rule} ${count}`).join(', ');
      lines.push(`${''.padEnd(22)} tollguard refusals by rule: ${rules || 'none'}`);
      lines.push(`${''.padEnd(22)} worst seed ${summary.worstSeed ?? '-'}: ${formatParams(summary.worstParams)}`);
    }
  }
  const targets = signupTargets(summaries);
  const missed = targets.filter((target) => !target.met);
  lines.push(`\nsign-up targets (tollguard, worst seed): ${targets.length - missed.length} of ${targets.length} met`);
  for (const target of missed) lines.push(`  NOT MET ${target.family} (${CAPTCHA_LABELS[target.captcha] ?? target.captcha}): ${target.metric} ${pct(target.worst, 2)} on seed ${target.worstSeed} (target ${target.target})`);
  const byKind = new Map<string, number>();
  for (const leak of leaks.leaks) byKind.set(leak.what, (byKind.get(leak.what) ?? 0) + 1);
  lines.push(
    leaks.leaks.length === 0
      ? `leak check: ${leaks.checked} decisions, no CAPTCHA token, secret, full phone number or e-mail local part in any log line or denial reason: met`
      : `leak check: NOT MET, ${leaks.leaks.length} of ${leaks.checked} decisions leaked (${[...byKind].map(([what, count]) => `${what} ${count}`).join(', ')}; first: ${leaks.leaks[0]?.family} seed ${leaks.leaks[0]?.seed} ${leaks.leaks[0]?.captcha})`,
  );
  return lines.join('\n');
}
