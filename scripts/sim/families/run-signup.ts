/**
 * Runs the sign-up families: per seed, one tenant (signupWorld); for each bot family one world of
 * both people families plus that bot family, replayed through the BUILT Pre-User-Registration
 * Action on the simulated clock against a local reCAPTCHA v3 verifier (each token registered with
 * the score and host name the family gave it), a store of its own per world; then the baselines
 * over the same sign-ups. People figures are pooled over a seed's worlds.
 */
import { join } from 'node:path';
import { DIST } from '../../build';
import { ACTION_PACKAGES } from '../../lib/action-packages';
import { loadAction, preUserRegistrationEvent, runPreUserRegistration } from '../../../tests/support/actions-runtime';
import { startCaptchaServer, type CaptchaServer } from '../../../tests/support/captcha-servers';
import { takeOverClock } from '../clock';
import { SIGNUP_BASELINES, runSignupBaseline, type SignupBaseline } from '../baselines';
import { SIGNUP_FAMILIES, signupWorld } from './signup';
import type { Params, SignupEvent, SignupFamily, SignupWorld } from './types';
import { streamFor } from './common';
import { rulesOf } from './run-send';

export type SignupGuard = 'tollguard' | SignupBaseline;

export interface SignupTally {
  attempts: number;
  denied: number;
  lowTrust: number;
  /** Created with standard or high trust (baselines have no trust: every creation counts). */
  trusted: number;
}

export interface SignupSeedResult {
  family: string;
  kind: 'people' | 'bots';
  seed: number;
  params: Params;
  tallies: Record<SignupGuard, SignupTally>;
  rules: Record<string, number>;
}

export interface SignupRunOptions {
  seeds: readonly number[];
  scale: number;
  only?: readonly string[];
  secrets: Record<string, string>;
  progress?: (line: string) => void;
}

export interface SignupRunResult {
  results: SignupSeedResult[];
  decisions: number;
  wallMs: number;
}

const CAPTCHA_SECRET = 'simulation-recaptcha-secret';

/** The tenant's registration secrets in the evaluation: defaults plus what a CAPTCHA needs and the tenant's own domain. */
export function signupSecrets(world: SignupWorld, captchaUrl: string): Record<string, string> {
  return { CAPTCHA_PROVIDER: 'recaptcha-v3', CAPTCHA_SECRET, CAPTCHA_VERIFY_URL: captchaUrl, GUARD_EMAIL_ALLOWED_DOMAINS: world.tenantDomain };
}

export async function runSignupFamilies(options: SignupRunOptions): Promise<SignupRunResult> {
  const started = performance.now();
  const people = SIGNUP_FAMILIES.filter((family) => family.kind === 'people');
  const bots = SIGNUP_FAMILIES.filter((family) => family.kind === 'bots' && (options.only === undefined || options.only.includes(family.name)));
  const captcha = await startCaptchaServer('recaptcha-v3', { secret: CAPTCHA_SECRET });
  const results: SignupSeedResult[] = [];
  let decisions = 0;
  let serial = 0;
  try {
    for (const seed of options.seeds) {
      const world = signupWorld(seed, options.scale);
      const background = people.map((family) => ({ family, traffic: family.generate(streamFor(seed, family.name), world) }));
      const peopleResults = new Map(background.map(({ family, traffic }) => [family.name, seedResult(family, seed, traffic.params)]));
      const worlds: Array<SignupFamily | undefined> = bots.length > 0 ? bots : [undefined];
      for (const bot of worlds) {
        const botTraffic = bot?.generate(streamFor(seed, bot.name), world);
        const events = [...background.flatMap(({ traffic }) => traffic.events), ...(botTraffic?.events ?? [])].sort((a, b) => a.at - b.at);
        const worldStarted = performance.now();
        const outcomes = await replaySignups(events, captcha, { ...signupSecrets(world, captcha.url), ...options.secrets, GUARD_KEY_PREFIX: `su${seed}x${serial++}${Date.now().toString(36)}` });
        decisions += events.length;
        const botResult = bot && botTraffic ? seedResult(bot, seed, botTraffic.params) : undefined;
        const verdicts = new Map<SignupGuard, Array<'denied' | 'low' | 'trusted'>>([['tollguard', outcomes.map((outcome) => outcome.verdict)]]);
        for (const baseline of SIGNUP_BASELINES) verdicts.set(baseline, runSignupBaseline(baseline, events).map((refused) => (refused ? 'denied' : 'trusted')));
        for (const [guard, list] of verdicts) {
          events.forEach((event, index) => {
            const target = event.legit ? peopleResults.get(event.family) : botResult;
            if (target === undefined) return;
            const tally = target.tallies[guard];
            const verdict = list[index];
            tally.attempts += 1;
            if (verdict === 'denied') tally.denied += 1;
            else if (verdict === 'low') tally.lowTrust += 1;
            else tally.trusted += 1;
            if (guard === 'tollguard' && verdict === 'denied') for (const rule of outcomes[index]?.rules ?? []) target.rules[rule] = (target.rules[rule] ?? 0) + 1;
          });
        }
        if (botResult) results.push(botResult);
        options.progress?.(`seed ${seed} ${bot?.name ?? '(people only)'}: ${events.length} sign-ups in ${((performance.now() - worldStarted) / 1000).toFixed(1)} s`);
      }
      results.push(...peopleResults.values());
    }
  } finally {
    await captcha.close();
  }
  return { results, decisions, wallMs: performance.now() - started };
}

function seedResult(family: SignupFamily, seed: number, params: Params): SignupSeedResult {
  const tallies = Object.fromEntries((['tollguard', ...SIGNUP_BASELINES] as SignupGuard[]).map((guard) => [guard, { attempts: 0, denied: 0, lowTrust: 0, trusted: 0 }])) as Record<SignupGuard, SignupTally>;
  return { family: family.name, kind: family.kind, seed, params, tallies, rules: {} };
}

let tokenSerial = 0;

async function replaySignups(events: readonly SignupEvent[], captcha: CaptchaServer, secrets: Record<string, string>): Promise<Array<{ verdict: 'denied' | 'low' | 'trusted'; rules: string[] }>> {
  const action = loadAction(join(DIST, 'pre-user-registration.js'), { allowedPackages: ACTION_PACKAGES, retainLogs: false });
  const clock = takeOverClock();
  const out: Array<{ verdict: 'denied' | 'low' | 'trusted'; rules: string[] }> = [];
  try {
    for (const event of events) {
      clock.set(Math.floor(event.at));
      let token: string | undefined;
      if (event.token.kind !== 'missing') {
        tokenSerial += 1;
        token = `sim-${tokenSerial}-${Math.floor(event.at).toString(36)}`;
        if (event.token.kind === 'valid') captcha.setToken(token, { valid: true, score: event.token.score, hostname: event.token.hostname });
      }
      const request = { ip: event.ip, geoip: { countryCode: event.country } };
      const sample = preUserRegistrationEvent({ user: { email: event.email, ...(event.phone ? { phone_number: event.phone } : {}) }, request });
      sample.request.body = token === undefined ? {} : { 'ulp-captcha-token': token };
      sample.secrets = secrets;
      const invocation = await runPreUserRegistration(action, sample);
      const result = invocation.result;
      if (result?.denied || invocation.error !== undefined) out.push({ verdict: 'denied', rules: rulesOf(invocation.logs) });
      else {
        const trust = (result?.appMetadata['tollguard'] as { trust?: string } | undefined)?.trust;
        out.push({ verdict: trust === 'low' ? 'low' : 'trusted', rules: [] });
      }
    }
  } finally {
    clock.restore();
  }
  return out;
}
