/**
 * The send-phone-message flow: read the event, decide (static rules, then the dynamic rules on
 * the counter store), then deliver or refuse, and write one log line. A refusal (or a delivery
 * that failed) is a thrown Error, which Auth0 reports as a failed delivery. A bug inside the
 * guard never escapes as an unhandled error: the fail mode decides (open by default) and the log
 * line says so loudly.
 */
import type { SendPhoneMessageEvent } from '../auth0/types';
import { readSendEvent, type SendRequest } from '../auth0/send-event';
import { SMS_HIGH_RISK_COUNTRIES, VOICE_EXTRA_HIGH_RISK_COUNTRIES } from '../data/high-risk-countries';
import type { DeliveryReceipt } from '../delivery/sender';
import { TwilioError } from '../delivery/twilio-errors';
import type { DynamicFacts } from '../engine/dynamic-types';
import { isTrusted, runStaticRules, type RuleRun } from '../engine/static-rules';
import { GUARD_ERROR_RULE, type Finding, type SendFacts } from '../engine/types';
import { scrubText, writeDecisionLog, type DecisionLogLine, type LogSink } from '../log/decision-log';
import type { PhoneNumberFacts } from '../phone/e164';
import { describeUnparsedRecipient, maskPhoneNumber } from '../phone/mask';
import { NETWORK_ZONE_RULE } from '../rules/network-zones';
import { NUMBER_LIST_RULE } from '../rules/number-lists';
import { checkRecipient } from '../rules/number-sanity';
import { rangeOf } from '../rules/prefix-anomaly';
import { readTrustTier } from '../trust';
import type { SendContainer } from './container';
import type { DynamicVerdict } from './dynamic-guard';

export interface SendDependencies {
  container: SendContainer;
  now: () => number;
  log: LogSink;
  tenant: string;
}

/** Thrown to Auth0 when tollguard refuses a message or cannot deliver it. */
export class SendRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SendRefusedError';
  }
}

const SMS_HIGH_RISK = new Set(SMS_HIGH_RISK_COUNTRIES);
const VOICE_HIGH_RISK = new Set([...SMS_HIGH_RISK_COUNTRIES, ...VOICE_EXTRA_HIGH_RISK_COUNTRIES]);

interface Evaluation {
  blocks: Finding[];
  trusts: Finding[];
  ruleErrors: string[];
  number: PhoneNumberFacts | undefined;
  store: Record<string, unknown> | undefined;
}

export async function handleSendPhoneMessage(event: SendPhoneMessageEvent, deps: SendDependencies): Promise<void> {
  const startedAt = performance.now();
  const { container } = deps;
  const mode = container.policy.mode;
  const base = {
    tollguard: 'decision',
    version: 1,
    trigger: 'send-phone-message',
    at: new Date(deps.now()).toISOString(),
    mode,
    config_errors: container.configErrors.length > 0 ? container.configErrors : undefined,
  } as const;
  const read = readSendEvent(event);
  if (!read.ok) {
    writeDecisionLog(deps.log, { ...base, decision: 'error', outcome: 'refused', rules: ['event'], reasons: [read.reason] }, container.secretValues);
    throw new SendRefusedError(`tollguard cannot send this message: ${read.reason}`);
  }
  const request = read.request;
  const evaluation = mode === 'off' ? skipped(request) : await evaluateSafely(request, deps);
  const decidedAt = performance.now();
  const scrub = scrubList(container.secretValues, request, evaluation.number);
  const blocked = evaluation.blocks.length > 0;
  const enforceBlock = blocked && mode === 'enforce';
  const line: DecisionLogLine = {
    ...base,
    decision: blocked ? 'block' : 'allow',
    outcome: enforceBlock ? 'refused' : blocked ? 'would_block_delivered' : 'delivered',
    rules: evaluation.blocks.map((finding) => finding.rule),
    reasons: evaluation.blocks.map((finding) => finding.reason),
    trusted: evaluation.trusts.length > 0 ? evaluation.trusts.map((finding) => finding.reason) : undefined,
    rule_errors: evaluation.ruleErrors.length > 0 ? evaluation.ruleErrors : undefined,
    channel: request.channel,
    otp_action: request.otpAction,
    to: evaluation.number ? maskPhoneNumber(evaluation.number.e164, evaluation.number.callingCode) : describeUnparsedRecipient(request.recipient),
    country: evaluation.number?.country,
    ip: request.ip?.text,
    request_country: request.requestCountry,
    user_id: request.user.id !== undefined && request.user.id.length > 128 ? `${request.user.id.slice(0, 125)}...` : request.user.id,
    ...evaluation.store,
    timings_ms: { decide: round(decidedAt - startedAt) },
  };

  if (enforceBlock) {
    writeDecisionLog(deps.log, line, scrub);
    throw new SendRefusedError(`tollguard refused this ${request.channel} OTP (${line.rules.join(', ')})`);
  }
  await deliver(request, evaluation, line, deps, decidedAt, scrub);
}

async function evaluateSafely(request: SendRequest, deps: SendDependencies): Promise<Evaluation> {
  try {
    return await evaluate(request, deps);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return withFailMode({ ...skipped(request), ruleErrors: [`guard: ${message}`] }, deps);
  }
}

async function evaluate(request: SendRequest, deps: SendDependencies): Promise<Evaluation> {
  const recipient = checkRecipient(request.recipient);
  if ('finding' in recipient) {
    return { blocks: [recipient.finding], trusts: [], ruleErrors: [], number: undefined, store: undefined };
  }
  const { container } = deps;
  const facts: SendFacts = {
    now: deps.now(),
    channel: request.channel,
    otpAction: request.otpAction,
    number: recipient.number,
    ip: request.ip,
    requestCountry: request.requestCountry,
    user: request.user,
  };
  const run = runStaticRules(facts, container.policy);
  const staticErrors = run.errors.map((error) => `${error.rule}: ${error.message}`);
  let dynamic: DynamicVerdict;
  let storeKind = 'unusable';
  try {
    const guard = container.guardFor(deps.tenant);
    storeKind = guard.storeKind;
    dynamic = await guard.evaluate(dynamicFactsFor(facts, run, container, request.channel));
  } catch (error) {
    // The static findings stand whatever happens to the dynamic part.
    const message = error instanceof Error ? error.message : String(error);
    dynamic = { ...NO_DYNAMIC_VERDICT, ruleErrors: [`dynamic rules: ${message}`] };
  }
  const findings = [...run.findings, ...dynamic.findings];
  return withFailMode(
    {
      blocks: findings.filter((finding) => finding.effect === 'block'),
      trusts: findings.filter((finding) => finding.effect === 'trust'),
      ruleErrors: [...staticErrors, ...dynamic.ruleErrors],
      number: facts.number,
      store: {
        store: storeKind,
        store_requests: dynamic.storeRequests,
        store_ms: round(dynamic.storeMs),
        store_error: dynamic.storeError,
        fail_mode: dynamic.storeError !== undefined ? container.dynamicPolicy.failMode : undefined,
        incidents: dynamic.incidents.length > 0 ? dynamic.incidents : undefined,
        alert_errors: dynamic.alertErrors.length > 0 ? dynamic.alertErrors : undefined,
        lookup: dynamic.lookup,
        lookup_error: dynamic.lookupError,
      },
    },
    deps,
  );
}

const NO_DYNAMIC_VERDICT: DynamicVerdict = {
  findings: [], ruleErrors: [], storeError: undefined, incidents: [], alertErrors: [], storeMs: 0, storeRequests: 0, lookup: undefined, lookupError: undefined,
};

function dynamicFactsFor(facts: SendFacts, run: RuleRun, container: SendContainer, channel: SendRequest['channel']): DynamicFacts {
  const country = facts.number.country;
  return {
    facts,
    trustedNumber: isTrusted(run, NUMBER_LIST_RULE),
    trustedNetwork: isTrusted(run, NETWORK_ZONE_RULE),
    trust: readTrustTier(facts.user.appMetadata),
    range: rangeOf(facts.number.e164, facts.number.callingCode, container.dynamicPolicy.pumping?.rangeDropDigits ?? 4),
    // The country-risk prior of the shipped tier for this channel (exemptions do not lower it: they
    // allow a country, they do not make its ranges less attractive to pumpers).
    highRiskCountry: country !== undefined && (channel === 'voice' ? VOICE_HIGH_RISK : SMS_HIGH_RISK).has(country),
    staticBlocked: run.findings.some((finding) => finding.effect === 'block'),
  };
}

/** Rule errors are bugs or bad data: GUARD_FAIL_MODE=closed refuses, open (the default) lets the message go. */
function withFailMode(evaluation: Evaluation, deps: SendDependencies): Evaluation {
  if (evaluation.ruleErrors.length === 0 || deps.container.dynamicPolicy.failMode === 'open') return evaluation;
  const finding: Finding = { rule: GUARD_ERROR_RULE, effect: 'block', reason: 'a guard rule failed and GUARD_FAIL_MODE is closed' };
  return { ...evaluation, blocks: [...evaluation.blocks, finding] };
}

function skipped(request: SendRequest): Evaluation {
  const recipient = checkRecipient(request.recipient);
  return { blocks: [], trusts: [], ruleErrors: [], number: 'number' in recipient ? recipient.number : undefined, store: undefined };
}

function scrubList(secretValues: readonly string[], request: SendRequest, number: PhoneNumberFacts | undefined): string[] {
  const recipient = typeof request.recipient === 'string' ? request.recipient.trim() : undefined;
  return [
    ...secretValues,
    request.code,
    request.text,
    ...(recipient ? [recipient, recipient.replace(/^\+/, '')] : []),
    ...(number ? [number.e164, number.e164.slice(1)] : []),
  ];
}

async function deliver(
  request: SendRequest,
  evaluation: Evaluation,
  line: DecisionLogLine,
  deps: SendDependencies,
  decidedAt: number,
  scrub: string[],
): Promise<void> {
  const { sender, delivery } = deps.container;
  const timings = line['timings_ms'] as Record<string, number>;
  if (sender === undefined) {
    const problems = scrubText((delivery.kind === 'unusable' ? delivery.problems : ['no sender configured']).join('; '), scrub);
    writeDecisionLog(deps.log, { ...line, outcome: 'not_delivered', delivery_error: problems }, scrub);
    throw new SendRefusedError(`tollguard cannot deliver: ${problems}`);
  }
  const to = evaluation.number?.e164 ?? (typeof request.recipient === 'string' ? request.recipient.trim() : '');
  let receipt: DeliveryReceipt;
  try {
    receipt = await sender.send({ channel: request.channel, to, code: request.code, text: request.text });
  } catch (error) {
    // Twilio's own messages may quote the destination number.
    const reason = scrubText(error instanceof Error ? error.message : String(error), scrub);
    timings['deliver'] = round(performance.now() - decidedAt);
    writeDecisionLog(
      deps.log,
      { ...line, outcome: 'not_delivered', delivery_error: reason, twilio_code: error instanceof TwilioError ? error.code : undefined },
      scrub,
    );
    throw new SendRefusedError(`tollguard could not deliver the ${request.channel} OTP: ${reason}`);
  }
  timings['deliver'] = round(performance.now() - decidedAt);
  writeDecisionLog(deps.log, { ...line, delivery: receipt }, scrub);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
