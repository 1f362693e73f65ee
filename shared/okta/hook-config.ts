/**
 * The hook server's configuration: the Actions' secret names, read from the environment, plus
 * OKTA_HOOK_AUTH_SECRET. Okta waits 3 s for the hook and sends the OTP itself when the hook is
 * late, so the store and Twilio timeouts are held inside one answer budget here.
 */
import { parseDurationMs } from '../config/parsers';
import type { Secrets } from '../config/static-policy';

export const HOOK_AUTH_SECRET = 'OKTA_HOOK_AUTH_SECRET';

/** Okta's timeout is 3 s; the rest is left for the network between Okta and the hook. */
export const ANSWER_DEADLINE_MS = 2500;
/** The longest (and the default) Twilio request the hook allows. */
export const HOOK_TWILIO_TIMEOUT_MS = 1500;
/** The longest store request the hook allows (the Actions allow up to 5 s). */
export const HOOK_STORE_TIMEOUT_MS = 500;

/** Configuration names the phone guard reads (CAPTCHA_* belongs to the registration Action). */
const GUARD_PREFIXES = ['TWILIO_', 'GUARD_', 'UPSTASH_', 'ALERT_'];
const MIN_AUTH_SECRET = 16;
const MAX_AUTH_SECRET = 1024;

export interface HookConfig {
  /** The guard's secrets, with the timeouts held inside the answer budget. */
  secrets: Secrets;
  /** The Authorization header value Okta sends; undefined when unusable (see problem). */
  authSecret: string | undefined;
  /** Why the hook cannot authenticate Okta (it must not start). */
  problem: string | undefined;
  /** Adjustments made to fit the budget, for the start-up line. */
  notes: string[];
}

/** `secrets` is the environment (process.env, or a Worker's bindings): only strings are read. */
export function hookConfigFromEnv(secrets: Readonly<Record<string, unknown>>): HookConfig {
  const guard: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(secrets)) {
    if (typeof value === 'string' && GUARD_PREFIXES.some((prefix) => name.startsWith(prefix))) guard[name] = value;
  }
  const notes: string[] = [];
  const twilio = capped(guard, 'TWILIO_TIMEOUT', HOOK_TWILIO_TIMEOUT_MS, { minMs: 500, maxMs: 15_000 });
  if (twilio !== undefined) notes.push(twilio);
  const store = capped(guard, 'GUARD_STORE_TIMEOUT', undefined, { minMs: 50, maxMs: 5000 }, HOOK_STORE_TIMEOUT_MS);
  if (store !== undefined) notes.push(store);
  const raw = secrets['OKTA_HOOK_AUTH_SECRET'];
  const auth = parseHookAuthSecret(typeof raw === 'string' ? raw : undefined);
  return { secrets: guard, authSecret: auth.value, problem: auth.problem, notes };
}

/**
 * Sets `name` to at most `capMs` (to `defaultMs` when unset, if given). Answers a note when the
 * configured value was changed. An unreadable value is replaced too: the Actions' fallback for it
 * (5 s for Twilio) would not fit the budget.
 */
function capped(
  secrets: Record<string, string | undefined>,
  name: string,
  defaultMs: number | undefined,
  range: { minMs: number; maxMs: number },
  capMs = defaultMs ?? range.maxMs,
): string | undefined {
  const raw = secrets[name];
  if (raw === undefined || raw.trim() === '') {
    if (defaultMs !== undefined) secrets[name] = `${defaultMs}ms`;
    return undefined;
  }
  let ms: number;
  try {
    ms = parseDurationMs(name, raw, capMs, range);
  } catch (error) {
    secrets[name] = `${capMs}ms`;
    return `${error instanceof Error ? error.message : String(error)}; the hook uses ${capMs} ms`;
  }
  if (ms <= capMs) return undefined;
  secrets[name] = `${capMs}ms`;
  return `${name} ${ms} ms does not fit Okta's 3 s answer budget; the hook uses ${capMs} ms`;
}

/** The secret is described by its length only: it is a credential. */
export function parseHookAuthSecret(raw: string | undefined): { value: string; problem: undefined } | { value: undefined; problem: string } {
  const value = raw?.trim() ?? '';
  if (value.length === 0) {
    return { value: undefined, problem: `${HOOK_AUTH_SECRET} is missing: set it to the Authorization header value registered for the telephony inline hook in Okta` };
  }
  if (value.length < MIN_AUTH_SECRET || value.length > MAX_AUTH_SECRET) {
    return { value: undefined, problem: `${HOOK_AUTH_SECRET} is invalid: expected ${MIN_AUTH_SECRET} to ${MAX_AUTH_SECRET} characters (a long random value), got ${value.length}` };
  }
  if (!/^[\x20-\x7e]+$/.test(value)) {
    return { value: undefined, problem: `${HOOK_AUTH_SECRET} is invalid: expected printable ASCII (an HTTP header value), got a value of ${value.length} characters with other characters in it` };
  }
  return { value, problem: undefined };
}
