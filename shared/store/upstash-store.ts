/**
 * The counter store on Upstash Redis through @upstash/redis: one EVALSHA per decision (EVAL on
 * NOSCRIPT), a hard per-request timeout, no client retries and no auto-pipelining, because a
 * login is waiting and the fail mode, not a retry loop, decides what happens when the store is slow.
 */
import { Redis } from '@upstash/redis';
import {
  OP_CODES,
  WHEN_CODES,
  type CounterStore,
  type StoreOp,
  type StoreResult,
  type UntilWrite,
} from './counter-store';
import { BATCH_SCRIPT, RAISE_UNTIL_SCRIPT, sha1 } from './lua-scripts';

export interface UpstashStoreOptions {
  url: string;
  token: string;
  timeoutMs: number;
}

/** A store answer that breaks the protocol (wrong shape, wrong length). */
export class StoreProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreProtocolError';
  }
}

const BATCH_SHA = sha1(BATCH_SCRIPT);
const RAISE_SHA = sha1(RAISE_UNTIL_SCRIPT);

export class UpstashStore implements CounterStore {
  readonly kind = 'upstash';
  private readonly redis: Redis;
  /** Round trips made, for the benchmark. */
  requests = 0;

  constructor(options: UpstashStoreOptions) {
    this.redis = new Redis({
      url: options.url,
      token: options.token,
      retry: { retries: 0 },
      enableAutoPipelining: false,
      automaticDeserialization: false,
      enableTelemetry: false,
      signal: () => AbortSignal.timeout(options.timeoutMs),
    });
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
    this.requests += 1;
    await this.redis.set(key, value, { px: Math.max(1, Math.trunc(ttlMs)) });
  }

  private async evalScript(sha: string, script: string, keys: string[], args: string[]): Promise<unknown> {
    this.requests += 1;
    try {
      return await this.redis.evalsha(sha, keys, args);
    } catch (error) {
      // Match on the message, not the class: the client may live in another realm than this code.
      const message = (error as { message?: unknown } | null)?.message;
      if (typeof message !== 'string' || !message.includes('NOSCRIPT')) throw error;
      this.requests += 1;
      return await this.redis.eval(script, keys, args);
    }
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
        keys.push(`${op.key}:${op.window}`, `${op.key}:${op.window - 1}`);
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
      case 'once':
        keys.push(op.key);
        args.push(ttl(op.ttlMs));
        break;
    }
  }
  return { keys, args };
}

export function decodeBatch(ops: readonly StoreOp[], reply: unknown): StoreResult[] {
  if (!Array.isArray(reply)) throw new StoreProtocolError('batch answer is not an array');
  const expected = ops.reduce((count, op) => count + (op.kind === 'get' || op.kind === 'once' ? 1 : op.kind === 'rate' ? 3 : 2), 0);
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
      case 'once':
        return { kind: 'once', first: toNumber(next(), op.kind) === 1 };
    }
  });
}

function toNumber(value: unknown, what: string): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) throw new StoreProtocolError(`${what} answer ${JSON.stringify(value)?.slice(0, 40)} is not a number`);
  return number;
}
