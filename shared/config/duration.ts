/**
 * The one duration grammar of the project (Action secrets, the hook's settings, the monitor's
 * flags): a whole number and a unit, ms, s, m, h or d (`250ms`, `30s`, `15m`, `24h`, `7d`),
 * case-insensitive, spaces allowed before the unit. Whole numbers keep every value exact.
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

export const DURATION_EXAMPLES = '250ms, 30s, 15m, 24h or 7d';

/** Milliseconds, or undefined when the text is not a duration of this grammar. */
export function readDurationMs(text: string): number | undefined {
  const match = /^(\d{1,9})\s*(ms|s|m|h|d)$/i.exec(text.trim());
  const scale = match?.[2] === undefined ? undefined : UNIT_MS[match[2].toLowerCase()];
  if (match?.[1] === undefined || scale === undefined) return undefined;
  return Number(match[1]) * scale;
}

/** An exact spelling of a duration in its largest whole unit up to days (`90m`, `1d`, `14d`). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const scale = UNIT_MS[unit] as number;
    if (ms >= scale && ms % scale === 0) return `${ms / scale}${unit}`;
  }
  return `${ms}ms`;
}
