/**
 * One Okta telephony hook call: Authorization header and body in, HTTP status and JSON answer out.
 *
 * Okta sends the OTP through its own providers whenever the hook errs, times out or answers
 * badly, so a refusal can only be a shadow block: the hook answers SUCCESSFUL and sends nothing
 * (the decision line says `refused`, `refusal: silent`). A delivery that failed answers Okta's
 * error object, and Okta may then send the code itself: the guard already allowed that message.
 * Every path answers within the deadline, whatever the store or Twilio do.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { LogSink } from '../log/decision-log';
import { errorMessage } from '../pipeline/guard-run';
import { runPhoneMessage, type PhoneOutcome } from '../pipeline/phone-pipeline';
import type { SendContainer } from '../send/container';
import { ANSWER_DEADLINE_MS } from './hook-config';
import { OKTA_TRIGGER, readOktaTelephonyEvent } from './telephony-event';

export const TELEPHONY_ACTION = 'com.okta.telephony.action';
/** Counter keys of every Okta org this server guards (GUARD_KEY_PREFIX separates deployments). */
export const OKTA_TENANT = 'okta';

export type TelephonyStatus = 'SUCCESSFUL' | 'PENDING' | 'FAILED';

export interface TelephonyActionValue {
  status: TelephonyStatus;
  provider: string;
  transactionId: string;
  transactionMetadata: string;
}

export interface TelephonyCommandsBody {
  commands: [{ type: typeof TELEPHONY_ACTION; value: [TelephonyActionValue] }];
}

export interface OktaErrorBody {
  error: { errorSummary: string; errorCauses?: { errorSummary: string; reason: string; locationType?: string; location?: string; domain?: string }[] };
}

export interface HookAnswer {
  status: number;
  body: TelephonyCommandsBody | OktaErrorBody;
}

export interface HookDependencies {
  container: SendContainer;
  /** The Authorization header value Okta was registered with. */
  authSecret: string;
  now: () => number;
  log: LogSink;
  /** When the hook answers Okta at the latest, even with the delivery still under way. */
  deadlineMs?: number;
  /** Keeps work running after the answer was sent (a Worker's waitUntil); Node needs nothing. */
  background?: (work: Promise<unknown>) => void;
}

/** Constant-time check of the Authorization header: both sides are hashed to one length first. */
export function isAuthorised(header: string | null | undefined, secret: string): boolean {
  const given = createHash('sha256').update(header?.trim() ?? '', 'utf8').digest();
  const expected = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(given, expected) && typeof header === 'string';
}

export async function handleTelephonyHook(input: { authorization: string | null | undefined; body: string }, deps: HookDependencies): Promise<HookAnswer> {
  if (!isAuthorised(input.authorization, deps.authSecret)) return UNAUTHORISED;
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.body);
  } catch {
    return errorAnswer(400, 'the request body is not JSON', 'INVALID_REQUEST');
  }
  const started = performance.now();
  const work = runPhoneMessage(readOktaTelephonyEvent(parsed), {
    container: deps.container,
    now: deps.now,
    log: deps.log,
    tenant: OKTA_TENANT,
    refusal: 'silent',
    retries: false,
    unreadable: 'hand-back',
  });
  const deadlineMs = deps.deadlineMs ?? ANSWER_DEADLINE_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), deadlineMs);
  });
  let first: PhoneOutcome | 'deadline';
  try {
    first = await Promise.race([work, deadline]);
  } catch (error) {
    // Not reached by design (the pipeline catches rule failures); Okta then sends the code itself.
    deps.log(hookLine('guard-failed', { reason: errorMessage(error).slice(0, 300) }));
    return errorAnswer(500, 'tollguard failed before it could decide', 'GUARD_FAILED');
  } finally {
    clearTimeout(timer);
  }
  if (first === 'deadline') {
    deps.background?.(work.catch(() => undefined));
    deps.log(hookLine('answered-at-deadline', { deadline_ms: deadlineMs, note: 'the decision line follows when the delivery ends' }));
    return commandAnswer('PENDING', 'TWILIO', transactionId(), `tollguard answered at its ${deadlineMs} ms deadline; delivery not confirmed yet`);
  }
  return answerFor(first, Math.round(performance.now() - started));
}

/** What Okta is told for each outcome of the pipeline. */
export function answerFor(outcome: PhoneOutcome, durationMs: number): HookAnswer {
  switch (outcome.kind) {
    case 'delivered': {
      const receipt = outcome.line.delivery;
      const provider = receipt?.provider === 'dry-run' ? 'TOLLGUARD_DRY_RUN' : 'TWILIO';
      const note = outcome.line.outcome === 'would_block_delivered' ? `; monitor mode: would refuse (${outcome.line.rules.join(', ')})` : '';
      return commandAnswer('SUCCESSFUL', provider, receipt?.sid ?? transactionId(), `Duration=${durationMs}ms; tollguard ${outcome.line.decision}${note}`);
    }
    case 'refused':
      return commandAnswer('SUCCESSFUL', 'TOLLGUARD', transactionId(), `not sent: refused by tollguard (${outcome.line.rules.join(', ')})`);
    case 'unreadable':
      // Okta's own fields we cannot read: Okta sends the code itself (the monitor shows the failover).
      return errorAnswer(200, 'tollguard cannot read this telephony request', 'INVALID_REQUEST');
    case 'not-delivered':
      return errorAnswer(200, 'tollguard could not deliver the one-time code', outcome.transient ? 'PROVIDER_UNAVAILABLE' : 'DELIVERY_FAILED');
  }
}

const UNAUTHORISED: HookAnswer = { status: 401, body: { error: { errorSummary: 'missing or wrong Authorization header' } } };

function commandAnswer(status: TelephonyStatus, provider: string, id: string, metadata: string): HookAnswer {
  return { status: 200, body: { commands: [{ type: TELEPHONY_ACTION, value: [{ status, provider, transactionId: id, transactionMetadata: metadata }] }] } };
}

/** The error object Okta documents; its summary may reach the end user, so it stays generic. */
export function errorAnswer(status: number, summary: string, reason: string): HookAnswer {
  return { status, body: { error: { errorSummary: summary, errorCauses: [{ errorSummary: summary, reason, domain: 'external-service' }] } } };
}

function transactionId(): string {
  return `tollguard-${randomUUID()}`;
}

/** A line about the hook itself (not a decision: the pipeline writes exactly one of those). */
export function hookLine(event: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ tollguard: 'hook', trigger: OKTA_TRIGGER, event, at: new Date().toISOString(), ...fields });
}
