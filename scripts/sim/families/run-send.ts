/**
 * Runs the send families: per seed, one simulated tenant (sendWorld); for each attack family one
 * world made of every legitimate family's traffic plus that family's attack, replayed through
 * the BUILT send Action (either trigger) on the simulated clock, with a store of its own; then
 * the baselines over the same events. Legitimate figures are pooled over a seed's worlds (so
 * collateral damage of an attack counts); each attack family's figures come from its own world.
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

export type Guard = 'tollguard' | SendBaseline;

export interface SendTally {
  attempts: number;
  refused: number;
  cost: number;
  costBlocked: number;
  /** Attack families: the largest delivered-before-containment over the family's waves. */
  beforeContainment: number;
}

export interface SendSeedResult {
  family: string;
  kind: 'legit' | 'attack';
  seed: number;
  params: Params;
  tallies: Record<Guard, SendTally>;
  /** tollguard's refusals of this family by rule. */
  rules: Record<string, number>;
}

export interface SendRunOptions {
  seeds: readonly number[];
  scale: number;
  trigger: SendTrigger;
  prices: PriceTable;
  /** Only these families (legitimate ones are always generated, as the background). */
  only?: readonly string[];
  secrets: Record<string, string>;
  progress?: (line: string) => void;
}

export interface SendRunResult {
  results: SendSeedResult[];
  decisions: number;
  wallMs: number;
}

const emptyTally = (): SendTally => ({ attempts: 0, refused: 0, cost: 0, costBlocked: 0, beforeContainment: 0 });

export async function runSendFamilies(options: SendRunOptions): Promise<SendRunResult> {
  const started = performance.now();
  const legitFamilies = SEND_FAMILIES.filter((family) => family.kind === 'legit');
  const attackFamilies = SEND_FAMILIES.filter((family) => family.kind === 'attack' && (options.only === undefined || options.only.includes(family.name)));
  const results: SendSeedResult[] = [];
  let decisions = 0;
  for (const seed of options.seeds) {
    const world = sendWorld(seed, options.scale);
    const until = world.start + world.hours * HOUR;
    const legit = legitFamilies.map((family) => ({ family, traffic: family.generate(streamFor(seed, family.name), world) }));
    const legitResults = new Map(legit.map(({ family, traffic }) => [family.name, seedResult(family, seed, traffic.params)]));
    const worlds: Array<SendFamily | undefined> = attackFamilies.length > 0 ? attackFamilies : [undefined];
    for (const attack of worlds) {
      const attackTraffic = attack?.generate(streamFor(seed, attack.name), world);
      const events = [...legit.flatMap(({ traffic }) => traffic.events), ...(attackTraffic?.events ?? [])]
        .filter((event) => event.at < until)
        .sort((a, b) => a.at - b.at);
      const refusals = new Map<Guard, boolean[]>();
      const replay = await replaySend(events, options, `fam${seed}${attack?.name ?? 'legit'}`);
      decisions += events.length;
      refusals.set('tollguard', replay.refused);
      for (const baseline of SEND_BASELINES) refusals.set(baseline, runSendBaseline(baseline, events));
      const attackResult = attack && attackTraffic ? seedResult(attack, seed, attackTraffic.params) : undefined;
      for (const [guard, refused] of refusals) {
        const waves = new Map<number, boolean[]>();
        events.forEach((event, index) => {
          const target = event.legit ? legitResults.get(event.family) : attackResult;
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
          if (!event.legit) {
            const wave = waves.get(event.wave) ?? [];
            wave.push(no);
            waves.set(event.wave, wave);
          }
        });
        if (attackResult) attackResult.tallies[guard].beforeContainment = Math.max(0, ...[...waves.values()].map(deliveredBeforeContainment));
      }
      if (attackResult) results.push(attackResult);
      options.progress?.(`seed ${seed} ${attack?.name ?? '(legitimate only)'}: ${events.length} OTPs in ${(replay.wallMs / 1000).toFixed(1)} s`);
    }
    results.push(...legitResults.values());
  }
  return { results, decisions, wallMs: performance.now() - started };
}

function seedResult(family: SendFamily, seed: number, params: Params): SendSeedResult {
  const tallies = Object.fromEntries((['tollguard', ...SEND_BASELINES] as Guard[]).map((guard) => [guard, emptyTally()])) as Record<Guard, SendTally>;
  return { family: family.name, kind: family.kind, seed, params, tallies, rules: {} };
}

/** Every event through the built Action, a fresh container and key prefix per world. */
async function replaySend(events: readonly SendEvent[], options: SendRunOptions, prefix: string): Promise<{ refused: boolean[]; rules: string[][]; wallMs: number }> {
  const action = loadAction(bundleOf(options.trigger), { allowedPackages: ACTION_PACKAGES, retainLogs: false });
  const secrets = { TWILIO_DRY_RUN: 'true', ...options.secrets, GUARD_KEY_PREFIX: `${prefix}${Date.now().toString(36)}`.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 32) };
  const clock = takeOverClock();
  const started = performance.now();
  const refused: boolean[] = [];
  const rules: string[][] = [];
  try {
    for (const [index, event] of events.entries()) {
      clock.set(Math.floor(event.at));
      const invocation = await sendOtp(action, options.trigger, {
        recipient: event.recipient, channel: event.channel, enrollment: event.enrollment, code: String(100000 + (index % 900000)),
        userId: event.userId, ip: event.ip, requestCountry: event.requestCountry, appMetadata: event.appMetadata,
      }, secrets);
      refused.push(invocation.refused);
      rules.push(invocation.refused ? rulesOf(invocation.logs) : []);
    }
  } finally {
    clock.restore();
  }
  return { refused, rules, wallMs: performance.now() - started };
}

export function rulesOf(logs: readonly string[]): string[] {
  for (const line of logs) {
    if (!line.startsWith('{"tollguard":"decision"')) continue;
    const rules = (JSON.parse(line) as { rules?: unknown }).rules;
    return Array.isArray(rules) && rules.length > 0 ? rules.map(String) : ['delivery'];
  }
  return ['delivery'];
}
