/**
 * Response to range surges: the same block the send Action's prefix-anomaly rule writes when it
 * sees a range rise, written by the monitor into the Actions' counter store, so that every OTP to
 * that range is refused until the block ends. A range block is a "blocked until" timestamp (ms)
 * under the range key (shared/store/keys.ts GuardKeys.rangeBlock, under the Actions' key prefix
 * and tenant), written with the store's raise-until script: it only ever moves a block later, so
 * a monitor run can never shorten a block the Action (or an earlier run) set.
 *
 * Dry run by default, like the user response: the plan is listed and recorded; `--apply` writes.
 * A range only known from masked numbers (tollguard decision lines) has no exact prefix and is
 * never written; neither is anything when the store is not configured. In every case the report
 * proposes the prefixes for GUARD_BLOCKED_NUMBERS (a permanent block an admin adds by hand).
 */
import type { SurgeRow } from './analyze';
import type { UntilWrite } from '../../shared/store/counter-store';
import { GuardKeys, tenantKeyPrefix } from '../../shared/store/keys';
import { UpstashStore } from '../../shared/store/upstash-store';
import { describeError } from './respond';

export interface StoreTarget {
  url: string;
  token: string;
  /** GUARD_KEY_PREFIX of the Actions. */
  keyPrefix: string;
  /** The tenant the Actions see (event.tenant.id). */
  tenant: string;
}

export type RangeBlockStore = { raiseUntil(writes: readonly UntilWrite[]): Promise<number[]> };

export interface PlannedRangeBlock {
  range: string;
  /** The E.164 prefix (`+44 740012`), when the range came from full numbers. */
  prefix?: string;
  country?: string;
  numbers: number;
  until: number;
  key?: string;
  decision: 'act' | 'skip-no-prefix' | 'skip-no-store';
}

export interface RangeBlockResult extends PlannedRangeBlock {
  at: string;
  dryRun: boolean;
  result: 'would-block-range' | 'range-blocked' | 'skipped' | 'error';
  /** What the store holds after the write (later than `until` when a longer block was there). */
  blockedUntil?: number;
  error?: string;
}

export interface RangePlanOptions {
  now: number;
  blockMs: number;
  /** The store's keys; undefined when no store is configured. */
  keys: GuardKeys | undefined;
}

/**
 * Pure: which surging ranges get a block, and under which key. A range block stops both channels
 * (the Action's range key is one for SMS and voice), so a range surging on both is planned once.
 */
export function planRangeBlocks(rows: readonly SurgeRow[], options: RangePlanOptions): PlannedRangeBlock[] {
  const seen = new Set<string>();
  const once = rows.filter((row) => {
    if (seen.has(row.key)) return false;
    seen.add(row.key);
    return true;
  });
  return once.map((row) => {
    const item: PlannedRangeBlock = { range: row.key, numbers: row.numbers, until: options.now + options.blockMs, decision: 'act' };
    if (row.country !== undefined) item.country = row.country;
    if (row.prefix === undefined) return { ...item, decision: 'skip-no-prefix' };
    item.prefix = row.prefix;
    if (options.keys === undefined) return { ...item, decision: 'skip-no-store' };
    return { ...item, key: options.keys.rangeBlock(row.prefix) };
  });
}

export function storeKeys(target: StoreTarget): GuardKeys {
  return new GuardKeys(tenantKeyPrefix(target.keyPrefix, target.tenant));
}

/** The Actions' store, with a timeout fit for an admin tool rather than a login. */
export function openStore(target: StoreTarget): RangeBlockStore {
  return new UpstashStore({ url: target.url, token: target.token, timeoutMs: 10_000 });
}

export interface RangeExecuteOptions {
  store: RangeBlockStore | undefined;
  apply: boolean;
  now: number;
  blockMs: number;
  record?: (line: string) => Promise<void>;
}

/** Writes every planned block in one raise-until call (one round trip), or lists them in a dry run. */
export async function executeRangeBlocks(plan: readonly PlannedRangeBlock[], options: RangeExecuteOptions): Promise<RangeBlockResult[]> {
  const at = new Date(options.now).toISOString();
  const results: RangeBlockResult[] = plan.map((item) => ({
    ...item,
    at,
    dryRun: !options.apply,
    result: item.decision !== 'act' ? 'skipped' : 'would-block-range',
  }));
  const toWrite = results.filter((result) => result.decision === 'act' && result.key !== undefined);
  if (options.apply && toWrite.length > 0) {
    if (options.store === undefined) {
      for (const result of toWrite) Object.assign(result, { result: 'error', error: 'no counter store' });
    } else {
      const ttlMs = options.blockMs + 60_000;
      try {
        const stored = await options.store.raiseUntil(toWrite.map((result) => ({ key: result.key ?? '', until: result.until, ttlMs })));
        toWrite.forEach((result, index) => Object.assign(result, { result: 'range-blocked', blockedUntil: stored[index] }));
      } catch (error) {
        const message = `counter store: ${describeError(error)}`;
        for (const result of toWrite) Object.assign(result, { result: 'error', error: message });
      }
    }
  }
  if (options.record !== undefined) for (const result of results) await options.record(`${JSON.stringify(rangeRecordLine(result))}\n`);
  return results;
}

function rangeRecordLine(result: RangeBlockResult): Record<string, unknown> {
  return {
    tollguard: 'monitor-action',
    version: 1,
    at: result.at,
    action: 'block-range',
    dry_run: result.dryRun,
    range: result.range,
    prefix: result.prefix,
    country: result.country,
    numbers: result.numbers,
    key: result.key,
    until: new Date(result.until).toISOString(),
    blocked_until: result.blockedUntil === undefined ? undefined : new Date(result.blockedUntil).toISOString(),
    decision: result.decision,
    result: result.result,
    error: result.error,
  };
}
