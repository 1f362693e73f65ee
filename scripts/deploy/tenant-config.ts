/**
 * Reads tenant/tenant.yaml, the auth0-deploy-cli configuration, into a deploy plan: which Actions it
 * deploys (name, bundle, trigger, declared secrets), which sections it touches (they become
 * AUTH0_INCLUDED_ONLY) and which '@@KEYWORD@@'s must be filled. The file is parsed, before keyword
 * replacement, with the same js-yaml the CLI itself uses (a dependency of auth0-deploy-cli), so the
 * plan and the CLI see one structure. Anything the deploy could not fill safely is a problem.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface PlannedAction {
  name: string;
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
}

export const DEPENDENCIES_PREFIX = 'TOLLGUARD_DEPENDENCIES_';
export const BINDINGS_PREFIX = 'TOLLGUARD_BINDINGS_';
export const MESSAGE_TYPES_KEYWORD = 'TOLLGUARD_PHONE_MESSAGE_TYPES';
export const MAX_SECRETS_PER_ACTION = 30;

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
    plan.actions.push({
      name,
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
    if (action.trigger.id !== '' && !plan.bindingKeywords.has(action.trigger.id)) {
      problems.push(`${action.name}: triggers.${action.trigger.id} is missing, so the Action would be deployed but never run`);
    }
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
