/**
 * Helpers for the tests of the BUILT Okta hook server (dist/okta-telephony-hook.js): spawn it as
 * a child process with an environment, on a port it picks itself (PORT=0, read from its
 * `listening` line), talk HTTP to it, read its log lines, and Okta's sample requests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { OKTA_HOOK_BUNDLE } from '../../scripts/build-hook';
import { decisionLines, type DecisionLine } from '../bundle/helpers';

export const AUTH_SECRET = 'okta-hook-test-secret-0b5e1c7d9a2f';
export const HOOK_PATH = '/okta/telephony-hook';
const START_TIMEOUT_MS = 10_000;

export interface HookProcess {
  readonly url: string;
  readonly port: number;
  /** Every stdout / stderr line so far. */
  readonly lines: string[];
  /** Milliseconds from spawn to the `listening` line. */
  readonly startMs: number;
  /** The `listening` line, parsed. */
  readonly listening: Record<string, unknown>;
  decisions(): DecisionLine[];
  /** Resolves when `count` decision lines have been written (the line may follow the answer). */
  waitForDecisions(count: number, timeoutMs?: number): Promise<DecisionLine[]>;
  stop(): Promise<void>;
}

export interface HookExit {
  code: number | null;
  lines: string[];
}

/** Environment of the child: PATH only, plus what the test gives (undefined removes a name). */
function childEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = { PATH: process.env['PATH'] ?? '', PORT: '0', HOST: '127.0.0.1', OKTA_HOOK_AUTH_SECRET: AUTH_SECRET };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
}

function collect(child: ChildProcess, lines: string[], onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      rest += chunk.toString('utf8');
      const parts = rest.split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        onLine(line);
      }
    });
  }
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export function startHook(env: Record<string, string | undefined> = {}, options: { bundle?: string; cwd?: string } = {}): Promise<HookProcess> {
  const bundle = options.bundle ?? OKTA_HOOK_BUNDLE;
  const startedAt = performance.now();
  const child = spawn(process.execPath, [bundle], { env: childEnv(env), cwd: options.cwd ?? path.dirname(bundle), stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  return new Promise<HookProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hook server did not start within ${START_TIMEOUT_MS} ms:\n${lines.join('\n')}`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      live.delete(child);
      clearTimeout(timer);
      reject(new Error(`hook server exited (code ${String(code)}) before listening:\n${lines.join('\n')}`));
    });
    collect(child, lines, (line) => {
      for (const wake of [...waiters]) wake();
      const parsed = parse(line);
      if (parsed?.['tollguard'] !== 'hook' || parsed['event'] !== 'listening') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.once('exit', () => live.delete(child));
      const port = Number(parsed['port']);
      const startMs = performance.now() - startedAt;
      const decisions = () => decisionLines(lines);
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        lines,
        startMs,
        listening: parsed,
        decisions,
        waitForDecisions: (count, timeoutMs = 5000) =>
          new Promise<DecisionLine[]>((done, fail) => {
            const check = () => {
              if (decisions().length < count) return;
              waiters.delete(check);
              clearTimeout(limit);
              done(decisions());
            };
            const limit = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`expected ${count} decision lines within ${timeoutMs} ms, got ${decisions().length}:\n${lines.join('\n')}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** Runs the server expecting it to refuse to start; answers its exit code and output. */
export function startHookExpectingExit(env: Record<string, string | undefined>): Promise<HookExit> {
  const child = spawn(process.execPath, [OKTA_HOOK_BUNDLE], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  collect(child, lines, () => undefined);
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, lines });
    }),
  );
}

export interface HookReply {
  status: number;
  /** Parsed JSON, or the raw text when the answer is not JSON. */
  body: unknown;
  ms: number;
}

export async function postHook(hook: Pick<HookProcess, 'url'>, body: unknown, options: { auth?: string | null; raw?: boolean; headers?: Record<string, string> } = {}): Promise<HookReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };
  const auth = options.auth === undefined ? AUTH_SECRET : options.auth;
  if (auth !== null) headers['authorization'] = auth;
  const started = performance.now();
  const response = await fetch(`${hook.url}${HOOK_PATH}`, { method: 'POST', headers, body: options.raw ? (body as string) : JSON.stringify(body) });
  const text = await response.text();
  const ms = performance.now() - started;
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, ms };
}

export interface CommandValue {
  status: string;
  provider: string;
  transactionId: string;
  transactionMetadata: string;
}

/** The one com.okta.telephony.action value of an answer; fails when the answer is not that shape. */
export function commandOf(reply: HookReply): CommandValue {
  const body = reply.body as { commands?: { type?: string; value?: CommandValue[] }[] };
  if (reply.status !== 200 || !Array.isArray(body.commands) || body.commands.length !== 1) {
    throw new Error(`expected one command in a 200 answer, got ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  const [command] = body.commands;
  if (command?.type !== 'com.okta.telephony.action' || !Array.isArray(command.value) || command.value.length !== 1) {
    throw new Error(`expected one com.okta.telephony.action value, got ${JSON.stringify(command)}`);
  }
  return command.value[0] as CommandValue;
}

// ---------------------------------------------------------------------------------------------
// Okta's requests

export type OktaRequestType = 'pre-enrollment' | 'mfa-verification' | 'account-unlock' | 'password-reset';

export interface OktaSpec {
  requestType?: OktaRequestType | string;
  phoneNumber?: unknown;
  deliveryChannel?: unknown;
  otpCode?: unknown;
  msgTemplate?: unknown;
  userId?: string;
  ipAddress?: string;
  eventId?: string;
}

let eventCount = 0;

/**
 * A request as Okta's telephony inline hook reference shows it (sample request payload), with
 * the fields a test changes. Each one gets its own eventId unless given.
 */
export function oktaRequest(spec: OktaSpec = {}): Record<string, unknown> {
  eventCount += 1;
  const code = spec.otpCode ?? '11111';
  return {
    eventId: spec.eventId ?? `uS5871kJThSsU8ql${String(eventCount).padStart(6, '0')}`,
    eventTime: '2022-01-28T21:43:40.000Z',
    eventType: 'com.okta.telephony.provider',
    eventTypeVersion: '1.0',
    contentType: 'application/json',
    cloudEventVersion: '0.1',
    source: 'https://example.okta.com/api/v1/inlineHooks/calz6lVQA77AwFeEe0g3',
    requestType: `com.okta.user.telephony.${spec.requestType ?? 'pre-enrollment'}`,
    data: {
      context: {
        request: {
          id: 'reqRgSk8IBBRhuo0YdlEDTmUw',
          method: 'POST',
          url: { value: '/api/internal/v1/inlineHooks/com.okta.telephony.provider/generatePreview' },
          ipAddress: spec.ipAddress ?? '127.0.0.1',
        },
      },
      userProfile: { firstName: 'test', lastName: 'user', login: 'test.user@example.com', userId: spec.userId ?? '00uyxxSknGtK8022w0g3' },
      messageProfile: {
        msgTemplate: spec.msgTemplate ?? `(HOOK)Your code is ${String(code)}`,
        phoneNumber: spec.phoneNumber ?? '9876543210',
        otpExpires: '2022-01-28T21:48:34.321Z',
        deliveryChannel: 'deliveryChannel' in spec ? spec.deliveryChannel : 'SMS',
        otpCode: code,
        locale: 'EN-US',
      },
    },
  };
}

/** Okta's reference sample, unchanged (its phone number is not E.164). */
export const OKTA_REFERENCE_SAMPLE = oktaRequest({ eventId: 'uS5871kJThSsU8qlA1LTcg' });

/**
 * An mfa-verification by voice, shaped like a request captured from an integrator org (public
 * IP, channel `Voice`, locale `en`).
 */
export function voiceVerificationSample(phoneNumber: string, code = '11111'): Record<string, unknown> {
  const request = oktaRequest({ requestType: 'mfa-verification', deliveryChannel: 'Voice', phoneNumber, otpCode: code, msgTemplate: `Your code is ${code}`, ipAddress: '203.0.113.54', userId: '00uvw9bdliXTkH8qR697' });
  const data = request['data'] as { messageProfile: Record<string, unknown> };
  data.messageProfile['locale'] = 'en';
  return request;
}
