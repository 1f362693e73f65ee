/**
 * Reads an Action event ONCE, defensively, into a plain, bounded JSON-like copy. The event is
 * Auth0's object but its contents are not Auth0's: metadata, claims and custom fields come from
 * users, identity providers and other Actions. A getter may throw, a proxy may throw on any trap or
 * answer differently on each read, an array may claim 4 billion (sparse) items, an object may
 * hold itself. After the snapshot nothing reads the event again: rules see plain data, and every
 * read that failed or was cut is a problem for the log line.
 *
 * Limits (SNAPSHOT_LIMITS): depth 8, 100 items per array (a sparse array is never walked to its
 * length: only indices below the cap are read), 200 keys per object, 1 Mi UTF-16 units per string
 * and 4 Mi in all (copies are cheap; a hostile field's length is still reported as it was), 5000
 * values in all, 20 problems kept.
 */

export type SnapshotValue = null | boolean | number | string | SnapshotValue[] | { [key: string]: SnapshotValue };
export type SnapshotObject = { [key: string]: SnapshotValue };

export interface SnapshotLimits {
  maxDepth: number;
  maxArrayItems: number;
  maxKeys: number;
  maxStringLength: number;
  /** UTF-16 units of all strings together. */
  maxTotalChars: number;
  maxValues: number;
  maxProblems: number;
}

export const SNAPSHOT_LIMITS: Readonly<SnapshotLimits> = {
  maxDepth: 8,
  maxArrayItems: 100,
  maxKeys: 200,
  maxStringLength: 1 << 20,
  maxTotalChars: 4 << 20,
  maxValues: 5000,
  maxProblems: 20,
};

export interface EventSnapshot {
  /** The copy: a plain object (an event that is not an object gives {}). */
  event: SnapshotObject;
  /** What could not be read or was cut, by path; for the log line (no values, only shapes). */
  problems: string[];
}

/** A step outcome: the value to keep, or nothing (the property is left out). */
type Read = { ok: true; value: SnapshotValue } | { ok: false };
const SKIP: Read = { ok: false };

class Snapshotter {
  readonly problems: string[] = [];
  private values = 0;
  private chars = 0;
  private dropped = 0;
  /** Objects on the current path (a cycle is cut where it closes). */
  private readonly path = new Set<object>();

  constructor(private readonly limits: SnapshotLimits) {}

  problem(where: string, what: string): void {
    if (this.problems.length < this.limits.maxProblems) this.problems.push(`${where || 'event'}: ${what}`);
    else this.dropped += 1;
  }

  finish(): string[] {
    if (this.dropped > 0) this.problems.push(`${this.dropped} more problems not listed`);
    return this.problems;
  }

  read(value: unknown, where: string, depth: number): Read {
    if (this.values >= this.limits.maxValues) {
      if (this.values === this.limits.maxValues) this.problem(where, `more than ${this.limits.maxValues} values; the rest is left out`);
      this.values += 1;
      return SKIP;
    }
    this.values += 1;
    switch (typeof value) {
      case 'string':
      {
        const room = Math.max(0, Math.min(this.limits.maxStringLength, this.limits.maxTotalChars - this.chars));
        const kept = value.length <= room ? value : value.slice(0, room);
        this.chars += kept.length;
        if (kept.length < value.length) this.problem(where, `string of ${value.length} characters cut to ${kept.length}`);
        return { ok: true, value: kept };
      }
      case 'number':
        if (Number.isFinite(value)) return { ok: true, value };
        this.problem(where, 'number that is not finite left out');
        return SKIP;
      case 'boolean':
        return { ok: true, value };
      case 'undefined':
        return SKIP;
      case 'object':
        return value === null ? { ok: true, value: null } : this.container(value, where, depth);
      default:
        // function, symbol, bigint: not JSON.
        this.problem(where, `${typeof value} left out`);
        return SKIP;
    }
  }

  private container(value: object, where: string, depth: number): Read {
    if (depth >= this.limits.maxDepth) {
      this.problem(where, `nested deeper than ${this.limits.maxDepth}; left out`);
      return SKIP;
    }
    if (this.path.has(value)) {
      this.problem(where, 'refers to itself; left out');
      return SKIP;
    }
    let isArray: boolean;
    try {
      isArray = Array.isArray(value); // throws on a revoked proxy
    } catch (error) {
      this.problem(where, `unreadable (${errorName(error)})`);
      return SKIP;
    }
    this.path.add(value);
    try {
      return isArray ? this.array(value as unknown[], where, depth) : this.object(value, where, depth);
    } finally {
      this.path.delete(value);
    }
  }

  private array(value: unknown[], where: string, depth: number): Read {
    let length: number;
    try {
      const raw: unknown = value.length;
      length = typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 ? Math.floor(raw) : 0;
    } catch (error) {
      this.problem(where, `array length unreadable (${errorName(error)})`);
      return SKIP;
    }
    const count = Math.min(length, this.limits.maxArrayItems);
    if (length > count) this.problem(where, `array of ${length} items; the first ${count} kept`);
    const out: SnapshotValue[] = [];
    for (let index = 0; index < count; index += 1) {
      const item = this.property(value, String(index), `${where}[${index}]`, depth);
      // A hole or an unreadable item keeps its place as null, like JSON.stringify does.
      out.push(item.ok ? item.value : null);
    }
    return { ok: true, value: out };
  }

  private object(value: object, where: string, depth: number): Read {
    let keys: string[];
    try {
      keys = Object.keys(value);
    } catch (error) {
      this.problem(where, `keys unreadable (${errorName(error)})`);
      return SKIP;
    }
    if (keys.length > this.limits.maxKeys) {
      this.problem(where, `object of ${keys.length} keys; the first ${this.limits.maxKeys} kept`);
      keys = keys.slice(0, this.limits.maxKeys);
    }
    const out: SnapshotObject = {};
    for (const key of keys) {
      const item = this.property(value, key, where === '' ? safeKey(key) : `${where}.${safeKey(key)}`, depth);
      // defineProperty: a key named __proto__ becomes an own property, not the copy's prototype.
      if (item.ok) Object.defineProperty(out, key, { value: item.value, enumerable: true, writable: true, configurable: true });
    }
    return { ok: true, value: out };
  }

  private property(container: object, key: string, where: string, depth: number): Read {
    let raw: unknown;
    try {
      raw = (container as Record<string, unknown>)[key];
    } catch (error) {
      this.problem(where, `unreadable (${errorName(error)})`);
      return SKIP;
    }
    return this.read(raw, where, depth + 1);
  }
}

export function snapshotEvent(event: unknown, limits: SnapshotLimits = SNAPSHOT_LIMITS): EventSnapshot {
  const snapshotter = new Snapshotter(limits);
  let root: Read;
  try {
    root = snapshotter.read(event, '', 0);
  } catch (error) {
    // Only a bug of this module could land here (every foreign read is guarded).
    snapshotter.problem('', `could not be read (${errorName(error)})`);
    root = SKIP;
  }
  const value = root.ok ? root.value : undefined;
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (root.ok && !isObject) snapshotter.problem('', 'is not an object');
  return { event: isObject ? value : {}, problems: snapshotter.finish() };
}

/** Key names are user data too: shortened, printable ASCII only. */
function safeKey(key: string): string {
  const clean = key.replace(/[^\x21-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 37)}...` : clean;
}

/** The error's name only (its message may quote user data); reading it must not throw either. */
function errorName(error: unknown): string {
  try {
    const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
    return typeof name === 'string' && /^\w{1,40}$/.test(name) ? name : 'error';
  } catch {
    return 'error';
  }
}
