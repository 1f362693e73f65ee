/**
 * Helpers for the tests of the built send-phone-message bundle on a real Redis (through the
 * Upstash shim): a clock the bundle actually reads, a tiny alert-webhook receiver, a key scan, and
 * generators of valid phone numbers.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vm from 'node:vm';
import { parsePhoneNumber } from 'libphonenumber-js/max';
import { BATCH_SCRIPT, RAISE_UNTIL_SCRIPT, sha1 } from '../../shared/store/lua-scripts';
import { compactLua } from '../../scripts/lib/lua-compact';
import { RespClient } from '../support/resp-client';

// ---------------------------------------------------------------------------------------------
// Clock

/**
 * The loaded Action runs in Node's main context (see tests/support/actions-runtime.ts), so it reads
 * that context's `Date`, not the `Date` of Jest's sandbox: `jest.spyOn(Date, 'now')` in a test
 * file would not move the Action's clock. This one replaces `Date.now` of the main context (and of
 * the sandbox, so test code sees the same time). No fake timers: sockets and timeouts stay real.
 */
export class ActionClock {
  private readonly dates: DateConstructor[];
  private readonly originals: (() => number)[];
  private current: number | undefined;

  constructor() {
    const main = vm.runInThisContext('Date') as DateConstructor;
    this.dates = main === Date ? [Date] : [main, Date];
    this.originals = this.dates.map((date) => date.now);
  }

  /** Freezes the clock at `ms` (epoch milliseconds). */
  set(ms: number): void {
    this.current = ms;
    const now = () => this.current as number;
    for (const date of this.dates) date.now = now;
  }

  advance(ms: number): number {
    if (this.current === undefined) throw new Error('ActionClock.advance() before set()');
    this.set(this.current + ms);
    return this.current;
  }

  get now(): number {
    if (this.current === undefined) throw new Error('ActionClock is not set');
    return this.current;
  }

  restore(): void {
    this.current = undefined;
    this.dates.forEach((date, index) => {
      date.now = this.originals[index] as () => number;
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Alert webhook receiver

export interface HookServer {
  readonly url: string;
  /** Parsed JSON bodies (or the raw text when not JSON), in arrival order. */
  readonly bodies: unknown[];
  /** Status to answer with (default 200). */
  status: number;
  close(): Promise<void>;
}

export async function startHookServer(): Promise<HookServer> {
  const bodies: unknown[] = [];
  const state = { status: 200 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        bodies.push(JSON.parse(text));
      } catch {
        bodies.push(text);
      }
      res.writeHead(state.status, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 500;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Redis

/** Every key matching `pattern` (KEYS is fine on a test database). */
export async function scanKeys(redisUrl: string, pattern: string): Promise<string[]> {
  const client = await RespClient.connect(redisUrl, { timeoutMs: 2000 });
  try {
    const reply = await client.send(['KEYS', pattern]);
    if (!Array.isArray(reply)) throw new Error(`KEYS answered ${String(reply)}`);
    return reply.map((item) => (Buffer.isBuffer(item) ? item.toString('utf8') : String(item)));
  } finally {
    client.close();
  }
}

/**
 * SCRIPT LOAD of the store's Lua scripts, as a warm Upstash database has them: as the sources
 * hold them (the Okta hook and the monitor run those) and as the Action bundles carry them
 * (compacted by scripts/lib/lua-compact.ts); answers their SHA-1s.
 */
export async function loadStoreScripts(redisUrl: string): Promise<string[]> {
  const client = await RespClient.connect(redisUrl, { timeoutMs: 2000 });
  try {
    const shas: string[] = [];
    for (const script of [BATCH_SCRIPT, RAISE_UNTIL_SCRIPT].flatMap((source) => [source, compactLua(source)])) {
      const reply = await client.send(['SCRIPT', 'LOAD', script]);
      const sha = Buffer.isBuffer(reply) ? reply.toString('utf8') : String(reply);
      if (sha !== sha1(script)) throw new Error(`SCRIPT LOAD answered ${sha}, expected ${sha1(script)}`);
      shas.push(sha);
    }
    return shas;
  } finally {
    client.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

function assertValid(e164: string, country: string): string {
  const parsed = parsePhoneNumber(e164);
  if (!parsed.isValid() || parsed.country !== country) {
    throw new Error(`test number ${e164} is not a valid ${country} number (${String(parsed.country)}, ${String(parsed.getType())})`);
  }
  return e164;
}

/**
 * `count` valid US numbers (area code 415), each in its own 10 000-number range (its own
 * exchange), so that sending to all of them never looks like pumping on one range.
 */
export function usNumbersInDistinctRanges(count: number, firstExchange: number, line = '0142'): string[] {
  const numbers: string[] = [];
  for (let exchange = firstExchange; numbers.length < count; exchange += 1) {
    if (exchange > 999) throw new Error('ran out of exchanges');
    if (exchange % 100 === 11 || exchange === 555) continue; // N11 service codes; 555 is used elsewhere
    const candidate = `+1415${exchange}${line}`;
    const parsed = parsePhoneNumber(candidate);
    if (parsed.isValid() && parsed.country === 'US') numbers.push(candidate);
  }
  return numbers;
}

/** `count` valid GB mobile numbers in one range: `range` followed by four digits from `first`. */
export function gbNumbersInRange(range: string, count: number, first = 0): string[] {
  return Array.from({ length: count }, (_, i) => assertValid(`${range}${String(first + i).padStart(4, '0')}`, 'GB'));
}
