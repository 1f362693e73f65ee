/**
 * Management API rate limits. Auth0 answers every rate-limited endpoint with `x-ratelimit-limit`,
 * `x-ratelimit-remaining` and `x-ratelimit-reset` (a UNIX timestamp in seconds), and a 429 when
 * the bucket is empty. The SDK's own retries are turned off (`maxRetries: 0` per request) so that
 * waits are bounded, reported and testable here: a 429 waits until the reset (or `Retry-After`),
 * a 5xx / network error backs off exponentially, both a bounded number of times; a response with
 * few requests left waits for the reset before the next call.
 */
import { ManagementError, ManagementTimeoutError } from 'auth0';

export interface HeaderSource {
  get(name: string): string | null;
}

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Longest single wait. */
  maxWaitMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Called before each wait, with a reason for the log. */
  onWait?: (ms: number, reason: string) => void;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function defaultRetryOptions(onWait?: RetryOptions['onWait']): RetryOptions {
  return { maxRetries: 5, maxWaitMs: 60_000, sleep: defaultSleep, now: Date.now, onWait };
}

/** How long to wait after a 429: Retry-After (seconds or a date), else until x-ratelimit-reset. */
export function rateLimitWait(headers: HeaderSource | undefined, now: number, fallbackMs: number, maxWaitMs: number): number {
  const retryAfter = headers?.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return clamp(seconds * 1000, maxWaitMs);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return clamp(date - now, maxWaitMs);
  }
  const reset = resetAt(headers);
  if (reset !== undefined) return clamp(reset - now, maxWaitMs);
  return clamp(fallbackMs, maxWaitMs);
}

/** Wait before the next call when a successful response says few requests are left. */
export function lowRemainingWait(headers: HeaderSource | undefined, now: number, lowWater: number, maxWaitMs: number): number {
  const remaining = Number(headers?.get('x-ratelimit-remaining') ?? NaN);
  if (!Number.isFinite(remaining) || remaining > lowWater) return 0;
  const reset = resetAt(headers);
  return reset === undefined ? 0 : clamp(reset - now, maxWaitMs);
}

function resetAt(headers: HeaderSource | undefined): number | undefined {
  const value = Number(headers?.get('x-ratelimit-reset') ?? NaN);
  return Number.isFinite(value) && value > 0 ? value * 1000 : undefined;
}

function clamp(ms: number, maxWaitMs: number): number {
  return Math.max(0, Math.min(maxWaitMs, Math.ceil(ms)));
}

interface HttpErrorLike {
  statusCode?: number;
  rawResponse?: { headers?: HeaderSource };
}

/** The HTTP status of an SDK error (ManagementError and its subclasses carry `statusCode`). */
export function statusOf(error: unknown): number | undefined {
  const status = (error as HttpErrorLike | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function headersOf(error: unknown): HeaderSource | undefined {
  const headers = (error as HttpErrorLike | null)?.rawResponse?.headers;
  return headers !== undefined && typeof headers.get === 'function' ? headers : undefined;
}

function retryable(error: unknown): boolean {
  const status = statusOf(error);
  // No status: a network failure or a timeout inside the SDK (never a bug of ours, e.g. a TypeError).
  if (status === undefined) return error instanceof ManagementError || error instanceof ManagementTimeoutError;
  return status === 429 || status === 408 || status >= 500;
}

/** Runs `operation`, retrying rate-limit, server and network errors a bounded number of times. */
export async function withRetries<T>(operation: () => Promise<T>, options: RetryOptions, what: string): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= options.maxRetries || !retryable(error)) throw error;
      const status = statusOf(error);
      const backoff = 1000 * 2 ** attempt;
      const wait = status === 429 ? rateLimitWait(headersOf(error), options.now(), backoff, options.maxWaitMs) : Math.min(backoff, options.maxWaitMs);
      options.onWait?.(wait, `${what}: ${status === 429 ? 'rate limited (429)' : status !== undefined ? `HTTP ${status}` : 'network error'}, retry ${attempt + 1}/${options.maxRetries}`);
      await options.sleep(wait);
    }
  }
}

/** Runs tasks with at most `concurrency` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
