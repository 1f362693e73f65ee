/**
 * `--apply`: writes the plan's changes with the two bulk APIs, then reads the account back and
 * judges every changed row by what Twilio reports afterwards, never by what was sent. A country
 * Twilio refuses with error 30649 is "change it in the Console", never done.
 */
import type { SmsUpdateResult, TwilioGeoClient } from './client';
import { pendingChanges, sameSwitches, type AccountSettings, type GeoPlan, type PlanRow, type SmsRow, type VoiceRow } from './plan';

export type Outcome = 'done' | 'console' | 'failed';

export interface RowResult {
  row: PlanRow;
  outcome: Outcome;
  detail: string;
}

export interface ApplyReport {
  results: RowResult[];
  /** Problems with whole requests (a stall, an error answer, a short update count). */
  requestProblems: string[];
  requests: number;
}

export interface ApplyOptions {
  batchSize?: number; // countries per request, default 100 (Twilio documents no limit)
  readBackAttempts?: number; // default 3: a bulk voice update is "accepted", maybe not yet visible
  readBackPauseMs?: number; // default 2000
  sleep?: (ms: number) => Promise<void>;
}

const CONSOLE_ONLY_CODE = 30649;

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface Sent {
  /** Per SMS country: Twilio's per-country error, when it gave one. */
  smsErrors: Map<string, SmsUpdateResult>;
  /** Rows whose request failed as a whole (with why). */
  unsent: Map<PlanRow, string>;
  problems: string[];
}

async function send(client: TwilioGeoClient, sms: SmsRow[], voice: VoiceRow[], size: number): Promise<Sent> {
  const sent: Sent = { smsErrors: new Map(), unsent: new Map(), problems: [] };
  let stopped: string | undefined;
  // Batches go out one after another; once a request fails (it may have stalled half-applied), the
  // rest stay unsent, and the read-back tells what did happen.
  const each = async <R extends PlanRow>(rows: R[], what: string, write: (batch: R[]) => Promise<void>) => {
    for (const batch of batches(rows, size)) {
      if (stopped !== undefined) {
        batch.forEach((row) => sent.unsent.set(row, stopped ?? ''));
        continue;
      }
      try {
        await write(batch);
      } catch (error) {
        sent.problems.push(`${what} of ${batch.length} countries: ${errorText(error)}`);
        batch.forEach((row) => sent.unsent.set(row, errorText(error)));
        stopped = 'not sent: an earlier update failed';
      }
    }
  };
  await each(sms, 'SMS update', async (batch) => {
    const results = await client.updateSms(batch.map((row) => ({ country: row.country, enabled: row.target })));
    for (const result of results) if (result.errorCode !== 0) sent.smsErrors.set(result.country, result);
  });
  await each(voice, 'voice bulk update', async (batch) => {
    const count = await client.updateVoice(batch.map((row) => ({ isoCode: row.country, switches: row.target })));
    if (count !== batch.length) sent.problems.push(`voice bulk update: Twilio updated ${count} of the ${batch.length} countries sent`);
  });
  return sent;
}

function judgeSms(row: SmsRow, actual: AccountSettings, sent: Sent): RowResult {
  const now = actual.sms.find((s) => s.country === row.country)?.enabled;
  if (now === row.target) return { row, outcome: 'done', detail: 'read back' };
  const refusal = sent.smsErrors.get(row.country);
  const state = now === undefined ? 'Twilio no longer lists it' : `Twilio still reports ${now ? 'on' : 'off'}`;
  if (refusal?.errorCode === CONSOLE_ONLY_CODE) {
    return { row, outcome: 'console', detail: `Twilio error 30649 (${refusal.errorMessages.join('; ') || 'API changes refused'}): change it in the Twilio Console` };
  }
  if (refusal !== undefined) return { row, outcome: 'failed', detail: `Twilio error ${refusal.errorCode}: ${refusal.errorMessages.join('; ')}; ${state}` };
  return { row, outcome: 'failed', detail: sent.unsent.get(row) ?? `${state} after the update` };
}

function judgeVoice(row: VoiceRow, actual: AccountSettings, sent: Sent): RowResult {
  const now = actual.voice.find((v) => v.isoCode === row.country)?.switches;
  if (now !== undefined && sameSwitches(now, row.target)) return { row, outcome: 'done', detail: 'read back' };
  return { row, outcome: 'failed', detail: sent.unsent.get(row) ?? (now === undefined ? 'Twilio no longer lists it' : 'Twilio still reports the old setting after the update') };
}

function judgeAll(changes: { sms: SmsRow[]; voice: VoiceRow[] }, actual: AccountSettings, sent: Sent): RowResult[] {
  return [...changes.sms.map((row) => judgeSms(row, actual, sent)), ...changes.voice.map((row) => judgeVoice(row, actual, sent))];
}

export async function applyPlan(client: TwilioGeoClient, plan: GeoPlan, options: ApplyOptions = {}): Promise<ApplyReport> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const changes = pendingChanges(plan);
  const before = client.requestCount;
  if (changes.sms.length + changes.voice.length === 0) return { results: [], requestProblems: [], requests: 0 };
  const sent = await send(client, changes.sms, changes.voice, options.batchSize ?? 100);
  const attempts = options.readBackAttempts ?? 3;
  let results: RowResult[] = [];
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    results = judgeAll(changes, await client.readSettings(), sent);
    // Only a change that was sent and not refused may still be on its way.
    const waiting = results.some(
      (r) => r.outcome === 'failed' && !sent.unsent.has(r.row) && !(r.row.channel === 'sms' && sent.smsErrors.has(r.row.country)),
    );
    if (!waiting || attempt === attempts) break;
    await sleep(options.readBackPauseMs ?? 2000);
  }
  return { results, requestProblems: sent.problems, requests: client.requestCount - before };
}

export function exitCodeFor(report: ApplyReport): number {
  if (report.results.some((r) => r.outcome === 'failed') || report.requestProblems.length > 0) return 1;
  return report.results.some((r) => r.outcome === 'console') ? 3 : 0;
}
