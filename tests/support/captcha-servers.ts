/**
 * Local CAPTCHA verify servers for tests, one per provider, following the documented request and
 * answer formats (the pages are listed in shared/captcha/endpoints.ts):
 *
 * - reCAPTCHA v3: POST /recaptcha/api/siteverify, form body; a wrong secret is invalid-input-secret,
 *   a missing one missing-input-secret, no token missing-input-response, an unknown token
 *   invalid-input-response, a token seen twice timeout-or-duplicate.
 * - hCaptcha: POST /siteverify, form body, optional sitekey (one not matching the secret's site is
 *   sitekey-secret-mismatch) and remoteip (not an IP: invalid-remoteip); a token seen twice is
 *   already-seen-response; the Enterprise score is a risk score (1.0 = likely a bot).
 * - Turnstile: POST /turnstile/v0/siteverify, form or JSON body; a token longer than 2048
 *   characters is invalid-input-response, one seen twice timeout-or-duplicate unless the same
 *   idempotency_key comes with it (then the first answer is repeated); success answers carry
 *   "error-codes": [].
 * - reCAPTCHA Enterprise: POST /v1/projects/{project}/assessments?key={API key}, JSON body
 *   {event: {token, siteKey, expectedAction?, userIpAddress?}}; HTTP errors use the Google API
 *   error model {error: {code, message, status, details}}; token problems are 200 answers with
 *   tokenProperties.valid false and invalidReason MALFORMED / DUPE / MISSING / ...
 *   Modelled, not documented: the exact messages for a missing or wrong API key or project, and
 *   a site key that is not the project's (answered valid=false, UNKNOWN_INVALID_REASON; Google only
 *   says valid=false can mean a siteKey mismatch).
 *
 * Success answers carry the host the widget ran on and (except hCaptcha) the widget's action,
 * as each provider documents them: `hostname` / `action` at the top level of a siteverify answer,
 * `tokenProperties.hostname` / `tokenProperties.action` in an assessment. setToken chooses them,
 * or leaves one out (null) to model an answer without it.
 *
 * Every request is recorded. fail() and delay() queue faults for the next N requests.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import type { CaptchaProvider } from '../../shared/captcha/types';

export interface RecordedCaptchaRequest {
  method: string;
  path: string;
  contentType: string;
  params: Record<string, unknown>;
  query: Record<string, string>;
}

export interface CaptchaServer {
  /** The full verify URL to put in CAPTCHA_VERIFY_URL. */
  url: string;
  requests: RecordedCaptchaRequest[];
  close(): Promise<void>;
  setToken(token: string, answer: TokenAnswer): void;
  /** Answer the next `times` requests (default 1) with this status and raw body. */
  fail(status: number, body: string, times?: number): void;
  /** Hold the next `times` answers (default 1) for `ms` milliseconds. */
  delay(ms: number, times?: number): void;
  reset(): void;
}

export interface TokenAnswer {
  /** false: the provider's "invalid token" answer. */
  valid?: boolean;
  /**
   * In the provider's own convention (hCaptcha: risk, 1.0 = bot; the others: 1.0 = human).
   * reCAPTCHA v3 and Enterprise default to 0.9; null leaves it out (a reCAPTCHA v2 key's answer).
   */
  score?: number | null;
  /** The host the widget ran on; default DEFAULT_HOSTNAME; null: the answer carries none (Enterprise: ""). */
  hostname?: string | null;
  /**
   * The widget's action (reCAPTCHA v3, Turnstile, Enterprise; hCaptcha documents none and ignores
   * it); default DEFAULT_ACTION; null: the answer carries none (Turnstile and Enterprise: "").
   */
  action?: string | null;
  /** Siteverify providers: answer success=false with these codes. */
  errorCodes?: string[];
  /** Enterprise: the invalidReason when valid is false (default EXPIRED). */
  invalidReason?: string;
  /** Enterprise: riskAnalysis.reasons. hCaptcha: score_reason. */
  reasons?: string[];
}

export const DEFAULT_HOSTNAME = 'login.example.com';
export const DEFAULT_ACTION = 'signup';

const PATHS: Record<Exclude<CaptchaProvider, 'recaptcha-enterprise'>, string> = {
  'recaptcha-v3': '/recaptcha/api/siteverify',
  hcaptcha: '/siteverify',
  turnstile: '/turnstile/v0/siteverify',
};

interface Reply {
  status: number;
  body: string;
  contentType: string;
}

interface Parsed {
  path: string;
  query: Record<string, string>;
  contentType: string;
  params: Record<string, unknown>;
  /** The body was JSON but could not be parsed. */
  badJson: boolean;
}

export async function startCaptchaServer(
  provider: CaptchaProvider,
  opts: { secret: string; siteKey?: string; projectId?: string },
): Promise<CaptchaServer> {
  if (provider === 'recaptcha-enterprise' && (opts.siteKey === undefined || opts.projectId === undefined)) {
    throw new Error('the Enterprise server needs siteKey and projectId');
  }
  const tokens = new Map<string, TokenAnswer>();
  const seen = new Set<string>();
  const idempotent = new Map<string, { token: string; reply: Reply }>();
  const faults: Array<{ status: number; body: string; remaining: number }> = [];
  const delays: Array<{ ms: number; remaining: number }> = [];
  const requests: RecordedCaptchaRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const siteverifyPath = provider === 'recaptcha-enterprise' ? undefined : PATHS[provider];
  const enterprisePath = provider === 'recaptcha-enterprise' ? `/v1/projects/${opts.projectId}/assessments` : undefined;

  function take<T extends { remaining: number }>(queue: T[]): T | undefined {
    const head = queue[0];
    if (head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head;
  }

  function answer(parsed: Parsed): Reply {
    if (provider === 'recaptcha-enterprise') return assess(parsed);
    if (parsed.path !== siteverifyPath) return { status: 404, body: '<html><body>Not Found</body></html>', contentType: 'text/html; charset=utf-8' };
    return siteverify(provider, parsed);
  }

  function siteverify(kind: Exclude<CaptchaProvider, 'recaptcha-enterprise'>, parsed: Parsed): Reply {
    // Only Turnstile documents JSON bodies; the others read form fields, so JSON reaches them empty.
    const params = kind === 'turnstile' || parsed.contentType.startsWith('application/x-www-form-urlencoded') ? parsed.params : {};
    const secret = stringParam(params['secret']);
    const response = stringParam(params['response']);
    const codes: string[] = [];
    if (secret === undefined || secret === '') codes.push('missing-input-secret');
    else if (secret !== opts.secret) codes.push('invalid-input-secret');
    if (response === undefined || response === '') codes.push('missing-input-response');
    if (kind === 'hcaptcha') {
      const sitekey = stringParam(params['sitekey']);
      if (codes.length === 0 && sitekey !== undefined && opts.siteKey !== undefined && sitekey !== opts.siteKey) codes.push('sitekey-secret-mismatch');
      const remoteip = stringParam(params['remoteip']);
      if (remoteip !== undefined && isIP(remoteip) === 0) codes.push('invalid-remoteip');
    }
    if (kind === 'turnstile' && response !== undefined && response.length > 2048) codes.push('invalid-input-response');
    if (codes.length > 0 || response === undefined) return json(200, { success: false, 'error-codes': codes });

    const key = kind === 'turnstile' ? stringParam(params['idempotency_key']) : undefined;
    const earlier = key === undefined ? undefined : idempotent.get(key);
    if (earlier !== undefined && earlier.token === response) return earlier.reply;

    const registered = tokens.get(response);
    let reply: Reply;
    if (registered === undefined) reply = json(200, { success: false, 'error-codes': ['invalid-input-response'] });
    else if (seen.has(response)) {
      reply = json(200, { success: false, 'error-codes': [kind === 'hcaptcha' ? 'already-seen-response' : 'timeout-or-duplicate'] });
    } else if (registered.errorCodes !== undefined) reply = json(200, { success: false, 'error-codes': registered.errorCodes });
    else if (registered.valid === false) reply = json(200, { success: false, 'error-codes': ['invalid-input-response'] });
    else reply = json(200, successBody(kind, registered));
    if (registered !== undefined) seen.add(response);
    if (key !== undefined) idempotent.set(key, { token: response, reply });
    return reply;
  }

  function successBody(kind: Exclude<CaptchaProvider, 'recaptcha-enterprise'>, registered: TokenAnswer): Record<string, unknown> {
    const hostname = registered.hostname === undefined ? DEFAULT_HOSTNAME : registered.hostname;
    const action = registered.action === undefined ? DEFAULT_ACTION : registered.action;
    const common = { success: true, challenge_ts: new Date().toISOString(), ...(hostname === null ? {} : { hostname }) };
    switch (kind) {
      case 'recaptcha-v3': {
        // A v2 key answers on the same endpoint without score and action.
        const score = registered.score === undefined ? 0.9 : registered.score;
        return { ...common, ...(score === null ? {} : { score }), ...(action === null ? {} : { action }) };
      }
      case 'hcaptcha':
        return {
          ...common,
          credit: false,
          ...(typeof registered.score === 'number' ? { score: registered.score, score_reason: registered.reasons ?? [] } : {}),
        };
      case 'turnstile':
        return { ...common, 'error-codes': [], action: action ?? '', cdata: '' };
    }
  }

  function assess(parsed: Parsed): Reply {
    const match = /^\/v1\/projects\/([^/]+)\/assessments$/.exec(parsed.path);
    if (match === null) return { status: 404, body: '<html><body>Not Found</body></html>', contentType: 'text/html; charset=utf-8' };
    const key = parsed.query['key'];
    if (key === undefined || key === '') {
      return googleError(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
    }
    if (key !== opts.secret) {
      return googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'recaptchaenterprise.googleapis.com' } },
      ]);
    }
    if (parsed.path !== enterprisePath) {
      return googleError(403, 'PERMISSION_DENIED', `Permission denied on resource project ${decodeURIComponent(match[1] ?? '')}.`);
    }
    if (!parsed.contentType.startsWith('application/json') || parsed.badJson) {
      return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    const event = parsed.params['event'];
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      return googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
    }
    const fields = event as Record<string, unknown>;
    const siteKey = stringParam(fields['siteKey']);
    if (siteKey === undefined || siteKey === '') return googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
    const token = stringParam(fields['token']) ?? '';
    const echo = {
      token,
      siteKey,
      userAgent: '',
      userIpAddress: stringParam(fields['userIpAddress']) ?? '',
      expectedAction: stringParam(fields['expectedAction']) ?? '',
      hashedAccountId: '',
    };
    const name = `projects/123456789012/assessments/${randomBytes(8).toString('hex')}`;
    const invalid = (invalidReason: string) =>
      json(200, {
        name,
        event: echo,
        riskAnalysis: { score: 0, reasons: [] },
        tokenProperties: { valid: false, invalidReason, hostname: '', action: '', createTime: '1970-01-01T00:00:00Z' },
      });
    if (token === '') return invalid('MISSING');
    if (siteKey !== opts.siteKey) return invalid('UNKNOWN_INVALID_REASON');
    const registered = tokens.get(token);
    if (registered === undefined) return invalid('MALFORMED');
    if (seen.has(token)) return invalid('DUPE');
    seen.add(token);
    if (registered.valid === false) return invalid(registered.invalidReason ?? 'EXPIRED');
    return json(200, {
      name,
      event: echo,
      riskAnalysis: { score: registered.score ?? 0.9, reasons: registered.reasons ?? [] },
      tokenProperties: {
        valid: true,
        invalidReason: 'INVALID_REASON_UNSPECIFIED',
        hostname: registered.hostname === undefined ? DEFAULT_HOSTNAME : registered.hostname ?? '',
        action: registered.action === undefined ? DEFAULT_ACTION : registered.action ?? '',
        createTime: new Date().toISOString(),
      },
    });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1_048_576) chunks.push(chunk);
    });
    req.on('end', () => {
      const parsed = parse(req, Buffer.concat(chunks).toString('utf8'));
      requests.push({ method: req.method ?? '', path: parsed.path, contentType: parsed.contentType, params: parsed.params, query: parsed.query });
      const pause = take(delays)?.ms ?? 0;
      const respond = () => {
        timers.delete(timer);
        if (res.destroyed) return;
        const fault = take(faults);
        let reply: Reply;
        if (fault !== undefined) reply = { status: fault.status, body: fault.body, contentType: looksLikeJson(fault.body) ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8' };
        else if (req.method !== 'POST') reply = { status: 405, body: 'Method Not Allowed', contentType: 'text/plain' };
        else reply = answer(parsed);
        res.writeHead(reply.status, { 'content-type': reply.contentType });
        res.end(reply.body);
      };
      const timer = setTimeout(respond, pause);
      timers.add(timer);
    });
    req.on('error', () => undefined);
    res.on('error', () => undefined);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const path = enterprisePath ?? siteverifyPath ?? '/';

  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    setToken(token, tokenAnswer) {
      tokens.set(token, tokenAnswer);
      seen.delete(token);
    },
    fail(status, body, times = 1) {
      faults.push({ status, body, remaining: times });
    },
    delay(ms, times = 1) {
      delays.push({ ms, remaining: times });
    },
    reset() {
      tokens.clear();
      seen.clear();
      idempotent.clear();
      faults.length = 0;
      delays.length = 0;
      requests.length = 0;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parse(req: http.IncomingMessage, raw: string): Parsed {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  const query = Object.fromEntries(url.searchParams.entries());
  let params: Record<string, unknown> = {};
  let badJson = false;
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    params = Object.fromEntries(new URLSearchParams(raw).entries());
  } else if (contentType.startsWith('application/json')) {
    try {
      const value: unknown = JSON.parse(raw);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) params = value as Record<string, unknown>;
      else badJson = true;
    } catch {
      badJson = true;
    }
  }
  return { path: url.pathname, query, contentType, params, badJson };
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function json(status: number, body: unknown): Reply {
  return { status, body: JSON.stringify(body), contentType: 'application/json; charset=utf-8' };
}

function googleError(code: number, status: string, message: string, details: unknown[] = []): Reply {
  return json(code, { error: { code, message, status, ...(details.length > 0 ? { details } : {}) } });
}

function looksLikeJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}
