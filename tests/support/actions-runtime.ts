/**
 * A local stand-in for the Auth0 Actions runtime, for tests and scripts.
 *
 * It loads a built single-file CommonJS Action the way Auth0 does: module code is compiled and
 * run once (one "warm container"), then the handler is invoked many times. `require` is limited
 * to Node built-ins and the npm packages the Action declares, console output is captured, secrets
 * arrive only in `event.secrets`, executions time out, and `api.cache` enforces the documented
 * limits (see shared/reference/auth0-actions-and-deploy-cli.md §3-4).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { format, inspect, types } from 'node:util';
import * as vm from 'node:vm';
import type {
  ActionsCache,
  CacheRecord,
  CacheWriteResult,
  CustomPhoneProviderApi,
  CustomPhoneProviderEvent,
  PreUserRegistrationApi,
  PreUserRegistrationEvent,
  SendPhoneMessageApi,
  SendPhoneMessageEvent,
} from '../../shared/auth0/types';
import type { PostLoginApi, PostLoginEvent } from '../../shared/feedback/post-login-event';

/** The tenant id of every test event below (a tenant's counter keys are under it). */
export const TEST_TENANT_ID = 'tollguard-test';

// ---------------------------------------------------------------------------------------------
// Public types

export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T;

export interface LoadOptions {
  /** npm packages the Action declares as dependencies; a subpath of an allowed package is allowed. */
  allowedPackages?: string[];
  /** Also print captured console lines. */
  echo?: boolean;
  /** Keep every console line in `allLogs` (default true); long simulations turn it off to bound memory. */
  retainLogs?: boolean;
  /** Per-invocation limit, default 20 000 ms as on Auth0. */
  timeoutMs?: number;
  /** Clock of the action's `api.cache`, default Date.now. */
  now?: () => number;
  /** What the Action sees as `process.env`; default empty (Auth0 passes secrets in event.secrets). */
  env?: Record<string, string>;
  /**
   * Directory whose node_modules stand in for the packages Auth0 installs, tried after the
   * Action file's own location; default process.cwd().
   */
  resolveFrom?: string;
}

export interface Invocation<R> {
  result?: R;
  error?: Error;
  logs: string[];
  durationMs: number;
}

export type LocalActionsCache = ActionsCache & { size(): number; clear(): void };

export interface LoadedAction {
  readonly file: string;
  readonly exports: Record<string, unknown>;
  readonly initLogs: string[];
  readonly allLogs: string[];
  readonly loadMs: number;
  readonly cache: LocalActionsCache;
}

export interface PreUserRegistrationOutcome {
  denied?: { reason: string; userMessage: string };
  validationError?: { code: string; message: string };
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
}

export const DEFAULT_TIMEOUT_MS = 20_000;

export class ActionTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Action execution timed out after ${timeoutMs} ms`);
    this.name = 'ActionTimeoutError';
  }
}

// ---------------------------------------------------------------------------------------------
// api.cache

export const CACHE_LIMITS = {
  maxEntries: 20,
  maxKeyBytes: 64,
  maxValueBytes: 4096,
  maxTotalBytes: 8192,
  defaultTtlMs: 15 * 60_000,
  maxLifetimeMs: 24 * 60 * 60_000,
} as const;

type SetOptions = { ttl?: number; expires_at?: number };

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');
const cacheError = (code: string): CacheWriteResult => ({ type: 'error', code });

/** Absolute expiry for a set() call, or the error code that rejects it. */
function resolveExpiry(options: SetOptions, now: number): number | { code: string } {
  const expiries: number[] = [];
  if (options.ttl !== undefined) {
    const { ttl } = options;
    if (!Number.isFinite(ttl) || ttl <= 0 || ttl > CACHE_LIMITS.maxLifetimeMs) return { code: 'InvalidExpiry' };
    expiries.push(now + ttl);
  }
  if (options.expires_at !== undefined) {
    const expiresAt = options.expires_at;
    if (!Number.isFinite(expiresAt)) return { code: 'InvalidExpiry' };
    if (expiresAt <= now) return { code: 'ItemAlreadyExpired' };
    if (expiresAt - now > CACHE_LIMITS.maxLifetimeMs) return { code: 'InvalidExpiry' };
    expiries.push(expiresAt);
  }
  // Auth0: when both are given, the earlier expiry wins.
  return expiries.length > 0 ? Math.min(...expiries) : now + CACHE_LIMITS.defaultTtlMs;
}

function fitsCapacity(entries: Map<string, CacheRecord>, key: string, value: string): boolean {
  let count = 1;
  let bytes = byteLength(key) + byteLength(value);
  for (const [otherKey, record] of entries) {
    if (otherKey === key) continue;
    count += 1;
    bytes += byteLength(otherKey) + byteLength(record.value);
  }
  return count <= CACHE_LIMITS.maxEntries && bytes <= CACHE_LIMITS.maxTotalBytes;
}

export function createActionsCache(now: () => number = Date.now): LocalActionsCache {
  const entries = new Map<string, CacheRecord>();

  const dropExpired = (at: number): void => {
    for (const [key, record] of entries) if (record.expires_at <= at) entries.delete(key);
  };

  return {
    get(key) {
      dropExpired(now());
      const record = entries.get(key);
      return record ? { ...record } : undefined;
    },
    set(key, value, options) {
      if (typeof key !== 'string' || typeof value !== 'string') return cacheError('FailedToSetCacheRecord');
      if (byteLength(key) > CACHE_LIMITS.maxKeyBytes) return cacheError('CacheKeySizeExceeded');
      if (byteLength(value) > CACHE_LIMITS.maxValueBytes) return cacheError('CacheValueSizeExceeded');
      const at = now();
      const expiry = resolveExpiry(options ?? {}, at);
      if (typeof expiry !== 'number') return cacheError(expiry.code);
      dropExpired(at);
      if (!fitsCapacity(entries, key, value)) return cacheError('CacheSizeExceeded');
      const record: CacheRecord = { value, expires_at: expiry };
      entries.set(key, record);
      return { type: 'success', record: { ...record } };
    },
    delete(key) {
      if (typeof key !== 'string') return cacheError('FailedToDeleteCacheRecord');
      dropExpired(now());
      return entries.delete(key) ? { type: 'success' } : cacheError('CacheKeyDoesNotExist');
    },
    size() {
      dropExpired(now());
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Loading an Action

type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';
const CONSOLE_LEVELS: readonly ConsoleLevel[] = ['log', 'info', 'warn', 'error', 'debug'];

/**
 * console and process are wrapper parameters so the Action's code sees the capturing console and
 * the env-less process while running in this (real Node) context with its globals.
 */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname, console, process) {';
const WRAPPER_TAIL = '\n})';

type ModuleFunction = (
  this: unknown,
  exports: unknown,
  require: (specifier: string) => unknown,
  module: { exports: unknown },
  filename: string,
  dirname: string,
  console: Record<ConsoleLevel, (...args: unknown[]) => void>,
  process: NodeJS.Process,
) => void;

interface ActionInternals {
  logStore: AsyncLocalStorage<string[]>;
  timeoutMs: number;
}

const internals = new WeakMap<LoadedAction, ActionInternals>();

function moduleNotFound(specifier: string): Error {
  return Object.assign(new Error(`Cannot find module '${specifier}'`), { code: 'MODULE_NOT_FOUND' });
}

/** 'libphonenumber-js/max' → 'libphonenumber-js', '@upstash/redis/x' → '@upstash/redis'; paths → undefined. */
export function packageNameOf(specifier: string): string | undefined {
  if (specifier === '' || specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':')) {
    return undefined;
  }
  const parts = specifier.split('/');
  if (specifier.startsWith('@')) return parts.length >= 2 && parts[1] ? `${parts[0]}/${parts[1]}` : undefined;
  return parts[0];
}

function createRestrictedRequire(file: string, allowedPackages: readonly string[], resolveFrom: string) {
  const allowed = new Set(allowedPackages.map((name) => packageNameOf(name) ?? name));
  const primary = createRequire(file);
  const bases = [primary, createRequire(path.join(resolveFrom, 'noop.js'))];

  const resolve = (specifier: string): string => {
    if (isBuiltin(specifier)) return specifier;
    const pkg = packageNameOf(specifier);
    if (pkg === undefined || !allowed.has(pkg)) throw moduleNotFound(specifier);
    for (const base of bases) {
      try {
        return base.resolve(specifier);
      } catch {
        // not installed relative to this base; try the next one
      }
    }
    throw moduleNotFound(specifier);
  };

  const restrictedRequire = (specifier: string): unknown => primary(resolve(specifier));
  return Object.assign(restrictedRequire, { resolve });
}

function createCapturingConsole(write: (level: ConsoleLevel, line: string) => void) {
  const captured = {} as Record<ConsoleLevel, (...args: unknown[]) => void>;
  for (const level of CONSOLE_LEVELS) captured[level] = (...args: unknown[]) => write(level, format(...args));
  return captured;
}

/** The real process, except that `env` is the given object. */
function processWithEnv(env: Record<string, string>): NodeJS.Process {
  const isolatedEnv: Record<string, string> = { ...env };
  return new Proxy(process, {
    get: (target, property) => (property === 'env' ? isolatedEnv : Reflect.get(target, property, target)),
  });
}

function compileModule(file: string, code: string): ModuleFunction {
  const body = code.startsWith('#!') ? `//${code}` : code;
  // The wrapper head sits on its own line 0 so stack traces point at the file's real lines/columns.
  const script = new vm.Script(`${WRAPPER_HEAD}\n${body}${WRAPPER_TAIL}`, { filename: file, lineOffset: -1 });
  return script.runInThisContext() as ModuleFunction;
}

function asExportsRecord(value: unknown): Record<string, unknown> {
  return (typeof value === 'object' && value !== null) || typeof value === 'function'
    ? (value as Record<string, unknown>)
    : {};
}

export function loadAction(file: string, options: LoadOptions = {}): LoadedAction {
  const absolute = path.resolve(file);
  const code = readFileSync(absolute, 'utf8');
  const logStore = new AsyncLocalStorage<string[]>();
  const initLogs: string[] = [];
  const allLogs: string[] = [];
  const label = path.basename(absolute);

  const write = (level: ConsoleLevel, line: string): void => {
    logStore.getStore()?.push(line);
    if (options.retainLogs !== false) allLogs.push(line);
    if (options.echo) console[level](`[${label}] ${line}`);
  };

  const started = performance.now();
  const moduleFunction = compileModule(absolute, code);
  const moduleObject = { exports: {} as unknown, id: absolute, filename: absolute, loaded: false };
  const restrictedRequire = createRestrictedRequire(
    absolute,
    options.allowedPackages ?? [],
    options.resolveFrom ?? process.cwd(),
  );
  try {
    // Init runs inside the init bucket so async work it starts keeps logging to initLogs.
    logStore.run(initLogs, () =>
      moduleFunction.call(
        moduleObject.exports,
        moduleObject.exports,
        restrictedRequire,
        moduleObject,
        absolute,
        path.dirname(absolute),
        createCapturingConsole(write),
        processWithEnv(options.env ?? {}),
      ),
    );
  } catch (thrown) {
    throw toLocalError(thrown);
  }
  moduleObject.loaded = true;
  const loadMs = performance.now() - started;

  const action: LoadedAction = {
    file: absolute,
    exports: asExportsRecord(moduleObject.exports),
    loadMs,
    cache: createActionsCache(options.now),
    get initLogs() {
      return [...initLogs];
    },
    get allLogs() {
      return [...allLogs];
    },
  };
  internals.set(action, { logStore, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  return action;
}

// ---------------------------------------------------------------------------------------------
// Invoking a handler

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ActionTimeoutError(timeoutMs)), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const STANDARD_ERRORS: Record<string, ErrorConstructor> = {
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * The Action runs in Node's main context, so under Jest its errors come from another realm and
 * fail `instanceof Error` in tests; rebuild them as errors of the caller's realm.
 */
function toLocalError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (!types.isNativeError(thrown)) {
    return new Error(typeof thrown === 'string' ? thrown : `Action threw ${inspect(thrown)}`);
  }
  const Constructor = STANDARD_ERRORS[thrown.name] ?? Error;
  const local = new Constructor(thrown.message, { cause: thrown });
  Object.assign(local, thrown);
  local.name = thrown.name;
  if (thrown.stack !== undefined) local.stack = thrown.stack;
  return local;
}

function internalsOf(action: LoadedAction): ActionInternals {
  const found = internals.get(action);
  if (!found) throw new Error('not a LoadedAction returned by loadAction()');
  return found;
}

/** Calls `exports[handlerName](event, api)` once; failures land in `error`, never rethrown. */
export async function runHandler(
  action: LoadedAction,
  handlerName: string,
  event: unknown,
  api: unknown,
  /** `clone: false` hands the event over as it is (hostile-object tests: getters, proxies). */
  options: { clone?: boolean } = {},
): Promise<Invocation<unknown>> {
  const { logStore, timeoutMs } = internalsOf(action);
  const logs: string[] = [];
  const started = performance.now();
  const finish = (outcome: { result?: unknown; error?: Error }): Invocation<unknown> => ({
    ...outcome,
    logs: [...logs],
    durationMs: performance.now() - started,
  });
  try {
    const handler = action.exports[handlerName];
    if (typeof handler !== 'function') {
      throw new Error(`dist file does not export ${handlerName} (${action.file})`);
    }
    // Auth0 hands every execution its own copy of the event.
    const copy = options.clone === false ? event : structuredClone(event);
    const work = logStore.run(logs, async () => handler.call(action.exports, copy, api));
    return finish({ result: await withTimeout(work, timeoutMs) });
  } catch (thrown) {
    return finish({ error: toLocalError(thrown) });
  }
}

export async function runSendPhoneMessage(
  action: LoadedAction,
  event: SendPhoneMessageEvent,
  options: { clone?: boolean } = {},
): Promise<Invocation<void>> {
  const api: SendPhoneMessageApi = { cache: action.cache };
  const { error, logs, durationMs } = await runHandler(action, 'onExecuteSendPhoneMessage', event, api, options);
  return error ? { error, logs, durationMs } : { logs, durationMs };
}

/** What a custom-phone-provider execution asked of Auth0: every call, and the one that counts. */
export interface NotificationOutcome {
  calls: Array<{ call: 'drop' | 'retry'; reason: string }>;
  /** "If several calls are made, only the last one is considered." */
  last: { call: 'drop' | 'retry'; reason: string } | undefined;
}

/** Auth0's limit on a drop / retry reason. */
export const NOTIFICATION_REASON_LIMIT = 1024;

export async function runCustomPhoneProvider(
  action: LoadedAction,
  event: CustomPhoneProviderEvent,
  /** `api` replaces the documented api object (hostile-api tests): present even when undefined. */
  options: { api?: unknown; clone?: boolean } = {},
): Promise<Invocation<NotificationOutcome>> {
  const outcome: NotificationOutcome = { calls: [], last: undefined };
  const record = (call: 'drop' | 'retry') => (reason: string) => {
    if (typeof reason !== 'string' || reason.length > NOTIFICATION_REASON_LIMIT) {
      throw new Error(`api.notification.${call}: reason must be a string of at most ${NOTIFICATION_REASON_LIMIT} characters`);
    }
    outcome.calls.push({ call, reason });
    outcome.last = { call, reason };
  };
  const api: CustomPhoneProviderApi = { cache: action.cache, notification: { drop: record('drop'), retry: record('retry') } };
  const { error, logs, durationMs } = await runHandler(action, 'onExecuteCustomPhoneProvider', event, 'api' in options ? options.api : api, { clone: options.clone ?? true });
  return error ? { result: outcome, error, logs, durationMs } : { result: outcome, logs, durationMs };
}

/** Every call a post-login execution made on the api (the feedback Action must make none). */
export interface PostLoginOutcome {
  calls: Array<{ call: string; args: unknown[] }>;
  denied: { reason: string; userMessage: string } | undefined;
}

/** The post-login v3 api methods, each recording its call; `api.cache` is the action's cache. */
const POST_LOGIN_API_METHODS: Record<string, readonly string[]> = {
  access: ['deny'],
  accessToken: ['setCustomClaim', 'addScope', 'removeScope'],
  idToken: ['setCustomClaim'],
  authentication: ['challengeWith', 'challengeWithAny', 'enrollWith', 'enrollWithAny', 'recordMethod', 'setPrimaryUser'],
  multifactor: ['enable'],
  redirect: ['sendUserTo', 'encodeToken', 'validateToken'],
  user: ['setAppMetadata', 'setUserMetadata'],
  session: ['revoke', 'setExpiresAt', 'setIdleExpiresAt'],
  refreshToken: ['revoke', 'setExpiresAt', 'setIdleExpiresAt'],
  samlResponse: ['setAttribute'],
  transaction: ['setResultUrl'],
};

export async function runPostLogin(
  action: LoadedAction,
  event: PostLoginEvent,
  /** `api` replaces the documented api object (hostile-api tests): present even when undefined. */
  options: { api?: unknown; clone?: boolean } = {},
): Promise<Invocation<PostLoginOutcome>> {
  const outcome: PostLoginOutcome = { calls: [], denied: undefined };
  const api: PostLoginApi = { cache: action.cache };
  for (const [group, methods] of Object.entries(POST_LOGIN_API_METHODS)) {
    api[group] = Object.fromEntries(
      methods.map((method) => [
        method,
        (...args: unknown[]) => {
          outcome.calls.push({ call: `${group}.${method}`, args });
          if (group === 'access' && method === 'deny' && outcome.denied === undefined) outcome.denied = { reason: String(args[0]), userMessage: String(args[1]) };
        },
      ]),
    );
  }
  const { error, logs, durationMs } = await runHandler(action, 'onExecutePostLogin', event, 'api' in options ? options.api : api, { clone: options.clone ?? true });
  return error ? { result: outcome, error, logs, durationMs } : { result: outcome, logs, durationMs };
}

function applyMetadata(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === null) delete target[key];
  else target[key] = structuredClone(value);
}

export async function runPreUserRegistration(
  action: LoadedAction,
  event: PreUserRegistrationEvent,
  options: { clone?: boolean } = {},
): Promise<Invocation<PreUserRegistrationOutcome>> {
  // Metadata starts from the event's user, so the outcome is what the new user would get.
  const outcome: PreUserRegistrationOutcome = {
    appMetadata: { ...(event.user?.app_metadata ?? {}) },
    userMetadata: { ...(event.user?.user_metadata ?? {}) },
  };
  const stopped = (): boolean => outcome.denied !== undefined || outcome.validationError !== undefined;
  const api: PreUserRegistrationApi = {
    access: {
      deny: (reason, userMessage) => {
        if (!stopped()) outcome.denied = { reason, userMessage };
      },
    },
    validation: {
      error: (code, message) => {
        if (!stopped()) outcome.validationError = { code, message };
      },
    },
    user: {
      setAppMetadata: (key, value) => applyMetadata(outcome.appMetadata, key, value),
      setUserMetadata: (key, value) => applyMetadata(outcome.userMetadata, key, value),
    },
    cache: action.cache,
  };
  const { error, logs, durationMs } = await runHandler(action, 'onExecutePreUserRegistration', event, api, options);
  return error ? { result: outcome, error, logs, durationMs } : { result: outcome, logs, durationMs };
}

// ---------------------------------------------------------------------------------------------
// Sample events

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === '[object Object]';
}

/** Objects merge key by key, anything else (arrays included) replaces, `undefined` removes. */
function deepMerge(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) {
      delete merged[key];
    } else if (isPlainObject(value)) {
      const current = merged[key];
      merged[key] = deepMerge(isPlainObject(current) ? current : {}, value);
    } else {
      merged[key] = Array.isArray(value) ? structuredClone(value) : value;
    }
  }
  return merged;
}

function withOverrides<T extends object>(base: T, overrides: NoInfer<DeepPartial<T>> | undefined): T {
  if (overrides === undefined) return base;
  return deepMerge(base as Record<string, unknown>, overrides as Record<string, unknown>) as T;
}

const SAMPLE_GEOIP = {
  cityName: 'San Francisco',
  continentCode: 'NA',
  countryCode: 'US',
  countryCode3: 'USA',
  countryName: 'United States of America',
  latitude: 37.7749,
  longitude: -122.4194,
  subdivisionCode: 'CA',
  subdivisionName: 'California',
  timeZone: 'America/Los_Angeles',
};

const SAMPLE_USER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const sampleRequest = () => ({
  ip: '198.51.100.7',
  method: 'POST',
  hostname: 'tollguard-test.us.auth0.com',
  language: 'en',
  user_agent: SAMPLE_USER_AGENT,
  geoip: { ...SAMPLE_GEOIP },
});

const sampleClient = () => ({ client_id: 'Kq7ZrR1tT0llGuArdTestC1ient0001', name: 'Tollguard Test App', metadata: {} });

export function sendPhoneMessageEvent(overrides?: DeepPartial<SendPhoneMessageEvent>): SendPhoneMessageEvent {
  const base: SendPhoneMessageEvent = {
    message_options: {
      action: 'enrollment',
      code: '123456',
      message_type: 'sms',
      recipient: '+14155552671',
      text: 'Your verification code is 123456',
    },
    request: sampleRequest(),
    user: {
      user_id: 'auth0|6650c1f0a1b2c3d4e5f60718',
      email: 'jane.doe@example.com',
      email_verified: true,
      name: 'jane.doe@example.com',
      created_at: '2024-05-24T16:05:36.000Z',
      updated_at: '2024-06-02T08:41:12.000Z',
      app_metadata: {},
      user_metadata: {},
      identities: [
        { connection: 'Username-Password-Authentication', provider: 'auth0', user_id: '6650c1f0a1b2c3d4e5f60718', isSocial: false },
      ],
    },
    client: sampleClient(),
    tenant: { id: TEST_TENANT_ID },
    secrets: {},
    transaction: { correlation_id: 'c0rre1at10n-5e4d-41b2-9f3a-7d2c1b0a9e8f' },
  };
  return withOverrides(base, overrides);
}

/** The custom-phone-provider v1 event, with Auth0's own sample's hyphenated recipient form. */
export function customPhoneProviderEvent(overrides?: DeepPartial<CustomPhoneProviderEvent>): CustomPhoneProviderEvent {
  const base: CustomPhoneProviderEvent = {
    notification: {
      recipient: '+1-415-555-2671',
      delivery_method: 'text',
      message_type: 'otp_verify',
      code: '123456',
      as_text: 'Your verification code is 123456',
      as_voice: 'Your verification code is 123456',
      from: '+1-808-555-2222',
      locale: 'en_US',
    },
    request: sampleRequest(),
    user: {
      user_id: 'sms|6650c1f0a1b2c3d4e5f60718',
      phone_number: '+14155552671',
      phone_verified: true,
      created_at: '2024-05-24T16:05:36.000Z',
      updated_at: '2024-06-02T08:41:12.000Z',
      app_metadata: {},
      user_metadata: {},
    },
    client: sampleClient(),
    connection: { id: 'con_T0llGuardSm5Pw1', name: 'sms', strategy: 'sms', metadata: {} },
    tenant: { id: TEST_TENANT_ID, friendly_name: 'Tollguard Test', home_url: 'https://app.example.com' },
    secrets: {},
    transaction: { correlation_id: 'c0rre1at10n-7a1b-43c4-9d5e-6f7a8b9c0d1e' },
  };
  return withOverrides(base, overrides);
}

export function preUserRegistrationEvent(
  overrides?: DeepPartial<PreUserRegistrationEvent>,
): PreUserRegistrationEvent {
  const base: PreUserRegistrationEvent = {
    user: {
      email: 'new.user@example.com',
      name: 'new.user@example.com',
      app_metadata: {},
      user_metadata: {},
    },
    request: { ...sampleRequest(), body: {} },
    connection: {
      id: 'con_T0llGuard7e5tDb1',
      name: 'Username-Password-Authentication',
      strategy: 'auth0',
      metadata: {},
    },
    client: sampleClient(),
    tenant: { id: TEST_TENANT_ID },
    secrets: {},
    transaction: {
      acr_values: [],
      locale: 'en',
      protocol: 'oidc-basic-profile',
      redirect_uri: 'https://app.example.com/callback',
      requested_scopes: ['openid', 'profile', 'email'],
      response_type: ['code'],
      ui_locales: ['en'],
      correlation_id: 'c0rre1at10n-0a1b-42c3-8d4e-5f6a7b8c9d0e',
    },
  };
  return withOverrides(base, overrides);
}

/**
 * The post-login v3 event of a passwordless SMS login (connection strategy sms, first factor
 * `sms` timestamped now), as the documented event object describes it.
 */
export function postLoginEvent(overrides?: DeepPartial<PostLoginEvent>): PostLoginEvent {
  const base: PostLoginEvent = {
    authentication: { methods: [{ name: 'sms', timestamp: new Date(Date.now()).toISOString() }] },
    authorization: { roles: [] },
    client: sampleClient(),
    connection: { id: 'con_T0llGuardSm5Pw1', name: 'sms', strategy: 'sms', metadata: {} },
    request: { ...sampleRequest(), method: 'GET', query: {} },
    stats: { logins_count: 3 },
    tenant: { id: TEST_TENANT_ID },
    transaction: {
      acr_values: [],
      locale: 'en',
      protocol: 'oidc-basic-profile',
      redirect_uri: 'https://app.example.com/callback',
      requested_scopes: ['openid', 'profile'],
      response_type: ['code'],
      state: 'c3RhdGUtdG9sbGd1YXJk',
      ui_locales: ['en'],
      correlation_id: 'c0rre1at10n-2b3c-44d5-8e6f-7a8b9c0d1e2f',
    },
    user: {
      user_id: 'sms|6650c1f0a1b2c3d4e5f60718',
      phone_number: '+14155552671',
      phone_verified: true,
      name: '+14155552671',
      created_at: '2024-05-24T16:05:36.000Z',
      updated_at: '2024-06-02T08:41:12.000Z',
      app_metadata: {},
      user_metadata: {},
      identities: [{ connection: 'sms', provider: 'sms', user_id: '6650c1f0a1b2c3d4e5f60718', isSocial: false }],
      multifactor: [],
      enrolledFactors: [],
    },
    secrets: {},
  };
  return withOverrides(base, overrides);
}
