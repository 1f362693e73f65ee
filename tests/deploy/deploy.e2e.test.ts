/**
 * End to end: `npx tsx scripts/deploy.ts` (the real auth0-deploy-cli 8.44 underneath) imports
 * tenant/tenant.yaml into a local Management API (tests/support/management-api.ts) over HTTPS with a
 * throwaway certificate the child process trusts through NODE_EXTRA_CA_CERTS.
 *
 * Nine tenants, in three concurrent chains of runs (each CLI run spends seconds compiling its
 * schema):
 *   A: legacy phone experience (the default), a tenant with someone else's Actions and bindings: first
 *      deploy, then the same deploy again; then F;
 *   B: --dry-run; C: a tenant where tollguard already runs, redeployed with
 *      TOLLGUARD_ATTACK_PROTECTION=off; D: the same, on a tenant that refuses to change the MFA phone
 *      provider (403, which the CLI only logs as a warning); then G;
 *   E: TOLLGUARD_PHONE_EXPERIENCE=unified on a Unified Phone Experience tenant with someone else's
 *      Actions, a Twilio tenant-level provider and tollguard's old legacy send Action still bound:
 *      --dry-run, first deploy, then the same deploy again;
 *   F: the default (legacy) on a Unified Phone Experience tenant: refused before any write;
 *   G: unified on a tenant that already has another custom-phone-provider Action: refused;
 *   H: a tenant that refuses the tenant-settings read (no read:tenant_settings): stops before any write;
 *   I: unified with text only where MFA by phone offers voice too: refused.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { readTenantPlan, type PlannedAction } from '../../scripts/deploy/tenant-config';
import { makeTestCertificate, startManagementApi, type ManagementApiServer, type RecordedRequest, type TenantState, type TestCertificate } from '../support/management-api';
import { FAKE, ROOT, copyDist, deployEnv, runDeploy, type DistCopy, type RunResult } from './helpers';

const LONG = 900_000; // three chains of CLI runs; about 2-6 minutes on a shared 2-core machine
const { plan } = readTenantPlan(path.join(ROOT, 'tenant', 'tenant.yaml'));
const SEND = plan.actions.find((action) => action.trigger.id === 'send-phone-message') as PlannedAction;
const SIGNUP = plan.actions.find((action) => action.trigger.id === 'pre-user-registration') as PlannedAction;
const CUSTOM = plan.actions.find((action) => action.trigger.id === 'custom-phone-provider') as PlannedAction;
const POST_LOGIN = plan.actions.find((action) => action.trigger.id === 'post-login') as PlannedAction;
const PROVIDERS = '/api/v2/branding/phone/providers';
const THEIRS = [
  { name: 'their-signup-checks', trigger: 'pre-user-registration' },
  { name: 'their-login-flow', trigger: 'post-login' },
];
const THEIR_BINDINGS = { 'pre-user-registration': ['their-signup-checks'], 'post-login': ['their-login-flow'] };

interface Snapshot {
  actions: unknown[];
  bindings: Record<string, string[]>;
  guardian: unknown;
  attackProtection: unknown;
  phoneProviders: unknown;
}

function snapshot(state: TenantState): Snapshot {
  return JSON.parse(
    JSON.stringify({
      actions: [...state.actions]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((action) => ({
          name: action.name,
          code: createHash('sha256').update(action.code).digest('hex'),
          runtime: action.runtime,
          dependencies: action.dependencies,
          secrets: action.secrets.map(({ name, value }) => ({ name, value })),
          supported_triggers: action.supported_triggers,
          all_changes_deployed: action.all_changes_deployed,
        })),
      bindings: Object.fromEntries(
        [...state.bindings].map(([trigger, list]) => [trigger, list.map((binding) => state.actions.find((action) => action.id === binding.action_id)?.name ?? '?')]),
      ),
      guardian: { factors: Object.fromEntries(state.guardian.factors), provider: state.guardian.selectedProvider, messageTypes: state.guardian.messageTypes },
      attackProtection: state.attackProtection,
      phoneProviders: state.phoneProviders.map(({ name, disabled, configuration, credentials }) => ({ name, disabled, configuration, credentials })),
    }),
  ) as Snapshot;
}

interface Run {
  result: RunResult;
  requests: RecordedRequest[];
  before: Snapshot;
  after: Snapshot;
}

async function deployOnce(api: ManagementApiServer, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const before = snapshot(api.state);
  api.clearRequests();
  const result = await runDeploy(args, env);
  return { result, requests: [...api.requests], before, after: snapshot(api.state) };
}

function describeRun(run: Run): string {
  return `exit ${run.result.status} after ${run.result.ms} ms\n--- stdout\n${run.result.stdout}\n--- stderr\n${run.result.stderr}`;
}

function expectSuccess(run: Run): void {
  if (run.result.status !== 0) throw new Error(`deploy failed: ${describeRun(run)}`);
}

const bodies = (requests: RecordedRequest[], method: string, pathname: string) =>
  requests.filter((request) => request.method === method && request.path === pathname).map((request) => request.body as Record<string, unknown>);

function expectedSecrets(action: PlannedAction, env: NodeJS.ProcessEnv) {
  return action.secrets.map((name) => ({ name, value: env[name] ?? '' }));
}

let cert: TestCertificate;
let dist: DistCopy;
const servers: ManagementApiServer[] = [];
let envA: NodeJS.ProcessEnv;
let first: Run;
let second: Run;
let dryRun: Run;
let noAttackProtection: Run;
let providerRefused: Run;
let envE: NodeJS.ProcessEnv;
let unifiedDryRun: Run;
let unifiedFirst: Run;
let unifiedSecond: Run;
let legacyOnUnified: Run;
let secondCustomAction: Run;
let settingsRefused: Run;
let mfaVoiceUncovered: Run;
const TOLLGUARD_RUNS = { seedActions: [{ name: SEND.name, trigger: 'send-phone-message' }], seedBindings: { 'send-phone-message': [SEND.name] } };

beforeAll(async () => {
  cert = makeTestCertificate();
  dist = copyDist();
  const args = ['--dist', dist.dir];
  const [apiA, apiB, apiC, apiD, apiE, apiF, apiG, apiH, apiI] = await Promise.all([
    startManagementApi({ cert, buildAttempts: 1, seedActions: THEIRS, seedBindings: THEIR_BINDINGS, phoneConsolidatedExperience: false }),
    startManagementApi({ cert, seedActions: THEIRS, seedBindings: THEIR_BINDINGS }),
    startManagementApi({ cert, ...TOLLGUARD_RUNS }),
    startManagementApi({ cert, ...TOLLGUARD_RUNS, refuse: [{ method: 'PUT', path: '/api/v2/guardian/factors/phone/selected-provider' }] }),
    startManagementApi({
      cert,
      buildAttempts: 1,
      phoneConsolidatedExperience: true,
      seedActions: [...THEIRS, { name: SEND.name, trigger: 'send-phone-message' }],
      seedBindings: { ...THEIR_BINDINGS, 'send-phone-message': [SEND.name] },
      seedPhoneProvider: { name: 'twilio', configuration: { sid: 'AC' + '0'.repeat(32), default_from: '+15005550006', delivery_methods: ['text'] } },
    }),
    startManagementApi({ cert, phoneConsolidatedExperience: true }),
    startManagementApi({ cert, phoneConsolidatedExperience: true, seedActions: [{ name: 'their-sms-gateway', trigger: 'custom-phone-provider' }] }),
    startManagementApi({ cert, phoneConsolidatedExperience: true, refuse: [{ method: 'GET', path: '/api/v2/tenants/settings' }] }),
    startManagementApi({ cert, phoneConsolidatedExperience: true, seedGuardian: { sms: true, messageTypes: ['sms', 'voice'] } }),
  ]);
  servers.push(apiA, apiB, apiC, apiD, apiE, apiF, apiG, apiH, apiI);
  // AUTH0_ALLOW_DELETE=true in the environment must not turn deletes on: the deploy passes false.
  envA = deployEnv(apiA, cert.certFile, { TOLLGUARD_PHONE_MESSAGE_TYPES: 'sms,voice', AUTH0_ALLOW_DELETE: 'true' });
  envE = deployEnv(apiE, cert.certFile, { TOLLGUARD_PHONE_EXPERIENCE: 'unified', TOLLGUARD_PHONE_MESSAGE_TYPES: 'sms,voice', AUTH0_ALLOW_DELETE: 'true' });
  await Promise.all([
    (async () => {
      first = await deployOnce(apiA, args, envA);
      second = await deployOnce(apiA, args, envA);
      legacyOnUnified = await deployOnce(apiF, args, deployEnv(apiF, cert.certFile));
      settingsRefused = await deployOnce(apiH, args, deployEnv(apiH, cert.certFile));
    })(),
    (async () => {
      dryRun = await deployOnce(apiB, ['--dry-run', ...args], deployEnv(apiB, cert.certFile));
      noAttackProtection = await deployOnce(apiC, args, deployEnv(apiC, cert.certFile, { TOLLGUARD_ATTACK_PROTECTION: 'off' }));
      providerRefused = await deployOnce(apiD, args, deployEnv(apiD, cert.certFile, { TOLLGUARD_ATTACK_PROTECTION: 'off' }));
      secondCustomAction = await deployOnce(apiG, args, deployEnv(apiG, cert.certFile, { TOLLGUARD_PHONE_EXPERIENCE: 'unified' }));
      mfaVoiceUncovered = await deployOnce(apiI, args, deployEnv(apiI, cert.certFile, { TOLLGUARD_PHONE_EXPERIENCE: 'unified' }));
    })(),
    (async () => {
      unifiedDryRun = await deployOnce(apiE, ['--dry-run', ...args], envE);
      unifiedFirst = await deployOnce(apiE, args, envE);
      unifiedSecond = await deployOnce(apiE, args, envE);
    })(),
  ]);
}, LONG);

afterAll(async () => {
  await Promise.all(servers.map((api) => api.close()));
  dist?.cleanup();
  cert?.cleanup();
});

describe('first deploy to a tenant that already has other Actions', () => {
  test('succeeds and reads the tenant back', () => {
    expectSuccess(first);
    expect(first.result.stdout).toMatch(/read back and verified/);
    expect(first.result.stdout).toMatch(/first deploy: importing actions and triggers first/);
  });

  test('calls only endpoints the local API implements, never DELETE, and fails no call but the build wait', () => {
    expect(first.requests.filter((request) => request.unhandled)).toEqual([]);
    expect(first.requests.filter((request) => request.method === 'DELETE')).toEqual([]);
    const refused = first.requests.filter((request) => request.status >= 400);
    expect(refused.length).toBeGreaterThan(0); // buildAttempts: 1 makes the CLI wait for 'built' once per Action
    for (const request of refused) {
      expect(request.path).toMatch(/^\/api\/v2\/actions\/actions\/[^/]+\/deploy$/);
      expect(request.error).toMatch(/must be in the 'built' state/);
    }
  });

  test('creates the three Actions with the built bundles byte for byte, node22, their triggers (post-login v3, the others v2) and the recorded dependencies', () => {
    const created = bodies(first.requests, 'POST', '/api/v2/actions/actions');
    expect(created.map((body) => body.name).sort()).toEqual([SEND.name, SIGNUP.name, POST_LOGIN.name].sort());
    const recorded = JSON.parse(dist.bundle('dependencies.json').toString('utf8')) as Record<string, unknown>;
    for (const action of [SEND, SIGNUP, POST_LOGIN]) {
      const body = created.find((candidate) => candidate.name === action.name) as Record<string, unknown>;
      expect(Buffer.from(String(body.code), 'utf8').equals(dist.bundle(action.bundle))).toBe(true);
      expect(body.runtime).toBe('node22');
      expect(body.supported_triggers).toEqual([{ id: action.trigger.id, version: action === POST_LOGIN ? 'v3' : 'v2' }]);
      expect(body.dependencies).toEqual(recorded[action.buildName]);
      expect(Object.keys(body).sort()).toEqual(['code', 'dependencies', 'name', 'runtime', 'secrets', 'supported_triggers']);
    }
  });

  test("gives each Action its declared secrets with the environment's values ('' for unset ones)", () => {
    const created = bodies(first.requests, 'POST', '/api/v2/actions/actions');
    for (const action of [SEND, SIGNUP, POST_LOGIN]) {
      const body = created.find((candidate) => candidate.name === action.name) as Record<string, unknown>;
      expect(body.secrets).toEqual(expectedSecrets(action, envA));
    }
    const send = first.after.actions.find((action) => (action as { name: string }).name === SEND.name) as { secrets: Array<{ name: string; value: string }> };
    expect(send.secrets.find((secret) => secret.name === 'UPSTASH_REDIS_REST_TOKEN')?.value).toBe(FAKE.UPSTASH_REDIS_REST_TOKEN);
    expect(send.secrets.find((secret) => secret.name === 'GUARD_MODE')?.value).toBe('monitor');
    expect(send.secrets.find((secret) => secret.name === 'GUARD_LIMIT_USER')?.value).toBe('');
  });

  test('deploys the three Actions and binds them first, keeping the bindings other Actions had', () => {
    const deployed = first.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/deploy') && request.status === 200);
    expect(deployed).toHaveLength(3);
    expect(bodies(first.requests, 'PATCH', '/api/v2/actions/triggers/send-phone-message/bindings')).toEqual([
      { bindings: [{ ref: { type: 'action_name', value: SEND.name }, display_name: SEND.name }] },
    ]);
    expect(bodies(first.requests, 'PATCH', '/api/v2/actions/triggers/pre-user-registration/bindings')).toEqual([
      {
        bindings: [
          { ref: { type: 'action_name', value: SIGNUP.name }, display_name: SIGNUP.name },
          { ref: { type: 'action_name', value: 'their-signup-checks' }, display_name: 'their-signup-checks' },
        ],
      },
    ]);
    expect(bodies(first.requests, 'PATCH', '/api/v2/actions/triggers/post-login/bindings')).toEqual([
      {
        bindings: [
          { ref: { type: 'action_name', value: POST_LOGIN.name }, display_name: POST_LOGIN.name },
          { ref: { type: 'action_name', value: 'their-login-flow' }, display_name: 'their-login-flow' },
        ],
      },
    ]);
    expect(first.after.bindings).toEqual({
      'pre-user-registration': [SIGNUP.name, 'their-signup-checks'],
      'post-login': [POST_LOGIN.name, 'their-login-flow'],
      'send-phone-message': [SEND.name],
    });
  });

  test("leaves the other Actions alone although they are not in tenant.yaml (and AUTH0_ALLOW_DELETE=true is in the environment)", () => {
    expect(first.result.stdout).toMatch(/ignoring AUTH0_ALLOW_DELETE from the environment/);
    const theirs = (snap: Snapshot) => snap.actions.filter((action) => (action as { name: string }).name.startsWith('their-'));
    expect(theirs(first.after)).toEqual(theirs(first.before));
    // The one write on post-login is the binding list, which keeps their login flow after tollguard's.
    expect(first.requests.filter((request) => request.path.includes('/triggers/post-login/') && request.method !== 'GET').map(key)).toEqual(['PATCH /api/v2/actions/triggers/post-login/bindings']);
  });

  test('selects the Custom phone provider with the chosen message types, only after the Action is bound', () => {
    expect(bodies(first.requests, 'PUT', '/api/v2/guardian/factors/sms')).toEqual([{ enabled: true }]);
    expect(bodies(first.requests, 'PUT', '/api/v2/guardian/factors/phone/selected-provider')).toEqual([{ provider: 'phone-message-hook' }]);
    expect(bodies(first.requests, 'PUT', '/api/v2/guardian/factors/phone/message-types')).toEqual([{ message_types: ['sms', 'voice'] }]);
    const index = (method: string, pathname: string) => first.requests.findIndex((request) => request.method === method && request.path === pathname);
    expect(index('PUT', '/api/v2/guardian/factors/phone/selected-provider')).toBeGreaterThan(index('PATCH', '/api/v2/actions/triggers/send-phone-message/bindings'));
    expect(first.after.guardian).toMatchObject({ provider: 'phone-message-hook', messageTypes: ['sms', 'voice'] });
  });

  test('checks the phone experience first and never touches the unified parts (phone provider, custom-phone-provider Action)', () => {
    expect(first.result.stdout).toMatch(/tenant phone_consolidated_experience: false; deploying the legacy phone experience/);
    expect(first.requests.findIndex((request) => request.path === '/api/v2/tenants/settings')).toBeLessThan(first.requests.findIndex((request) => request.method !== 'GET' && request.path !== '/oauth/token'));
    expect(first.requests.filter((request) => request.path.startsWith(PROVIDERS))).toEqual([]);
    expect(first.requests.some((request) => JSON.stringify(request.body ?? '').includes('custom-phone-provider'))).toBe(false);
    expect(first.after.actions.map((action) => (action as { name: string }).name)).not.toContain(CUSTOM.name);
  });

  test('applies the attack-protection baseline, keeping what it does not name (allowlists)', () => {
    expect(bodies(first.requests, 'PATCH', '/api/v2/attack-protection/suspicious-ip-throttling')).toEqual([
      {
        enabled: true,
        shields: ['block', 'admin_notification'],
        stage: { 'pre-login': { max_attempts: 100, rate: 864000 }, 'pre-user-registration': { max_attempts: 50, rate: 1728000 } },
      },
    ]);
    expect(bodies(first.requests, 'PATCH', '/api/v2/attack-protection/bot-detection')).toEqual([
      { bot_detection_level: 'medium', challenge_password_policy: 'when_risky', challenge_passwordless_policy: 'when_risky', challenge_password_reset_policy: 'when_risky' },
    ]);
    expect(bodies(first.requests, 'PATCH', '/api/v2/attack-protection/brute-force-protection')).toEqual([
      { enabled: true, shields: ['block', 'user_notification'], mode: 'count_per_identifier_and_ip', max_attempts: 10 },
    ]);
    expect(bodies(first.requests, 'PATCH', '/api/v2/attack-protection/breached-password-detection')).toEqual([
      { enabled: true, shields: ['block'], method: 'standard', stage: { 'pre-user-registration': { shields: ['block'] } } },
    ]);
    expect(first.requests.some((request) => request.path === '/api/v2/attack-protection/captcha' && request.method !== 'GET')).toBe(false);
    const after = first.after.attackProtection as Record<string, Record<string, unknown>>;
    const before = first.before.attackProtection as Record<string, Record<string, unknown>>;
    expect(after['suspicious-ip-throttling']?.allowlist).toEqual(before['suspicious-ip-throttling']?.allowlist);
    expect(after['brute-force-protection']?.allowlist).toEqual(before['brute-force-protection']?.allowlist);
  });

  test('never prints a credential', () => {
    const output = first.result.stdout + first.result.stderr;
    for (const name of ['TWILIO_AUTH_TOKEN', 'UPSTASH_REDIS_REST_TOKEN', 'CAPTCHA_SECRET'] as const) expect(output).not.toContain(FAKE[name]);
    expect(output).not.toContain(String(envA.AUTH0_CLIENT_SECRET));
  });
});

describe('second, identical deploy', () => {
  test('succeeds in one import and ends in the same tenant state', () => {
    expectSuccess(second);
    expect(second.result.stdout).not.toMatch(/first deploy/);
    expect(second.after).toEqual(first.after);
  });

  test('creates nothing and deletes nothing; the CLI still PATCHes and deploys the three Actions (a new version each run)', () => {
    expect(second.requests.filter((request) => request.method === 'POST' && request.path === '/api/v2/actions/actions')).toEqual([]);
    expect(second.requests.filter((request) => request.method === 'DELETE')).toEqual([]);
    expect(second.requests.filter((request) => request.unhandled)).toEqual([]);
    const patched = second.requests.filter((request) => request.method === 'PATCH' && /^\/api\/v2\/actions\/actions\/[^/]+$/.test(request.path));
    expect(patched.map((request) => (request.body as { name: string }).name).sort()).toEqual([SEND.name, SIGNUP.name, POST_LOGIN.name].sort());
    for (const request of patched) {
      const action = request.body as { name: string; secrets: unknown };
      expect(action.secrets).toEqual(expectedSecrets([SEND, SIGNUP, POST_LOGIN].find((candidate) => candidate.name === action.name) as PlannedAction, envA));
    }
    expect(second.requests.filter((request) => request.path.endsWith('/deploy') && request.status === 200)).toHaveLength(3);
    const ours = servers[0]?.state.actions.filter((action) => action.name.startsWith('tollguard-')) ?? [];
    expect(ours.map((action) => action.versions.length)).toEqual([2, 2, 2]);
  });
});

describe('--dry-run', () => {
  test('previews the changes and writes nothing', () => {
    expectSuccess(dryRun);
    expect(dryRun.result.stdout).toMatch(/Dry Run Preview/);
    expect(dryRun.result.stdout).toMatch(/CREATE\s+│\s+tollguard-send-phone-message/);
    expect(dryRun.result.stdout).toMatch(/nothing was changed/);
    const writes = dryRun.requests.filter((request) => request.method !== 'GET' && request.path !== '/oauth/token');
    expect(writes).toEqual([]);
    expect(dryRun.requests.filter((request) => request.unhandled)).toEqual([]);
    expect(dryRun.after).toEqual(dryRun.before);
  });
});

describe('TOLLGUARD_ATTACK_PROTECTION=off', () => {
  test('deploys everything else and never calls the attack-protection endpoints', () => {
    expectSuccess(noAttackProtection);
    expect(noAttackProtection.result.stdout).toMatch(/attack protection left alone/);
    expect(noAttackProtection.requests.filter((request) => request.path.startsWith('/api/v2/attack-protection'))).toEqual([]);
    expect(noAttackProtection.after.attackProtection).toEqual(noAttackProtection.before.attackProtection);
    expect(noAttackProtection.after.guardian).toMatchObject({ provider: 'phone-message-hook', messageTypes: ['sms'] });
    expect(noAttackProtection.after.bindings).toEqual({ 'send-phone-message': [SEND.name], 'pre-user-registration': [SIGNUP.name], 'post-login': [POST_LOGIN.name] });
  });
});

describe('read-back after the import', () => {
  test('fails the deploy when the tenant refused a setting that auth0-deploy-cli only warned about', () => {
    expect(providerRefused.requests.find((request) => request.path === '/api/v2/guardian/factors/phone/selected-provider' && request.method === 'PUT')?.status).toBe(403);
    expect(providerRefused.result.status).toBe(1);
    expect(providerRefused.result.stderr).toMatch(/the import ran, but the tenant is not in the intended state:\n\s+- the phone factor's provider is auth0, expected phone-message-hook/);
  });
});

const key = (request: RecordedRequest) => `${request.method} ${request.path}`;
const actionId = (api: ManagementApiServer, name: string) => api.state.actions.find((action) => action.name === name)?.id ?? '?';

describe('TOLLGUARD_PHONE_EXPERIENCE=unified --dry-run', () => {
  test('previews the custom Action and the provider replacement, and writes nothing', () => {
    expectSuccess(unifiedDryRun);
    expect(unifiedDryRun.result.stdout).toMatch(/CREATE\s+│\s+tollguard-custom-phone-provider/);
    expect(unifiedDryRun.result.stdout).toMatch(/PhoneProviders\s+│\s+CREATE\s+│\s+custom/);
    expect(unifiedDryRun.result.stdout).toMatch(/replaces that provider in place \(one PATCH\) and deletes nothing/);
    expect(unifiedDryRun.requests.filter((request) => request.method !== 'GET' && request.path !== '/oauth/token')).toEqual([]);
    expect(unifiedDryRun.requests.filter((request) => request.unhandled)).toEqual([]);
    expect(unifiedDryRun.after).toEqual(unifiedDryRun.before);
  });
});

describe('TOLLGUARD_PHONE_EXPERIENCE=unified: first deploy to a Unified Phone Experience tenant', () => {
  test('succeeds, reports the provider it replaces and reads the tenant back', () => {
    expectSuccess(unifiedFirst);
    expect(unifiedFirst.result.stdout).toMatch(/tenant phone_consolidated_experience: true; deploying the unified phone experience/);
    expect(unifiedFirst.result.stdout).toMatch(/phone provider now: twilio \(enabled, delivery methods: text\); it will be replaced by: custom \(enabled, delivery methods: text, voice\)/);
    expect(unifiedFirst.result.stderr).toMatch(/warning: the tenant-level twilio provider is replaced/);
    expect(unifiedFirst.result.stdout).toMatch(/read back and verified/);
  });

  test('calls only endpoints the local API implements, never DELETE, and fails no call but the build wait', () => {
    expect(unifiedFirst.requests.filter((request) => request.unhandled)).toEqual([]);
    expect(unifiedFirst.requests.filter((request) => request.method === 'DELETE')).toEqual([]);
    for (const request of unifiedFirst.requests.filter((candidate) => candidate.status >= 400)) {
      expect(`${key(request)} ${request.error}`).toMatch(/^POST \/api\/v2\/actions\/actions\/[^/]+\/deploy An action version must be in the 'built' state/);
    }
  });

  test('creates the custom-phone-provider Action from the built bundle byte for byte, v1 trigger, same secrets as the send Action', () => {
    const created = bodies(unifiedFirst.requests, 'POST', '/api/v2/actions/actions');
    expect(created.map((body) => body.name).sort()).toEqual([CUSTOM.name, SIGNUP.name, POST_LOGIN.name].sort());
    const body = created.find((candidate) => candidate.name === CUSTOM.name) as Record<string, unknown>;
    expect(Buffer.from(String(body.code), 'utf8').equals(dist.bundle(CUSTOM.bundle))).toBe(true);
    expect(body.supported_triggers).toEqual([{ id: 'custom-phone-provider', version: 'v1' }]);
    expect(body.runtime).toBe('node22');
    expect(body.secrets).toEqual(expectedSecrets(CUSTOM, envE));
    const recorded = JSON.parse(dist.bundle('dependencies.json').toString('utf8')) as Record<string, unknown>;
    expect(body.dependencies).toEqual(recorded['custom-phone-provider']);
    const stored = servers[4]?.state.actions.find((action) => action.name === CUSTOM.name);
    expect(stored?.versions.find((version) => version.deployed)?.code).toBe(dist.bundle(CUSTOM.bundle).toString('utf8'));
  });

  test('sets the custom provider only after the Action is created and deployed, with credentials: {} and the chosen delivery methods', () => {
    const api = servers[4] as ManagementApiServer;
    const id = actionId(api, CUSTOM.name);
    const created = unifiedFirst.requests.findIndex((request) => key(request) === 'POST /api/v2/actions/actions' && (request.body as { name?: string }).name === CUSTOM.name);
    const deployed = unifiedFirst.requests.findIndex((request) => key(request) === `POST /api/v2/actions/actions/${id}/deploy` && request.status === 200);
    const provider = unifiedFirst.requests.findIndex((request) => request.path.startsWith(PROVIDERS) && request.method !== 'GET');
    expect(created).toBeGreaterThan(-1);
    expect(deployed).toBeGreaterThan(created);
    expect(provider).toBeGreaterThan(deployed);
    const writes = unifiedFirst.requests.filter((request) => request.path.startsWith(PROVIDERS) && request.method !== 'GET');
    expect(writes.map((request) => ({ call: key(request).replace(/providers\/[^/]+$/, 'providers/{id}'), status: request.status, body: request.body }))).toEqual([
      { call: `PATCH ${PROVIDERS}/{id}`, status: 200, body: { name: 'custom', disabled: false, configuration: { delivery_methods: ['text', 'voice'] }, credentials: {} } },
    ]);
    expect(unifiedFirst.after.phoneProviders).toEqual([{ name: 'custom', disabled: false, configuration: { delivery_methods: ['text', 'voice'] }, credentials: {} }]);
  });

  test('binds the sign-up and post-login Actions first, keeping the others, and leaves every legacy part alone', () => {
    expect(unifiedFirst.after.bindings).toEqual({
      'pre-user-registration': [SIGNUP.name, 'their-signup-checks'],
      'post-login': [POST_LOGIN.name, 'their-login-flow'],
      'send-phone-message': [SEND.name],
    });
    const sendId = actionId(servers[4] as ManagementApiServer, SEND.name);
    // Only the deploy's own check reads the MFA phone factor; nothing writes it.
    expect(unifiedFirst.requests.filter((request) => request.path.startsWith('/api/v2/guardian')).map(key)).toEqual(['GET /api/v2/guardian/factors', 'GET /api/v2/guardian/factors/phone/message-types']);
    expect(unifiedFirst.requests.filter((request) => request.path.includes('/triggers/send-phone-message/'))).toEqual([]);
    expect(unifiedFirst.requests.filter((request) => request.path.includes(sendId))).toEqual([]);
    const untouched = (snap: Snapshot) => snap.actions.filter((action) => [SEND.name, 'their-signup-checks', 'their-login-flow'].includes((action as { name: string }).name));
    expect(untouched(unifiedFirst.after)).toEqual(untouched(unifiedFirst.before));
    expect(unifiedFirst.after.guardian).toEqual(unifiedFirst.before.guardian);
  });

  test('never prints a credential', () => {
    const output = unifiedFirst.result.stdout + unifiedFirst.result.stderr;
    for (const name of ['TWILIO_AUTH_TOKEN', 'UPSTASH_REDIS_REST_TOKEN', 'CAPTCHA_SECRET'] as const) expect(output).not.toContain(FAKE[name]);
  });
});

describe('TOLLGUARD_PHONE_EXPERIENCE=unified: second, identical deploy', () => {
  test('ends in the same tenant state; creates and deletes nothing; the CLI still PATCHes the Actions and the provider', () => {
    expectSuccess(unifiedSecond);
    expect(unifiedSecond.after).toEqual(unifiedFirst.after);
    expect(unifiedSecond.result.stdout).toMatch(/phone provider now: custom \(enabled, delivery methods: text, voice\)/);
    expect(unifiedSecond.result.stderr).not.toMatch(/twilio provider is replaced/);
    expect(unifiedSecond.requests.filter((request) => request.method === 'POST' && (request.path === '/api/v2/actions/actions' || request.path === PROVIDERS))).toEqual([]);
    expect(unifiedSecond.requests.filter((request) => request.method === 'DELETE' || request.unhandled)).toEqual([]);
    expect(unifiedSecond.requests.filter((request) => request.path.startsWith(`${PROVIDERS}/`) && request.method === 'PATCH')).toHaveLength(1);
    expect(unifiedSecond.requests.filter((request) => request.path.endsWith('/deploy') && request.status === 200)).toHaveLength(3);
    const ours = servers[4]?.state.actions.filter((action) => [CUSTOM.name, SIGNUP.name, POST_LOGIN.name].includes(action.name)) ?? [];
    expect(ours.map((action) => action.versions.length)).toEqual([2, 2, 2]);
    expect(servers[4]?.state.phoneProviders).toHaveLength(1);
  });
});

describe('a phone experience that does not fit the tenant is refused before any write', () => {
  test('legacy (the default) on a Unified Phone Experience tenant: the send-phone-message Action would never run', () => {
    expect(legacyOnUnified.result.status).toBe(1);
    expect(legacyOnUnified.result.stderr).toMatch(/refusing to deploy \(TOLLGUARD_PHONE_EXPERIENCE=legacy\):\n\s+- the tenant uses the Unified Phone Experience .* would never run\. Set TOLLGUARD_PHONE_EXPERIENCE=unified/);
    expect(legacyOnUnified.result.stderr).toMatch(/nothing was changed/);
    expect(legacyOnUnified.requests.map(key)).toEqual(['POST /oauth/token', 'GET /api/v2/tenants/settings']);
    expect(legacyOnUnified.after).toEqual(legacyOnUnified.before);
  });

  test('unified with text only while MFA by phone offers voice: voice MFA would have no way out', () => {
    expect(mfaVoiceUncovered.result.status).toBe(1);
    expect(mfaVoiceUncovered.result.stderr).toMatch(/MFA by phone offers sms and voice, but the provider's delivery methods would be text.*Set TOLLGUARD_PHONE_MESSAGE_TYPES=sms,voice/);
    expect(mfaVoiceUncovered.requests.filter((request) => request.method !== 'GET' && request.path !== '/oauth/token')).toEqual([]);
  });

  test('without read:tenant_settings the experience cannot be checked, and the deploy stops', () => {
    expect(settingsRefused.result.status).toBe(1);
    expect(settingsRefused.result.stderr).toMatch(/GET \/api\/v2\/tenants\/settings \(scope read:tenant_settings\) failed: 403/);
    expect(settingsRefused.requests.map(key)).toEqual(['POST /oauth/token', 'GET /api/v2/tenants/settings']);
    expect(settingsRefused.after).toEqual(settingsRefused.before);
  });

  test('unified on a tenant that already has another custom-phone-provider Action (Auth0 allows one)', () => {
    expect(secondCustomAction.result.status).toBe(1);
    expect(secondCustomAction.result.stderr).toMatch(/already has a custom-phone-provider Action \(their-sms-gateway\) and Auth0 allows one/);
    expect(secondCustomAction.requests.filter((request) => request.method !== 'GET' && request.path !== '/oauth/token')).toEqual([]);
    expect(secondCustomAction.after).toEqual(secondCustomAction.before);
  });
});
