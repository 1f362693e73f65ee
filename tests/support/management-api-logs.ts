/**
 * A local Auth0 Management API for tests of `npm run monitor`, following Auth0's documented shapes:
 *
 * - `POST /oauth/token`, client credentials (form or JSON body: grant_type, client_id,
 *   client_secret, audience) → `{access_token, scope, expires_in, token_type: "Bearer"}`; bad
 *   credentials → 401 `{error: "access_denied", error_description: "Unauthorized"}`.
 * - `GET /api/v2/logs`:
 *   - checkpoint mode (`from` present): logs with a log_id after `from`, ordered by log_id, at most
 *     `take` (1..100) of them, as a bare JSON array; every other parameter ignored; a `Link` header
 *     with `rel="next"` pointing at `?from=<last log_id>&take=<take>`; an empty array (and a next
 *     link equal to the request) when caught up.
 *   - search mode: `q` (the subset used here: `date:[YYYY-MM-DD TO YYYY-MM-DD|*]`, `type:x`,
 *     `type:("a" OR "b")`, joined by AND), `sort` (`date:1` / `date:-1`, default newest first),
 *     `page`, `per_page` (max 100), `include_totals` (→ `{start, limit, length, total, logs}`);
 *     only the first 1,000 results can be paged.
 * - `PATCH /api/v2/users/{id}` (JSON body; `blocked` must be a boolean) → the user; unknown user →
 *   404 `inexistent_user`. `DELETE /api/v2/users/{id}` → 204. Both recorded.
 * - Every /api/v2 answer carries `x-ratelimit-limit`, `x-ratelimit-remaining` and
 *   `x-ratelimit-reset` (UNIX seconds); `rateLimit(n)` makes the next n API calls answer 429
 *   `{statusCode: 429, error: "Too Many Requests", message: "Global limit has been reached"}`.
 * - Bearer tokens are checked (issued ones, or the static token) and so are scopes: read:logs,
 *   update:users, delete:users → 403 `insufficient_scope`.
 *
 * The server speaks plain HTTP by default (for the SDK's sub-clients, which take a `baseUrl`), or
 * HTTPS with a self-signed certificate for 127.0.0.1 generated at start (`tls: true`), for the
 * `ManagementClient` itself, which always builds `https://{domain}/api/v2`: give the child process
 * `NODE_EXTRA_CA_CERTS` pointing at `caPem` written to a file.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
  status: number;
}

export interface UserChange {
  id: string;
  body: Record<string, unknown>;
}

export interface ManagementApiServerOptions {
  tls?: boolean;
  clientId?: string;
  clientSecret?: string;
  /** Scopes granted to issued tokens (default read:logs update:users delete:users). */
  scopes?: string[];
  /** Users that exist (PATCH / DELETE of others → 404). Default: every user exists. */
  users?: string[];
  /** x-ratelimit-limit (default 50). */
  rateLimit?: number;
}

export interface ManagementApiServer {
  readonly url: string;
  /** host:port, what `ManagementClient({domain})` takes. */
  readonly domain: string;
  readonly caPem: string | undefined;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Always accepted as a bearer token, with every scope. */
  readonly staticToken: string;
  readonly requests: RecordedRequest[];
  readonly userUpdates: UserChange[];
  readonly userDeletes: string[];
  /** Adds logs (each needs log_id and date); they are served in log_id order. */
  addLogs(logs: readonly Record<string, unknown>[]): void;
  /** The next `times` API calls answer 429, the bucket resetting `resetInSeconds` from now. */
  rateLimited(times: number, resetInSeconds?: number): void;
  /** Remaining requests announced by the next `times` successful answers. */
  announceRemaining(remaining: number, times: number, resetInSeconds?: number): void;
  close(): Promise<void>;
}

const ALL_SCOPES = ['read:logs', 'update:users', 'delete:users'];

export async function startManagementApi(options: ManagementApiServerOptions = {}): Promise<ManagementApiServer> {
  const clientId = options.clientId ?? 'monitor-test-client';
  const clientSecret = options.clientSecret ?? randomBytes(12).toString('hex');
  const staticToken = `static-${randomBytes(12).toString('hex')}`;
  const scopes = options.scopes ?? ALL_SCOPES;
  const limit = options.rateLimit ?? 50;
  const tokens = new Map<string, string[]>([[staticToken, ALL_SCOPES]]);
  const knownUsers = options.users === undefined ? undefined : new Set(options.users);
  let logs: Record<string, unknown>[] = [];
  const requests: RecordedRequest[] = [];
  const userUpdates: UserChange[] = [];
  const userDeletes: string[] = [];
  let limited = 0;
  let limitedReset = 1;
  let announced: { remaining: number; times: number; reset: number } | undefined;

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
      const query = Object.fromEntries(url.searchParams.entries());
      const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, authorization: req.headers.authorization, body: undefined, status: 0 };
      requests.push(record);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        record.status = status;
        const text = body === undefined ? '' : JSON.stringify(body);
        res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...headers });
        res.end(text);
      };
      try {
        record.body = parseBody(raw, req.headers['content-type']);
      } catch {
        send(400, { statusCode: 400, error: 'Bad Request', message: 'Invalid request payload JSON format' });
        return;
      }

      if (url.pathname === '/oauth/token' && req.method === 'POST') {
        const body = (record.body ?? {}) as Record<string, unknown>;
        if (body['grant_type'] !== 'client_credentials') {
          send(403, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' });
          return;
        }
        if (body['client_id'] !== clientId || body['client_secret'] !== clientSecret) {
          send(401, { error: 'access_denied', error_description: 'Unauthorized' });
          return;
        }
        // The SDK asks for https://{domain}/api/v2/ (in plain-HTTP mode, tests may use the http form).
        const host = req.headers.host ?? '';
        const audiences = options.tls === true ? [`https://${host}/api/v2/`] : [`https://${host}/api/v2/`, `http://${host}/api/v2/`];
        if (typeof body['audience'] !== 'string' || !audiences.includes(body['audience'])) {
          send(403, { error: 'access_denied', error_description: `Service not enabled within domain: ${String(body['audience'])}` });
          return;
        }
        const token = `tok-${randomBytes(16).toString('hex')}`;
        tokens.set(token, scopes);
        send(200, { access_token: token, scope: scopes.join(' '), expires_in: 86400, token_type: 'Bearer' });
        return;
      }

      if (!url.pathname.startsWith('/api/v2/')) {
        send(404, { statusCode: 404, error: 'Not Found', message: 'Not Found' });
        return;
      }
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const granted = token === undefined ? undefined : tokens.get(token);
      if (granted === undefined) {
        send(401, { statusCode: 401, error: 'Unauthorized', message: 'Invalid token', attributes: { error: 'Invalid token' } });
        return;
      }
      const nowSeconds = Math.ceil(Date.now() / 1000);
      if (limited > 0) {
        limited -= 1;
        send(
          429,
          { statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached', errorCode: 'too_many_requests' },
          { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(nowSeconds + limitedReset) },
        );
        return;
      }
      let remaining = limit - 1;
      let reset = nowSeconds + 1;
      if (announced !== undefined && announced.times > 0) {
        announced.times -= 1;
        remaining = announced.remaining;
        reset = nowSeconds + announced.reset;
      }
      const rateHeaders = { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(reset) };
      const need = (scope: string): boolean => {
        if (granted.includes(scope)) return true;
        send(403, { statusCode: 403, error: 'Forbidden', message: `Insufficient scope, expected any of: ${scope}`, errorCode: 'insufficient_scope' }, rateHeaders);
        return false;
      };

      if (url.pathname === '/api/v2/logs' && req.method === 'GET') {
        if (!need('read:logs')) return;
        const from = url.searchParams.get('from');
        if (from !== null) {
          const take = url.searchParams.has('take') ? Number(url.searchParams.get('take')) : 50;
          if (!Number.isInteger(take) || take < 1 || take > 100) {
            send(400, { statusCode: 400, error: 'Bad Request', message: 'Query validation error: take must be an integer from 1 to 100', errorCode: 'invalid_query_string' }, rateHeaders);
            return;
          }
          const page = logs.filter((log) => compareLogIds(String(log['log_id']), from) > 0).slice(0, take);
          const last = page.length > 0 ? String(page[page.length - 1]?.['log_id']) : from;
          const next = `${options.tls === true ? 'https' : 'http'}://${req.headers.host ?? ''}/api/v2/logs?from=${encodeURIComponent(last)}&take=${take}`;
          send(200, page, { ...rateHeaders, link: `<${next}>; rel="next"` });
          return;
        }
        const perPage = url.searchParams.has('per_page') ? Number(url.searchParams.get('per_page')) : 50;
        const pageIndex = url.searchParams.has('page') ? Number(url.searchParams.get('page')) : 0;
        if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100 || !Number.isInteger(pageIndex) || pageIndex < 0) {
          send(400, { statusCode: 400, error: 'Bad Request', message: 'Query validation error: per_page must be 1..100, page >= 0', errorCode: 'invalid_query_string' }, rateHeaders);
          return;
        }
        if ((pageIndex + 1) * perPage > 1000) {
          send(400, { statusCode: 400, error: 'Bad Request', message: 'You can only page through the first 1000 records. See https://auth0.com/docs/logs/retrieve-log-events-using-mgmt-api#limitations', errorCode: 'invalid_paging' }, rateHeaders);
          return;
        }
        let matcher: (log: Record<string, unknown>) => boolean;
        try {
          matcher = parseQuery(url.searchParams.get('q') ?? '');
        } catch (error) {
          send(400, { statusCode: 400, error: 'Bad Request', message: `Invalid query: ${(error as Error).message}`, errorCode: 'invalid_query_string' }, rateHeaders);
          return;
        }
        const sort = url.searchParams.get('sort') ?? 'date:-1';
        if (sort !== 'date:1' && sort !== 'date:-1') {
          send(400, { statusCode: 400, error: 'Bad Request', message: `Unsupported sort ${sort} in this test server`, errorCode: 'invalid_query_string' }, rateHeaders);
          return;
        }
        const direction = sort === 'date:1' ? 1 : -1;
        const matched = logs.filter(matcher).sort((a, b) => direction * (Date.parse(String(a['date'])) - Date.parse(String(b['date']))));
        const slice = matched.slice(pageIndex * perPage, (pageIndex + 1) * perPage);
        const totals = url.searchParams.get('include_totals') === 'true';
        send(200, totals ? { start: pageIndex * perPage, limit: perPage, length: slice.length, total: Math.min(matched.length, 1000), logs: slice } : slice, rateHeaders);
        return;
      }

      const userMatch = /^\/api\/v2\/users\/([^/]+)$/.exec(url.pathname);
      if (userMatch?.[1] !== undefined && (req.method === 'PATCH' || req.method === 'DELETE')) {
        const id = decodeURIComponent(userMatch[1]);
        if (!need(req.method === 'PATCH' ? 'update:users' : 'delete:users')) return;
        if (knownUsers !== undefined && !knownUsers.has(id)) {
          send(404, { statusCode: 404, error: 'Not Found', message: 'The user does not exist.', errorCode: 'inexistent_user' }, rateHeaders);
          return;
        }
        if (req.method === 'DELETE') {
          userDeletes.push(id);
          knownUsers?.delete(id);
          send(204, undefined, rateHeaders);
          return;
        }
        const body = record.body;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          send(400, { statusCode: 400, error: 'Bad Request', message: 'Payload validation error: expected an object', errorCode: 'invalid_body' }, rateHeaders);
          return;
        }
        const fields = body as Record<string, unknown>;
        if ('blocked' in fields && typeof fields['blocked'] !== 'boolean') {
          send(400, { statusCode: 400, error: 'Bad Request', message: "Payload validation error: 'Expected type boolean but found type " + typeof fields['blocked'] + "' on property blocked", errorCode: 'invalid_body' }, rateHeaders);
          return;
        }
        userUpdates.push({ id, body: fields });
        send(200, { user_id: id, blocked: fields['blocked'] === true, updated_at: new Date().toISOString(), identities: [] }, rateHeaders);
        return;
      }
      send(404, { statusCode: 404, error: 'Not Found', message: 'Not Found' }, rateHeaders);
    });
  };

  let caPem: string | undefined;
  let server: http.Server | https.Server;
  if (options.tls === true) {
    const certificate = selfSignedCertificate('127.0.0.1');
    caPem = certificate.certPem;
    server = https.createServer({ key: certificate.keyPem, cert: certificate.certPem }, handler);
  } else {
    server = http.createServer(handler);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const domain = `127.0.0.1:${port}`;

  return {
    url: `${options.tls === true ? 'https' : 'http'}://${domain}`,
    domain,
    caPem,
    clientId,
    clientSecret,
    staticToken,
    requests,
    userUpdates,
    userDeletes,
    addLogs(added) {
      for (const log of added) {
        if (typeof log['log_id'] !== 'string' || typeof log['date'] !== 'string') throw new Error('test logs need a log_id and a date');
      }
      logs = [...logs, ...added].sort((a, b) => compareLogIds(String(a['log_id']), String(b['log_id'])));
    },
    rateLimited(times, resetInSeconds = 1) {
      limited = times;
      limitedReset = resetInSeconds;
    },
    announceRemaining(remaining, times, resetInSeconds = 1) {
      announced = { remaining, times, reset: resetInSeconds };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Auth0 log ids are fixed-width digit strings; order by length, then lexically. */
export function compareLogIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** An Auth0-like log_id: `900` + the date's digits (YYYYMMDDHHmmssSSS) + a zero-padded sequence. */
export function makeLogId(date: number, sequence: number): string {
  const stamp = new Date(date).toISOString().replace(/\D/g, '').slice(0, 17);
  return `900${stamp}${String(sequence).padStart(36, '0')}`;
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw).entries());
  return JSON.parse(raw);
}

/** The subset of Auth0's Lucene log query syntax these tests use. */
function parseQuery(q: string): (log: Record<string, unknown>) => boolean {
  const trimmed = q.trim();
  if (trimmed.length === 0) return () => true;
  const clauses = trimmed.split(/\s+AND\s+/);
  const tests = clauses.map((clause): ((log: Record<string, unknown>) => boolean) => {
    const date = /^date:\[(\d{4}-\d{2}-\d{2}|\*) TO (\d{4}-\d{2}-\d{2}|\*)\]$/.exec(clause);
    if (date) {
      const from = date[1] === '*' ? -Infinity : Date.parse(`${date[1]}T00:00:00.000Z`);
      const to = date[2] === '*' ? Infinity : Date.parse(`${date[2]}T23:59:59.999Z`);
      return (log) => {
        const at = Date.parse(String(log['date']));
        return at >= from && at <= to;
      };
    }
    const typeList = /^type:\((.+)\)$/.exec(clause);
    if (typeList?.[1] !== undefined) {
      const types = typeList[1].split(/\s+OR\s+/).map((item) => item.replace(/^"|"$/g, ''));
      return (log) => types.includes(String(log['type']));
    }
    const type = /^type:"?([^"\s]+)"?$/.exec(clause);
    if (type?.[1] !== undefined) {
      const value = type[1];
      return (log) => log['type'] === value;
    }
    throw new Error(`unsupported clause ${clause}`);
  });
  return (log) => tests.every((test) => test(log));
}

// ---------------------------------------------------------------------------------------------
// A self-signed X.509 certificate (EC P-256, ecdsa-with-SHA256) built with node:crypto and a
// minimal DER encoder: CN and subjectAltName IP for the host, basicConstraints CA so that the
// certificate can be its own trust anchor in NODE_EXTRA_CA_CERTS.
// ---------------------------------------------------------------------------------------------

export function selfSignedCertificate(ip: string): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const ecdsaWithSha256 = der(0x30, oid('1.2.840.10045.4.3.2'));
  const name = der(0x30, der(0x31, der(0x30, Buffer.concat([oid('2.5.4.3'), der(0x0c, Buffer.from(ip))]))));
  const now = Date.now();
  const validity = der(0x30, Buffer.concat([utcTime(now - 3_600_000), utcTime(now + 86_400_000)]));
  const ipBytes = Buffer.from(ip.split('.').map(Number));
  const basicConstraints = der(0x30, Buffer.concat([oid('2.5.29.19'), der(0x01, Buffer.from([0xff])), der(0x04, der(0x30, der(0x01, Buffer.from([0xff]))))]));
  const subjectAltName = der(0x30, Buffer.concat([oid('2.5.29.17'), der(0x04, der(0x30, der(0x87, ipBytes)))]));
  const serial = Buffer.concat([Buffer.from([0x01]), createHash('sha256').update(randomBytes(16)).digest().subarray(0, 15)]);
  const tbs = der(
    0x30,
    Buffer.concat([
      der(0xa0, der(0x02, Buffer.from([0x02]))),
      der(0x02, serial),
      ecdsaWithSha256,
      name,
      validity,
      name,
      spki,
      der(0xa3, der(0x30, Buffer.concat([basicConstraints, subjectAltName]))),
    ]),
  );
  const signature = sign('sha256', tbs, privateKey as KeyObject);
  const certificate = der(0x30, Buffer.concat([tbs, ecdsaWithSha256, der(0x03, Buffer.concat([Buffer.from([0x00]), signature]))]));
  const certPem = pem('CERTIFICATE', certificate);
  // Fails loudly if the encoding is wrong.
  if (!new X509Certificate(certPem).verify(publicKey)) throw new Error('generated certificate does not verify');
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

function der(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else if (length < 0x100) header = Buffer.from([tag, 0x81, length]);
  else header = Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([header, content]);
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [40 * (arcs[0] ?? 0) + (arcs[1] ?? 0)];
  for (const arc of arcs.slice(2)) {
    const encoded: number[] = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) encoded.unshift((value & 0x7f) | 0x80);
    bytes.push(...encoded);
  }
  return der(0x06, Buffer.from(bytes));
}

function utcTime(ms: number): Buffer {
  const text = new Date(ms).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return der(0x17, Buffer.from(text));
}

function pem(label: string, body: Buffer): string {
  const base64 = body.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}
