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
import type { ConversionReport, ConversionRow } from './conversion';
import type { ProofResult, StoreWriteResults } from './write-store';
import { rankFindings, whatToDoNow, type RankedFinding } from './rank';

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
  const ranked = rankFindings(report);
  if (ranked.length > 0) {
    out.push('', 'WHAT TO DO NOW (most urgent first; each actor once)');
    for (const step of whatToDoNow(ranked, report)) out.push(`  ${step}`);
  }

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
    { title, value: (row) => row.key + (title === 'country' && row.highRisk ? '!' : '') + (row.unproven === true ? '?' : '') },
    ...(title === 'country' ? [] : [{ title: 'country', value: (row: SurgeRow) => (row.country ?? '-') + (row.highRisk ? '!' : '') }]),
    { title: 'channel', value: (row) => row.channel },
    { title: 'numbers', right: true, value: (row) => n(row.numbers) },
    { title: 'sends', right: true, value: (row) => n(row.sends) },
    { title: 'users', right: true, value: (row) => n(row.users) },
    { title: 'baseline', right: true, value: (row) => String(row.baseline) },
    { title: 'threshold', right: true, value: (row) => n(row.threshold) },
  ];
  section(out, `RANGE SURGES (distinct numbers this window vs the previous windows, per channel; ! = high-risk country)`, report.rangeSurges, maxRows, [
    ...surgeColumns('range'),
    { title: 'block prefix', value: (row) => row.prefix ?? '(masked numbers only)' },
  ]);
  if (report.proposedBlockedNumbers.length > 0) {
    out.push(`GUARD_BLOCKED_NUMBERS: add ${report.proposedBlockedNumbers.join(', ')} (to the send Action's secret, or let --block write a range block)`);
  }
  section(out, 'COUNTRY SURGES (? = no number proven there while codes come back elsewhere: the high-risk floor)', report.countrySurges, maxRows, surgeColumns('country'));
  const failovers = report.oktaHookFailovers;
  if (failovers !== undefined) {
    out.push('', `OKTA TELEPHONY HOOK FAILOVERS: ${failovers.count} of ${failovers.sends} Okta sends (Okta sent the OTP itself; tollguard did not check them)`);
    section(out, 'failover hours', failovers.hours, maxRows, [
      { title: 'hour', value: (row) => `${row.start.slice(0, 10)} ${row.start.slice(11, 16)} UTC` },
      { title: 'failovers', right: true, value: (row) => n(row.count) },
    ]);
    out.push(`(${failovers.byChannel.sms} SMS, ${failovers.byChannel.voice} call(s), ${failovers.users} user(s))`);
    for (const check of failovers.check) out.push(`check: ${check}`);
  }
  section(out, 'FAILURE-RATE SPIKES (hours)', report.failureSpikes, maxRows, [
    { title: 'hour', value: (row: SpikeRow) => row.start.slice(0, 16) },
    { title: 'sends', right: true, value: (row) => n(row.sends) },
    { title: 'unsuccessful', right: true, value: (row) => n(row.unsuccessful) },
    { title: 'share', right: true, value: (row) => pct(row.share) },
    { title: 'usual', right: true, value: (row) => pct(row.baselineShare) },
  ]);
  if (report.conversion !== undefined) conversionText(out, report.conversion, maxRows);
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

/** The conversion section of the terminal report. */
function conversionText(out: string[], conversion: ConversionReport, maxRows: number): void {
  out.push('');
  if (!conversion.computed) {
    out.push(`CONVERSION: not computed (${conversion.reason ?? 'no data'})`);
    return;
  }
  const totals = conversion.totals;
  const th = conversion.thresholds;
  out.push(
    `CONVERSION (verified ÷ sent; lowest first among ranges with >= ${th.minSends} decided sends; suspect under ${pct(th.maxConversion)}): ` +
      `${n(totals.converted)} of ${n(totals.sent - totals.pending)} decided sends converted${totals.conversion !== undefined ? ` (${pct(totals.conversion)})` : ''}, ` +
      `${n(totals.pending)} pending (last ${formatDuration(conversion.join.numberWindowMs)} of the data)`,
  );
  const unmatched = Object.entries(conversion.unmatched).map(([reason, count]) => `${reason} ${count}`).join(', ');
  out.push(`verifications: ${n(totals.verifications)}, matched ${n(totals.matched)}, UNMATCHED ${n(totals.unmatched)}${unmatched.length > 0 ? ` (${unmatched}; they convert and prove nothing)` : ''}; numbers proven: ${n(conversion.provenNumbers.length)}`);
  if (conversion.unprovenCountries.length > 0) out.push(`no number proven in: ${conversion.unprovenCountries.join(', ')} (their country surges meet the high-risk floor, as in the send Action)`);
  for (const note of conversion.notes) out.push(`note: ${note}`);
  const columns = (title: string): Column<ConversionRow>[] => [
    { title, value: (row) => row.key + (row.suspect ? ' SUSPECT' : '') },
    ...(title === 'range' ? [{ title: 'country', value: (row: ConversionRow) => row.country ?? '-' }] : []),
    { title: 'sent', right: true, value: (row) => n(row.sent) },
    { title: 'pending', right: true, value: (row) => n(row.pending) },
    { title: 'converted', right: true, value: (row) => n(row.converted) },
    { title: 'conversion', right: true, value: (row) => (row.conversion === undefined ? '-' : pct(row.conversion)) },
    { title: 'numbers', right: true, value: (row) => n(row.numbers) },
    { title: 'users', right: true, value: (row) => n(row.users) },
  ];
  section(out, 'conversion per range', conversion.ranges, maxRows, columns('range'));
  section(out, 'conversion per country', conversion.countries, maxRows, columns('country'));
  if (conversion.suspectRanges.length > 0) {
    out.push(`SUSPECT RANGES (conversion collapsed): ${conversion.suspectRanges.map((row) => row.prefix ?? row.key).join(', ')} (--write-store blocks them in the counter store)`);
  }
}

/** What --write-store wrote (or would write): proofs by masked number, range blocks by range. */
export function storeWritesTable(results: StoreWriteResults, applied: boolean): string {
  const out: string[] = [];
  const state = applied ? 'applied' : 'DRY RUN: nothing was written; add --apply to write';
  section(out, `STORE WRITES: PROOFS (verified numbers, one per user; ${state})`, results.proofs, results.proofs.length, [
    { title: 'number', value: (row: ProofResult) => row.masked },
    { title: 'user', value: (row) => row.userId },
    { title: 'range', value: (row) => row.range },
    { title: 'result', value: (row) => row.result },
    { title: 'error', value: (row) => row.error ?? '' },
  ]);
  section(out, `STORE WRITES: SUSPECT RANGE BLOCKS (${state})`, results.ranges, results.ranges.length, [
    { title: 'range', value: (row) => row.range },
    { title: 'prefix', value: (row) => row.prefix ?? '-' },
    { title: 'result', value: (row) => row.result + (row.decision === 'act' ? '' : ` (${rangeSkipText(row.decision)})`) },
    { title: 'until', value: (row) => new Date(row.blockedUntil ?? row.until).toISOString().slice(0, 16) + 'Z' },
    { title: 'error', value: (row) => row.error ?? '' },
  ]);
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
  storeWrites?: StoreWriteResults;
}

/** Colours of the findings in the chart and the list (none is a sent / failed / blocked colour). */
export const FINDING_COLORS = ['#6a1b9a', '#1565c0', '#00838f', '#ef6c00', '#ad1457', '#5d4037', '#283593', '#827717'] as const;

/**
 * Words that must never break across lines: a flag, a range or masked number, a block prefix, an
 * IP, a user id (`auth0|...`, `google-oauth2|...`, Okta `00u...`), an e-mail.
 */
const TOKEN = /(?<![\w-])--[a-z][a-z-]+|\+\d{1,3} \d+|\+[\dx*]{4,}|\b\d{1,3}(?:\.\d{1,3}){3}\b|\b(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{1,4}\b|[A-Za-z0-9_.-]+\|[A-Za-z0-9_.@|-]+|\b00u[A-Za-z0-9]{8,}\b|[^\s@<>'"(),;]+@[^\s@<>'"(),;]+\.[A-Za-z]{2,}/g;

/** A secret's name (GUARD_BLOCKED_NUMBERS): may break after an underscore, nowhere else. */
const SECRET_NAME = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+){2,}\b/g;

/** Escaped HTML of a text, each token in a `<span class="tok">` that never wraps. */
export function htmlText(text: string): string {
  const guarded = guardNumbers(text);
  let out = '';
  let last = 0;
  for (const match of guarded.matchAll(TOKEN)) {
    const index = match.index ?? 0;
    out += secretNames(guarded.slice(last, index)) + `<span class="tok">${escapeHtml(match[0])}</span>`;
    last = index + match[0].length;
  }
  return out + secretNames(guarded.slice(last));
}

function secretNames(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(SECRET_NAME)) {
    const index = match.index ?? 0;
    out += escapeHtml(text.slice(last, index)) + `<code class="secret">${escapeHtml(match[0]).replace(/_/g, '_<wbr>')}</code>`;
    last = index + match[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

function utc(isoText: string): string {
  return isoText.length >= 16 ? `${isoText.slice(0, 10)} ${isoText.slice(11, 16)}` : isoText;
}

function hoursText(hours: readonly string[]): string {
  if (hours.length === 0) return '-';
  const first = hours[0] ?? '';
  const last = hours[hours.length - 1] ?? '';
  const end = new Date(Date.parse(last) + 3_600_000).toISOString();
  const span = first.slice(0, 10) === end.slice(0, 10) || end.slice(11, 16) === '00:00' ? `${utc(first)}–${end.slice(11, 16)}` : `${utc(first)} – ${utc(end)}`;
  return hours.length > 1 && Date.parse(last) - Date.parse(first) + 3_600_000 > hours.length * 3_600_000 ? `${span} UTC (${hours.length} h active)` : `${span} UTC`;
}

export function toHtml(report: Report, responseParts?: HtmlResponse): string {
  const response = responseParts?.users;
  const ranked = rankFindings(report);
  const steps = whatToDoNow(ranked, report, { users: responseParts?.users, ranges: responseParts?.ranges });
  const title = `tollguard monitor ${utc(report.window.start)} – ${utc(report.window.end)} UTC`;
  const totals = report.totals;
  const parts: string[] = [];
  parts.push('<!doctype html>');
  parts.push('<html lang="en"><head><meta charset="utf-8">');
  parts.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
  parts.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  parts.push(`<title>${escapeHtml(title)}</title>`);
  parts.push(`<style>${CSS}</style></head><body>`);
  parts.push(`<header><h1>tollguard monitor</h1>`);
  parts.push(
    `<p class="window">Window <time>${escapeHtml(utc(report.window.start))}</time> – <time>${escapeHtml(utc(report.window.end))}</time> <strong>UTC</strong> ` +
      `(${escapeHtml(formatDuration(report.window.ms))}). All times are UTC. Generated ${escapeHtml(utc(report.generatedAt))} UTC.</p></header>`,
  );

  parts.push(`<section id="now" class="now"><h2>What to do now</h2><ol>`);
  for (const step of steps) parts.push(`<li>${htmlText(step)}</li>`);
  parts.push('</ol></section>');

  const colorOf = new Map(ranked.slice(0, FINDING_COLORS.length).map((finding, index) => [finding.id, FINDING_COLORS[index] ?? '#555']));
  parts.push(`<section id="findings"><h2>Findings, most urgent first <span class="count">${ranked.length}</span></h2>`);
  parts.push(
    `<p class="note">Ranked by severity, then by cost: the sends that went out (billed), voice calls counted apart. ` +
      `Each actor is counted once: a user's IP / browser rows and the accounts behind a range are folded into one finding.</p>`,
  );
  if (ranked.length === 0) parts.push('<p class="none">none</p>');
  for (const finding of ranked) {
    const color = colorOf.get(finding.id);
    const swatch = color !== undefined ? `<span class="swatch" style="background:${color}"></span>` : '';
    parts.push(`<article class="finding sev-${finding.severity}" data-finding="${finding.id}"${color !== undefined ? ` style="border-left-color:${color}"` : ''}>`);
    parts.push(
      `<h3>${swatch}<span class="fid">${finding.id}</span> <span class="sev">${finding.severity}</span> ${escapeHtml(KIND_LABEL[finding.kind])}: ${htmlText(finding.subject)}</h3>`,
    );
    parts.push(`<p>${htmlText(finding.summary)}</p>`);
    parts.push(
      `<p class="facts">Billed: ${n(finding.sent - finding.voice)} SMS, ${n(finding.voice)} call(s) of ${n(finding.sends)} sends · ` +
        (finding.kind === 'failure-spike' ? '' : `${n(finding.numbers)} number(s) · `) +
        `${escapeHtml(hoursText(finding.hours))}</p>`,
    );
    if (finding.reasons.length > 0) parts.push(`<ul class="reasons">${finding.reasons.slice(0, 8).map((reason) => `<li>${htmlText(reason)}</li>`).join('')}</ul>`);
    parts.push('</article>');
  }
  parts.push('</section>');

  parts.push(`<section id="traffic"><h2>Sends per ${escapeHtml(formatDuration(report.timeline.bucketMs))} (UTC)</h2>`);
  parts.push(
    `<p class="summary">${n(totals.sends)} sends (${n(totals.sent)} sent, ${n(totals.failed)} failed, ${n(totals.blocked)} blocked), ` +
      `${n(totals.numbers)} numbers, ${n(totals.countries)} countries, ${n(totals.users)} users, ${n(totals.ips)} IPs in the window. ` +
      `Shaded hours: the most urgent finding active then; each finding's hours are on its own line under the chart.</p>`,
  );
  parts.push(chartSvg(report, ranked.filter((finding) => colorOf.has(finding.id)).map((finding) => ({ id: finding.id, color: colorOf.get(finding.id) ?? '#555', hours: finding.hours }))));
  parts.push('</section>');
  const input = report.input;
  parts.push(
    `<p class="input">Input: ${htmlText(input.sources.join(', ') || '-')}; ${n(input.records)} records, ${n(input.sendEvents)} send events, ` +
      `${n(input.errors)} unreadable${input.truncated.length > 0 ? `; truncated: ${escapeHtml(input.truncated.join(', '))}` : ''}.</p>`,
  );
  if (input.unrecognised.length > 0) parts.push(`<p class="warn">Not recognised (no Auth0, Okta or tollguard log in it): ${escapeHtml(input.unrecognised.join(', '))}.</p>`);
  for (const note of input.notes) parts.push(`<p class="note">${htmlText(note)}</p>`);

  parts.push('<section id="details"><h2>Details</h2>');
  const groupTable = (caption: string, rows: readonly GroupRow[], identity: [string, (row: GroupRow) => string][]): void => {
    htmlTable(parts, caption, rows, [
      ...identity,
      ['sends', (row) => n(row.sends)],
      ['failed', (row) => n(row.failed)],
      ['blocked', (row) => n(row.blocked)],
      ['numbers', (row) => n(row.numbers)],
      ['countries', (row) => listCell(row.countries, row.highRiskCountries)],
      ['sample', (row) => row.numbersSample.join(' ')],
      ['first (UTC)', (row) => utc(row.first)],
      ['last (UTC)', (row) => utc(row.last)],
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
      [label === 'country' ? 'risk' : 'country', (row) => (label === 'country' ? '' : row.country ?? '-') + (row.highRisk ? ' (high risk)' : '') + (row.unproven === true ? ' (no number proven)' : '')],
      ['channel', (row) => row.channel],
      ['numbers', (row) => n(row.numbers)],
      ['sends', (row) => n(row.sends)],
      ['users', (row) => n(row.users)],
      ['baseline', (row) => String(row.baseline)],
      ['threshold', (row) => n(row.threshold)],
      ...(label === 'country' ? [] : [['block prefix', (row: SurgeRow) => row.prefix ?? '(masked only)'] as [string, (row: SurgeRow) => string]]),
    ]);
  surge('Range surges', report.rangeSurges, 'range');
  if (report.proposedBlockedNumbers.length > 0) {
    parts.push(`<p class="note">GUARD_BLOCKED_NUMBERS, add: ${htmlText(report.proposedBlockedNumbers.join(', '))}</p>`);
  }
  surge('Country surges', report.countrySurges, 'country');
  htmlTable(parts, 'Failure-rate spikes', report.failureSpikes, [
    ['hour (UTC)', (row) => utc(row.start)],
    ['sends', (row) => n(row.sends)],
    ['unsuccessful', (row) => n(row.unsuccessful)],
    ['share', (row) => pct(row.share)],
    ['usual share', (row) => pct(row.baselineShare)],
  ]);
  if (report.oktaHookFailovers !== undefined) {
    htmlTable(parts, 'Okta telephony hook failovers (OTPs Okta sent itself)', report.oktaHookFailovers.hours, [
      ['hour (UTC)', (row) => utc(row.start)],
      ['failovers', (row) => n(row.count)],
    ]);
  }
  if (report.conversion !== undefined) conversionHtml(parts, report.conversion);
  htmlTable(parts, 'Top user agents (context, not findings)', report.userAgents, [
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
  const ranges = responseParts?.ranges ?? [];
  if (ranges.length > 0) {
    htmlTable(parts, ranges.some((row) => !row.dryRun) ? 'Range blocks (counter store, applied)' : 'Range blocks (counter store, dry run: nothing was written)', ranges, [
      ['range', (row) => row.range],
      ['prefix', (row) => row.prefix ?? '-'],
      ['result', (row) => row.result + (row.decision === 'act' ? '' : ` (${rangeSkipText(row.decision)})`)],
      ['until (UTC)', (row) => utc(new Date(row.blockedUntil ?? row.until).toISOString())],
      ['error', (row) => row.error ?? ''],
    ]);
  }
  const writes = responseParts?.storeWrites;
  if (writes !== undefined) {
    const state = writes.proofs.some((row) => !row.dryRun) || writes.ranges.some((row) => !row.dryRun) ? 'applied' : 'dry run: nothing was written';
    htmlTable(parts, `Store writes: proofs (${state})`, writes.proofs, [
      ['number', (row) => row.masked],
      ['user', (row) => row.userId],
      ['range', (row) => row.range],
      ['result', (row) => row.result],
      ['error', (row) => row.error ?? ''],
    ]);
    htmlTable(parts, `Store writes: suspect range blocks (${state})`, writes.ranges, [
      ['range', (row) => row.range],
      ['prefix', (row) => row.prefix ?? '-'],
      ['result', (row) => row.result + (row.decision === 'act' ? '' : ` (${rangeSkipText(row.decision)})`)],
      ['until (UTC)', (row) => utc(new Date(row.blockedUntil ?? row.until).toISOString())],
      ['error', (row) => row.error ?? ''],
    ]);
  }
  parts.push('</section>');
  const t = report.thresholds;
  parts.push(
    `<p class="note">Thresholds: user / actor sends ≥ ${t.minSends}, numbers ≥ ${t.minNumbers}, countries ≥ ${t.minCountries}; ` +
      `IP sends ≥ ${t.ipMinSends}, numbers ≥ ${t.ipMinNumbers}, countries ≥ ${t.ipMinCountries}; surge floors ${t.surgeMin} (range) and ${t.countrySurgeMin} (country), factor ${t.surgeFactor}; ` +
      `failure spikes from ${t.failureMinSends} sends an hour. A country marked ! or (high risk) is in tollguard's default high-risk tier.</p>`,
  );
  parts.push('</body></html>');
  return `${parts.join('\n')}\n`;
}

function conversionHtml(parts: string[], conversion: ConversionReport): void {
  if (!conversion.computed) {
    parts.push(`<h3>Conversion</h3><p class="none">Not computed: ${htmlText(conversion.reason ?? 'no data')}.</p>`);
    return;
  }
  const totals = conversion.totals;
  const unmatched = Object.entries(conversion.unmatched).map(([reason, count]) => `${reason} ${count}`).join(', ');
  parts.push(
    `<p class="summary" id="conversion">Conversion (verified ÷ sent): ${n(totals.converted)} of ${n(totals.sent - totals.pending)} decided sends` +
      `${totals.conversion !== undefined ? ` (${pct(totals.conversion)})` : ''}; ${n(totals.pending)} pending; ${n(totals.verifications)} verifications, ` +
      `${n(totals.matched)} matched, ${n(totals.unmatched)} unmatched${unmatched.length > 0 ? ` (${escapeHtml(unmatched)})` : ''}; ` +
      `${n(conversion.provenNumbers.length)} numbers proven. Suspect: at least ${conversion.thresholds.minSends} decided sends and under ${pct(conversion.thresholds.maxConversion)}.</p>`,
  );
  if (conversion.unprovenCountries.length > 0) parts.push(`<p class="note">No number proven in: ${htmlText(conversion.unprovenCountries.join(', '))} (their country surges meet the high-risk floor, as in the send Action).</p>`);
  for (const note of conversion.notes) parts.push(`<p class="note">${htmlText(note)}</p>`);
  const columns = (label: string): [string, (row: ConversionRow) => string][] => [
    [label, (row) => row.key + (row.suspect ? ' (suspect)' : '')],
    ...(label === 'range' ? [['country', (row: ConversionRow) => row.country ?? '-'] as [string, (row: ConversionRow) => string]] : []),
    ['sent', (row) => n(row.sent)],
    ['pending', (row) => n(row.pending)],
    ['converted', (row) => n(row.converted)],
    ['conversion', (row) => (row.conversion === undefined ? '-' : pct(row.conversion))],
    ['numbers', (row) => n(row.numbers)],
    ['users', (row) => n(row.users)],
  ];
  htmlTable(parts, 'Conversion per range (lowest first among ranges with enough sends)', conversion.ranges, columns('range'));
  htmlTable(parts, 'Conversion per country', conversion.countries, columns('country'));
}

const KIND_LABEL: Record<RankedFinding['kind'], string> = {
  'range-surge': 'range surge',
  'country-surge': 'country surge',
  user: 'user',
  actor: 'actor',
  ip: 'IP',
  'many-numbers': 'many numbers',
  'failure-spike': 'failure spike',
  'hook-failover': 'Okta hook failover',
};

function htmlTable<T>(parts: string[], caption: string, rows: readonly T[], columns: [string, (row: T) => string][]): void {
  parts.push(`<h3>${escapeHtml(caption)} <span class="count">${rows.length}</span></h3>`);
  if (rows.length === 0) {
    parts.push('<p class="none">none</p>');
    return;
  }
  parts.push('<div class="scroll"><table><thead><tr>');
  for (const [title] of columns) parts.push(`<th>${escapeHtml(title)}</th>`);
  parts.push('</tr></thead><tbody>');
  for (const row of rows) {
    parts.push(`<tr>${columns.map(([title, value]) => `<td${title === 'user agent' ? ' class="ua"' : title === 'reasons' ? ' class="wide"' : ''}>${htmlText(value(row))}</td>`).join('')}</tr>`);
  }
  parts.push('</tbody></table></div>');
}

const CHART_WIDTH = 960;
const PLOT_HEIGHT = 196;
const LANE_HEIGHT = 12;
const MARGIN = { top: 16, right: 16, left: 56 };
const COLORS = { sent: '#2e7d32', failed: '#f9a825', blocked: '#c62828' } as const;

export interface ChartFinding {
  id: string;
  color: string;
  hours: readonly string[];
}

/**
 * Stacked bars per time bucket (sent, failed, blocked); behind them, each bucket in which a
 * finding was active is shaded with the colour of the most urgent such finding, and under the
 * axis one lane per finding marks its hours in its colour.
 */
export function chartSvg(report: Report, findings: readonly ChartFinding[] = []): string {
  const buckets = report.timeline.buckets;
  const bucketMs = report.timeline.bucketMs;
  const firstStart = buckets.length > 0 ? Date.parse(buckets[0]?.start ?? '') : 0;
  const plotWidth = CHART_WIDTH - MARGIN.left - MARGIN.right;
  const axisY = MARGIN.top + PLOT_HEIGHT;
  const lanesTop = axisY + 24;
  const height = lanesTop + findings.length * LANE_HEIGHT + 30;
  const max = Math.max(1, ...buckets.map((bucket) => bucket.sent + bucket.failed + bucket.blocked));
  const scale = niceMax(max);
  const barWidth = plotWidth / Math.max(1, buckets.length);
  const bucketOf = (hour: string): number => Math.floor((Date.parse(hour) - firstStart) / bucketMs);
  const active = findings.map((finding) => new Set(finding.hours.map(bucketOf).filter((index) => index >= 0 && index < buckets.length)));
  const out: string[] = [];
  out.push(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART_WIDTH} ${height}" role="img" aria-label="sends, failures and blocks over time (UTC), with the hours of each finding">`,
  );
  buckets.forEach((bucket, index) => {
    const top = active.findIndex((set) => set.has(index));
    const finding = findings[top];
    if (finding === undefined) return;
    const x = MARGIN.left + index * barWidth;
    out.push(
      `<rect class="attack" data-finding="${finding.id}" data-bucket="${escapeHtml(bucket.start)}" x="${x.toFixed(1)}" y="${MARGIN.top}" width="${barWidth.toFixed(1)}" height="${PLOT_HEIGHT}" fill="${finding.color}" fill-opacity="0.14">` +
        `<title>${escapeHtml(`${utc(bucket.start)} UTC: ${finding.id}`)}</title></rect>`,
    );
  });
  for (let step = 0; step <= 4; step += 1) {
    const value = (scale * step) / 4;
    const y = axisY - (PLOT_HEIGHT * step) / 4;
    out.push(`<line x1="${MARGIN.left}" y1="${y.toFixed(1)}" x2="${CHART_WIDTH - MARGIN.right}" y2="${y.toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="11">${escapeHtml(n(Math.round(value)))}</text>`);
  }
  const labelEvery = Math.max(1, Math.ceil(buckets.length / 12));
  buckets.forEach((bucket, index) => {
    const x = MARGIN.left + index * barWidth;
    let y = axisY;
    for (const key of ['sent', 'failed', 'blocked'] as const) {
      const value = bucket[key];
      if (value <= 0) continue;
      const barHeight = (PLOT_HEIGHT * value) / scale;
      y -= barHeight;
      out.push(
        `<rect x="${(x + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, barWidth - 2).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${COLORS[key]}">` +
          `<title>${escapeHtml(`${utc(bucket.start)} UTC ${key}: ${n(value)}`)}</title></rect>`,
      );
    }
    if (index % labelEvery === 0) {
      const label = bucketMs < 86_400_000 ? `${bucket.start.slice(5, 10)} ${bucket.start.slice(11, 13)}h` : bucket.start.slice(0, 10);
      out.push(`<text x="${(x + barWidth / 2).toFixed(1)}" y="${axisY + 16}" text-anchor="middle" font-size="10">${escapeHtml(label)}</text>`);
    }
  });
  findings.forEach((finding, lane) => {
    const y = lanesTop + lane * LANE_HEIGHT;
    out.push(`<text x="${MARGIN.left - 6}" y="${y + 9}" text-anchor="end" font-size="10" fill="${finding.color}">${escapeHtml(finding.id)}</text>`);
    for (const index of active[lane] ?? []) {
      out.push(
        `<rect class="lane" data-finding="${finding.id}" x="${(MARGIN.left + index * barWidth).toFixed(1)}" y="${y}" width="${Math.max(1, barWidth).toFixed(1)}" height="${LANE_HEIGHT - 3}" fill="${finding.color}"/>`,
      );
    }
  });
  let legendX = MARGIN.left;
  for (const key of ['sent', 'failed', 'blocked'] as const) {
    out.push(`<rect x="${legendX}" y="${height - 18}" width="10" height="10" fill="${COLORS[key]}"/>`);
    out.push(`<text x="${legendX + 14}" y="${height - 9}" font-size="11">${key}</text>`);
    legendX += 80;
  }
  out.push(`<text x="${CHART_WIDTH - MARGIN.right}" y="${height - 9}" text-anchor="end" font-size="11">per ${escapeHtml(formatDuration(bucketMs))}, times in UTC</text>`);
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
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;padding:0 16px;max-width:1100px;color:#222;line-height:1.4}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin-top:28px}h3{font-size:14px;margin:18px 0 6px}
.window{margin:0;color:#333}
.count{font-weight:normal;color:#666}
.now{background:#fff8e1;border:1px solid #ffe082;border-radius:6px;padding:4px 16px 8px}
.now h2{margin-top:10px}.now ol{padding-left:22px;margin:6px 0}.now li{margin:4px 0}
.finding{border:1px solid #ddd;border-left:6px solid #999;border-radius:4px;padding:6px 12px;margin:10px 0;overflow-wrap:break-word}
.finding h3{margin:4px 0}.finding p{margin:4px 0}.finding .reasons{margin:4px 0;padding-left:20px;color:#444;font-size:13px}
.facts{color:#555;font-size:13px}
.sev{display:inline-block;font-size:11px;text-transform:uppercase;border-radius:3px;padding:0 5px;color:#fff;background:#777;vertical-align:1px}
.sev-high .sev{background:#c62828}.sev-medium .sev{background:#ef6c00}.sev-low .sev{background:#607d8b}
.fid{font-weight:bold}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.tok{white-space:nowrap;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}
.secret{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:12px;margin-top:4px}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:break-word}
td.ua{min-width:200px;max-width:320px;overflow-wrap:anywhere}td.wide{min-width:220px}
th{background:#f4f4f4;white-space:nowrap}
.chart{display:block;width:100%;max-width:960px;height:auto;border:1px solid #eee}
.none,.note,.input,.summary{color:#555;font-size:13px}
.warn{color:#b71c1c;font-weight:bold}
@media (max-width:600px){body{margin:12px auto;padding:0 10px}h1{font-size:19px}.now{padding:2px 8px 6px}.now ol{padding-left:18px}.finding{padding:6px 8px}}
`;
