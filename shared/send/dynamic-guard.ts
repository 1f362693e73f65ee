/**
 * The edge between the dynamic rules and the store: one batch per decision under a hard timeout,
 * a second request only to record blocks, alerts once per incident. If the store fails, the
 * decision carries a store error and the fail mode (open by default) decides.
 */
import { ALERT_TIMEOUT_MS, type AlertSender } from '../alerts/webhook';
import { decodeLookup, encodeLookup, type PhoneLookup } from '../delivery/twilio-lookup';
import { TWILIO_LOOKUP_RULE, checkLookup, lookupIsFresh } from '../rules/twilio-lookup';
import type { DynamicPolicy } from '../config/dynamic-policy';
import { planBatch, sentModeOf } from '../engine/dynamic-plan';
import { runDynamicRules, writesToRecord } from '../engine/dynamic-rules';
import { DYNAMIC_RULES } from '../rules/registry';
import type { Counters, DynamicFacts } from '../engine/dynamic-types';
import type { Finding } from '../engine/types';
import type { CounterStore } from '../store/counter-store';
import { likelyGrantRequests, recordProof } from '../feedback/proofs';
import { refusalOps, sentOps } from '../feedback/conversion-counts';
import type { PhoneEvidence } from '../log/decision-log';
import { likelyFactorStanding, proofOf, provenByUsedCode, trialSlotValue, trialStanding } from '../rules/served-country';
import { windowIndex } from '../engine/window-limit';
import { GuardKeys } from '../store/keys';
import { describeStoreError, runBatch, storeUnavailableFinding, withTimeout } from '../store/store-call';


export interface DynamicVerdict {
  findings: Finding[];
  ruleErrors: string[];
  storeError: string | undefined;
  incidents: string[];
  alertErrors: string[];
  storeMs: number;
  storeRequests: number;
  lookup: 'cached' | 'fetched' | undefined;
  lookupError: string | undefined;
  /** The batch replayed a notification already counted (see Counters.replay). */
  replay: boolean;
  evidence: PhoneEvidence | undefined;
  /** The batch counted this OTP as sent for the conversion rule (a refusal must then be counted). */
  conversionCounted: boolean;
  /** The batch only read the conversion counts (a tier country's OTP) and its number is not proven yet: count it as sent if admitted (recordAdmission). */
  conversionOnAdmission: boolean;
  /** That OTP was only peeked at (a likely factor outside the tier): if refused, count it as sent and refused (recordPeekedRefusal). */
  conversionOnRefusal: boolean;
}

/** How long a decision waits for its incident alerts at most. */
export const ALERT_WAIT_MS = 200;

/**
 * GUARD_SERVED_TRIALS bounds trials for the whole tenant, which only a shared store can hold: an
 * embedded store lives and dies with one container, and each new container would start a fresh
 * budget and free every slot. Without Upstash the high-risk tier stays closed to unserved countries.
 */
export function trialsNeedASharedStore(store: DynamicGuardOptions['store'], policy: DynamicPolicy): DynamicPolicy {
  return 'kind' in store && store.kind === 'upstash' ? policy : { ...policy, servedTrials: undefined };
}

/** What the batch read of each block key a rule may write. */
function storedUntil(input: DynamicFacts, counters: Counters, keys: GuardKeys): ReadonlyMap<string, number | undefined> {
  const stored = new Map<string, number | undefined>([
    [keys.serviceLock(input.facts.channel), counters.serviceLockUntil],
    [keys.rangeBlock(input.range), counters.rangeBlockedUntil],
    [keys.rangeBlock(input.block), counters.blockBlockedUntil],
  ]);
  const country = input.facts.number.country;
  if (country !== undefined) stored.set(keys.countryBlock(country, input.facts.channel), counters.countryBlockedUntil);
  if (country !== undefined && counters.conversion !== undefined) stored.set(keys.conversionHold(country, input.facts.channel), counters.conversion.holdUntil);
  return stored;
}

export interface DynamicGuardOptions {
  store: CounterStore | { problem: string };
  policy: DynamicPolicy;
  keyPrefix: string;
  tenant: string;
  alert: AlertSender | undefined;
  /** Twilio Lookup, when GUARD_LOOKUP is on and Twilio credentials are set. */
  lookup: PhoneLookup | undefined;
}

export class DynamicGuard {
  private readonly keys: GuardKeys;
  private readonly options: DynamicGuardOptions;
  /** options.policy (trials dropped without a shared store). */
  private readonly policy: DynamicPolicy;

  constructor(options: DynamicGuardOptions) {
    this.policy = trialsNeedASharedStore(options.store, options.policy);
    this.options = { ...options, policy: this.policy };
    this.keys = new GuardKeys(options.keyPrefix);
  }

  get storeKind(): string {
    return 'kind' in this.options.store ? this.options.store.kind : 'unusable';
  }

  async evaluate(input: DynamicFacts): Promise<DynamicVerdict> {
    const { policy } = this;
    const started = performance.now();
    const verdict: DynamicVerdict = { findings: [], ruleErrors: [], storeError: undefined, incidents: [], alertErrors: [], storeMs: 0, storeRequests: 0, lookup: undefined, lookupError: undefined, replay: false, evidence: undefined, conversionCounted: false, conversionOnAdmission: false, conversionOnRefusal: false };
    const store = this.options.store;
    if (!('kind' in store)) return this.failed(verdict, store.problem, started);

    const plan = planBatch(input, policy, this.keys);
    verdict.storeRequests += 1;
    const answer = await runBatch(store, input.facts.now, plan.ops, policy.storeTimeoutMs);
    if (!answer.ok) return this.failed(verdict, answer.problem, started);
    const counters = plan.read(answer.results);
    verdict.replay = counters.replay;
    verdict.conversionCounted = plan.countsConversion && !counters.replay;
    // A number already proven for its user (not by a likely factor's inference) opens nothing new:
    // admitted, it is not counted as sent, or every later login of a resident of a tier country
    // would count as an OTP nobody verified and dilute the country's conversion.
    verdict.conversionOnAdmission = plan.countsConversionOnAdmission && !counters.replay && !provenByUsedCode(input, counters);
    verdict.conversionOnRefusal = plan.peeksConversion && verdict.conversionOnAdmission;
    const run = runDynamicRules({ input, counters, policy, keys: this.keys }, DYNAMIC_RULES);
    verdict.findings = run.findings;
    verdict.ruleErrors = run.errors.map((error) => `${error.rule}: ${error.message}`);
    // A block already recorded far enough ahead is not written again: refused attempts on an open
    // incident cost the one batch, like allowed ones.
    const writes = writesToRecord(run.writes, storedUntil(input, counters, this.keys), input.facts.now);
    if (writes.length > 0) {
      try {
        verdict.storeRequests += 1;
        const previous = await withTimeout(store.raiseUntil(writes), policy.storeTimeoutMs);
        verdict.incidents = writes.filter((_, index) => (previous[index] ?? 0) <= input.facts.now).map((write) => write.incident);
      } catch (error) {
        verdict.storeError = `could not record a block: ${describeStoreError(error, policy.storeTimeoutMs)}`;
      }
    }
    verdict.evidence = await this.recordEvidence(verdict, input, counters, store);
    if (run.findings.every((finding) => finding.effect !== 'block') && !input.staticBlocked && !input.trustedNumber) {
      await this.applyLookup(verdict, input, counters.cachedLookup, store);
    }
    if (verdict.evidence.trial === 'granted') await this.putOnTrial(verdict, verdict.evidence, input, counters, store);
    verdict.storeMs = performance.now() - started;
    await this.alert(verdict, input.facts.now, input.trigger);
    return verdict;
  }

  /**
   * What the decision knew of verification, and the proof this OTP earns: a challenge to a number
   * proves it (see numberIsProven) the first time for this user; later ones read the stored proof.
   * Recording costs two requests at once, once per number and user; a trusted likely factor spends
   * its country's budget each time (one or two requests).
   */
  private async recordEvidence(verdict: DynamicVerdict, input: DynamicFacts, counters: Counters, store: CounterStore): Promise<PhoneEvidence> {
    const provenBy = proofOf(input, counters);
    const proven = provenBy !== undefined;
    const standing = input.facts.recipientIs === 'likely-factor' && input.tierBlocked && (provenBy === undefined || provenBy === 'likely-factor') ? likelyFactorStanding(input, counters) : undefined;
    const evidence: PhoneEvidence = {
      number_proven: proven,
      ...(provenBy !== undefined ? { proven_by: provenBy } : {}),
      country_proofs: counters.countryProofs,
      served_needs: input.tierBlocked ? this.policy.servedProofs : undefined,
      // A likely factor nothing else proves: how it stood (served-country.ts likelyFactorStanding).
      likely_factor: standing,
      trial: provenBy === undefined ? trialStanding(input, counters, this.policy) : undefined,
    };
    const userId = input.facts.user.id;
    if (!proven || counters.replay || userId === undefined || userId === '' || standing === 'same-login') return evidence;
    const { number, now } = input.facts;
    const grantWindowMs = this.policy.likelyFactors?.windowMs;
    const likelyFactor = provenBy === 'likely-factor' && grantWindowMs !== undefined ? { grantWindowMs, totalWindowMs: this.policy.likelyFactorsTotal?.windowMs, again: standing === 'trusted-again', storeProof: counters.proof === undefined || standing === 'trusted-again' } : undefined;
    // A number proven already (for this user, or for another one: a shared or recycled number) is
    // neither taken over nor counted again for its country; a likely factor spends its budget even so.
    if (counters.proof !== undefined && likelyFactor === undefined) return evidence;
    verdict.storeRequests += likelyFactor === undefined ? 2 : likelyGrantRequests(likelyFactor);
    const problem = await this.write(() => recordProof(store, this.keys, { e164: number.e164, country: number.country, range: input.range, userId, channel: input.facts.channel, ...(likelyFactor ? { likelyFactor } : {}) }, now), 'could not record a proof');
    if (problem === undefined) evidence.proof_recorded = true;
    else verdict.storeError = problem;
    return evidence;
  }

  /**
   * A number admitted on trial (served-country.ts trialStanding) takes its country's trial slot for
   * the channel and one of GUARD_SERVED_TRIALS: two requests at once, only once the decision lets
   * it through (a number refused for another reason must not hold the slot). The count of the
   * admitted OTP as sent for its country's conversion rides in the same batch.
   */
  private async putOnTrial(verdict: DynamicVerdict, evidence: PhoneEvidence, input: DynamicFacts, counters: Counters, store: CounterStore): Promise<void> {
    const trials = this.policy.servedTrials;
    const country = input.facts.number.country;
    if (trials === undefined || country === undefined || input.firmStaticBlock || verdict.findings.some((finding) => finding.effect === 'block')) return;
    const { now, channel, number } = input.facts;
    const conversion = this.policy.conversion;
    const admission = verdict.conversionOnAdmission && conversion !== undefined ? sentOps(this.keys, { country, channel }, now, conversion.lagMs) : [];
    verdict.storeRequests += 2;
    const problem = await this.write(
      () =>
        Promise.all([
          store.put(this.keys.countryTrial(country, channel), trialSlotValue(number.e164, counters.countryProofs ?? 0, now), trials.windowMs + 60_000),
          store.run(now, [{ kind: 'count', key: this.keys.tenantTrials(), window: windowIndex(now, trials.windowMs), ttlMs: 2 * trials.windowMs + 60_000 }, ...admission]),
        ]),
      'could not put the number on trial',
    );
    if (problem !== undefined) {
      verdict.storeError = problem;
      return;
    }
    evidence.trial_recorded = true;
    if (admission.length > 0) verdict.conversionOnAdmission = false;
  }

  /** A write after the decision, under the store deadline: the problem, worded after `what`, if it failed. */
  private async write(work: () => Promise<unknown>, what: string): Promise<string | undefined> {
    const timeoutMs = this.policy.storeTimeoutMs;
    try {
      await withTimeout(work(), timeoutMs);
      return undefined;
    } catch (error) {
      return `${what}: ${describeStoreError(error, timeoutMs)}`;
    }
  }

  /**
   * Counts a refused OTP that the batch counted as sent (shared/feedback/conversion-counts.ts).
   * Answers the problem, if the store failed; the refusal stands either way.
   */
  async recordRefusal(input: DynamicFacts): Promise<string | undefined> {
    return this.countConversion(input, 'a refusal', refusalOps);
  }

  /** An OTP the batch only peeked at is counted among its country's domestic attempts here, if it is one (the batch counts the others'). */
  private async countConversion(input: DynamicFacts, what: string, opsOf: typeof refusalOps): Promise<string | undefined> {
    const store = this.options.store;
    const country = input.facts.number.country;
    const conversion = this.policy.conversion;
    if (!('kind' in store) || country === undefined || conversion === undefined) return undefined;
    const scope = { country, channel: input.facts.channel, domestic: sentModeOf(input) === 'peek' && input.facts.requestCountry === country };
    return this.write(() => store.run(input.facts.now, opsOf(this.keys, scope, input.facts.now, conversion.lagMs)), `could not count ${what}`);
  }

  /**
   * Counts as sent an admitted OTP that the batch only read the conversion counts for (a tier
   * country's, admitted on evidence), or only peeked at (a likely factor's, whose domestic
   * attempt is counted here too). Answers the problem, if the store failed; the OTP goes out
   * either way.
   */
  async recordAdmission(input: DynamicFacts): Promise<string | undefined> {
    return this.countConversion(input, 'an admission', sentOps);
  }

  /**
   * Counts a refused OTP the batch only peeked at as sent and refused, in one request: what the
   * batch and recordRefusal count for an OTP counted in the batch (its attempt is part of the pace).
   */
  async recordPeekedRefusal(input: DynamicFacts): Promise<string | undefined> {
    return this.countConversion(input, 'a refusal', (...args) => [...sentOps(...args), ...refusalOps(...args)]);
  }

  /** The paid signal last: only for numbers every cheaper rule let through; cached in the store. */
  private async applyLookup(verdict: DynamicVerdict, input: DynamicFacts, cached: string | undefined, store: CounterStore): Promise<void> {
    const policy = this.policy.lookup;
    const lookup = this.options.lookup;
    if (policy === undefined || lookup === undefined) return;
    const now = input.facts.now;
    let result = decodeLookup(cached);
    if (result !== undefined && lookupIsFresh(result, now, policy)) {
      verdict.lookup = 'cached';
    } else {
      try {
        result = await lookup(input.facts.number.e164, now);
        verdict.lookup = 'fetched';
      } catch (error) {
        verdict.lookupError = `${TWILIO_LOOKUP_RULE}: ${describeStoreError(error, this.policy.storeTimeoutMs)} (ignored)`;
        return;
      }
      verdict.storeRequests += 1;
      const encoded = encodeLookup(result);
      const problem = await this.write(() => store.put(this.keys.lookup(input.facts.number.e164), encoded, policy.cacheMs), 'could not cache the lookup');
      if (problem !== undefined) verdict.lookupError = problem;
    }
    const finding = checkLookup(result, policy);
    if (finding !== undefined) verdict.findings.push(finding);
  }

  private failed(verdict: DynamicVerdict, problem: string, started: number): DynamicVerdict {
    verdict.storeError = problem;
    verdict.storeMs = performance.now() - started;
    if (this.policy.failMode === 'closed') {
      verdict.findings = [storeUnavailableFinding(problem)];
    }
    return verdict;
  }

  /**
   * Alerts go out with their own timeout (ALERT_TIMEOUT_MS) and the decision waits for them at most
   * ALERT_WAIT_MS: a stalled webhook must not hold up a login. An alert still in flight then is
   * left running; Auth0 may freeze the container once the handler returns, so it may arrive late
   * (when the container thaws) or not at all. The decision line's `incidents` field is the record
   * of the incident either way; the webhook is a convenience on top of the log stream.
   */
  private async alert(verdict: DynamicVerdict, now: number, trigger: string): Promise<void> {
    const send = this.options.alert;
    if (send === undefined || verdict.incidents.length === 0) return;
    const sending = Promise.all(
      verdict.incidents.map((summary) => send({ summary, trigger, tenant: this.options.tenant, at: now }).catch(() => 'alert webhook failed')),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ALERT_WAIT_MS);
    });
    const problems = await Promise.race([sending, waited]).finally(() => clearTimeout(timer));
    verdict.alertErrors =
      problems === undefined
        ? [`alert webhook did not answer within ${ALERT_WAIT_MS} ms (left running, at most ${ALERT_TIMEOUT_MS} ms)`]
        : problems.filter((problem): problem is string => problem !== undefined);
  }
}
