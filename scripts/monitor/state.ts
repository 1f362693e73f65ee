/**
 * The checkpoint file of scheduled live runs (`--checkpoint FILE`): where the last run stopped
 * reading (a log_id), and the send events of the recent past (`--history`), so that each run
 * analyses a full window and has baselines for surges although it only reads the new logs.
 *
 * NDJSON: a header line `{"tollguardMonitorState":1,"checkpoint":...,"salt":...}`, then one
 * normalised send event per line. No phone number is in it: events carry a salted hash of the
 * number (the salt lives in the header, so the same number keeps the same key across runs), the
 * masked form and the range. User ids, names, IPs and user agents are in it: the file is written
 * with mode 0600; keep it where the job's other secrets are.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import type { SendEvent } from './events';
import { isRecord } from './events';
import { newFileStats, readRecords } from './readers';

export interface MonitorState {
  checkpoint: string | undefined;
  salt: string;
  events: SendEvent[];
  updatedAt?: string;
  /** Lines of the file that were not valid events (skipped). */
  invalidLines: number;
}

export function newState(): MonitorState {
  return { checkpoint: undefined, salt: randomBytes(16).toString('hex'), events: [], invalidLines: 0 };
}

export class StateFileError extends Error {}

/** The state in `path`, or undefined when the file does not exist yet. */
export async function loadState(path: string): Promise<MonitorState | undefined> {
  const stats = newFileStats(path);
  let header: Record<string, unknown> | undefined;
  const events: SendEvent[] = [];
  let invalid = 0;
  try {
    for await (const record of readRecords(createReadStream(path), stats)) {
      if (header === undefined) {
        if (!isRecord(record.value) || record.value['tollguardMonitorState'] !== 1) {
          throw new StateFileError(`${path} is not a tollguard monitor checkpoint file (no header line)`);
        }
        header = record.value;
        continue;
      }
      if (isSendEvent(record.value)) events.push(record.value);
      else invalid += 1;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (header === undefined) throw new StateFileError(`${path} is empty or not a tollguard monitor checkpoint file`);
  const salt = header['salt'];
  if (typeof salt !== 'string' || !/^[0-9a-f]{16,64}$/.test(salt)) throw new StateFileError(`${path}: the header has no valid salt`);
  const checkpoint = header['checkpoint'];
  return {
    checkpoint: typeof checkpoint === 'string' && checkpoint.length > 0 ? checkpoint : undefined,
    salt,
    events,
    updatedAt: typeof header['updatedAt'] === 'string' ? header['updatedAt'] : undefined,
    invalidLines: invalid + stats.errors,
  };
}

/** Writes the state atomically (temp file + rename), readable by the owner only. */
export async function saveState(path: string, state: MonitorState, now: number): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  const handle = await open(temp, 'w', 0o600);
  try {
    const header = { tollguardMonitorState: 1, checkpoint: state.checkpoint ?? null, salt: state.salt, updatedAt: new Date(now).toISOString(), events: state.events.length };
    let buffer = `${JSON.stringify(header)}\n`;
    for (const event of state.events) {
      buffer += `${JSON.stringify(event)}\n`;
      if (buffer.length > 1 << 20) {
        await handle.write(buffer);
        buffer = '';
      }
    }
    await handle.write(buffer);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, path);
}

/** Events at or after `keepFrom`, oldest first. */
export function pruneEvents(events: readonly SendEvent[], keepFrom: number): SendEvent[] {
  return events.filter((event) => event.at >= keepFrom).sort((a, b) => a.at - b.at);
}

const SOURCES = new Set(['auth0', 'okta', 'tollguard']);
const OUTCOMES = new Set(['sent', 'failed', 'blocked']);

function isSendEvent(value: unknown): value is SendEvent {
  if (!isRecord(value)) return false;
  return (
    typeof value['at'] === 'number' && Number.isFinite(value['at']) &&
    typeof value['source'] === 'string' && SOURCES.has(value['source']) &&
    (value['channel'] === 'sms' || value['channel'] === 'voice') &&
    typeof value['outcome'] === 'string' && OUTCOMES.has(value['outcome']) &&
    typeof value['ok'] === 'boolean' &&
    typeof value['type'] === 'string' &&
    (value['hookFailover'] === undefined || value['hookFailover'] === true) &&
    optionalStrings(value, ['userId', 'userName', 'ip', 'userAgent', 'numberKey', 'numberMasked', 'range', 'rangePrefix', 'country', 'ipCountry'])
  );
}

function optionalStrings(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return keys.every((key) => value[key] === undefined || typeof value[key] === 'string');
}
