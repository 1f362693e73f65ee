/**
 * The one way a decision calls the counter store: a hard deadline around the batch, a short
 * readable reason when it fails, and the refusal GUARD_FAIL_MODE=closed adds. Every entry's store
 * batch goes through runBatch (the phone guard's and the sign-up counters).
 */
import { STORE_UNAVAILABLE_RULE, type Finding } from '../engine/types';
import type { CounterStore, StoreOp, StoreResult } from './counter-store';

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Errors are read by shape, not class: the store client may live in another realm. */
export function describeStoreError(error: unknown, timeoutMs: number): string {
  const { name, message } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown };
  // The client's own abort signal usually fires first; say what it means.
  if (name === 'TimeoutError' || name === 'AbortError') return `store did not answer within ${timeoutMs} ms`;
  const text = typeof message === 'string' ? `${typeof name === 'string' && name !== 'Error' ? `${name}: ` : ''}${message}` : String(error);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

export type BatchAnswer = { ok: true; results: StoreResult[] } | { ok: false; problem: string };

/** One batch, one round trip, under the store deadline; a failure is a reason, never a throw. */
export async function runBatch(store: CounterStore | { problem: string }, now: number, ops: readonly StoreOp[], timeoutMs: number): Promise<BatchAnswer> {
  if (!('kind' in store)) return { ok: false, problem: store.problem };
  try {
    return { ok: true, results: await withTimeout(store.run(now, ops), timeoutMs) };
  } catch (error) {
    return { ok: false, problem: describeStoreError(error, timeoutMs) };
  }
}

/** What GUARD_FAIL_MODE=closed makes of a store that could not answer. */
export function storeUnavailableFinding(problem: string): Finding {
  return { rule: STORE_UNAVAILABLE_RULE, effect: 'block', reason: `counter store unavailable (${problem}); GUARD_FAIL_MODE is closed` };
}
