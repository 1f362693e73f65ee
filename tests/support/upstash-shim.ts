/**
 * A local HTTP server speaking the Upstash REST protocol (as @upstash/redis uses it) in front of a
 * real Redis, following the contract of hiett/serverless-redis-http (SRH). For tests only.
 *
 * Deliberate differences from SRH:
 * - `Content-Type: application/json; charset=...` is accepted (SRH wants the exact media type).
 * - Runtime errors inside MULTI/EXEC come back inline as `{"error": ...}` items.
 * - Connection-state commands (MULTI, WATCH, SELECT, SUBSCRIBE, ...) are refused: all requests
 *   share one pipelined Redis connection, so they would leak into other requests.
 * - Command arguments must be JSON strings or numbers (booleans, null, objects are refused).
 * - Integer replies beyond 2^53 lose precision (JSON numbers via JavaScript).
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RespClient, RespConnectionError, RespError, type RespValue } from './resp-client';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The command arrays of the body, arguments as strings ([] when the body was not valid). */
  readonly commands: string[][];
  /** Request headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface UpstashShim {
  /** http://127.0.0.1:port */
  readonly url: string;
  readonly token: string;
  /** Every request received, in order (for round-trip counting). */
  readonly requests: RecordedRequest[];
  /** Artificial delay added before answering each request. */
  latencyMs: number;
  /** When set, every request is answered with this status and raw body (an Upstash outage). */
  fail: null | { status: number; body: string };
  /** When true, every request's connection is destroyed without an answer (a network error). */
  dropConnections: boolean;
  close(): Promise<void>;
  resetRequests(): void;
}

export interface UpstashShimOptions {
  redisUrl: string;
  token?: string;
  latencyMs?: number;
  /** How long Redis may stay silent before the request fails with 500 (default 10 s). */
  redisTimeoutMs?: number;
}

type Command = string[];
type JsonValue = string | number | null | JsonValue[];
type ItemResult = { result: JsonValue } | { error: string };

interface Reply {
  status: number;
  body: unknown;
}

const PREFIX = 'tollguard upstash-shim';
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const WELCOME = `Welcome to the ${PREFIX} (Serverless Redis HTTP compatible)!`;
const NOT_FOUND = `${PREFIX}: Endpoint not found. The shim supports GET /, POST /, POST /pipeline and POST /multi-exec.`;
const BAD_CONTENT_TYPE = 'Invalid content type. Expected application/json.';
const BAD_AUTH = 'Missing/Invalid authorization header';
const BAD_TOKEN = 'Invalid token';
const BAD_COMMAND = 'Invalid command array. Expected a string array at root of the command and its arguments.';
const BAD_PIPELINE = 'Invalid command array. Expected an array of string arrays at root.';
const INTERNAL = `${PREFIX}: An error occurred internally`;
const STATEFUL_COMMANDS = new Set([
  'MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH', 'SELECT', 'SWAPDB', 'AUTH', 'HELLO', 'RESET', 'QUIT',
  'MONITOR', 'SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE',
]);

class BadRequest extends Error {}

// ---------------------------------------------------------------------------------------------
// Body validation

function toArg(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function toCommand(value: unknown, message: string): Command {
  if (!Array.isArray(value) || value.length === 0) throw new BadRequest(message);
  const args = value.map(toArg);
  if (args.some((a) => a === undefined)) throw new BadRequest(message);
  return args as Command;
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new BadRequest(`${BAD_COMMAND} The body is not valid JSON.`);
  }
}

function parseCommands(path: string, raw: Buffer): Command[] {
  const body = parseJson(raw);
  if (path === '/') return [toCommand(body, BAD_COMMAND)];
  if (!Array.isArray(body)) throw new BadRequest(BAD_PIPELINE);
  return body.map((item) => toCommand(item, BAD_PIPELINE));
}

function statefulError(command: Command): RespError | undefined {
  const name = (command[0] ?? '').toUpperCase();
  const clientReply = name === 'CLIENT' && (command[1] ?? '').toUpperCase() === 'REPLY';
  if (!STATEFUL_COMMANDS.has(name) && !clientReply) return undefined;
  return new RespError(`ERR ${PREFIX} does not support '${name}' (connection-state command)`);
}

// ---------------------------------------------------------------------------------------------
// Reply encoding

function encodeString(text: string | Buffer, base64: boolean): string {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return base64 ? bytes.toString('base64') : bytes.toString('utf8');
}

function encodeValue(value: RespValue, base64: boolean): JsonValue {
  if (value === null || typeof value === 'number') return value;
  if (typeof value === 'string' || Buffer.isBuffer(value)) return encodeString(value, base64);
  if (value instanceof RespError) return value.message; // nested error (e.g. inside a Lua table): never encoded
  return value.map((item) => encodeValue(item, base64));
}

function encodeItem(value: RespValue, base64: boolean): ItemResult {
  return value instanceof RespError ? { error: value.message } : { result: encodeValue(value, base64) };
}

// ---------------------------------------------------------------------------------------------
// Redis execution

class RedisGateway {
  private client: RespClient | null = null;
  private connecting: Promise<RespClient> | null = null;
  private closed = false;

  constructor(private readonly url: string, private readonly timeoutMs: number) {}

  async run(commands: Command[]): Promise<RespValue[]> {
    const refused = commands.map(statefulError);
    const allowed = commands.filter((_, i) => refused[i] === undefined);
    const replies = allowed.length > 0 ? await (await this.connection()).sendPipeline(allowed) : [];
    return refused.map((error) => error ?? (replies.shift() as RespValue));
  }

  /** MULTI, the commands, EXEC written as one pipeline: one write on one connection cannot interleave. */
  async transaction(commands: Command[]): Promise<RespValue> {
    const refused = commands.map(statefulError).find((e) => e !== undefined);
    if (refused) return new RespError(`EXECABORT Transaction discarded because of previous errors: ${refused.message}`);
    const replies = await (await this.connection()).sendPipeline([['MULTI'], ...commands, ['EXEC']]);
    return replies[replies.length - 1] ?? null;
  }

  close(): void {
    this.closed = true;
    this.client?.close();
    this.client = null;
  }

  private async connection(): Promise<RespClient> {
    if (this.closed) throw new RespConnectionError('shim is closed');
    if (this.client && !this.client.closed) return this.client;
    this.connecting ??= RespClient.connect(this.url, { timeoutMs: this.timeoutMs }).finally(() => {
      this.connecting = null;
    });
    const client = await this.connecting;
    if (this.closed) client.close();
    this.client = client;
    return client;
  }
}

type Route = (gateway: RedisGateway, commands: Command[], base64: boolean) => Promise<Reply>;

async function executeSingle(gateway: RedisGateway, commands: Command[], base64: boolean): Promise<Reply> {
  const [reply] = await gateway.run(commands);
  const item = encodeItem(reply ?? null, base64);
  return { status: 'error' in item ? 400 : 200, body: item };
}

async function executePipeline(gateway: RedisGateway, commands: Command[], base64: boolean): Promise<Reply> {
  const replies = await gateway.run(commands);
  return { status: 200, body: replies.map((r) => encodeItem(r, base64)) };
}

async function executeMulti(gateway: RedisGateway, commands: Command[], base64: boolean): Promise<Reply> {
  const reply = await gateway.transaction(commands);
  if (reply instanceof RespError) return { status: 400, body: { error: reply.message } };
  if (!Array.isArray(reply)) return { status: 400, body: { error: 'EXECABORT Transaction aborted' } };
  return { status: 200, body: reply.map((r) => encodeItem(r, base64)) };
}

const ROUTES: ReadonlyMap<string, Route> = new Map([
  ['/', executeSingle],
  ['/pipeline', executePipeline],
  ['/multi-exec', executeMulti],
]);

// ---------------------------------------------------------------------------------------------
// HTTP

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new BadRequest('Request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function normalisePath(url: string | undefined): string {
  const pathOnly = (url ?? '/').split('?')[0] ?? '/';
  const trimmed = pathOnly.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

function flatHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function isJsonContentType(header: string | undefined): boolean {
  const mediaType = (header ?? '').split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

/** Content type, then the authorization header, then the token (the body is checked after). */
function checkRequest(req: http.IncomingMessage, token: string): Reply | undefined {
  if (!isJsonContentType(req.headers['content-type'])) return { status: 400, body: { error: BAD_CONTENT_TYPE } };
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  if (!match) return { status: 400, body: { error: BAD_AUTH } };
  if (match[1] !== token) return { status: 401, body: { error: BAD_TOKEN } };
  return undefined;
}

function errorReply(err: unknown): Reply {
  if (err instanceof BadRequest) return { status: 400, body: { error: err.message } };
  if (err instanceof RespConnectionError) {
    return { status: 500, body: { error: `${PREFIX}: Unable to connect to the Redis server (${err.message}).` } };
  }
  return { status: 500, body: { error: INTERNAL } };
}

function send(res: http.ServerResponse, status: number, body: string): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

function respond(res: http.ServerResponse, reply: Reply): void {
  send(res, reply.status, JSON.stringify(reply.body));
}

/** The parsed command arrays, or why the body is not acceptable. */
function tryParseCommands(path: string, raw: Buffer): Command[] | BadRequest {
  try {
    return parseCommands(path, raw);
  } catch (err) {
    if (err instanceof BadRequest) return err;
    throw err;
  }
}

class Shim implements UpstashShim {
  readonly requests: RecordedRequest[] = [];
  latencyMs: number;
  fail: null | { status: number; body: string } = null;
  dropConnections = false;
  readonly url: string;
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();

  constructor(
    private readonly server: http.Server,
    private readonly gateway: RedisGateway,
    readonly token: string,
    latencyMs: number,
  ) {
    this.latencyMs = latencyMs;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.handle(req, res).catch((err: unknown) => respond(res, errorReply(err)));
    });
  }

  resetRequests(): void {
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.gateway.close();
    for (const timer of [...this.sleepers.keys()]) this.wake(timer);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = normalisePath(req.url);
    const route = method === 'POST' ? ROUTES.get(path) : undefined;
    const parsed = route ? tryParseCommands(path, await readBody(req)) : [];
    this.requests.push({ method, path, commands: parsed instanceof BadRequest ? [] : parsed, headers: flatHeaders(req) });
    await this.delay();
    if (this.dropConnections) req.socket.destroy();
    else if (this.fail) send(res, this.fail.status, this.fail.body);
    else respond(res, await this.answer(req, method, path, route, parsed));
  }

  private async answer(
    req: http.IncomingMessage,
    method: string,
    path: string,
    route: Route | undefined,
    parsed: Command[] | BadRequest,
  ): Promise<Reply> {
    if (method === 'GET' && path === '/') return { status: 200, body: WELCOME };
    if (!route) return { status: 404, body: { error: NOT_FOUND } };
    const rejected = checkRequest(req, this.token);
    if (rejected) return rejected;
    if (parsed instanceof BadRequest) return errorReply(parsed);
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    return route(this.gateway, parsed, base64).catch(errorReply);
  }

  /** Sleeps latencyMs; close() cuts every sleep short. */
  private delay(): Promise<void> {
    if (this.latencyMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(timer), this.latencyMs);
      this.sleepers.set(timer, resolve);
    });
  }

  private wake(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.sleepers.get(timer)?.();
    this.sleepers.delete(timer);
  }
}

export async function startUpstashShim(opts: UpstashShimOptions): Promise<UpstashShim> {
  const server = http.createServer();
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const gateway = new RedisGateway(opts.redisUrl, opts.redisTimeoutMs ?? 10_000);
  const token = opts.token ?? randomBytes(16).toString('hex');
  return new Shim(server, gateway, token, opts.latencyMs ?? 0);
}
