/**
 * `npm run monitor`: the command line. Reads tenant logs (files, or live from the Management API),
 * analyses them, prints / writes the report, optionally blocks or deletes the flagged users and
 * posts an alert. Exit codes: 0 no findings, 3 findings, 1 error (bad flags, unreadable input,
 * API failure, a failed response action or alert).
 */
import { readDurationMs } from '../../shared/config/duration';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { ManagementClient } from 'auth0';
import { analyze, DEFAULT_THRESHOLDS, emptyInputSummary, reportWindow, type InputSummary, type Thresholds } from './analyze';
import { normalizeRecord, type SendEvent } from './events';
import { readLiveLogs, newLiveProgress, type LogsApi } from './live';
import { responseTable, storeWritesTable, terminalSafe, toHtml, toJson, toTable } from './output';
import { conversionFact } from './conversion-events';
import { computeConversion, ConversionTracker, DEFAULT_SUSPECT, type SuspectThresholds } from './conversion';
import { openProofStore, writeStore, type StoreWriteResults } from './write-store';
import { PhoneIdentity } from './phone';
import { defaultRetryOptions, defaultSleep, type RetryOptions } from './ratelimit';
import { formatBytes, progressLine } from './progress';
import { newFileStats, openLogFile, readRecords, type FileStats } from './readers';
import {
  buildWebhookPayload,
  describeError,
  executeResponse,
  loadAllowList,
  planResponse,
  postWebhook,
  recordAppender,
  type ActionResult,
  type UsersApi,
} from './respond';
import { executeRangeBlocks, openStore, planRangeBlocks, storeKeys, type RangeBlockResult, type StoreTarget } from './range-block';
import { parseDynamicPolicy } from '../../shared/config/dynamic-policy';
import { ConfigErrors } from '../../shared/config/static-policy';
import { loadState, newState, pruneEvents, saveState, type MonitorState } from './state';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_FINDINGS = 3;

export interface ManagementApi {
  logs: LogsApi;
  users: UsersApi;
}

export interface ManagementConfig {
  domain: string;
  clientId?: string;
  clientSecret?: string;
  token?: string;
}

export interface CliDeps {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  fetch: typeof fetch;
  management: (config: ManagementConfig) => ManagementApi;
  openFile: (path: string) => AsyncIterable<Buffer | string>;
  /** A progress line is shown on stderr only when it is a terminal. */
  stderrIsTTY: boolean;
}

export function defaultManagement(config: ManagementConfig): ManagementApi {
  if (config.token !== undefined) return new ManagementClient({ domain: config.domain, token: config.token });
  return new ManagementClient({ domain: config.domain, clientId: config.clientId ?? '', clientSecret: config.clientSecret ?? '' });
}

const OPTIONS = {
  source: { type: 'string' },
  domain: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  token: { type: 'string' },
  checkpoint: { type: 'string' },
  since: { type: 'string' },
  from: { type: 'string' },
  'max-pages': { type: 'string' },
  window: { type: 'string' },
  until: { type: 'string' },
  history: { type: 'string' },
  'min-sends': { type: 'string' },
  'min-numbers': { type: 'string' },
  'min-countries': { type: 'string' },
  'ip-min-sends': { type: 'string' },
  'ip-min-numbers': { type: 'string' },
  'ip-min-countries': { type: 'string' },
  'surge-min': { type: 'string' },
  'country-surge-min': { type: 'string' },
  'surge-factor': { type: 'string' },
  'failure-min-sends': { type: 'string' },
  format: { type: 'string' },
  json: { type: 'string' },
  html: { type: 'string' },
  quiet: { type: 'boolean' },
  block: { type: 'boolean' },
  delete: { type: 'boolean' },
  apply: { type: 'boolean' },
  'block-ip-users': { type: 'boolean' },
  'allow-list': { type: 'string' },
  record: { type: 'string' },
  concurrency: { type: 'string' },
  webhook: { type: 'string' },
  tenant: { type: 'string' },
  'key-prefix': { type: 'string' },
  'range-block-for': { type: 'string' },
  'write-store': { type: 'boolean' },
  'unified-phone': { type: 'boolean' },
  'suspect-min-sends': { type: 'string' },
  'suspect-conversion': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const USAGE = `usage: npm run monitor -- [options] [FILE ...]

Finds SMS-pumping / toll-fraud actors in tenant logs, reports them, and can block them.

input
  FILE ...                 log files: Auth0 exports / log-stream JSON or NDJSON, Okta System Log
                           JSON, tollguard decision lines; .gz is gunzipped; - is stdin
  --source live|file       live: read the Auth0 Management API (default: file when FILEs are given)
  --domain DOMAIN          tenant domain (env AUTH0_DOMAIN)
  --client-id ID           M2M application (env AUTH0_CLIENT_ID)
  --client-secret SECRET   (env AUTH0_CLIENT_SECRET; prefer the environment)
  --token TOKEN            a Management API token instead (env AUTH0_TOKEN or AUTH0_ACCESS_TOKEN)
  --checkpoint FILE        live: state file; each run continues after the last log read and keeps
                           --history of send events (no phone numbers, hashed)
  --since DURATION|DATE    live, no checkpoint yet: start at this day (default: --history ago)
  --from LOG_ID            live: start after this log_id (overrides the checkpoint)
  --max-pages N            live: at most N pages of 100 logs per run (default 1000)

analysis
  --window DURATION        analysis window, ending at the newest event (default 24h)
  --until DATE             end the window here instead
  --history DURATION       live: send events kept in the checkpoint for baselines (default 7d)
  --min-sends N            flag a user / actor with N sends in the window (default ${DEFAULT_THRESHOLDS.minSends})
  --min-numbers N          ... or N distinct numbers (default ${DEFAULT_THRESHOLDS.minNumbers})
  --min-countries N        ... or N destination countries (default ${DEFAULT_THRESHOLDS.minCountries})
  --ip-min-sends N         the same for an IP (defaults ${DEFAULT_THRESHOLDS.ipMinSends}, ${DEFAULT_THRESHOLDS.ipMinNumbers}, ${DEFAULT_THRESHOLDS.ipMinCountries})
  --ip-min-numbers N
  --ip-min-countries N
  --surge-min N            a range with no history surges above N distinct numbers in the window
                           (halved for high-risk countries) (default ${DEFAULT_THRESHOLDS.surgeMin}, the Action's)
  --country-surge-min N    the same for a country (quartered for high-risk countries) (default ${DEFAULT_THRESHOLDS.countrySurgeMin})
  --surge-factor F         rise over the range's own baseline that makes a surge (default ${DEFAULT_THRESHOLDS.surgeFactor}, the Action's)
  --failure-min-sends N    hours with fewer sends are not checked for failure spikes (default ${DEFAULT_THRESHOLDS.failureMinSends})

output
  --format table|json      what goes to stdout (default table)
  --json FILE              write the report as JSON
  --html FILE              write a self-contained HTML report with a chart
  --quiet                  nothing on stdout

response
  --block                  block the flagged Auth0 users (PATCH /api/v2/users/{id} {"blocked":true})
  --delete                 delete them instead (DELETE /api/v2/users/{id})
  --apply                  really do it; without it, a dry run lists what would happen
  --block-ip-users         also act on users seen behind a flagged IP
  --allow-list FILE        user ids / e-mails (one per line) never touched
  --record FILE            append one JSON line per action (dry runs too)
  --concurrency N          parallel Management API calls (default 2)
  range surges: --block (or --delete) also acts on the accounts behind a surging range, prints the
  prefixes to add to GUARD_BLOCKED_NUMBERS and, with UPSTASH_REDIS_REST_URL and
  UPSTASH_REDIS_REST_TOKEN set (the Actions' store), writes a range block there (--apply; a dry
  run lists it)
  --range-block-for DURATION  how long a range block lasts (default 12h, the Action's GUARD_PUMPING_BLOCK)
  --tenant NAME            the tenant the Actions see (event.tenant.id; default: NAME of an
                           NAME[.region].auth0.com --domain / AUTH0_DOMAIN)
  --key-prefix PREFIX      the Actions' GUARD_KEY_PREFIX (env GUARD_KEY_PREFIX; default tollguard)

conversion (verified ÷ sent per range and country; sends joined with gd_auth_succeed,
gd_enrollment_complete, passwordless s, Okta auth_via_mfa)
  --suspect-min-sends N    a range is judged with at least N decided sends (default ${DEFAULT_SUSPECT.minSends})
  --suspect-conversion PCT ... and is suspect under PCT % conversion (default ${DEFAULT_SUSPECT.maxConversion * 100})
  --write-store            write into the Actions' counter store: each verified number as a proof for
                           its user, each suspect range as a range block (--range-block-for); a dry
                           run lists it (masked), --apply writes (needs UPSTASH_REDIS_REST_URL and
                           UPSTASH_REDIS_REST_TOKEN, --tenant, --key-prefix as for --block)
  --unified-phone          the tenant is on the Unified Phone Experience (Custom Phone Provider
                           Action): an MFA challenge's code counts as a verification of a new
                           number, as that Action counts the challenge as sent

  --webhook URL            post a Slack-style alert when there are findings (env TOLLGUARD_MONITOR_WEBHOOK)

exit codes: 0 no findings, 3 findings, 1 error (bad flags, unreadable or unrecognised input,
API or store failure, a failed action or alert)
durations: 90m, 24h, 7d, 1w; dates: ISO 8601 (2025-01-31 or 2025-01-31T12:00:00Z)
`;

export class UsageError extends Error {}

interface Settings {
  source: 'live' | 'file';
  files: string[];
  management?: ManagementConfig;
  checkpoint?: string;
  since?: number;
  from?: string;
  maxPages: number;
  windowMs: number;
  until?: number;
  historyMs: number;
  thresholds: Thresholds;
  format: 'table' | 'json';
  json?: string;
  html?: string;
  quiet: boolean;
  action?: 'block' | 'delete';
  apply: boolean;
  blockIpUsers: boolean;
  allowList?: string;
  record?: string;
  concurrency: number;
  webhook?: string;
  /** The Actions' counter store, for range blocks (with --block / --delete and the Upstash variables). */
  store?: StoreTarget;
  rangeBlockMs: number;
  /** --write-store: proofs and suspect-range blocks into the store. */
  writeStore: boolean;
  suspect: SuspectThresholds;
  /** --unified-phone: MFA challenges open numbers, as the Custom Phone Provider Action counts them. */
  unifiedPhone: boolean;
}

export async function main(argv: readonly string[], partial: Partial<CliDeps> = {}): Promise<number> {
  const deps: CliDeps = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    now: Date.now,
    sleep: defaultSleep,
    fetch,
    management: defaultManagement,
    openFile: openLogFile,
    stderrIsTTY: process.stderr.isTTY === true,
    ...partial,
  };
  let settings: Settings;
  try {
    const parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    if (parsed.values.help === true) {
      deps.stdout(USAGE);
      return EXIT_OK;
    }
    settings = settingsFrom(parsed.values, parsed.positionals, deps);
  } catch (error) {
    deps.stderr(`error: ${error instanceof Error ? error.message : String(error)}\nrun with --help for the options\n`);
    return EXIT_ERROR;
  }
  try {
    return await run(settings, deps);
  } catch (error) {
    deps.stderr(`error: ${describeError(error)}\n`);
    return EXIT_ERROR;
  }
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

export function settingsFrom(values: Values, positionals: readonly string[], deps: Pick<CliDeps, 'env' | 'now'>): Settings {
  const now = deps.now();
  const sourceFlag = values.source;
  if (sourceFlag !== undefined && sourceFlag !== 'live' && sourceFlag !== 'file') throw new UsageError(`--source must be live or file, not "${sourceFlag}"`);
  const source = sourceFlag ?? (positionals.length > 0 ? 'file' : undefined);
  if (source === undefined) throw new UsageError('no input: give log files, or --source live');
  if (source === 'file' && positionals.length === 0) throw new UsageError('--source file needs at least one FILE');
  if (source === 'live' && positionals.length > 0) throw new UsageError(`--source live reads the Management API; remove the file arguments (${positionals.join(' ')})`);
  if (source === 'file') {
    for (const flag of ['checkpoint', 'since', 'from', 'max-pages'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} only applies to --source live`);
    }
  }
  if (values.block === true && values.delete === true) throw new UsageError('--block and --delete are exclusive: choose one');
  const action = values.block === true ? 'block' : values.delete === true ? 'delete' : undefined;
  const writeStore = values['write-store'] === true;
  if (values.apply === true && action === undefined && !writeStore) throw new UsageError('--apply needs --block, --delete or --write-store');
  if (values['block-ip-users'] === true && action === undefined) throw new UsageError('--block-ip-users needs --block or --delete');
  for (const flag of ['allow-list', 'concurrency'] as const) {
    if (values[flag] !== undefined && action === undefined) throw new UsageError(`--${flag} only applies with --block or --delete`);
  }
  for (const flag of ['record', 'tenant', 'key-prefix', 'range-block-for'] as const) {
    if (values[flag] !== undefined && action === undefined && !writeStore) throw new UsageError(`--${flag} only applies with --block, --delete or --write-store`);
  }
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, not "${format}"`);

  const needsApi = source === 'live' || (values.apply === true && action !== undefined);
  const management = needsApi ? managementConfig(values, deps.env) : undefined;

  const windowMs = durationFlag('window', values.window, 24 * HOUR);
  const historyMs = Math.max(windowMs, durationFlag('history', values.history, 7 * DAY));
  const settings: Settings = {
    source,
    files: [...positionals],
    management,
    checkpoint: values.checkpoint,
    since: values.since === undefined ? undefined : sinceFlag(values.since, now),
    from: values.from,
    maxPages: intFlag('max-pages', values['max-pages'], 1000),
    windowMs,
    until: values.until === undefined ? undefined : dateFlag('until', values.until),
    historyMs,
    thresholds: {
      minSends: intFlag('min-sends', values['min-sends'], DEFAULT_THRESHOLDS.minSends),
      minNumbers: intFlag('min-numbers', values['min-numbers'], DEFAULT_THRESHOLDS.minNumbers),
      minCountries: intFlag('min-countries', values['min-countries'], DEFAULT_THRESHOLDS.minCountries),
      ipMinSends: intFlag('ip-min-sends', values['ip-min-sends'], DEFAULT_THRESHOLDS.ipMinSends),
      ipMinNumbers: intFlag('ip-min-numbers', values['ip-min-numbers'], DEFAULT_THRESHOLDS.ipMinNumbers),
      ipMinCountries: intFlag('ip-min-countries', values['ip-min-countries'], DEFAULT_THRESHOLDS.ipMinCountries),
      surgeMin: intFlag('surge-min', values['surge-min'], DEFAULT_THRESHOLDS.surgeMin),
      countrySurgeMin: intFlag('country-surge-min', values['country-surge-min'], DEFAULT_THRESHOLDS.countrySurgeMin),
      surgeFactor: numberFlag('surge-factor', values['surge-factor'], DEFAULT_THRESHOLDS.surgeFactor),
      failureMinSends: intFlag('failure-min-sends', values['failure-min-sends'], DEFAULT_THRESHOLDS.failureMinSends),
      failureFactor: DEFAULT_THRESHOLDS.failureFactor,
      failureMargin: DEFAULT_THRESHOLDS.failureMargin,
    },
    format,
    json: values.json,
    html: values.html,
    quiet: values.quiet === true,
    action,
    apply: values.apply === true,
    blockIpUsers: values['block-ip-users'] === true,
    allowList: values['allow-list'],
    record: values.record,
    concurrency: intFlag('concurrency', values.concurrency, 2),
    webhook: values.webhook ?? nonEmpty(deps.env['TOLLGUARD_MONITOR_WEBHOOK']),
    store: action !== undefined || writeStore ? storeTarget(values, deps.env) : undefined,
    rangeBlockMs: durationFlag('range-block-for', values['range-block-for'], ACTION_PUMPING_BLOCK_MS),
    writeStore,
    unifiedPhone: values['unified-phone'] === true,
    suspect: {
      minSends: intFlag('suspect-min-sends', values['suspect-min-sends'], DEFAULT_SUSPECT.minSends),
      maxConversion: percentFlag('suspect-conversion', values['suspect-conversion'], DEFAULT_SUSPECT.maxConversion),
    },
  };
  if (writeStore && settings.apply && settings.store === undefined) {
    throw new UsageError('--write-store --apply needs the Actions\' store: set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN');
  }
  if (settings.webhook !== undefined && !/^https?:\/\//.test(settings.webhook)) throw new UsageError('--webhook must be an http(s) URL');
  return settings;
}

const ACTION_DEFAULTS = parseDynamicPolicy({}, new ConfigErrors());
const ACTION_PUMPING_BLOCK_MS = ACTION_DEFAULTS.pumping?.blockMs ?? 12 * 3_600_000;

/** The Actions' Upstash store, when both variables are set (one alone is an error naming the other). */
function storeTarget(values: Values, env: Record<string, string | undefined>): StoreTarget | undefined {
  const url = nonEmpty(env['UPSTASH_REDIS_REST_URL']);
  const token = nonEmpty(env['UPSTASH_REDIS_REST_TOKEN']);
  if (url === undefined && token === undefined) return undefined;
  if (url === undefined || token === undefined) {
    throw new UsageError(`range blocks need both UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN; ${url === undefined ? 'UPSTASH_REDIS_REST_URL' : 'UPSTASH_REDIS_REST_TOKEN'} is not set`);
  }
  if (!/^https?:\/\//.test(url)) throw new UsageError('UPSTASH_REDIS_REST_URL must be an http(s) URL');
  const rawPrefix = values['key-prefix'] ?? nonEmpty(env['GUARD_KEY_PREFIX']);
  const errors = new ConfigErrors();
  const keyPrefix = parseDynamicPolicy(rawPrefix === undefined ? {} : { GUARD_KEY_PREFIX: rawPrefix }, errors).keyPrefix;
  if (errors.errors.length > 0) throw new UsageError(`--key-prefix / GUARD_KEY_PREFIX: ${errors.errors.map((error) => error.message).join('; ')}`);
  const domain = (values.domain ?? nonEmpty(env['AUTH0_DOMAIN']))?.replace(/^https?:\/\//, '');
  const tenant = values.tenant ?? (domain !== undefined && /^[A-Za-z0-9-]+(\.[a-z]{2})?\.auth0\.com\/?$/.test(domain) ? domain.split('.')[0] : undefined);
  if (tenant === undefined || tenant.trim() === '') {
    throw new UsageError('range blocks need --tenant NAME: the tenant the Actions see as event.tenant.id (the NAME of NAME.eu.auth0.com)');
  }
  return { url, token, keyPrefix, tenant: tenant.trim() };
}

function managementConfig(values: Values, env: Record<string, string | undefined>): ManagementConfig {
  const rawDomain = values.domain ?? nonEmpty(env['AUTH0_DOMAIN']);
  if (rawDomain === undefined) throw new UsageError('the Management API needs --domain (or AUTH0_DOMAIN)');
  const domain = rawDomain.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(domain)) throw new UsageError(`--domain "${rawDomain}" is not a host name`);
  const token = values.token ?? nonEmpty(env['AUTH0_TOKEN']) ?? nonEmpty(env['AUTH0_ACCESS_TOKEN']);
  if (token !== undefined) return { domain, token };
  const clientId = values['client-id'] ?? nonEmpty(env['AUTH0_CLIENT_ID']);
  const clientSecret = values['client-secret'] ?? nonEmpty(env['AUTH0_CLIENT_SECRET']);
  if (clientId === undefined || clientSecret === undefined) {
    throw new UsageError('the Management API needs --client-id and --client-secret (or AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET), or --token (AUTH0_TOKEN)');
  }
  return { domain, clientId, clientSecret };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A positive duration in the project's one grammar (the Actions' secrets use the same). */
export function parseDuration(text: string): number | undefined {
  const ms = readDurationMs(text);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

function durationFlag(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === undefined || ms < MINUTE) throw new UsageError(`--${flag} must be a duration of at least 1m like 90m, 24h or 7d, not "${value}"`);
  return ms;
}

function dateFlag(flag: string, value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new UsageError(`--${flag} must be an ISO 8601 date like 2025-01-31T12:00:00Z, not "${value}"`);
  return ms;
}

function sinceFlag(value: string, now: number): number {
  const ms = parseDuration(value);
  if (ms !== undefined) return now - ms;
  try {
    return dateFlag('since', value);
  } catch {
    throw new UsageError(`--since must be a duration (7d) or an ISO 8601 date, not "${value}"`);
  }
}

function intFlag(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > 1e9) throw new UsageError(`--${flag} must be a whole number of at least 1, not "${value}"`);
  return Number(value);
}

function numberFlag(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) throw new UsageError(`--${flag} must be a positive number, not "${value}"`);
  return number;
}

/** A share given in percent (`10` → 0.1), over 0 and at most 100. */
function percentFlag(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value.trim().replace(/%$/, ''));
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0 || number > 100) throw new UsageError(`--${flag} must be a percentage over 0 and at most 100, not "${value}"`);
  return number / 100;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim().length > 0 ? value.trim() : undefined;
}

// ---------------------------------------------------------------------------------------------

const MAX_SKIPPED_TYPES = 200;

class Collector {
  readonly events: SendEvent[] = [];
  readonly input: InputSummary = emptyInputSummary();
  readonly conversion = new ConversionTracker();
  private readonly onRecord = (record: Record<string, unknown>): void => {
    const found = conversionFact(record);
    if (found?.kind === 'send') this.conversion.addSend(found.fact);
    else if (found?.kind === 'verification') this.conversion.addVerification(found.fact);
  };

  constructor(readonly identity: PhoneIdentity) {}

  /** Adds one record; returns how many of its results were logs of a known kind (sends or others). */
  add(value: unknown, fallbackAt?: number): number {
    this.input.records += 1;
    let recognised = 0;
    for (const result of normalizeRecord(value, { identity: this.identity, fallbackAt, onRecord: this.onRecord })) {
      if (result.kind === 'send') {
        this.events.push(result.event);
        this.input.sendEvents += 1;
        recognised += 1;
        continue;
      }
      if (result.reason !== 'unrecognised') recognised += 1;
      this.input.skipReasons[result.reason] = (this.input.skipReasons[result.reason] ?? 0) + 1;
      const skipped = this.input.skippedTypes;
      const key = skipped[result.type] !== undefined || Object.keys(skipped).length < MAX_SKIPPED_TYPES ? result.type : '(other types)';
      skipped[key] = (skipped[key] ?? 0) + 1;
    }
    return recognised;
  }
}

/** Why nothing in a file was recognised, without quoting it (it may hold a phone number). */
export function unrecognisedReason(stats: FileStats): string {
  if (stats.format === 'empty') return 'the file is empty';
  const unreadable = stats.errors > 0 ? `, ${stats.errors} unreadable` : '';
  if (stats.format === 'text') return `${stats.ignoredLines + stats.records} text line(s), none with a tollguard decision line${unreadable}`;
  return `${stats.records} JSON record(s), none an Auth0 tenant log, an Okta System Log event or a tollguard decision line${unreadable}`;
}

async function run(settings: Settings, deps: CliDeps): Promise<number> {
  const retry: RetryOptions = { ...defaultRetryOptions((ms, reason) => deps.stderr(`${reason}; waiting ${Math.ceil(ms / 1000)} s\n`)), sleep: deps.sleep, now: deps.now };
  const allowList = settings.allowList !== undefined ? await loadAllowList(settings.allowList) : new Set<string>();
  let api: ManagementApi | undefined;
  const managementApi = (): ManagementApi => {
    if (settings.management === undefined) throw new Error('no Management API credentials');
    api ??= deps.management(settings.management);
    return api;
  };

  // Read. A progress line on a terminal, never with JSON on stdout.
  const progressOn = deps.stderrIsTTY && settings.format !== 'json' && !settings.quiet;
  const line = progressLine({ isTTY: progressOn, write: deps.stderr }, deps.now);
  let state: MonitorState | undefined;
  /** Input files with nothing the monitor reads: reported, and the run fails. */
  const unrecognised: string[] = [];
  let collector: Collector;
  if (settings.source === 'live') {
    state = (settings.checkpoint !== undefined ? await loadState(settings.checkpoint) : undefined) ?? newState();
    collector = new Collector(new PhoneIdentity(state.salt));
    const progress = newLiveProgress(settings.from ?? state.checkpoint);
    const sends = collector.events;
    progress.onPage = (read) => line?.update(`reading logs: ${n(read.pages)} request${read.pages === 1 ? '' : 's'}, ${n(read.logs)} logs, ${n(sends.length)} sends`);
    const logs = readLiveLogs(
      { logs: managementApi().logs, from: settings.from ?? state.checkpoint, since: settings.since ?? deps.now() - settings.historyMs, maxPages: settings.maxPages, retry },
      progress,
    );
    try {
      for await (const log of logs) collector.add(log);
    } finally {
      line?.done();
    }
    collector.input.sources.push(`live:${settings.management?.domain ?? ''}`);
    collector.input.notes.push(`read ${progress.logs} logs in ${progress.pages} request(s)${progress.caughtUp ? ', caught up' : ''}`, ...progress.notes);
    if (state.invalidLines > 0) collector.input.notes.push(`${state.invalidLines} invalid line(s) in the checkpoint file were skipped`);
    // Live: the window ends now (or at --until); history older than --history is dropped.
    state.events = pruneEvents([...state.events, ...collector.events], (settings.until ?? deps.now()) - settings.historyMs);
    state.checkpoint = progress.checkpoint;
  } else {
    collector = new Collector(new PhoneIdentity(newState().salt));
    for (const file of settings.files) {
      const stats = newFileStats(file === '-' ? 'stdin' : basename(file));
      let recognised = 0;
      const show = (force = false): void => line?.update(`reading ${stats.name}: ${n(stats.records)} records, ${formatBytes(stats.bytes)}, ${n(collector.input.sendEvents)} sends`, force);
      try {
        for await (const record of readRecords(deps.openFile(file), stats)) {
          recognised += collector.add(record.value, record.fallbackAt);
          if (line !== undefined && (stats.records & 255) === 0) show();
        }
        show(true);
        line?.done();
      } catch (error) {
        line?.done();
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(code === 'ENOENT' ? `cannot read ${file}: no such file` : `cannot read ${file}: ${describeError(error)}`);
      }
      collector.input.sources.push(stats.name);
      collector.input.errors += stats.errors;
      if (stats.truncated) collector.input.truncated.push(stats.name);
      if (stats.errors > 0) collector.input.notes.push(`${stats.name}: ${stats.errors} unreadable record(s) (lines ${stats.errorLines.join(', ')}${stats.errors > stats.errorLines.length ? ', ...' : ''})`);
      if (stats.truncated) collector.input.notes.push(`${stats.name}: the file ends in the middle of a record (truncated); every complete record before it was read`);
      if (recognised === 0) {
        collector.input.unrecognised.push(stats.name);
        unrecognised.push(`${stats.name}: no Auth0, Okta or tollguard log record in it (${unrecognisedReason(stats)}); is it the right file?`);
      }
    }
  }

  const events = state !== undefined ? state.events : collector.events;
  const until = settings.until ?? (settings.source === 'live' ? deps.now() : undefined);
  const generatedAt = deps.now();
  // Conversion first: its unproven countries lower their country-surge floor, as in the send Action.
  const window = reportWindow(events, { windowMs: settings.windowMs, until, generatedAt });
  const conversion = computeConversion(collector.conversion, { start: window.start, end: window.end, thresholds: settings.suspect, challengesOpenNumbers: settings.unifiedPhone });
  // Live, conversion covers only this run's logs, too little to call a country unproven over the whole window.
  if (settings.source === 'live') conversion.report.unprovenCountries = [];
  const report = analyze(events, collector.input, { windowMs: settings.windowMs, until, thresholds: settings.thresholds, generatedAt, unprovenCountries: new Set(conversion.report.unprovenCountries) });
  if (state !== undefined && settings.checkpoint !== undefined) await saveState(settings.checkpoint, state, deps.now());
  if (settings.source === 'live' && conversion.report.computed) conversion.report.notes.push('live: conversion covers the logs read in this run (the checkpoint keeps sends only), so no country surge is judged unproven');
  report.conversion = conversion.report;
  report.findings += conversion.report.suspectRanges.length;

  // Respond.
  let failed = false;
  let results: ActionResult[] = [];
  let rangeResults: RangeBlockResult[] = [];
  if (settings.action !== undefined) {
    const plan = planResponse(report, { action: settings.action, allowList, includeIpUsers: settings.blockIpUsers });
    results = await executeResponse(plan, {
      users: settings.apply ? managementApi().users : undefined,
      apply: settings.apply,
      concurrency: settings.concurrency,
      retry,
      record: settings.record !== undefined ? recordAppender(settings.record) : undefined,
    });
    const errors = results.filter((result) => result.result === 'error');
    if (errors.length > 0) {
      failed = true;
      for (const error of errors) deps.stderr(terminalSafe(`error: ${settings.action} ${error.userId ?? '-'}: ${error.error ?? ''}`) + '\n');
    }
    const now = deps.now();
    const rangePlan = planRangeBlocks(report.rangeSurges, { now, blockMs: settings.rangeBlockMs, keys: settings.store === undefined ? undefined : storeKeys(settings.store) });
    rangeResults = await executeRangeBlocks(rangePlan, {
      store: settings.store !== undefined && settings.apply ? openStore(settings.store) : undefined,
      apply: settings.apply,
      now,
      blockMs: settings.rangeBlockMs,
      record: settings.record !== undefined ? recordAppender(settings.record) : undefined,
    });
    for (const error of rangeResults.filter((result) => result.result === 'error')) {
      failed = true;
      deps.stderr(terminalSafe(`error: block range ${error.range}: ${error.error ?? ''}`) + '\n');
    }
  }

  let storeWrites: StoreWriteResults | undefined;
  if (settings.writeStore) {
    const now = deps.now();
    storeWrites = await writeStore(conversion.proofs, conversion.report.suspectRanges, {
      store: settings.store !== undefined && settings.apply ? openProofStore(settings.store) : undefined,
      keys: settings.store === undefined ? undefined : storeKeys(settings.store),
      apply: settings.apply,
      now,
      blockMs: settings.rangeBlockMs,
      record: settings.record !== undefined ? recordAppender(settings.record) : undefined,
    });
    for (const error of storeWrites.proofs.filter((result) => result.result === 'error')) {
      failed = true;
      deps.stderr(terminalSafe(`error: record proof ${error.masked} for ${error.userId}: ${error.error ?? ''}`) + '\n');
    }
    for (const error of storeWrites.ranges.filter((result) => result.result === 'error')) {
      failed = true;
      deps.stderr(terminalSafe(`error: block suspect range ${error.range}: ${error.error ?? ''}`) + '\n');
    }
  }

  // Report.
  const extra: Record<string, unknown> = settings.action !== undefined ? { response: results, rangeBlocks: rangeResults.map(rangeJson) } : {};
  if (storeWrites !== undefined) extra['storeWrites'] = { proofs: storeWrites.proofs, rangeBlocks: storeWrites.ranges.map(rangeJson) };
  if (!settings.quiet) {
    if (settings.format === 'json') deps.stdout(toJson(report, extra));
    else {
      deps.stdout(
        toTable(report) +
          (settings.action !== undefined ? responseTable(results, settings.apply, rangeResults) : '') +
          (storeWrites !== undefined ? storeWritesTable(storeWrites, settings.apply) : ''),
      );
    }
  }
  if (settings.json !== undefined) await writeFile(settings.json, toJson(report, extra));
  if (settings.html !== undefined) {
    const response = settings.action !== undefined || storeWrites !== undefined ? { users: results, ranges: rangeResults, storeWrites } : undefined;
    await writeFile(settings.html, toHtml(report, response));
  }

  // Alert.
  if (settings.webhook !== undefined && report.findings > 0) {
    const problem = await postWebhook(settings.webhook, buildWebhookPayload(report, results, settings.management?.domain), deps.fetch);
    if (problem !== undefined) {
      failed = true;
      deps.stderr(`error: ${problem}\n`);
    }
  }
  for (const problem of unrecognised) {
    failed = true;
    deps.stderr(terminalSafe(`error: ${problem}`) + '\n');
  }
  if (failed) return EXIT_ERROR;
  return report.findings > 0 ? EXIT_FINDINGS : EXIT_OK;
}


function rangeJson(result: RangeBlockResult): Record<string, unknown> {
  return { ...result, until: new Date(result.until).toISOString(), blockedUntil: result.blockedUntil === undefined ? undefined : new Date(result.blockedUntil).toISOString() };
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}
