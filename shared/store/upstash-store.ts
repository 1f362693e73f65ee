/**
 * The counter store on Upstash Redis, spoken to directly over its REST API: one script call per
 * decision, a hard per-request timeout, no retries, no redirects, because a login is waiting and
 * the fail mode, not a retry loop, decides what happens when the store is slow.
 *
 * Not through @upstash/redis: that client (1.39) calls the global fetch without a `redirect`
 * option, so it follows redirects and re-posts the command (keys name phone numbers) elsewhere,
 * and it takes no fetch or request options; its only hook, a custom `Requester`, makes the
 * constructor ignore every other option (response deserialisation could no longer be turned off).
 * The REST protocol is one JSON command array per POST, answered by {"result"} or {"error"}.
 *
 * The first call of each script in a container sends EVAL with the script body (one round trip,
 * and Redis caches the script); later calls send EVALSHA. EVALSHA first would cost a cold
 * database two round trips (NOSCRIPT, then EVAL) inside one decision's deadline.
 */
import {
  countWindowKey,
  OP_CODES,
  WHEN_CODES,
  type CounterStore,
  type StoreOp,
  type StoreResult,
  type UntilWrite,
} from './counter-store';
import { NO_REDIRECT, discardBody, redirectProblem } from '../delivery/no-redirect';
import { BATCH_SCRIPT, RAISE_UNTIL_SCRIPT, sha1 } from './lua-scripts';

export interface UpstashStoreOptions {
  url: string;
  token: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** A store answer that breaks the protocol (wrong shape, wrong length). */
export class StoreProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreProtocolError';
  }
}

/** Upstash refused a command or answered with an HTTP error. */
export class UpstashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstashError';
  }
}

const BATCH_SHA = sha1(BATCH_SCRIPT);
const RAISE_SHA = sha1(RAISE_UNTIL_SCRIPT);
/** An answer larger than this is no answer of ours. */
const MAX_ANSWER_CHARS = 1_000_000;

export class UpstashStore implements CounterStore {
  readonly kind = 'upstash';
  /** Round trips made, for the benchmark. */
  requests = 0;
  /** Scripts this container already sent whole (Redis has them cached since). */
  private readonly sent = new Set<string>();
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: UpstashStoreOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  async run(now: number, ops: readonly StoreOp[]): Promise<StoreResult[]> {
    const { keys, args } = encodeBatch(now, ops);
    const reply = await this.evalScript(BATCH_SHA, BATCH_SCRIPT, keys, args);
    return decodeBatch(ops, reply);
  }

  async raiseUntil(writes: readonly UntilWrite[]): Promise<number[]> {
    if (writes.length === 0) return [];
    const reply = await this.evalScript(
      RAISE_SHA,
      RAISE_UNTIL_SCRIPT,
      writes.map((write) => write.key),
      writes.flatMap((write) => [String(Math.trunc(write.until)), String(Math.max(1, Math.trunc(write.ttlMs)))]),
    );
    if (!Array.isArray(reply) || reply.length !== writes.length) throw new StoreProtocolError('raise-until answer has the wrong shape');
    return reply.map((value) => toNumber(value, 'raise-until'));
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    await this.command(['SET', key, value, 'PX', String(Math.max(1, Math.trunc(ttlMs)))]);
  }

  private async evalScript(sha: string, script: string, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    if (!this.sent.has(sha)) {
      const reply = await this.command(['EVAL', script, ...tail]);
      this.sent.add(sha);
      return reply;
    }
    try {
      return await this.command(['EVALSHA', sha, ...tail]);
    } catch (error) {
      // The database lost its scripts (a restart, a flush): send the body again, once.
      if (!(error instanceof UpstashError) || !error.message.includes('NOSCRIPT')) throw error;
      return await this.command(['EVAL', script, ...tail]);
    }
  }

  /** One command, one POST, under one deadline (body included). */
  private async command(command: string[]): Promise<unknown> {
    this.requests += 1;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    const response = await this.fetchImpl(this.options.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(command),
      redirect: NO_REDIRECT,
      signal,
    });
    const redirect = redirectProblem(response, 'Upstash', 'UPSTASH_REDIS_REST_URL');
    if (redirect !== undefined) {
      await discardBody(response);
      throw new UpstashError(redirect);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text.length <= MAX_ANSWER_CHARS ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const record = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
    const error = record?.['error'];
    if (typeof error === 'string') throw new UpstashError(`Upstash answered HTTP ${response.status}: ${error.slice(0, 200)}`);
    if (!response.ok) throw new UpstashError(`Upstash answered HTTP ${response.status}${record === undefined ? ' with a body that is not JSON' : ''}`);
    if (record === undefined || !('result' in record)) throw new StoreProtocolError('Upstash answer is not a {"result"} object');
    return record['result'];
  }
}

export function encodeBatch(now: number, ops: readonly StoreOp[]): { keys: string[]; args: string[] } {
  const keys: string[] = [];
  const args: string[] = [String(Math.trunc(now))];
  const ttl = (ms: number) => String(Math.max(1, Math.trunc(ms)));
  for (const op of ops) {
    args.push(OP_CODES[op.kind]);
    switch (op.kind) {
      case 'count':
        keys.push(countWindowKey(op.key, op.window), countWindowKey(op.key, op.window - 1));
        args.push(ttl(op.ttlMs));
        break;
      case 'streak':
        keys.push(op.key);
        args.push(String(Math.trunc(op.resetMs)), ttl(op.ttlMs));
        break;
      case 'rate':
        keys.push(op.key);
        args.push(String(op.window), String(op.alpha), String(op.foldFloor), ttl(op.ttlMs), WHEN_CODES[op.when]);
        break;
      case 'get':
        keys.push(op.key);
        break;
      case 'retry':
        keys.push(op.key);
        break;
    }
  }
  return { keys, args };
}

export function decodeBatch(ops: readonly StoreOp[], reply: unknown): StoreResult[] {
  if (!Array.isArray(reply)) throw new StoreProtocolError('batch answer is not an array');
  const expected = ops.reduce((count, op) => count + (op.kind === 'get' || op.kind === 'retry' ? 1 : op.kind === 'rate' ? 3 : 2), 0);
  if (reply.length !== expected) {
    throw new StoreProtocolError(`batch answer has ${reply.length} values, expected ${expected}`);
  }
  let at = 0;
  const next = (): unknown => reply[at++];
  return ops.map((op): StoreResult => {
    switch (op.kind) {
      case 'count':
        return { kind: 'count', current: toNumber(next(), op.kind), previous: toNumber(next(), op.kind) };
      case 'streak': {
        const previousAt = toNumber(next(), op.kind);
        return { kind: 'streak', previousAt: previousAt < 0 ? undefined : previousAt, streak: toNumber(next(), op.kind) };
      }
      case 'rate':
        return { kind: 'rate', current: toNumber(next(), op.kind), baseline: toNumber(next(), op.kind), windows: toNumber(next(), op.kind) };
      case 'get': {
        const value = next();
        if (value !== null && typeof value !== 'string') throw new StoreProtocolError('get answer is not a string');
        return { kind: 'get', value: value === null || value === '' ? undefined : value };
      }
      case 'retry':
        return { kind: 'retry', replay: toNumber(next(), op.kind) === 1 };
    }
  });
}

function toNumber(value: unknown, what: string): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) throw new StoreProtocolError(`${what} answer ${JSON.stringify(value)?.slice(0, 40)} is not a number`);
  return number;
}
