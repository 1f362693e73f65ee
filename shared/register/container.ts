/**
 * What the Pre-User-Registration container builds once from its secrets (memoised per secrets
 * fingerprint by the Action): the policies, the CAPTCHA verifier configuration and the store.
 */
import { isCaptchaRequested, parseCaptchaConfig } from '../captcha/config';
import type { CaptchaConfig } from '../captcha/types';
import { parseStoreSettings, type StoreSettings } from '../config/dynamic-policy';
import { parseServedProofs } from '../rules/served-country';
import { ConfigErrors, parseStaticPolicy, type Secrets } from '../config/static-policy';
import { parseEmailPolicy, type EmailPolicy } from '../email/email-rule';
import type { StaticPolicy } from '../engine/types';
import { buildStore } from '../store/build-store';
import type { CounterStore } from '../store/counter-store';
import { parseRegistrationPolicy, type RegistrationPolicy } from './registration-policy';

export interface RegistrationContainer {
  staticPolicy: StaticPolicy;
  /** The store settings, and the proofs that open a high-risk-tier country (read by the sign-up tier rule). */
  dynamicPolicy: StoreSettings & { servedProofs: number | undefined };
  registration: RegistrationPolicy;
  captcha: CaptchaConfig | undefined;
  /** A provider is set but its secrets are unusable: CAPTCHA_FAIL_MODE applies, never "no CAPTCHA". */
  captchaMisconfigured: boolean;
  email: EmailPolicy;
  store: CounterStore | { problem: string };
  configErrors: string[];
  secretValues: string[];
}

const CREDENTIAL_SECRETS = ['CAPTCHA_SECRET', 'UPSTASH_REDIS_REST_TOKEN', 'TWILIO_AUTH_TOKEN', 'ALERT_WEBHOOK_URL'];

export function buildRegistrationContainer(secrets: Secrets): RegistrationContainer {
  const errors = new ConfigErrors();
  const staticPolicy = parseStaticPolicy(secrets, errors);
  const dynamicPolicy = { ...parseStoreSettings(secrets, errors), servedProofs: parseServedProofs(secrets, errors) };
  const registration = parseRegistrationPolicy(secrets, errors);
  const captcha = parseCaptchaConfig(secrets, errors);
  const email = parseEmailPolicy(secrets, errors);
  const store = buildStore(secrets, dynamicPolicy, errors.errors);
  return {
    staticPolicy,
    dynamicPolicy,
    registration,
    captcha,
    captchaMisconfigured: captcha === undefined && isCaptchaRequested(secrets),
    email,
    store,
    configErrors: errors.errors.map((error) => error.message),
    secretValues: CREDENTIAL_SECRETS.map((name) => secrets[name]).filter((value): value is string => typeof value === 'string' && value.length >= 4),
  };
}
