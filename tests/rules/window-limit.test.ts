import fc from 'fast-check';
import { overLimit, slidingCount, windowIndex } from '../../shared/engine/window-limit';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 2026-11-23T12:00:00Z: the first millisecond of an hour window. */
const WINDOW_START = Date.UTC(2026, 10, 23, 12);

describe('windowIndex', () => {
  test('counts whole windows since the epoch', () => {
    expect(windowIndex(0, HOUR)).toBe(0);
    expect(windowIndex(HOUR - 1, HOUR)).toBe(0);
    expect(windowIndex(HOUR, HOUR)).toBe(1);
    expect(windowIndex(WINDOW_START, HOUR)).toBe(WINDOW_START / HOUR);
    expect(windowIndex(WINDOW_START + HOUR - 1, HOUR)).toBe(WINDOW_START / HOUR);
    expect(windowIndex(WINDOW_START + HOUR, HOUR)).toBe(WINDOW_START / HOUR + 1);
    expect(windowIndex(WINDOW_START + 20 * MINUTE, 15 * MINUTE)).toBe(WINDOW_START / (15 * MINUTE) + 1);
  });

  test('every instant falls inside the window it names', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 1, max: 7 * 24 * HOUR }), (now, windowMs) => {
        const index = windowIndex(now, windowMs);
        expect(index * windowMs).toBeLessThanOrEqual(now);
        expect((index + 1) * windowMs).toBeGreaterThan(now);
      }),
    );
  });
});

describe('slidingCount', () => {
  const count = { current: 6, previous: 10 };

  test('at the start of a window the previous window counts in full', () => {
    expect(slidingCount(count, WINDOW_START, HOUR)).toBe(16);
  });

  test('half way through, half of the previous window counts', () => {
    expect(slidingCount(count, WINDOW_START + 30 * MINUTE, HOUR)).toBe(11);
  });

  test('a quarter of the way through, three quarters of the previous window count', () => {
    expect(slidingCount(count, WINDOW_START + 15 * MINUTE, HOUR)).toBe(13.5);
  });

  test('at the very end of a window only the current window counts (almost)', () => {
    const estimate = slidingCount(count, WINDOW_START + HOUR - 1, HOUR);
    expect(estimate).toBeGreaterThan(6);
    expect(estimate).toBeCloseTo(6, 3);
  });

  test('with no previous traffic the estimate is the current count at any time', () => {
    for (const offset of [0, 1, 17 * MINUTE, HOUR - 1]) {
      expect(slidingCount({ current: 7, previous: 0 }, WINDOW_START + offset, HOUR)).toBe(7);
    }
  });

  test('property: the estimate lies between current and current + previous', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 10_000_000 }),
        fc.nat({ max: 10_000_000 }),
        fc.integer({ min: 0, max: 2 ** 45 }),
        fc.integer({ min: 1, max: 7 * 24 * HOUR }),
        (current, previous, now, windowMs) => {
          const estimate = slidingCount({ current, previous }, now, windowMs);
          expect(estimate).toBeGreaterThanOrEqual(current);
          expect(estimate).toBeLessThanOrEqual(current + previous);
        },
      ),
    );
  });

  test('property: within one window the estimate never rises as time passes', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 100_000 }),
        fc.nat({ max: 100_000 }),
        fc.integer({ min: 0, max: HOUR - 1 }),
        fc.integer({ min: 0, max: HOUR - 1 }),
        (current, previous, a, b) => {
          const [early, late] = a <= b ? [a, b] : [b, a];
          const first = slidingCount({ current, previous }, WINDOW_START + early, HOUR);
          const second = slidingCount({ current, previous }, WINDOW_START + late, HOUR);
          expect(second).toBeLessThanOrEqual(first);
        },
      ),
    );
  });
});

describe('overLimit', () => {
  const limit = { max: 10, windowMs: HOUR };

  test('exactly at the limit is allowed', () => {
    expect(overLimit('for this user', { current: 10, previous: 0 }, limit, WINDOW_START)).toBeUndefined();
  });

  test('one above the limit gives a reason naming the count and the limit', () => {
    const reason = overLimit('for this user', { current: 11, previous: 0 }, limit, WINDOW_START);
    expect(reason).toBe('11 attempts for this user, over the limit of 10/1h');
  });

  test('the previous window weighs in: 6 now + 10 before is over at the window start, under near its end', () => {
    const count = { current: 6, previous: 10 };
    expect(overLimit('from this IP', count, limit, WINDOW_START)).toContain('16 attempts from this IP');
    expect(overLimit('from this IP', count, limit, WINDOW_START + 30 * MINUTE)).toContain('11 attempts');
    expect(overLimit('from this IP', count, limit, WINDOW_START + 40 * MINUTE)).toBeUndefined();
  });

  test('a fractional estimate is rounded up in the reason', () => {
    // 10 + 3 x 0.75 = 12.25
    expect(overLimit('x', { current: 10, previous: 3 }, limit, WINDOW_START + 15 * MINUTE)).toContain('13 attempts x');
  });

  test('the limit is named in its own units', () => {
    expect(overLimit('x', { current: 31, previous: 0 }, { max: 30, windowMs: 15 * MINUTE }, WINDOW_START)).toContain('30/15m');
  });

  test('no count or no limit (rule off) means no reason', () => {
    expect(overLimit('x', undefined, limit, WINDOW_START)).toBeUndefined();
    expect(overLimit('x', { current: 1_000_000, previous: 0 }, undefined, WINDOW_START)).toBeUndefined();
  });

  test('property: blocked exactly when the sliding estimate exceeds the limit', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1000 }),
        fc.nat({ max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: HOUR - 1 }),
        (current, previous, max, offset) => {
          const now = WINDOW_START + offset;
          const reason = overLimit('x', { current, previous }, { max, windowMs: HOUR }, now);
          expect(reason !== undefined).toBe(slidingCount({ current, previous }, now, HOUR) > max);
        },
      ),
    );
  });
});
