/**
 * Runs the sign-up families: per seed, one tenant (signupWorld); for each bot family one world of
 * both people families plus that bot family, replayed through the BUILT Pre-User-Registration
 * Action on the simulated clock once per CAPTCHA provider (Turnstile, reCAPTCHA v3) against that
 * provider's local verifier (each token registered as the provider would answer for that visitor,
 * see signup/tokens.ts), a store of its own per world and provider; then the baselines over the
 * same sign-ups. People figures are pooled over a seed's worlds, per provider.
 *
 * The sample event carries what Auth0 gives the Action: the client IP, its geoip country and the
 * login page's host name (`request.hostname`, the world's login host); no secret names the
 * expected host. Every decision is also checked for leaks (checkLeaks).
 */
import { join } from 'node:path';
import { DIST } from '../../build';
import { ACTION_PACKAGES } from '../../lib/action-packages';
import { loadAction, preUserRegistrationEvent, runPreUserRegistration } from '../../../tests/support/actions-runtime';
import { startCaptchaServer, type CaptchaServer } from '../../../tests/support/captcha-servers';
import { takeOverClock } from '../clock';
import { SIGNUP_BASELINES, runSignupBaseline, type SignupBaseline } from '../baselines';
import { SIGNUP_FAMILIES, signupWorld } from './signup';
import { CAPTCHA_PROVIDERS_SIMULATED, verifierAnswer, type SimCaptchaProvider } from './signup/tokens';
import type { Params, SignupEvent, SignupFamily, SignupWorld } from './types';
import { streamFor } from './common';
import { rulesOf } from './run-send';

export type SignupGuard = 'tollguard' | SignupBaseline;
export type Verdict = 'denied' | 'low' | 'trusted';

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
  captcha: SimCaptchaProvider;
  seed: number;
  params: Params;
  tallies: Record<SignupGuard, SignupTally>;
  rules: Record<string, number>;
}

export interface SignupRunOptions {
  seeds: readonly number[];
  scale: number;
  only?: readonly string[];
  /** The CAPTCHA providers to run under (default both). */
  captcha?: readonly SimCaptchaProvider[];
  secrets: Record<string, string>;
  progress?: (line: string) => void;
}

export type LeakKind = 'token' | 'phone' | 'e-mail local part' | 'secret';

export interface Leak {
  family: string;
  captcha: SimCaptchaProvider;
  seed: number;
  what: LeakKind;
}

export interface LeakCheck {
  /** Decisions whose log lines and denial reason were searched. */
  checked: number;
  leaks: Leak[];
}

export interface SignupRunResult {
  results: SignupSeedResult[];
  decisions: number;
  /** Sign-ups replayed under each provider (the same traffic: equal unless a run was cut short). */
  decisionsBy: Partial<Record<SimCaptchaProvider, number>>;
  wallMs: number;
  leakCheck: LeakCheck;
}

export const CAPTCHA_SECRET = 'simulation-captcha-secret';

/** The tenant's registration secrets in the evaluation: defaults plus what a CAPTCHA needs and the tenant's own domain. */
export function signupSecrets(world: SignupWorld, provider: SimCaptchaProvider, captchaUrl: string): Record<string, string> {
  return { CAPTCHA_PROVIDER: provider, CAPTCHA_SECRET, CAPTCHA_VERIFY_URL: captchaUrl, GUARD_EMAIL_ALLOWED_DOMAINS: world.tenantDomain };
}

export async function runSignupFamilies(options: SignupRunOptions): Promise<SignupRunResult> {
  const started = performance.now();
  const providers = options.captcha ?? CAPTCHA_PROVIDERS_SIMULATED;
  const people = SIGNUP_FAMILIES.filter((family) => family.kind === 'people');
  const bots = SIGNUP_FAMILIES.filter((family) => family.kind === 'bots' && (options.only === undefined || options.only.includes(family.name)));
  const servers = new Map<SimCaptchaProvider, CaptchaServer>();
  const results: SignupSeedResult[] = [];
  const leakCheck: LeakCheck = { checked: 0, leaks: [] };
  let decisions = 0;
  const decisionsBy: Partial<Record<SimCaptchaProvider, number>> = {};
  let serial = 0;
  try {
    for (const provider of providers) servers.set(provider, await startCaptchaServer(provider, { secret: CAPTCHA_SECRET }));
    for (const seed of options.seeds) {
      const world = signupWorld(seed, options.scale);
      const background = people.map((family) => ({ family, traffic: family.generate(streamFor(seed, family.name), world) }));
      const worlds: Array<SignupFamily | undefined> = bots.length > 0 ? bots : [undefined];
      for (const provider of providers) {
        const captcha = servers.get(provider) as CaptchaServer;
        const peopleResults = new Map(background.map(({ family, traffic }) => [family.name, seedResult(family, provider, seed, traffic.params)]));
        for (const bot of worlds) {
          const botTraffic = bot?.generate(streamFor(seed, bot.name), world);
          const events = [...background.flatMap(({ traffic }) => traffic.events), ...(botTraffic?.events ?? [])].sort((a, b) => a.at - b.at);
          const worldStarted = performance.now();
          const secrets = { ...signupSecrets(world, provider, captcha.url), ...options.secrets, GUARD_KEY_PREFIX: `su${seed}x${serial++}${Date.now().toString(36)}` };
          const outcomes = await replaySignups(events, world, provider, captcha, secrets, (event, what) => leakCheck.leaks.push({ family: event.family, captcha: provider, seed, what }));
          leakCheck.checked += events.length;
          decisions += events.length;
          decisionsBy[provider] = (decisionsBy[provider] ?? 0) + events.length;
          const botResult = bot && botTraffic ? seedResult(bot, provider, seed, botTraffic.params) : undefined;
          const verdicts = new Map<SignupGuard, Verdict[]>([['tollguard', outcomes.map((outcome) => outcome.verdict)]]);
          for (const baseline of SIGNUP_BASELINES) verdicts.set(baseline, runSignupBaseline(baseline, events).map((refused) => (refused ? 'denied' : 'trusted')));
          for (const [guard, list] of verdicts) {
            events.forEach((event, index) => {
              const target = event.legit ? peopleResults.get(event.family) : botResult;
              if (target === undefined) return;
              addVerdict(target.tallies[guard], list[index]);
              if (guard === 'tollguard' && list[index] === 'denied') for (const rule of outcomes[index]?.rules ?? []) target.rules[rule] = (target.rules[rule] ?? 0) + 1;
            });
          }
          if (botResult) results.push(botResult);
          options.progress?.(`seed ${seed} ${provider} ${bot?.name ?? '(people only)'}: ${events.length} sign-ups in ${((performance.now() - worldStarted) / 1000).toFixed(1)} s`);
        }
        results.push(...peopleResults.values());
      }
    }
  } finally {
    for (const server of servers.values()) await server.close();
  }
  return { results, decisions, decisionsBy, wallMs: performance.now() - started, leakCheck };
}

export function addVerdict(tally: SignupTally, verdict: Verdict | undefined): void {
  tally.attempts += 1;
  if (verdict === 'denied') tally.denied += 1;
  else if (verdict === 'low') tally.lowTrust += 1;
  else tally.trusted += 1;
}

function seedResult(family: SignupFamily, captcha: SimCaptchaProvider, seed: number, params: Params): SignupSeedResult {
  const tallies = Object.fromEntries((['tollguard', ...SIGNUP_BASELINES] as SignupGuard[]).map((guard) => [guard, { attempts: 0, denied: 0, lowTrust: 0, trusted: 0 }])) as Record<SignupGuard, SignupTally>;
  return { family: family.name, kind: family.kind, captcha, seed, params, tallies, rules: {} };
}

/** The values of one sign-up that must never reach a log line or a denial reason, each with what it is. */
export function secretsOf(event: SignupEvent, token: string | undefined): Array<{ what: LeakKind; value: string }> {
  const out: Array<{ what: LeakKind; value: string }> = [{ what: 'secret', value: CAPTCHA_SECRET }];
  if (token !== undefined) out.push({ what: 'token', value: token });
  if (event.phone !== undefined) out.push({ what: 'phone', value: event.phone }, { what: 'phone', value: event.phone.replace(/^\+/, '') });
  const at = event.email.lastIndexOf('@');
  const domain = event.email.slice(at + 1).toLowerCase();
  const local = event.email.slice(0, Math.max(0, at)).replace(/^"|"$/g, '').toLowerCase();
  // The canonical inbox too (no tag, no dots): logging that would leak the address as well.
  const inbox = (local.split('+')[0] ?? '').replace(/\./g, '');
  for (const value of new Set([local, inbox])) if (value.length >= 4 && !domain.includes(value)) out.push({ what: 'e-mail local part', value });
  return out;
}

/** What leaked of `values` into `texts` (compared without case). */
export function checkLeaks(texts: readonly string[], values: ReadonlyArray<{ what: LeakKind; value: string }>): LeakKind[] {
  const haystack = texts.join('\n').toLowerCase();
  return [...new Set(values.filter(({ value }) => haystack.includes(value.toLowerCase())).map(({ what }) => what))];
}

let tokenSerial = 0;

async function replaySignups(
  events: readonly SignupEvent[],
  world: SignupWorld,
  provider: SimCaptchaProvider,
  captcha: CaptchaServer,
  secrets: Record<string, string>,
  onLeak: (event: SignupEvent, what: LeakKind) => void,
): Promise<Array<{ verdict: Verdict; rules: string[] }>> {
  const action = loadAction(join(DIST, 'pre-user-registration.js'), { allowedPackages: ACTION_PACKAGES, retainLogs: false });
  const clock = takeOverClock();
  const out: Array<{ verdict: Verdict; rules: string[] }> = [];
  try {
    for (const event of events) {
      clock.set(Math.floor(event.at));
      let token: string | undefined;
      if (event.token.kind !== 'missing') {
        tokenSerial += 1;
        token = `sim-${tokenSerial}-${Math.floor(event.at).toString(36)}`;
        const answer = verifierAnswer(event.token, provider);
        if (answer !== undefined) captcha.setToken(token, answer);
      }
      const request = { ip: event.ip, hostname: world.loginHost, geoip: { countryCode: event.country } };
      const sample = preUserRegistrationEvent({ user: { email: event.email, ...(event.phone ? { phone_number: event.phone } : {}) }, request });
      sample.request.body = token === undefined ? {} : { 'ulp-captcha-token': token };
      sample.secrets = secrets;
      const invocation = await runPreUserRegistration(action, sample);
      const result = invocation.result;
      const denied = result?.denied !== undefined || invocation.error !== undefined;
      for (const what of checkLeaks([...invocation.logs, result?.denied?.reason ?? '', result?.denied?.userMessage ?? ''], secretsOf(event, token))) onLeak(event, what);
      if (denied) {
        const rules = rulesOf(invocation.logs);
        out.push({ verdict: 'denied', rules });
        if (event.legit && process.env['SIM_SHOW_FALSE_POSITIVES'] === '1') console.error(`person refused ${provider} ${new Date(event.at).toISOString()} ${event.family} ${event.country}: ${result?.denied?.reason ?? String(invocation.error)}`);
      } else {
        const trust = (result?.appMetadata['tollguard'] as { trust?: string } | undefined)?.trust;
        out.push({ verdict: trust === 'low' ? 'low' : 'trusted', rules: [] });
        if (event.legit && trust === 'low' && process.env['SIM_SHOW_LOW_TRUST'] === '1') {
          const line = invocation.logs.find((text) => text.startsWith('{"tollguard":"decision"'));
          const decision = line === undefined ? {} : (JSON.parse(line) as Record<string, unknown>);
          console.error(`person low trust ${provider} ${event.family} ${event.country}: ${JSON.stringify({ captcha: (decision['captcha'] as { outcome?: unknown } | undefined)?.outcome, reasons: decision['trust_reasons'] })}`);
        }
      }
    }
  } finally {
    clock.restore();
  }
  return out;
}
