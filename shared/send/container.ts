/**
 * Everything an Action container builds once from its secrets: the parsed configuration and the
 * adapters. Auth0 reuses a warm container across executions, so this is memoised per secrets
 * fingerprint (secrets can change between deployments, not within one container).
 */
import { createHash, createHmac } from 'node:crypto';
import { webhookAlertSender } from '../alerts/webhook';
import { parseDeliveryConfig, type DeliveryConfig } from '../config/delivery-config';
import { parseDynamicPolicy, type DynamicPolicy } from '../config/dynamic-policy';
import { ConfigErrors, parseStaticPolicy, type Secrets } from '../config/static-policy';
import { DryRunSender, TwilioMessagingSender, TwilioVerifySender, type MessageSender } from '../delivery/sender';
import { twilioLookup, type PhoneLookup } from '../delivery/twilio-lookup';
import { TwilioRest } from '../delivery/twilio-rest';
import type { StaticPolicy } from '../engine/types';
import { buildStore } from '../store/build-store';
import { GuardKeys, tenantKeyPrefix } from '../store/keys';
import { describeStoreError, withTimeout } from '../store/store-call';
import { policyForKind } from '../pipeline/message-kinds';
import { parseRefusalStyle } from './send-handler';
import type { MessageKind } from '../pipeline/phone-request';
import { DynamicGuard } from './dynamic-guard';

export interface SendContainer {
  policy: StaticPolicy;
  dynamicPolicy: DynamicPolicy;
  /** The dynamic guard for a tenant (keys are namespaced per tenant) and a message kind. */
  guardFor(tenant: string, kind?: MessageKind): DynamicGuard;
  /** How send-phone-message refuses (GUARD_SILENT_REFUSAL); the other phone entries are always silent. */
  refusal: 'error' | 'silent';
  /**
   * Records that the guard asked the provider to retry this notification: its next attempts (at most
   * the provider's retry count) are replays, not counted again. Answers a problem, or undefined.
   */
  grantRetries(tenant: string, notificationId: string): Promise<string | undefined>;
  /**
   * The store's name for a notification: keyed by the Twilio auth token, so whoever can read the
   * store cannot test the 10^6 possible codes of a number against it.
   */
  storeIdOf(notificationId: string): string;
  delivery: DeliveryConfig;
  sender: MessageSender | undefined;
  /** Messages of invalid guard secrets (each names its secret); the knob kept its safe default. */
  configErrors: string[];
  /** Values that must never reach a log line. */
  secretValues: string[];
}

export function buildSendContainer(secrets: Secrets, print: (line: string) => void): SendContainer {
  const errors = new ConfigErrors();
  const policy = parseStaticPolicy(secrets, errors);
  const delivery = parseDeliveryConfig(secrets, errors);
  const dynamicPolicy = parseDynamicPolicy(secrets, errors);
  const refusal = parseRefusalStyle(secrets, errors);
  const store = buildStore(secrets, dynamicPolicy, errors.errors);
  const alert = dynamicPolicy.alertWebhookUrl === undefined ? undefined : webhookAlertSender(dynamicPolicy.alertWebhookUrl);
  const guards = new Map<string, DynamicGuard>();
  const lookup = buildLookup(delivery, dynamicPolicy);
  const idKey = typeof secrets['TWILIO_AUTH_TOKEN'] === 'string' && secrets['TWILIO_AUTH_TOKEN'] !== '' ? secrets['TWILIO_AUTH_TOKEN'] : 'tollguard';
  const storeIdOf = (notificationId: string) => createHmac('sha256', idKey).update(notificationId).digest('base64url').slice(0, 24);
  return {
    policy,
    dynamicPolicy,
    guardFor(tenant, kind = 'otp') {
      const id = `${kind}\u0000${tenant}`;
      let guard = guards.get(id);
      if (guard === undefined) {
        const policy = policyForKind(dynamicPolicy, kind);
        guard = new DynamicGuard({ store, policy, keyPrefix: tenantKeyPrefix(dynamicPolicy.keyPrefix, tenant), tenant, alert, lookup: policy.lookup ? lookup : undefined });
        guards.set(id, guard);
      }
      return guard;
    },
    refusal,
    storeIdOf,
    async grantRetries(tenant, notificationId) {
      if (!('kind' in store)) return `no counter store: ${store.problem}`;
      const key = new GuardKeys(tenantKeyPrefix(dynamicPolicy.keyPrefix, tenant)).retryTokens(storeIdOf(notificationId));
      try {
        await withTimeout(store.put(key, String(PROVIDER_RETRIES), RETRY_MEMORY_MS), dynamicPolicy.storeTimeoutMs);
        return undefined;
      } catch (error) {
        return describeStoreError(error, dynamicPolicy.storeTimeoutMs);
      }
    },
    delivery,
    sender: buildSender(delivery, print),
    configErrors: errors.errors.map((error) => error.message),
    secretValues: collectSecretValues(secrets),
  };
}

function buildLookup(delivery: DeliveryConfig, policy: DynamicPolicy): PhoneLookup | undefined {
  if (policy.lookup === undefined || (delivery.kind !== 'messaging' && delivery.kind !== 'verify')) return undefined;
  const rest = new TwilioRest({
    credentials: { accountSid: delivery.accountSid, authToken: delivery.authToken },
    endpoints: delivery.endpoints,
    timeoutMs: Math.min(delivery.timeoutMs, 2000),
  });
  return twilioLookup(rest, policy.lookup.fields);
}

function buildSender(delivery: DeliveryConfig, print: (line: string) => void): MessageSender | undefined {
  if (delivery.kind === 'dry-run') return new DryRunSender(print);
  if (delivery.kind === 'unusable') return undefined;
  const rest = new TwilioRest({
    credentials: { accountSid: delivery.accountSid, authToken: delivery.authToken },
    endpoints: delivery.endpoints,
    timeoutMs: delivery.timeoutMs,
  });
  if (delivery.kind === 'verify' && delivery.verifyServiceSid !== undefined) {
    return new TwilioVerifySender(rest, delivery.verifyServiceSid, delivery.verifyLocale);
  }
  return new TwilioMessagingSender(rest, {
    from: delivery.from,
    messagingServiceSid: delivery.messagingServiceSid,
    voiceFrom: delivery.voiceFrom,
    smsValiditySeconds: delivery.smsValiditySeconds,
    voice: delivery.voice,
  });
}

/** Auth0 retries a notification up to 5 times "in the next minutes"; an hour covers them. */
const PROVIDER_RETRIES = 5;
const RETRY_MEMORY_MS = 3_600_000;

const CREDENTIAL_SECRETS = ['TWILIO_AUTH_TOKEN', 'UPSTASH_REDIS_REST_TOKEN', 'ALERT_WEBHOOK_URL'];

function collectSecretValues(secrets: Secrets): string[] {
  return CREDENTIAL_SECRETS.map((name) => secrets[name]).filter((value): value is string => typeof value === 'string' && value.length >= 4);
}

/** A memo of one container per secrets fingerprint, kept at module scope by the Action. */
export class ContainerCache<T> {
  private key: string | undefined;
  private value: T | undefined;

  constructor(private readonly build: (secrets: Secrets) => T) {}

  get(secrets: Secrets): T {
    const key = fingerprint(secrets);
    if (this.key !== key || this.value === undefined) {
      this.value = this.build(secrets);
      this.key = key;
    }
    return this.value;
  }
}

function fingerprint(secrets: Secrets): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(secrets).sort()) hash.update(`${name}\u0000${secrets[name] ?? ''}\u0000`);
  return hash.digest('hex');
}
