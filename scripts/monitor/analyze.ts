/**
 * The analysis: pure functions from normalised send events to a Report.
 *
 * Within the window (default the last 24 h of the data, or ending at `--until`):
 * - the seed query: sends grouped by actor (user + IP + user agent), with distinct numbers and
 *   destination countries, flagged over thresholds; the same per user and per IP (an IP is shared
 *   by many people, so it has its own, higher thresholds); user agents are listed for context only
 *   (a popular browser version always has many numbers);
 * - surges per destination range (the number without its last 4 digits) and per destination
 *   country, for SMS and voice apart (a served country's texts must not hide a surge of calls):
 *   distinct numbers this window against the average of the previous complete windows in the
 *   data, with the threshold tollguard's own detector uses, max(floor, ceil(factor x baseline +
 *   3 x sqrt(baseline))), the floor halved for high-risk countries and for voice (the send
 *   Action's channelParameters);
 * - failure-rate spikes: hours whose share of unsuccessful sends (failed + blocked) stands out
 *   against the share over all the data.
 * Over all the data: users with many distinct numbers that the window alone does not flag (a slow
 * drip across days).
 * Nothing here prints or stores a phone number: events only carry opaque keys and masked forms.
 */
import { parseDynamicPolicy, type PumpingPolicy } from '../../shared/config/dynamic-policy';
import { ConfigErrors } from '../../shared/config/static-policy';
import { highRiskTier, isSurge, surgeThreshold as sharedSurgeThreshold, type SurgeScope } from '../../shared/engine/surge-threshold';
import { channelParameters } from '../../shared/rules/prefix-anomaly';
import type { Channel } from '../../shared/engine/types';
import type { SendEvent, SkipReason, Source } from './events';
import type { ConversionReport } from './conversion';

export interface Thresholds {
  /** Actor / user groups. */
  minSends: number;
  minNumbers: number;
  minCountries: number;
  /** IP groups. */
  ipMinSends: number;
  ipMinNumbers: number;
  ipMinCountries: number;
  /** Surges: the send Action's pumping parameters (its defaults unless overridden). */
  surgeFactor: number;
  /** Range floor (distinct numbers in a window). */
  surgeMin: number;
  /** Country floor. */
  countrySurgeMin: number;
  /** Failure-rate spikes. */
  failureMinSends: number;
  failureFactor: number;
  failureMargin: number;
}

/** The send Action's own pumping defaults (GUARD_PUMPING_* unset): one source for both. */
const ACTION_PUMPING = parseDynamicPolicy({}, new ConfigErrors()).pumping as PumpingPolicy;

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = {
  minSends: 10,
  minNumbers: 3,
  minCountries: 2,
  ipMinSends: 30,
  ipMinNumbers: 10,
  ipMinCountries: 3,
  surgeFactor: ACTION_PUMPING.factor,
  surgeMin: ACTION_PUMPING.rangeFloor,
  countrySurgeMin: ACTION_PUMPING.countryFloor,
  failureMinSends: 20,
  failureFactor: 2,
  failureMargin: 0.25,
};

export interface InputSummary {
  /** File names, or `live:<domain>`. */
  sources: string[];
  records: number;
  sendEvents: number;
  /** Skipped records by type (`s`, `fp`, `tollguard:pre-user-registration`...). */
  skippedTypes: Record<string, number>;
  skipReasons: Partial<Record<SkipReason, number>>;
  errors: number;
  truncated: string[];
  /** Files in which no record was an Auth0, Okta or tollguard log: the run fails (exit 1). */
  unrecognised: string[];
  /** Free-form notes from the readers (rate-limit waits, pages read...). */
  notes: string[];
}

export interface GroupRow {
  key: string;
  userId?: string;
  userName?: string;
  ip?: string;
  userAgent?: string;
  sends: number;
  sent: number;
  failed: number;
  blocked: number;
  wouldBlock: number;
  /** Sends by voice (calls), of `sends`. */
  voice: number;
  numbers: number;
  countries: string[];
  highRiskCountries: string[];
  ipCountries: string[];
  /** UTC hours (ISO starts) in which the group sent. */
  hours: string[];
  users: number;
  ips: number;
  ranges: { range: string; numbers: number }[];
  numbersSample: string[];
  first: string;
  last: string;
  sources: Source[];
  reasons: string[];
}

export interface SurgeRow {
  key: string;
  /** Surges are counted per channel, as the send Action counts them: one row per range (or country) and channel. */
  channel: Channel;
  country?: string;
  numbers: number;
  sends: number;
  /** Of `sends`: delivered (billed), and by voice. */
  sent: number;
  voice: number;
  /** UTC hours (ISO starts) of the window's sends to it. */
  hours: string[];
  users: number;
  baseline: number;
  previousWindows: number;
  /** Surge: more distinct numbers than this. */
  threshold: number;
  highRisk: boolean;
  /** A country surge judged at the high-risk floor because no number is proven there (AnalyzeOptions.unprovenCountries). */
  unproven?: true;
  /** Ranges from full numbers: the E.164 prefix the send Action blocks (`+2323012`). */
  prefix?: string;
}

export interface SpikeRow {
  start: string;
  sends: number;
  unsuccessful: number;
  share: number;
  baselineShare: number;
}

/** Okta telephony inline hook failovers in the window: OTPs Okta sent itself, unchecked. */
export interface HookFailovers {
  count: number;
  /** Okta sends in the window, failovers included. */
  sends: number;
  byChannel: { sms: number; voice: number };
  /** UTC hours with failovers. */
  hours: { start: string; count: number }[];
  users: number;
  first: string;
  last: string;
  /** What to check, in order. */
  check: string[];
}

export interface FlaggedUser {
  userId?: string;
  userName?: string;
  sources: Source[];
  reasons: string[];
  /** An Auth0 user (id known, seen in Auth0 or tollguard logs): the Management API can act on it. */
  blockable: boolean;
}

export interface TimelineBucket {
  start: string;
  sent: number;
  failed: number;
  blocked: number;
}

export interface Totals {
  sends: number;
  sent: number;
  failed: number;
  blocked: number;
  wouldBlock: number;
  numbers: number;
  countries: number;
  users: number;
  ips: number;
  bySource: Partial<Record<Source, number>>;
  byChannel: { sms: number; voice: number };
}

export interface Report {
  version: 1;
  generatedAt: string;
  window: { start: string; end: string; ms: number };
  thresholds: Thresholds;
  input: InputSummary;
  history: { events: number; first?: string; last?: string; previousWindows: number };
  totals: Totals;
  actors: GroupRow[];
  users: GroupRow[];
  ips: GroupRow[];
  userAgents: GroupRow[];
  manyNumbers: GroupRow[];
  rangeSurges: SurgeRow[];
  countrySurges: SurgeRow[];
  failureSpikes: SpikeRow[];
  /** Present when the Okta telephony inline hook failed over in the window. */
  oktaHookFailovers?: HookFailovers;
  /** Verified ÷ sent per range and country (conversion.ts), when the input was read for it. */
  conversion?: ConversionReport;
  timeline: { bucketMs: number; buckets: TimelineBucket[] };
  flaggedUsers: FlaggedUser[];
  /** Users seen behind a flagged IP and not flagged themselves (blocked only with --block-ip-users). */
  ipUsers: FlaggedUser[];
  /** Prefixes to add to GUARD_BLOCKED_NUMBERS for the range surges (`+44 740012`; ranges known exactly). */
  proposedBlockedNumbers: string[];
  findings: number;
}

export interface AnalyzeOptions {
  windowMs: number;
  /** End of the window; default: the newest event. */
  until?: number;
  thresholds: Thresholds;
  /** Clock for `generatedAt` (and the window end when there are no events). */
  generatedAt: number;
  /** User agents listed for context. */
  topUserAgents?: number;
  /**
   * Countries outside the high-risk tier where the data proves no number although the tenant's
   * codes come back (conversion.ts unprovenCountries): a country surge there meets the tier's
   * quartered floor, as the send Action's unproven-country floor does.
   */
  unprovenCountries?: ReadonlySet<string>;
}

/** The report's window: ending at `until`, else at the newest event, else at `generatedAt`. Pure. */
export function reportWindow(events: readonly SendEvent[], options: Pick<AnalyzeOptions, 'windowMs' | 'until' | 'generatedAt'>): { start: number; end: number } {
  let newest = -Infinity;
  for (const event of events) if (event.at > newest) newest = event.at;
  const end = options.until ?? (Number.isFinite(newest) ? newest : options.generatedAt);
  return { start: end - options.windowMs, end };
}

const HOUR = 3_600_000;
/** The widest tier (voice): a country in it is marked high risk in the tables. */
export const HIGH_RISK_COUNTRIES: ReadonlySet<string> = highRiskTier('voice');

export function emptyInputSummary(): InputSummary {
  return { sources: [], records: 0, sendEvents: 0, skippedTypes: {}, skipReasons: {}, errors: 0, truncated: [], unrecognised: [], notes: [] };
}

export function analyze(events: readonly SendEvent[], input: InputSummary, options: AnalyzeOptions): Report {
  const t = options.thresholds;
  let newest = -Infinity;
  let oldest = Infinity;
  for (const event of events) {
    if (event.at > newest) newest = event.at;
    if (event.at < oldest) oldest = event.at;
  }
  const { start, end } = reportWindow(events, options);
  const inWindow = events.filter((event) => event.at > start && event.at <= end);
  const history = events.filter((event) => event.at <= end);
  const previousWindows = Number.isFinite(oldest) ? Math.max(0, Math.floor((start - oldest) / options.windowMs)) : 0;

  // Groups in the window.
  const actorGroups = groupBy(inWindow, (event) => {
    const user = userKey(event);
    if (user === undefined && event.ip === undefined && event.userAgent === undefined) return undefined;
    return `${user ?? '-'}\u0001${event.ip ?? '-'}\u0001${event.userAgent ?? '-'}`;
  });
  const userGroups = groupBy(inWindow, userKey);
  const ipGroups = groupBy(inWindow, (event) => event.ip);
  const uaGroups = groupBy(inWindow, (event) => event.userAgent);

  const userLimits = { sends: t.minSends, numbers: t.minNumbers, countries: t.minCountries };
  const ipLimits = { sends: t.ipMinSends, numbers: t.ipMinNumbers, countries: t.ipMinCountries };
  const actors = flagged(actorGroups, userLimits, (group) => ({ userId: group.userId, userName: group.userName, ip: group.ip, userAgent: group.userAgent }));
  const users = flagged(userGroups, userLimits, (group) => ({ userId: group.userId, userName: group.userName }));
  const ips = flagged(ipGroups, ipLimits, (group) => ({ ip: group.ip }));
  const userAgents = [...uaGroups.values()]
    .map((group) => toRow(group, [], { userAgent: group.userAgent }))
    .sort(byNumbersThenSends)
    .slice(0, options.topUserAgents ?? 10);

  // Users with many numbers over all the data, not already flagged for numbers in the window.
  const flaggedForNumbers = new Set([...userGroups.values()].filter((group) => group.numbers.size >= t.minNumbers).map((group) => group.key));
  const manyNumbers = [...groupBy(history, userKey).values()]
    .filter((group) => group.numbers.size >= t.minNumbers && !flaggedForNumbers.has(group.key))
    .map((group) => toRow(group, [`${group.numbers.size} distinct numbers over all the data (≥ ${t.minNumbers})`], { userId: group.userId, userName: group.userName }))
    .sort(byNumbersThenSends);

  const rangeSurges = surges(history, end, options.windowMs, previousWindows, 'range', (event) => event.range, t);
  const countrySurges = surges(history, end, options.windowMs, previousWindows, 'country', (event) => event.country, t, options.unprovenCountries);
  const failureSpikes = spikes(inWindow, history, t);
  const timeline = buildTimeline(inWindow, start, end, options.windowMs);

  const { flaggedUsers, ipUsers } = collectUsers(inWindow, actors, users, manyNumbers, ips, rangeSurges);

  const report: Report = {
    version: 1,
    generatedAt: iso(options.generatedAt),
    window: { start: iso(start), end: iso(end), ms: options.windowMs },
    thresholds: { ...t },
    input,
    history: {
      events: history.length,
      first: Number.isFinite(oldest) ? iso(oldest) : undefined,
      last: Number.isFinite(newest) ? iso(newest) : undefined,
      previousWindows,
    },
    totals: totals(inWindow),
    actors,
    users,
    ips,
    userAgents,
    manyNumbers,
    rangeSurges,
    countrySurges,
    failureSpikes,
    timeline,
    flaggedUsers,
    ipUsers,
    proposedBlockedNumbers: [...new Set(rangeSurges.flatMap((row) => (row.prefix === undefined ? [] : [row.prefix])))],
    findings: 0,
  };
  const failovers = hookFailovers(inWindow);
  if (failovers !== undefined) report.oktaHookFailovers = failovers;
  report.findings = countFindings(report);
  return report;
}

export function countFindings(report: Pick<Report, 'actors' | 'users' | 'ips' | 'manyNumbers' | 'rangeSurges' | 'countrySurges' | 'failureSpikes' | 'oktaHookFailovers'>): number {
  return (
    report.actors.length + report.users.length + report.ips.length + report.manyNumbers.length +
    report.rangeSurges.length + report.countrySurges.length + report.failureSpikes.length + (report.oktaHookFailovers !== undefined ? 1 : 0)
  );
}

/** What to check when the hook failed over (Okta gives the hook 3 s and does not retry it). */
export const HOOK_FAILOVER_CHECKS: readonly string[] = [
  'the hook server answers: GET /healthz on the URL the inline hook calls, from outside your network',
  "its logs for those hours: errors, refused Authorization (OKTA_HOOK_AUTH_SECRET must match the hook's authentication secret), Twilio errors",
  'its answer time: Okta waits 3 s for the telephony hook, Twilio call included, and never retries it',
  'the Okta inline hook is still active and points at the right URL (Workflow > Inline Hooks)',
  "the numbers sent in those hours: Okta's fallback provider sent them without tollguard's checks",
];

function hookFailovers(inWindow: readonly SendEvent[]): HookFailovers | undefined {
  const okta = inWindow.filter((event) => event.source === 'okta');
  const failed = okta.filter((event) => event.hookFailover === true);
  if (failed.length === 0) return undefined;
  const hours = new Map<number, number>();
  const users = new Set<string>();
  const byChannel = { sms: 0, voice: 0 };
  let first = Infinity;
  let last = -Infinity;
  for (const event of failed) {
    const hour = Math.floor(event.at / HOUR);
    hours.set(hour, (hours.get(hour) ?? 0) + 1);
    byChannel[event.channel] += 1;
    const user = userKey(event);
    if (user !== undefined) users.add(user);
    first = Math.min(first, event.at);
    last = Math.max(last, event.at);
  }
  return {
    count: failed.length,
    sends: okta.length,
    byChannel,
    hours: [...hours.entries()].sort((a, b) => a[0] - b[0]).map(([hour, count]) => ({ start: iso(hour * HOUR), count })),
    users: users.size,
    first: iso(first),
    last: iso(last),
    check: [...HOOK_FAILOVER_CHECKS],
  };
}

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

class Group {
  sends = 0;
  sent = 0;
  failed = 0;
  blocked = 0;
  wouldBlock = 0;
  voice = 0;
  readonly hours = new Set<number>();
  readonly numbers = new Set<string>();
  readonly countries = new Set<string>();
  readonly ipCountries = new Set<string>();
  readonly users = new Set<string>();
  readonly ips = new Set<string>();
  readonly ranges = new Map<string, Set<string>>();
  readonly samples = new Map<string, string>();
  readonly sources = new Set<Source>();
  first = Infinity;
  last = -Infinity;
  userId: string | undefined;
  userName: string | undefined;
  ip: string | undefined;
  userAgent: string | undefined;

  constructor(readonly key: string) {}

  add(event: SendEvent): void {
    this.sends += 1;
    if (event.outcome === 'sent') this.sent += 1;
    else if (event.outcome === 'failed') this.failed += 1;
    else this.blocked += 1;
    if (event.wouldBlock === true) this.wouldBlock += 1;
    if (event.channel === 'voice') this.voice += 1;
    this.hours.add(Math.floor(event.at / HOUR));
    if (event.numberKey !== undefined) {
      this.numbers.add(event.numberKey);
      if (event.numberMasked !== undefined && this.samples.size < 5 && !this.samples.has(event.numberKey)) this.samples.set(event.numberKey, event.numberMasked);
      if (event.range !== undefined) {
        let set = this.ranges.get(event.range);
        if (set === undefined) this.ranges.set(event.range, (set = new Set()));
        set.add(event.numberKey);
      }
    }
    if (event.country !== undefined) this.countries.add(event.country);
    if (event.ipCountry !== undefined) this.ipCountries.add(event.ipCountry);
    const user = userKey(event);
    if (user !== undefined) this.users.add(user);
    if (event.ip !== undefined) this.ips.add(event.ip);
    this.sources.add(event.source);
    if (event.at < this.first) this.first = event.at;
    if (event.at > this.last) this.last = event.at;
    this.userId ??= event.userId;
    this.userName ??= event.userName;
    this.ip ??= event.ip;
    this.userAgent ??= event.userAgent;
  }
}

/** The user an event belongs to: the user id, or the user name when there is no id. */
export function userKey(event: SendEvent): string | undefined {
  if (event.userId !== undefined) return `id:${event.userId}`;
  if (event.userName !== undefined) return `name:${event.userName.toLowerCase()}`;
  return undefined;
}

function groupBy(events: readonly SendEvent[], keyOf: (event: SendEvent) => string | undefined): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const event of events) {
    const key = keyOf(event);
    if (key === undefined) continue;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = new Group(key)));
    group.add(event);
  }
  return groups;
}

interface Limits {
  sends: number;
  numbers: number;
  countries: number;
}

function reasonsFor(group: Group, limits: Limits): string[] {
  const reasons: string[] = [];
  if (group.sends >= limits.sends) reasons.push(`${group.sends} sends (≥ ${limits.sends})`);
  if (group.numbers.size >= limits.numbers) reasons.push(`${group.numbers.size} distinct numbers (≥ ${limits.numbers})`);
  if (group.countries.size >= limits.countries) reasons.push(`${group.countries.size} destination countries (≥ ${limits.countries})`);
  return reasons;
}

type Identity = Pick<GroupRow, 'userId' | 'userName' | 'ip' | 'userAgent'>;

function flagged(groups: Map<string, Group>, limits: Limits, identity: (group: Group) => Identity): GroupRow[] {
  const rows: GroupRow[] = [];
  for (const group of groups.values()) {
    const reasons = reasonsFor(group, limits);
    if (reasons.length > 0) rows.push(toRow(group, reasons, identity(group)));
  }
  return rows.sort(byNumbersThenSends);
}

function toRow(group: Group, reasons: string[], identity: Identity): GroupRow {
  const countries = [...group.countries].sort();
  const row: GroupRow = {
    key: displayKey(identity),
    ...identity,
    sends: group.sends,
    sent: group.sent,
    failed: group.failed,
    blocked: group.blocked,
    wouldBlock: group.wouldBlock,
    voice: group.voice,
    numbers: group.numbers.size,
    countries,
    highRiskCountries: countries.filter((country) => HIGH_RISK_COUNTRIES.has(country)),
    ipCountries: [...group.ipCountries].sort(),
    hours: hourList(group.hours),
    users: group.users.size,
    ips: group.ips.size,
    ranges: [...group.ranges.entries()]
      .map(([range, numbers]) => ({ range, numbers: numbers.size }))
      .sort((a, b) => b.numbers - a.numbers || a.range.localeCompare(b.range))
      .slice(0, 3),
    numbersSample: [...group.samples.values()],
    first: iso(group.first),
    last: iso(group.last),
    sources: [...group.sources].sort(),
    reasons,
  };
  for (const key of ['userId', 'userName', 'ip', 'userAgent'] as const) if (row[key] === undefined) delete row[key];
  return row;
}

function displayKey(identity: Identity): string {
  const parts: string[] = [];
  if (identity.userId !== undefined || identity.userName !== undefined) parts.push(identity.userId ?? identity.userName ?? '-');
  if (identity.ip !== undefined) parts.push(identity.ip);
  if (identity.userAgent !== undefined) parts.push(identity.userAgent);
  return parts.length > 0 ? parts.join(' | ') : '-';
}

function byNumbersThenSends(a: GroupRow, b: GroupRow): number {
  return b.numbers - a.numbers || b.sends - a.sends || a.key.localeCompare(b.key);
}

// ---------------------------------------------------------------------------------------------
// Surges
// ---------------------------------------------------------------------------------------------

/** The surge threshold for a range or a country on a channel, from the maths the send Action uses (voice: its lower floors). */
export function surgeThreshold(
  scope: SurgeScope,
  baseline: number,
  t: Pick<Thresholds, 'surgeMin' | 'countrySurgeMin' | 'surgeFactor'>,
  highRisk: boolean,
  channel: Channel = 'sms',
): number {
  const floors = channelParameters({ ...ACTION_PUMPING, rangeFloor: t.surgeMin, countryFloor: t.countrySurgeMin, factor: t.surgeFactor }, channel);
  return sharedSurgeThreshold(scope, baseline, floors, highRisk);
}

/** A range's or a country's key on one channel: surges are counted per channel. */
function channelKey(key: string, channel: Channel): string {
  return `${key}\u0001${channel}`;
}

function surges(
  history: readonly SendEvent[],
  end: number,
  windowMs: number,
  previousWindows: number,
  scope: SurgeScope,
  keyOf: (event: SendEvent) => string | undefined,
  t: Thresholds,
  unproven: ReadonlySet<string> = new Set(),
): SurgeRow[] {
  interface Acc {
    key: string;
    channel: Channel;
    perWindow: Map<number, Set<string>>;
    sends: number;
    sent: number;
    voice: number;
    hours: Set<number>;
    users: Set<string>;
    country: string | undefined;
    prefix: string | undefined;
    /** A send in the window went to a destination of its channel's high-risk tier. */
    highRisk: boolean;
  }
  const accs = new Map<string, Acc>();
  for (const event of history) {
    const key = keyOf(event);
    if (key === undefined || event.numberKey === undefined) continue;
    const index = Math.floor((end - event.at) / windowMs);
    if (index > previousWindows) continue; // the partial window before the oldest complete one
    const accKey = channelKey(key, event.channel);
    let acc = accs.get(accKey);
    if (acc === undefined) accs.set(accKey, (acc = { key, channel: event.channel, perWindow: new Map(), sends: 0, sent: 0, voice: 0, hours: new Set(), users: new Set(), country: event.country, prefix: undefined, highRisk: false }));
    acc.country ??= event.country;
    if (scope === 'range') acc.prefix ??= event.rangePrefix;
    let set = acc.perWindow.get(index);
    if (set === undefined) acc.perWindow.set(index, (set = new Set()));
    set.add(event.numberKey);
    if (index === 0 && event.at > end - windowMs) {
      acc.sends += 1;
      if (event.ok) acc.sent += 1;
      if (event.channel === 'voice') acc.voice += 1;
      acc.hours.add(Math.floor(event.at / HOUR));
      if (event.country !== undefined && highRiskTier(event.channel).has(event.country)) acc.highRisk = true;
      const user = userKey(event);
      if (user !== undefined) acc.users.add(user);
    }
  }
  const rows: SurgeRow[] = [];
  for (const acc of accs.values()) {
    const current = acc.perWindow.get(0)?.size ?? 0;
    if (current === 0) continue;
    let past = 0;
    for (const [index, numbers] of acc.perWindow) if (index >= 1) past += numbers.size;
    const baseline = previousWindows > 0 ? past / previousWindows : 0;
    const highRisk = acc.highRisk;
    const noProof = !highRisk && unproven.has(acc.key);
    const threshold = surgeThreshold(scope, baseline, t, highRisk || noProof, acc.channel);
    if (!isSurge(current, threshold)) continue;
    const row: SurgeRow = {
      key: acc.key,
      channel: acc.channel,
      numbers: current,
      sends: acc.sends,
      sent: acc.sent,
      voice: acc.voice,
      hours: hourList(acc.hours),
      users: acc.users.size,
      baseline: Math.round(baseline * 100) / 100,
      previousWindows,
      threshold,
      highRisk,
    };
    if (acc.country !== undefined) row.country = acc.country;
    if (acc.prefix !== undefined) row.prefix = acc.prefix;
    if (noProof) row.unproven = true;
    rows.push(row);
  }
  return rows.sort((a, b) => b.numbers - a.numbers || a.key.localeCompare(b.key) || a.channel.localeCompare(b.channel));
}

// ---------------------------------------------------------------------------------------------
// Failure-rate spikes, timeline, totals
// ---------------------------------------------------------------------------------------------

function spikes(inWindow: readonly SendEvent[], history: readonly SendEvent[], t: Thresholds): SpikeRow[] {
  if (history.length === 0) return [];
  const unsuccessfulAll = history.filter((event) => !event.ok).length;
  const baselineShare = unsuccessfulAll / history.length;
  // Clock hours (UTC), so that a spike is not split by where the window happens to start.
  const hours = new Map<number, { sends: number; unsuccessful: number }>();
  for (const event of inWindow) {
    const index = Math.floor(event.at / HOUR);
    let hour = hours.get(index);
    if (hour === undefined) hours.set(index, (hour = { sends: 0, unsuccessful: 0 }));
    hour.sends += 1;
    if (!event.ok) hour.unsuccessful += 1;
  }
  const limit = Math.max(baselineShare * t.failureFactor, baselineShare + t.failureMargin);
  const rows: SpikeRow[] = [];
  for (const [index, hour] of [...hours.entries()].sort((a, b) => a[0] - b[0])) {
    if (hour.sends < t.failureMinSends) continue;
    const share = hour.unsuccessful / hour.sends;
    if (share < limit || share <= baselineShare) continue;
    rows.push({
      start: iso(index * HOUR),
      sends: hour.sends,
      unsuccessful: hour.unsuccessful,
      share: round3(share),
      baselineShare: round3(baselineShare),
    });
  }
  return rows;
}

export function bucketSize(windowMs: number): number {
  if (windowMs <= 48 * HOUR) return HOUR;
  return Math.ceil(windowMs / 48 / HOUR) * HOUR;
}

/** Buckets aligned on multiples of their size (whole UTC hours), covering the window. */
function buildTimeline(inWindow: readonly SendEvent[], start: number, end: number, windowMs: number): Report['timeline'] {
  const bucketMs = bucketSize(windowMs);
  const first = Math.floor(start / bucketMs) * bucketMs;
  const count = Math.floor((end - first) / bucketMs) + 1;
  const buckets: TimelineBucket[] = [];
  for (let index = 0; index < count; index += 1) buckets.push({ start: iso(first + index * bucketMs), sent: 0, failed: 0, blocked: 0 });
  for (const event of inWindow) {
    const index = Math.min(count - 1, Math.max(0, Math.floor((event.at - first) / bucketMs)));
    const bucket = buckets[index];
    if (bucket !== undefined) bucket[event.outcome] += 1;
  }
  return { bucketMs, buckets };
}

function totals(inWindow: readonly SendEvent[]): Totals {
  const numbers = new Set<string>();
  const countries = new Set<string>();
  const users = new Set<string>();
  const ips = new Set<string>();
  const result: Totals = { sends: 0, sent: 0, failed: 0, blocked: 0, wouldBlock: 0, numbers: 0, countries: 0, users: 0, ips: 0, bySource: {}, byChannel: { sms: 0, voice: 0 } };
  for (const event of inWindow) {
    result.sends += 1;
    result[event.outcome] += 1;
    if (event.wouldBlock === true) result.wouldBlock += 1;
    result.bySource[event.source] = (result.bySource[event.source] ?? 0) + 1;
    result.byChannel[event.channel] += 1;
    if (event.numberKey !== undefined) numbers.add(event.numberKey);
    if (event.country !== undefined) countries.add(event.country);
    const user = userKey(event);
    if (user !== undefined) users.add(user);
    if (event.ip !== undefined) ips.add(event.ip);
  }
  result.numbers = numbers.size;
  result.countries = countries.size;
  result.users = users.size;
  result.ips = ips.size;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Users to respond to
// ---------------------------------------------------------------------------------------------

function collectUsers(
  inWindow: readonly SendEvent[],
  actors: readonly GroupRow[],
  users: readonly GroupRow[],
  manyNumbers: readonly GroupRow[],
  ips: readonly GroupRow[],
  rangeSurges: readonly SurgeRow[] = [],
): { flaggedUsers: FlaggedUser[]; ipUsers: FlaggedUser[] } {
  // Per channel, as the surges are counted: a range surging by call does not flag the residents who text it.
  const surging = new Map(rangeSurges.map((row) => [channelKey(row.key, row.channel), row]));
  const rangeReasons = new Map<string, Set<string>>();
  const sourcesByUser = new Map<string, Set<Source>>();
  const usersByIp = new Map<string, Set<string>>();
  const identities = new Map<string, { userId?: string; userName?: string }>();
  for (const event of inWindow) {
    const key = userKey(event);
    if (key === undefined) continue;
    let sources = sourcesByUser.get(key);
    if (sources === undefined) sourcesByUser.set(key, (sources = new Set()));
    sources.add(event.source);
    if (!identities.has(key)) identities.set(key, { userId: event.userId, userName: event.userName });
    const surge = event.range === undefined ? undefined : surging.get(channelKey(event.range, event.channel));
    if (surge !== undefined) {
      let reasons = rangeReasons.get(key);
      if (reasons === undefined) rangeReasons.set(key, (reasons = new Set()));
      reasons.add(`sent to surging range ${surge.key} (${surge.numbers} ${surge.channel} numbers, threshold ${surge.threshold})`);
    }
    if (event.ip !== undefined) {
      let set = usersByIp.get(event.ip);
      if (set === undefined) usersByIp.set(event.ip, (set = new Set()));
      set.add(key);
    }
  }
  const flaggedMap = new Map<string, FlaggedUser>();
  const add = (row: GroupRow, prefix: string): void => {
    const key = row.userId !== undefined ? `id:${row.userId}` : row.userName !== undefined ? `name:${row.userName.toLowerCase()}` : undefined;
    if (key === undefined) return;
    let user = flaggedMap.get(key);
    if (user === undefined) flaggedMap.set(key, (user = makeUser(row.userId, row.userName, sourcesByUser.get(key) ?? new Set(row.sources))));
    for (const reason of row.reasons) user.reasons.push(prefix + reason);
  };
  for (const row of users) add(row, '');
  for (const row of actors) add(row, `from ${row.ip ?? '-'}: `);
  for (const row of manyNumbers) add(row, '');
  // The accounts behind a range surge: typically many fresh accounts, one SMS each.
  for (const [key, reasons] of rangeReasons) {
    let user = flaggedMap.get(key);
    const identity = identities.get(key);
    if (user === undefined) flaggedMap.set(key, (user = makeUser(identity?.userId, identity?.userName, sourcesByUser.get(key) ?? new Set())));
    user.reasons.push(...reasons);
  }

  const ipUserMap = new Map<string, FlaggedUser>();
  for (const row of ips) {
    if (row.ip === undefined) continue;
    for (const key of usersByIp.get(row.ip) ?? []) {
      if (flaggedMap.has(key)) continue;
      let user = ipUserMap.get(key);
      const identity = identities.get(key);
      if (user === undefined) ipUserMap.set(key, (user = makeUser(identity?.userId, identity?.userName, sourcesByUser.get(key) ?? new Set())));
      user.reasons.push(`sent from flagged IP ${row.ip}`);
    }
  }
  const order = (a: FlaggedUser, b: FlaggedUser): number => (a.userId ?? a.userName ?? '').localeCompare(b.userId ?? b.userName ?? '');
  return { flaggedUsers: [...flaggedMap.values()].sort(order), ipUsers: [...ipUserMap.values()].sort(order) };
}

function makeUser(userId: string | undefined, userName: string | undefined, sources: Set<Source>): FlaggedUser {
  const user: FlaggedUser = {
    sources: [...sources].sort(),
    reasons: [],
    blockable: userId !== undefined && (sources.has('auth0') || sources.has('tollguard')),
  };
  if (userId !== undefined) user.userId = userId;
  if (userName !== undefined) user.userName = userName;
  return user;
}

// ---------------------------------------------------------------------------------------------

function hourList(hours: ReadonlySet<number>): string[] {
  return [...hours].sort((a, b) => a - b).map((hour) => iso(hour * HOUR));
}

export function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
