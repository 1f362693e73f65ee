/**
 * The simulated clock. The built Actions run in Node's main context and read its `Date.now`; under
 * Jest this module's `Date` is another realm's, so both are moved together.
 */
import * as vm from 'node:vm';

export interface SimulatedClock {
  set(ms: number): void;
  restore(): void;
}

export function takeOverClock(): SimulatedClock {
  const main = vm.runInThisContext('Date') as DateConstructor;
  const dates = main === Date ? [Date] : [main, Date];
  const originals = dates.map((date) => date.now);
  let current = 0;
  const now = () => current;
  for (const date of dates) date.now = now;
  return {
    set(ms) {
      current = ms;
    },
    restore() {
      dates.forEach((date, index) => {
        date.now = originals[index] as () => number;
      });
    },
  };
}

/** Runs `run` with the clock at `ms`, then gives the real clock back. */
export async function withClockAt<T>(ms: number, run: () => Promise<T>): Promise<T> {
  const clock = takeOverClock();
  clock.set(ms);
  try {
    return await run();
  } finally {
    clock.restore();
  }
}
