/** How `npm run bench` prints its figures: Markdown tables that read in a terminal and paste into docs/benchmarks.md. */

/** One printed section: a title, a header row and rows of cells; `notes` are printed under it. */
export interface BenchSection {
  title: string;
  header: string[];
  rows: string[][];
  notes?: string[];
}

/** 92395 → "92 395" (the grouping the docs use). */
export function grouped(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

export function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  if (value < 0.1) return `${value.toFixed(3)} ms`;
  if (value < 10) return `${value.toFixed(2)} ms`;
  return `${value.toFixed(1)} ms`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A duration as people read a TTL: "2 h 1 min", "60 d", "45 s"; "none" for a key that never expires (PTTL -1). */
export function duration(msValue: number): string {
  if (msValue < 0) return 'none';
  if (msValue < MINUTE) return `${Math.round(msValue / 1000)} s`;
  const totalMinutes = Math.round(msValue / MINUTE);
  const days = Math.floor(totalMinutes / (DAY / MINUTE));
  const hours = Math.floor((totalMinutes % (DAY / MINUTE)) / 60);
  const minutes = totalMinutes % 60;
  const parts = [days > 0 ? `${days} d` : '', hours > 0 ? `${hours} h` : '', minutes > 0 && days === 0 ? `${minutes} min` : ''].filter((part) => part !== '');
  return parts.length > 0 ? parts.join(' ') : '0 min';
}

/** A Markdown table whose columns are padded, so it reads in a terminal and pastes into a doc. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  // At least 3: the shortest rule Markdown accepts ("---" or "--:").
  const widths = header.map((cell, column) => Math.max(3, cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const figure = (text: string) => text === '' || /^[0-9~<>.,\s-]|^n\/a$/.test(text);
  const numeric = header.map((_, column) => rows.some((row) => (row[column] ?? '') !== '') && rows.every((row) => figure(row[column] ?? '')));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join(' | ')} |`;
  const rule = `| ${widths.map((width, column) => (numeric[column] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function renderSection(section: BenchSection): string {
  const notes = section.notes !== undefined && section.notes.length > 0 ? `\n\n${section.notes.join('\n')}` : '';
  return `## ${section.title}\n\n${renderTable(section.header, section.rows)}${notes}`;
}
