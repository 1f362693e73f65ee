/**
 * The environment check of `npm run deploy`: Management API credentials, every secret the Actions
 * need, and the deploy's own switches. Every problem is collected, so one run lists them all.
 *
 * Secret values are checked with the Actions' own parsers (the same container builders the Actions
 * run at start-up, given exactly the secrets tenant.yaml declares for them), so a value the Action
 * would reject, or silently replace by its default, is refused here, before anything is sent.
 */
import { buildPostLoginContainer } from '../../shared/feedback/post-login-container';
import { buildRegistrationContainer } from '../../shared/register/container';
import { buildSendContainer } from '../../shared/send/container';
import { SECRET_CATALOG } from '../lib/secret-catalog';
import type { PhoneExperience, PlannedAction, TenantPlan } from './tenant-config';

export type MessageType = 'sms' | 'voice';
/** The custom phone provider's names for the same channels. */
export type DeliveryMethod = 'text' | 'voice';

export type ManagementAuth =
  | { kind: 'token'; token: string }
  | { kind: 'client'; clientId: string; clientSecret: string };

export interface DeploySettings {
  domain: string;
  audience: string;
  auth: ManagementAuth;
  /** Every declared secret name -> the value to deploy ('' when unset: the Action's default). */
  secretValues: Map<string, string>;
  /** Declared optional secrets that are unset and so deploy as '' (their documented default). */
  defaulted: string[];
  /** Values that must never appear in a bundle or in this script's output. */
  credentials: Array<{ name: string; value: string }>;
  attackProtection: boolean;
  messageTypes: MessageType[];
  /** TOLLGUARD_PHONE_MESSAGE_TYPES as the custom phone provider's delivery methods (sms -> text). */
  deliveryMethods: DeliveryMethod[];
  experience: PhoneExperience;
}

export interface DeployOptions {
  allowEmbeddedStore: boolean;
}

/** Secrets whose values are credentials: never inside a bundle, never printed. */
export const CREDENTIAL_SECRETS = [
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'UPSTASH_REDIS_REST_URL',
  'UPSTASH_REDIS_REST_TOKEN',
  'CAPTCHA_SECRET',
  'ALERT_WEBHOOK_URL',
] as const;
const MANAGEMENT_CREDENTIALS = ['AUTH0_CLIENT_SECRET', 'AUTH0_ACCESS_TOKEN'];
const MAX_SECRET_VALUE = 4096; // Auth0: a secret value is at most 4096 characters
const PLACEHOLDER = /##[A-Za-z0-9_]+##|@@[A-Za-z0-9_]+@@/;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/;
const UPSTASH = ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'];

function value(env: NodeJS.ProcessEnv, name: string): string {
  return env[name] ?? '';
}

function isSet(env: NodeJS.ProcessEnv, name: string): boolean {
  return value(env, name).trim() !== '';
}

/** The configuration errors the Action itself would report for these secrets. */
function actionConfigProblems(action: PlannedAction, secrets: Record<string, string>): string[] {
  const quiet = () => undefined;
  // custom-phone-provider runs the same send container (same secrets) as send-phone-message.
  if (action.trigger.id === 'send-phone-message' || action.trigger.id === 'custom-phone-provider') {
    const container = buildSendContainer(secrets, quiet);
    return [...(container.delivery.kind === 'unusable' ? container.delivery.problems : []), ...container.configErrors];
  }
  if (action.trigger.id === 'pre-user-registration') return buildRegistrationContainer(secrets).configErrors;
  if (action.trigger.id === 'post-login') return buildPostLoginContainer(secrets).configErrors;
  return [];
}

function checkAuth0(env: NodeJS.ProcessEnv, problems: string[]): { domain: string; audience: string; auth: ManagementAuth } {
  const domain = value(env, 'AUTH0_DOMAIN').trim();
  if (domain === '') {
    problems.push('AUTH0_DOMAIN is not set (the tenant domain, e.g. your-tenant.eu.auth0.com)');
  } else if (/^[a-z]+:\/\//i.test(domain) || !/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(domain) || !domain.includes('.')) {
    problems.push(`AUTH0_DOMAIN must be a host name such as your-tenant.eu.auth0.com, without https:// or a path (got ${JSON.stringify(domain)})`);
  }
  const audience = value(env, 'AUTH0_AUDIENCE').trim() || `https://${domain}/api/v2/`;
  if (isSet(env, 'AUTH0_AUDIENCE') && !/^https:\/\/[^/]+\/api\/v2\/$/.test(audience)) {
    problems.push(`AUTH0_AUDIENCE must look like https://<tenant>.auth0.com/api/v2/ (got ${JSON.stringify(audience)})`);
  }
  const token = value(env, 'AUTH0_ACCESS_TOKEN').trim();
  if (token !== '') return { domain, audience, auth: { kind: 'token', token } };
  const clientId = value(env, 'AUTH0_CLIENT_ID').trim();
  const clientSecret = value(env, 'AUTH0_CLIENT_SECRET').trim();
  const missing = [clientId === '' ? 'AUTH0_CLIENT_ID' : '', clientSecret === '' ? 'AUTH0_CLIENT_SECRET' : ''].filter(Boolean);
  if (missing.length > 0) {
    problems.push(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set (a Machine-to-Machine application authorized for the Management API; or set AUTH0_ACCESS_TOKEN)`);
  }
  return { domain, audience, auth: { kind: 'client', clientId, clientSecret } };
}

function parseSwitch(env: NodeJS.ProcessEnv, problems: string[]): boolean {
  const raw = value(env, 'TOLLGUARD_ATTACK_PROTECTION').trim().toLowerCase();
  if (raw === '' || raw === 'on') return true;
  if (raw === 'off') return false;
  problems.push(`TOLLGUARD_ATTACK_PROTECTION must be on or off (got ${JSON.stringify(raw)})`);
  return true;
}

function parseMessageTypes(env: NodeJS.ProcessEnv, problems: string[]): MessageType[] {
  const raw = value(env, 'TOLLGUARD_PHONE_MESSAGE_TYPES').trim();
  if (raw === '') return ['sms'];
  const items = raw.split(/[\s,]+/).filter(Boolean).map((item) => item.toLowerCase());
  const bad = items.filter((item) => item !== 'sms' && item !== 'voice');
  if (bad.length > 0 || items.length === 0) {
    problems.push(`TOLLGUARD_PHONE_MESSAGE_TYPES must be sms, voice or sms,voice (got ${JSON.stringify(raw)})`);
    return ['sms'];
  }
  return [...new Set(items)] as MessageType[];
}

export const EXPERIENCE_VARIABLE = 'TOLLGUARD_PHONE_EXPERIENCE';

/**
 * TOLLGUARD_PHONE_EXPERIENCE: legacy (the default: what every deploy did before it existed) or
 * unified. The deploy then checks the choice against the tenant before it writes anything.
 */
export function parsePhoneExperience(env: NodeJS.ProcessEnv): { experience: PhoneExperience; problems: string[] } {
  const raw = value(env, EXPERIENCE_VARIABLE).trim().toLowerCase();
  if (raw === '' || raw === 'legacy') return { experience: 'legacy', problems: [] };
  if (raw === 'unified') return { experience: 'unified', problems: [] };
  return { experience: 'legacy', problems: [`${EXPERIENCE_VARIABLE} must be legacy or unified (got ${JSON.stringify(raw)}); see docs/deploy.md (Which phone experience)`] };
}

export function deliveryMethodsOf(types: MessageType[]): DeliveryMethod[] {
  return types.map((type) => (type === 'sms' ? 'text' : 'voice'));
}

export function checkEnvironment(env: NodeJS.ProcessEnv, plan: TenantPlan, options: DeployOptions): { settings: DeploySettings; problems: string[] } {
  const problems: string[] = [];
  const { domain, audience, auth } = checkAuth0(env, problems);

  const declared = new Map<string, string[]>(); // secret -> actions declaring it
  for (const action of plan.actions) {
    for (const name of action.secrets) declared.set(name, [...(declared.get(name) ?? []), action.name]);
  }
  const secretValues = new Map<string, string>();
  for (const name of declared.keys()) secretValues.set(name, value(env, name));

  // Upstash: production counters must be shared by every Auth0 container.
  const declaresStore = UPSTASH.some((name) => declared.has(name));
  const storeSet = UPSTASH.filter((name) => isSet(env, name));
  if (declaresStore && storeSet.length === 0 && !options.allowEmbeddedStore) {
    problems.push(
      'UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are not set: without them every Auth0 container keeps its own counters, ' +
        'so velocity limits, pumping detection and the service caps are not shared; set them, or pass --allow-embedded-store (test tenants only)',
    );
  }
  const storeUrl = value(env, 'UPSTASH_REDIS_REST_URL').trim();
  if (storeUrl !== '' && !storeUrl.startsWith('https://')) {
    problems.push('UPSTASH_REDIS_REST_URL must be an https:// URL (the Actions run on Auth0, not next to your Redis)');
  }

  // Values auth0-deploy-cli would mangle or Auth0 would refuse.
  for (const [name, secret] of secretValues) {
    if (secret.length > MAX_SECRET_VALUE) problems.push(`${name} is ${secret.length} characters long; Auth0 allows ${MAX_SECRET_VALUE}`);
    const keyword = PLACEHOLDER.exec(secret);
    if (keyword !== null) problems.push(`${name} contains ${keyword[0]}, which auth0-deploy-cli would replace as a keyword`);
    // JSON.stringify leaves these raw and js-yaml refuses them ("non-printable characters").
    if (CONTROL.test(secret)) problems.push(`${name} contains a control character (only tab and line breaks are allowed)`);
  }

  // What each Action would say about its own secrets (deduplicated across Actions).
  const actionProblems = new Map<string, string[]>();
  for (const action of plan.actions) {
    const secrets = Object.fromEntries(action.secrets.map((name) => [name, secretValues.get(name) ?? '']));
    for (const message of actionConfigProblems(action, secrets)) {
      actionProblems.set(message, [...(actionProblems.get(message) ?? []), action.name]);
    }
  }
  for (const [message, actions] of actionProblems) problems.push(`${message} (${actions.join(', ')})`);

  // A knob set in the environment but declared for no Action would silently not be deployed.
  // The Okta hook server's own settings are for that server, never for an Action.
  for (const doc of SECRET_CATALOG) {
    if (doc.actions !== 'okta' && !declared.has(doc.name) && isSet(env, doc.name)) {
      problems.push(`${doc.name} is set in the environment but tenant/tenant.yaml declares it for no Action, so it would not be deployed: declare it there (at most 30 secrets per Action) or unset it`);
    }
  }

  const attackProtection = parseSwitch(env, problems);
  const messageTypes = parseMessageTypes(env, problems);
  const { experience, problems: experienceProblems } = parsePhoneExperience(env);
  problems.push(...experienceProblems);
  const credentials = [...CREDENTIAL_SECRETS, ...MANAGEMENT_CREDENTIALS]
    .map((name) => ({ name, value: value(env, name).trim() }))
    .filter((credential) => credential.value.length >= 8);
  const defaulted = [...secretValues].filter(([, secret]) => secret.trim() === '').map(([name]) => name);
  return {
    settings: { domain, audience, auth, secretValues, defaulted, credentials, attackProtection, messageTypes, deliveryMethods: deliveryMethodsOf(messageTypes), experience },
    problems,
  };
}

/** Replaces every credential value (and the 37-character prefix a SecretError may quote) in text. */
export function redact(text: string, credentials: DeploySettings['credentials']): string {
  let out = text;
  for (const { value: secret } of credentials) {
    for (const fragment of [secret, secret.slice(0, 37)]) {
      if (fragment.length >= 8) out = out.split(fragment).join('[redacted]');
    }
  }
  return out;
}
