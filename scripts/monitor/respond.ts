/**
 * Response: block (or delete) the flagged users through the Management API, and alert.
 *
 * - Dry run by default: the plan is listed and recorded, nothing is touched; `--apply` acts.
 * - Only users with an Auth0 user id seen in Auth0 or tollguard logs can be acted on (an Okta
 *   user is listed, not touched). Users behind a flagged IP are only included on request.
 * - The allow-list (user ids or e-mails / user names, one per line, `#` comments) is never
 *   touched; matching ignores case, so a case slip errs on the side of not acting.
 * - Blocking is `PATCH /api/v2/users/{id}` with `{"blocked": true}` (scope update:users); deleting
 *   is `DELETE /api/v2/users/{id}` (scope delete:users). Calls run with bounded concurrency and
 *   the rate-limit handling of ratelimit.ts.
 * - Every planned action becomes one JSON line in the record file (`--record`): when, what, who,
 *   dry run or not, and the result.
 */
import { appendFile, readFile } from 'node:fs/promises';
import type { ManagementClient } from 'auth0';
import type { FlaggedUser, Report } from './analyze';
import { mapConcurrent, statusOf, withRetries, type RetryOptions } from './ratelimit';
import { formatDuration, guardNumbers } from './output';

export type ResponseAction = 'block' | 'delete';
export type UsersApi = Pick<ManagementClient['users'], 'update' | 'delete'>;

export interface PlannedAction {
  action: ResponseAction;
  userId?: string;
  userName?: string;
  reasons: string[];
  /** act: will be (or would be) blocked / deleted; the others are never touched. */
  decision: 'act' | 'skip-allow-list' | 'skip-not-auth0';
}

export interface ActionResult extends PlannedAction {
  at: string;
  dryRun: boolean;
  result: 'would-block' | 'would-delete' | 'blocked' | 'deleted' | 'not-found' | 'skipped' | 'error';
  error?: string;
}

export interface PlanOptions {
  action: ResponseAction;
  allowList: ReadonlySet<string>;
  /** Also act on users seen behind a flagged IP. */
  includeIpUsers: boolean;
}

/** Pure: who would be acted on, who is skipped and why. */
export function planResponse(report: Pick<Report, 'flaggedUsers' | 'ipUsers'>, options: PlanOptions): PlannedAction[] {
  const candidates: FlaggedUser[] = options.includeIpUsers ? [...report.flaggedUsers, ...report.ipUsers] : [...report.flaggedUsers];
  const seen = new Set<string>();
  const plan: PlannedAction[] = [];
  for (const user of candidates) {
    const identity = user.userId ?? user.userName ?? '';
    if (seen.has(identity)) continue;
    seen.add(identity);
    const allowListed =
      (user.userId !== undefined && options.allowList.has(user.userId.toLowerCase())) ||
      (user.userName !== undefined && options.allowList.has(user.userName.toLowerCase()));
    const decision: PlannedAction['decision'] = allowListed ? 'skip-allow-list' : user.blockable ? 'act' : 'skip-not-auth0';
    const item: PlannedAction = { action: options.action, reasons: user.reasons, decision };
    if (user.userId !== undefined) item.userId = user.userId;
    if (user.userName !== undefined) item.userName = user.userName;
    plan.push(item);
  }
  return plan;
}

/** An allow-list file: one user id or e-mail per line; blank lines and `#` comments ignored. */
export function parseAllowList(text: string): Set<string> {
  const entries = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line.length > 0) entries.add(line.toLowerCase());
  }
  return entries;
}

export async function loadAllowList(path: string): Promise<Set<string>> {
  return parseAllowList(await readFile(path, 'utf8'));
}

export interface ExecuteOptions {
  users: UsersApi | undefined;
  apply: boolean;
  concurrency: number;
  retry: RetryOptions;
  /** Appends one line to the record (called for every planned item, dry run included). */
  record?: (line: string) => Promise<void>;
}

export async function executeResponse(plan: readonly PlannedAction[], options: ExecuteOptions): Promise<ActionResult[]> {
  const results = await mapConcurrent(plan, Math.max(1, options.concurrency), async (item) => {
    const result = await executeOne(item, options);
    if (options.record !== undefined) await options.record(`${JSON.stringify(recordLine(result))}\n`);
    return result;
  });
  return results;
}

async function executeOne(item: PlannedAction, options: ExecuteOptions): Promise<ActionResult> {
  const base = { ...item, at: new Date(options.retry.now()).toISOString(), dryRun: !options.apply };
  if (item.decision !== 'act' || item.userId === undefined) return { ...base, result: 'skipped' };
  if (!options.apply) return { ...base, result: item.action === 'block' ? 'would-block' : 'would-delete' };
  const users = options.users;
  if (users === undefined) return { ...base, result: 'error', error: 'no Management API client' };
  const userId = item.userId;
  try {
    if (item.action === 'block') {
      await withRetries(() => users.update(userId, { blocked: true }, { maxRetries: 0 }), options.retry, `PATCH /api/v2/users/${userId}`);
      return { ...base, at: new Date(options.retry.now()).toISOString(), result: 'blocked' };
    }
    await withRetries(() => users.delete(userId, { maxRetries: 0 }), options.retry, `DELETE /api/v2/users/${userId}`);
    return { ...base, at: new Date(options.retry.now()).toISOString(), result: 'deleted' };
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) return { ...base, result: 'not-found' };
    return { ...base, result: 'error', error: describeError(error) };
  }
}

function recordLine(result: ActionResult): Record<string, unknown> {
  return {
    tollguard: 'monitor-action',
    version: 1,
    at: result.at,
    action: result.action,
    dry_run: result.dryRun,
    user_id: result.userId,
    user_name: result.userName,
    decision: result.decision,
    result: result.result,
    error: result.error,
    reasons: result.reasons,
  };
}

export function recordAppender(path: string): (line: string) => Promise<void> {
  return (line) => appendFile(path, line, { encoding: 'utf8', mode: 0o600 });
}

export function describeError(error: unknown): string {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0] ?? message;
  return (status !== undefined ? `HTTP ${status}: ` : '') + firstLine.slice(0, 200);
}

// ---------------------------------------------------------------------------------------------
// Alert webhook (Slack incoming-webhook shape: `text`, plus `blocks`)
// ---------------------------------------------------------------------------------------------

export interface WebhookPayload {
  text: string;
  blocks: unknown[];
}

export function buildWebhookPayload(report: Report, results: readonly ActionResult[], tenant: string | undefined): WebhookPayload {
  const where = tenant !== undefined ? ` (${tenant})` : '';
  const window = `${formatDuration(report.window.ms)} to ${report.window.end.slice(0, 16)}Z`;
  const text = `:rotating_light: tollguard monitor${where}: ${report.findings} finding(s) in the last ${window}`;
  const lines: string[] = [];
  const add = (label: string, count: number, detail: string[]): void => {
    if (count > 0) lines.push(`*${label}*: ${count}${detail.length > 0 ? ` (${detail.join(', ')})` : ''}`);
  };
  add('flagged users', report.users.length, report.users.slice(0, 5).map((row) => `${row.userId ?? row.userName ?? '-'}: ${row.sends} sends, ${row.numbers} numbers`));
  add('flagged actors', report.actors.length, []);
  add('flagged IPs', report.ips.length, report.ips.slice(0, 5).map((row) => `${row.ip ?? '-'}: ${row.numbers} numbers, ${row.users} users`));
  add('users with many numbers', report.manyNumbers.length, []);
  add('range surges', report.rangeSurges.length, report.rangeSurges.slice(0, 5).map((row) => `${row.key} ${row.numbers} ${row.channel} numbers`));
  if (report.proposedBlockedNumbers.length > 0) lines.push(`*GUARD_BLOCKED_NUMBERS, add*: ${report.proposedBlockedNumbers.join(', ')}`);
  const suspects = report.conversion?.suspectRanges ?? [];
  add('suspect ranges (conversion collapsed)', suspects.length, suspects.slice(0, 5).map((row) => `${row.key} ${row.converted}/${row.sent - row.pending} verified`));
  add('country surges', report.countrySurges.length, report.countrySurges.slice(0, 5).map((row) => `${row.key} ${row.numbers} ${row.channel} numbers`));
  if (report.oktaHookFailovers !== undefined) {
    const failovers = report.oktaHookFailovers;
    lines.push(`*Okta telephony hook failovers*: ${failovers.count} OTP(s) sent by Okta itself (${failovers.hours.map((hour) => `${hour.start.slice(11, 13)}:00Z ${hour.count}`).join(', ')}); check the hook server`);
  }
  add('failure-rate spikes', report.failureSpikes.length, report.failureSpikes.slice(0, 3).map((row) => `${row.start.slice(11, 16)}Z ${Math.round(row.share * 100)}%`));
  const acted = results.filter((result) => result.result === 'blocked' || result.result === 'deleted').length;
  const would = results.filter((result) => result.result === 'would-block' || result.result === 'would-delete').length;
  const failed = results.filter((result) => result.result === 'error').length;
  if (results.length > 0) {
    lines.push(`*response*: ${acted} acted on, ${would} would be (dry run), ${failed} failed, ${results.filter((result) => result.decision !== 'act').length} skipped`);
  }
  const totals = report.totals;
  lines.push(`window: ${totals.sends} sends (${totals.sent} sent, ${totals.failed} failed, ${totals.blocked} blocked), ${totals.numbers} numbers, ${totals.countries} countries`);
  const body = guardNumbers(lines.join('\n')).slice(0, 2900);
  return {
    text: guardNumbers(text),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: guardNumbers(text) } },
      { type: 'section', text: { type: 'mrkdwn', text: body } },
    ],
  };
}

/** Posts the payload; returns an error description, or undefined when the webhook accepted it. */
export async function postWebhook(url: string, payload: WebhookPayload, fetchImpl: typeof fetch = fetch, timeoutMs = 5000): Promise<string | undefined> {
  try {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return response.ok ? undefined : `alert webhook answered HTTP ${response.status}`;
  } catch (error) {
    return `alert webhook failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}
