/**
 * The send-phone-message flow: read the event, decide, then deliver or refuse, and write one log
 * line. A refusal (or a delivery that failed) is a thrown Error, which Auth0 reports as a failed
 * delivery. A bug inside the guard never escapes as an unhandled error: the request fails open
 * (it is delivered) and the log line says so loudly.
 */
import type { SendPhoneMessageEvent } from '../auth0/types';
import { readSendEvent, type SendRequest } from '../auth0/send-event';
import type { DeliveryReceipt } from '../delivery/sender';
import { TwilioError } from '../delivery/twilio-errors';
import { runStaticRules } from '../engine/static-rules';
import type { Finding, SendFacts } from '../engine/types';
import { writeDecisionLog, type DecisionLogLine, type LogSink } from '../log/decision-log';
import { describeUnparsedRecipient, maskPhoneNumber } from '../phone/mask';
import { NUMBER_SANITY_RULE, checkRecipient } from '../rules/number-sanity';
import type { SendContainer } from './container';

export interface SendDependencies {
  container: SendContainer;
  now: () => number;
  log: LogSink;
}

/** Thrown to Auth0 when tollguard refuses a message or cannot deliver it. */
export class SendRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SendRefusedError';
  }
}

interface Evaluation {
  blocks: Finding[];
  trusts: Finding[];
  evaluated: string[];
  ruleErrors: string[];
  destination: string;
  country: string | undefined;
  e164: string | undefined;
}

export async function handleSendPhoneMessage(event: SendPhoneMessageEvent, deps: SendDependencies): Promise<void> {
  const startedAt = performance.now();
  const { container } = deps;
  const mode = container.policy.mode;
  const read = readSendEvent(event);
  const base = {
    tollguard: 'decision',
    version: 1,
    trigger: 'send-phone-message',
    mode,
    config_errors: container.configErrors.length > 0 ? container.configErrors : undefined,
  } as const;
  const scrub = (request: SendRequest | undefined, e164?: string) => [
    ...container.secretValues,
    ...(request ? [request.code, ...(typeof request.recipient === 'string' ? [request.recipient.trim()] : [])] : []),
    ...(e164 ? [e164, e164.slice(1)] : []),
  ];

  if (!read.ok) {
    writeDecisionLog(deps.log, { ...base, decision: 'error', outcome: 'refused', rules: ['event'], reasons: [read.reason] }, scrub(undefined));
    throw new SendRefusedError(`tollguard cannot send this message: ${read.reason}`);
  }
  const request = read.request;
  const evaluation = mode === 'off' ? skipped(request) : evaluateSafely(request, deps);
  const decidedAt = performance.now();
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
    to: evaluation.destination,
    country: evaluation.country,
    ip: request.ip?.text,
    request_country: request.requestCountry,
    user_id: request.user.id,
    timings_ms: { decide: round(decidedAt - startedAt) },
  };

  if (enforceBlock) {
    writeDecisionLog(deps.log, line, scrub(request, evaluation.e164));
    throw new SendRefusedError(`tollguard refused this ${request.channel} OTP (${line.rules.join(', ')})`);
  }
  await deliver(request, evaluation, line, deps, decidedAt, scrub(request, evaluation.e164));
}

/** A bug in the guard must not stop a login: the message fails open and the log line says why. */
function evaluateSafely(request: SendRequest, deps: SendDependencies): Evaluation {
  try {
    return evaluate(request, deps);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...skipped(request), ruleErrors: [`guard: ${message} (failed open)`] };
  }
}

function evaluate(request: SendRequest, deps: SendDependencies): Evaluation {
  const recipient = checkRecipient(request.recipient);
  if ('finding' in recipient) {
    return {
      blocks: [recipient.finding],
      trusts: [],
      evaluated: [NUMBER_SANITY_RULE],
      ruleErrors: [],
      destination: describeUnparsedRecipient(request.recipient),
      country: undefined,
      e164: undefined,
    };
  }
  const facts: SendFacts = {
    now: deps.now(),
    channel: request.channel,
    otpAction: request.otpAction,
    number: recipient.number,
    ip: request.ip,
    requestCountry: request.requestCountry,
    user: request.user,
  };
  const run = runStaticRules(facts, deps.container.policy);
  return {
    blocks: run.findings.filter((finding) => finding.effect === 'block'),
    trusts: run.findings.filter((finding) => finding.effect === 'trust'),
    evaluated: [NUMBER_SANITY_RULE, ...run.evaluated],
    ruleErrors: run.errors.map((error) => `${error.rule}: ${error.message}`),
    destination: maskPhoneNumber(facts.number.e164, facts.number.callingCode),
    country: facts.number.country,
    e164: facts.number.e164,
  };
}

function skipped(request: SendRequest): Evaluation {
  const recipient = checkRecipient(request.recipient);
  const number = 'number' in recipient ? recipient.number : undefined;
  return {
    blocks: [],
    trusts: [],
    evaluated: [],
    ruleErrors: [],
    destination: number ? maskPhoneNumber(number.e164, number.callingCode) : describeUnparsedRecipient(request.recipient),
    country: number?.country,
    e164: number?.e164,
  };
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
    const problems = delivery.kind === 'unusable' ? delivery.problems : ['no sender configured'];
    writeDecisionLog(deps.log, { ...line, outcome: 'not_delivered', delivery_error: problems.join('; ') }, scrub);
    throw new SendRefusedError(`tollguard cannot deliver: ${problems.join('; ')}`);
  }
  const to = evaluation.e164 ?? (typeof request.recipient === 'string' ? request.recipient.trim() : '');
  let receipt: DeliveryReceipt;
  try {
    receipt = await sender.send({ channel: request.channel, to, code: request.code, text: request.text });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    timings['deliver'] = round(performance.now() - decidedAt);
    writeDecisionLog(
      deps.log,
      {
        ...line,
        outcome: 'not_delivered',
        delivery_error: reason,
        twilio_code: error instanceof TwilioError ? error.code : undefined,
      },
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
