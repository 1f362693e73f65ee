/**
 * Plans the one store batch a decision needs and reads the answers back by meaning. Pure: which
 * counters exist depends only on the facts and the policy, so tests can check a plan exactly.
 */
import type { DynamicPolicy } from '../config/dynamic-policy';
import { countWindowKey, type StoreOp, type StoreResult } from '../store/counter-store';
import { countOf, countryProofOps, likelyFactorOps, sentOp } from '../feedback/proofs';
import { conversionOps, opensNewNumber, readConversion, readDayCounts, smsYesterdayOps, type SentMode } from '../feedback/conversion-counts';
import type { GuardKeys } from '../store/keys';
import { subnetOf } from '../net/ip';
import type { Counters, DynamicFacts, RateCount, WindowCount } from './dynamic-types';
import { windowIndex } from './window-limit';

type Slot = keyof Counters;
type SummedSlot = 'countryProofs' | 'enrolmentSeen' | 'likelyFactors' | 'likelyGrantsLeft' | 'likelyTenantGrantsLeft' | 'trialsLeft';

export interface BatchPlan {
  ops: StoreOp[];
  /** The batch counts this OTP as sent for the conversion rule: a refusal must be counted too. */
  countsConversion: boolean;
  /** The batch only read the conversion counts (a tier country's OTP): it is counted as sent once admitted. */
  countsConversionOnAdmission: boolean;
  /** The batch peeked (SentMode `peek`): a refusal is counted as sent and refused, as a counted OTP's would be. */
  peeksConversion: boolean;
  read(results: readonly StoreResult[]): Counters;
}

const MINUTE = 60_000;
/**
 * An enrolment is remembered for 7 to 14 days: on the Unified Phone Experience an otp_verify to
 * the number within that proves it (the user's next logins; a legacy or Okta challenge proves its
 * number on its own and reads no marker). Enrolments the dynamic rules or the high-risk tier
 * refuse are marked too (the batch runs before the rules): the proof is the later challenge,
 * which comes only once the factor was confirmed, by this code or a later one; the TTL bounds what
 * a flood leaves behind. Only a refusal no evidence lifts (a block list, a line type) leaves no mark.
 */
const ENROLMENT_WINDOW_MS = 7 * 24 * 3_600_000;
/** A block is ten ranges wide: its floor is this many times the range floor (not ten: spreads are what it is for). */
export const BLOCK_FLOOR_MULTIPLE = 2;

export function planBatch(input: DynamicFacts, policy: DynamicPolicy, keys: GuardKeys): BatchPlan {
  const { facts } = input;
  const now = facts.now;
  const slots: Array<Slot | undefined> = [];
  const ops: StoreOp[] = [];
  /** Answers read by more than one op (a count window read through two gets), summed into a slot afterwards. */
  const sums: Array<{ slot: SummedSlot; indexes: number[] }> = [];
  const add = (slot: Slot | undefined, op: StoreOp) => {
    slots.push(slot);
    ops.push(op);
  };
  const sumOf = (slot: SummedSlot, gets: StoreOp[]) => {
    sums.push({ slot, indexes: gets.map((op) => ops.length + gets.indexOf(op)) });
    for (const op of gets) add(undefined, op);
  };
  const count = (slot: Slot, key: string, windowMs: number) =>
    add(slot, { kind: 'count', key, window: windowIndex(now, windowMs), ttlMs: 2 * windowMs + MINUTE });
  const limits = policy.limits;
  const country = facts.number.country;
  const pumping = input.trustedNumber ? undefined : policy.pumping;

  // First, so that a retry the guard asked for moves no counter (the store answers zeros after it).
  if (input.notificationId !== undefined) add('replay', { kind: 'retry', key: keys.retryTokens(input.notificationId) });
  add('serviceLockUntil', { kind: 'get', key: keys.serviceLock(facts.channel) });
  if (policy.lookup && !input.trustedNumber && !input.staticBlocked) add('cachedLookup', { kind: 'get', key: keys.lookup(facts.number.e164) });
  if (pumping) {
    add('rangeBlockedUntil', { kind: 'get', key: keys.rangeBlock(input.range) });
    if (input.block !== input.range) add('blockBlockedUntil', { kind: 'get', key: keys.rangeBlock(input.block) });
    if (country) add('countryBlockedUntil', { kind: 'get', key: keys.countryBlock(country, facts.channel) });
  }
  // Verification feedback (shared/feedback/proofs.ts): the sent marker, the number's proof, the
  // country's proofs, and the enrolment a later challenge proves.
  add(undefined, sentOp(keys, facts.number.e164, now));
  add('proof', { kind: 'get', key: keys.proof(facts.number.e164) });
  if (country) sumOf('countryProofs', countryProofOps(keys, country, now, facts.channel));
  // A tier country not served yet may admit this number on trial (served-country.ts trialStanding);
  // a low-trust request never is.
  if (country && input.tierBlocked && policy.servedTrials && policy.servedProofs !== undefined && input.trust !== 'low') {
    add('trial', { kind: 'get', key: keys.countryTrial(country, facts.channel) });
    sumOf('trialsLeft', [{ kind: 'get', key: countWindowKey(keys.tenantTrials(), windowIndex(now, policy.servedTrials.windowMs)) }]);
  }
  const userId = facts.user.id;
  if (userId !== undefined && userId !== '') {
    const enrolment = keys.enrolment(facts.number.e164, userId);
    const window = windowIndex(now, ENROLMENT_WINDOW_MS);
    // An enrolment a static rule refuses for good can never be confirmed: not marked.
    if (facts.otpAction === 'enrollment' && !input.firmStaticBlock) add(undefined, { kind: 'count', key: enrolment, window, ttlMs: 2 * ENROLMENT_WINDOW_MS + MINUTE });
    else if (facts.otpAction === 'second-factor-authentication' && facts.recipientIs !== 'confirmed-factor') {
      sumOf('enrolmentSeen', [{ kind: 'get', key: countWindowKey(enrolment, window) }, { kind: 'get', key: countWindowKey(enrolment, window - 1) }]);
      if (facts.recipientIs === 'likely-factor' && input.tierBlocked && policy.likelyFactors && country) {
        sumOf('likelyFactors', likelyFactorOps(keys, userId, now));
        sumOf('likelyGrantsLeft', [{ kind: 'get', key: countWindowKey(keys.countryLikelyGrants(country), windowIndex(now, policy.likelyFactors.windowMs)) }]);
        if (policy.likelyFactorsTotal) sumOf('likelyTenantGrantsLeft', [{ kind: 'get', key: countWindowKey(keys.tenantLikelyGrants(), windowIndex(now, policy.likelyFactorsTotal.windowMs)) }]);
      }
    }
  }
  if (!input.trustedNumber) {
    const resetMs = policy.resend?.resetMs ?? 3_600_000;
    add('streak', { kind: 'streak', key: keys.streak(facts.number.e164), resetMs, ttlMs: resetMs + MINUTE });
    if (limits.number) count('number', keys.numberWindow(facts.number.e164), limits.number.windowMs);
  }
  const userLimit = input.trust === 'low' ? limits.userLowTrust ?? limits.user : limits.user;
  if (userLimit && facts.user.id) count('user', keys.user(facts.user.id), userLimit.windowMs);
  // After the streak op: only an enrolment that starts a new conversation (a new number) counts.
  if (limits.userNumbers && facts.user.id && facts.otpAction === 'enrollment' && !input.trustedNumber) {
    const windowMs = limits.userNumbers.windowMs;
    add('userNumbers', { kind: 'rate', key: keys.userNumbers(facts.user.id), window: windowIndex(now, windowMs), alpha: 0.5, foldFloor: 0, ttlMs: 2 * windowMs + MINUTE, when: 'new-streak' });
  }
  if (facts.ip && !input.trustedNetwork) {
    if (limits.ip) count('ip', keys.ip(facts.ip.text), limits.ip.windowMs);
    if (limits.subnet) count('subnet', keys.subnet(subnetOf(facts.ip)), limits.subnet.windowMs);
  }
  if (limits.country && country) count('country', keys.countryWindow(country), limits.country.windowMs);
  const cap = policy.serviceCap[facts.channel];
  if (cap && !input.staticBlocked) count('service', keys.service(facts.channel), cap.windowMs);
  if (pumping) {
    const window = windowIndex(now, pumping.windowMs);
    const rate = (slot: Slot, key: string, foldFloor: number, when: 'always' | 'new-streak') =>
      add(slot, { kind: 'rate', key, window, alpha: pumping.alpha, foldFloor, ttlMs: rateTtlMs(pumping.windowMs, pumping.alpha), when });
    rate('tenantRate', keys.tenantRate(), pumping.countryFloor, 'always');
    if (facts.channel === 'voice') rate('tenantVoiceRate', keys.tenantVoiceRate(), pumping.countryFloor, 'always');
    rate('range', keys.rangeRate(input.range, facts.channel), pumping.rangeFloor, 'new-streak');
    // A short number's block is its range (ranges keep 3 national digits): counted once.
    if (input.block !== input.range) rate('block', keys.rangeRate(input.block, facts.channel), pumping.rangeFloor * BLOCK_FLOOR_MULTIPLE, 'new-streak');
    if (country) rate('countryRate', keys.countryRate(country, facts.channel), pumping.countryFloor, 'new-streak');
    // Requested from another country (geoip known on both sides): conversion.ts foreignSurge.
    if (country && facts.requestCountry && facts.requestCountry !== country) rate('foreignRate', keys.foreignRate(country, facts.channel), pumping.countryFloor, 'new-streak');
  }
  // Conversion (shared/rules/conversion.ts): an OTP that may open a new number is counted as sent
  // and the rest is read. One a static rule refuses is not counted (nor judged): almost always it
  // stays refused, and counting it would cost a refusal count. One the high-risk tier alone
  // refuses is judged on counts read only, and counted once evidence admits it (a tier country
  // opened by its proofs is watched by its conversion like any other). So is a likely factor
  // elsewhere (conversion-counts.ts SentMode `peek`), unless proven by then.
  let conversion: { start: number; length: number; mode: SentMode; domestic: boolean } | undefined;
  const tierOnly = input.staticBlocked && input.tierBlocked && !input.firmStaticBlock;
  if (policy.conversion && country && !input.trustedNumber && (!input.staticBlocked || tierOnly) && opensNewNumber(facts)) {
    const mode = sentModeOf(input);
    const domestic = facts.requestCountry === country;
    const conversionBatch = conversionOps(keys, { country, channel: facts.channel, domestic }, now, policy.conversion.lagMs, mode);
    conversion = { start: ops.length, length: conversionBatch.length, mode, domestic };
    for (const op of conversionBatch) add(undefined, op);
  }
  let smsYesterday: { start: number; length: number } | undefined;
  if (pumping && policy.conversion && country && facts.channel === 'voice' && conversion === undefined) {
    const dayOps = smsYesterdayOps(keys, country, now, policy.conversion.lagMs);
    smsYesterday = { start: ops.length, length: dayOps.length };
    for (const op of dayOps) add(undefined, op);
  }

  return {
    ops,
    countsConversion: conversion?.mode === 'count',
    countsConversionOnAdmission: conversion !== undefined && conversion.mode !== 'count',
    peeksConversion: conversion?.mode === 'peek',
    read(results) {
      const counters = emptyCounters();
      const mutable = counters as unknown as Record<Slot, unknown>;
      if (conversion !== undefined && policy.conversion) {
        counters.conversion = readConversion(results.slice(conversion.start, conversion.start + conversion.length), now, policy.conversion.lagMs, conversion.mode, conversion.domestic);
      }
      if (smsYesterday !== undefined) counters.smsYesterday = readDayCounts(results.slice(smsYesterday.start, smsYesterday.start + smsYesterday.length));
      let tenantGrantsLeft = Number.POSITIVE_INFINITY;
      for (const { slot, indexes } of sums) {
        const total = indexes.reduce((sum, index) => {
          const result = results[index];
          return sum + (result?.kind === 'get' ? countOf(result.value) : 0);
        }, 0);
        if (slot === 'enrolmentSeen') counters.enrolmentSeen = total > 0;
        else if (slot === 'likelyGrantsLeft') counters.likelyGrantsLeft = Math.max(0, (policy.likelyFactors?.max ?? 0) - total);
        else if (slot === 'likelyTenantGrantsLeft') tenantGrantsLeft = Math.max(0, (policy.likelyFactorsTotal?.max ?? 0) - total);
        else if (slot === 'trialsLeft') counters.trialsLeft = Math.max(0, (policy.servedTrials?.max ?? 0) - total);
        else counters[slot] = total;
      }
      if (counters.likelyGrantsLeft !== undefined) counters.likelyGrantsLeft = Math.min(counters.likelyGrantsLeft, tenantGrantsLeft);
      results.forEach((result, index) => {
        const slot = slots[index];
        if (slot === undefined) return;
        switch (result.kind) {
          case 'get':
            mutable[slot] = slot === 'cachedLookup' || slot === 'proof' || slot === 'trial' ? result.value : timestampOf(result.value);
            break;
          case 'streak':
            mutable[slot] = { previousAt: result.previousAt, streak: result.streak };
            break;
          case 'count':
            mutable[slot] = { current: result.current, previous: result.previous } satisfies WindowCount;
            break;
          case 'rate':
            mutable[slot] = { current: result.current, baseline: result.baseline, windows: result.windows } satisfies RateCount;
            break;
          case 'retry':
            mutable[slot] = result.replay;
            break;
        }
      });
      return counters.replay ? standingOnly(counters) : counters;
    },
  };
}

/** How the batch treats an OTP's conversion `sent` count (conversion-counts.ts SentMode), when it reads the counts at all. */
export function sentModeOf(input: Pick<DynamicFacts, 'staticBlocked' | 'facts'>): SentMode {
  return input.staticBlocked ? 'read' : input.facts.recipientIs === 'likely-factor' ? 'peek' : 'count';
}

function timestampOf(value: string | undefined): number {
  const number = value === undefined ? 0 : Number(value);
  return Number.isFinite(number) ? number : 0;
}

/**
 * Long enough for the baseline to decay to almost nothing (3 memories), at least a day, at most 30
 * days: an attacker touching many ranges must not leave keys behind for years. An expired key
 * only resets a baseline to zero, the cautious side.
 */
function rateTtlMs(windowMs: number, alpha: number): number {
  return Math.min(Math.max((3 * windowMs) / alpha, 86_400_000), 30 * 86_400_000);
}

/** A replay is judged by the standing locks and blocks alone: its counts were taken the first time. */
function standingOnly(counters: Counters): Counters {
  return {
    ...emptyCounters(),
    replay: true,
    serviceLockUntil: counters.serviceLockUntil,
    rangeBlockedUntil: counters.rangeBlockedUntil,
    blockBlockedUntil: counters.blockBlockedUntil,
    countryBlockedUntil: counters.countryBlockedUntil,
    cachedLookup: counters.cachedLookup,
    proof: counters.proof,
    countryProofs: counters.countryProofs,
    trial: counters.trial,
    enrolmentSeen: counters.enrolmentSeen,
    likelyFactors: counters.likelyFactors,
    likelyGrantsLeft: counters.likelyGrantsLeft,
  };
}

/** Counters before the store answered: nothing asked, nothing locked. */
export function emptyCounters(): Counters {
  return {
    serviceLockUntil: 0,
    rangeBlockedUntil: undefined,
    countryBlockedUntil: undefined,
    cachedLookup: undefined,
    streak: undefined,
    number: undefined,
    user: undefined,
    userNumbers: undefined,
    ip: undefined,
    subnet: undefined,
    country: undefined,
    service: undefined,
    range: undefined,
    block: undefined,
    blockBlockedUntil: undefined,
    countryRate: undefined,
    foreignRate: undefined,
    proof: undefined,
    enrolmentSeen: false,
    likelyFactors: undefined,
    likelyGrantsLeft: undefined,
    countryProofs: undefined,
    trial: undefined,
    trialsLeft: undefined,
    conversion: undefined,
    smsYesterday: undefined,
    tenantRate: undefined,
    tenantVoiceRate: undefined,
    replay: false,
  };
}
