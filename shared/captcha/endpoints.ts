/**
 * The documented verify endpoints and token limits, with the page each fact comes from.
 *
 * - reCAPTCHA v3: POST https://www.google.com/recaptcha/api/siteverify, form fields secret,
 *   response and optional remoteip; JSON answer success, score (1.0 very likely human, 0.0 very
 *   likely a bot), action, challenge_ts, hostname, error-codes.
 *   (developers.google.com/recaptcha/docs/verify, developers.google.com/recaptcha/docs/v3. Google
 *   now calls siteverify the legacy endpoint and steers new keys to CreateAssessment.)
 * - reCAPTCHA Enterprise: POST https://recaptchaenterprise.googleapis.com/v1/projects/{project}/assessments,
 *   JSON body {event: {token, siteKey, expectedAction, userIpAddress}}. Outside Google Cloud it
 *   authenticates with an API key in the `key` query parameter.
 *   (cloud.google.com/recaptcha/docs/create-assessment-website; the answer is described in
 *   cloud.google.com/recaptcha/docs/interpret-assessment-website.)
 * - hCaptcha: POST https://api.hcaptcha.com/siteverify, form fields secret, response and optional
 *   remoteip and sitekey (docs.hcaptcha.com, "Verify the user response server side"; that page
 *   was not reachable while writing this, so the fields, error codes and the Enterprise risk
 *   score's direction were taken from libraries and guides that restate it, and they agree).
 * - Turnstile: POST https://challenges.cloudflare.com/turnstile/v0/siteverify, form or JSON fields
 *   secret, response and optional remoteip and idempotency_key; a token is at most 2048
 *   characters and valid for 300 seconds
 *   (developers.cloudflare.com/turnstile/get-started/server-side-validation/).
 */
import type { CaptchaProvider } from './types';

export const RECAPTCHA_V3_VERIFY_URL = 'https://www.google.com/recaptcha/api/siteverify';
export const HCAPTCHA_VERIFY_URL = 'https://api.hcaptcha.com/siteverify';
export const TURNSTILE_VERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';
export const RECAPTCHA_ENTERPRISE_ORIGIN = 'https://recaptchaenterprise.googleapis.com';

/** The Enterprise assessment URL of one project (the API key is added as `?key=` per request). */
export function enterpriseAssessmentsUrl(projectId: string, origin: string = RECAPTCHA_ENTERPRISE_ORIGIN): string {
  return `${origin}/v1/projects/${encodeURIComponent(projectId)}/assessments`;
}

/** The documented endpoint of a provider; Enterprise needs its project. */
export function defaultVerifyUrl(provider: CaptchaProvider, projectId: string | undefined): string {
  switch (provider) {
    case 'recaptcha-v3':
      return RECAPTCHA_V3_VERIFY_URL;
    case 'hcaptcha':
      return HCAPTCHA_VERIFY_URL;
    case 'turnstile':
      return TURNSTILE_VERIFY_URL;
    case 'recaptcha-enterprise':
      return enterpriseAssessmentsUrl(projectId ?? '');
  }
}

/** Cloudflare documents that a Turnstile token has at most 2048 characters. */
export const TURNSTILE_MAX_TOKEN_LENGTH = 2048;

/**
 * The other providers document no maximum; a token this long is no real token, and refusing it
 * locally keeps a hostile sign-up from making us post megabytes to the provider.
 */
export const MAX_TOKEN_LENGTH = 16_384;

export function maxTokenLength(provider: CaptchaProvider): number {
  return provider === 'turnstile' ? TURNSTILE_MAX_TOKEN_LENGTH : MAX_TOKEN_LENGTH;
}
