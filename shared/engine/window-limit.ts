/**
 * Fixed windows with a sliding estimate: the previous window's count weighs in proportion to the
 * part of it still inside a sliding window ending now. Smooth at window edges, two counters only.
 */
import { formatWindowLimit, type WindowLimit } from '../config/dynamic-policy';
import type { WindowCount } from './dynamic-types';

export function windowIndex(now: number, windowMs: number): number {
  return Math.floor(now / windowMs);
}

export function slidingCount(count: WindowCount, now: number, windowMs: number): number {
  const elapsed = (now - windowIndex(now, windowMs) * windowMs) / windowMs;
  return count.current + count.previous * (1 - elapsed);
}

/** A reason when the sliding count (this attempt included) is over the limit. */
export function overLimit(
  what: string,
  count: WindowCount | undefined,
  limit: WindowLimit | undefined,
  now: number,
  noun = 'attempts',
): string | undefined {
  if (count === undefined || limit === undefined) return undefined;
  const estimate = slidingCount(count, now, limit.windowMs);
  if (estimate <= limit.max) return undefined;
  return `${Math.ceil(estimate)} ${noun} ${what}, over the limit of ${formatWindowLimit(limit)}`;
}
