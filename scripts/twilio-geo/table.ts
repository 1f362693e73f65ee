/**
 * How `npm run twilio-geo` shows a plan and an apply report: a plain-text table per country and
 * channel (only what changes, unless --all), a summary, and the same content as JSON.
 */
import type { ApplyReport, RowResult } from './apply';
import { rowChanges, type GeoPlan, type PlanRow, type VoiceSwitches } from './plan';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

function countryName(row: PlanRow): string {
  if (row.channel === 'voice') return row.name;
  try {
    return regionNames.of(row.country) ?? row.country;
  } catch {
    return row.country;
  }
}

/** "off", "on", or "on + toll-fraud + special" (Twilio's high-risk number groups that are on too). */
export function describeVoice(s: VoiceSwitches): string {
  const extras = [s.tollFraud ? 'toll-fraud' : '', s.special ? 'special' : ''].filter(Boolean);
  const base = s.low ? 'on' : 'off';
  return extras.length === 0 ? base : `${base} + ${extras.join(' + ')}`;
}

function nowText(row: PlanRow): string {
  return row.channel === 'sms' ? (row.now ? 'on' : 'off') : describeVoice(row.now);
}

function targetText(row: PlanRow): string {
  const text = row.channel === 'sms' ? (row.target ? 'on' : 'off') : describeVoice(row.target);
  if (row.channel === 'sms' && row.consoleOnly && rowChanges(row)) return `${text} (Console only)`;
  if (!rowChanges(row)) return row.heldBack ? `${text} (kept off)` : `${text} (as is)`;
  return text;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function formatTable(header: string[], rows: string[][], maxWidths: number[]): string {
  const widths = header.map((h, i) => Math.min(maxWidths[i] ?? 80, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : truncate(cell, widths[i] ?? 10).padEnd(widths[i] ?? 10)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function byChannelAndCountry(a: PlanRow, b: PlanRow): number {
  return a.channel === b.channel ? a.country.localeCompare(b.country) : a.channel === 'sms' ? -1 : 1;
}

function allRows(plan: GeoPlan): PlanRow[] {
  return [...plan.sms, ...plan.voice];
}

/** Country codes; a * marks an SMS country only the Twilio Console can change (error 30649). */
function listCodes(rows: PlanRow[]): string {
  return rows
    .map((r) => `${r.country}${r.channel === 'sms' && r.consoleOnly ? '*' : ''}`)
    .sort()
    .join(' ');
}

export interface PlanTotals {
  smsOff: number;
  smsOn: number;
  smsConsoleOnly: number;
  voiceChanges: number;
  heldBackSms: number;
  heldBackVoice: number;
}

export function planTotals(plan: GeoPlan): PlanTotals {
  const sms = plan.sms.filter(rowChanges);
  return {
    smsOff: sms.filter((r) => !r.target).length,
    smsOn: sms.filter((r) => r.target).length,
    smsConsoleOnly: sms.filter((r) => r.consoleOnly).length,
    voiceChanges: plan.voice.filter(rowChanges).length,
    heldBackSms: plan.sms.filter((r) => r.heldBack).length,
    heldBackVoice: plan.voice.filter((r) => r.heldBack).length,
  };
}

export function renderPlan(plan: GeoPlan, options: { all: boolean; allowEnable: boolean }): string {
  const shown = allRows(plan)
    .filter((row) => options.all || rowChanges(row))
    .sort(byChannelAndCountry);
  const out: string[] = [];
  if (shown.length === 0) out.push('Nothing to tighten: Twilio already refuses everything the policy refuses.');
  else {
    out.push(
      formatTable(
        ['country', 'name', 'channel', 'Twilio now', 'tollguard wants', 'why'],
        shown.map((row) => [row.country, countryName(row), row.channel, nowText(row), targetText(row), row.why]),
        [7, 24, 7, 26, 30, 80],
      ),
    );
  }
  const t = planTotals(plan);
  out.push('');
  out.push(
    `SMS: ${t.smsOff} to turn off${t.smsConsoleOnly > 0 ? ` (${t.smsConsoleOnly} only in the Twilio Console: API changes are refused with error 30649)` : ''}, ${t.smsOn} to turn on; ` +
      `voice: ${t.voiceChanges} to change (of ${plan.sms.length} SMS countries and ${plan.voice.length} voice countries Twilio reports)`,
  );
  if (plan.voice.some((r) => rowChanges(r) && r.now.low && r.target.low)) {
    out.push('"+ toll-fraud" / "+ special": Twilio\'s high-risk toll-fraud / special-services numbers of that country are on as well.');
  }
  if (!options.allowEnable) {
    const heldSms = plan.sms.filter((r) => r.heldBack);
    const heldVoice = plan.voice.filter((r) => r.heldBack);
    if (heldSms.length + heldVoice.length > 0) {
      out.push('');
      out.push(`Allowed by the policy but off in Twilio, and left off (the tool only tightens; --allow-enable turns them on):`);
      if (heldSms.length > 0) out.push(`  SMS (${heldSms.length}): ${listCodes(heldSms)}`);
      if (heldVoice.length > 0) out.push(`  voice (${heldVoice.length}): ${listCodes(heldVoice)}`);
      if (heldSms.some((r) => r.consoleOnly)) out.push('  (* only the Twilio Console can change it: error 30649)');
    }
  }
  const staying = (rows: PlanRow[]) => rows.filter((r) => (r.channel === 'sms' ? r.now && r.target : r.now.low && r.target.low));
  const onSms = staying(plan.sms);
  const onVoice = staying(plan.voice);
  out.push('', `On in Twilio and staying on: SMS (${onSms.length}): ${listCodes(onSms) || '-'}; voice (${onVoice.length}): ${listCodes(onVoice) || '-'}`);
  const kept = allRows(plan).filter((r) => r.kept);
  if (kept.length > 0) out.push('', `Left exactly as they are: ${kept.map((r) => `${r.country} ${r.channel} (${r.why})`).join('; ')}`);
  for (const note of plan.notes) out.push(`note: ${note}`);
  return out.join('\n');
}

export function planJson(plan: GeoPlan): unknown {
  return {
    changes: allRows(plan).filter(rowChanges),
    totals: planTotals(plan),
    unchanged: allRows(plan).filter((r) => !rowChanges(r)),
    notes: plan.notes,
  };
}

function outcomeText(result: RowResult): string {
  if (result.outcome === 'done') return 'done';
  return result.outcome === 'console' ? 'change in the Console' : 'NOT changed';
}

export function renderApply(report: ApplyReport): string {
  if (report.results.length === 0) return 'Nothing to change: Twilio already matches the policy.';
  const rows = [...report.results].sort((a, b) => byChannelAndCountry(a.row, b.row));
  const table = formatTable(
    ['country', 'channel', 'was', 'wanted', 'result', 'detail'],
    rows.map((r) => [r.row.country, r.row.channel, nowText(r.row), r.row.channel === 'sms' ? (r.row.target ? 'on' : 'off') : describeVoice(r.row.target), outcomeText(r), r.detail]),
    [7, 7, 26, 26, 22, 100],
  );
  const count = (o: RowResult['outcome']) => report.results.filter((r) => r.outcome === o).length;
  const lines = [table, '', `${count('done')} done, ${count('console')} to change in the Twilio Console, ${count('failed')} not changed (${report.requests} requests, read back afterwards)`];
  for (const problem of report.requestProblems) lines.push(`problem: ${problem}`);
  const consoleRows = rows.filter((r) => r.outcome === 'console');
  if (consoleRows.length > 0) {
    lines.push(`Twilio's API cannot change these; set them in the Console (Messaging > Settings > Geo permissions): ${consoleRows.map((r) => r.row.country).join(' ')}`);
  }
  return lines.join('\n');
}

export function applyJson(report: ApplyReport): unknown {
  return { results: report.results, requestProblems: report.requestProblems, requests: report.requests };
}
