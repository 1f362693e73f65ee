/**
 * `npm run simulate -- --families [--seeds N | --seed K] [--quick] [--family NAME ...] [--captcha P] [--json] [--trigger T]`:
 * the flags of the families mode and the run that prints (or emits as JSON) both tables.
 * `--captcha turnstile|recaptcha-v3|both` (default both) picks the providers the sign-up families run under.
 */
import type { SendTrigger } from '../phone-trigger';
import type { PriceTable } from '../scenario';
import { SEND_BASELINES, SIGNUP_BASELINES } from '../baselines';
import { SEND_FAMILIES } from './send';
import { SIGNUP_FAMILIES } from './signup';
import { runSendFamilies } from './run-send';
import { runSignupFamilies, type LeakCheck } from './run-signup';
import { formatSignupTables, formatTable, signupTargets, summariseSend, summariseSignup, type FamilySummary, type SignupTarget } from './report';
import { CAPTCHA_PROVIDERS_SIMULATED, type SimCaptchaProvider } from './signup/tokens';
import { MONITOR_EVERY_MS } from '../feedback';
import { openSimStore } from '../sim-store';

/** Sized for two to three minutes on two busy shared cores; --quick for under 30 s. */
export const DEFAULT_SEEDS = 3;
export const QUICK = { seeds: 1, scale: 0.35 } as const;

export interface FamilyFlags {
  families: boolean;
  seeds: number;
  /** --seed K: only that seed (to replay a worst case). */
  seed: number | undefined;
  scale: number;
  only: string[] | undefined;
  quick: boolean;
  json: boolean;
  /** The CAPTCHA providers the sign-up families run under. */
  captcha: SimCaptchaProvider[];
  /** --no-feedback: no monitor loop (and the embedded store), to see the guard without verification feedback. */
  feedback: boolean;
  rest: string[];
  problem?: string;
}

export function takeFamilyFlags(argv: readonly string[]): FamilyFlags {
  const flags: FamilyFlags = { families: false, seeds: DEFAULT_SEEDS, seed: undefined, scale: 1, only: undefined, quick: false, json: false, captcha: [...CAPTCHA_PROVIDERS_SIMULATED], feedback: true, rest: [] };
  let captchaGiven = false;
  let seedsGiven = false;
  const known = new Set([...SEND_FAMILIES, ...SIGNUP_FAMILIES].map((family) => family.name));
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++index] ?? '';
    if (name === '--families') flags.families = true;
    else if (name === '--quick') flags.quick = true;
    else if (name === '--json') flags.json = true;
    else if (name === '--no-feedback') flags.feedback = false;
    else if (name === '--seeds') {
      const raw = value();
      if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1) return { ...flags, problem: `--seeds must be a whole number from 1, not ${JSON.stringify(raw)}` };
      flags.seeds = Number(raw);
      seedsGiven = true;
    } else if (name === '--seed') {
      const raw = value();
      if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) return { ...flags, problem: `--seed must be a whole number from 1, not ${JSON.stringify(raw)}` };
      flags.seed = Number(raw);
      seedsGiven = true;
    } else if (name === '--family') {
      const names = value().split(',').map((item) => item.trim()).filter(Boolean);
      const unknown = names.filter((item) => !known.has(item));
      if (names.length === 0 || unknown.length > 0) return { ...flags, problem: `--family must name families among ${[...known].join(', ')}; unknown: ${JSON.stringify(unknown.join(',') || '')}` };
      flags.only = [...(flags.only ?? []), ...names];
    } else if (name === '--captcha') {
      const raw = value().trim().toLowerCase();
      if (raw === 'both') flags.captcha = [...CAPTCHA_PROVIDERS_SIMULATED];
      else if ((CAPTCHA_PROVIDERS_SIMULATED as readonly string[]).includes(raw)) flags.captcha = [raw as SimCaptchaProvider];
      else return { ...flags, problem: `--captcha must be turnstile, recaptcha-v3 or both, not ${JSON.stringify(raw)}` };
      captchaGiven = true;
    } else flags.rest.push(arg);
  }
  if (flags.quick) {
    flags.scale = QUICK.scale;
    if (!seedsGiven) flags.seeds = QUICK.seeds;
  }
  if (!flags.families && (flags.quick || flags.json || seedsGiven || captchaGiven || flags.only !== undefined)) flags.families = true;
  return flags;
}

export interface FamiliesReport {
  trigger: SendTrigger;
  seeds: number[];
  scale: number;
  send: { families: FamilySummary[]; decisions: number; wallMs: number; feedback: SendFeedbackNote } | undefined;
  signup: { captcha: SimCaptchaProvider[]; decisionsBy: Partial<Record<SimCaptchaProvider, number>>; families: FamilySummary[]; targets: SignupTarget[]; leakCheck: LeakCheck; decisions: number; wallMs: number } | undefined;
}

/** What fed verifications back in the send worlds, as the report states it. */
export type SendFeedbackNote = { kind: 'monitor'; everyMinutes: number; verifications: number; proofs: number; store: string } | { kind: 'none'; why: string };

export async function runFamilies(flags: FamilyFlags, context: { trigger: SendTrigger; prices: PriceTable; secrets: Record<string, string>; log: (line: string) => void }): Promise<FamiliesReport> {
  const seeds = flags.seed !== undefined ? [flags.seed] : Array.from({ length: flags.seeds }, (_, index) => index + 1);
  const sendNames = SEND_FAMILIES.map((family) => family.name).filter((name) => flags.only === undefined || flags.only.includes(name));
  // People families are the background of every sign-up world: reported whenever a sign-up family runs.
  const signupNames = SIGNUP_FAMILIES.filter((family) => flags.only === undefined || flags.only.includes(family.name)).length === 0
    ? []
    : SIGNUP_FAMILIES.filter((family) => family.kind === 'people' || flags.only === undefined || flags.only.includes(family.name)).map((family) => family.name);
  const report: FamiliesReport = { trigger: context.trigger, seeds, scale: flags.scale, send: undefined, signup: undefined };
  if (sendNames.length > 0) {
    const store = flags.feedback ? await openSimStore() : { why: '--no-feedback' };
    if ('why' in store) context.log(`send families: NO verification feedback (${store.why}): the embedded store, and the conversion rule never trips`);
    try {
      const endpoint = 'why' in store ? undefined : store.endpoint;
      const progress = (line: string) => {
        if (!('why' in store)) store.forget();
        context.log(line);
      };
      const run = await runSendFamilies({ seeds, scale: flags.scale, trigger: context.trigger, prices: context.prices, only: flags.only, secrets: context.secrets, progress, ...(endpoint ? { store: endpoint } : {}) });
      const feedback: SendFeedbackNote = run.feedback === undefined || 'why' in store
        ? { kind: 'none', why: 'why' in store ? store.why : 'no store' }
        : { kind: 'monitor', everyMinutes: MONITOR_EVERY_MS / 60_000, verifications: run.feedback.verifications, proofs: run.feedback.proofsRecorded, store: store.label };
      report.send = { families: summariseSend(run.results, sendNames), decisions: run.decisions, wallMs: run.wallMs, feedback };
    } finally {
      if (!('why' in store)) await store.close();
    }
  }
  if (signupNames.length > 0) {
    const run = await runSignupFamilies({ seeds, scale: flags.scale, only: flags.only, captcha: flags.captcha, secrets: context.secrets, progress: context.log });
    const families = summariseSignup(run.results, signupNames, flags.captcha);
    report.signup = { captcha: flags.captcha, decisionsBy: run.decisionsBy, families, targets: signupTargets(families), leakCheck: run.leakCheck, decisions: run.decisions, wallMs: run.wallMs };
  }
  return report;
}

export function formatFamiliesReport(report: FamiliesReport): string {
  const parts: string[] = [];
  const scale = report.scale === 1 ? '' : `, rates x${report.scale}`;
  if (report.send) {
    const feedback = report.send.feedback;
    const fed = feedback.kind === 'monitor'
      ? `verification feedback: the monitor's log join every ${feedback.everyMinutes} min (${feedback.verifications} codes used, ${feedback.proofs} proofs written; store ${feedback.store})`
      : `NO verification feedback (${feedback.why})`;
    parts.push(formatTable(`send families: ${report.seeds.length} seeds${scale}, ${report.send.decisions} OTPs through dist/${report.trigger}.js in ${(report.send.wallMs / 1000).toFixed(1)} s; ${fed}`, report.send.families, ['tollguard', ...SEND_BASELINES]));
  }
  if (report.signup) {
    const title = `sign-up families: ${report.seeds.length} seeds${scale}, ${report.signup.decisions} sign-ups (${report.signup.captcha.length} CAPTCHA providers) through dist/pre-user-registration.js in ${(report.signup.wallMs / 1000).toFixed(1)} s`;
    parts.push(formatSignupTables(title, report.signup.families, ['tollguard', ...SIGNUP_BASELINES], report.signup.leakCheck, report.signup.decisionsBy));
  }
  return parts.join('\n');
}
