/**
 * The figures the families are judged by, computed from events and one refused-flag per event.
 *
 * Delivered before containment, per attack wave: take the wave's attempts in time order; the
 * containment point is the first attempt from which at least 95 % of the wave's remaining attempts
 * (that one included) are refused. The figure is the number of the wave's attempts delivered
 * before that point. When no attempt qualifies (every tail of the wave has more than 5 %
 * delivered: the wave was never contained), the figure is every delivered attempt of the wave.
 * Deliveries after the point are at most 5 % of the rest of the wave (they show in the fraud cost
 * blocked); a few early ones can fall inside that allowance when the refused tail is long.
 */
export const CONTAINED_SHARE = 0.95;

export function deliveredBeforeContainment(refused: readonly boolean[]): number {
  const n = refused.length;
  let refusedFromHere = 0;
  let point = n;
  for (let index = n - 1; index >= 0; index -= 1) {
    if (refused[index]) refusedFromHere += 1;
    if (refusedFromHere >= CONTAINED_SHARE * (n - index)) point = index;
  }
  let delivered = 0;
  for (let index = 0; index < point; index += 1) if (!refused[index]) delivered += 1;
  return delivered;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The worst value and the index it came from; `higherIsWorse` picks the direction. */
export function worst(values: readonly number[], higherIsWorse: boolean): { value: number; index: number } {
  let index = -1;
  values.forEach((value, at) => {
    if (Number.isNaN(value)) return;
    if (index < 0 || (higherIsWorse ? value > (values[index] as number) : value < (values[index] as number))) index = at;
  });
  return { value: index < 0 ? Number.NaN : (values[index] as number), index };
}

export function share(part: number, whole: number): number {
  return whole === 0 ? Number.NaN : part / whole;
}
