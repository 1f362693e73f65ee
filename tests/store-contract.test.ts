/**
 * One contract, two stores: the embedded memory store and Upstash (real Redis behind the local
 * Upstash REST shim, through tollguard's own Upstash REST client) must answer every batch identically.
 */
import fc from 'fast-check';
import { countWindowKey, type CounterStore, type StoreOp } from '../shared/store/counter-store';
import { MemoryStore } from '../shared/store/memory-store';
import { withTimeout } from '../shared/store/store-call';
import { UpstashStore } from '../shared/store/upstash-store';
import { describeWithRedis, startRedis, type RedisHandle } from './support/redis-server';
import { startUpstashShim, type UpstashShim } from './support/upstash-shim';
import { startRecorder, startRedirector } from './bundle/redirect-helpers';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 23, 0);

type StoreFactory = () => CounterStore;

function contract(name: string, makeStore: () => StoreFactory): void {
  describe(`counter store contract: ${name}`, () => {
    let fresh: StoreFactory;
    let store: CounterStore;
    let keyspace = 0;
    const key = (suffix: string) => `contract:${name}:${keyspace}:${suffix}`;

    beforeAll(() => {
      fresh = makeStore();
    });
    beforeEach(() => {
      keyspace += 1;
      store = fresh();
    });

    test('count: increments the current window and reports the previous one', async () => {
      const op = (window: number): StoreOp => ({ kind: 'count', key: key('c'), window, ttlMs: 2 * HOUR });
      expect(await store.run(T0, [op(10)])).toEqual([{ kind: 'count', current: 1, previous: 0 }]);
      expect(await store.run(T0, [op(10)])).toEqual([{ kind: 'count', current: 2, previous: 0 }]);
      expect(await store.run(T0, [op(11)])).toEqual([{ kind: 'count', current: 1, previous: 2 }]);
      expect(await store.run(T0, [op(13)])).toEqual([{ kind: 'count', current: 1, previous: 0 }]);
    });

    test('count windows can be read without counting: a get of countWindowKey answers the count op\'s value', async () => {
      const op: StoreOp = { kind: 'count', key: key('peek'), window: 7, ttlMs: 2 * HOUR };
      const peek = (window: number): StoreOp => ({ kind: 'get', key: countWindowKey(key('peek'), window) });
      expect(await store.run(T0, [peek(7)])).toEqual([{ kind: 'get', value: undefined }]);
      await store.run(T0, [op]);
      await store.run(T0, [op]);
      expect(await store.run(T0, [peek(7), peek(6)])).toEqual([{ kind: 'get', value: '2' }, { kind: 'get', value: undefined }]);
      expect(await store.run(T0, [op])).toEqual([{ kind: 'count', current: 3, previous: 0 }]);
    });

    test('streak: grows while attempts keep coming, resets after silence, keeps the latest time', async () => {
      const op: StoreOp = { kind: 'streak', key: key('s'), resetMs: HOUR, ttlMs: 2 * HOUR };
      expect(await store.run(T0, [op])).toEqual([{ kind: 'streak', previousAt: undefined, streak: 1 }]);
      expect(await store.run(T0 + 30_000, [op])).toEqual([{ kind: 'streak', previousAt: T0, streak: 2 }]);
      // A late (out-of-order) attempt does not move the stored time backwards.
      expect(await store.run(T0 + 10_000, [op])).toEqual([{ kind: 'streak', previousAt: T0 + 30_000, streak: 3 }]);
      expect(await store.run(T0 + 40_000, [op])).toEqual([{ kind: 'streak', previousAt: T0 + 30_000, streak: 4 }]);
      expect(await store.run(T0 + 40_000 + HOUR + 1, [op])).toEqual([{ kind: 'streak', previousAt: undefined, streak: 1 }]);
    });

    test('rate: folds closed windows into the baseline, capped, and decays idle windows', async () => {
      const op = (window: number): StoreOp => ({
        kind: 'rate', key: key('r'), window, alpha: 0.25, foldFloor: 4, ttlMs: 48 * HOUR, when: 'always',
      });
      for (let i = 0; i < 3; i += 1) await store.run(T0, [op(100)]);
      // Window 100 closes with 3 (under the cap 2*0+4): baseline 0.25*3 = 0.75.
      expect(await store.run(T0, [op(101)])).toEqual([{ kind: 'rate', current: 1, baseline: 0.75, windows: 1 }]);
      for (let i = 0; i < 49; i += 1) await store.run(T0, [op(101)]);
      // Window 101 closes with 50, folded as 2*0.75+4 = 5.5: 0.25*5.5 + 0.75*0.75 = 1.9375;
      // then one idle window (102) decays it: 0.75 * 1.9375.
      const [afterIdle] = await store.run(T0, [op(103)]);
      expect(afterIdle).toEqual({ kind: 'rate', current: 1, baseline: 0.75 * 1.9375, windows: 3 });
      const [afterLongIdle] = await store.run(T0, [op(1000)]);
      expect(afterLongIdle).toEqual({ kind: 'rate', current: 1, baseline: 0, windows: 900 });
    });

    test('rate: "new-streak" counts only the first attempt of a streak, so resends do not count', async () => {
      const streak = (n: string): StoreOp => ({ kind: 'streak', key: key(`s${n}`), resetMs: HOUR, ttlMs: HOUR });
      const range = (r: string): StoreOp => ({ kind: 'rate', key: key(`range${r}`), window: 5, alpha: 0.1, foldFloor: 1, ttlMs: HOUR, when: 'new-streak' });
      const send = async (n: string, r: string) => (await store.run(T0, [streak(n), range(r)]))[1];
      expect(await send('a', 'x')).toEqual({ kind: 'rate', current: 1, baseline: 0, windows: 0 });
      expect(await send('a', 'x')).toEqual({ kind: 'rate', current: 1, baseline: 0, windows: 0 });
      expect(await send('b', 'x')).toEqual({ kind: 'rate', current: 2, baseline: 0, windows: 0 });
      expect(await send('c', 'y')).toEqual({ kind: 'rate', current: 1, baseline: 0, windows: 0 });
    });

    test('retry: a batch that takes a granted token changes no counter and answers zeros; tokens run out', async () => {
      const batch = (event: string): StoreOp[] => [
        { kind: 'retry', key: key(`retry:${event}`) },
        { kind: 'get', key: key('lock') },
        { kind: 'streak', key: key('s'), resetMs: HOUR, ttlMs: HOUR },
        { kind: 'count', key: key('c'), window: 1, ttlMs: HOUR },
        { kind: 'rate', key: key('r'), window: 1, alpha: 0.1, foldFloor: 1, ttlMs: HOUR, when: 'always' },
      ];
      await store.put(key('lock'), '123', HOUR);
      const first = await store.run(T0, batch('n1'));
      expect(first).toEqual([
        { kind: 'retry', replay: false },
        { kind: 'get', value: '123' },
        { kind: 'streak', previousAt: undefined, streak: 1 },
        { kind: 'count', current: 1, previous: 0 },
        { kind: 'rate', current: 1, baseline: 0, windows: 0 },
      ]);
      // Without a grant, the same event again is a resend: it counts.
      expect((await store.run(T0 + 1_000, batch('n1'))).slice(3, 4)).toEqual([{ kind: 'count', current: 2, previous: 0 }]);
      await store.put(key('retry:n1'), '2', HOUR);
      for (let i = 0; i < 2; i += 1) {
        expect(await store.run(T0 + 60_000, batch('n1'))).toEqual([
          { kind: 'retry', replay: true },
          { kind: 'get', value: '123' },
          { kind: 'streak', previousAt: undefined, streak: 0 },
          { kind: 'count', current: 0, previous: 0 },
          { kind: 'rate', current: 0, baseline: 0, windows: 0 },
        ]);
      }
      // The tokens are used up: the next one counts on top of the two counted ones only.
      const next = await store.run(T0 + 120_000, batch('n1'));
      expect(next.slice(2)).toEqual([
        { kind: 'streak', previousAt: T0 + 1_000, streak: 3 },
        { kind: 'count', current: 3, previous: 0 },
        { kind: 'rate', current: 3, baseline: 0, windows: 0 },
      ]);
    });

    test('get answers undefined for a missing key and the stored value after put', async () => {
      expect(await store.run(T0, [{ kind: 'get', key: key('g') }])).toEqual([{ kind: 'get', value: undefined }]);
      await store.put(key('g'), '{"type":"mobile"}', HOUR);
      expect(await store.run(T0, [{ kind: 'get', key: key('g') }])).toEqual([{ kind: 'get', value: '{"type":"mobile"}' }]);
    });

    test('raiseUntil raises, never lowers, and answers the previous values', async () => {
      expect(await store.raiseUntil([{ key: key('u'), until: T0 + HOUR, ttlMs: 2 * HOUR }])).toEqual([0]);
      expect(await store.raiseUntil([{ key: key('u'), until: T0 + 10, ttlMs: 2 * HOUR }])).toEqual([T0 + HOUR]);
      expect(await store.raiseUntil([
        { key: key('u'), until: T0 + 2 * HOUR, ttlMs: 3 * HOUR },
        { key: key('v'), until: T0, ttlMs: HOUR },
      ])).toEqual([T0 + HOUR, 0]);
      const [read] = await store.run(T0, [{ kind: 'get', key: key('u') }]);
      expect(read).toEqual({ kind: 'get', value: String(T0 + 2 * HOUR) });
      expect(await store.raiseUntil([])).toEqual([]);
    });

    test('one batch mixes every op kind and answers in op order', async () => {
      const results = await store.run(T0, [
        { kind: 'get', key: key('blocked') },
        { kind: 'streak', key: key('n'), resetMs: HOUR, ttlMs: HOUR },
        { kind: 'count', key: key('user'), window: 7, ttlMs: HOUR },
        { kind: 'rate', key: key('rate'), window: 7, alpha: 0.5, foldFloor: 2, ttlMs: HOUR, when: 'new-streak' },
      ]);
      expect(results.map((result) => result.kind)).toEqual(['get', 'streak', 'count', 'rate']);
    });
  });
}

contract('embedded', () => () => new MemoryStore(() => T0));

describeWithRedis('counter store on Redis through the Upstash REST shim', () => {
  let redis: RedisHandle;
  let shim: UpstashShim;
  const stores: Array<() => CounterStore> = [];

  beforeAll(async () => {
    redis = await startRedis();
    shim = await startUpstashShim({ redisUrl: redis.url });
    stores.push(() => new UpstashStore({ url: shim.url, token: shim.token, timeoutMs: 2000 }));
  });
  afterAll(async () => {
    await shim?.close();
    await redis?.stop();
  });

  contract('upstash', () => () => {
    const make = stores[0];
    if (make === undefined) throw new Error('shim not started');
    return make();
  });

  test('random op sequences give identical answers on both stores', async () => {
    const opArbitrary = fc.oneof(
      fc.record({ kind: fc.constant('count' as const), key: fc.constantFrom('a', 'b'), window: fc.integer({ min: 0, max: 6 }), ttlMs: fc.constant(HOUR) }),
      fc.record({ kind: fc.constant('streak' as const), key: fc.constantFrom('s', 't'), resetMs: fc.constantFrom(1000, 60_000), ttlMs: fc.constant(HOUR) }),
      fc.record({
        kind: fc.constant('rate' as const), key: fc.constantFrom('r', 'q'), window: fc.integer({ min: 0, max: 30 }),
        alpha: fc.constantFrom(1 / 24, 0.1, 1 / 3), foldFloor: fc.constantFrom(1, 8, 2.5), ttlMs: fc.constant(HOUR),
        when: fc.constantFrom('always' as const, 'new-streak' as const),
      }),
      fc.record({ kind: fc.constant('get' as const), key: fc.constantFrom('a:1', 'zz') }),
      fc.record({ kind: fc.constant('retry' as const), key: fc.constantFrom('t1', 'a:1') }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 120_000 }), fc.array(opArbitrary, { minLength: 1, maxLength: 6 })), { minLength: 1, maxLength: 25 }), async (batches) => {
        run += 1;
        const memory = new MemoryStore(() => T0);
        const upstash = new UpstashStore({ url: shim.url, token: shim.token, timeoutMs: 2000 });
        const prefix = `prop:${run}:`;
        let now = T0;
        for (const [advance, ops] of batches) {
          now += advance;
          const prefixed = ops.map((op) => ({ ...op, key: prefix + op.key })) as StoreOp[];
          expect(await upstash.run(now, prefixed)).toEqual(await memory.run(now, prefixed));
        }
      }),
      { numRuns: 40 },
    );
  });

  test('a batch is exactly one request to the store', async () => {
    const store = new UpstashStore({ url: shim.url, token: shim.token, timeoutMs: 2000 });
    await store.run(T0, [{ kind: 'count', key: 'warm', window: 1, ttlMs: HOUR }]);
    shim.resetRequests();
    const before = store.requests;
    await store.run(T0, [
      { kind: 'streak', key: 'one-trip:n', resetMs: HOUR, ttlMs: HOUR },
      { kind: 'count', key: 'one-trip:u', window: 1, ttlMs: HOUR },
      { kind: 'rate', key: 'one-trip:r', window: 1, alpha: 0.1, foldFloor: 1, ttlMs: HOUR, when: 'always' },
      { kind: 'get', key: 'one-trip:b' },
    ]);
    expect(store.requests - before).toBe(1);
    expect(shim.requests).toHaveLength(1);
    expect(shim.requests[0]?.commands[0]?.[0]?.toLowerCase()).toBe('evalsha');
  });

  const flushScripts = () =>
    fetch(`${shim.url}/`, { method: 'POST', headers: { authorization: `Bearer ${shim.token}`, 'content-type': 'application/json' }, body: JSON.stringify(['SCRIPT', 'FLUSH']) });
  const verbs = () => shim.requests.map((request) => request.commands[0]?.[0]?.toLowerCase());

  test('after SCRIPT FLUSH the store falls back to EVAL and keeps answering', async () => {
    const store = new UpstashStore({ url: shim.url, token: shim.token, timeoutMs: 2000 });
    await store.run(T0, [{ kind: 'count', key: 'flushed', window: 1, ttlMs: HOUR }]);
    await flushScripts();
    shim.resetRequests();
    const [result] = await store.run(T0, [{ kind: 'count', key: 'flushed', window: 1, ttlMs: HOUR }]);
    expect(result).toEqual({ kind: 'count', current: 2, previous: 0 });
    expect(verbs()).toEqual(['evalsha', 'eval']);
  });

  test('the first call of each script in a container sends it whole: a cold database costs one request, not two (issue 11)', async () => {
    await flushScripts();
    const store = new UpstashStore({ url: shim.url, token: shim.token, timeoutMs: 2000 });
    shim.resetRequests();
    await store.run(T0, [{ kind: 'count', key: 'cold:c', window: 1, ttlMs: HOUR }]);
    await store.raiseUntil([{ key: 'cold:u', until: T0 + HOUR, ttlMs: HOUR }]);
    expect(verbs()).toEqual(['eval', 'eval']);
    expect(store.requests).toBe(2);
    shim.resetRequests();
    await store.run(T0, [{ kind: 'count', key: 'cold:c', window: 1, ttlMs: HOUR }]);
    await store.raiseUntil([{ key: 'cold:u', until: T0 + 2 * HOUR, ttlMs: HOUR }]);
    expect(verbs()).toEqual(['evalsha', 'evalsha']);
    // A second container sees a warm database and still sends its first call whole (it cannot know).
    shim.resetRequests();
    await new UpstashStore({ url: shim.url, token: shim.token, timeoutMs: 2000 }).run(T0, [{ kind: 'get', key: 'cold:u' }]);
    expect(verbs()).toEqual(['eval']);
  });

  test('a slow store (latency 150 ms): the first call on a cold database is one round trip, inside a 250 ms deadline (issue 11)', async () => {
    await flushScripts();
    const slow = await startUpstashShim({ redisUrl: redis.url, token: shim.token });
    try {
      slow.latencyMs = 150;
      const store = new UpstashStore({ url: slow.url, token: slow.token, timeoutMs: 2000 });
      const started = performance.now();
      await withTimeout(store.run(T0, [{ kind: 'count', key: 'slow:c', window: 1, ttlMs: HOUR }]), 250);
      expect(slow.requests).toHaveLength(1);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      await slow.close();
    }
  });

  test.each([301, 302, 307, 308])('a %i from the store URL is an error naming the secret; the other server is never hit (issue 11)', async (status) => {
    const elsewhere = await startRecorder({ result: [1, 0] });
    const redirector = await startRedirector(elsewhere.url, status);
    try {
      const store = new UpstashStore({ url: redirector.url, token: shim.token, timeoutMs: 2000 });
      await expect(store.run(T0, [{ kind: 'count', key: 'moved', window: 1, ttlMs: HOUR }])).rejects.toThrow(
        `Upstash answered HTTP ${status}, a redirect, which is not followed (check UPSTASH_REDIS_REST_URL)`,
      );
      await expect(store.put('moved:p', 'x', HOUR)).rejects.toThrow('not followed');
      expect(redirector.hits).toHaveLength(2);
      expect(elsewhere.hits).toEqual([]);
    } finally {
      await redirector.close();
      await elsewhere.close();
    }
  });

  test('keys carry a TTL (garbage collection only)', async () => {
    const store = new UpstashStore({ url: shim.url, token: shim.token, timeoutMs: 2000 });
    await store.run(T0, [
      { kind: 'count', key: 'ttl:c', window: 3, ttlMs: HOUR },
      { kind: 'streak', key: 'ttl:s', resetMs: HOUR, ttlMs: HOUR },
      { kind: 'rate', key: 'ttl:r', window: 3, alpha: 0.1, foldFloor: 1, ttlMs: HOUR, when: 'always' },
    ]);
    await store.raiseUntil([{ key: 'ttl:u', until: T0, ttlMs: HOUR }]);
    await store.put('ttl:p', 'x', HOUR);
    for (const k of ['ttl:c:3', 'ttl:s', 'ttl:r', 'ttl:u', 'ttl:p']) {
      const answer = await fetch(`${shim.url}/`, { method: 'POST', headers: { authorization: `Bearer ${shim.token}`, 'content-type': 'application/json' }, body: JSON.stringify(['PTTL', k]) });
      const { result } = (await answer.json()) as { result: number };
      expect(result).toBeGreaterThan(0);
      expect(result).toBeLessThanOrEqual(HOUR);
    }
  });
});
