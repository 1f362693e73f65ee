/**
 * Pure: a provider's HTTP answer → a verdict. No I/O, no clock.
 *
 * Facts used (see endpoints.ts for the pages):
 * - Siteverify answers (reCAPTCHA v3, hCaptcha, Turnstile) always carry a boolean `success`; a
 *   failure lists `error-codes`. reCAPTCHA documents missing-input-secret, invalid-input-secret,
 *   missing-input-response, invalid-input-response, bad-request and timeout-or-duplicate (too old
 *   or already used). Turnstile adds internal-error ("the request can be retried"). hCaptcha
 *   documents expired-input-response, already-seen-response (older: invalid-or-already-seen-response),
 *   missing-remoteip, invalid-remoteip, not-using-dummy-passcode and sitekey-secret-mismatch.
 * - reCAPTCHA v3 `score`: 1.0 very likely a good interaction, 0.0 very likely a bot.
 * - hCaptcha Enterprise `score` is a risk score ("a score denoting malicious activity"): higher is
 *   more likely a bot, the opposite direction, so it is inverted here. Non-Enterprise accounts get none.
 * - Turnstile returns no score; `action` and `cdata` are integrity-protected and Cloudflare
 *   recommends checking the action.
 * - Every provider reports the host the widget ran on (`hostname`, Enterprise
 *   `tokenProperties.hostname`); reCAPTCHA v3, Turnstile and Enterprise report the widget's
 *   `action`, hCaptcha documents none (and reCAPTCHA v2 keys answer without one). Both are checked
 *   the same way for every provider: an answer without an action passes the action check, and the
 *   verdict's reason says so; an answer without a hostname fails when a host is expected.
 * - Enterprise assessments: tokenProperties {valid, invalidReason, hostname, action, createTime}
 *   and riskAnalysis {score (1.0 very likely legitimate), reasons}. invalidReason is one of
 *   INVALID_REASON_UNSPECIFIED, UNKNOWN_INVALID_REASON, MALFORMED, EXPIRED, DUPE, MISSING,
 *   BROWSER_ERROR (the last "could easily be simulated by an attacker", so it fails like the
 *   others). Errors follow the Google API error model {error: {code, message, status, details}}.
 *   The JSON mapping of proto3 may omit default values, so a missing `valid` reads as false and a
 *   missing score on a valid token as 0.0 (very likely a bot), never as "no score".
 */
import { readHostname } from './hostname';
import type { CaptchaConfig, CaptchaProvider, CaptchaVerdict } from './types';

/** What came back over HTTP: the status and the parsed JSON body (json=false when it was not JSON). */
export interface ProviderAnswer {
  status: number;
  json: boolean;
  body: unknown;
}

export type InterpretConfig = Pick<CaptchaConfig, 'minScore' | 'expectedHostnames' | 'expectedAction' | 'hostnameSource'>;

/** Codes that mean our own configuration or request is wrong: the user did nothing wrong. */
const CONFIG_CODES: Readonly<Record<string, string>> = {
  'missing-input-secret': 'no secret reached the provider (check CAPTCHA_SECRET)',
  'invalid-input-secret': 'the secret CAPTCHA_SECRET is invalid or unknown to the provider',
  'sitekey-secret-mismatch': 'CAPTCHA_SITE_KEY is not registered with the secret CAPTCHA_SECRET',
  'not-using-dummy-passcode': 'a test site key is used with a secret that is not its test secret',
  'bad-request': 'the provider found the verify request malformed',
  'missing-remoteip': 'the provider wanted the remote IP address',
  'invalid-remoteip': 'the provider refused the remote IP address',
};

/** Codes that mean the provider itself failed: retryable, never the user's fault. */
const PROVIDER_CODES: Readonly<Record<string, string>> = {
  'internal-error': 'the provider had an internal error',
};

/** Codes about the token: the sign-up gave no valid, fresh token. */
const TOKEN_CODES: Readonly<Record<string, string>> = {
  'missing-input-response': 'no token',
  'invalid-input-response': 'the token is invalid, malformed or expired',
  'timeout-or-duplicate': 'the token is too old or was already used',
  'expired-input-response': 'the token expired',
  'already-seen-response': 'the token was already used',
  'invalid-or-already-seen-response': 'the token is invalid or was already used',
};

export function interpretAnswer(provider: CaptchaProvider, answer: ProviderAnswer, config: InterpretConfig): CaptchaVerdict {
  return provider === 'recaptcha-enterprise'
    ? interpretAssessment(answer, config)
    : interpretSiteverify(provider, answer, config);
}

function interpretSiteverify(provider: CaptchaProvider, answer: ProviderAnswer, config: InterpretConfig): CaptchaVerdict {
  const ok = answer.status >= 200 && answer.status < 300;
  if (answer.status >= 500) return error(provider, `${provider} answered HTTP ${answer.status}`);
  if (!answer.json) return error(provider, `${provider} answered HTTP ${answer.status} with a body that is not JSON`);
  const body = asRecord(answer.body);
  const success = body?.['success'];
  if (body === undefined || typeof success !== 'boolean') {
    return error(provider, ok ? `${provider} answered with an unexpected shape (no boolean "success")` : `${provider} answered HTTP ${answer.status}`);
  }
  if (!success) {
    // A 4xx that still carries error codes is read by its codes; one without is a gateway talking.
    const codes = errorCodes(body);
    if (!ok && codes.length === 0) return error(provider, `${provider} answered HTTP ${answer.status}`);
    return refused(provider, codes);
  }
  if (!ok) return error(provider, `${provider} answered HTTP ${answer.status}`);

  const hostname = text(body['hostname']);
  const action = provider === 'hcaptcha' ? undefined : text(body['action']);
  let score: number | undefined;
  if (provider !== 'turnstile' && body['score'] !== undefined && body['score'] !== null) {
    const raw = unitNumber(body['score']);
    if (raw === undefined) return error(provider, `${provider} answered with a score that is not a number from 0 to 1`, hostname, action);
    score = provider === 'hcaptcha' ? round(1 - raw) : raw;
  }
  return judge(provider, { score, hostname, action, riskReasons: [] }, config);
}

function interpretAssessment(answer: ProviderAnswer, config: InterpretConfig): CaptchaVerdict {
  const provider: CaptchaProvider = 'recaptcha-enterprise';
  const ok = answer.status >= 200 && answer.status < 300;
  if (!ok) return error(provider, describeGoogleError(answer));
  if (!answer.json) return error(provider, `${provider} answered HTTP ${answer.status} with a body that is not JSON`);
  const body = asRecord(answer.body);
  const props = asRecord(body?.['tokenProperties']);
  if (body === undefined || props === undefined) {
    return error(provider, `${provider} answered with an unexpected shape (no tokenProperties)`);
  }
  const valid = props['valid'];
  const hostname = text(props['hostname']);
  const action = text(props['action']);
  if (valid !== undefined && typeof valid !== 'boolean') {
    return error(provider, `${provider} answered with an unexpected shape (tokenProperties.valid is not a boolean)`, hostname, action);
  }
  if (valid !== true) {
    const why = code(props['invalidReason']) ?? 'INVALID_REASON_UNSPECIFIED';
    return verdict('fail', provider, `token not valid (${why})`, undefined, hostname, action);
  }
  const risk = asRecord(body['riskAnalysis']);
  const rawScore = risk?.['score'];
  const score = rawScore === undefined || rawScore === null ? 0 : unitNumber(rawScore);
  if (score === undefined) {
    return error(provider, `${provider} answered with a score that is not a number from 0 to 1`, hostname, action);
  }
  const riskReasons = Array.isArray(risk?.['reasons'])
    ? (risk['reasons'] as unknown[]).map(code).filter((reason): reason is string => reason !== undefined).slice(0, 5)
    : [];
  return judge(provider, { score, hostname, action, riskReasons }, config);
}

interface Facts {
  score: number | undefined;
  hostname: string | undefined;
  action: string | undefined;
  riskReasons: string[];
}

/** The checks shared by every provider once the token itself was accepted. */
function judge(provider: CaptchaProvider, facts: Facts, config: InterpretConfig): CaptchaVerdict {
  const { score, hostname, action } = facts;
  const fail = (reason: string) => verdict('fail', provider, reason, score, hostname, action);
  const hostProblem = hostnameProblem(hostname, config);
  if (hostProblem !== undefined) return fail(hostProblem);
  if (config.expectedAction !== undefined && returnedAction(action) && action.toLowerCase() !== config.expectedAction.toLowerCase()) {
    return fail(`action ${action} is not the expected ${config.expectedAction} (CAPTCHA_EXPECTED_ACTION)`);
  }
  const because = facts.riskReasons.length > 0 ? ` (${facts.riskReasons.join(', ')})` : '';
  if (score !== undefined && score < config.minScore) return { ...fail(`score ${score} below ${config.minScore}${because}`), lowScore: true };
  const checks = [score === undefined ? 'no score' : `score ${score}`, hostnameCheck(hostname, config), actionCheck(provider, action, config)];
  return verdict('pass', provider, `passed (${checks.join('; ')})`, score, hostname, action);
}

/** Why the answer's hostname is not one the token must carry, or undefined when it is (or none is expected). */
function hostnameProblem(hostname: string | undefined, config: InterpretConfig): string | undefined {
  const expected = config.expectedHostnames;
  if (expected.length === 0) return undefined;
  const named = `${expected.length === 1 ? expected[0] : `any of ${expected.join(', ')}`} (${hostnameOrigin(config)})`;
  if (hostname === undefined || hostname === '') return `no hostname in the answer, expected ${named}`;
  const host = readHostname(hostname);
  if (host === undefined || !expected.includes(host)) return `hostname ${hostname} is not ${named}`;
  return undefined;
}

function hostnameOrigin(config: InterpretConfig): string {
  return config.hostnameSource === 'login-host' ? "the login's host, event.request.hostname" : 'CAPTCHA_EXPECTED_HOSTNAMES';
}

function hostnameCheck(hostname: string | undefined, config: InterpretConfig): string {
  if (config.expectedHostnames.length > 0) {
    return config.hostnameSource === 'login-host' ? `hostname ${hostname} is the login's host` : `hostname ${hostname} is in CAPTCHA_EXPECTED_HOSTNAMES`;
  }
  if (config.hostnameSource === 'no-login-host') return 'hostname not checked: CAPTCHA_EXPECTED_HOSTNAMES is unset and the event names no login host';
  return 'hostname not checked';
}

function actionCheck(provider: CaptchaProvider, action: string | undefined, config: InterpretConfig): string {
  if (config.expectedAction === undefined) return 'action not checked (CAPTCHA_EXPECTED_ACTION none)';
  // An empty or absent action means the widget set none (or the provider has none): nothing to compare.
  if (!returnedAction(action)) return `action not checked: ${provider} returned none`;
  return `action ${action}`;
}

function returnedAction(action: string | undefined): action is string {
  return action !== undefined && action !== '';
}

function refused(provider: CaptchaProvider, codes: string[]): CaptchaVerdict {
  const listed = codes.length > 0 ? codes.join(', ') : 'no error codes';
  const providerTrouble = codes.find((c) => PROVIDER_CODES[c] !== undefined);
  if (providerTrouble !== undefined) return error(provider, `${provider} could not verify (${listed}): ${PROVIDER_CODES[providerTrouble]}`);
  const configTrouble = codes.find((c) => CONFIG_CODES[c] !== undefined);
  if (configTrouble !== undefined) {
    return error(provider, `${provider} refused our configuration (${listed}): ${CONFIG_CODES[configTrouble]}`);
  }
  const tokenTrouble = codes.find((c) => TOKEN_CODES[c] !== undefined);
  const meaning = tokenTrouble !== undefined ? `: ${TOKEN_CODES[tokenTrouble]}` : '';
  return verdict('fail', provider, `token refused (${listed})${meaning}`, undefined, undefined, undefined);
}

function describeGoogleError(answer: ProviderAnswer): string {
  const provider = 'recaptcha-enterprise';
  const status = answer.status;
  const detail = asRecord(asRecord(answer.body)?.['error']);
  const googleStatus = code(detail?.['status']);
  const message = text(detail?.['message'], 160);
  const head = `${provider} answered HTTP ${status}${googleStatus !== undefined ? ` ${googleStatus}` : ''}`;
  const said = message !== undefined ? `: ${message}` : answer.json ? '' : ' with a body that is not JSON';
  let hint = '';
  if (status === 400 && message !== undefined && /api key/i.test(message)) hint = ' (check CAPTCHA_SECRET, the API key)';
  else if (status === 401 || status === 403) hint = ' (check CAPTCHA_SECRET, CAPTCHA_PROJECT_ID and that the API key may call reCAPTCHA Enterprise)';
  else if (status === 404) hint = ' (check CAPTCHA_PROJECT_ID)';
  return `${head}${said}${hint}`;
}

function errorCodes(body: Readonly<Record<string, unknown>>): string[] {
  const raw = body['error-codes'];
  if (!Array.isArray(raw)) return [];
  return raw.map((item) => (typeof item === 'string' && /^[a-z0-9-]{1,64}$/.test(item) ? item : 'unrecognised-code')).slice(0, 5);
}

function verdict(
  outcome: CaptchaVerdict['outcome'],
  provider: CaptchaProvider,
  reason: string,
  score: number | undefined,
  hostname: string | undefined,
  action: string | undefined,
): CaptchaVerdict {
  return { outcome, provider, score, reason, hostname, action };
}

function error(provider: CaptchaProvider, reason: string, hostname?: string, action?: string): CaptchaVerdict {
  return verdict('error', provider, reason, undefined, hostname, action);
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function unitNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
}

/** Hides floating-point noise: 1 - 0.7 is 0.30000000000000004. */
function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** A provider string fit for a log line: printable ASCII, no quotes or backslashes, bounded. */
function text(value: unknown, max = 100): string | undefined {
  if (typeof value !== 'string') return undefined;
  const cleaned = sanitize(value);
  return cleaned.length > max ? `${cleaned.slice(0, max - 3)}...` : cleaned;
}

function sanitize(value: string): string {
  return value.replace(/[^\x20-\x7e]|["\\]/g, '?');
}

/** An enum-like provider value (INVALID_ARGUMENT, MALFORMED, AUTOMATION). */
function code(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? value : undefined;
}

/**
 * Replaces every occurrence of a sensitive value (as sent, URL-encoded as in a form body or query
 * string, JSON-escaped, or as `text` would have cleaned it) with [redacted]. It runs on our own
 * strings only, never on the provider's raw answer: a token is chosen by the sign-up, and cutting
 * it out of the answer could change what the answer says. Values shorter than 6 characters are left alone: they are no
 * real token or secret and would only garble the text.
 */
export function scrub(value: string, sensitive: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of sensitive) {
    if (secret.length < 6) continue;
    forms
      .add(secret)
      .add(encodeURIComponent(secret))
      .add(new URLSearchParams({ x: secret }).toString().slice(2))
      .add(JSON.stringify(secret).slice(1, -1))
      .add(sanitize(secret));
  }
  let out = value;
  for (const form of forms) out = out.split(form).join('[redacted]');
  // A value such as "redacted" survives its own replacement, and cutting can join new copies:
  // cut until none is left (each pass shortens the text, so this ends).
  for (let found = true; found; ) {
    found = false;
    for (const form of forms) {
      if (out.includes(form)) {
        out = out.split(form).join('');
        found = true;
      }
    }
  }
  return out;
}

/** The verdict with the token and secret scrubbed from every string it carries. */
export function scrubVerdict(verdict: CaptchaVerdict, sensitive: readonly string[]): CaptchaVerdict {
  const clean = (value: string | undefined) => (value === undefined ? undefined : scrub(value, sensitive));
  return { ...verdict, reason: scrub(verdict.reason, sensitive), hostname: clean(verdict.hostname), action: clean(verdict.action) };
}
