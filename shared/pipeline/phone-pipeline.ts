/**
 * The one decision pipeline of a phone message: request → decide (static rules, then the dynamic
 * rules on the counter store) → deliver or refuse → one log line → an outcome the entry acts on
 * (throw, return, drop, retry, or answer Okta). A bug inside the guard never escapes: the fail
 * mode decides (open by default) and the log line says so loudly.
 */
import { SERVED_COUNTRY_RULE } from '../rules/served-country';
import type { DeliveryReceipt } from '../delivery/sender';
import { TwilioError } from '../delivery/twilio-errors';
import type { DynamicFacts } from '../engine/dynamic-types';
import { isTrusted, runStaticRules, type RuleRun } from '../engine/static-rules';
import { highRiskTier } from '../engine/surge-threshold';
import type { Finding, SendFacts } from '../engine/types';
import { scrubText, writeDecisionLog, type LogSink, type PhoneDecisionLine, type StoreLogFields } from '../log/decision-log';
import type { PhoneNumberFacts } from '../phone/e164';
import { describeUnparsedRecipient, maskPhoneNumber } from '../phone/mask';
import { NETWORK_ZONE_RULE } from '../rules/network-zones';
import { NUMBER_LIST_RULE } from '../rules/number-lists';
import { checkRecipient } from '../rules/number-sanity';
import { rangeOf } from '../rules/prefix-anomaly';
import { STATIC_RULES } from '../rules/registry';
import type { DynamicGuard, DynamicVerdict } from '../send/dynamic-guard';
import type { SendContainer } from '../send/container';
import { readTrustTier, type TrustTier } from '../trust';
import { errorMessage, failModeFinding, lineBase, roundMs } from './guard-run';
import type { PhoneMessageRequest, PhoneRequestResult } from './phone-request';

export interface PhoneDependencies {
  container: SendContainer;
  now: () => number;
  log: LogSink;
  tenant: string;
  /** How the entry refuses: `error` (the caller sees a failure) or `silent` (a shadow block). */
  refusal: 'error' | 'silent';
  /** The entry can ask the provider to retry a delivery that failed for a passing reason. */
  retries: boolean;
  /**
   * `hand-back`: a request the entry cannot read is returned to the caller, which then delivers it
   * itself (Okta sends the code through its own provider when the hook errs). Its fields are the
   * platform's, not the attacker's: a format change must not silence every OTP of an org.
   * Default `refuse`.
   */
  unreadable?: 'refuse' | 'hand-back';
}

/**
 * What the pipeline did, for the entry to act on. `scrub` lists what must never leave tollguard
 * (secrets, the code, the text, every form of the number): the line was scrubbed of it, and
 * anything an entry derives from the line (a drop reason, Okta's metadata) must be too.
 */
export type PhoneOutcome = { line: PhoneDecisionLine; scrub: readonly string[] } & (
  | { kind: 'delivered'; receipt: DeliveryReceipt }
  | { kind: 'refused'; summary: string }
  | { kind: 'not-delivered'; reason: string; transient: boolean }
  | { kind: 'unreadable'; reason: string }
);

/** What the guard decided about one message; the decision line is a typed view of it. */
export interface PhoneDecision {
  /** Block findings in rule order; empty when allowed. */
  blocks: Finding[];
  /** Explicit allow-listings that exempted the message from some rules. */
  trusts: Finding[];
  ruleErrors: string[];
  number: PhoneNumberFacts | undefined;
  store: StoreLogFields;
}

const MAX_USER_ID_LOGGED = 128;

/** `eventProblems`: what the event snapshot could not read or cut (shapes only, never values). */
export async function runPhoneMessage(read: PhoneRequestResult, deps: PhoneDependencies, eventProblems: readonly string[] = []): Promise<PhoneOutcome> {
  const startedAt = performance.now();
  const { container } = deps;
  const base = {
    ...lineBase(container.policy.mode, deps.now(), container.configErrors),
    trigger: read.ok ? read.request.trigger : read.trigger,
    event_problems: eventProblems.length > 0 ? [...eventProblems] : undefined,
  };
  if (!read.ok) {
    const handBack = deps.unreadable === 'hand-back';
    const line: PhoneDecisionLine = {
      ...base,
      decision: 'error',
      outcome: handBack ? 'not_delivered' : 'refused',
      refusal: handBack ? undefined : deps.refusal,
      rules: ['event'],
      reasons: [read.reason],
      channel: read.channel,
      delivery_error: handBack ? 'handed back to the caller to deliver' : undefined,
    };
    writeDecisionLog(deps.log, line, container.secretValues);
    return { kind: 'unreadable', reason: read.reason, line, scrub: container.secretValues };
  }
  const request = read.request;
  const evaluation = container.policy.mode === 'off' ? skipped(request) : await evaluateSafely(request, deps);
  const decidedAt = performance.now();
  const scrub = scrubList(container.secretValues, request, evaluation.number);
  const blocked = evaluation.blocks.length > 0;
  const enforceBlock = blocked && container.policy.mode === 'enforce';
  const line: PhoneDecisionLine = {
    ...base,
    decision: blocked ? 'block' : 'allow',
    outcome: enforceBlock ? 'refused' : blocked ? 'would_block_delivered' : 'delivered',
    refusal: enforceBlock ? deps.refusal : undefined,
    rules: evaluation.blocks.map((finding) => finding.rule),
    reasons: evaluation.blocks.map((finding) => finding.reason),
    trusted: evaluation.trusts.length > 0 ? evaluation.trusts.map((finding) => finding.reason) : undefined,
    rule_errors: evaluation.ruleErrors.length > 0 ? evaluation.ruleErrors : undefined,
    channel: request.channel,
    message_type: request.messageType,
    message_kind: request.kind,
    otp_action: request.otpAction,
    to: evaluation.number ? maskPhoneNumber(evaluation.number.e164, evaluation.number.callingCode) : describeUnparsedRecipient(request.recipient),
    country: evaluation.number?.country,
    ip: request.ip?.text,
    request_country: request.requestCountry,
    user_id: request.user.id !== undefined && request.user.id.length > MAX_USER_ID_LOGGED ? `${request.user.id.slice(0, MAX_USER_ID_LOGGED - 3)}...` : request.user.id,
    client_id: request.context.clientId,
    connection: request.context.connection,
    organization: request.context.organization,
    ...evaluation.store,
    timings_ms: { decide: roundMs(decidedAt - startedAt) },
  };

  if (enforceBlock) {
    writeDecisionLog(deps.log, line, scrub);
    return { kind: 'refused', summary: `tollguard refused this ${request.channel} ${request.kind === 'otp' ? 'OTP' : 'notice'} (${line.rules.join(', ')})`, line, scrub };
  }
  return deliver(request, evaluation, line, deps, decidedAt, scrub);
}

async function evaluateSafely(request: PhoneMessageRequest, deps: Pick<PhoneDependencies, 'container' | 'now' | 'tenant'>): Promise<PhoneDecision> {
  try {
    return await evaluate(request, deps);
  } catch (error) {
    return withFailMode({ ...skipped(request), ruleErrors: [`guard: ${errorMessage(error)}`] }, deps.container);
  }
}

async function evaluate(request: PhoneMessageRequest, deps: Pick<PhoneDependencies, 'container' | 'now' | 'tenant'>): Promise<PhoneDecision> {
  const recipient = checkRecipient(request.recipient);
  if ('finding' in recipient) {
    return { blocks: [recipient.finding], trusts: [], ruleErrors: [], number: undefined, store: {} };
  }
  const { container } = deps;
  const facts: SendFacts = {
    now: deps.now(),
    channel: request.channel,
    otpAction: request.otpAction,
    recipientIs: request.recipientIs,
    number: recipient.number,
    ip: request.ip,
    requestCountry: request.requestCountry,
    user: request.user,
  };
  const run = runStaticRules(facts, container.policy, STATIC_RULES);
  const staticErrors = run.errors.map((error) => `${error.rule}: ${error.message}`);
  let dynamic: DynamicVerdict;
  let storeKind = 'unusable';
  let guard: DynamicGuard | undefined;
  let dynamicFacts: DynamicFacts | undefined;
  try {
    dynamicFacts = dynamicFactsFor(facts, run, container, request);
    guard = container.guardFor(deps.tenant, request.kind);
    storeKind = guard.storeKind;
    dynamic = await guard.evaluate(dynamicFacts);
  } catch (error) {
    // The static findings stand whatever happens to the dynamic part.
    dynamic = { ...NO_DYNAMIC_VERDICT, ruleErrors: [`dynamic rules: ${errorMessage(error)}`] };
  }
  // A refusal by the shipped tier alone is lifted by evidence that the tenant serves the country.
  const served = dynamic.findings.some((finding) => finding.rule === SERVED_COUNTRY_RULE && finding.effect === 'trust');
  const findings = [...run.findings.filter((finding) => !(served && finding.liftable === true)), ...dynamic.findings];
  // An OTP the batch counted as sent and that is now refused is counted as refused (one more
  // request, on refusals only): it can never be verified and must not read as a collapse. One the
  // batch only peeked at (a likely factor outside the tier) is counted as sent and refused at once.
  const refused = container.policy.mode === 'enforce' && findings.some((finding) => finding.effect === 'block');
  if (guard !== undefined && dynamicFacts !== undefined && (dynamic.conversionCounted || dynamic.conversionOnRefusal) && refused) {
    dynamic.storeRequests += 1;
    const problem = await (dynamic.conversionCounted ? guard.recordRefusal(dynamicFacts) : guard.recordPeekedRefusal(dynamicFacts));
    if (problem !== undefined) dynamic.storeError ??= problem;
  }
  // An OTP to a tier country that evidence admitted, or a likely factor admitted elsewhere, whose
  // number is not proven: counted as sent now (one more request), so the country's conversion sees
  // it; the tier's refusals cost nothing.
  if (guard !== undefined && dynamicFacts !== undefined && dynamic.conversionOnAdmission && !refused) {
    dynamic.storeRequests += 1;
    const problem = await guard.recordAdmission(dynamicFacts);
    if (problem !== undefined) dynamic.storeError ??= problem;
  }
  return withFailMode(
    {
      blocks: findings.filter((finding) => finding.effect === 'block'),
      trusts: findings.filter((finding) => finding.effect === 'trust'),
      ruleErrors: [...staticErrors, ...dynamic.ruleErrors],
      number: facts.number,
      store: {
        store: storeKind,
        store_requests: dynamic.storeRequests,
        store_ms: roundMs(dynamic.storeMs),
        store_error: dynamic.storeError,
        fail_mode: dynamic.storeError !== undefined ? container.dynamicPolicy.failMode : undefined,
        incidents: dynamic.incidents.length > 0 ? dynamic.incidents : undefined,
        alert_errors: dynamic.alertErrors.length > 0 ? dynamic.alertErrors : undefined,
        lookup: dynamic.lookup,
        lookup_error: dynamic.lookupError,
        replay: dynamic.replay ? true : undefined,
        evidence: dynamic.evidence,
      },
    },
    container,
  );
}

const NO_DYNAMIC_VERDICT: DynamicVerdict = {
  findings: [], ruleErrors: [], storeError: undefined, incidents: [], alertErrors: [], storeMs: 0, storeRequests: 0, lookup: undefined, lookupError: undefined, replay: false, evidence: undefined, conversionCounted: false, conversionOnAdmission: false, conversionOnRefusal: false,
};

function dynamicFactsFor(facts: SendFacts, run: RuleRun, container: SendContainer, request: PhoneMessageRequest): DynamicFacts {
  const country = facts.number.country;
  const rangeDigits = container.dynamicPolicy.pumping?.rangeDropDigits ?? 4;
  return {
    trigger: request.trigger,
    facts,
    trustedNumber: isTrusted(run, NUMBER_LIST_RULE),
    trustedNetwork: isTrusted(run, NETWORK_ZONE_RULE),
    trust: trustFor(request, facts),
    range: rangeOf(facts.number.e164, facts.number.callingCode, rangeDigits),
    block: rangeOf(facts.number.e164, facts.number.callingCode, rangeDigits + 1),
    // The country-risk prior of the shipped tier for this channel (exemptions do not lower it: they
    // allow a country, they do not make its ranges less attractive to pumpers).
    highRiskCountry: country !== undefined && highRiskTier(request.channel).has(country),
    staticBlocked: run.findings.some((finding) => finding.effect === 'block'),
    firmStaticBlock: run.findings.some((finding) => finding.effect === 'block' && finding.liftable !== true),
    tierBlocked: run.findings.some((finding) => finding.effect === 'block' && finding.liftable === true),
    notificationId: request.notificationId === undefined ? undefined : container.storeIdOf(request.notificationId),
  };
}

/**
 * The user's trust tier as the registration Action wrote it. Okta carries none, and enrolling a
 * number is where pumping happens: an Okta pre-enrollment OTP is judged as low trust, so it meets
 * GUARD_LIMIT_USER_LOW_TRUST; challenges to an enrolled number keep the ordinary per-user limit.
 */
function trustFor(request: PhoneMessageRequest, facts: SendFacts): TrustTier | undefined {
  const tier = readTrustTier(facts.user.appMetadata);
  if (tier !== undefined) return tier;
  return request.trigger === 'okta-telephony-hook' && request.otpAction === 'enrollment' ? 'low' : undefined;
}

function withFailMode(evaluation: PhoneDecision, container: SendContainer): PhoneDecision {
  const finding = failModeFinding(evaluation.ruleErrors, container.dynamicPolicy.failMode, 'a guard rule');
  return finding === undefined ? evaluation : { ...evaluation, blocks: [...evaluation.blocks, finding] };
}

function skipped(request: PhoneMessageRequest): PhoneDecision {
  const recipient = checkRecipient(request.recipient);
  return { blocks: [], trusts: [], ruleErrors: [], number: 'number' in recipient ? recipient.number : undefined, store: {} };
}

function scrubList(secretValues: readonly string[], request: PhoneMessageRequest, number: PhoneNumberFacts | undefined): string[] {
  const recipient = typeof request.recipient === 'string' ? request.recipient.trim() : undefined;
  return [
    ...secretValues,
    request.code,
    request.text,
    ...(recipient ? [recipient, recipient.replace(/^\+/, '')] : []),
    ...(number ? [number.e164, number.e164.slice(1)] : []),
  ];
}

/** Timeouts, network failures, rate limits and Twilio's own 5xx pass; the rest will fail again. */
function isTransientDeliveryError(error: unknown): boolean {
  if (!(error instanceof TwilioError)) return false;
  if (error.kind === 'timeout' || error.kind === 'network') return true;
  if (error.code === 20429) return true;
  return error.status !== undefined && (error.status === 429 || error.status >= 500);
}

async function deliver(
  request: PhoneMessageRequest,
  evaluation: PhoneDecision,
  line: PhoneDecisionLine,
  deps: PhoneDependencies,
  decidedAt: number,
  scrub: string[],
): Promise<PhoneOutcome> {
  const { sender, delivery } = deps.container;
  if (sender === undefined) {
    const problems = scrubText((delivery.kind === 'unusable' ? delivery.problems : ['no sender configured']).join('; '), scrub);
    const failed: PhoneDecisionLine = { ...line, outcome: 'not_delivered', delivery_error: problems };
    writeDecisionLog(deps.log, failed, scrub);
    return { kind: 'not-delivered', reason: `tollguard cannot deliver: ${problems}`, transient: false, line: failed, scrub };
  }
  const to = evaluation.number?.e164 ?? (typeof request.recipient === 'string' ? request.recipient.trim() : '');
  try {
    const receipt = await sender.send({ channel: request.channel, to, code: request.code, text: request.text });
    const delivered: PhoneDecisionLine = { ...line, delivery: receipt, timings_ms: { decide: line.timings_ms?.decide ?? 0, deliver: roundMs(performance.now() - decidedAt) } };
    writeDecisionLog(deps.log, delivered, scrub);
    return { kind: 'delivered', receipt, line: delivered, scrub };
  } catch (error) {
    // Twilio's own messages may quote the destination number.
    const reason = scrubText(errorMessage(error), scrub);
    const transient = isTransientDeliveryError(error);
    const retry = deps.retries && transient;
    // The one extra store request of a failed delivery: its retries must not be counted again.
    const grants = retry && request.notificationId !== undefined;
    const retryError = grants ? await deps.container.grantRetries(deps.tenant, request.notificationId as string) : undefined;
    const failed: PhoneDecisionLine = {
      ...line,
      store_requests: grants && line.store_requests !== undefined ? line.store_requests + 1 : line.store_requests,
      outcome: 'not_delivered',
      delivery_error: reason,
      twilio_code: error instanceof TwilioError ? error.code : undefined,
      retry: retry ? true : undefined,
      retry_error: retryError === undefined ? undefined : scrubText(retryError, scrub),
      timings_ms: { decide: line.timings_ms?.decide ?? 0, deliver: roundMs(performance.now() - decidedAt) },
    };
    writeDecisionLog(deps.log, failed, scrub);
    return { kind: 'not-delivered', reason: `tollguard could not deliver the ${request.channel} message: ${reason}`, transient, line: failed, scrub };
  }
}
