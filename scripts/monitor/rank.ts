/**
 * The findings of a report as one list, each actor counted once and ranked most urgent first, and
 * the "what to do now" steps that open the report.
 *
 * Counted once: a user's actor rows (user + IP + user agent) and its many-numbers row are folded
 * into the user's finding; the fresh accounts behind a range surge are counted in that range's
 * finding, not as one finding each, and a country surge that is mostly one surging range is
 * folded into that range. IPs stay findings of their own (an IP is not an actor).
 *
 * Ranked by severity, then by cost: the sends that went out (what the tenant is billed for; a
 * voice call is counted apart, never converted into SMS at a made-up price), then by distinct
 * numbers. Severity: high for pumping (a range surge, a country surge in the high-risk tier, a
 * user sending to several numbers in high-risk countries, an IP reaching two high-risk countries
 * or more), medium for other surges, flagged users or IPs and failure spikes, low for the slow
 * drip of many numbers.
 */
import type { GroupRow, HookFailovers, Report, SpikeRow, SurgeRow } from './analyze';
import { userKey } from './analyze';
import type { RangeBlockResult } from './range-block';
import type { ActionResult } from './respond';

export type Severity = 'high' | 'medium' | 'low';
export type FindingKind = 'range-surge' | 'country-surge' | 'user' | 'actor' | 'ip' | 'many-numbers' | 'failure-spike' | 'hook-failover';

export interface RankedFinding {
  /** F1, F2... in rank order. */
  id: string;
  kind: FindingKind;
  severity: Severity;
  /** What it is about: a range, a country, a user id, an IP, an hour. */
  subject: string;
  /** One line: what was seen. */
  summary: string;
  /** Tokens of the finding that must stay whole (ids, IPs, masked numbers, ranges). */
  tokens: string[];
  reasons: string[];
  /** Sends that went out (billed), of which voice calls. */
  sent: number;
  voice: number;
  sends: number;
  numbers: number;
  /** UTC hours (ISO starts) of its traffic, for the chart. */
  hours: string[];
  /** The user the finding is about (user findings), for the response. */
  userId?: string;
  /** The range's block prefix (range surges). */
  prefix?: string;
  /** Accounts behind a surge. */
  accounts?: number;
  /** The destination country of a surge. */
  country?: string;
  /** The one IP behind a surge, when there is one. */
  ip?: string;
}

const SEVERITY_ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

export function rankFindings(report: Report): RankedFinding[] {
  const findings: Omit<RankedFinding, 'id'>[] = [];
  // A range surging on both channels is one range to act on: one finding, a reason per channel.
  const byRange = new Map<string, Omit<RankedFinding, 'id'>>();
  for (const row of report.rangeSurges) {
    const same = byRange.get(row.key);
    if (same !== undefined) {
      same.reasons.push(`also by ${row.channel === 'voice' ? 'call' : 'SMS'}: ${row.numbers} ${row.channel} numbers > ${row.threshold}`);
      continue;
    }
    const finding = fromSurge(row, 'range-surge');
    byRange.set(row.key, finding);
    findings.push(finding);
  }
  for (const row of report.countrySurges) {
    // The same traffic as a range surge of that country (the range holds most of its numbers): one finding.
    const surge = report.rangeSurges.find((range) => range.country === row.key && range.channel === row.channel && range.numbers >= 0.8 * row.numbers);
    const range = surge === undefined ? undefined : byRange.get(surge.key);
    if (range !== undefined) {
      range.reasons.push(`also a country surge: ${row.key} had ${row.numbers} ${row.channel} numbers > ${row.threshold}`);
      continue;
    }
    findings.push(fromSurge(row, 'country-surge'));
  }

  const byUser = new Map<string, Omit<RankedFinding, 'id'>>();
  const keyOfRow = (row: GroupRow): string | undefined => userKey({ userId: row.userId, userName: row.userName } as Parameters<typeof userKey>[0]);
  for (const row of report.users) {
    const finding = fromGroup(row, 'user');
    const key = keyOfRow(row);
    if (key !== undefined) byUser.set(key, finding);
    findings.push(finding);
  }
  for (const row of report.actors) {
    const key = keyOfRow(row);
    const owner = key === undefined ? undefined : byUser.get(key);
    if (owner !== undefined) {
      const from = [row.ip, row.userAgent].filter((part): part is string => part !== undefined).join(', ');
      owner.reasons.push(`from ${from}: ${row.reasons.join('; ')}`);
      if (row.ip !== undefined && !owner.tokens.includes(row.ip)) owner.tokens.push(row.ip);
      continue;
    }
    findings.push(fromGroup(row, 'actor'));
  }
  for (const row of report.manyNumbers) {
    const key = keyOfRow(row);
    const owner = key === undefined ? undefined : byUser.get(key);
    if (owner !== undefined) owner.reasons.push(...row.reasons);
    else findings.push(fromGroup(row, 'many-numbers'));
  }
  const userFindings = [...byUser.values()];
  for (const row of report.ips) {
    // An IP used only by users already found (the attacker's own IP): part of their finding.
    const owners = row.ip === undefined ? [] : userFindings.filter((finding) => finding.tokens.includes(row.ip ?? ''));
    if (owners.length > 0 && owners.length === row.users) {
      for (const owner of owners) owner.reasons.push(`its IP ${row.ip ?? '-'} is flagged too: ${row.reasons.join('; ')}`);
      continue;
    }
    // An IP behind (nearly) all of a surge's traffic to one country: the surge's actor.
    const surge = row.countries.length === 1 ? findings.find((finding) => (finding.kind === 'country-surge' || finding.kind === 'range-surge') && finding.country === row.countries[0] && row.numbers >= 0.8 * finding.numbers) : undefined;
    if (surge !== undefined && row.ip !== undefined) {
      surge.reasons.push(`${row.numbers} of its numbers from one IP, ${row.ip} (${row.users} users): ${row.reasons.join('; ')}`);
      surge.tokens.push(row.ip);
      surge.ip = row.ip;
      continue;
    }
    findings.push(fromGroup(row, 'ip'));
  }
  for (const row of report.failureSpikes) findings.push(fromSpike(row));
  if (report.oktaHookFailovers !== undefined) findings.push(fromFailovers(report.oktaHookFailovers));

  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.sent - a.sent || b.voice - a.voice || b.numbers - a.numbers || a.subject.localeCompare(b.subject));
  return findings.map((finding, index) => ({ id: `F${index + 1}`, ...finding }));
}

function fromSurge(row: SurgeRow, kind: 'range-surge' | 'country-surge'): Omit<RankedFinding, 'id'> {
  const where = kind === 'range-surge' ? `range ${row.key}${row.country !== undefined ? ` in ${countryName(row.country)}` : ''}` : `country ${countryName(row.key)}`;
  const finding: Omit<RankedFinding, 'id'> = {
    kind,
    severity: kind === 'range-surge' || row.highRisk || row.unproven === true ? 'high' : 'medium',
    subject: row.key,
    summary: `${where}${row.highRisk ? ', high risk' : ''}: ${row.numbers} distinct numbers by ${row.channel === 'voice' ? 'call' : 'SMS'} from ${row.users} account(s), more than the threshold ${row.threshold} (baseline ${row.baseline})`,
    tokens: [row.key, ...(row.prefix !== undefined ? [row.prefix] : [])],
    reasons: [`${row.numbers} ${row.channel} numbers > ${row.threshold}${row.unproven === true ? ' (no number proven in the country: the high-risk floor)' : ''}`],
    sent: row.sent,
    voice: row.voice,
    sends: row.sends,
    numbers: row.numbers,
    hours: row.hours,
  };
  if (row.prefix !== undefined) finding.prefix = row.prefix;
  finding.accounts = row.users;
  const country = kind === 'country-surge' ? row.key : row.country;
  if (country !== undefined) finding.country = country;
  return finding;
}

function fromGroup(row: GroupRow, kind: 'user' | 'actor' | 'ip' | 'many-numbers'): Omit<RankedFinding, 'id'> {
  const subject = kind === 'ip' ? row.ip ?? '-' : row.userId ?? row.userName ?? row.ip ?? '-';
  const pumping = row.highRiskCountries.length > 0 && (row.numbers >= 3 || row.countries.length >= 2);
  // An IP is shared (offices, carrier NAT): high only when it reaches several high-risk countries.
  const severity: Severity =
    kind === 'many-numbers' ? (pumping ? 'medium' : 'low') : kind === 'ip' ? (row.highRiskCountries.length >= 2 ? 'high' : 'medium') : pumping ? 'high' : 'medium';
  const label = kind === 'ip' ? `IP ${subject}: ${row.users} user(s), ` : kind === 'many-numbers' ? `user ${subject}, over all the data: ` : `${kind === 'actor' ? 'actor' : 'user'} ${subject}: `;
  const countries = row.countries.length > 0 ? ` in ${row.countries.length} countr${row.countries.length === 1 ? 'y' : 'ies'} (${row.countries.slice(0, 6).join(', ')}${row.countries.length > 6 ? ', ...' : ''})` : '';
  const finding: Omit<RankedFinding, 'id'> = {
    kind,
    severity,
    subject,
    summary: `${label}${row.sends} sends to ${row.numbers} number(s)${countries}`,
    tokens: [subject, ...(kind !== 'ip' && row.ip !== undefined ? [row.ip] : []), ...row.numbersSample.slice(0, 3)],
    reasons: [...row.reasons],
    sent: row.sent,
    voice: row.voice,
    sends: row.sends,
    numbers: row.numbers,
    hours: row.hours,
  };
  if (kind !== 'ip' && row.userId !== undefined) finding.userId = row.userId;
  return finding;
}

function fromFailovers(failovers: HookFailovers): Omit<RankedFinding, 'id'> {
  return {
    kind: 'hook-failover',
    // Every failover is an OTP no rule looked at; many of them is the guard switched off.
    severity: failovers.count >= 10 ? 'high' : 'medium',
    subject: 'Okta telephony inline hook',
    summary:
      `${failovers.count} OTPs sent by Okta itself, of ${failovers.sends} Okta sends (the hook failed or timed out): ` +
      `${failovers.byChannel.sms} SMS, ${failovers.byChannel.voice} call(s), ${failovers.users} user(s)`,
    tokens: [],
    reasons: failovers.check.map((check) => `check ${check}`),
    sent: failovers.count,
    voice: failovers.byChannel.voice,
    sends: failovers.count,
    numbers: 0,
    hours: failovers.hours.map((hour) => hour.start),
  };
}

function fromSpike(row: SpikeRow): Omit<RankedFinding, 'id'> {
  const hour = `${row.start.slice(0, 13).replace('T', ' ')}:00 UTC`;
  return {
    kind: 'failure-spike',
    severity: 'medium',
    subject: hour,
    summary: `failure spike at ${hour}: ${Math.round(row.share * 100)}% of ${row.sends} sends failed or were blocked (usually ${Math.round(row.baselineShare * 100)}%)`,
    tokens: [],
    reasons: [],
    sent: row.sends - row.unsuccessful,
    voice: 0,
    sends: row.sends,
    numbers: 0,
    hours: [row.start],
  };
}

export interface Responses {
  users?: readonly ActionResult[];
  ranges?: readonly RangeBlockResult[];
}

/** The steps for the admin, most urgent first, as plain sentences (the HTML marks the tokens). */
export function whatToDoNow(findings: readonly RankedFinding[], report: Report, responses: Responses = {}, limit = 6): string[] {
  if (report.input.unrecognised.length > 0 && findings.length === 0) {
    return [`Check the input: ${report.input.unrecognised.join(', ')} held no Auth0, Okta or tollguard log; nothing was analysed from it.`];
  }
  if (findings.length === 0) return ['Nothing to do: no findings in this window.'];
  const steps: string[] = [];
  const userResult = new Map((responses.users ?? []).map((result) => [result.userId ?? '', result]));
  const rangeResult = new Map((responses.ranges ?? []).map((result) => [result.range, result]));
  for (const finding of findings.slice(0, limit)) {
    steps.push(`${finding.id}: ${stepFor(finding, userResult, rangeResult)}`);
  }
  if (findings.length > limit) steps.push(`... and ${findings.length - limit} more finding(s) below.`);
  const users = responses.users ?? [];
  const would = users.filter((result) => result.result === 'would-block' || result.result === 'would-delete').length;
  const wouldRanges = (responses.ranges ?? []).filter((result) => result.result === 'would-block-range').length;
  const noStore = (responses.ranges ?? []).filter((result) => result.decision === 'skip-no-store').length;
  if (would + wouldRanges > 0) steps.push(`Dry run: ${would} account(s) and ${wouldRanges} range(s) would be blocked; run again with --apply to do it.`);
  if (noStore > 0) steps.push(`${noStore} range block(s) skipped: no counter store; set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (the Actions' store) to write them.`);
  else if (responses.users === undefined && findings.some((finding) => finding.kind !== 'failure-spike' && finding.kind !== 'hook-failover')) {
    steps.push('Run with --block (a dry run) to list the accounts and range blocks, then --block --apply.');
  }
  return steps;
}

function stepFor(finding: RankedFinding, users: ReadonlyMap<string, ActionResult>, ranges: ReadonlyMap<string, RangeBlockResult>): string {
  switch (finding.kind) {
    case 'range-surge': {
      const done = ranges.get(finding.subject);
      if (done?.result === 'range-blocked') return `range ${finding.subject} is blocked in the counter store until ${new Date(done.blockedUntil ?? done.until).toISOString().slice(0, 16)} UTC; to keep it blocked, add ${finding.prefix ?? ''} to GUARD_BLOCKED_NUMBERS.`;
      if (finding.prefix === undefined) return `block range ${finding.subject}: it is only known from masked numbers; the send Action's prefix-anomaly incidents name its exact prefix.`;
      return `block range ${finding.subject}: add ${finding.prefix} to GUARD_BLOCKED_NUMBERS, or run --block to block it in the counter store and the ${finding.accounts ?? 0} account(s) behind it.`;
    }
    case 'country-surge':
      return (
        `check traffic to ${countryName(finding.subject)} (${finding.numbers} numbers); if you do not serve it, add ${finding.subject} to GUARD_BLOCKED_COUNTRIES (SMS) or GUARD_VOICE_BLOCKED_COUNTRIES` +
        (finding.ip !== undefined ? `; it nearly all came from IP ${finding.ip}: unless it is an office or a carrier NAT, add it to GUARD_BLOCKED_IPS.` : '.')
      );
    case 'user':
    case 'actor':
    case 'many-numbers': {
      const done = finding.userId === undefined ? undefined : users.get(finding.userId);
      if (done?.result === 'blocked' || done?.result === 'deleted') return `${finding.subject} was ${done.result}.`;
      if (done?.decision === 'skip-allow-list') return `${finding.subject} is on the allow-list: check it by hand.`;
      if (done?.decision === 'skip-not-auth0') return `${finding.subject} is not an Auth0 user: block it where it lives (Okta).`;
      return `block ${finding.kind === 'actor' ? 'the actor' : 'user'} ${finding.subject} (${finding.sends} sends to ${finding.numbers} numbers).`;
    }
    case 'ip':
      return `look at IP ${finding.subject}: if it is not an office or a carrier NAT, add it to GUARD_BLOCKED_IPS.`;
    case 'failure-spike':
      return `check the provider's delivery logs for ${finding.subject}: many undeliverable numbers at once is a pumping sign.`;
    case 'hook-failover':
      return `the Okta telephony hook failed over ${finding.sends} time(s): Okta sent those OTPs itself, unchecked; check the hook server is up (GET /healthz) and answers within 3 s.`;
  }
}

const REGION_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });

/** `ID` → `Indonesia (ID)`: a bare code is easily misread. */
export function countryName(code: string): string {
  try {
    const name = REGION_NAMES.of(code);
    return name !== undefined && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}
