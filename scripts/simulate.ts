/**
 * `npm run simulate [--trigger send-phone-message|custom-phone-provider] [scenario.json ...]`
 * (scenario mode), or `npm run simulate -- --families [--seeds N] [--quick] [--family NAME] [--captcha P] [--json]`
 * (the adversarial evaluation of scripts/sim/families, docs/evaluation.md).
 * Scenario mode
 * replays hours of realistic traffic through a BUILT send Action in seconds. The clock is injected (Date.now follows the simulated
 * time), Twilio runs dry, and the counter store is the embedded one, or Upstash when
 * UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are set in the environment.
 * Prints per wave attempts / delivered / blocked and money, and the share of legitimate
 * messages blocked.
 */
import { join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { DIST, ROOT, buildActions } from './build';
import { ACTION_PACKAGES } from './lib/action-packages';
import { loadAction } from '../tests/support/actions-runtime';
import { takeOverClock } from './sim/clock';
import { bundleOf, sendOtp, takeTriggerFlag, type SendTrigger } from './sim/phone-trigger';
import { generateTraffic, type Attempt } from './sim/traffic';
import { generateSignups } from './sim/signups';
import { startCaptchaServer } from '../tests/support/captcha-servers';
import { loadAction as loadRegistration, preUserRegistrationEvent, runPreUserRegistration } from '../tests/support/actions-runtime';
import { loadPrices, loadScenario, priceOf, type PriceTable, type Scenario } from './sim/scenario';
import { formatFamiliesReport, runFamilies, takeFamilyFlags } from './sim/families/cli';

interface WaveTally {
  label: string;
  legit: boolean;
  attempts: number;
  delivered: number;
  blocked: number;
  costAttempted: number;
  costBlocked: number;
  rules: Map<string, number>;
}

export interface SimulationResult {
  scenario: string;
  waves: WaveTally[];
  attackCostBlockedShare: number;
  legitBlockedShare: number;
  decisions: number;
  wallMs: number;
}

const SCENARIO_DIR = join(ROOT, 'scripts', 'scenarios');

export async function simulate(
  scenario: Scenario,
  prices: PriceTable,
  options: { quiet?: boolean; secrets?: Record<string, string>; trigger?: SendTrigger } = {},
): Promise<SimulationResult> {
  const attempts = generateTraffic(scenario);
  const trigger = options.trigger ?? 'send-phone-message';
  const action = loadAction(bundleOf(trigger), { allowedPackages: ACTION_PACKAGES, retainLogs: false });
  const tallies: WaveTally[] = scenario.waves.map((wave) => ({
    label: wave.label, legit: wave.kind === 'legit', attempts: 0, delivered: 0, blocked: 0, costAttempted: 0, costBlocked: 0, rules: new Map(),
  }));
  const secrets = { TWILIO_DRY_RUN: 'true', GUARD_KEY_PREFIX: `sim${Date.now().toString(36)}`, ...upstashSecrets(), ...scenario.secrets, ...options.secrets };
  const clock = takeOverClock();
  const started = performance.now();
  // Pumping goes to numbers nobody confirmed: every attack OTP is an enrolment. A person's first
  // OTP to their number is one too; once one was delivered, later OTPs challenge the factor.
  const confirmed = new Set<string>();
  try {
    for (const [index, attempt] of attempts.entries()) {
      clock.set(Math.floor(attempt.at));
      const factor = `${attempt.userId} ${attempt.recipient}`;
      const enrollment = !attempt.legit || !confirmed.has(factor);
      const invocation = await sendOtp(action, trigger, { ...otpOf(attempt, index), enrollment }, secrets);
      if (attempt.legit && !invocation.refused) confirmed.add(factor);
      const decision = decisionLine(invocation.logs);
      const tally = tallies[attempt.wave];
      if (tally === undefined) continue;
      const price = priceOf(prices, attempt.channel, typeof decision?.['country'] === 'string' ? decision['country'] : undefined);
      tally.attempts += 1;
      tally.costAttempted += price;
      if (invocation.refused) {
        tally.blocked += 1;
        tally.costBlocked += price;
        const rules = Array.isArray(decision?.['rules']) ? (decision['rules'] as string[]) : ['delivery'];
        for (const rule of rules.length > 0 ? rules : ['delivery']) tally.rules.set(rule, (tally.rules.get(rule) ?? 0) + 1);
        if (attempt.legit && process.env['SIM_SHOW_FALSE_POSITIVES'] === '1') {
          console.log(`false positive at ${new Date(attempt.at).toISOString()} ${String(decision?.['to'])}: ${JSON.stringify(decision?.['reasons'])}`);
        }
      } else {
        tally.delivered += 1;
      }
    }
  } finally {
    clock.restore();
  }
  const wallMs = performance.now() - started;
  const attack = tallies.filter((tally) => !tally.legit);
  const legit = tallies.filter((tally) => tally.legit);
  const attackCost = attack.reduce((sum, tally) => sum + tally.costAttempted, 0);
  const result: SimulationResult = {
    scenario: scenario.name,
    waves: tallies,
    attackCostBlockedShare: attackCost === 0 ? 1 : attack.reduce((sum, tally) => sum + tally.costBlocked, 0) / attackCost,
    legitBlockedShare: legit.reduce((sum, tally) => sum + tally.blocked, 0) / Math.max(1, legit.reduce((sum, tally) => sum + tally.attempts, 0)),
    decisions: attempts.length,
    wallMs,
  };
  if (!options.quiet) printResult(scenario, prices, result, secrets, trigger);
  return result;
}

/** Each attempt its own code, as Auth0 issues them. */
function otpOf(attempt: Attempt, index: number) {
  return {
    recipient: attempt.recipient,
    channel: attempt.channel,
    enrollment: false,
    code: String(100000 + (index % 900000)),
    userId: attempt.userId,
    ip: attempt.ip,
    requestCountry: attempt.requestCountry,
    appMetadata: attempt.appMetadata,
  };
}

function decisionLine(logs: readonly string[]): Record<string, unknown> | undefined {
  for (const line of logs) {
    if (!line.startsWith('{"tollguard":"decision"')) continue;
    return JSON.parse(line) as Record<string, unknown>;
  }
  return undefined;
}

function upstashSecrets(): Record<string, string> {
  const url = process.env['UPSTASH_REDIS_REST_URL'];
  const token = process.env['UPSTASH_REDIS_REST_TOKEN'];
  return url && token ? { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token, GUARD_STORE_TIMEOUT: process.env['GUARD_STORE_TIMEOUT'] ?? '2s' } : {};
}

function printResult(scenario: Scenario, prices: PriceTable, result: SimulationResult, secrets: Record<string, string>, trigger: SendTrigger): void {
  const money = (value: number) => `${prices.currency} ${value.toFixed(2)}`;
  const pct = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(part === whole || part === 0 ? 0 : 1)}%`);
  console.log(`\nscenario ${scenario.name}: ${scenario.hours} h from ${scenario.start}, ${result.decisions} decisions through dist/${trigger}.js in ${(result.wallMs / 1000).toFixed(1)} s, store ${secrets['UPSTASH_REDIS_REST_URL'] ? 'upstash' : 'embedded'}`);
  console.log(`${'wave'.padEnd(44)} ${'attempts'.padStart(8)} ${'deliv.'.padStart(7)} ${'blocked'.padStart(7)} ${'cost'.padStart(12)} ${'blocked'.padStart(12)} ${'share'.padStart(6)}  rules`);
  for (const wave of result.waves) {
    const rules = [...wave.rules.entries()].sort((a, b) => b[1] - a[1]).map(([rule, n]) => `${rule} ${n}`).join(', ');
    console.log(
      `${`${wave.legit ? '  ' : '! '}${wave.label}`.padEnd(44)} ${String(wave.attempts).padStart(8)} ${String(wave.delivered).padStart(7)} ${String(wave.blocked).padStart(7)} ${money(wave.costAttempted).padStart(12)} ${money(wave.costBlocked).padStart(12)} ${(wave.legit ? pct(wave.blocked, wave.attempts) : pct(wave.costBlocked, wave.costAttempted)).padStart(6)}  ${rules}`,
    );
  }
  console.log(`attack cost blocked: ${(100 * result.attackCostBlockedShare).toFixed(2)}% (target >= 98%)`);
  console.log(`legitimate messages blocked: ${(100 * result.legitBlockedShare).toFixed(3)}% (target <= 0.3%)`);
}

interface SignupTally {
  label: string;
  legit: boolean;
  attempts: number;
  created: number;
  lowTrust: number;
  denied: number;
  rules: Map<string, number>;
}

/** Replays the scenario's sign-up waves through the built Pre-User-Registration Action. */
export async function simulateSignups(scenario: Scenario, options: { quiet?: boolean } = {}): Promise<SignupTally[]> {
  const attempts = generateSignups(scenario);
  if (attempts.length === 0) return [];
  const captcha = await startCaptchaServer('turnstile', { secret: 'simulation-secret' });
  const action = loadRegistration(join(DIST, 'pre-user-registration.js'), { allowedPackages: ACTION_PACKAGES, retainLogs: false });
  const secrets = { CAPTCHA_PROVIDER: 'turnstile', CAPTCHA_SECRET: 'simulation-secret', CAPTCHA_VERIFY_URL: captcha.url, GUARD_KEY_PREFIX: `simsignup${Date.now().toString(36)}`, ...upstashSecrets(), ...scenario.secrets };
  const tallies: SignupTally[] = scenario.waves.map((wave) => ({ label: wave.label, legit: wave.kind === 'signup' && wave.legit, attempts: 0, created: 0, lowTrust: 0, denied: 0, rules: new Map() }));
  const clock = takeOverClock();
  try {
    for (const attempt of attempts) {
      clock.set(Math.floor(attempt.at));
      if (attempt.token === 'valid') captcha.setToken(attempt.tokenValue, { valid: true });
      const event = preUserRegistrationEvent({ user: { email: attempt.email }, request: { ip: attempt.ip, hostname: attempt.hostname } });
      event.secrets = secrets;
      const token = attempt.token === 'missing' ? undefined : attempt.token === 'list' ? [attempt.tokenValue] : attempt.tokenValue;
      event.request.body = token === undefined ? {} : { 'ulp-captcha-token': token };
      const invocation = await runPreUserRegistration(action, event);
      const tally = tallies[attempt.wave];
      if (tally === undefined) continue;
      tally.attempts += 1;
      const outcome = invocation.result;
      if (outcome?.denied) {
        tally.denied += 1;
        const rules = (decisionLine(invocation.logs)?.['rules'] as string[] | undefined) ?? [];
        for (const rule of rules) tally.rules.set(rule, (tally.rules.get(rule) ?? 0) + 1);
      } else {
        tally.created += 1;
        if ((outcome?.appMetadata['tollguard'] as { trust?: string } | undefined)?.trust === 'low') tally.lowTrust += 1;
      }
    }
  } finally {
    clock.restore();
    await captcha.close();
  }
  const used = tallies.filter((tally) => tally.attempts > 0);
  if (!options.quiet) {
    console.log(`\nsign-ups (${attempts.length} through dist/pre-user-registration.js, local Turnstile-compatible verifier)`);
    console.log(`${'wave'.padEnd(44)} ${'attempts'.padStart(8)} ${'created'.padStart(8)} ${'low trust'.padStart(9)} ${'denied'.padStart(7)}  rules`);
    for (const tally of used) {
      const rules = [...tally.rules.entries()].sort((a, b) => b[1] - a[1]).map(([rule, n]) => `${rule} ${n}`).join(', ');
      console.log(`${`${tally.legit ? '  ' : '! '}${tally.label}`.padEnd(44)} ${String(tally.attempts).padStart(8)} ${String(tally.created).padStart(8)} ${String(tally.lowTrust).padStart(9)} ${String(tally.denied).padStart(7)}  ${rules}`);
    }
    const people = used.filter((tally) => tally.legit);
    const bots = used.filter((tally) => !tally.legit);
    const sum = (list: SignupTally[], pick: (tally: SignupTally) => number) => list.reduce((total, tally) => total + pick(tally), 0);
    const botAttempts = sum(bots, (tally) => tally.attempts);
    console.log(`bots denied: ${((100 * sum(bots, (tally) => tally.denied)) / Math.max(1, botAttempts)).toFixed(1)}%, created with low trust: ${((100 * sum(bots, (tally) => tally.lowTrust)) / Math.max(1, botAttempts)).toFixed(1)}%, created with standard trust or better: ${((100 * (sum(bots, (tally) => tally.created) - sum(bots, (tally) => tally.lowTrust))) / Math.max(1, botAttempts)).toFixed(1)}%`);
    console.log(`people denied: ${((100 * sum(people, (tally) => tally.denied)) / Math.max(1, sum(people, (tally) => tally.attempts))).toFixed(2)}%, created with low trust: ${((100 * sum(people, (tally) => tally.lowTrust)) / Math.max(1, sum(people, (tally) => tally.attempts))).toFixed(1)}%`);
  }
  return used;
}

const USAGE = `usage: npm run simulate -- [--trigger send-phone-message|custom-phone-provider] [scenario.json ...]
       npm run simulate -- --families [--quick] [--seeds N] [--seed K] [--family a,b] [--json] [--trigger ...] [--captcha turnstile|recaptcha-v3|both]

  scenario mode (default): replays scripts/scenarios/*.json (or the files given) through the built Actions
  --families: seeded attack, legitimate, people and bot families next to baselines (docs/evaluation.md)`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  await buildActions({ quiet: true });
  const prices = loadPrices(join(SCENARIO_DIR, 'prices.json'));
  const { trigger, rest: afterTrigger, problem } = takeTriggerFlag(process.argv.slice(2));
  const flags = takeFamilyFlags(afterTrigger);
  if (problem !== undefined || flags.problem !== undefined) {
    console.error(`simulate: ${problem ?? flags.problem}`);
    process.exit(2);
  }
  if (flags.families) {
    if (flags.rest.length > 0) {
      console.error(`simulate: --families takes no scenario files (${flags.rest.join(' ')})`);
      process.exit(2);
    }
    const started = performance.now();
    const report = await runFamilies(flags, { trigger, prices, secrets: upstashSecrets(), log: (line) => (flags.json ? process.stderr.write(`${line}\n`) : console.log(line)) });
    if (flags.json) console.log(JSON.stringify({ ...report, wallMs: performance.now() - started }, null, 2));
    else console.log(`${formatFamiliesReport(report)}\n\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return;
  }
  const rest = flags.rest;
  const unknown = rest.find((arg) => arg.startsWith('-'));
  if (unknown !== undefined) {
    console.error(`simulate: unknown option ${JSON.stringify(unknown)}\n${USAGE}`);
    process.exit(2);
  }
  const files = rest.map((file) => resolve(file));
  const scenarios = files.length > 0 ? files : readdirSync(SCENARIO_DIR).filter((file) => file.endsWith('.json') && file !== 'prices.json').map((file) => join(SCENARIO_DIR, file));
  for (const file of scenarios) {
    const scenario = loadScenario(file);
    if (scenario.waves.some((wave) => wave.kind !== 'signup')) await simulate(scenario, prices, { trigger });
    await simulateSignups(scenario);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
}
