/**
 * snapshotEvent (shared/auth0/event-snapshot.ts) against hostile event objects: throwing getters,
 * proxies whose traps throw or lie, revoked proxies, huge sparse arrays, cycles, deep nesting,
 * long strings, non-JSON values. Work is bounded by counting reads, not by timing.
 */
import { SNAPSHOT_LIMITS, snapshotEvent } from '../../shared/auth0/event-snapshot';

/** An array-like proxy that counts every property read. */
function countingArray(length: number): { array: unknown[]; reads: () => number } {
  let reads = 0;
  const target: unknown[] = [];
  target.length = length;
  target[0] = 'voice-otp';
  const array = new Proxy(target, {
    get(object, key, receiver) {
      reads += 1;
      return Reflect.get(object, key, receiver) as unknown;
    },
  });
  return { array, reads: () => reads };
}

describe('snapshotEvent', () => {
  test('a plain event is copied as it is, and the copy is detached from it', () => {
    const event = { user: { user_id: 'auth0|1', app_metadata: { groups: ['a', 'b'], n: 3, ok: true, none: null } }, secrets: { A: 'x' } };
    const { event: copy, problems } = snapshotEvent(event);
    expect(problems).toEqual([]);
    expect(copy).toEqual(event);
    event.user.app_metadata.groups.push('c');
    expect(copy).toEqual({ ...event, user: { ...event.user, app_metadata: { ...event.user.app_metadata, groups: ['a', 'b'] } } });
    expect(JSON.parse(JSON.stringify(copy))).toEqual(copy);
  });

  test('a throwing getter drops that property only, and the problem names the path, not the message', () => {
    const user = { user_id: 'auth0|2' };
    Object.defineProperty(user, 'app_metadata', {
      enumerable: true,
      get() {
        throw new RangeError('secret detail +14155552671');
      },
    });
    const { event, problems } = snapshotEvent({ user, request: { ip: '203.0.113.9' } });
    expect(event).toEqual({ user: { user_id: 'auth0|2' }, request: { ip: '203.0.113.9' } });
    expect(problems).toEqual(['user.app_metadata: unreadable (RangeError)']);
    expect(problems.join()).not.toContain('+1415');
  });

  test('a proxy whose every trap throws, and a revoked proxy, are left out', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() { throw new Error('no keys'); },
        get() { throw new Error('no get'); },
        getPrototypeOf() { throw new Error('no prototype'); },
      },
    );
    const { proxy: revoked, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    const { event, problems } = snapshotEvent({ a: hostile, b: revoked, c: 'kept' });
    expect(event).toEqual({ c: 'kept' });
    expect(problems).toEqual(['a: keys unreadable (Error)', 'b: unreadable (TypeError)']);
  });

  test('a proxy that answers differently on each read is read once', () => {
    let reads = 0;
    const shifty = new Proxy({ trust: 'x' }, { get: () => (reads += 1) === 1 ? 'high' : 'low' });
    const { event } = snapshotEvent({ tollguard: shifty });
    expect(event).toEqual({ tollguard: { trust: 'high' } });
    expect(reads).toBe(1);
  });

  test('the whole event being a throwing proxy gives {} and a problem, never a throw', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(snapshotEvent(proxy)).toEqual({ event: {}, problems: ['event: unreadable (TypeError)'] });
    expect(snapshotEvent(null)).toEqual({ event: {}, problems: ['event: is not an object'] });
    expect(snapshotEvent(undefined).event).toEqual({});
    expect(snapshotEvent([1, 2]).event).toEqual({});
  });

  test('a sparse array of 4 294 967 295 items is not walked to its length: 100 reads, 100 items', () => {
    const { array, reads } = countingArray(2 ** 32 - 1);
    const { event, problems } = snapshotEvent({ app_metadata: { groups: array } });
    const groups = (event['app_metadata'] as Record<string, unknown[]>)['groups'] as unknown[];
    expect(groups).toHaveLength(SNAPSHOT_LIMITS.maxArrayItems);
    expect(groups[0]).toBe('voice-otp');
    expect(groups.slice(1).every((item) => item === null)).toBe(true);
    // length, plus one read per kept index (and Array.isArray reads nothing)
    expect(reads()).toBeLessThanOrEqual(SNAPSHOT_LIMITS.maxArrayItems + 2);
    expect(problems).toEqual(['app_metadata.groups: array of 4294967295 items; the first 100 kept']);
  });

  test('a plain sparse array with a lying length is bounded too', () => {
    const groups: string[] = [];
    groups[2 ** 31] = 'far away';
    const { event } = snapshotEvent({ groups });
    expect((event['groups'] as unknown[]).length).toBe(100);
  });

  test('cycles are cut, deep nesting stops at the depth limit, and total values are capped', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10_000; i += 1) deep = { next: deep };
    const wide = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, Array.from({ length: 100 }, () => 'x')]));
    const { event, problems } = snapshotEvent({ cyclic, deep, wide });
    expect(event['cyclic']).toEqual({ name: 'loop' });
    expect(problems).toContain('cyclic.self: refers to itself; left out');
    expect(problems.some((problem) => problem.startsWith('deep.next.next.next.next.next.next.next') && problem.includes('nested deeper than 8'))).toBe(true);
    expect(JSON.stringify(event).length).toBeLessThan(100_000);
    expect(problems.some((problem) => problem.includes('more than 5000 values'))).toBe(true);
  });

  test('all strings together stay within the character budget', () => {
    const { event, problems } = snapshotEvent({ a: 'x'.repeat(6000), b: 'y'.repeat(6000) }, { ...SNAPSHOT_LIMITS, maxTotalChars: 10_000 });
    expect(event).toEqual({ a: 'x'.repeat(6000), b: 'y'.repeat(4000) });
    expect(problems).toEqual(['b: string of 6000 characters cut to 4000']);
  });

  test('long strings are cut; numbers that are not finite, functions, symbols and bigints are left out', () => {
    const { event, problems } = snapshotEvent(
      { s: 'a'.repeat(10_000), inf: Infinity, nan: Number.NaN, f: () => 1, y: Symbol('y'), b: BigInt(1), u: undefined, ok: 1.5 },
      { ...SNAPSHOT_LIMITS, maxStringLength: 4096 },
    );
    expect(event).toEqual({ s: 'a'.repeat(4096), ok: 1.5 });
    expect(problems).toEqual([
      's: string of 10000 characters cut to 4096',
      'inf: number that is not finite left out',
      'nan: number that is not finite left out',
      'f: function left out',
      'y: symbol left out',
      'b: bigint left out',
    ]);
  });

  test('a __proto__ key is an own property of the copy, never its prototype', () => {
    const raw = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
    const { event } = snapshotEvent(raw);
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(event, '__proto__')).toBe(true);
    expect((event as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('problems are capped; key names in paths are shortened and made printable', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`bad${i}`, () => i]));
    const { problems } = snapshotEvent({ many, ['k\n'.repeat(40)]: Symbol('s') });
    expect(problems).toHaveLength(SNAPSHOT_LIMITS.maxProblems + 1);
    expect(problems[problems.length - 1]).toBe('31 more problems not listed');
    for (const problem of problems) expect(problem).not.toMatch(/\n/);
  });
});
