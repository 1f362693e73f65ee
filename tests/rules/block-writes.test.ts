/**
 * Block writes on the attacked path (issue 11 §3): a block the store already holds far enough
 * ahead is not written again, so refused attempts on an open incident cost one store request.
 * The pure filter, then the dynamic guard on the embedded store with a request-counting wrapper.
 */
import { writesToRecord } from '../../shared/engine/dynamic-rules';
import type { BlockWrite } from '../../shared/engine/dynamic-types';
import { ALERT_WAIT_MS, DynamicGuard } from '../../shared/send/dynamic-guard';
import type { CounterStore, StoreOp, StoreResult, UntilWrite } from '../../shared/store/counter-store';
import { MemoryStore } from '../../shared/store/memory-store';
import { NUMBERS, factsFor } from '../support/facts';
import { dynamicFactsFor, policyOf } from '../support/dynamic-context';

const NOW = Date.UTC(2031, 5, 1, 12, 0, 0);
const HOUR = 3_600_000;
const write = (key: string, until: number): BlockWrite => ({ key, until, ttlMs: HOUR, incident: `incident ${key}` });

describe('writesToRecord', () => {
  const block = write('rng:block', NOW + 12 * HOUR);

  test('a new block (nothing stored, or an expired one) is written', () => {
    expect(writesToRecord([block], new Map([['rng:block', 0]]), NOW)).toEqual([block]);
    expect(writesToRecord([block], new Map([['rng:block', NOW - HOUR]]), NOW)).toEqual([block]);
    expect(writesToRecord([block], new Map(), NOW)).toEqual([block]);
    expect(writesToRecord([block], new Map([['rng:block', undefined]]), NOW)).toEqual([block]);
  });

  test('a block stored until at least halfway to the new end is not written again', () => {
    expect(writesToRecord([block], new Map([['rng:block', NOW + 6 * HOUR]]), NOW)).toEqual([]);
    expect(writesToRecord([block], new Map([['rng:block', NOW + 11 * HOUR]]), NOW)).toEqual([]);
  });

  test('a block running out within half its length is renewed', () => {
    expect(writesToRecord([block], new Map([['rng:block', NOW + 6 * HOUR - 1]]), NOW)).toEqual([block]);
    expect(writesToRecord([block], new Map([['rng:block', NOW + HOUR]]), NOW)).toEqual([block]);
  });

  test('each write is judged on its own key', () => {
    const country = write('cty:block', NOW + 12 * HOUR);
    expect(writesToRecord([block, country], new Map([['rng:block', NOW + 10 * HOUR], ['cty:block', 0]]), NOW)).toEqual([country]);
  });
});

/** The embedded store, counting calls as the Upstash store counts requests. */
class CountingStore implements CounterStore {
  readonly kind = 'embedded';
  calls: string[] = [];
  constructor(private readonly inner: CounterStore) {}
  run(now: number, ops: readonly StoreOp[]): Promise<StoreResult[]> {
    this.calls.push('run');
    return this.inner.run(now, ops);
  }
  raiseUntil(writes: readonly UntilWrite[]): Promise<number[]> {
    this.calls.push('raiseUntil');
    return this.inner.raiseUntil(writes);
  }
  put(key: string, value: string, ttlMs: number): Promise<void> {
    this.calls.push('put');
    return this.inner.put(key, value, ttlMs);
  }
}

describe('the dynamic guard on an attacked range', () => {
  test('the tripping attempt writes the block once; every later refused attempt is one batch and no write', async () => {
    const store = new CountingStore(new MemoryStore(() => NOW));
    const policy = policyOf();
    const guard = new DynamicGuard({ store, policy, keyPrefix: 'bw', tenant: 't', alert: undefined, lookup: undefined });
    const numbers = Array.from({ length: 20 }, (_, i) => `+4474001200${String(i).padStart(2, '0')}`);
    const outcomes: Array<{ blocked: boolean; calls: string[]; incidents: number }> = [];
    for (const [index, number] of numbers.entries()) {
      store.calls = [];
      const facts = { ...factsFor(number), now: NOW + index * 30_000 };
      const verdict = await guard.evaluate(dynamicFactsFor(facts));
      outcomes.push({ blocked: verdict.findings.some((finding) => finding.rule === 'prefix-anomaly'), calls: store.calls, incidents: verdict.incidents.length });
    }
    const firstBlocked = outcomes.findIndex((outcome) => outcome.blocked);
    expect(firstBlocked).toBe(8); // the 9th new number of the range
    expect(outcomes[firstBlocked]).toEqual({ blocked: true, calls: ['run', 'raiseUntil'], incidents: 1 });
    // The range's 100 000-number block has its own floor (16): its 17th new number opens a second incident.
    const blockTrip = 16;
    expect(outcomes[blockTrip]).toEqual({ blocked: true, calls: ['run', 'raiseUntil'], incidents: 1 });
    for (const later of outcomes.slice(firstBlocked + 1).filter((_, index) => index + firstBlocked + 1 !== blockTrip)) {
      expect(later).toEqual({ blocked: true, calls: ['run'], incidents: 0 });
    }
  });

  test('an unrelated number is unaffected and costs one batch', async () => {
    const store = new CountingStore(new MemoryStore(() => NOW));
    const guard = new DynamicGuard({ store, policy: policyOf(), keyPrefix: 'bw2', tenant: 't', alert: undefined, lookup: undefined });
    const verdict = await guard.evaluate(dynamicFactsFor({ ...factsFor(NUMBERS.US), now: NOW }));
    expect(verdict.findings).toEqual([]);
    expect(store.calls).toEqual(['run']);
  });
});

describe('alerts on the attacked path', () => {
  test('an alert that never settles holds the decision up ALERT_WAIT_MS at most, and the verdict says so', async () => {
    let sent = 0;
    const never = () => {
      sent += 1;
      return new Promise<string | undefined>(() => undefined);
    };
    const policy = policyOf({ GUARD_SERVICE_CAP_SMS: '1/1h' });
    const guard = new DynamicGuard({ store: new MemoryStore(() => NOW), policy, keyPrefix: 'al', tenant: 't', alert: never, lookup: undefined });
    await guard.evaluate(dynamicFactsFor({ ...factsFor(NUMBERS.US), now: NOW }));
    const tripped = await guard.evaluate(dynamicFactsFor({ ...factsFor(NUMBERS.FR), now: NOW + 1000 }));
    expect(tripped.incidents).toHaveLength(1);
    expect(sent).toBe(1);
    expect(tripped.alertErrors).toEqual([expect.stringContaining(`alert webhook did not answer within ${ALERT_WAIT_MS} ms`)]);
  });

  test('an alert that answers in time is awaited and its problem reported', async () => {
    const policy = policyOf({ GUARD_SERVICE_CAP_SMS: '1/1h' });
    const guard = new DynamicGuard({ store: new MemoryStore(() => NOW), policy, keyPrefix: 'al2', tenant: 't', alert: async () => 'alert webhook answered HTTP 500', lookup: undefined });
    await guard.evaluate(dynamicFactsFor({ ...factsFor(NUMBERS.US), now: NOW }));
    const tripped = await guard.evaluate(dynamicFactsFor({ ...factsFor(NUMBERS.FR), now: NOW + 1000 }));
    expect(tripped.alertErrors).toEqual(['alert webhook answered HTTP 500']);
  });
});
