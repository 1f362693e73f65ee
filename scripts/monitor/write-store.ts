/**
 * `--write-store`: the conversion join's results, written into the counter store the Actions read.
 *
 * - Each verified number becomes a proof for the user who verified it (shared/feedback/proofs.ts
 *   recordProof: the number's proof key holds that user's tag; the range's and the country's proof
 *   counts go up by one). The store is read first, in one batch: a number already proven for that
 *   user is not recorded again (re-running over overlapping logs must not inflate the per-country
 *   evidence), and a number proven for another user is left alone (a proof belongs to one user).
 * - Each suspect range (conversion collapsed) gets a range block through the --block path
 *   (range-block.ts: raise-until on the range key, the pumping block duration).
 * Dry run by default: the plan is printed, masked, and nothing is read or written; `--apply` writes.
 * No output carries a full number: proofs are listed by masked number, and their keys (which
 * contain the number's digits) are never printed.
 */
import { isFullyProvenFor, isProvenFor, recordProof } from '../../shared/feedback/proofs';
import { maskPhoneNumber } from '../../shared/phone/mask';
import type { CounterStore } from '../../shared/store/counter-store';
import type { GuardKeys } from '../../shared/store/keys';
import { UpstashStore } from '../../shared/store/upstash-store';
import type { ConversionRow, ProofCandidate } from './conversion';
import { executeRangeBlocks, type PlannedRangeBlock, type RangeBlockResult, type StoreTarget } from './range-block';
import { describeError } from './respond';

export type ProofStore = CounterStore;

export interface ProofResult {
  at: string;
  dryRun: boolean;
  masked: string;
  userId: string;
  /** The range label (`+44740012xxxx`). */
  range: string;
  country?: string;
  result: 'would-record-proof' | 'proof-recorded' | 'already-proven' | 'proven-for-other-user' | 'error';
  error?: string;
}

export interface StoreWriteResults {
  proofs: ProofResult[];
  ranges: RangeBlockResult[];
}

export interface WriteStoreOptions {
  store: ProofStore | undefined;
  keys: GuardKeys | undefined;
  apply: boolean;
  now: number;
  blockMs: number;
  record?: (line: string) => Promise<void>;
}

export function openProofStore(target: StoreTarget): ProofStore {
  return new UpstashStore({ url: target.url, token: target.token, timeoutMs: 10_000 });
}

/** Pure: the range blocks for the suspect ranges, in --block's plan shape. */
export function planSuspectBlocks(rows: readonly ConversionRow[], keys: GuardKeys | undefined, now: number, blockMs: number): PlannedRangeBlock[] {
  return rows.map((row) => {
    const item: PlannedRangeBlock = { range: row.key, numbers: row.numbers, until: now + blockMs, decision: 'act' };
    if (row.country !== undefined) item.country = row.country;
    if (row.prefix === undefined) return { ...item, decision: 'skip-no-prefix' };
    item.prefix = row.prefix;
    if (keys === undefined) return { ...item, decision: 'skip-no-store' };
    return { ...item, key: keys.rangeBlock(row.prefix) };
  });
}

export async function writeStore(proofs: readonly ProofCandidate[], suspects: readonly ConversionRow[], options: WriteStoreOptions): Promise<StoreWriteResults> {
  const proofResults = await writeProofs(proofs, options);
  if (options.record !== undefined) for (const result of proofResults) await options.record(`${JSON.stringify(proofRecordLine(result))}\n`);
  const ranges = await executeRangeBlocks(planSuspectBlocks(suspects, options.keys, options.now, options.blockMs), {
    store: options.apply ? options.store : undefined,
    apply: options.apply,
    now: options.now,
    blockMs: options.blockMs,
    record: options.record,
  });
  return { proofs: proofResults, ranges };
}

async function writeProofs(proofs: readonly ProofCandidate[], options: WriteStoreOptions): Promise<ProofResult[]> {
  const at = new Date(options.now).toISOString();
  const results: ProofResult[] = proofs.map((proof) => ({
    at,
    dryRun: !options.apply,
    masked: maskPhoneNumber(proof.e164),
    userId: proof.userId,
    range: `${proof.range}${'x'.repeat(proof.e164.length - proof.range.length)}`,
    ...(proof.country !== undefined ? { country: proof.country } : {}),
    result: 'would-record-proof',
  }));
  if (!options.apply || proofs.length === 0) return results;
  const { store, keys } = options;
  if (store === undefined || keys === undefined) {
    for (const result of results) Object.assign(result, { result: 'error', error: 'no counter store' });
    return results;
  }
  let stored: (string | undefined)[];
  try {
    const answers = await store.run(options.now, proofs.map((proof) => ({ kind: 'get' as const, key: keys.proof(proof.e164) })));
    stored = answers.map((answer) => (answer.kind === 'get' ? answer.value : undefined));
  } catch (error) {
    for (const result of results) Object.assign(result, { result: 'error', error: `counter store: ${describeError(error)}` });
    return results;
  }
  for (const [index, proof] of proofs.entries()) {
    const result = results[index] as ProofResult;
    const current = stored[index];
    // A likely factor's proof (the send Action's inference) is made whole by the logs' evidence.
    if (isFullyProvenFor(current, proof.userId)) result.result = 'already-proven';
    else if (current !== undefined && !isProvenFor(current, proof.userId)) result.result = 'proven-for-other-user';
    else {
      try {
        await recordProof(store, keys, proof, options.now);
        result.result = 'proof-recorded';
      } catch (error) {
        Object.assign(result, { result: 'error', error: `counter store: ${describeError(error)}` });
      }
    }
  }
  return results;
}

function proofRecordLine(result: ProofResult): Record<string, unknown> {
  return {
    tollguard: 'monitor-action',
    version: 1,
    at: result.at,
    action: 'record-proof',
    dry_run: result.dryRun,
    to: result.masked,
    user_id: result.userId,
    range: result.range,
    country: result.country,
    result: result.result,
    error: result.error,
  };
}
