/**
 * The send-phone-message trigger on the phone pipeline: read the event, run the pipeline, and
 * act. A refusal (or a delivery that failed) is a thrown Error, which Auth0 reports as a failed
 * delivery, unless GUARD_SILENT_REFUSAL makes a refusal silent (return without sending).
 */
import type { SendPhoneMessageEvent } from '../auth0/types';
import { snapshotEvent } from '../auth0/event-snapshot';
import { readSendEvent } from '../auth0/send-event';
import { parseBoolean } from '../config/parsers';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import type { LogSink } from '../log/decision-log';
import { runPhoneMessage } from '../pipeline/phone-pipeline';
import type { SendContainer } from './container';

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

export const SILENT_REFUSAL_SECRET = 'GUARD_SILENT_REFUSAL';

/**
 * send-phone-message refuses by throwing (Auth0 reports a failed delivery) unless this secret is
 * true: then it returns without sending, so an attacker cannot tell which numbers pass.
 */
export function parseRefusalStyle(secrets: Secrets, errors: ConfigErrors): 'error' | 'silent' {
  return errors.read(() => parseBoolean(SILENT_REFUSAL_SECRET, secrets[SILENT_REFUSAL_SECRET], false), false) ? 'silent' : 'error';
}

export async function handleSendPhoneMessage(event: SendPhoneMessageEvent, deps: SendDependencies): Promise<void> {
  const refusal = deps.container.refusal;
  const snapshot = snapshotEvent(event);
  const outcome = await runPhoneMessage(readSendEvent(snapshot.event), { ...deps, refusal, retries: false }, snapshot.problems);
  switch (outcome.kind) {
    case 'delivered':
      return;
    case 'unreadable':
      throw new SendRefusedError(`tollguard cannot send this message: ${outcome.reason}`);
    case 'refused':
      if (refusal === 'silent') return;
      throw new SendRefusedError(outcome.summary);
    case 'not-delivered':
      throw new SendRefusedError(outcome.reason);
  }
}
