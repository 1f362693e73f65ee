/**
 * Writers for a Report: an aligned plain-text table for the terminal, JSON for machines, and a
 * self-contained HTML page (inline CSS and SVG, no script, no external resource) with a chart of
 * sends, failures and blocks over time. Every string from the logs is treated as hostile: control
 * characters are replaced on the terminal, everything is HTML-escaped in the page, and as a last
 * guard any `+` followed by 6 or more digits is masked (the report should hold none: numbers are
 * masked at read time).
 */
import { maskNumberRuns } from './phone';
import type { GroupRow, Report, SpikeRow, SurgeRow } from './analyze';
import type { ActionResult } from './respond';
import type { RangeBlockResult } from './range-block';

/** Masks anything that looks like a full international number. */
export function guardNumbers(text: string): string {
  return maskNumberRuns(text);
}

/** Terminal-safe text: no control characters (no ANSI escapes from a crafted user agent). */
export function terminalSafe(text: string): string {
  return guardNumbers(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

export function escapeHtml(text: string): string {
  return guardNumbers(text).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The report (and whatever goes with it) as JSON, numbers guarded even if a log smuggled one into a free-text field. */
export function toJson(report: Report, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ ...report, ...extra }, (_key, value: unknown) => (typeof value === 'string' ? guardNumbers(value) : value), 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Terminal
// ---------------------------------------------------------------------------------------------

export interface TableOptions {
  /** Rows per section. */
  maxRows?: number;
  /** Width of free-text cells (user agents, keys). */
  cellWidth?: number;
}

export function toTable(report: Report, options: TableOptions = {}): string {
  const maxRows = options.maxRows ?? 25;
  const width = options.cellWidth ?? 36;
  const out: string[] = [];
  const t = report.thresholds;
  out.push(`tollguard monitor: window ${report.window.start} .. ${report.window.end} (${formatDuration(report.window.ms)})`);
  const input = report.input;
  const skipped = Object.values(input.skippedTypes).reduce((sum, count) => sum + count, 0);
  out.push(
    `input: ${input.sources.length} source(s), ${n(input.records)} records, ${n(input.sendEvents)} send events, ` +
      `${n(skipped)} other records skipped, ${n(input.errors)} unreadable` +
      (input.truncated.length > 0 ? `, TRUNCATED: ${input.truncated.join(', ')}` : ''),
  );
  if (input.unrecognised.length > 0) out.push(`NOT RECOGNISED (no Auth0, Okta or tollguard log in it): ${input.unrecognised.join(', ')}`);
  for (const note of input.notes) out.push(`note: ${note}`);
  const totals = report.totals;
  out.push(
    `window totals: ${n(totals.sends)} sends (sent ${n(totals.sent)}, failed ${n(totals.failed)}, blocked ${n(totals.blocked)}` +
      (totals.wouldBlock > 0 ? `, would block ${n(totals.wouldBlock)}` : '') +
      `), ${n(totals.numbers)} numbers, ${n(totals.countries)} countries, ${n(totals.users)} users, ${n(totals.ips)} IPs` +
      `; history: ${n(report.history.events)} events, ${report.history.previousWindows} previous window(s)`,
  );
  out.push(input.unrecognised.length > 0 ? `findings: ${report.findings} in the input that was recognised; ${input.unrecognised.length} file(s) NOT RECOGNISED` : `findings: ${report.findings}`);

  const groupColumns = (first: Column<GroupRow>[]): Column<GroupRow>[] => [
    ...first,
    { title: 'sends', right: true, value: (row) => n(row.sends) },
    { title: 'fail', right: true, value: (row) => n(row.failed) },
    { title: 'blocked', right: true, value: (row) => n(row.blocked) },
    { title: 'numbers', right: true, value: (row) => n(row.numbers) },
    { title: 'countries', value: (row) => listCell(row.countries, row.highRiskCountries) },
    { title: 'reasons', value: (row) => row.reasons.join('; ') },
  ];
  const userCell: Column<GroupRow> = { title: 'user', value: (row) => clip(row.userId ?? row.userName ?? '-', width) };

  section(out, `FLAGGED ACTORS (user + IP + user agent; sends >= ${t.minSends}, numbers >= ${t.minNumbers} or countries >= ${t.minCountries})`, report.actors, maxRows, groupColumns([
    userCell,
    { title: 'ip', value: (row) => row.ip ?? '-' },
    { title: 'user agent', value: (row) => clip(row.userAgent ?? '-', width) },
  ]));
  section(out, `FLAGGED USERS`, report.users, maxRows, groupColumns([
    userCell,
    { title: 'ips', right: true, value: (row) => n(row.ips) },
  ]));
  section(out, `FLAGGED IPS (sends >= ${t.ipMinSends}, numbers >= ${t.ipMinNumbers} or countries >= ${t.ipMinCountries})`, report.ips, maxRows, groupColumns([
    { title: 'ip', value: (row) => row.ip ?? '-' },
    { title: 'users', right: true, value: (row) => n(row.users) },
  ]));
  section(out, 'USERS WITH MANY NUMBERS (all loaded data)', report.manyNumbers, maxRows, [
    userCell,
    { title: 'numbers', right: true, value: (row) => n(row.numbers) },
    { title: 'sends', right: true, value: (row) => n(row.sends) },
    { title: 'first', value: (row) => row.first.slice(0, 16) },
    { title: 'last', value: (row) => row.last.slice(0, 16) },
    { title: 'sample', value: (row) => row.numbersSample.slice(0, 3).join(' ') },
  ]);
  const surgeColumns = (title: string): Column<SurgeRow>[] => [
    { title, value: (row) => row.key + (title === 'country' && row.highRisk ? '!' : '') },
    ...(title === 'country' ? [] : [{ title: 'country', value: (row: SurgeRow) => (row.country ?? '-') + (row.highRisk ? '!' : '') }]),
    { title: 'numbers', right: true, value: (row) => n(row.numbers) },
    { title: 'sends', right: true, value: (row) => n(row.sends) },
    { title: 'users', right: true, value: (row) => n(row.users) },
    { title: 'baseline', right: true, value: (row) => String(row.baseline) },
    { title: 'threshold', right: true, value: (row) => n(row.threshold) },
  ];
  section(out, `RANGE SURGES (distinct numbers this window vs the previous windows; ! = high-risk country)`, report.rangeSurges, maxRows, [
    ...surgeColumns('range'),
    { title: 'block prefix', value: (row) => row.prefix ?? '(masked numbers only)' },
  ]);
  if (report.proposedBlockedNumbers.length > 0) {
    out.push(`GUARD_BLOCKED_NUMBERS: add ${report.proposedBlockedNumbers.join(', ')} (to the send Action's secret, or let --block write a range block)`);
  }
  section(out, 'COUNTRY SURGES', report.countrySurges, maxRows, surgeColumns('country'));
  section(out, 'FAILURE-RATE SPIKES (hours)', report.failureSpikes, maxRows, [
    { title: 'hour', value: (row: SpikeRow) => row.start.slice(0, 16) },
    { title: 'sends', right: true, value: (row) => n(row.sends) },
    { title: 'unsuccessful', right: true, value: (row) => n(row.unsuccessful) },
    { title: 'share', right: true, value: (row) => pct(row.share) },
    { title: 'usual', right: true, value: (row) => pct(row.baselineShare) },
  ]);
  if (report.userAgents.length > 0) {
    section(out, 'TOP USER AGENTS (context, not findings)', report.userAgents, Math.min(maxRows, 10), [
      { title: 'user agent', value: (row) => clip(row.userAgent ?? '-', width + 20) },
      { title: 'sends', right: true, value: (row) => n(row.sends) },
      { title: 'numbers', right: true, value: (row) => n(row.numbers) },
      { title: 'users', right: true, value: (row) => n(row.users) },
      { title: 'countries', value: (row) => listCell(row.countries, row.highRiskCountries) },
    ]);
  }
  return `${out.map(terminalSafe).join('\n')}\n`;
}

/** The response part of the terminal output: what was (or would be) done to whom. */
export function responseTable(results: readonly ActionResult[], applied: boolean, ranges: readonly RangeBlockResult[] = []): string {
  const out: string[] = [];
  const action = results[0]?.action ?? 'block';
  const header = applied ? `RESPONSE (${action}, applied)` : `RESPONSE (${action}, DRY RUN: nothing was changed; add --apply to ${action})`;
  section(out, header, results, results.length, [
    { title: 'user', value: (row) => row.userId ?? row.userName ?? '-' },
    { title: 'name', value: (row) => (row.userId !== undefined ? row.userName ?? '' : '') },
    { title: 'result', value: (row) => row.result + (row.decision === 'act' ? '' : ` (${row.decision.replace('skip-', '')})`) },
    { title: 'why', value: (row) => clip(row.reasons.join('; '), 100) },
  ]);
  if (ranges.length > 0) {
    section(out, applied ? 'RANGE BLOCKS (counter store, applied)' : 'RANGE BLOCKS (counter store, DRY RUN: nothing was written)', ranges, ranges.length, [
      { title: 'range', value: (row) => row.range },
      { title: 'prefix', value: (row) => row.prefix ?? '-' },
      { title: 'result', value: (row) => row.result + (row.decision === 'act' ? '' : ` (${rangeSkipText(row.decision)})`) },
      { title: 'until', value: (row) => new Date(row.blockedUntil ?? row.until).toISOString().slice(0, 16) + 'Z' },
      { title: 'error', value: (row) => row.error ?? '' },
    ]);
  }
  return `${out.map(terminalSafe).join('\n')}\n`;
}

function rangeSkipText(decision: RangeBlockResult['decision']): string {
  if (decision === 'skip-no-prefix') return 'range known only from masked numbers';
  if (decision === 'skip-no-store') return 'no counter store: set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN';
  return decision;
}

interface Column<T> {
  title: string;
  value: (row: T) => string;
  right?: boolean;
}

function section<T>(out: string[], title: string, rows: readonly T[], maxRows: number, columns: Column<T>[]): void {
  out.push('');
  out.push(`${title}: ${rows.length === 0 ? 'none' : rows.length}`);
  if (rows.length === 0) return;
  const shown = rows.slice(0, maxRows);
  const cells = shown.map((row) => columns.map((column) => terminalSafe(column.value(row))));
  const widths = columns.map((column, index) => Math.max(column.title.length, ...cells.map((line) => (line[index] ?? '').length)));
  const format = (values: string[]): string =>
    values
      .map((value, index) => {
        const widthAt = widths[index] ?? 0;
        return columns[index]?.right === true ? value.padStart(widthAt) : value.padEnd(widthAt);
      })
      .join('  ')
      .trimEnd();
  out.push(format(columns.map((column) => column.title)));
  out.push(format(widths.map((widthAt) => '-'.repeat(widthAt))));
  for (const line of cells) out.push(format(line));
  if (rows.length > shown.length) out.push(`... ${rows.length - shown.length} more (see --json / --html)`);
}

function listCell(items: readonly string[], highRisk: readonly string[]): string {
  if (items.length === 0) return '-';
  const risky = new Set(highRisk);
  const shown = items.slice(0, 6).map((item) => (risky.has(item) ? `${item}!` : item));
  return shown.join(',') + (items.length > 6 ? `,+${items.length - 6}` : '');
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(1, width - 1))}…` : text;
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 86_400_000) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

export interface HtmlResponse {
  users: readonly ActionResult[];
  ranges?: readonly RangeBlockResult[];
}

export function toHtml(report: Report, responseParts?: HtmlResponse): string {
  const response = responseParts?.users;
  const title = `tollguard monitor ${report.window.start.slice(0, 16)} .. ${report.window.end.slice(0, 16)}`;
  const totals = report.totals;
  const parts: string[] = [];
  parts.push('<!doctype html>');
  parts.push('<html lang="en"><head><meta charset="utf-8">');
  parts.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
  parts.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  parts.push(`<title>${escapeHtml(title)}</title>`);
  parts.push(`<style>${CSS}</style></head><body>`);
  parts.push(`<h1>${escapeHtml(title)}</h1>`);
  parts.push(
    `<p class="summary"><strong>${report.findings}</strong> finding(s). Window ${escapeHtml(formatDuration(report.window.ms))}: ` +
      `${n(totals.sends)} sends (${n(totals.sent)} sent, ${n(totals.failed)} failed, ${n(totals.blocked)} blocked), ` +
      `${n(totals.numbers)} numbers, ${n(totals.countries)} countries, ${n(totals.users)} users, ${n(totals.ips)} IPs. ` +
      `Generated ${escapeHtml(report.generatedAt)}.</p>`,
  );
  parts.push(chartSvg(report));
  const input = report.input;
  parts.push(
    `<p class="input">Input: ${escapeHtml(input.sources.join(', ') || '-')}; ${n(input.records)} records, ${n(input.sendEvents)} send events, ` +
      `${n(input.errors)} unreadable${input.truncated.length > 0 ? `; truncated: ${escapeHtml(input.truncated.join(', '))}` : ''}.</p>`,
  );
  for (const note of input.notes) parts.push(`<p class="note">${escapeHtml(note)}</p>`);

  const groupTable = (caption: string, rows: readonly GroupRow[], identity: [string, (row: GroupRow) => string][]): void => {
    htmlTable(parts, caption, rows, [
      ...identity,
      ['sends', (row) => n(row.sends)],
      ['failed', (row) => n(row.failed)],
      ['blocked', (row) => n(row.blocked)],
      ['numbers', (row) => n(row.numbers)],
      ['countries', (row) => listCell(row.countries, row.highRiskCountries)],
      ['sample', (row) => row.numbersSample.join(' ')],
      ['first', (row) => row.first.slice(0, 16)],
      ['last', (row) => row.last.slice(0, 16)],
      ['reasons', (row) => row.reasons.join('; ')],
    ]);
  };
  const user = (row: GroupRow): string => row.userId ?? row.userName ?? '-';
  groupTable('Flagged actors (user + IP + user agent)', report.actors, [['user', user], ['ip', (row) => row.ip ?? '-'], ['user agent', (row) => row.userAgent ?? '-']]);
  groupTable('Flagged users', report.users, [['user', user], ['name', (row) => row.userName ?? ''], ['IPs', (row) => n(row.ips)]]);
  groupTable('Flagged IPs', report.ips, [['ip', (row) => row.ip ?? '-'], ['users', (row) => n(row.users)]]);
  groupTable('Users with many numbers (all loaded data)', report.manyNumbers, [['user', user]]);
  const surge = (caption: string, rows: readonly SurgeRow[], label: string): void =>
    htmlTable(parts, caption, rows, [
      [label, (row) => row.key],
      [label === 'country' ? 'risk' : 'country', (row) => (label === 'country' ? '' : row.country ?? '-') + (row.highRisk ? ' (high risk)' : '')],
      ['numbers', (row) => n(row.numbers)],
      ['sends', (row) => n(row.sends)],
      ['users', (row) => n(row.users)],
      ['baseline', (row) => String(row.baseline)],
      ['threshold', (row) => n(row.threshold)],
    ]);
  surge('Range surges', report.rangeSurges, 'range');
  surge('Country surges', report.countrySurges, 'country');
  htmlTable(parts, 'Failure-rate spikes', report.failureSpikes, [
    ['hour', (row) => row.start.slice(0, 16)],
    ['sends', (row) => n(row.sends)],
    ['unsuccessful', (row) => n(row.unsuccessful)],
    ['share', (row) => pct(row.share)],
    ['usual share', (row) => pct(row.baselineShare)],
  ]);
  htmlTable(parts, 'Top user agents (context)', report.userAgents, [
    ['user agent', (row) => row.userAgent ?? '-'],
    ['sends', (row) => n(row.sends)],
    ['numbers', (row) => n(row.numbers)],
    ['users', (row) => n(row.users)],
    ['countries', (row) => listCell(row.countries, row.highRiskCountries)],
  ]);
  if (response !== undefined) {
    const applied = response.some((row) => !row.dryRun);
    htmlTable(parts, applied ? 'Response (applied)' : 'Response (dry run: nothing was changed)', response, [
      ['user', (row) => row.userId ?? row.userName ?? '-'],
      ['name', (row) => (row.userId !== undefined ? row.userName ?? '' : '')],
      ['action', (row) => row.action],
      ['result', (row) => row.result + (row.decision === 'act' ? '' : ` (${row.decision})`)],
      ['error', (row) => row.error ?? ''],
      ['reasons', (row) => row.reasons.join('; ')],
    ]);
  }
  const t = report.thresholds;
  parts.push(
    `<p class="note">Thresholds: user / actor sends ≥ ${t.minSends}, numbers ≥ ${t.minNumbers}, countries ≥ ${t.minCountries}; ` +
      `IP sends ≥ ${t.ipMinSends}, numbers ≥ ${t.ipMinNumbers}, countries ≥ ${t.ipMinCountries}; surge floors ${t.surgeMin} (range) and ${t.countrySurgeMin} (country), factor ${t.surgeFactor}; ` +
      `failure spikes from ${t.failureMinSends} sends an hour. A country marked ! or (high risk) is in tollguard's default high-risk tier.</p>`,
  );
  parts.push('</body></html>');
  return `${parts.join('\n')}\n`;
}

function htmlTable<T>(parts: string[], caption: string, rows: readonly T[], columns: [string, (row: T) => string][]): void {
  parts.push(`<h2>${escapeHtml(caption)} <span class="count">${rows.length}</span></h2>`);
  if (rows.length === 0) {
    parts.push('<p class="none">none</p>');
    return;
  }
  parts.push('<table><thead><tr>');
  for (const [title] of columns) parts.push(`<th>${escapeHtml(title)}</th>`);
  parts.push('</tr></thead><tbody>');
  for (const row of rows) {
    parts.push(`<tr>${columns.map(([, value]) => `<td>${escapeHtml(value(row))}</td>`).join('')}</tr>`);
  }
  parts.push('</tbody></table>');
}

const CHART_WIDTH = 960;
const CHART_HEIGHT = 260;
const MARGIN = { top: 16, right: 16, bottom: 48, left: 56 };
const COLORS = { sent: '#2e7d32', failed: '#f9a825', blocked: '#c62828' } as const;

/** Stacked bars per time bucket: sent, failed, blocked. */
export function chartSvg(report: Report): string {
  const buckets = report.timeline.buckets;
  const plotWidth = CHART_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = CHART_HEIGHT - MARGIN.top - MARGIN.bottom;
  const max = Math.max(1, ...buckets.map((bucket) => bucket.sent + bucket.failed + bucket.blocked));
  const scale = niceMax(max);
  const barWidth = plotWidth / Math.max(1, buckets.length);
  const out: string[] = [];
  out.push(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-label="sends, failures and blocks over time">`,
  );
  for (let step = 0; step <= 4; step += 1) {
    const value = (scale * step) / 4;
    const y = MARGIN.top + plotHeight - (plotHeight * step) / 4;
    out.push(`<line x1="${MARGIN.left}" y1="${y.toFixed(1)}" x2="${CHART_WIDTH - MARGIN.right}" y2="${y.toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="11">${escapeHtml(n(Math.round(value)))}</text>`);
  }
  const labelEvery = Math.max(1, Math.ceil(buckets.length / 12));
  buckets.forEach((bucket, index) => {
    const x = MARGIN.left + index * barWidth;
    let y = MARGIN.top + plotHeight;
    for (const key of ['sent', 'failed', 'blocked'] as const) {
      const value = bucket[key];
      if (value <= 0) continue;
      const height = (plotHeight * value) / scale;
      y -= height;
      out.push(
        `<rect x="${(x + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, barWidth - 2).toFixed(1)}" height="${height.toFixed(1)}" fill="${COLORS[key]}">` +
          `<title>${escapeHtml(`${bucket.start.slice(0, 16)} ${key}: ${n(value)}`)}</title></rect>`,
      );
    }
    if (index % labelEvery === 0) {
      const label = report.timeline.bucketMs < 86_400_000 ? bucket.start.slice(5, 16).replace('T', ' ') : bucket.start.slice(0, 10);
      out.push(`<text x="${(x + barWidth / 2).toFixed(1)}" y="${CHART_HEIGHT - MARGIN.bottom + 16}" text-anchor="middle" font-size="10">${escapeHtml(label)}</text>`);
    }
  });
  let legendX = MARGIN.left;
  for (const key of ['sent', 'failed', 'blocked'] as const) {
    out.push(`<rect x="${legendX}" y="${CHART_HEIGHT - 18}" width="10" height="10" fill="${COLORS[key]}"/>`);
    out.push(`<text x="${legendX + 14}" y="${CHART_HEIGHT - 9}" font-size="11">${key}</text>`);
    legendX += 80;
  }
  out.push(`<text x="${CHART_WIDTH - MARGIN.right}" y="${CHART_HEIGHT - 9}" text-anchor="end" font-size="11">per ${escapeHtml(formatDuration(report.timeline.bucketMs))}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

/** A top of scale whose quarters are whole, round numbers (4, 8, 20, 40, 80, 200...). */
function niceMax(value: number): number {
  const quarter = value / 4;
  if (quarter <= 1) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(quarter));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= quarter) return 4 * step * magnitude;
  return 40 * magnitude;
}

const CSS = `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.count{font-weight:normal;color:#666}
table{border-collapse:collapse;font-size:12px;margin-top:8px}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top;max-width:420px;overflow-wrap:anywhere}
th{background:#f4f4f4}
.chart{width:100%;max-width:960px;height:auto;border:1px solid #eee}
.none,.note,.input{color:#555;font-size:13px}
`;
