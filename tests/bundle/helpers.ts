/**
 * Helpers for the tests of the built Action bundles: reading the decision log line, a small
 * well-formedness check for TwiML, and a ledger that checks, across every invocation of a test
 * file, that no secret (OTP code, message text, token, full phone number) reached a log line or a
 * thrown error.
 */
import * as path from 'node:path';
import type { Invocation, LoadedAction } from '../support/actions-runtime';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const DIST_DIR = path.join(REPO_ROOT, 'dist');

/** The fields of the `{"tollguard":"decision",...}` line these tests read. */
export interface DecisionLine {
  tollguard: 'decision';
  version: number;
  trigger: string;
  decision: 'allow' | 'block' | 'error';
  mode: string;
  outcome: string;
  rules: string[];
  reasons: string[];
  config_errors?: string[];
  rule_errors?: string[];
  channel?: string;
  to?: string;
  country?: string;
  ip?: string;
  request_country?: string;
  delivery?: { provider: string; sid?: string; status?: string };
  delivery_error?: string;
  twilio_code?: number;
  [field: string]: unknown;
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function isDecision(value: unknown): value is DecisionLine {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)['tollguard'] === 'decision';
}

/** Every decision line among captured console lines (other lines are ignored). */
export function decisionLines(logs: readonly string[]): DecisionLine[] {
  return logs.map(parseJson).filter(isDecision);
}

/** The one decision line an invocation wrote; fails the test when there is not exactly one. */
export function decisionLineOf(invocation: Invocation<unknown>): DecisionLine {
  const lines = decisionLines(invocation.logs);
  if (lines.length !== 1) {
    throw new Error(`expected exactly one decision log line, got ${lines.length}:\n${invocation.logs.join('\n')}`);
  }
  return lines[0] as DecisionLine;
}

// ---------------------------------------------------------------------------------------------
// TwiML

const NAME = '[A-Za-z_][\\w.:-]*';
const ATTRIBUTE = `\\s+${NAME}\\s*=\\s*"[^"<&]*"`;
const TAG = new RegExp(`<(/?)(${NAME})((?:${ATTRIBUTE})*)\\s*(/?)>`, 'y');
const PROLOG = /^<\?xml(?:\s+[\w:-]+\s*=\s*"[^"]*")*\s*\?>/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;

/**
 * Problems that keep `xml` from being a well-formed document of elements, attributes in double
 * quotes and escaped text (enough for TwiML; no comments, CDATA or DTD). Empty when well formed.
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  let rest = xml;
  const prolog = PROLOG.exec(rest);
  if (prolog) rest = rest.slice(prolog[0].length);
  const open: string[] = [];
  let roots = 0;
  let i = 0;
  while (i < rest.length) {
    const char = rest[i];
    if (char === '<') {
      TAG.lastIndex = i;
      const tag = TAG.exec(rest);
      if (!tag) {
        problems.push(`malformed tag at ${i}: ${rest.slice(i, i + 30)}`);
        break;
      }
      const [whole, closing, name = '', , selfClosing] = tag;
      if (closing) {
        const expected = open.pop();
        if (expected !== name) problems.push(`</${name}> closes <${expected ?? 'nothing'}>`);
      } else {
        if (open.length === 0) roots += 1;
        if (!selfClosing) open.push(name);
      }
      i += whole.length;
    } else if (char === '&') {
      ENTITY.lastIndex = i;
      const entity = ENTITY.exec(rest);
      if (!entity) {
        problems.push(`unescaped & at ${i}`);
        i += 1;
      } else {
        i += entity[0].length;
      }
    } else {
      if (open.length === 0 && char !== undefined && !/\s/.test(char)) problems.push(`text outside the root element at ${i}`);
      i += 1;
    }
  }
  if (open.length > 0) problems.push(`unclosed elements: ${open.join(', ')}`);
  if (roots !== 1) problems.push(`expected one root element, found ${roots}`);
  return problems;
}

/** The text content of each `<Say>` element, entities decoded. */
export function sayTexts(twiml: string): string[] {
  return [...twiml.matchAll(/<Say\b[^>]*>([^<]*)<\/Say>/g)].map((match) =>
    (match[1] ?? '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&'),
  );
}

// ---------------------------------------------------------------------------------------------
// Secrecy

export interface SecrecyLeak {
  secret: string;
  where: string;
  text: string;
}

/**
 * Collects what must never be written (secrets) and what was written (log lines of each loaded
 * action, thrown error messages), then reports every secret found in any written text.
 */
export class SecrecyLedger {
  private readonly secrets = new Map<string, string>();
  private readonly actions = new Set<LoadedAction>();
  private readonly errors: string[] = [];
  private readonly invocationLogs: string[] = [];

  /** `what` describes the secret in a failure message (the value itself is shown shortened). */
  forbid(value: string, what: string): void {
    if (value.length >= 4 && !this.secrets.has(value)) this.secrets.set(value, what);
  }

  /** A recipient as given in an event: forbidden as given, trimmed, and without its '+'. */
  forbidRecipient(recipient: unknown): void {
    if (typeof recipient !== 'string') return;
    const trimmed = recipient.trim();
    if (trimmed.length < 6) return; // '' and the like cannot be told apart from other text
    this.forbid(trimmed, 'recipient');
    if (trimmed.startsWith('+')) this.forbid(trimmed.slice(1), 'recipient without +');
    const digits = trimmed.replace(/\D/g, '');
    if (trimmed.startsWith('+') && digits.length >= 7 && digits.length <= 15) {
      this.forbid(`+${digits}`, 'recipient in E.164');
      this.forbid(digits, 'recipient digits');
    }
  }

  watch(action: LoadedAction): void {
    this.actions.add(action);
  }

  record(invocation: Invocation<unknown>): void {
    this.invocationLogs.push(...invocation.logs);
    if (invocation.error) this.errors.push(invocation.error.message);
  }

  get counts(): { actions: number; errors: number; logLines: number; secrets: number } {
    return {
      actions: this.actions.size,
      errors: this.errors.length,
      logLines: this.invocationLogs.length,
      secrets: this.secrets.size,
    };
  }

  /** The decision lines of every recorded invocation. */
  decisionLines(): DecisionLine[] {
    return decisionLines(this.invocationLogs);
  }

  leaks(): SecrecyLeak[] {
    const texts: { where: string; text: string }[] = [
      ...this.invocationLogs.map((text) => ({ where: 'invocation log', text })),
      ...[...this.actions].flatMap((action) => action.allLogs.map((text) => ({ where: 'action log', text }))),
      ...this.errors.map((text) => ({ where: 'thrown error', text })),
    ];
    const found: SecrecyLeak[] = [];
    for (const { where, text } of texts) {
      for (const [secret, what] of this.secrets) {
        if (text.includes(secret)) found.push({ secret: `${what} ${shorten(secret)}`, where, text: shorten(text, 300) });
      }
    }
    return found;
  }
}

function shorten(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
