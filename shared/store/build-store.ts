/**
 * The counter store an Action container uses: Upstash when both secrets are set, the embedded
 * store when neither is, and a reported problem (the fail mode then applies) when only one is.
 */
import type { StoreSettings } from '../config/dynamic-policy';
import { isUnset, parseBaseUrl } from '../config/parsers';
import { SecretError } from '../config/secret-error';
import type { Secrets } from '../config/static-policy';
import type { CounterStore } from './counter-store';
import { MemoryStore } from './memory-store';
import { UpstashStore } from './upstash-store';

export function buildStore(secrets: Secrets, policy: Pick<StoreSettings, 'storeTimeoutMs'>, errors: SecretError[]): CounterStore | { problem: string } {
  const url = secrets['UPSTASH_REDIS_REST_URL'];
  const token = secrets['UPSTASH_REDIS_REST_TOKEN'];
  if (isUnset(url) && isUnset(token)) return new MemoryStore();
  if (isUnset(url) || isUnset(token)) {
    const missing = isUnset(url) ? 'UPSTASH_REDIS_REST_URL' : 'UPSTASH_REDIS_REST_TOKEN';
    const problem = `secret ${missing} is missing (both Upstash secrets are needed)`;
    errors.push(new SecretError(missing, 'set with the other UPSTASH_REDIS_REST_* secret', ''));
    return { problem };
  }
  try {
    return new UpstashStore({ url: parseBaseUrl('UPSTASH_REDIS_REST_URL', url, ''), token: parseUpstashToken(token), timeoutMs: policy.storeTimeoutMs });
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    errors.push(error);
    return { problem: error.message };
  }
}


/**
 * Upstash REST tokens are base64url-like text. A token with a line break or a space inside (a
 * bad paste) would make the HTTP layer throw an error quoting it; it is refused here instead,
 * described by its length only, like the Twilio credentials.
 */
export function parseUpstashToken(raw: string): string {
  const value = raw.trim();
  if (!/^[\x21-\x7e]{16,1024}$/.test(value)) {
    const inner = /\s/.test(value) ? ' (it holds a space or line break)' : '';
    throw new SecretError('UPSTASH_REDIS_REST_TOKEN', `16 to 1024 printable characters without spaces${inner}`, `a value of ${value.length} characters`);
  }
  return value;
}
