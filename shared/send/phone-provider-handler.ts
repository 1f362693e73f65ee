/**
 * The custom-phone-provider trigger (Unified Phone Experience) on the phone pipeline. Auth0 shows
 * the user nothing either way, so every refusal is silent by nature: the Action sends nothing and
 * calls api.notification.drop(reason); a delivery that failed for a passing reason (timeout, 429,
 * 5xx) calls api.notification.retry(reason), and Auth0 runs the Action again for the same
 * notification (the pipeline does not count it twice). It never throws.
 */
import { snapshotEvent } from '../auth0/event-snapshot';
import { readPhoneProviderEvent } from '../auth0/phone-provider-event';
import { guardErrorLine, scrubText, type LogSink } from '../log/decision-log';
import { errorMessage } from '../pipeline/guard-run';
import { runPhoneMessage } from '../pipeline/phone-pipeline';
import type { SendContainer } from './container';

export interface PhoneProviderDependencies {
  container: SendContainer;
  now: () => number;
  log: LogSink;
  tenant: string;
}

/** Auth0's limit on a drop / retry reason. */
const MAX_NOTIFICATION_REASON = 1024;

/** What to tell Auth0, and what the reason must be scrubbed of. */
export type NotificationVerdict = { call: 'drop' | 'retry'; reason: string; scrub?: readonly string[] } | undefined;

export async function handleCustomPhoneProvider(event: unknown, deps: PhoneProviderDependencies): Promise<NotificationVerdict> {
  const snapshot = snapshotEvent(event);
  const outcome = await runPhoneMessage(readPhoneProviderEvent(snapshot.event), { ...deps, refusal: 'silent', retries: true }, snapshot.problems);
  const scrub = outcome.scrub;
  switch (outcome.kind) {
    case 'delivered':
      return undefined;
    case 'unreadable':
      return { call: 'drop', reason: `tollguard cannot send this notification: ${outcome.reason}`, scrub };
    case 'refused':
      return { call: 'drop', reason: `${outcome.summary.replace(/\(.*\)$/, '')}(${refusalDetails(outcome.line)})`, scrub };
    case 'not-delivered':
      return { call: outcome.transient ? 'retry' : 'drop', reason: outcome.reason, scrub };
  }
}

/** Each refusing rule with its reason: the drop reason is the only trace in Auth0's own logs. */
function refusalDetails(line: { rules: readonly string[]; reasons: readonly string[] }): string {
  return line.rules.map((rule, index) => `${rule}: ${line.reasons[index] ?? ''}`).join('; ');
}

/** Calls api.notification.drop / retry, surviving an api object that is missing or throws. */
export function signalNotification(api: unknown, verdict: NotificationVerdict, log: LogSink, scrub: readonly string[]): void {
  if (verdict === undefined) return;
  const reason = scrubText(verdict.reason, [...scrub, ...(verdict.scrub ?? [])]).slice(0, MAX_NOTIFICATION_REASON);
  try {
    const notification = (api as { notification?: Record<string, unknown> } | null | undefined)?.notification;
    const call = notification?.[verdict.call];
    if (typeof call !== 'function') throw new Error(`api.notification.${verdict.call} is not a function`);
    call.call(notification, reason);
  } catch (error) {
    log(guardErrorLine('custom-phone-provider', verdict.call === 'retry' ? 'not_delivered' : 'refused', `could not call api.notification.${verdict.call}: ${scrubText(errorMessage(error), scrub)}`));
  }
}
