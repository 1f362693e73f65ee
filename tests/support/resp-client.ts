/**
 * A tiny RESP2 client for tests: one TCP connection, commands pipelined, replies matched in order.
 *
 * Bulk strings come back as Buffers (binary-safe); simple strings as strings; integers as numbers;
 * nil bulk strings and nil arrays as null; error replies as RespError values (not thrown).
 * Connection problems (refused, closed, timed out) reject with RespConnectionError.
 */
import * as net from 'node:net';

export class RespError {
  constructor(readonly message: string) {}
}

export class RespConnectionError extends Error {
  override readonly name = 'RespConnectionError';
}

export type RespValue = string | number | null | Buffer | RespError | RespValue[];
export type RespArg = string | number | Buffer;

export interface RespClientOptions {
  /** Connect timeout, and the longest the server may stay silent while replies are owed. */
  timeoutMs?: number;
}

interface Pending {
  resolve(value: RespValue): void;
  reject(error: Error): void;
}

const CRLF = Buffer.from('\r\n');
const DEFAULT_TIMEOUT_MS = 5000;

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly RespArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg), 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

/** Result of parsing one reply: the value and where the next reply starts. */
interface Parsed {
  value: RespValue;
  next: number;
}

function findLineEnd(buf: Buffer, from: number): number {
  return buf.indexOf(CRLF, from);
}

/** Parses one reply starting at `pos`; returns undefined when the buffer does not hold it whole. */
export function parseReply(buf: Buffer, pos: number): Parsed | undefined {
  if (pos >= buf.length) return undefined;
  const lineEnd = findLineEnd(buf, pos + 1);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[pos] as number);
  const line = buf.toString('utf8', pos + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: afterLine };
    case '-':
      return { value: new RespError(line), next: afterLine };
    case ':':
      return { value: Number(line), next: afterLine };
    case '$':
      return parseBulk(buf, Number(line), afterLine);
    case '*':
      return parseArray(buf, Number(line), afterLine);
    default:
      throw new Error(`RESP protocol error: unexpected type byte ${JSON.stringify(type)}`);
  }
}

function parseBulk(buf: Buffer, length: number, start: number): Parsed | undefined {
  if (length < 0) return { value: null, next: start };
  const end = start + length;
  if (buf.length < end + 2) return undefined;
  return { value: Buffer.from(buf.subarray(start, end)), next: end + 2 };
}

function parseArray(buf: Buffer, count: number, start: number): Parsed | undefined {
  if (count < 0) return { value: null, next: start };
  const items: RespValue[] = [];
  let next = start;
  for (let i = 0; i < count; i++) {
    const item = parseReply(buf, next);
    if (!item) return undefined;
    items.push(item.value);
    next = item.next;
  }
  return { value: items, next };
}

function parseRedisUrl(url: string): { host: string; port: number; password?: string; db?: number } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:') throw new Error(`Only redis:// URLs are supported, got ${url}`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = parsed.port ? Number(parsed.port) : 6379;
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText ? Number(dbText) : undefined;
  return { host, port, ...(password ? { password } : {}), ...(db !== undefined ? { db } : {}) };
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new RespConnectionError(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new RespConnectionError(`connect to ${host}:${port} failed: ${err.message}`));
    });
  });
}

export class RespClient {
  private readonly pending: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private closedError: RespConnectionError | null = null;

  private constructor(private readonly socket: net.Socket, timeoutMs: number) {
    socket.setNoDelay(true);
    socket.setTimeout(timeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('timeout', () => this.onTimeout(timeoutMs));
    socket.on('error', (err) => this.fail(new RespConnectionError(`Redis connection error: ${err.message}`)));
    socket.on('close', () => this.fail(new RespConnectionError('Redis connection closed')));
  }

  /** Opens a connection (AUTH / SELECT from the URL are applied before resolving). */
  static async connect(url: string, opts: RespClientOptions = {}): Promise<RespClient> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const target = parseRedisUrl(url);
    const client = new RespClient(await openSocket(target.host, target.port, timeoutMs), timeoutMs);
    try {
      if (target.password !== undefined) await client.expectOk(['AUTH', target.password]);
      if (target.db !== undefined) await client.expectOk(['SELECT', target.db]);
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  /** True once the connection is closed, broken or timed out; a closed client rejects every send. */
  get closed(): boolean {
    return this.closedError !== null;
  }

  send(args: readonly RespArg[]): Promise<RespValue> {
    return this.write([args])[0] as Promise<RespValue>;
  }

  /** Writes all commands in one socket write (one round trip); replies come back in order. */
  sendPipeline(commands: readonly (readonly RespArg[])[]): Promise<RespValue[]> {
    return Promise.all(this.write(commands));
  }

  close(): void {
    this.fail(new RespConnectionError('Redis connection closed by client'));
  }

  private write(commands: readonly (readonly RespArg[])[]): Promise<RespValue>[] {
    const promises = commands.map(() => this.enqueue());
    if (this.closedError === null && commands.length > 0) {
      this.socket.write(Buffer.concat(commands.map(encodeCommand)));
    }
    return promises;
  }

  private enqueue(): Promise<RespValue> {
    return new Promise<RespValue>((resolve, reject) => {
      if (this.closedError) reject(this.closedError);
      else this.pending.push({ resolve, reject });
    });
  }

  private async expectOk(args: readonly RespArg[]): Promise<void> {
    const reply = await this.send(args);
    if (reply instanceof RespError) throw new RespConnectionError(`${String(args[0])} failed: ${reply.message}`);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let pos = 0;
    try {
      for (let parsed = parseReply(this.buffer, pos); parsed; parsed = parseReply(this.buffer, pos)) {
        pos = parsed.next;
        this.pending.shift()?.resolve(parsed.value);
      }
    } catch (err) {
      this.fail(new RespConnectionError((err as Error).message));
      return;
    }
    this.buffer = this.buffer.subarray(pos);
  }

  private onTimeout(timeoutMs: number): void {
    if (this.pending.length === 0) return; // idle is fine; only a silent server owing replies is not
    this.fail(new RespConnectionError(`Redis did not answer within ${timeoutMs} ms`));
  }

  private fail(error: RespConnectionError): void {
    if (this.closedError === null) this.closedError = error;
    this.socket.destroy();
    for (let p = this.pending.shift(); p; p = this.pending.shift()) p.reject(this.closedError);
  }
}
