/**
 * The few Management API calls `npm run deploy` makes itself, with the auth0 SDK the CLI uses:
 * one client-credentials token (handed to auth0-deploy-cli as AUTH0_ACCESS_TOKEN, so a bad
 * credential fails once, clearly), a read of the current bindings of tollguard's triggers (so other
 * Actions' bindings survive the CLI's whole-list PATCH), and, after an import, a read-back that the
 * tenant is in the intended state (the CLI only warns, and carries on, when a guardian call is
 * refused with 403/404).
 */
import { createRequire } from 'node:module';
import { AuthenticationClient, ManagementClient, type Management } from 'auth0';
import type { CheckedBundle } from './bundles';
import type { DeliveryMethod, DeploySettings, MessageType } from './environment';
import type { PhoneExperience } from './tenant-config';

export interface Binding {
  action_name: string;
  display_name: string;
}

export class ManagementApiError extends Error {}

/**
 * Makes every Management API request use a new connection. Between this script's reads and the
 * CLI's first write the CLI compiles its JSON schema, which takes seconds of synchronous work; a
 * pooled keep-alive connection the server closed meanwhile is then reused and fails with
 * UND_ERR_SOCKET "other side closed". The dispatcher comes from the undici auth0-deploy-cli itself
 * depends on (it calls setGlobalDispatcher the same way for --proxy_url); `pipelining: 0` is
 * undici's documented switch for "no keep-alive".
 */
export function useFreshConnections(): void {
  const cliRequire = createRequire(require.resolve('auth0-deploy-cli/package.json'));
  const undici = cliRequire('undici') as { Agent: new (options: { pipelining: number }) => unknown; setGlobalDispatcher(dispatcher: unknown): void };
  undici.setGlobalDispatcher(new undici.Agent({ pipelining: 0 }));
}

/** An error's message with its causes (fetch's "fetch failed" says nothing without them). */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = [error.message];
  let cause = (error as Error & { cause?: unknown }).cause;
  for (let depth = 0; cause instanceof Error && depth < 5; depth += 1) {
    const code = (cause as Error & { code?: unknown }).code;
    const text = `${typeof code === 'string' ? `${code}: ` : ''}${cause.message}`;
    if (!parts.includes(text)) parts.push(text);
    cause = (cause as Error & { cause?: unknown }).cause;
  }
  return parts.join(': ');
}

/** "<status> <message>" of an Auth0 API or SDK error, else the error with its causes. */
function describe(error: unknown): string {
  const withStatus = error as { statusCode?: unknown; error_description?: unknown; body?: unknown };
  if (typeof withStatus?.statusCode !== 'number') return errorText(error);
  const body = withStatus.body;
  const bodyMessage = typeof body === 'object' && body !== null && 'message' in body ? String((body as { message: unknown }).message) : undefined;
  const detail = typeof withStatus.error_description === 'string' ? withStatus.error_description : (bodyMessage ?? errorText(error).split('\n')[0]);
  return `${withStatus.statusCode} ${detail}`;
}

export async function accessToken(settings: DeploySettings): Promise<string> {
  if (settings.auth.kind === 'token') return settings.auth.token;
  const client = new AuthenticationClient({ domain: settings.domain, clientId: settings.auth.clientId, clientSecret: settings.auth.clientSecret });
  try {
    const grant = await client.oauth.clientCredentialsGrant({ audience: settings.audience });
    const token = grant.data.access_token;
    if (typeof token !== 'string' || token === '') throw new Error('the token endpoint answered without an access_token');
    return token;
  } catch (error) {
    throw new ManagementApiError(
      `could not get a Management API token from https://${settings.domain}/oauth/token for AUTH0_CLIENT_ID ${settings.auth.clientId} (${describe(error)}). ` +
        'Check AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, and that the application is authorized for the Auth0 Management API.',
    );
  }
}

export function managementClient(settings: DeploySettings, token: string): ManagementClient {
  return new ManagementClient({ domain: settings.domain, token, maxRetries: 3 });
}

async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new ManagementApiError(`${what} failed: ${describe(error)}`);
  }
}

export async function readBindings(client: ManagementClient, triggerId: string): Promise<Binding[]> {
  return call(`GET /api/v2/actions/triggers/${triggerId}/bindings`, async () => {
    const bindings: Binding[] = [];
    let page = await client.actions.triggers.bindings.list(triggerId as Management.ActionTriggerTypeEnum, { per_page: 50 });
    for (;;) {
      for (const binding of page.data) {
        const name = binding.action?.name;
        if (typeof name === 'string') bindings.push({ action_name: name, display_name: binding.display_name ?? name });
      }
      if (!page.hasNextPage()) break;
      page = await page.getNextPage();
    }
    return bindings;
  });
}

/** tollguard's binding first, then every other Action already bound to the trigger, in order. */
export function mergeBindings(ours: string, current: Binding[]): Binding[] {
  return [{ action_name: ours, display_name: ours }, ...current.filter((binding) => binding.action_name !== ours)];
}

export async function listActions(client: ManagementClient): Promise<Management.Action[]> {
  const actions: Management.Action[] = [];
  await call('GET /api/v2/actions/actions', async () => {
    let page = await client.actions.list({ per_page: 100 });
    for (;;) {
      actions.push(...page.data);
      if (!page.hasNextPage()) break;
      page = await page.getNextPage();
    }
  });
  return actions;
}

/** The tenant's phone_consolidated_experience setting (true: Unified Phone Experience); undefined if it says nothing. */
export async function readConsolidatedExperience(client: ManagementClient): Promise<boolean | undefined> {
  const settings = await call('GET /api/v2/tenants/settings (scope read:tenant_settings)', () =>
    client.tenants.settings.get({ fields: 'phone_consolidated_experience', include_fields: true }),
  );
  return typeof settings.phone_consolidated_experience === 'boolean' ? settings.phone_consolidated_experience : undefined;
}

export interface PhoneProviderSummary {
  id: string;
  name: string;
  disabled: boolean;
  deliveryMethods: string[];
}

export async function readPhoneProviders(client: ManagementClient): Promise<PhoneProviderSummary[]> {
  const response = await call('GET /api/v2/branding/phone/providers (scope read:phone_providers)', () => client.branding.phone.providers.list());
  return (response.providers ?? []).map((provider) => ({
    id: provider.id ?? '',
    name: String(provider.name),
    disabled: provider.disabled === true,
    deliveryMethods: [...(provider.configuration?.delivery_methods ?? [])].map(String),
  }));
}

export function describeProvider(provider: PhoneProviderSummary): string {
  return `${provider.name} (${provider.disabled ? 'disabled' : 'enabled'}, delivery methods: ${provider.deliveryMethods.join(', ') || 'none'})`;
}

export interface MfaPhone {
  enabled: boolean;
  messageTypes: string[];
}

/**
 * The MFA phone factor (on? which message types?), or why it could not be read. Read in unified only,
 * to check it against the provider's delivery methods; a refused read is a warning, not a failure.
 */
export async function readMfaPhone(client: ManagementClient): Promise<MfaPhone | string> {
  try {
    const factors = await call('GET /api/v2/guardian/factors', () => client.guardian.factors.list());
    const types = await call('GET /api/v2/guardian/factors/phone/message-types', () => client.guardian.factors.phone.getMessageTypes());
    return { enabled: factors.find((factor) => factor.name === 'sms')?.enabled === true, messageTypes: [...(types.message_types ?? [])].map(String) };
  } catch (error) {
    return errorText(error);
  }
}

export interface TenantCheck {
  /** Refusals: nothing is imported. */
  problems: string[];
  warnings: string[];
  notes: string[];
}

const SWITCH_HINT =
  'switch in the Dashboard (Security > Multi-factor Auth > Phone Message: "Use Tenant-level Messaging Provider"; Authentication > Passwordless > SMS: the same toggle), see docs/deploy.md';

/**
 * Checks TOLLGUARD_PHONE_EXPERIENCE against what the tenant says before anything is written: a
 * send-phone-message Action on a tenant that routes phone messages through the tenant-level provider
 * would never run; a custom-phone-provider Action needs the one slot Auth0 allows for that trigger.
 */
export function checkTenantExperience(input: {
  experience: PhoneExperience;
  consolidated: boolean | undefined;
  /** Actions on the tenant that support custom-phone-provider, with tollguard's own name. */
  customActions: string[];
  ourCustomAction: string | undefined;
  providers: PhoneProviderSummary[] | undefined;
  deliveryMethods: DeliveryMethod[];
  /** unified: the MFA phone factor, or why it could not be read. */
  mfa?: MfaPhone | string;
}): TenantCheck {
  const check: TenantCheck = { problems: [], warnings: [], notes: [] };
  const flag = input.consolidated === undefined ? 'not reported' : String(input.consolidated);
  check.notes.push(`tenant phone_consolidated_experience: ${flag}; deploying the ${input.experience} phone experience`);
  if (input.experience === 'legacy') {
    if (input.consolidated === true) {
      check.problems.push(
        'the tenant uses the Unified Phone Experience (tenant setting phone_consolidated_experience is true): its phone messages go to the tenant-level ' +
          'phone provider and the custom-phone-provider trigger, so the send-phone-message Action would never run. Set TOLLGUARD_PHONE_EXPERIENCE=unified',
      );
    } else if (input.consolidated === undefined) {
      check.warnings.push('the tenant settings do not report phone_consolidated_experience, so the phone experience could not be checked; if Branding > Phone Provider is in use (tenants created since March 2025), set TOLLGUARD_PHONE_EXPERIENCE=unified');
    }
    return check;
  }
  const others = input.customActions.filter((name) => name !== input.ourCustomAction);
  if (others.length > 0) {
    check.problems.push(
      `the tenant already has a custom-phone-provider Action (${others.join(', ')}) and Auth0 allows one: delete it (Branding > Phone Provider, or DELETE /api/v2/actions/actions/{id}) ` +
        `or rename tollguard's Action in tenant/tenant.yaml to its name, then deploy again`,
    );
  }
  const current = input.providers?.[0];
  if (current === undefined) check.notes.push('phone provider now: none; it will be created: custom (tollguard)');
  else check.notes.push(`phone provider now: ${describeProvider(current)}; it will be replaced by: custom (enabled, delivery methods: ${input.deliveryMethods.join(', ')})`);
  if (current !== undefined && current.name !== 'custom') {
    check.warnings.push(`the tenant-level ${current.name} provider is replaced: every phone message of the Unified Phone Experience then goes through tollguard's Action and its own TWILIO_* credentials`);
  }
  if (typeof input.mfa === 'string') {
    check.warnings.push(`could not read the MFA phone factor (${input.mfa}; scope read:guardian_factors), so its message types were not checked against the delivery methods`);
  } else if (input.mfa?.enabled === true) {
    const uncovered = input.mfa.messageTypes.filter((type) => !input.deliveryMethods.includes(type === 'sms' ? 'text' : 'voice'));
    if (uncovered.length > 0) {
      check.problems.push(
        `MFA by phone offers ${input.mfa.messageTypes.join(' and ')}, but the provider's delivery methods would be ${input.deliveryMethods.join(', ')}: ` +
          `Auth0 needs the MFA message types to be a subset, so ${uncovered.join(' and ')} MFA messages would have no way out. ` +
          `Set TOLLGUARD_PHONE_MESSAGE_TYPES=${[...new Set([...input.mfa.messageTypes, ...input.deliveryMethods.map((method) => (method === 'text' ? 'sms' : 'voice'))])].sort().join(',')}, ` +
          'or turn those message types off in Security > Multi-factor Auth > Phone Message',
      );
    }
  }
  if (!input.deliveryMethods.includes('text')) {
    check.warnings.push('delivery methods without text: passwordless SMS and phone-number verification need text (TOLLGUARD_PHONE_MESSAGE_TYPES=sms or sms,voice)');
  }
  if (input.consolidated === false) {
    check.warnings.push(
      `the tenant still uses the legacy phone experience for MFA (phone_consolidated_experience is false): the provider is installed, but MFA messages keep going to the legacy provider ` +
        `until you switch; ${SWITCH_HINT}`,
    );
  } else if (input.consolidated === undefined) {
    check.warnings.push(`the tenant settings do not report phone_consolidated_experience: check that MFA and passwordless use the tenant-level provider; ${SWITCH_HINT}`);
  }
  return check;
}

export interface Expected {
  bundles: CheckedBundle[];
  bindings: Map<string, Binding[]>;
  messageTypes: MessageType[];
  deliveryMethods: DeliveryMethod[];
  secretNames: Map<string, string[]>;
  /** The tenant.yaml sections that were imported. */
  sections: Set<string>;
}

/** Reads the tenant back after an import; returns what differs from the plan. */
export async function verifyTenant(client: ManagementClient, expected: Expected): Promise<string[]> {
  const mismatches: string[] = [];
  const actions = await listActions(client);
  for (const bundle of expected.bundles) {
    const name = bundle.action.name;
    const action = actions.find((candidate) => candidate.name === name);
    if (action === undefined) {
      mismatches.push(`action ${name} does not exist`);
      continue;
    }
    if (action.all_changes_deployed !== true) mismatches.push(`action ${name} has changes that are not deployed`);
    const deployedCode = action.deployed_version?.code;
    if (deployedCode !== undefined && deployedCode !== bundle.code.toString('utf8')) mismatches.push(`action ${name}: the deployed code is not dist/${bundle.action.bundle}`);
    const names = (action.secrets ?? []).map((secret) => secret.name ?? '').sort();
    const wanted = [...(expected.secretNames.get(name) ?? [])].sort();
    if (names.join(',') !== wanted.join(',')) mismatches.push(`action ${name} has the secrets [${names.join(', ')}], expected [${wanted.join(', ')}]`);
  }
  for (const [triggerId, wanted] of expected.bindings) {
    const current = await readBindings(client, triggerId);
    const got = current.map((binding) => binding.action_name).join(', ');
    if (got !== wanted.map((binding) => binding.action_name).join(', ')) mismatches.push(`trigger ${triggerId} is bound to [${got}], expected [${wanted.map((binding) => binding.action_name).join(', ')}]`);
  }
  if (expected.sections.has('guardianPhoneFactorSelectedProvider')) {
    const provider = await call('GET /api/v2/guardian/factors/phone/selected-provider', () => client.guardian.factors.phone.getSelectedProvider());
    if (provider.provider !== 'phone-message-hook') mismatches.push(`the phone factor's provider is ${String(provider.provider)}, expected phone-message-hook (Custom)`);
  }
  if (expected.sections.has('guardianPhoneFactorMessageTypes')) {
    const types = await call('GET /api/v2/guardian/factors/phone/message-types', () => client.guardian.factors.phone.getMessageTypes());
    const gotTypes = [...(types.message_types ?? [])].sort().join(',');
    if (gotTypes !== [...expected.messageTypes].sort().join(',')) mismatches.push(`the phone factor's message types are [${gotTypes}], expected [${expected.messageTypes.join(',')}]`);
  }
  if (expected.sections.has('phoneProviders')) {
    const provider = (await readPhoneProviders(client))[0];
    const wantedMethods = [...expected.deliveryMethods].sort().join(', ');
    if (provider === undefined) mismatches.push('the tenant has no phone provider, expected custom');
    else if (provider.name !== 'custom' || provider.disabled || [...provider.deliveryMethods].sort().join(', ') !== wantedMethods) {
      mismatches.push(`the phone provider is ${describeProvider(provider)}, expected custom (enabled, delivery methods: ${wantedMethods})`);
    }
  }
  if (expected.sections.has('guardianFactors')) {
    const factors = await call('GET /api/v2/guardian/factors', () => client.guardian.factors.list());
    if (factors.find((factor) => factor.name === 'sms')?.enabled !== true) mismatches.push('the sms (phone) MFA factor is not enabled');
  }
  return mismatches;
}
