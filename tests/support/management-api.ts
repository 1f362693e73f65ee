/**
 * A local Auth0 Management API for deploy tests: an HTTPS server on 127.0.0.1 that answers the
 * endpoints auth0-deploy-cli 8.44 calls when it imports tollguard's tenant/tenant.yaml (actions,
 * triggers, guardian phone factor, the tenant-level phone provider, attack protection), plus the
 * token endpoint and the reads `scripts/deploy.ts` makes itself (bindings, tenant settings). Every request is recorded (method, path, query, parsed body,
 * a few headers) and the tenant state is kept in memory so a test can look at both.
 *
 * Shapes follow the Management API as the auth0 SDK v6 types describe it (they are generated
 * from Auth0's OpenAPI description): e.g. CreateActionRequestContent, UpdateActionRequestContent,
 * ListActionsPaginatedResponseContent `{actions,total,page,per_page}`, ActionBinding, secrets
 * answered as `{name, updated_at}` only (a secret's value is never returned). Requests the real
 * API would refuse (unknown body fields, a trigger version that does not exist, a runtime the
 * trigger version does not list, more than 30 secrets or 10 dependencies, binding an action that
 * was never deployed) are answered 400 with Auth0's error body and recorded, so a client bug
 * fails loudly. Anything not implemented is answered 404 and recorded as `unhandled`. A test can
 * make chosen endpoints answer 403 "feature not enabled" (`forbidden`, `refuse`), as plans without
 * a feature do, and make new drafts answer "must be in the 'built' state" to a first deploy call
 * (`buildAttempts`), as Auth0 does while it installs an Action's dependencies.
 *
 * The auth0 SDK builds `https://${domain}/api/v2` and `https://${domain}/oauth/token`, so the
 * server only speaks HTTPS: `makeTestCertificate()` creates a throwaway self-signed certificate
 * for 127.0.0.1 made in-process (selfSignedCertificate); a child process trusts it through
 * NODE_EXTRA_CA_CERTS (TLS verification stays on).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { selfSignedCertificate } from './management-api-logs';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface RecordedRequest {
  method: string;
  path: string; // without the query string, e.g. '/api/v2/actions/actions'
  query: Record<string, string>;
  body: unknown; // parsed JSON, or the form fields of /oauth/token; undefined when empty
  status: number; // what the server answered
  error?: string; // the message of a 4xx answer
  unhandled: boolean; // no such endpoint here
  headers: { authorization?: string; userAgent?: string; deployMode?: string; contentType?: string };
}

export interface SecretRecord {
  name: string;
  value: string; // kept for assertions; never answered
  updated_at: string;
}

export interface Dependency {
  name: string;
  version: string;
  registry_url?: string;
}

export interface TriggerRef {
  id: string;
  version: string;
}

export interface ActionVersion {
  id: string;
  action_id: string;
  number: number;
  code: string;
  runtime: string;
  dependencies: Dependency[];
  secrets: SecretRecord[];
  supported_triggers: TriggerRef[];
  deployed: boolean;
  status: 'built';
  created_at: string;
  updated_at: string;
  built_at: string;
}

export interface StoredAction {
  id: string;
  name: string;
  code: string;
  runtime: string;
  dependencies: Dependency[];
  secrets: SecretRecord[];
  supported_triggers: TriggerRef[];
  status: 'pending' | 'built';
  all_changes_deployed: boolean;
  created_at: string;
  updated_at: string;
  built_at?: string;
  /** How many more deploy calls are refused with "must be in the 'built' state" for this draft. */
  buildAttemptsLeft: number;
  versions: ActionVersion[];
}

export interface StoredBinding {
  id: string;
  trigger_id: string;
  action_id: string;
  display_name: string;
  created_at: string;
  updated_at: string;
}

export interface TenantState {
  actions: StoredAction[];
  bindings: Map<string, StoredBinding[]>;
  guardian: {
    factors: Map<string, boolean>;
    selectedProvider: string;
    messageTypes: string[];
  };
  attackProtection: Record<AttackProtectionPart, Record<string, unknown>>;
  phoneProviders: StoredPhoneProvider[];
}

export interface StoredPhoneProvider {
  id: string;
  name: 'twilio' | 'custom';
  disabled: boolean;
  configuration: Record<string, unknown>;
  /** Kept for assertions; never answered. */
  credentials: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export type AttackProtectionPart =
  | 'bot-detection'
  | 'breached-password-detection'
  | 'brute-force-protection'
  | 'suspicious-ip-throttling'
  | 'captcha';

export interface SeedAction {
  name: string;
  trigger: string; // supported trigger id (its CURRENT version is used)
  code?: string;
  deployed?: boolean; // default true
}

export interface ManagementApiOptions {
  cert: { key: string; cert: string };
  clientId?: string;
  clientSecret?: string;
  /** Deploy calls refused per new draft before it counts as built (real builds take seconds). */
  buildAttempts?: number;
  /** Actions that already exist on the tenant, e.g. someone else's. */
  seedActions?: SeedAction[];
  /** Existing bindings: trigger id → action names, in order. */
  seedBindings?: Record<string, string[]>;
  /** Attack-protection endpoints answered 403 "feature not enabled", as on plans without the feature. */
  forbidden?: AttackProtectionPart[];
  /** Any other request answered 403 "feature not enabled" (exact method and path). */
  refuse?: Array<{ method: string; path: string }>;
  /** The MFA phone factor as an admin left it (default: off, sms). */
  seedGuardian?: { sms: boolean; messageTypes: string[] };
  /** The tenant setting phone_consolidated_experience (undefined: not in the answer). */
  phoneConsolidatedExperience?: boolean;
  /** A tenant-level phone provider that already exists (e.g. Twilio, set in the Dashboard). */
  seedPhoneProvider?: { name: 'twilio' | 'custom'; configuration: Record<string, unknown>; disabled?: boolean };
}

export interface ManagementApiServer {
  /** What AUTH0_DOMAIN must be: '127.0.0.1:<port>'. */
  readonly domain: string;
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly requests: RecordedRequest[];
  readonly state: TenantState;
  /** Requests that change something (not GET, not the token endpoint). */
  writes(): RecordedRequest[];
  /** Requests whose path is exactly this (query ignored), optionally of one method. */
  calls(method: string, pathname: string): RecordedRequest[];
  clearRequests(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// What the tenant offers: the trigger catalogue as GET /api/v2/actions/triggers answers it
// (CLI test recordings: send-phone-message and pre-user-registration v2 are CURRENT, v1 DEPRECATED).
// ---------------------------------------------------------------------------------------------

interface TriggerVersion {
  id: string;
  version: string;
  status: 'CURRENT' | 'DEPRECATED';
  runtimes: string[];
  default_runtime: string;
  compatible_triggers: Array<{ id: string; version: string }>;
  binding_policy: 'trigger-bound';
}

const RUNTIMES = ['node18-actions', 'node22'];

function triggerVersion(id: string, version: string, status: 'CURRENT' | 'DEPRECATED', runtimes = RUNTIMES): TriggerVersion {
  return { id, version, status, runtimes, default_runtime: 'node22', compatible_triggers: [], binding_policy: 'trigger-bound' };
}

export const TRIGGERS: readonly TriggerVersion[] = [
  triggerVersion('post-login', 'v1', 'DEPRECATED', ['node12', 'node16']),
  triggerVersion('post-login', 'v3', 'CURRENT'),
  triggerVersion('credentials-exchange', 'v2', 'CURRENT'),
  triggerVersion('pre-user-registration', 'v1', 'DEPRECATED', ['node12', 'node16']),
  triggerVersion('pre-user-registration', 'v2', 'CURRENT'),
  triggerVersion('post-user-registration', 'v2', 'CURRENT'),
  triggerVersion('post-change-password', 'v2', 'CURRENT'),
  triggerVersion('send-phone-message', 'v1', 'DEPRECATED', ['node12', 'node16']),
  triggerVersion('send-phone-message', 'v2', 'CURRENT'),
  triggerVersion('custom-phone-provider', 'v1', 'CURRENT'),
];
/** Triggers an Action runs on without bindings (the phone provider runs it); at most one Action each. */
const PROVIDER_TRIGGERS = ['custom-phone-provider'];

const GUARDIAN_FACTORS = ['sms', 'push-notification', 'otp', 'email', 'duo', 'webauthn-roaming', 'webauthn-platform', 'recovery-code'];
const PHONE_PROVIDERS = ['auth0', 'twilio', 'phone-message-hook'];
const PHONE_MESSAGE_TYPES = ['sms', 'voice'];
const MAX_SECRETS = 30; // "Secrets: 30 per Action" (Auth0 limitations page)
const MAX_SECRET_NAME = 128;
const MAX_SECRET_VALUE = 4096;
const MAX_DEPENDENCIES = 10;
const DELIVERY_METHODS = ['text', 'voice'];
const PHONE_PROVIDER_NAMES = ['twilio', 'custom'];

/** Fields a PATCH of each attack-protection part accepts (SDK Update*RequestContent types). */
const ATTACK_PROTECTION_FIELDS: Record<AttackProtectionPart, string[]> = {
  'bot-detection': ['bot_detection_level', 'challenge_password_policy', 'challenge_passwordless_policy', 'challenge_password_reset_policy', 'allowlist', 'monitoring_mode_enabled'],
  'breached-password-detection': ['enabled', 'shields', 'admin_notification_frequency', 'method', 'stage'],
  'brute-force-protection': ['enabled', 'shields', 'allowlist', 'mode', 'max_attempts'],
  'suspicious-ip-throttling': ['enabled', 'shields', 'allowlist', 'stage'],
  captcha: ['active_provider_id', 'arkose', 'auth_challenge', 'hcaptcha', 'friendly_captcha', 'recaptcha_enterprise', 'recaptcha_v2', 'simple_captcha'],
};

/** A new tenant's attack-protection settings, roughly as Auth0 creates them. */
function defaultAttackProtection(): TenantState['attackProtection'] {
  return {
    'bot-detection': {
      bot_detection_level: 'medium',
      challenge_password_policy: 'never',
      challenge_passwordless_policy: 'never',
      challenge_password_reset_policy: 'never',
      allowlist: [],
      monitoring_mode_enabled: false,
    },
    'breached-password-detection': {
      enabled: false,
      shields: [],
      admin_notification_frequency: [],
      method: 'standard',
      stage: { 'pre-user-registration': { shields: [] }, 'pre-change-password': { shields: [] } },
    },
    'brute-force-protection': { enabled: true, shields: ['block', 'user_notification'], allowlist: ['198.51.100.7'], mode: 'count_per_identifier_and_ip', max_attempts: 10 },
    'suspicious-ip-throttling': {
      enabled: true,
      shields: ['admin_notification', 'block'],
      allowlist: ['203.0.113.0/24'],
      stage: { 'pre-login': { max_attempts: 100, rate: 864000 }, 'pre-user-registration': { max_attempts: 50, rate: 1200 } },
    },
    captcha: { active_provider_id: 'auth_challenge', auth_challenge: { fail_open: false } },
  };
}

// ---------------------------------------------------------------------------------------------
// A throwaway certificate
// ---------------------------------------------------------------------------------------------

export interface TestCertificate {
  key: string;
  cert: string;
  /** PEM file to hand to a child process as NODE_EXTRA_CA_CERTS. */
  certFile: string;
  cleanup(): void;
}

/** A self-signed P-256 certificate for 127.0.0.1, valid for one day (made in-process: no openssl needed). */
export function makeTestCertificate(): TestCertificate {
  const { certPem, keyPem } = selfSignedCertificate('127.0.0.1');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tollguard-mgmt-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  writeFileSync(certFile, certPem);
  return { key: keyPem, cert: certPem, certFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode?: string,
  ) {
    super(message);
  }
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict' };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyFields(body: Record<string, unknown>, allowed: readonly string[], what: string): void {
  const extra = Object.keys(body).filter((key) => !allowed.includes(key));
  if (extra.length > 0) throw new ApiError(400, `Payload validation error: 'Additional properties not allowed: ${extra.join(',')}' on ${what}.`, 'invalid_body');
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new ApiError(400, `Payload validation error: 'Expected type string but found type ${typeof value}' on property ${what}.`, 'invalid_body');
  return value;
}

function requireStringArray(value: unknown, what: string, allowed?: readonly string[]): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new ApiError(400, `Payload validation error: 'Expected an array of strings' on property ${what}.`, 'invalid_body');
  }
  const items = value as string[];
  if (allowed !== undefined) {
    const bad = items.filter((item) => !allowed.includes(item));
    if (bad.length > 0) throw new ApiError(400, `Payload validation error: 'No enum match for: ${bad.join(', ')}' on property ${what}.`, 'invalid_body');
  }
  return items;
}

export async function startManagementApi(options: ManagementApiOptions): Promise<ManagementApiServer> {
  const clientId = options.clientId ?? 'tollguard-deploy-test-client';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const buildAttempts = options.buildAttempts ?? 0;
  const forbidden = new Set(options.forbidden ?? []);
  const tokens = new Set<string>();
  const requests: RecordedRequest[] = [];
  const state: TenantState = {
    actions: [],
    bindings: new Map(),
    guardian: { factors: new Map(GUARDIAN_FACTORS.map((name) => [name, false])), selectedProvider: 'auth0', messageTypes: ['sms'] },
    attackProtection: defaultAttackProtection(),
    phoneProviders: [],
  };
  if (options.seedGuardian !== undefined) {
    state.guardian.factors.set('sms', options.seedGuardian.sms);
    state.guardian.messageTypes = [...options.seedGuardian.messageTypes];
  }
  let domain = '';
  const now = () => new Date().toISOString();

  // --- actions --------------------------------------------------------------------------------

  function currentTrigger(id: string): TriggerVersion | undefined {
    return TRIGGERS.find((trigger) => trigger.id === id && trigger.status === 'CURRENT');
  }

  function validateTriggers(value: unknown): TriggerRef[] {
    if (!Array.isArray(value) || value.length === 0) {
      throw new ApiError(400, "Payload validation error: 'Expected a non-empty array' on property supported_triggers.", 'invalid_body');
    }
    return value.map((item, index) => {
      if (!isObject(item)) throw new ApiError(400, `Payload validation error: 'Expected type object' on property supported_triggers[${index}].`, 'invalid_body');
      onlyFields(item, ['id', 'version', 'status', 'runtimes', 'default_runtime', 'compatible_triggers', 'binding_policy'], `supported_triggers[${index}]`);
      const id = requireString(item.id, `supported_triggers[${index}].id`);
      const version = requireString(item.version, `supported_triggers[${index}].version`);
      if (!TRIGGERS.some((trigger) => trigger.id === id && trigger.version === version)) {
        throw new ApiError(400, `trigger ${id} has no version ${version}`, 'invalid_trigger');
      }
      return { id, version };
    });
  }

  function validateRuntime(runtime: string, triggers: TriggerRef[]): void {
    for (const ref of triggers) {
      const trigger = TRIGGERS.find((candidate) => candidate.id === ref.id && candidate.version === ref.version);
      if (trigger !== undefined && !trigger.runtimes.includes(runtime)) {
        throw new ApiError(400, `runtime ${runtime} is not supported by trigger ${ref.id} ${ref.version} (runtimes: ${trigger.runtimes.join(', ')})`, 'invalid_runtime');
      }
    }
  }

  function validateDependencies(value: unknown): Dependency[] {
    if (!Array.isArray(value)) throw new ApiError(400, "Payload validation error: 'Expected type array' on property dependencies.", 'invalid_body');
    if (value.length > MAX_DEPENDENCIES) throw new ApiError(400, `an action may declare at most ${MAX_DEPENDENCIES} dependencies`, 'invalid_body');
    return value.map((item, index) => {
      if (!isObject(item)) throw new ApiError(400, `Payload validation error: 'Expected type object' on property dependencies[${index}].`, 'invalid_body');
      onlyFields(item, ['name', 'version', 'registry_url'], `dependencies[${index}]`);
      const dependency: Dependency = { name: requireString(item.name, `dependencies[${index}].name`), version: requireString(item.version, `dependencies[${index}].version`) };
      if (item.registry_url !== undefined) dependency.registry_url = requireString(item.registry_url, `dependencies[${index}].registry_url`);
      return dependency;
    });
  }

  function validateSecrets(value: unknown): SecretRecord[] {
    if (!Array.isArray(value)) throw new ApiError(400, "Payload validation error: 'Expected type array' on property secrets.", 'invalid_body');
    if (value.length > MAX_SECRETS) throw new ApiError(400, `an action may have at most ${MAX_SECRETS} secrets (got ${value.length})`, 'invalid_body');
    const seen = new Set<string>();
    return value.map((item, index) => {
      if (!isObject(item)) throw new ApiError(400, `Payload validation error: 'Expected type object' on property secrets[${index}].`, 'invalid_body');
      onlyFields(item, ['name', 'value'], `secrets[${index}]`);
      const name = requireString(item.name, `secrets[${index}].name`);
      if (name.length < 1 || name.length > MAX_SECRET_NAME) {
        throw new ApiError(400, `invalid NameValueOptional.Name: value length must be between 1 and ${MAX_SECRET_NAME} runes, inclusive`, 'invalid_body');
      }
      if (seen.has(name)) throw new ApiError(400, `duplicate secret ${name}`, 'invalid_body');
      seen.add(name);
      const secretValue = requireString(item.value, `secrets[${index}].value`);
      if (secretValue.length > MAX_SECRET_VALUE) throw new ApiError(400, `secret ${name} is longer than ${MAX_SECRET_VALUE} characters`, 'invalid_body');
      return { name, value: secretValue, updated_at: now() };
    });
  }

  const ACTION_FIELDS = ['name', 'supported_triggers', 'code', 'dependencies', 'runtime', 'secrets', 'modules'];

  function applyDraft(action: StoredAction, body: Record<string, unknown>): void {
    if (body.name !== undefined) action.name = requireString(body.name, 'name');
    if (body.supported_triggers !== undefined) action.supported_triggers = validateTriggers(body.supported_triggers);
    if (body.code !== undefined) action.code = requireString(body.code, 'code');
    if (body.dependencies !== undefined) action.dependencies = validateDependencies(body.dependencies);
    if (body.runtime !== undefined) action.runtime = requireString(body.runtime, 'runtime');
    // PATCH replaces the whole secret list: a secret left out is removed (as the Terraform
    // provider documents: "Partial management of secrets is not supported").
    if (body.secrets !== undefined) action.secrets = validateSecrets(body.secrets);
    if (body.modules !== undefined && (!Array.isArray(body.modules) || body.modules.length > 0)) {
      throw new ApiError(400, 'action modules are not supported by this test server', 'invalid_body');
    }
    validateRuntime(action.runtime, action.supported_triggers);
    if (state.actions.some((other) => other !== action && other.name === action.name)) {
      throw new ApiError(409, `An action with the name '${action.name}' already exists.`, 'action_conflict');
    }
    for (const triggerId of PROVIDER_TRIGGERS) {
      const other = state.actions.find((candidate) => candidate !== action && candidate.supported_triggers.some((trigger) => trigger.id === triggerId));
      if (other !== undefined && action.supported_triggers.some((trigger) => trigger.id === triggerId)) {
        throw new ApiError(400, `Only one action is allowed for the ${triggerId} trigger (${other.name} exists).`, 'invalid_action');
      }
    }
    action.updated_at = now();
    action.all_changes_deployed = false;
    action.buildAttemptsLeft = buildAttempts;
    action.status = buildAttempts > 0 ? 'pending' : 'built';
    if (action.status === 'built') action.built_at = action.updated_at;
  }

  function publicSecrets(secrets: SecretRecord[]) {
    return secrets.map(({ name, updated_at }) => ({ name, updated_at }));
  }

  function publicVersion(version: ActionVersion) {
    return { ...version, secrets: publicSecrets(version.secrets) };
  }

  function publicAction(action: StoredAction) {
    const deployed = action.versions.find((version) => version.deployed);
    return {
      id: action.id,
      name: action.name,
      supported_triggers: action.supported_triggers,
      all_changes_deployed: action.all_changes_deployed,
      created_at: action.created_at,
      updated_at: action.updated_at,
      code: action.code,
      dependencies: action.dependencies,
      runtime: action.runtime,
      secrets: publicSecrets(action.secrets),
      status: action.status,
      ...(action.built_at === undefined ? {} : { built_at: action.built_at }),
      ...(deployed === undefined ? {} : { deployed_version: publicVersion(deployed) }),
    };
  }

  function findAction(id: string): StoredAction {
    const action = state.actions.find((candidate) => candidate.id === id);
    if (action === undefined) throw new ApiError(404, 'The action does not exist.', 'action_not_found');
    return action;
  }

  function createAction(body: Record<string, unknown>): StoredAction {
    onlyFields(body, [...ACTION_FIELDS, 'deploy'], 'CreateActionRequestContent');
    requireString(body.name, 'name');
    if (body.supported_triggers === undefined) throw new ApiError(400, "Payload validation error: 'Missing required property: supported_triggers'.", 'invalid_body');
    const stamp = now();
    const action: StoredAction = {
      id: randomUUID(),
      name: '',
      code: '',
      runtime: 'node22',
      dependencies: [],
      secrets: [],
      supported_triggers: [],
      status: 'pending',
      all_changes_deployed: false,
      created_at: stamp,
      updated_at: stamp,
      buildAttemptsLeft: 0,
      versions: [],
    };
    applyDraft(action, body);
    state.actions.push(action);
    return action;
  }

  function deployAction(action: StoredAction): ActionVersion {
    if (action.status !== 'built') {
      action.buildAttemptsLeft -= 1;
      if (action.buildAttemptsLeft <= 0) {
        action.status = 'built';
        action.built_at = now();
      }
      throw new ApiError(400, "An action version must be in the 'built' state before it can be deployed.", 'invalid_action_state');
    }
    for (const version of action.versions) version.deployed = false;
    const stamp = now();
    const version: ActionVersion = {
      id: randomUUID(),
      action_id: action.id,
      number: action.versions.length + 1,
      code: action.code,
      runtime: action.runtime,
      dependencies: action.dependencies.map((dependency) => ({ ...dependency })),
      secrets: action.secrets.map((secret) => ({ ...secret })),
      supported_triggers: action.supported_triggers.map((trigger) => ({ ...trigger })),
      deployed: true,
      status: 'built',
      created_at: stamp,
      updated_at: stamp,
      built_at: action.built_at ?? stamp,
    };
    action.versions.push(version);
    action.all_changes_deployed = true;
    return version;
  }

  for (const seed of options.seedActions ?? []) {
    const trigger = currentTrigger(seed.trigger);
    if (trigger === undefined) throw new Error(`seed action ${seed.name}: unknown trigger ${seed.trigger}`);
    const action = createAction({
      name: seed.name,
      code: seed.code ?? 'exports.handler = async () => {};',
      runtime: 'node22',
      supported_triggers: [{ id: trigger.id, version: trigger.version }],
      secrets: [{ name: 'THEIR_SECRET', value: 'theirs' }],
    });
    action.status = 'built';
    if (seed.deployed !== false) deployAction(action);
  }

  // --- bindings -------------------------------------------------------------------------------

  function publicBinding(binding: StoredBinding) {
    const action = state.actions.find((candidate) => candidate.id === binding.action_id);
    return {
      id: binding.id,
      trigger_id: binding.trigger_id,
      display_name: binding.display_name,
      created_at: binding.created_at,
      updated_at: binding.updated_at,
      ...(action === undefined ? {} : { action: publicAction(action) }),
    };
  }

  function setBindings(triggerId: string, body: Record<string, unknown>): StoredBinding[] {
    onlyFields(body, ['bindings'], 'UpdateActionBindingsRequestContent');
    if (!Array.isArray(body.bindings)) throw new ApiError(400, "Payload validation error: 'Expected type array' on property bindings.", 'invalid_body');
    const previous = state.bindings.get(triggerId) ?? [];
    const next = body.bindings.map((item, index): StoredBinding => {
      if (!isObject(item) || !isObject(item.ref)) throw new ApiError(400, `Payload validation error: 'Missing required property: ref' on bindings[${index}].`, 'invalid_body');
      onlyFields(item, ['ref', 'display_name', 'secrets'], `bindings[${index}]`);
      const type = requireString(item.ref.type, `bindings[${index}].ref.type`);
      const value = requireString(item.ref.value, `bindings[${index}].ref.value`);
      let action: StoredAction | undefined;
      if (type === 'action_name') action = state.actions.find((candidate) => candidate.name === value);
      else if (type === 'action_id') action = state.actions.find((candidate) => candidate.id === value);
      else if (type === 'binding_id') {
        const existing = previous.find((binding) => binding.id === value);
        action = existing === undefined ? undefined : state.actions.find((candidate) => candidate.id === existing.action_id);
      } else throw new ApiError(400, `Payload validation error: 'No enum match for: ${type}' on property bindings[${index}].ref.type.`, 'invalid_body');
      if (action === undefined) throw new ApiError(400, `bindings[${index}]: no action matches ${type} ${value}`, 'invalid_binding');
      if (!action.supported_triggers.some((trigger) => trigger.id === triggerId)) {
        throw new ApiError(400, `action ${action.name} does not support trigger ${triggerId}`, 'invalid_binding');
      }
      if (!action.versions.some((version) => version.deployed)) {
        throw new ApiError(400, `action ${action.name} must be deployed before it can be bound`, 'invalid_binding');
      }
      const display = item.display_name === undefined ? action.name : requireString(item.display_name, `bindings[${index}].display_name`);
      const kept = previous.find((binding) => binding.action_id === action.id);
      const stamp = now();
      return { id: kept?.id ?? randomUUID(), trigger_id: triggerId, action_id: action.id, display_name: display, created_at: kept?.created_at ?? stamp, updated_at: stamp };
    });
    state.bindings.set(triggerId, next);
    return next;
  }

  for (const [triggerId, names] of Object.entries(options.seedBindings ?? {})) {
    setBindings(triggerId, { bindings: names.map((name) => ({ ref: { type: 'action_name', value: name }, display_name: name })) });
  }

  // --- attack protection ----------------------------------------------------------------------

  function patchAttackProtection(part: AttackProtectionPart, body: Record<string, unknown>): Record<string, unknown> {
    onlyFields(body, ATTACK_PROTECTION_FIELDS[part], `attack-protection/${part}`);
    const current = state.attackProtection[part];
    for (const [key, value] of Object.entries(body)) {
      // A PATCH sets the fields it names; nested stage objects are merged stage by stage.
      if (key === 'stage' && isObject(value) && isObject(current.stage)) {
        const stages: Record<string, unknown> = { ...current.stage };
        for (const [stage, settings] of Object.entries(value)) {
          stages[stage] = isObject(settings) && isObject(stages[stage]) ? { ...(stages[stage] as Record<string, unknown>), ...settings } : settings;
        }
        current.stage = stages;
      } else {
        current[key] = value;
      }
    }
    return current;
  }

  // --- phone providers (Unified Phone Experience) ---------------------------------------------

  function validateProviderConfiguration(name: string, value: unknown): Record<string, unknown> {
    if (!isObject(value)) throw new ApiError(400, "Payload validation error: 'Expected type object' on property configuration.", 'invalid_body');
    onlyFields(value, name === 'twilio' ? ['sid', 'default_from', 'mssid', 'delivery_methods'] : ['delivery_methods'], 'configuration');
    const methods = requireStringArray(value.delivery_methods, 'configuration.delivery_methods', DELIVERY_METHODS);
    if (methods.length === 0 || new Set(methods).size !== methods.length) {
      throw new ApiError(400, "Payload validation error: 'Array must have at least 1 unique item' on property configuration.delivery_methods.", 'invalid_body');
    }
    if (name === 'twilio') requireString(value.sid, 'configuration.sid');
    return { ...value, delivery_methods: [...methods] };
  }

  function validateProviderCredentials(name: string, value: unknown): Record<string, unknown> {
    if (!isObject(value)) throw new ApiError(400, "Payload validation error: 'Expected type object' on property credentials.", 'invalid_body');
    onlyFields(value, name === 'twilio' ? ['auth_token'] : [], 'credentials');
    if (name === 'twilio') requireString(value.auth_token, 'credentials.auth_token');
    return { ...value };
  }

  function requireDeployedProviderAction(): void {
    const deployed = state.actions.some((action) => action.supported_triggers.some((trigger) => trigger.id === 'custom-phone-provider') && action.versions.some((version) => version.deployed));
    if (!deployed) {
      throw new ApiError(400, 'A deployed action for the custom-phone-provider trigger is required to use the custom phone provider.', 'custom_email_provider_deployed_action_not_found');
    }
  }

  function writePhoneProvider(body: Record<string, unknown>, existing: StoredPhoneProvider | undefined): StoredPhoneProvider {
    onlyFields(body, ['name', 'disabled', 'configuration', 'credentials'], existing === undefined ? 'CreateBrandingPhoneProviderRequestContent' : 'UpdateBrandingPhoneProviderRequestContent');
    const name = body.name === undefined && existing !== undefined ? existing.name : requireString(body.name, 'name');
    if (!PHONE_PROVIDER_NAMES.includes(name)) throw new ApiError(400, `Payload validation error: 'No enum match for: "${name}"' on property name.`, 'invalid_body');
    // Create always needs credentials; so does any write naming the custom provider (Auth0 answers
    // this 400 to a custom provider sent without them, the auth0-deploy-cli 8.43 bug).
    if (body.credentials === undefined && (existing === undefined || body.name === 'custom')) {
      throw new ApiError(400, "Payload validation error: 'Missing required property: credentials'.", 'invalid_body');
    }
    if (body.disabled !== undefined && typeof body.disabled !== 'boolean') throw new ApiError(400, "Payload validation error: 'Expected type boolean' on property disabled.", 'invalid_body');
    const configuration = body.configuration === undefined ? existing?.configuration : validateProviderConfiguration(name, body.configuration);
    if (configuration === undefined) throw new ApiError(400, "Payload validation error: 'Missing required property: configuration'.", 'invalid_body');
    const credentials = body.credentials === undefined ? (existing?.credentials ?? {}) : validateProviderCredentials(name, body.credentials);
    if (name === 'custom') requireDeployedProviderAction();
    const stamp = now();
    const provider: StoredPhoneProvider = {
      id: existing?.id ?? `pro_${randomBytes(8).toString('hex')}`,
      name: name as StoredPhoneProvider['name'],
      disabled: typeof body.disabled === 'boolean' ? body.disabled : (existing?.disabled ?? false),
      configuration,
      credentials,
      created_at: existing?.created_at ?? stamp,
      updated_at: stamp,
    };
    state.phoneProviders = [provider];
    return provider;
  }

  function publicProvider(provider: StoredPhoneProvider) {
    return {
      id: provider.id,
      tenant: 'tollguard-test',
      name: provider.name,
      channel: 'phone',
      disabled: provider.disabled,
      configuration: provider.configuration,
      created_at: provider.created_at,
      updated_at: provider.updated_at,
    };
  }

  if (options.seedPhoneProvider !== undefined) {
    const seed = options.seedPhoneProvider;
    const stamp = now();
    state.phoneProviders.push({
      id: `pro_${randomBytes(8).toString('hex')}`,
      name: seed.name,
      disabled: seed.disabled ?? false,
      configuration: seed.configuration,
      credentials: seed.name === 'twilio' ? { auth_token: 'theirs' } : {},
      created_at: stamp,
      updated_at: stamp,
    });
  }

  // --- routing --------------------------------------------------------------------------------

  function query(params: Record<string, string>, name: string, fallback: number): number {
    const raw = params[name];
    return raw === undefined ? fallback : Number(raw);
  }

  function route(method: string, pathname: string, params: Record<string, string>, body: unknown, authorized: boolean): { status: number; body?: unknown } | undefined {
    if (pathname === '/oauth/token' && method === 'POST') {
      const form = isObject(body) ? body : {};
      if (form.grant_type !== 'client_credentials') throw new ApiError(400, 'Unsupported grant type', 'unsupported_grant_type');
      if (form.client_id !== clientId || form.client_secret !== clientSecret) throw new ApiError(401, 'Unauthorized', 'access_denied');
      if (form.audience !== `https://${domain}/api/v2/`) throw new ApiError(403, `Service not enabled within domain: ${String(form.audience)}`, 'access_denied');
      const token = randomBytes(24).toString('base64url');
      tokens.add(token);
      return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: 86400, scope: 'read:actions create:actions update:actions read:triggers update:triggers' } };
    }
    if (!pathname.startsWith('/api/v2/')) return undefined;
    if (!authorized) throw new ApiError(401, 'Invalid token', 'invalid_token');
    if ((options.refuse ?? []).some((refused) => refused.method === method && refused.path === pathname)) {
      throw new ApiError(403, 'This feature is not enabled for this tenant.', 'feature_not_enabled');
    }
    const api = pathname.slice('/api/v2'.length);
    const data = isObject(body) ? body : {};
    let match: RegExpExecArray | null;

    if (api === '/actions/actions' && method === 'GET') {
      const page = query(params, 'page', 0);
      const perPage = query(params, 'per_page', 50);
      const slice = state.actions.slice(page * perPage, (page + 1) * perPage);
      return { status: 200, body: { actions: slice.map(publicAction), total: state.actions.length, page, per_page: perPage } };
    }
    if (api === '/actions/actions' && method === 'POST') return { status: 201, body: publicAction(createAction(data)) };
    if ((match = /^\/actions\/actions\/([^/]+)$/.exec(api)) !== null) {
      const action = findAction(decodeURIComponent(match[1] ?? ''));
      if (method === 'GET') return { status: 200, body: publicAction(action) };
      if (method === 'PATCH') {
        onlyFields(data, ACTION_FIELDS, 'UpdateActionRequestContent');
        applyDraft(action, data);
        return { status: 200, body: publicAction(action) };
      }
      if (method === 'DELETE') {
        state.actions = state.actions.filter((candidate) => candidate !== action);
        return { status: 204 };
      }
    }
    if ((match = /^\/actions\/actions\/([^/]+)\/deploy$/.exec(api)) !== null && method === 'POST') {
      const version = deployAction(findAction(decodeURIComponent(match[1] ?? '')));
      const action = findAction(version.action_id);
      return { status: 200, body: { ...publicVersion(version), action: { id: action.id, name: action.name, supported_triggers: action.supported_triggers, all_changes_deployed: true, created_at: action.created_at, updated_at: action.updated_at } } };
    }
    if (api === '/actions/modules' && method === 'GET') {
      return { status: 200, body: { modules: [], total: 0, page: query(params, 'page', 0), per_page: query(params, 'per_page', 50) } };
    }
    if (api === '/actions/triggers' && method === 'GET') return { status: 200, body: { triggers: TRIGGERS } };
    if ((match = /^\/actions\/triggers\/([^/]+)\/bindings$/.exec(api)) !== null) {
      const triggerId = decodeURIComponent(match[1] ?? '');
      if (!TRIGGERS.some((trigger) => trigger.id === triggerId)) throw new ApiError(404, `trigger ${triggerId} does not exist`, 'trigger_not_found');
      if (PROVIDER_TRIGGERS.includes(triggerId) && method === 'PATCH') throw new ApiError(400, `trigger ${triggerId} does not accept bindings`, 'invalid_binding');
      if (method === 'GET') {
        const all = state.bindings.get(triggerId) ?? [];
        const page = query(params, 'page', 0);
        const perPage = query(params, 'per_page', 50);
        return { status: 200, body: { bindings: all.slice(page * perPage, (page + 1) * perPage).map(publicBinding), total: all.length, page, per_page: perPage } };
      }
      if (method === 'PATCH') return { status: 200, body: { bindings: setBindings(triggerId, data).map(publicBinding) } };
    }
    if (api === '/branding/phone/providers') {
      if (method === 'GET') {
        const disabled = params.disabled;
        const providers = state.phoneProviders.filter((provider) => disabled === undefined || String(provider.disabled) === disabled);
        return { status: 200, body: { providers: providers.map(publicProvider) } };
      }
      if (method === 'POST') {
        if (state.phoneProviders.length > 0) throw new ApiError(409, 'A phone provider already exists for this tenant.', 'phone_provider_conflict');
        return { status: 201, body: publicProvider(writePhoneProvider(data, undefined)) };
      }
    }
    if ((match = /^\/branding\/phone\/providers\/([^/]+)$/.exec(api)) !== null) {
      const id = decodeURIComponent(match[1] ?? '');
      const provider = state.phoneProviders.find((candidate) => candidate.id === id);
      if (provider === undefined) throw new ApiError(404, 'Phone provider not found.', 'phone_provider_not_found');
      if (method === 'GET') return { status: 200, body: publicProvider(provider) };
      if (method === 'PATCH') return { status: 200, body: publicProvider(writePhoneProvider(data, provider)) };
      if (method === 'DELETE') {
        state.phoneProviders = [];
        return { status: 204 };
      }
    }
    if (api === '/tenants/settings' && method === 'GET') {
      const settings: Record<string, unknown> = { friendly_name: 'tollguard test tenant', enabled_locales: ['en'], session_lifetime: 168 };
      if (options.phoneConsolidatedExperience !== undefined) settings.phone_consolidated_experience = options.phoneConsolidatedExperience;
      const fields = params.fields?.split(',').filter(Boolean);
      const include = params.include_fields !== 'false';
      const answer = fields === undefined ? settings : Object.fromEntries(Object.entries(settings).filter(([key]) => fields.includes(key) === include));
      return { status: 200, body: answer };
    }
    if (api === '/clients' && method === 'GET') {
      return { status: 200, body: { clients: [], start: 0, limit: query(params, 'per_page', 50), total: 0 } };
    }
    if (api === '/guardian/factors' && method === 'GET') {
      return { status: 200, body: [...state.guardian.factors].map(([name, enabled]) => ({ name, enabled, trial_expired: false })) };
    }
    if (api === '/guardian/factors/phone/selected-provider') {
      if (method === 'GET') return { status: 200, body: { provider: state.guardian.selectedProvider } };
      if (method === 'PUT') {
        onlyFields(data, ['provider'], 'SetGuardianFactorsProviderPhoneRequestContent');
        const provider = requireString(data.provider, 'provider');
        if (!PHONE_PROVIDERS.includes(provider)) throw new ApiError(400, `Payload validation error: 'No enum match for: "${provider}"' on property provider.`, 'invalid_body');
        state.guardian.selectedProvider = provider;
        return { status: 200, body: { provider } };
      }
    }
    if (api === '/guardian/factors/phone/message-types') {
      if (method === 'GET') return { status: 200, body: { message_types: state.guardian.messageTypes } };
      if (method === 'PUT') {
        onlyFields(data, ['message_types'], 'SetGuardianFactorPhoneMessageTypesRequestContent');
        state.guardian.messageTypes = requireStringArray(data.message_types, 'message_types', PHONE_MESSAGE_TYPES);
        return { status: 200, body: { message_types: state.guardian.messageTypes } };
      }
    }
    if ((match = /^\/guardian\/factors\/([^/]+)$/.exec(api)) !== null && method === 'PUT') {
      const name = decodeURIComponent(match[1] ?? '');
      if (!GUARDIAN_FACTORS.includes(name)) throw new ApiError(404, `factor ${name} does not exist`, 'factor_not_found');
      onlyFields(data, ['enabled'], 'SetGuardianFactorRequestContent');
      if (typeof data.enabled !== 'boolean') throw new ApiError(400, "Payload validation error: 'Missing required property: enabled'.", 'invalid_body');
      state.guardian.factors.set(name, data.enabled);
      return { status: 200, body: { enabled: data.enabled } };
    }
    if ((match = /^\/attack-protection\/([a-z-]+)$/.exec(api)) !== null) {
      const part = match[1] as AttackProtectionPart;
      if (part in ATTACK_PROTECTION_FIELDS) {
        if (forbidden.has(part)) throw new ApiError(403, 'This feature is not enabled for this tenant.', 'feature_not_enabled');
        if (method === 'GET') return { status: 200, body: state.attackProtection[part] };
        if (method === 'PATCH') return { status: 200, body: patchAttackProtection(part, data) };
      }
    }
    return undefined;
  }

  function parseBody(raw: string, contentType: string | undefined): unknown {
    if (raw === '') return undefined;
    if ((contentType ?? '').includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new ApiError(400, 'Invalid JSON body', 'invalid_body');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', `https://${domain}`);
    const method = req.method ?? 'GET';
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
      unhandled: false,
      headers: {},
    };
    const authorization = header('authorization');
    const userAgent = header('user-agent');
    const deployMode = header('x-auth0-deploy-mode');
    const contentType = header('content-type');
    if (authorization !== undefined) record.headers.authorization = authorization;
    if (userAgent !== undefined) record.headers.userAgent = userAgent;
    if (deployMode !== undefined) record.headers.deployMode = deployMode;
    if (contentType !== undefined) record.headers.contentType = contentType;
    requests.push(record);
    let status: number;
    let payload: unknown;
    try {
      record.body = parseBody(Buffer.concat(chunks).toString('utf8'), contentType);
      const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
      const answer = route(method, url.pathname, record.query, record.body, bearer !== undefined && tokens.has(bearer));
      if (answer === undefined) {
        record.unhandled = true;
        throw new ApiError(404, `Not Found: ${method} ${url.pathname}`, 'not_found');
      }
      status = answer.status;
      payload = answer.body;
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(500, error instanceof Error ? error.message : String(error));
      status = apiError.status;
      record.error = apiError.message;
      payload =
        url.pathname === '/oauth/token'
          ? { error: apiError.errorCode ?? 'invalid_request', error_description: apiError.message }
          : { statusCode: apiError.status, error: STATUS_TEXT[apiError.status] ?? 'Error', message: apiError.message, ...(apiError.errorCode === undefined ? {} : { errorCode: apiError.errorCode }) };
    }
    record.status = status;
    if (payload === undefined) {
      res.writeHead(status).end();
      return;
    }
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
  }

  const server = https.createServer({ key: options.cert.key, cert: options.cert.cert }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  domain = `127.0.0.1:${port}`;

  return {
    domain,
    url: `https://${domain}`,
    clientId,
    clientSecret,
    requests,
    state,
    writes: () => requests.filter((request) => request.method !== 'GET' && request.path !== '/oauth/token'),
    calls: (method, pathname) => requests.filter((request) => request.method === method && request.path === pathname),
    clearRequests: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
