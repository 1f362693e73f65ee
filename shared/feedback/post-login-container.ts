/**
 * What the post-login container builds once from its secrets (memoised per secrets fingerprint by
 * the Action): the mode, the store settings shared with the send Actions, and the store itself.
 * The key prefix and the range width are read exactly as the send Actions read them, so a proof
 * written here lands on the keys their decisions read.
 */
import { parseStoreSettings } from '../config/dynamic-policy';
import { ConfigErrors, parseGuardMode, type Secrets } from '../config/static-policy';
import type { GuardMode } from '../engine/types';
import { RANGE_DROP_DIGITS } from '../phone/ranges';
import { buildStore } from '../store/build-store';
import type { CounterStore } from '../store/counter-store';

export interface PostLoginContainer {
  mode: GuardMode;
  /** GUARD_KEY_PREFIX (the tenant is added per event, as in the send Actions). */
  keyPrefix: string;
  storeTimeoutMs: number;
  /** Digits dropped from a number to name its range (the send Action's pumping setting). */
  rangeDropDigits: number;
  store: CounterStore | { problem: string };
  configErrors: string[];
  /** Values that must never reach a log line. */
  secretValues: string[];
}

const CREDENTIAL_SECRETS = ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'];

export function buildPostLoginContainer(secrets: Secrets): PostLoginContainer {
  const errors = new ConfigErrors();
  const mode = parseGuardMode(secrets, errors);
  const dynamicPolicy = parseStoreSettings(secrets, errors);
  const store = buildStore(secrets, dynamicPolicy, errors.errors);
  return {
    mode,
    keyPrefix: dynamicPolicy.keyPrefix,
    storeTimeoutMs: dynamicPolicy.storeTimeoutMs,
    rangeDropDigits: RANGE_DROP_DIGITS,
    store,
    configErrors: errors.errors.map((error) => error.message),
    secretValues: CREDENTIAL_SECRETS.map((name) => secrets[name]).filter((value): value is string => typeof value === 'string' && value.length >= 4),
  };
}
