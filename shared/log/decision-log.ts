/**
 * One JSON line per decision, for Auth0 log streams and `npm run monitor`. What may appear is
 * decided here, field by field: never the OTP code, the message text, a token, or a full number.
 * As a last guard, the serialised line is scrubbed of the code and of the raw recipient.
 */
export interface DecisionLogLine {
  tollguard: 'decision';
  version: 1;
  trigger: 'send-phone-message' | 'pre-user-registration';
  decision: 'allow' | 'block' | 'error';
  mode: string;
  outcome: string;
  rules: string[];
  reasons: string[];
  [field: string]: unknown;
}

export type LogSink = (line: string) => void;

export function writeDecisionLog(sink: LogSink, line: DecisionLogLine, secretsToScrub: readonly string[]): string {
  const text = scrubText(JSON.stringify(line), secretsToScrub);
  sink(text);
  return text;
}

/** The one line written when the guard itself failed (it could not start, or a bug escaped a rule). */
export function guardErrorLine(trigger: DecisionLogLine['trigger'], outcome: string, reason: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ tollguard: 'decision', version: 1, trigger, decision: 'error', outcome, rules: ['guard-error'], reasons: [reason.slice(0, 300)], ...extra });
}

/** Replaces every form of each secret (escaped, cut at line breaks, URL-normalised) by [redacted]; see scrub.ts. */
import { scrubText } from './scrub';
export { scrubText };
