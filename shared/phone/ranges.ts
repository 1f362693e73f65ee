/**
 * Number ranges: the unit of pumping detection, shared by the send Action's prefix-anomaly rule
 * and the monitor. A range is the E.164 number without its last digits (4 by default: a block of
 * 10 000 numbers), keeping at least 3 national digits so that a short number's range is not just
 * its country code.
 */

/** Digits dropped from the end of a number to name its range. */
export const RANGE_DROP_DIGITS = 4;
/** National digits a range always keeps. */
const MIN_NATIONAL_DIGITS = 3;

/** How many trailing digits of the number its range hides. */
export function rangeHiddenDigits(e164: string, callingCode: string, dropDigits: number = RANGE_DROP_DIGITS): number {
  const national = e164.length - 1 - callingCode.length;
  return Math.min(dropDigits, Math.max(0, national - MIN_NATIONAL_DIGITS));
}

/** The number's range: E.164 without its last digits (`+14155552671` → `+1415555`). */
export function rangeOf(e164: string, callingCode: string, dropDigits: number = RANGE_DROP_DIGITS): string {
  return e164.slice(0, e164.length - rangeHiddenDigits(e164, callingCode, dropDigits));
}

/**
 * The range written for people: an `x` per hidden digit (`+1415555xxxx`), so that it can never
 * be mistaken for a number; undefined when the range would hide nothing (a very short number).
 */
export function rangeLabel(e164: string, callingCode: string, dropDigits: number = RANGE_DROP_DIGITS): string | undefined {
  const hidden = rangeHiddenDigits(e164, callingCode, dropDigits);
  if (hidden === 0) return undefined;
  return `${e164.slice(0, e164.length - hidden)}${'x'.repeat(hidden)}`;
}

/** The E.164 prefix a range label stands for (`+1415555xxxx` → `+1415555`), if it is one. */
export function prefixOfRangeLabel(label: string): string | undefined {
  const match = /^(\+[1-9]\d{2,14})x+$/.exec(label);
  return match?.[1];
}
