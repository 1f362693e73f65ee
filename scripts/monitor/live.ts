/**
 * Reading tenant logs live from the Auth0 Management API with the `auth0` SDK (v5/v6 API).
 *
 * Checkpoint paging (`GET /api/v2/logs?from=<log_id>&take=<=100`): every log newer than the
 * checkpoint, ordered by log_id, no 1,000-result cap; each response carries a `Link` header whose
 * `rel="next"` URL continues, and an empty array means caught up. In checkpoint mode Auth0 ignores
 * every other parameter (`q` included), so the relevant types are picked client-side.
 *
 * SDK facts this relies on (auth0@6, checked in its .d.ts and code):
 * - `logs.list(request, requestOptions)` has no typed `from` / `take`; they go in
 *   `requestOptions.queryParams`. The typed defaults (`page=0`, `per_page=50`,
 *   `include_totals=true`) are sent unless set to `null`, so they are nulled here.
 * - The returned Page reads items from `response.logs`; a checkpoint answer is a bare array, so
 *   items are read from `page.response` when it is an array (`page.data` would be empty).
 * - `page.rawResponse.headers` carries `Link` and the `x-ratelimit-*` headers.
 *
 * Without a checkpoint, the start is found in search mode: the oldest log on or after the
 * `since` day (`q=date:[YYYY-MM-DD TO *]`, `sort=date:1`, `per_page=1`; the `date` field is
 * searchable by day only), then checkpoint paging continues from it.
 */
import type { Management, ManagementClient } from 'auth0';
import { lowRemainingWait, withRetries, type HeaderSource, type RetryOptions } from './ratelimit';

export type LogsApi = Pick<ManagementClient['logs'], 'list'>;
export type Log = Management.Log;

export interface LiveReadOptions {
  logs: LogsApi;
  /** Continue after this log_id (a saved checkpoint). */
  from?: string;
  /** Without `from`: start at the first log of this day (ms since epoch). */
  since?: number;
  /** Logs per request, at most 100. */
  take?: number;
  /** Stop after this many pages (the checkpoint lets the next run go on). */
  maxPages?: number;
  /** Wait for the rate-limit reset when a response says this many requests or fewer are left. */
  lowWater?: number;
  retry: RetryOptions;
}

export interface LiveProgress {
  pages: number;
  logs: number;
  /** The log_id to continue from next time. */
  checkpoint: string | undefined;
  /** An empty page was reached: nothing newer is left. */
  caughtUp: boolean;
  notes: string[];
  /** Called after each page (for a progress line). */
  onPage?: (progress: LiveProgress) => void;
}

export function newLiveProgress(from?: string): LiveProgress {
  return { pages: 0, logs: 0, checkpoint: from, caughtUp: false, notes: [] };
}

interface ListedPage {
  data: Log[];
  response: unknown;
  rawResponse: { headers: HeaderSource };
}

export async function* readLiveLogs(options: LiveReadOptions, progress: LiveProgress): AsyncGenerator<Log> {
  const take = Math.max(1, Math.min(100, options.take ?? 100));
  const maxPages = options.maxPages ?? 1000;
  const lowWater = options.lowWater ?? 1;
  const retry = options.retry;
  let from = options.from;

  if (from === undefined) {
    const day = new Date(options.since ?? retry.now()).toISOString().slice(0, 10);
    const page = await withRetries(
      () => options.logs.list({ sort: 'date:1', per_page: 1, page: 0 }, { queryParams: { q: `date:[${day} TO *]` }, maxRetries: 0 }) as Promise<unknown> as Promise<ListedPage>,
      retry,
      'GET /api/v2/logs (search for the start)',
    );
    progress.pages += 1;
    progress.onPage?.(progress);
    const first = itemsOf(page)[0];
    if (first === undefined || typeof first.log_id !== 'string') {
      progress.caughtUp = true;
      progress.notes.push(`no logs on or after ${day}`);
      return;
    }
    progress.logs += 1;
    progress.checkpoint = first.log_id;
    from = first.log_id;
    yield first;
    await slowDown(page, lowWater, retry);
  }

  for (let pages = 0; pages < maxPages; pages += 1) {
    const current: string = from;
    const page = await withRetries(
      () =>
        options.logs.list(
          { page: null, per_page: null, include_totals: null },
          { queryParams: { from: current, take }, maxRetries: 0 },
        ) as Promise<unknown> as Promise<ListedPage>,
      retry,
      'GET /api/v2/logs',
    );
    progress.pages += 1;
    const items = itemsOf(page);
    if (items.length === 0) {
      progress.caughtUp = true;
      return;
    }
    let last: string | undefined;
    for (const item of items) {
      progress.logs += 1;
      if (typeof item.log_id === 'string') last = item.log_id;
      yield item;
    }
    progress.onPage?.(progress);
    const next = nextFrom(page.rawResponse.headers.get('link'));
    const advance = next !== undefined && next !== current ? next : last;
    if (advance === undefined || advance === current) {
      progress.notes.push('a page of logs had no log_id to continue from; stopped');
      return;
    }
    from = advance;
    progress.checkpoint = advance;
    await slowDown(page, lowWater, retry);
  }
  progress.notes.push(`stopped after ${maxPages} pages (--max-pages); the next run continues from the checkpoint`);
}

/** Items of a page: a checkpoint answer is a bare array, a search answer `{logs: [...]}`. */
export function itemsOf(page: { data: Log[]; response: unknown }): Log[] {
  if (Array.isArray(page.response)) return page.response as Log[];
  return page.data;
}

/** The `from` of the `rel="next"` URL in a Link header. */
export function nextFrom(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;(?:[^;]*;)*\s*rel="?next"?/i.exec(part.trim());
    if (match?.[1] === undefined) continue;
    try {
      return new URL(match[1], 'https://placeholder.invalid').searchParams.get('from') ?? undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function slowDown(page: ListedPage, lowWater: number, retry: RetryOptions): Promise<void> {
  const wait = lowRemainingWait(page.rawResponse.headers, retry.now(), lowWater, retry.maxWaitMs);
  if (wait <= 0) return;
  retry.onWait?.(wait, 'GET /api/v2/logs: rate limit nearly used up, waiting for the reset');
  await retry.sleep(wait);
}
