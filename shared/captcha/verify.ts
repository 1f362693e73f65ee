/**
 * The I/O edge: one POST to the provider under a hard deadline, then the pure interpretation.
 * It never throws and never retries (a token can be verified once; a login path cannot wait):
 * anything that goes wrong in transport is an 'error' verdict for the caller's fail mode.
 * Request formats are in endpoints.ts.
 */
import { NO_REDIRECT, discardBody, redirectProblem } from '../delivery/no-redirect';
import { parseIp } from '../net/ip';
import { maxTokenLength } from './endpoints';
import { interpretAnswer, scrubVerdict, type ProviderAnswer } from './interpret';
import type { CaptchaConfig, CaptchaVerdict } from './types';

/** Answers larger than this are no siteverify or assessment answer. */
const MAX_ANSWER_CHARS = 65_536;

export interface VerifyRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Pure: the HTTP request each provider documents. remoteIp is sent only when it is an IP address. */
export function buildVerifyRequest(token: string, remoteIp: string | undefined, config: CaptchaConfig): VerifyRequest {
  const ip = parseIp(remoteIp)?.text;
  if (config.provider === 'recaptcha-enterprise') {
    const event: Record<string, string> = { token, siteKey: config.siteKey ?? '' };
    if (config.expectedAction !== undefined) event['expectedAction'] = config.expectedAction;
    if (ip !== undefined) event['userIpAddress'] = ip;
    return {
      url: `${config.verifyUrl}?key=${encodeURIComponent(config.secret)}`,
      headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
      body: JSON.stringify({ event }),
    };
  }
  const form = new URLSearchParams({ secret: config.secret, response: token });
  if (ip !== undefined) form.set('remoteip', ip);
  if (config.provider === 'hcaptcha' && config.siteKey !== undefined) form.set('sitekey', config.siteKey);
  return {
    url: config.verifyUrl,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
  };
}

export async function verifyCaptcha(
  token: string,
  remoteIp: string | undefined,
  config: CaptchaConfig,
  fetchImpl?: typeof fetch,
): Promise<CaptchaVerdict> {
  const sensitive = [token, config.secret];
  const local = localVerdict(token, config);
  if (local !== undefined) return local;
  const errorVerdict = (reason: string): CaptchaVerdict =>
    scrubVerdict({ outcome: 'error', provider: config.provider, score: undefined, reason, hostname: undefined, action: undefined }, sensitive);
  let answer: ProviderAnswer;
  try {
    answer = await post(buildVerifyRequest(token, remoteIp, config), config, fetchImpl ?? fetch);
  } catch (error) {
    return errorVerdict(describeFailure(error, config));
  }
  try {
    return scrubVerdict(interpretAnswer(config.provider, answer, config), sensitive);
  } catch (error) {
    // A bug here must not throw into the login flow.
    return errorVerdict(`could not interpret the ${config.provider} answer (${safeString(fields(error).message).slice(0, 160)})`);
  }
}

/** Tokens no provider would accept are refused without a round trip. */
function localVerdict(token: string, config: CaptchaConfig): CaptchaVerdict | undefined {
  const refuse = (reason: string): CaptchaVerdict => ({
    outcome: 'fail',
    provider: config.provider,
    score: undefined,
    reason,
    hostname: undefined,
    action: undefined,
  });
  if (token.trim() === '') return refuse('no token');
  const max = maxTokenLength(config.provider);
  if (token.length > max) return refuse(`token of ${token.length} characters is longer than ${max}`);
  return undefined;
}

class RedirectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedirectError';
  }
}

class DeadlineError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/** One POST, body read included, under one deadline that holds even if fetch ignores the signal. */
async function post(request: VerifyRequest, config: CaptchaConfig, fetchImpl: typeof fetch): Promise<ProviderAnswer> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineError(config.timeoutMs));
    }, config.timeoutMs);
  });
  const exchange = async (): Promise<ProviderAnswer> => {
    const response = await fetchImpl(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
      redirect: NO_REDIRECT,
    });
    const redirect = redirectProblem(response, config.provider, 'CAPTCHA_VERIFY_URL');
    if (redirect !== undefined) {
      await discardBody(response);
      throw new RedirectError(redirect);
    }
    const text = await response.text();
    if (text.length > MAX_ANSWER_CHARS) return { status: response.status, json: false, body: undefined };
    return { status: response.status, ...parseJson(text) };
  };
  try {
    return await Promise.race([exchange(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function parseJson(text: string): { json: boolean; body: unknown } {
  try {
    return { json: true, body: JSON.parse(text) as unknown };
  } catch {
    return { json: false, body: undefined };
  }
}

/** Errors are read by their name, message and cause properties: they may come from another realm. */
function describeFailure(error: unknown, config: CaptchaConfig): string {
  const { name, message, cause } = fields(error);
  if (name === 'TimeoutError' || name === 'AbortError') return `${config.provider} did not answer within ${config.timeoutMs} ms`;
  if (error instanceof RedirectError) return error.message;
  const inner = fields(cause);
  const detail = typeof inner.code === 'string' ? inner.code : typeof inner.message === 'string' ? inner.message : message;
  const raw = typeof detail === 'string' && detail !== '' ? detail : safeString(error);
  // Cleaned the same way as provider strings in interpret.ts, so scrubbing finds echoed values.
  const shown = raw.replace(/[^\x20-\x7e]|["\\]/g, '?').slice(0, 160);
  return `could not reach ${config.provider} (${shown})`;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return 'unprintable error';
  }
}

function fields(value: unknown): { name?: unknown; message?: unknown; code?: unknown; cause?: unknown } {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
