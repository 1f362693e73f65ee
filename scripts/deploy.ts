/**
 * `npm run deploy`: deploys tollguard's Actions and its tenant settings (tenant/tenant.yaml) to the
 * Auth0 tenant named by AUTH0_DOMAIN, through auth0-deploy-cli, for one phone experience
 * (TOLLGUARD_PHONE_EXPERIENCE: legacy = send-phone-message + the MFA phone factor's Custom provider,
 * unified = custom-phone-provider + the tenant-level phone provider). See docs/deploy.md.
 *
 *   1. checks, without any network call: tenant.yaml, the environment (Management API credentials,
 *      every required secret, every value as the Actions themselves parse it), and dist/ (built,
 *      current, dependencies pinned, no keyword and no credential inside a bundle); every problem is
 *      listed in one message;
 *   2. copies the checked bundles, and the experience's part of tenant.yaml, into a fresh staging
 *      directory (the CLI's base path and input file);
 *   3. gets one Management API token, checks the chosen experience against the tenant (and, for
 *      unified, reports the phone provider it replaces), reads the current bindings of tollguard's
 *      triggers;
 *   4. imports with AUTH0_INCLUDED_ONLY = the staged sections and AUTH0_ALLOW_DELETE = false
 *      (--dry-run: the CLI's preview, which only reads); a first legacy deploy imports the Actions and
 *      bindings before the phone factor settings;
 *   5. reads the tenant back and fails if it is not in the intended state.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkBundles, stageBundles, type CheckedBundle } from './deploy/bundles';
import { EXPERIENCE_VARIABLE, checkEnvironment, parsePhoneExperience, redact, type DeploySettings } from './deploy/environment';
import { runImport } from './deploy/import';
import {
  ManagementApiError,
  accessToken,
  checkTenantExperience,
  errorText,
  listActions,
  managementClient,
  mergeBindings,
  readBindings,
  readConsolidatedExperience,
  readMfaPhone,
  readPhoneProviders,
  useFreshConnections,
  verifyTenant,
  type Binding,
} from './deploy/management';
import {
  BINDINGS_PREFIX,
  DELIVERY_METHODS_KEYWORD,
  DEPENDENCIES_PREFIX,
  MESSAGE_TYPES_KEYWORD,
  PHONE_TRIGGERS,
  keywordSuffix,
  readTenantPlan,
  selectExperience,
  stagedYaml,
  type TenantPlan,
} from './deploy/tenant-config';

export const ROOT = path.resolve(__dirname, '..');

interface Options {
  dryRun: boolean;
  allowEmbeddedStore: boolean;
  distDir: string;
  help: boolean;
}

const USAGE = `usage: npm run deploy -- [--dry-run] [--allow-embedded-store] [--dist <dir>]

  --dry-run               show what would change (auth0-deploy-cli's preview); nothing is written
  --allow-embedded-store  deploy without UPSTASH_REDIS_REST_* (per-container counters; test tenants only)
  --dist <dir>            deploy the bundles of another build directory (default: dist)

Environment: AUTH0_DOMAIN, AUTH0_CLIENT_ID + AUTH0_CLIENT_SECRET (or AUTH0_ACCESS_TOKEN), optionally
AUTH0_AUDIENCE; the Actions' secrets (see tenant/tenant.yaml and docs/deploy.md);
TOLLGUARD_PHONE_EXPERIENCE=legacy|unified (default legacy); TOLLGUARD_ATTACK_PROTECTION=on|off
(default on); TOLLGUARD_PHONE_MESSAGE_TYPES=sms|voice|sms,voice (default sms).`;

export function parseArgs(argv: string[]): { options: Options; problems: string[] } {
  const options: Options = { dryRun: false, allowEmbeddedStore: false, distDir: path.join(ROOT, 'dist'), help: false };
  const problems: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--allow-embedded-store') options.allowEmbeddedStore = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg === '--dist' || arg.startsWith('--dist=')) {
      const value = arg === '--dist' ? argv[++index] : arg.slice('--dist='.length);
      if (value === undefined || value === '') problems.push('--dist needs a directory');
      else options.distDir = path.resolve(value);
    } else problems.push(`unknown argument ${JSON.stringify(arg)}`);
  }
  return { options, problems };
}

/** Every @@KEYWORD@@ of tenant.yaml -> its value. */
function keywordMappings(plan: TenantPlan, settings: DeploySettings, bundles: CheckedBundle[], bindings: Map<string, Binding[]>): Record<string, unknown> {
  const mappings: Record<string, unknown> = Object.fromEntries(settings.secretValues);
  for (const bundle of bundles) mappings[bundle.action.dependenciesKeyword] = bundle.dependencies;
  for (const [triggerId, keyword] of plan.bindingKeywords) mappings[keyword] = bindings.get(triggerId) ?? [];
  mappings[MESSAGE_TYPES_KEYWORD] = settings.messageTypes;
  mappings[DELIVERY_METHODS_KEYWORD] = settings.deliveryMethods;
  return mappings;
}

function unfillableKeywords(plan: TenantPlan): string[] {
  const problems: string[] = [];
  const fillable = new Set<string>([MESSAGE_TYPES_KEYWORD, DELIVERY_METHODS_KEYWORD, ...plan.bindingKeywords.values()]);
  for (const action of plan.actions) {
    for (const secret of action.secrets) fillable.add(secret);
    fillable.add(action.dependenciesKeyword);
    const expected = `${DEPENDENCIES_PREFIX}${keywordSuffix(action.buildName)}`;
    if (action.dependenciesKeyword !== '' && action.dependenciesKeyword !== expected) {
      problems.push(`${action.name}: dependencies must be '@@${expected}@@' (the entry of ${action.buildName} in dist/dependencies.json)`);
    }
  }
  for (const [triggerId, keyword] of plan.bindingKeywords) {
    const expected = `${BINDINGS_PREFIX}${keywordSuffix(triggerId)}`;
    if (keyword !== expected) problems.push(`triggers.${triggerId} must be '@@${expected}@@'`);
  }
  for (const keyword of plan.keywords) {
    if (!fillable.has(keyword)) problems.push(`tenant/tenant.yaml uses @@${keyword}@@, which npm run deploy does not fill`);
  }
  return problems;
}

const ACTION_SECTIONS = ['actions', 'triggers'];
const VERIFY_ATTEMPTS = 3;
const VERIFY_PAUSE_MS = 2000;
/** auth0-deploy-cli settings a user might export; the deploy passes its own and the CLI reads no env. */
const IGNORED_CLI_SETTINGS = ['AUTH0_ALLOW_DELETE', 'AUTH0_INCLUDED_ONLY', 'AUTH0_EXCLUDED', 'AUTH0_KEYWORD_REPLACE_MAPPINGS', 'AUTH0_BASE_PATH', 'AUTH0_INPUT_FILE', 'AUTH0_DRY_RUN'];

/** One import, or two when the Actions must be bound before the tenant settings point at them. */
export function planPhases(sections: string[], actionsFirst: boolean): string[][] {
  const first = sections.filter((section) => ACTION_SECTIONS.includes(section));
  const rest = sections.filter((section) => !ACTION_SECTIONS.includes(section));
  return actionsFirst && first.length > 0 && rest.length > 0 ? [first, rest] : [sections];
}

function printProblems(problems: string[], settings: DeploySettings | undefined, domain: string): void {
  const lines = problems.map((problem) => `  - ${settings === undefined ? problem : redact(problem, settings.credentials)}`);
  console.error(`deploy: refusing to deploy; ${problems.length} problem${problems.length === 1 ? '' : 's'} to fix:\n${lines.join('\n')}`);
  console.error(`deploy: nothing was sent${domain === '' ? '' : ` to ${domain}`}.`);
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { options, problems: argProblems } = parseArgs(argv);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (argProblems.length > 0) {
    console.error(`deploy: ${argProblems.join('; ')}\n${USAGE}`);
    return 2;
  }

  const tenantFile = path.join(ROOT, 'tenant', 'tenant.yaml');
  const { plan: fullPlan, problems } = readTenantPlan(tenantFile);
  // Only the chosen experience's Actions are checked and shipped; tenant.yaml must hold both.
  const { plan, problems: selectProblems } = selectExperience(fullPlan, parsePhoneExperience(env).experience);
  const { settings, problems: envProblems } = checkEnvironment(env, plan, options);
  const { bundles, problems: bundleProblems } = checkBundles(ROOT, options.distDir, plan.actions, settings.credentials);
  const all = [...problems, ...unfillableKeywords(fullPlan), ...selectProblems, ...envProblems, ...bundleProblems];
  if (all.length > 0) {
    printProblems(all, settings, settings.domain);
    return 1;
  }

  const ignored = IGNORED_CLI_SETTINGS.filter((name) => (env[name] ?? '') !== '');
  if (ignored.length > 0) console.log(`deploy: ignoring ${ignored.join(', ')} from the environment: this deploy sets the CLI's configuration itself and never deletes`);

  const sections = plan.sections.filter((section) => section !== 'attackProtection' || settings.attackProtection);
  const stage = stageBundles(bundles);
  try {
    useFreshConnections();
    const token = await accessToken(settings);
    const client = managementClient(settings, token);

    // Is this the tenant's phone experience? Read before anything is written.
    const unified = settings.experience === 'unified';
    const ourCustom = plan.actions.find((action) => action.trigger.id === PHONE_TRIGGERS.unified)?.name;
    const tenantActions = unified ? await listActions(client) : [];
    const check = checkTenantExperience({
      experience: settings.experience,
      consolidated: await readConsolidatedExperience(client),
      customActions: tenantActions.filter((action) => (action.supported_triggers ?? []).some((trigger) => trigger.id === PHONE_TRIGGERS.unified)).map((action) => action.name ?? ''),
      ourCustomAction: ourCustom,
      providers: unified ? await readPhoneProviders(client) : undefined,
      deliveryMethods: settings.deliveryMethods,
      ...(unified ? { mfa: await readMfaPhone(client) } : {}),
    });
    for (const note of check.notes) console.log(`deploy: ${note}`);
    for (const warning of check.warnings) console.warn(`deploy: warning: ${warning}`);
    if (check.problems.length > 0) {
      console.error(`deploy: refusing to deploy (${EXPERIENCE_VARIABLE}=${settings.experience}):\n${check.problems.map((problem) => `  - ${problem}`).join('\n')}`);
      console.error(`deploy: nothing was changed on ${settings.domain}.`);
      return 1;
    }

    const bindings = new Map<string, Binding[]>();
    let sendActionBound = true;
    for (const triggerId of plan.bindingKeywords.keys()) {
      const ours = plan.actions.find((action) => action.trigger.id === triggerId)?.name ?? '';
      const current = await readBindings(client, triggerId);
      if (triggerId === 'send-phone-message' && !current.some((binding) => binding.action_name === ours)) sendActionBound = false;
      const merged = mergeBindings(ours, current);
      bindings.set(triggerId, merged);
      const others = merged.slice(1).map((binding) => binding.action_name);
      if (others.length > 0) {
        console.log(`deploy: ${triggerId} keeps its other bindings after ${ours}: ${others.join(', ')}`);
        if (triggerId === 'send-phone-message') {
          console.warn(`deploy: warning: ${others.join(', ')} also run on send-phone-message after tollguard allows a message; if one of them sends it too, users get it twice`);
        }
      }
    }

    console.log(
      `deploy: ${options.dryRun ? 'previewing' : 'importing'} ${path.relative(ROOT, tenantFile)} (${settings.experience} phone experience) into ${settings.domain} (sections: ${sections.join(', ')})`,
    );
    for (const bundle of bundles) {
      console.log(`deploy:   ${bundle.action.name} <- ${path.relative(ROOT, options.distDir) || options.distDir}/${bundle.action.bundle} (${bundle.code.length} bytes, sha256 ${bundle.sha256.slice(0, 16)}), ${bundle.action.secrets.length} secrets`);
    }
    if (settings.defaulted.length > 0) {
      console.log(`deploy:   unset here, so deployed empty (= the Action's default): ${settings.defaulted.join(', ')}`);
    }
    if (!settings.attackProtection) console.log('deploy:   attack protection left alone (TOLLGUARD_ATTACK_PROTECTION=off)');

    // auth0-deploy-cli runs the guardian handlers before the actions handler (order 50 < 51) and binds
    // triggers last (order 80). On a first deploy that would point MFA by phone at the Custom
    // provider before any Action is bound to send-phone-message, and leave it there if the Action
    // fails to build: so a first deploy imports the Actions and bindings first, then the rest.
    const phases = planPhases(sections, !sendActionBound && !options.dryRun);
    if (phases.length > 1) console.log(`deploy: first deploy: importing ${phases[0]?.join(' and ')} first, so the phone factor never points at an unbound Action`);
    const mappings = keywordMappings(plan, settings, bundles, bindings);
    for (const [index, phase] of phases.entries()) {
      // The CLI reads a staged copy holding only this phase's sections of the chosen experience.
      const staged = path.join(stage, `tenant.${index + 1}.yaml`);
      writeFileSync(staged, stagedYaml(plan, phase));
      await runImport({ tenantFile: staged, basePath: stage, domain: settings.domain, token, sections: phase, mappings, dryRun: options.dryRun });
    }

    if (options.dryRun) {
      console.log('deploy: dry run only, nothing was changed. Rows marked "DELETE *" are never applied (AUTH0_ALLOW_DELETE is false);');
      console.log('deploy: Actions always show as UPDATE because Auth0 never returns secret values to compare.');
      if (unified) {
        console.log('deploy: PhoneProviders may show CREATE custom with DELETE * for the current provider: the import replaces that provider in place (one PATCH) and deletes nothing.');
      }
      return 0;
    }
    const expected = {
      bundles,
      bindings,
      messageTypes: settings.messageTypes,
      deliveryMethods: settings.deliveryMethods,
      secretNames: new Map(plan.actions.map((action) => [action.name, action.secrets])),
      sections: new Set(sections),
    };
    // A just-deployed version may take a moment to show everywhere: read back up to three times.
    let mismatches = await verifyTenant(client, expected);
    for (let attempt = 1; mismatches.length > 0 && attempt < VERIFY_ATTEMPTS; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, VERIFY_PAUSE_MS));
      mismatches = await verifyTenant(client, expected);
    }
    if (mismatches.length > 0) {
      console.error(`deploy: the import ran, but the tenant is not in the intended state:\n${mismatches.map((line) => `  - ${line}`).join('\n')}`);
      return 1;
    }
    console.log(`deploy: done; ${settings.domain} runs ${bundles.map((bundle) => bundle.action.name).join(' and ')} (read back and verified).`);
    return 0;
  } catch (error) {
    const message = error instanceof ManagementApiError ? error.message : `auth0-deploy-cli failed: ${errorText(error)}`;
    console.error(`deploy: ${redact(message, settings.credentials)}`);
    return 1;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`deploy: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
