/**
 * Runs the send families: per seed, one simulated tenant (sendWorld); one world of every
 * legitimate family's traffic alone, then for each attack family one world of the same
 * legitimate traffic plus that family's attack, each replayed through the BUILT send Action
 * (either trigger) on the simulated clock with a store of its own; then the baselines over the
 * same events. Legitimate families are reported without attacks (the legitimate-only world) and
 * during attacks (pooled over the attack worlds); each attack family's figures come from its own
 * world, its collateral damage as the legitimate OTPs refused there beyond the quiet world's.
 */
import { ACTION_PACKAGES } from '../../lib/action-packages';
import { loadAction } from '../../../tests/support/actions-runtime';
import { takeOverClock } from '../clock';
import { bundleOf, sendOtp, type SendTrigger } from '../phone-trigger';
import { priceOf, type PriceTable } from '../scenario';
import { SEND_BASELINES, runSendBaseline, type SendBaseline } from '../baselines';
import { SEND_FAMILIES, sendWorld } from './send';
import type { Params, SendEvent, SendFamily } from './types';
import { HOUR, streamFor } from './common';
import { deliveredBeforeContainment } from './metrics';
import { MonitorFeedback, type FeedbackStats } from '../feedback';
import { UpstashStore } from '../../../shared/store/upstash-store';

export type Guard = 'tollguard' | SendBaseline;

export interface SendTally {
  attempts: number;
  refused: number;
  cost: number;
  costBlocked: number;
  /** Attack families: the largest delivered-before-containment over the family's waves. */
  beforeContainment: number;
  /** Attack families: legitimate OTPs of the world refused beyond those refused without the attack. */
  collateralLost: number;
  /** Attack families: legitimate OTPs in the world. */
  legitAttempts: number;
}

export interface SendSeedResult {
  family: string;
  kind: 'legit' | 'attack';
  seed: number;
  params: Params;
  tallies: Record<Guard, SendTally>;
  /** tollguard's refusals of this family by rule. */
  rules: Record<string, number>;
  /** Legitimate families: measured without attacks (`quiet`) or pooled over the attack worlds. */
  phase?: 'quiet' | 'attacked';
  /** Working space while an attack world is tallied. */
  collateral?: Record<Guard, SendTally>;
}

export interface SendRunOptions {
  seeds: readonly number[];
  scale: number;
  trigger: SendTrigger;
  prices: PriceTable;
  /** Only these families (legitimate ones are always generated, as the background). */
  only?: readonly string[];
  secrets: Record<string, string>;
  /**
   * An Upstash REST endpoint (a real Redis behind the shim) for the Action's store and the
   * monitor's feedback loop (scripts/sim/feedback.ts). Without it the embedded store is used and
   * no verification is fed back.
   */
  store?: { url: string; token: string };
  progress?: (line: string) => void;
}

export interface SendRunResult {
  results: SendSeedResult[];
  decisions: number;
  wallMs: number;
  /** What the monitor's feedback loop wrote over all worlds (undefined: no loop, no store). */
  feedback: FeedbackStats | undefined;
}

const emptyTally = (): SendTally => ({ attempts: 0, refused: 0, cost: 0, costBlocked: 0, beforeContainment: 0, collateralLost: 0, legitAttempts: 0 });
const emptyTallies = (): Record<Guard, SendTally> => Object.fromEntries((['tollguard', ...SEND_BASELINES] as Guard[]).map((guard) => [guard, emptyTally()])) as Record<Guard, SendTally>;

export async function runSendFamilies(options: SendRunOptions): Promise<SendRunResult> {
  const started = performance.now();
  const legitFamilies = SEND_FAMILIES.filter((family) => family.kind === 'legit');
  const attackFamilies = SEND_FAMILIES.filter((family) => family.kind === 'attack' && (options.only === undefined || options.only.includes(family.name)));
  const results: SendSeedResult[] = [];
  let decisions = 0;
  const feedback: FeedbackStats | undefined = options.store ? { runs: 0, verifications: 0, proofsRecorded: 0, errors: 0 } : undefined;
  for (const seed of options.seeds) {
    const world = sendWorld(seed, options.scale);
    const until = world.start + world.hours * HOUR;
    const legit = legitFamilies.map((family) => ({ family, traffic: family.generate(streamFor(seed, family.name), world) }));
    const quiet = new Map(legit.map(({ family, traffic }) => [family.name, seedResult(family, seed, traffic.params, 'quiet')]));
    const attacked = new Map(legit.map(({ family, traffic }) => [family.name, seedResult(family, seed, traffic.params, 'attacked')]));
    // The legitimate traffic alone first: its losses are the false positives, and the reference
    // an attack's collateral damage is measured from.
    const worlds: Array<SendFamily | undefined> = [undefined, ...attackFamilies];
    const quietLoss = new Map<Guard, number>();
    for (const attack of worlds) {
      const attackTraffic = attack?.generate(streamFor(seed, attack.name), world);
      const events = [...legit.flatMap(({ traffic }) => traffic.events), ...(attackTraffic?.events ?? [])]
        .filter((event) => event.at < until)
        .sort((a, b) => a.at - b.at);
      const refusals = new Map<Guard, boolean[]>();
      const replay = await replaySend(events, options, `fam${seed}${attack?.name ?? 'quiet'}`);
      decisions += events.length;
      if (feedback && replay.feedback) for (const key of Object.keys(feedback) as Array<keyof FeedbackStats>) feedback[key] += replay.feedback[key];
      refusals.set('tollguard', replay.refused);
      for (const baseline of SEND_BASELINES) refusals.set(baseline, runSendBaseline(baseline, events));
      const attackResult = attack && attackTraffic ? seedResult(attack, seed, attackTraffic.params) : undefined;
      if (attackResult) attackResult.collateral = emptyTallies();
      const legitTargets = attack === undefined ? quiet : attacked;
      for (const [guard, refused] of refusals) {
        const waves = new Map<number, boolean[]>();
        let legitRefused = 0;
        events.forEach((event, index) => {
          const target = event.legit ? legitTargets.get(event.family) : attackResult;
          if (target === undefined) return;
          const tally = target.tallies[guard];
          const price = priceOf(options.prices, event.channel, event.country);
          const no = refused[index] === true;
          tally.attempts += 1;
          tally.cost += price;
          if (no) {
            tally.refused += 1;
            tally.costBlocked += price;
            if (guard === 'tollguard') for (const rule of replay.rules[index] ?? []) target.rules[rule] = (target.rules[rule] ?? 0) + 1;
          }
          if (event.legit) {
            if (no) legitRefused += 1;
            const collateral = attackResult?.collateral?.[guard];
            if (collateral) collateral.attempts += 1;
          } else {
            const wave = waves.get(event.wave) ?? [];
            wave.push(no);
            waves.set(event.wave, wave);
          }
        });
        if (attack === undefined) quietLoss.set(guard, legitRefused);
        if (attackResult) {
          attackResult.tallies[guard].beforeContainment = Math.max(0, ...[...waves.values()].map(deliveredBeforeContainment));
          // Collateral: legitimate OTPs refused in this world beyond those refused without the attack.
          attackResult.tallies[guard].collateralLost = legitRefused - (quietLoss.get(guard) ?? 0);
          attackResult.tallies[guard].legitAttempts = attackResult.collateral?.[guard].attempts ?? 0;
        }
      }
      if (attackResult) {
        delete attackResult.collateral;
        results.push(attackResult);
      }
      options.progress?.(`seed ${seed} ${attack?.name ?? '(legitimate only)'}: ${events.length} OTPs in ${(replay.wallMs / 1000).toFixed(1)} s`);
    }
    results.push(...quiet.values());
    if (attackFamilies.length > 0) results.push(...attacked.values());
  }
  return { results, decisions, wallMs: performance.now() - started, feedback };
}

function seedResult(family: SendFamily, seed: number, params: Params, phase?: 'quiet' | 'attacked'): SendSeedResult {
  return { family: family.name, kind: family.kind, seed, params, tallies: emptyTallies(), rules: {}, ...(phase ? { phase } : {}) };
}

/** The tenant of the runtime's events (tests/support/actions-runtime.ts): the Action's keys live under it. */
const SIM_TENANT = 'tollguard-test';

/** Every event through the built Action, a fresh container and key prefix per world. */
async function replaySend(events: readonly SendEvent[], options: SendRunOptions, prefix: string): Promise<{ refused: boolean[]; rules: string[][]; wallMs: number; feedback: FeedbackStats | undefined }> {
  const action = loadAction(bundleOf(options.trigger), { allowedPackages: ACTION_PACKAGES, retainLogs: false });
  const store = options.store;
  const storeSecrets: Record<string, string> = store ? { UPSTASH_REDIS_REST_URL: store.url, UPSTASH_REDIS_REST_TOKEN: store.token, GUARD_STORE_TIMEOUT: '2s' } : {};
  const keyPrefix = `${prefix}${Date.now().toString(36)}`.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 32);
  const secrets = { TWILIO_DRY_RUN: 'true', ...storeSecrets, ...options.secrets, GUARD_KEY_PREFIX: keyPrefix };
  const monitor = store ? new MonitorFeedback(new UpstashStore({ url: store.url, token: store.token, timeoutMs: 10_000 }), keyPrefix, SIM_TENANT, options.trigger === 'custom-phone-provider') : undefined;
  const clock = takeOverClock();
  const started = performance.now();
  const refused: boolean[] = [];
  const rules: string[][] = [];
  const factors = new FactorBook();
  try {
    for (const [index, event] of events.entries()) {
      clock.set(Math.floor(event.at));
      await monitor?.runUntil(Math.floor(event.at));
      const enrollment = event.unconfirmedChallenge === true ? options.trigger !== 'custom-phone-provider' : factors.isEnrolment(event);
      const loginCount = factors.loginCount(event, enrollment);
      const invocation = await sendOtp(action, options.trigger, {
        recipient: event.recipient, channel: event.channel, enrollment, code: String(100000 + (index % 900000)),
        userId: event.userId, ip: event.ip, requestCountry: event.requestCountry, appMetadata: event.appMetadata,
        ...(loginCount === undefined ? {} : { loginCount }),
      }, secrets);
      refused.push(invocation.refused);
      if (enrollment) factors.enrolmentSent(event, !invocation.refused);
      factors.sent(event, enrollment, !invocation.refused);
      if (!invocation.refused) {
        monitor?.delivered({
          at: Math.floor(event.at), channel: event.channel, recipient: event.recipient, userId: event.userId, enrollment,
          verifiedAt: event.verifyDelayMs === undefined ? undefined : Math.floor(event.at + event.verifyDelayMs),
        });
      }
      rules.push(invocation.refused ? rulesOf(invocation.logs) : []);
      if (!invocation.refused && !event.legit && process.env['SIM_SHOW_ATTACK_PASSES'] === '1') {
        console.error(`attack passed ${prefix} ${new Date(event.at).toISOString()} ${event.family} ${event.channel} ${event.country}: ${decisionLineOf(invocation.logs) ?? ''}`);
      }
      if (!invocation.refused && event.legit && process.env['SIM_SHOW_LEGIT_TRUST'] === '1') {
        const trusted = (decisionOf(invocation.logs)['trusted'] as unknown[] | undefined) ?? [];
        if (trusted.length > 0) console.error(`legit trusted ${prefix} ${new Date(event.at).toISOString()} ${event.family} ${event.channel} ${event.country}: ${JSON.stringify(trusted)}`);
      }
      if (invocation.refused && !event.legit && process.env['SIM_SHOW_ATTACK_REFUSALS'] === '1') {
        console.error(`attack refused ${prefix} ${new Date(event.at).toISOString()} ${event.family} ${event.channel} ${event.country}: ${JSON.stringify(decisionOf(invocation.logs)['reasons'])}`);
      }
      if (invocation.refused && event.legit && process.env['SIM_SHOW_FALSE_POSITIVES'] === '1') {
        const decision = decisionOf(invocation.logs);
        console.error(`false positive ${prefix} ${new Date(event.at).toISOString()} ${event.family} ${String(decision['to'])} (${String(decision['otp_action'])}): ${JSON.stringify(decision['reasons'])} ${JSON.stringify(decision['evidence'] ?? {})}`);
      }
    }
  } finally {
    clock.restore();
  }
  return { refused, rules, wallMs: performance.now() - started, feedback: monitor?.stats };
}

/**
 * The factors the replayed guard let people confirm. The traffic is drawn once for every guard,
 * but a person whose enrolment the guard refused has no factor to be challenged on: their next
 * visit asks them to enrol again. Such a returning session is sent as an enrolment, so a refused
 * enrolment costs what it costs a real user, not a free later challenge. People enrolled before
 * the simulated span (no enrolment in it) keep their confirmed factors.
 */
export class FactorBook {
  private readonly enrolling = new Set<string>();
  private readonly confirmed = new Set<string>();
  private readonly logins = new Map<string, number>();

  isEnrolment(event: SendEvent): boolean {
    if (event.enrollment) return true;
    const key = `${event.userId} ${event.recipient}`;
    return this.enrolling.has(key) && !this.confirmed.has(key);
  }

  /**
   * The Unified Phone Experience's user.login_count for this OTP, as a lower bound: a person first
   * seen on a challenge enrolled in an earlier login; each code used adds one (Auth0 also counts
   * logins whose MFA never completes, which only the inference's login_count >= 1 test reads).
   */
  loginCount(event: SendEvent, enrollment: boolean): number | undefined {
    if (event.userId === undefined) return undefined;
    return this.logins.get(event.userId) ?? (enrollment ? 0 : 1);
  }

  sent(event: SendEvent, enrollment: boolean, delivered: boolean): void {
    const before = this.loginCount(event, enrollment);
    if (event.userId === undefined || before === undefined) return;
    this.logins.set(event.userId, delivered && event.verifyDelayMs !== undefined ? before + 1 : before);
  }

  /** An enrolment OTP was sent (delivered or not); the code is entered when the event says so. */
  enrolmentSent(event: SendEvent, delivered: boolean): void {
    const key = `${event.userId} ${event.recipient}`;
    this.enrolling.add(key);
    if (delivered && event.verifyDelayMs !== undefined) this.confirmed.add(key);
  }
}

/** The invocation's decision line, as logged. */
function decisionLineOf(logs: readonly string[]): string | undefined {
  return logs.find((line) => line.startsWith('{"tollguard":"decision"'));
}

/** The invocation's decision line, parsed (empty when there is none). */
function decisionOf(logs: readonly string[]): Record<string, unknown> {
  const line = decisionLineOf(logs);
  return line === undefined ? {} : (JSON.parse(line) as Record<string, unknown>);
}

export function rulesOf(logs: readonly string[]): string[] {
  const rules = decisionOf(logs)['rules'];
  return Array.isArray(rules) && rules.length > 0 ? rules.map(String) : ['delivery'];
}
