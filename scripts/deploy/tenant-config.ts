/**
 * Reads tenant/tenant.yaml, the auth0-deploy-cli configuration, into a deploy plan: which Actions it
 * deploys (name, bundle, trigger, declared secrets), which sections it touches (they become
 * AUTH0_INCLUDED_ONLY) and which '@@KEYWORD@@'s must be filled. The file is parsed, before keyword
 * replacement, with the same js-yaml the CLI itself uses (a dependency of auth0-deploy-cli), so the
 * plan and the CLI see one structure. Anything the deploy could not fill safely is a problem.
 *
 * The file holds both phone experiences; `selectExperience` keeps the parts of one of them (and
 * what both share) and `stagedDocument` is what the CLI is given, so the other experience's
 * sections, trigger bindings and Actions are never even read by the import:
 *   - legacy: the send-phone-message Action and binding, guardianFactors,
 *     guardianPhoneFactorSelectedProvider, guardianPhoneFactorMessageTypes;
 *   - unified: the custom-phone-provider Action and phoneProviders (the tenant-level provider).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type PhoneExperience = 'legacy' | 'unified';

export interface PlannedAction {
  name: string;
  /** The phone experience this Action belongs to ('both': deployed with either). */
  experience: PhoneExperience | 'both';
  /** File name of the bundle in dist/, from `code: ./dist/<file>`. */
  bundle: string;
  /** The key of the Action in dist/dependencies.json (the bundle name without .js). */
  buildName: string;
  trigger: { id: string; version: string };
  runtime: string;
  /** Secret names in declaration order; each value is the keyword of the same name. */
  secrets: string[];
  dependenciesKeyword: string;
}

export interface TenantPlan {
  file: string;
  /** Top-level sections, in file order: what the import may touch (AUTH0_INCLUDED_ONLY). */
  sections: string[];
  actions: PlannedAction[];
  /** trigger id -> the keyword its binding list is filled from. */
  bindingKeywords: Map<string, string>;
  /** The keyword of guardianPhoneFactorMessageTypes.message_types, if the file has one. */
  messageTypesKeyword: string | undefined;
  /** Every @@KEYWORD@@ in the file. */
  keywords: Set<string>;
  /** The parsed file (keywords not yet replaced): what `stagedDocument` filters. */
  document: Record<string, unknown>;
}

export const DEPENDENCIES_PREFIX = 'TOLLGUARD_DEPENDENCIES_';
export const BINDINGS_PREFIX = 'TOLLGUARD_BINDINGS_';
export const MESSAGE_TYPES_KEYWORD = 'TOLLGUARD_PHONE_MESSAGE_TYPES';
export const DELIVERY_METHODS_KEYWORD = 'TOLLGUARD_PHONE_DELIVERY_METHODS';
export const MAX_SECRETS_PER_ACTION = 30;

/** The trigger of each experience's phone Action. */
export const PHONE_TRIGGERS: Record<PhoneExperience, string> = { legacy: 'send-phone-message', unified: 'custom-phone-provider' };
/** Sections only one experience may touch; every other section is shared. */
export const EXPERIENCE_SECTIONS: Record<PhoneExperience, readonly string[]> = {
  legacy: ['guardianFactors', 'guardianPhoneFactorSelectedProvider', 'guardianPhoneFactorMessageTypes'],
  unified: ['phoneProviders'],
};
/** Meaningful for send-phone-message only: custom-phone-provider refusals are always silent. */
const SEND_ONLY_SECRETS = ['GUARD_SILENT_REFUSAL'];

function experienceOfTrigger(triggerId: string): PhoneExperience | 'both' {
  if (triggerId === PHONE_TRIGGERS.legacy) return 'legacy';
  if (triggerId === PHONE_TRIGGERS.unified) return 'unified';
  return 'both';
}

function experienceOfSection(section: string): PhoneExperience | 'both' {
  if (EXPERIENCE_SECTIONS.legacy.includes(section)) return 'legacy';
  if (EXPERIENCE_SECTIONS.unified.includes(section)) return 'unified';
  return 'both';
}

const belongs = (owner: PhoneExperience | 'both', experience: PhoneExperience) => owner === 'both' || owner === experience;

const KEYWORD = /^@@([A-Z0-9_]+)@@$/;

/** SEND_PHONE_MESSAGE from send-phone-message. */
export function keywordSuffix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

function loadYaml(text: string): unknown {
  // auth0-deploy-cli parses YAML with its own js-yaml dependency; resolve that very copy.
  const cliRequire = createRequire(require.resolve('auth0-deploy-cli/package.json'));
  const yaml = cliRequire('js-yaml') as { load(source: string): unknown };
  return yaml.load(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keywordOf(value: unknown): string | undefined {
  return typeof value === 'string' ? KEYWORD.exec(value)?.[1] : undefined;
}

export function readTenantPlan(file: string): { plan: TenantPlan; problems: string[] } {
  const problems: string[] = [];
  const shown = path.relative(process.cwd(), file) || file;
  const text = readFileSync(file, 'utf8');
  // Keywords in comment lines are replaced too, harmlessly; only the content's keywords must be filled.
  const content = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');
  const keywords = new Set([...content.matchAll(/@@([A-Za-z0-9_]+)@@/g)].map((match) => match[1] ?? ''));
  for (const match of content.matchAll(/##([A-Za-z0-9_]+)##/g)) {
    problems.push(`${shown} uses ##${match[1]}##: write '@@${match[1]}@@' instead (a ## keyword is pasted raw and can break the YAML)`);
  }
  let doc: unknown;
  try {
    doc = loadYaml(text);
  } catch (error) {
    problems.push(`${shown} is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    doc = {};
  }
  const root = isObject(doc) ? doc : {};
  const plan: TenantPlan = {
    file,
    sections: Object.keys(root),
    actions: [],
    bindingKeywords: new Map(),
    messageTypesKeyword: undefined,
    keywords,
    document: root,
  };

  const actions = Array.isArray(root.actions) ? root.actions : [];
  if (actions.length === 0) problems.push(`${shown} declares no actions`);
  actions.forEach((entry, index) => {
    const where = `${shown} actions[${index}]`;
    if (!isObject(entry) || typeof entry.name !== 'string') {
      problems.push(`${where} has no name`);
      return;
    }
    const name = entry.name;
    const code = typeof entry.code === 'string' ? entry.code : '';
    const bundleMatch = /^\.\/dist\/([A-Za-z0-9._-]+\.js)$/.exec(code);
    if (bundleMatch?.[1] === undefined) problems.push(`${name}: code must be ./dist/<bundle>.js (the staged copy of a built bundle), not ${JSON.stringify(code)}`);
    const bundle = bundleMatch?.[1] ?? '';
    const triggers = Array.isArray(entry.supported_triggers) ? entry.supported_triggers : [];
    const trigger = triggers[0];
    if (triggers.length !== 1 || !isObject(trigger) || typeof trigger.id !== 'string' || typeof trigger.version !== 'string') {
      problems.push(`${name}: supported_triggers must list exactly one { id, version }`);
    }
    if (entry.deployed !== true) problems.push(`${name}: deployed must be true (an undeployed draft never runs)`);
    const dependenciesKeyword = keywordOf(entry.dependencies);
    if (dependenciesKeyword === undefined || !dependenciesKeyword.startsWith(DEPENDENCIES_PREFIX)) {
      problems.push(`${name}: dependencies must be '@@${DEPENDENCIES_PREFIX}<ACTION>@@' (filled from dist/dependencies.json)`);
    }
    const secrets: string[] = [];
    const secretEntries = Array.isArray(entry.secrets) ? entry.secrets : [];
    for (const secret of secretEntries) {
      if (!isObject(secret) || typeof secret.name !== 'string') {
        problems.push(`${name}: every secret needs a name`);
        continue;
      }
      if (keywordOf(secret.value) !== secret.name) {
        problems.push(`${name}: secret ${secret.name} must have the value '@@${secret.name}@@' (secret values come from the environment, never from this file)`);
      }
      if (secrets.includes(secret.name)) problems.push(`${name}: secret ${secret.name} is declared twice`);
      secrets.push(secret.name);
    }
    if (secrets.length > MAX_SECRETS_PER_ACTION) {
      problems.push(`${name}: declares ${secrets.length} secrets; Auth0 allows at most ${MAX_SECRETS_PER_ACTION} per Action`);
    }
    const triggerId = isObject(trigger) ? String(trigger.id) : '';
    if (triggerId === PHONE_TRIGGERS.unified) {
      for (const secret of secrets.filter((candidate) => SEND_ONLY_SECRETS.includes(candidate))) {
        problems.push(`${name}: ${secret} only applies to send-phone-message (a custom-phone-provider refusal is always silent): remove it`);
      }
    }
    plan.actions.push({
      name,
      experience: experienceOfTrigger(triggerId),
      bundle,
      buildName: bundle.replace(/\.js$/, ''),
      trigger: isObject(trigger) ? { id: String(trigger.id), version: String(trigger.version) } : { id: '', version: '' },
      runtime: typeof entry.runtime === 'string' ? entry.runtime : '',
      secrets,
      dependenciesKeyword: dependenciesKeyword ?? '',
    });
  });
  const names = plan.actions.map((action) => action.name);
  for (const duplicate of new Set(names.filter((name, index) => names.indexOf(name) !== index))) {
    problems.push(`${shown} declares the action ${duplicate} twice`);
  }

  if (isObject(root.triggers)) {
    for (const [triggerId, value] of Object.entries(root.triggers)) {
      if (triggerId === PHONE_TRIGGERS.unified) {
        problems.push(`triggers.${triggerId}: this trigger has no bindings; the tenant-level phone provider (phoneProviders, name custom) runs its one deployed Action: remove it from triggers`);
        continue;
      }
      const keyword = keywordOf(value);
      if (keyword === undefined || !keyword.startsWith(BINDINGS_PREFIX)) {
        problems.push(`triggers.${triggerId} must be '@@${BINDINGS_PREFIX}${keywordSuffix(triggerId)}@@': the deploy keeps the bindings other Actions have on it`);
        continue;
      }
      if (!plan.actions.some((action) => action.trigger.id === triggerId)) {
        problems.push(`triggers.${triggerId}: no action in ${shown} supports this trigger`);
      }
      plan.bindingKeywords.set(triggerId, keyword);
    }
  }
  for (const action of plan.actions) {
    if (action.trigger.id === PHONE_TRIGGERS.unified) {
      if (root.phoneProviders === undefined) problems.push(`${action.name}: phoneProviders is missing, so the Action would be deployed but never run (the custom phone provider runs it)`);
    } else if (action.trigger.id !== '' && !plan.bindingKeywords.has(action.trigger.id)) {
      problems.push(`${action.name}: triggers.${action.trigger.id} is missing, so the Action would be deployed but never run`);
    }
  }
  const customActions = plan.actions.filter((action) => action.trigger.id === PHONE_TRIGGERS.unified);
  if (customActions.length > 1) problems.push(`${shown} declares ${customActions.length} custom-phone-provider Actions; Auth0 allows one per tenant`);
  if (root.phoneProviders !== undefined) {
    problems.push(...phoneProviderProblems(root.phoneProviders));
    if (customActions.length === 0) problems.push('phoneProviders: no action in tenant.yaml supports the custom-phone-provider trigger (the custom provider needs one, deployed)');
  }
  if (isObject(root.guardianPhoneFactorMessageTypes)) {
    const keyword = keywordOf(root.guardianPhoneFactorMessageTypes.message_types);
    if (keyword !== MESSAGE_TYPES_KEYWORD) {
      problems.push(`guardianPhoneFactorMessageTypes.message_types must be '@@${MESSAGE_TYPES_KEYWORD}@@' (set by TOLLGUARD_PHONE_MESSAGE_TYPES)`);
    }
    plan.messageTypesKeyword = keyword;
  }
  return { plan, problems };
}

/** phoneProviders must be the one custom provider, enabled, its delivery methods filled by the deploy. */
function phoneProviderProblems(value: unknown): string[] {
  const problems: string[] = [];
  if (!Array.isArray(value) || value.length !== 1 || !isObject(value[0])) {
    return ['phoneProviders must list exactly one provider (a tenant has one; auth0-deploy-cli uses the first)'];
  }
  const provider = value[0];
  const extra = Object.keys(provider).filter((key) => !['name', 'disabled', 'configuration', 'credentials'].includes(key));
  if (extra.length > 0) problems.push(`phoneProviders[0] has ${extra.join(', ')}: only name, disabled, configuration and credentials belong there`);
  if (provider.name !== 'custom') problems.push(`phoneProviders[0].name must be custom (the provider that runs the custom-phone-provider Action), not ${JSON.stringify(provider.name)}`);
  if (provider.disabled !== false) problems.push('phoneProviders[0].disabled must be false (a disabled provider sends nothing)');
  const configuration = isObject(provider.configuration) ? provider.configuration : {};
  if (keywordOf(configuration.delivery_methods) !== DELIVERY_METHODS_KEYWORD || Object.keys(configuration).length !== 1) {
    problems.push(`phoneProviders[0].configuration must be { delivery_methods: '@@${DELIVERY_METHODS_KEYWORD}@@' } (set from TOLLGUARD_PHONE_MESSAGE_TYPES)`);
  }
  if (!isObject(provider.credentials) || Object.keys(provider.credentials).length > 0) {
    problems.push('phoneProviders[0].credentials must be written, and empty: credentials: {} (the API refuses a custom provider without it; auth0-deploy-cli 8.43 drops it)');
  }
  return problems;
}

/**
 * The plan of one experience: its Actions, trigger bindings and sections, plus the shared ones.
 * Returns problems when tenant.yaml has nothing to deploy for that experience.
 */
export function selectExperience(plan: TenantPlan, experience: PhoneExperience): { plan: TenantPlan; problems: string[] } {
  const actions = plan.actions.filter((action) => belongs(action.experience, experience));
  const problems: string[] = [];
  const trigger = PHONE_TRIGGERS[experience];
  if (!actions.some((action) => action.trigger.id === trigger)) {
    problems.push(`TOLLGUARD_PHONE_EXPERIENCE=${experience} needs an action for the ${trigger} trigger in tenant/tenant.yaml`);
  }
  const sections = plan.sections.filter((section) => belongs(experienceOfSection(section), experience));
  if (experience === 'unified' && !sections.includes('phoneProviders')) problems.push('TOLLGUARD_PHONE_EXPERIENCE=unified needs the phoneProviders section in tenant/tenant.yaml');
  const bindingKeywords = new Map([...plan.bindingKeywords].filter(([triggerId]) => belongs(experienceOfTrigger(triggerId), experience)));
  const names = new Set(actions.map((action) => action.name));
  const document: Record<string, unknown> = {};
  for (const section of sections) {
    const value = plan.document[section];
    if (section === 'actions' && Array.isArray(value)) {
      document.actions = value.filter((entry) => isObject(entry) && names.has(String(entry.name)));
    } else if (section === 'triggers' && isObject(value)) {
      document.triggers = Object.fromEntries(Object.entries(value).filter(([triggerId]) => bindingKeywords.has(triggerId)));
    } else {
      document[section] = value;
    }
  }
  const keywords = new Set([...plan.keywords].filter((keyword) => JSON.stringify(document).includes(`@@${keyword}@@`)));
  return {
    plan: {
      ...plan,
      sections: sections.filter((section) => section !== 'triggers' || bindingKeywords.size > 0),
      actions,
      bindingKeywords,
      messageTypesKeyword: sections.includes('guardianPhoneFactorMessageTypes') ? plan.messageTypesKeyword : undefined,
      keywords,
      document,
    },
    problems,
  };
}

/** The YAML auth0-deploy-cli imports: the selected plan's document, keywords still in place. */
export function stagedYaml(plan: TenantPlan, sections: string[]): string {
  const cliRequire = createRequire(require.resolve('auth0-deploy-cli/package.json'));
  const yaml = cliRequire('js-yaml') as { dump(value: unknown, options: { lineWidth: number; noRefs: boolean }): string };
  const document = Object.fromEntries(sections.map((section) => [section, plan.document[section]]));
  return `# Staged by npm run deploy from ${path.basename(plan.file)}: only the sections of this import.\n${yaml.dump(document, { lineWidth: -1, noRefs: true })}`;
}
