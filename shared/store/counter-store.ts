/**
 * The counter store: one interface, two implementations (Upstash Redis, embedded memory) with the
 * same semantics, proven by one contract suite. A decision sends ONE batch of operations (one
 * round trip); recording a block is a second, made only when a rule trips.
 *
 * Time comes from the caller (`now`), never from the store: windows are indices computed by the
 * caller, "blocked until" and "last attempt" are stored timestamps. TTLs only collect garbage.
 */

/** Increment a fixed-window counter; answers the current and the previous window's counts. */
export interface CountOp {
  kind: 'count';
  key: string;
  window: number;
  ttlMs: number;
}

/** Record an attempt in a resend streak that resets after `resetMs` of silence. */
export interface StreakOp {
  kind: 'streak';
  key: string;
  resetMs: number;
  ttlMs: number;
}

/**
 * A per-window count with an exponentially weighted baseline of past windows. When a window
 * closes its count is folded in, capped at 2 x baseline + `foldFloor` so one burst cannot
 * teach the baseline that bursts are normal. `when` decides whether this attempt increments:
 * always, or only when the last streak op started a new streak (so resends do not count).
 */
export interface RateOp {
  kind: 'rate';
  key: string;
  window: number;
  alpha: number;
  foldFloor: number;
  ttlMs: number;
  when: 'always' | 'new-streak';
}

export interface GetOp {
  kind: 'get';
  key: string;
}

/**
 * Takes one retry token of an event, if it has any left (tokens are granted by `put` when the
 * guard asks a provider to retry a failed delivery). An event that took a token is a replay of one
 * already counted: every later op of the batch changes nothing and answers zeros. An event with
 * no token (a first attempt, or a resend the guard never asked for) counts as usual.
 */
export interface RetryOp {
  kind: 'retry';
  key: string;
}

export type StoreOp = CountOp | StreakOp | RateOp | GetOp | RetryOp;

export interface CountResult {
  kind: 'count';
  current: number;
  previous: number;
}
export interface StreakResult {
  kind: 'streak';
  /** Time of the previous attempt, or undefined if this attempt starts a new streak after silence or never. */
  previousAt: number | undefined;
  streak: number;
}
export interface RateResult {
  kind: 'rate';
  current: number;
  baseline: number;
  /** Windows elapsed since the key was first counted: how much history the baseline has. */
  windows: number;
}
export interface GetResult {
  kind: 'get';
  value: string | undefined;
}
export interface RetryResult {
  kind: 'retry';
  /** A token was taken: this event is a replay of one already counted. */
  replay: boolean;
}
export type StoreResult = CountResult | StreakResult | RateResult | GetResult | RetryResult;

export interface UntilWrite {
  key: string;
  until: number;
  ttlMs: number;
}

export interface CounterStore {
  readonly kind: 'upstash' | 'embedded';
  /** Runs all ops atomically, in order, in one round trip. */
  run(now: number, ops: readonly StoreOp[]): Promise<StoreResult[]>;
  /** Raises each key to `until` (never lowers it); answers the previous values (0 if none). */
  raiseUntil(writes: readonly UntilWrite[]): Promise<number[]>;
  /** Stores a string value (e.g. a cached lookup) with a garbage-collection TTL. */
  put(key: string, value: string, ttlMs: number): Promise<void>;
}

/**
 * The key that holds one window of a count op: both stores use it, so a caller can read a window
 * without counting (two `get` ops on the current and previous windows' keys).
 */
export function countWindowKey(key: string, window: number): string {
  return `${key}:${window}`;
}

/** A stored count read by a get: absent, garbage or negative reads as 0. */
export function countOf(value: string | undefined): number {
  const number = Number(value ?? '0');
  return Number.isFinite(number) && number > 0 ? Math.floor(number) : 0;
}

export const OP_CODES = { count: 'C', streak: 'S', rate: 'R', get: 'G', retry: 'T' } as const;
export const WHEN_CODES = { always: '0', 'new-streak': '1' } as const;

/** Baselines older than this many idle windows have decayed to nothing; stop multiplying. */
export const MAX_DECAY_WINDOWS = 400;
