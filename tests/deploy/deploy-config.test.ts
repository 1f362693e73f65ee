/**
 * Fast checks of the deploy configuration and of the deploy script's pure parts: tenant/tenant.yaml
 * agrees with the build, the secret catalog and the built bundles; the environment check, the
 * bundle scan and the binding merge do what docs/deploy.md says. No network, no child process.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ACTIONS } from '../../scripts/build';
import { planPhases, parseArgs } from '../../scripts/deploy';
import { requiredPackages, scanBundle } from '../../scripts/deploy/bundles';
import { CREDENTIAL_SECRETS, checkEnvironment, deliveryMethodsOf, parsePhoneExperience, redact } from '../../scripts/deploy/environment';
import { checkTenantExperience, mergeBindings } from '../../scripts/deploy/management';
import { readTenantPlan, selectExperience, stagedYaml, type PhoneExperience, type TenantPlan } from '../../scripts/deploy/tenant-config';
import { SECRET_CATALOG } from '../../scripts/lib/secret-catalog';
import { DIST, FAKE, ROOT, requireBuiltDist } from './helpers';

const TENANT_YAML = path.join(ROOT, 'tenant', 'tenant.yaml');
const GOOD_ENV = { AUTH0_DOMAIN: 'example-tenant.eu.auth0.com', AUTH0_CLIENT_ID: 'client-id', AUTH0_CLIENT_SECRET: 'client-secret-not-real', ...FAKE };

function plan(): TenantPlan {
  const { plan: parsed, problems } = readTenantPlan(TENANT_YAML);
  expect(problems).toEqual([]);
  return parsed;
}

function planFor(experience: PhoneExperience): TenantPlan {
  const { plan: selected, problems } = selectExperience(plan(), experience);
  expect(problems).toEqual([]);
  return selected;
}

/** readTenantPlan's problems for tenant.yaml after `edit`. */
function problemsAfter(edit: (text: string) => string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tollguard-yaml-'));
  try {
    const file = path.join(dir, 'tenant.yaml');
    writeFileSync(file, edit(readFileSync(TENANT_YAML, 'utf8')));
    return readTenantPlan(file).problems.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('tenant/tenant.yaml', () => {
  test("deploys exactly the Actions scripts/build.ts builds, each from its bundle, on node22 and its trigger's current version", () => {
    const actions = plan().actions;
    expect(actions.map((action) => action.buildName).sort()).toEqual([...ACTIONS].sort());
    for (const action of actions) {
      expect(action.name).toBe(`tollguard-${action.buildName}`);
      expect(action.runtime).toBe('node22');
      const version = action.buildName === 'custom-phone-provider' ? 'v1' : action.buildName === 'post-login' ? 'v3' : 'v2';
      expect(action.trigger).toEqual({ id: action.buildName, version });
    }
  });

  test('touches only its own sections', () => {
    expect(plan().sections).toEqual([
      'actions',
      'triggers',
      'guardianFactors',
      'guardianPhoneFactorSelectedProvider',
      'guardianPhoneFactorMessageTypes',
      'phoneProviders',
      'attackProtection',
    ]);
  });

  test('legacy keeps the send Action, its binding and the phone factor; never the phone provider or the custom Action', () => {
    const legacy = planFor('legacy');
    expect(legacy.sections).toEqual(['actions', 'triggers', 'guardianFactors', 'guardianPhoneFactorSelectedProvider', 'guardianPhoneFactorMessageTypes', 'attackProtection']);
    expect(legacy.actions.map((action) => action.buildName)).toEqual(['send-phone-message', 'pre-user-registration', 'post-login']);
    expect([...legacy.bindingKeywords.keys()]).toEqual(['send-phone-message', 'pre-user-registration', 'post-login']);
    const staged = stagedYaml(legacy, legacy.sections);
    expect(staged).not.toMatch(/custom-phone-provider|phoneProviders|DELIVERY_METHODS/);
  });

  test('unified keeps the custom Action and the phone provider; never the send Action, its binding or the phone factor', () => {
    const unified = planFor('unified');
    expect(unified.sections).toEqual(['actions', 'triggers', 'phoneProviders', 'attackProtection']);
    expect(unified.actions.map((action) => action.buildName)).toEqual(['custom-phone-provider', 'pre-user-registration', 'post-login']);
    expect([...unified.bindingKeywords.keys()]).toEqual(['pre-user-registration', 'post-login']);
    const staged = stagedYaml(unified, unified.sections);
    expect(staged).not.toMatch(/send-phone-message|guardian|SEND_PHONE_MESSAGE|MESSAGE_TYPES/);
    expect(staged).toMatch(/phoneProviders:\n {2}- name: custom\n {4}disabled: false\n {4}configuration:\n {6}delivery_methods: '@@TOLLGUARD_PHONE_DELIVERY_METHODS@@'\n {4}credentials: \{\}\n/);
    // Each phase stages only its own sections.
    expect(stagedYaml(unified, ['attackProtection'])).not.toMatch(/actions:|phoneProviders/);
  });

  test('the custom phone provider must be custom, enabled, with credentials: {} and the deploy-filled delivery methods', () => {
    expect(problemsAfter((text) => text.replace('    credentials: {}\n', ''))).toMatch(/credentials must be written, and empty: credentials: \{\}/);
    expect(problemsAfter((text) => text.replace('  - name: custom\n', '  - name: twilio\n'))).toMatch(/name must be custom/);
    expect(problemsAfter((text) => text.replace('    disabled: false\n', '    disabled: true\n'))).toMatch(/disabled must be false/);
    expect(problemsAfter((text) => text.replace("delivery_methods: '@@TOLLGUARD_PHONE_DELIVERY_METHODS@@'", 'delivery_methods: [text, voice]'))).toMatch(/configuration must be \{ delivery_methods: '@@TOLLGUARD_PHONE_DELIVERY_METHODS@@' \}/);
    expect(problemsAfter((text) => text.replace(/\nphoneProviders:[\s\S]*?credentials: \{\}\n/, '\n'))).toMatch(/tollguard-custom-phone-provider: phoneProviders is missing, so the Action would be deployed but never run/);
    expect(problemsAfter((text) => text.replace("  pre-user-registration: '@@TOLLGUARD_BINDINGS_PRE_USER_REGISTRATION@@'", "  pre-user-registration: '@@TOLLGUARD_BINDINGS_PRE_USER_REGISTRATION@@'\n  custom-phone-provider: '@@TOLLGUARD_BINDINGS_CUSTOM_PHONE_PROVIDER@@'"))).toMatch(
      /triggers.custom-phone-provider: this trigger has no bindings/,
    );
  });

  test('a file without the chosen experience cannot deploy it', () => {
    const legacyOnly = { ...plan(), actions: plan().actions.filter((action) => action.experience !== 'unified'), sections: plan().sections.filter((section) => section !== 'phoneProviders') };
    expect(selectExperience(legacyOnly, 'unified').problems).toEqual([
      'TOLLGUARD_PHONE_EXPERIENCE=unified needs an action for the custom-phone-provider trigger in tenant/tenant.yaml',
      'TOLLGUARD_PHONE_EXPERIENCE=unified needs the phoneProviders section in tenant/tenant.yaml',
    ]);
  });

  test('declares at most 30 secrets per Action, all from the catalog and meant for that Action', () => {
    const catalog = new Map(SECRET_CATALOG.map((doc) => [doc.name, doc]));
    for (const action of plan().actions) {
      expect(action.secrets.length).toBeLessThanOrEqual(30);
      // The post-login Action reads only the store settings every Action shares.
      const kinds = action.buildName === 'pre-user-registration' ? ['signup', 'both'] : action.buildName === 'post-login' ? ['both'] : ['send', 'both'];
      for (const name of action.secrets) {
        const doc = catalog.get(name);
        expect({ name, known: doc !== undefined }).toEqual({ name, known: true });
        expect({ name, for: kinds.includes(doc?.actions ?? '') }).toEqual({ name, for: true });
      }
    }
  });

  test('every credential and GUARD_MODE is declared where the Action needs it', () => {
    const byName = new Map(plan().actions.map((action) => [action.buildName, action.secrets]));
    expect(byName.get('send-phone-message')).toEqual(
      expect.arrayContaining(['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM_NUMBER', 'TWILIO_MESSAGING_SERVICE_SID', 'TWILIO_VERIFY_SERVICE_SID', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'GUARD_MODE']),
    );
    expect(byName.get('pre-user-registration')).toEqual(expect.arrayContaining(['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'GUARD_MODE', 'CAPTCHA_PROVIDER', 'CAPTCHA_SECRET']));
    // The custom phone provider reads what the send Action reads (one send container), except the
    // send-only refusal style, whose place it gives to GUARD_VOICE_GROUPS.
    expect(byName.get('custom-phone-provider')).toEqual(byName.get('send-phone-message')?.map((name) => (name === 'GUARD_SILENT_REFUSAL' ? 'GUARD_VOICE_GROUPS' : name)));
    // Least privilege: the registration Action never gets the Twilio credentials.
    expect(byName.get('pre-user-registration')?.filter((name) => name.startsWith('TWILIO_'))).toEqual([]);
    // The post-login Action reads the store only: the Upstash pair, the mode and the store timeout;
    // not GUARD_KEY_PREFIX, which no other Action declares either (the prefixes must agree).
    expect(byName.get('post-login')).toEqual(['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'GUARD_MODE', 'GUARD_STORE_TIMEOUT']);
    const declaresPrefix = [...byName.values()].map((secrets) => secrets.includes('GUARD_KEY_PREFIX'));
    expect(new Set(declaresPrefix).size).toBe(1);
  });

  test('every declared secret is read by the built bundle of its Action (catches renames)', () => {
    requireBuiltDist();
    for (const action of plan().actions) {
      const code = readFileSync(path.join(DIST, action.bundle), 'utf8');
      const unread = action.secrets.filter((name) => !code.includes(name));
      expect({ action: action.name, unread }).toEqual({ action: action.name, unread: [] });
    }
  });

  test('refuses a literal secret value, a ## keyword and a trigger without a binding keyword', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tollguard-yaml-'));
    try {
      const file = path.join(dir, 'tenant.yaml');
      const text = readFileSync(TENANT_YAML, 'utf8')
        .replace("value: '@@TWILIO_AUTH_TOKEN@@'", "value: 'a-real-token-pasted-here'")
        .replace("value: '@@GUARD_MODE@@'", "value: '##GUARD_MODE##'")
        .replace("pre-user-registration: '@@TOLLGUARD_BINDINGS_PRE_USER_REGISTRATION@@'", 'pre-user-registration: []');
      writeFileSync(file, text);
      const { problems } = readTenantPlan(file);
      expect(problems.join('\n')).toMatch(/secret TWILIO_AUTH_TOKEN must have the value '@@TWILIO_AUTH_TOKEN@@'/);
      expect(problems.join('\n')).toMatch(/uses ##GUARD_MODE##/);
      expect(problems.join('\n')).toMatch(/triggers.pre-user-registration must be '@@TOLLGUARD_BINDINGS_PRE_USER_REGISTRATION@@'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('environment check', () => {
  test('accepts complete credentials and deploys unset optional secrets as empty (their default)', () => {
    const { settings, problems } = checkEnvironment(GOOD_ENV, planFor('legacy'), { allowEmbeddedStore: false });
    expect(problems).toEqual([]);
    expect(settings.secretValues.get('TWILIO_AUTH_TOKEN')).toBe(FAKE.TWILIO_AUTH_TOKEN);
    expect(settings.secretValues.get('GUARD_LIMIT_USER')).toBe('');
    expect(settings.defaulted).toContain('GUARD_LIMIT_USER');
    expect(settings.attackProtection).toBe(true);
    expect(settings.messageTypes).toEqual(['sms']);
    expect(settings.audience).toBe('https://example-tenant.eu.auth0.com/api/v2/');
  });

  test('lists every problem at once, with the Actions\' own messages', () => {
    const env = {
      AUTH0_DOMAIN: 'https://example-tenant.eu.auth0.com/',
      TWILIO_ACCOUNT_SID: 'AC1234',
      GUARD_MODE: 'bogus',
      CAPTCHA_PROVIDER: 'turnstile',
      GUARD_PUMPING_FACTOR: '6',
      TOLLGUARD_ATTACK_PROTECTION: 'maybe',
      TOLLGUARD_PHONE_MESSAGE_TYPES: 'sms,fax',
    };
    const { problems } = checkEnvironment(env, planFor('legacy'), { allowEmbeddedStore: false });
    const text = problems.join('\n');
    for (const expected of [
      /AUTH0_DOMAIN must be a host name/,
      /AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET are not set/,
      /TWILIO_ACCOUNT_SID is invalid: expected AC followed by 32 hex digits/,
      /TWILIO_AUTH_TOKEN is missing/,
      /set one of TWILIO_FROM_NUMBER, TWILIO_MESSAGING_SERVICE_SID or TWILIO_VERIFY_SERVICE_SID/,
      /UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are not set/,
      /GUARD_MODE is invalid.*\(tollguard-send-phone-message, tollguard-pre-user-registration, tollguard-post-login\)/,
      /CAPTCHA_SECRET is invalid/,
      /GUARD_PUMPING_FACTOR is set in the environment but tenant\/tenant.yaml declares it for no Action/,
      /TOLLGUARD_ATTACK_PROTECTION must be on or off/,
      /TOLLGUARD_PHONE_MESSAGE_TYPES must be sms, voice or sms,voice/,
    ]) {
      expect(text).toMatch(expected);
    }
  });

  test("the Okta hook server's own setting in the same environment is not an undeclared Action secret", () => {
    expect(checkEnvironment({ ...GOOD_ENV, OKTA_HOOK_AUTH_SECRET: 'okta-hook-secret-placeholder-0001' }, planFor('legacy'), { allowEmbeddedStore: false }).problems).toEqual([]);
  });

  test('--allow-embedded-store accepts a deploy without Upstash, but not half of it', () => {
    const { UPSTASH_REDIS_REST_URL: _url, UPSTASH_REDIS_REST_TOKEN: _token, ...withoutStore } = GOOD_ENV;
    expect(checkEnvironment(withoutStore, planFor('legacy'), { allowEmbeddedStore: true }).problems).toEqual([]);
    expect(checkEnvironment(withoutStore, planFor('legacy'), { allowEmbeddedStore: false }).problems.join('\n')).toMatch(/--allow-embedded-store/);
    const half = checkEnvironment({ ...withoutStore, UPSTASH_REDIS_REST_URL: FAKE.UPSTASH_REDIS_REST_URL }, planFor('legacy'), { allowEmbeddedStore: true });
    expect(half.problems.join('\n')).toMatch(/UPSTASH_REDIS_REST_TOKEN/);
  });

  test('refuses a value auth0-deploy-cli would rewrite as a keyword, an oversized one, and control characters', () => {
    const { problems } = checkEnvironment(
      { ...GOOD_ENV, GUARD_BLOCKED_NUMBERS: '+3712612, @@GUARD_MODE@@', ALERT_WEBHOOK_URL: `https://hooks.example.com/${'x'.repeat(5000)}`, GUARD_BLOCKED_IPS: '198.51.100.0/24\u0085' },
      planFor('legacy'),
      { allowEmbeddedStore: false },
    );
    expect(problems.join('\n')).toMatch(/GUARD_BLOCKED_NUMBERS contains @@GUARD_MODE@@/);
    expect(problems.join('\n')).toMatch(/GUARD_BLOCKED_IPS contains a control character/);
    expect(problems.join('\n')).toMatch(/ALERT_WEBHOOK_URL is \d+ characters long; Auth0 allows 4096/);
  });

  test('AUTH0_ACCESS_TOKEN replaces the client credentials; TOLLGUARD_* switches parse', () => {
    const { AUTH0_CLIENT_ID: _id, AUTH0_CLIENT_SECRET: _secret, ...rest } = GOOD_ENV;
    const { settings, problems } = checkEnvironment({ ...rest, AUTH0_ACCESS_TOKEN: 'token-not-real-0000', TOLLGUARD_ATTACK_PROTECTION: 'OFF', TOLLGUARD_PHONE_MESSAGE_TYPES: 'voice, sms' }, planFor('legacy'), {
      allowEmbeddedStore: false,
    });
    expect(problems).toEqual([]);
    expect(settings.auth).toEqual({ kind: 'token', token: 'token-not-real-0000' });
    expect(settings.attackProtection).toBe(false);
    expect(settings.messageTypes).toEqual(['voice', 'sms']);
  });

  test('TOLLGUARD_PHONE_EXPERIENCE: legacy by default, unified on request, anything else refused; delivery methods follow the message types', () => {
    expect(parsePhoneExperience({})).toEqual({ experience: 'legacy', problems: [] });
    expect(parsePhoneExperience({ TOLLGUARD_PHONE_EXPERIENCE: ' Unified ' })).toEqual({ experience: 'unified', problems: [] });
    expect(parsePhoneExperience({ TOLLGUARD_PHONE_EXPERIENCE: 'upe' }).problems).toEqual([expect.stringMatching(/TOLLGUARD_PHONE_EXPERIENCE must be legacy or unified \(got "upe"\)/)]);
    expect(deliveryMethodsOf(['sms'])).toEqual(['text']);
    expect(deliveryMethodsOf(['sms', 'voice'])).toEqual(['text', 'voice']);
    const { settings, problems } = checkEnvironment({ ...GOOD_ENV, TOLLGUARD_PHONE_EXPERIENCE: 'unified', TOLLGUARD_PHONE_MESSAGE_TYPES: 'sms,voice' }, planFor('unified'), { allowEmbeddedStore: false });
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ experience: 'unified', deliveryMethods: ['text', 'voice'] });
  });

  test("the post-login Action's secrets are checked with its own parser", () => {
    const { problems } = checkEnvironment({ ...GOOD_ENV, GUARD_STORE_TIMEOUT: 'soon' }, planFor('legacy'), { allowEmbeddedStore: false });
    expect(problems.join('\n')).toMatch(/GUARD_STORE_TIMEOUT is invalid.*\(tollguard-post-login\)/);
  });

  test("unified checks the custom Action's secrets with the send Action's own parsers", () => {
    const { problems } = checkEnvironment({ ...GOOD_ENV, TWILIO_ACCOUNT_SID: 'AC1234' }, planFor('unified'), { allowEmbeddedStore: false });
    expect(problems.join('\n')).toMatch(/TWILIO_ACCOUNT_SID is invalid.*\(tollguard-custom-phone-provider\)/);
  });

  test('redact hides credentials and the 37-character prefix an error message may quote', () => {
    const credentials = [{ name: 'CAPTCHA_SECRET', value: '0x4AAAAAAAe2eNotARealTurnstileSecretThatIsLong' }];
    const text = `bad value "${credentials[0]?.value.slice(0, 37)}..." and ${credentials[0]?.value}`;
    expect(redact(text, credentials)).toBe('bad value "[redacted]..." and [redacted]');
  });
});

describe('bundle scan', () => {
  const credentials = [{ name: 'TWILIO_AUTH_TOKEN', value: FAKE.TWILIO_AUTH_TOKEN }];

  test('the built bundles are clean', () => {
    requireBuiltDist();
    for (const file of ['send-phone-message.js', 'custom-phone-provider.js', 'pre-user-registration.js', 'post-login.js']) {
      expect(scanBundle(file, readFileSync(path.join(DIST, file), 'utf8'), credentials)).toEqual([]);
    }
  });

  test.each([
    ['a ## keyword', 'const x = "##TWILIO_AUTH_TOKEN##";', /contains ##TWILIO_AUTH_TOKEN##/],
    ['an @@ keyword', "const x = '@@ANYTHING@@';", /contains @@ANYTHING@@/],
    ['an account SID', `const sid = "AC${'ab'.repeat(16)}";`, /Twilio Account SID/],
    ['an API key SID', `const key = "SK${'cd'.repeat(16)}";`, /Twilio API key SID/],
    ['an Upstash URL', 'fetch("https://eu1-happy-cat-12345.upstash.io")', /Upstash database URL/],
    ['a Google API key', `const k = "AIza${'B'.repeat(35)}";`, /Google API key/],
    ['a private key', '"-----BEGIN EC PRIVATE KEY-----"', /private key/],
    ["the environment's token", `const t = "${FAKE.TWILIO_AUTH_TOKEN}";`, /contains the value of TWILIO_AUTH_TOKEN/],
  ])('refuses %s', (_what, code, expected) => {
    const problems = scanBundle('dist/x.js', `exports.onExecuteX = 1;\n${code}`, credentials);
    expect(problems.join('\n')).toMatch(expected);
    expect(problems.join('\n')).not.toContain(FAKE.TWILIO_AUTH_TOKEN);
  });

  test('finds the npm packages a bundle requires', () => {
    const code = 'require("node:crypto");require("crypto");require("@upstash/redis");require("libphonenumber-js/max");require("./local")';
    expect(requiredPackages(code)).toEqual(['@upstash/redis', 'libphonenumber-js']);
  });
});

describe('deploy plan', () => {
  test('tollguard binds first and keeps the other Actions on the trigger, in order', () => {
    const current = [
      { action_name: 'their-signup-checks', display_name: 'Their checks' },
      { action_name: 'tollguard-pre-user-registration', display_name: 'tollguard-pre-user-registration' },
      { action_name: 'their-audit', display_name: 'Audit' },
    ];
    expect(mergeBindings('tollguard-pre-user-registration', current).map((binding) => binding.action_name)).toEqual([
      'tollguard-pre-user-registration',
      'their-signup-checks',
      'their-audit',
    ]);
  });

  test('a first deploy imports the Actions and bindings before the phone factor settings', () => {
    const sections = ['actions', 'triggers', 'guardianFactors', 'guardianPhoneFactorSelectedProvider', 'attackProtection'];
    expect(planPhases(sections, true)).toEqual([['actions', 'triggers'], ['guardianFactors', 'guardianPhoneFactorSelectedProvider', 'attackProtection']]);
    expect(planPhases(sections, false)).toEqual([sections]);
  });

  test('the tenant check refuses legacy on a Unified Phone Experience tenant and a second custom-phone-provider Action', () => {
    const base = { customActions: [], ourCustomAction: 'tollguard-custom-phone-provider', providers: [], deliveryMethods: ['text' as const] };
    expect(checkTenantExperience({ ...base, experience: 'legacy', consolidated: true }).problems).toEqual([expect.stringMatching(/send-phone-message Action would never run. Set TOLLGUARD_PHONE_EXPERIENCE=unified/)]);
    expect(checkTenantExperience({ ...base, experience: 'legacy', consolidated: false })).toMatchObject({ problems: [], warnings: [] });
    expect(checkTenantExperience({ ...base, experience: 'legacy', consolidated: undefined }).warnings).toEqual([expect.stringMatching(/could not be checked/)]);
    const unified = checkTenantExperience({ ...base, experience: 'unified', consolidated: true, customActions: ['their-sms-gateway', 'tollguard-custom-phone-provider'] });
    expect(unified.problems).toEqual([expect.stringMatching(/already has a custom-phone-provider Action \(their-sms-gateway\) and Auth0 allows one/)]);
  });

  test('unified refuses delivery methods that do not cover the MFA message types; an unreadable factor only warns', () => {
    const base = { experience: 'unified' as const, consolidated: true, customActions: [], ourCustomAction: 'tollguard-custom-phone-provider', providers: [] };
    const uncovered = checkTenantExperience({ ...base, deliveryMethods: ['text'], mfa: { enabled: true, messageTypes: ['sms', 'voice'] } });
    expect(uncovered.problems).toEqual([expect.stringMatching(/voice MFA messages would have no way out\. Set TOLLGUARD_PHONE_MESSAGE_TYPES=sms,voice/)]);
    expect(checkTenantExperience({ ...base, deliveryMethods: ['text'], mfa: { enabled: false, messageTypes: ['sms', 'voice'] } }).problems).toEqual([]);
    expect(checkTenantExperience({ ...base, deliveryMethods: ['text', 'voice'], mfa: { enabled: true, messageTypes: ['voice'] } }).problems).toEqual([]);
    const unreadable = checkTenantExperience({ ...base, deliveryMethods: ['text'], mfa: 'GET /api/v2/guardian/factors failed: 403 Insufficient scope' });
    expect(unreadable.problems).toEqual([]);
    expect(unreadable.warnings).toEqual([expect.stringMatching(/could not read the MFA phone factor .*read:guardian_factors/)]);
  });

  test('the tenant check reports the provider it replaces and warns when MFA still uses the legacy experience', () => {
    const twilio = { id: 'pro_1', name: 'twilio', disabled: false, deliveryMethods: ['text', 'voice'] };
    const check = checkTenantExperience({ experience: 'unified', consolidated: false, customActions: [], ourCustomAction: 'tollguard-custom-phone-provider', providers: [twilio], deliveryMethods: ['voice'] });
    expect(check.problems).toEqual([]);
    expect(check.notes).toContain('phone provider now: twilio (enabled, delivery methods: text, voice); it will be replaced by: custom (enabled, delivery methods: voice)');
    expect(check.warnings.join('\n')).toMatch(/tenant-level twilio provider is replaced/);
    expect(check.warnings.join('\n')).toMatch(/passwordless SMS and phone-number verification need text/);
    expect(check.warnings.join('\n')).toMatch(/MFA messages keep going to the legacy provider until you switch/);
  });

  test('arguments', () => {
    expect(parseArgs(['--dry-run', '--allow-embedded-store', '--dist', '/tmp/x']).options).toMatchObject({ dryRun: true, allowEmbeddedStore: true, distDir: '/tmp/x' });
    expect(parseArgs(['--force']).problems).toEqual(['unknown argument "--force"']);
  });
});

describe('.github/workflows/deploy.yml', () => {
  const workflow = readFileSync(path.join(ROOT, '.github', 'workflows', 'deploy.yml'), 'utf8');
  const deployStep = workflow.slice(workflow.indexOf('- name: Deploy'));
  const envLines = new Map([...deployStep.matchAll(/^ {10}([A-Z0-9_]+): (.*)$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']));

  test('tests, builds and deploys on pushes to main with Node 22 and redis-server', () => {
    expect(workflow).toMatch(/push:\n\s+branches: \[main\]/);
    expect(workflow).toMatch(/node-version: 22/);
    expect(workflow).toMatch(/apt-get install -y -qq redis-server/);
    const order = ['npm ci', 'npm test', 'npm run build', 'npm run deploy'].map((command) => workflow.indexOf(`run: ${command}`));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('passes every declared secret, credentials only from secrets.*, and no literal value', () => {
    const declared = new Set(plan().actions.flatMap((action) => action.secrets));
    for (const name of declared) expect({ name, passed: envLines.has(name) }).toEqual({ name, passed: true });
    for (const [name, value] of envLines) {
      expect({ name, value }).toEqual({ name, value: expect.stringMatching(new RegExp(`^\\$\\{\\{ (secrets|vars)\\.${name} \\}\\}$`)) });
    }
    for (const name of [...CREDENTIAL_SECRETS, 'AUTH0_CLIENT_SECRET']) expect({ name, value: envLines.get(name) }).toEqual({ name, value: `\${{ secrets.${name} }}` });
  });

  test('passes the deploy switches, the phone experience included, from repository variables', () => {
    for (const name of ['TOLLGUARD_PHONE_EXPERIENCE', 'TOLLGUARD_ATTACK_PROTECTION', 'TOLLGUARD_PHONE_MESSAGE_TYPES']) {
      expect({ name, value: envLines.get(name) }).toEqual({ name, value: `\${{ vars.${name} }}` });
    }
  });
});
