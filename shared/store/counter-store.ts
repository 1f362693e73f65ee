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
 * Marks an event as seen (set-if-absent, with a TTL). When it was already seen, the event is a
 * replay (a provider's retry of one notification): every later op of the batch changes nothing
 * and answers zeros, so a retry is never counted twice.
 */
export interface OnceOp {
  kind: 'once';
  key: string;
  ttlMs: number;
}

export type StoreOp = CountOp | StreakOp | RateOp | GetOp | OnceOp;

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
export interface OnceResult {
  kind: 'once';
  /** False when the key was already set: this event is a replay. */
  first: boolean;
}
export type StoreResult = CountResult | StreakResult | RateResult | GetResult | OnceResult;

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

export const OP_CODES = { count: 'C', streak: 'S', rate: 'R', get: 'G', once: 'O' } as const;
export const WHEN_CODES = { always: '0', 'new-streak': '1' } as const;

/** Baselines older than this many idle windows have decayed to nothing; stop multiplying. */
export const MAX_DECAY_WINDOWS = 400;
