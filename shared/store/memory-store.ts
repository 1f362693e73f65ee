/**
 * The embedded store: the counter-store semantics in process memory, for local runs, `npm start`
 * and simulations without Upstash. It mirrors lua-scripts.ts step by step, including float
 * arithmetic order, so both stores give identical answers (the contract suite checks it).
 */
import {
  countWindowKey,
  MAX_DECAY_WINDOWS,
  type CounterStore,
  type StoreOp,
  type StoreResult,
  type UntilWrite,
} from './counter-store';

interface Entry {
  value: string | Map<string, string>;
  expiresAt: number;
}

/** What a counting op answers inside a replayed batch (see OnceOp): zeros, nothing changed. */
function replayResult(kind: 'count' | 'streak' | 'rate'): StoreResult {
  if (kind === 'count') return { kind, current: 0, previous: 0 };
  if (kind === 'streak') return { kind, previousAt: undefined, streak: 0 };
  return { kind, current: 0, baseline: 0, windows: 0 };
}

export class MemoryStore implements CounterStore {
  readonly kind = 'embedded';
  private readonly entries = new Map<string, Entry>();
  private sweepCountdown = 10_000;

  /** `clock` only drives garbage collection of expired keys; decisions use the `now` passed in. */
  constructor(private readonly clock: () => number = Date.now) {}

  async run(now: number, ops: readonly StoreOp[]): Promise<StoreResult[]> {
    this.maybeSweep();
    const results: StoreResult[] = [];
    let lastStreak = 0;
    let replay = false;
    for (const op of ops) {
      if (replay && op.kind !== 'get' && op.kind !== 'retry') {
        results.push(replayResult(op.kind));
        continue;
      }
      switch (op.kind) {
        case 'retry': {
          const left = Number(this.getString(op.key) ?? '0') || 0;
          if (left > 0) {
            this.decrement(op.key, left);
            replay = true;
          }
          results.push({ kind: 'retry', replay: left > 0 });
          break;
        }
        case 'count': {
          const currentKey = countWindowKey(op.key, op.window);
          const current = Number(this.getString(currentKey) ?? '0') + 1;
          this.setString(currentKey, String(current), op.ttlMs);
          const previous = Number(this.getString(countWindowKey(op.key, op.window - 1)) ?? '0') || 0;
          results.push({ kind: 'count', current, previous });
          break;
        }
        case 'streak': {
          const hash = this.getHash(op.key);
          let at: number | undefined = hash.has('at') ? Number(hash.get('at')) : undefined;
          let streak = Number(hash.get('n') ?? '0') || 0;
          if (at === undefined || now - at > op.resetMs) {
            at = -1;
            streak = 1;
          } else {
            streak += 1;
          }
          hash.set('at', String(Math.trunc(at > now ? at : now)));
          hash.set('n', String(streak));
          this.setHash(op.key, hash, op.ttlMs);
          lastStreak = streak;
          results.push({ kind: 'streak', previousAt: at === -1 ? undefined : at, streak });
          break;
        }
        case 'rate': {
          const hash = this.getHash(op.key);
          let w = hash.has('w') ? Number(hash.get('w')) : undefined;
          let c = Number(hash.get('c') ?? '0') || 0;
          let b = Number(hash.get('b') ?? '0') || 0;
          let n = Number(hash.get('n') ?? '0') || 0;
          if (w === undefined) {
            w = op.window;
            c = 0;
          } else if (op.window > w) {
            n = Math.min(n + op.window - w, 1_000_000);
            const folded = Math.min(c, 2 * b + op.foldFloor);
            b = op.alpha * folded + (1 - op.alpha) * b;
            const idle = op.window - w - 1;
            if (idle > MAX_DECAY_WINDOWS) b = 0;
            else for (let i = 1; i <= idle; i += 1) b = (1 - op.alpha) * b;
            w = op.window;
            c = 0;
          }
          if (op.when === 'always' || lastStreak === 1) c += 1;
          hash.set('w', String(w));
          hash.set('c', String(c));
          hash.set('b', String(b));
          hash.set('n', String(n));
          this.setHash(op.key, hash, op.ttlMs);
          results.push({ kind: 'rate', current: c, baseline: b, windows: n });
          break;
        }
        case 'get':
          results.push({ kind: 'get', value: this.getString(op.key) || undefined });
          break;
      }
    }
    return results;
  }

  async raiseUntil(writes: readonly UntilWrite[]): Promise<number[]> {
    return writes.map((write) => {
      const previous = Number(this.getString(write.key) ?? '0') || 0;
      if (write.until > previous) this.setString(write.key, String(write.until), write.ttlMs);
      return previous;
    });
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    this.setString(key, value, ttlMs);
  }

  /** Number of live keys, for the keys-per-decision benchmark and tests. */
  size(): number {
    this.sweep();
    return this.entries.size;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private getString(key: string): string | undefined {
    const value = this.live(key)?.value;
    return typeof value === 'string' ? value : undefined;
  }

  /** DECR keeps the key's expiry, as Redis does. */
  private decrement(key: string, current: number): void {
    const entry = this.live(key);
    if (entry !== undefined) entry.value = String(current - 1);
  }

  private setString(key: string, value: string, ttlMs: number): void {
    this.entries.set(key, { value, expiresAt: this.clock() + ttlMs });
  }

  private getHash(key: string): Map<string, string> {
    const value = this.live(key)?.value;
    return value instanceof Map ? value : new Map();
  }

  private setHash(key: string, hash: Map<string, string>, ttlMs: number): void {
    this.entries.set(key, { value: hash, expiresAt: this.clock() + ttlMs });
  }

  private maybeSweep(): void {
    this.sweepCountdown -= 1;
    if (this.sweepCountdown <= 0) this.sweep();
  }

  private sweep(): void {
    this.sweepCountdown = 10_000;
    const now = this.clock();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
