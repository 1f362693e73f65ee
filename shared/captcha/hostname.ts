/**
 * Host names as CAPTCHA providers report them (the page's host: lower case, no port, no scheme)
 * and where the host a token must carry comes from.
 *
 * - Every supported provider reports the host the widget ran on: reCAPTCHA siteverify `hostname`
 *   (v3 and v2 keys alike; Android keys report `apk_package_name` instead), hCaptcha `hostname`,
 *   Turnstile `hostname`, reCAPTCHA Enterprise `tokenProperties.hostname` (web keys only; app keys
 *   report `androidPackageName` / `iosBundleId`).
 * - Auth0 documents `event.request.hostname` (optional) as the host used for the authentication
 *   flow: the tenant's own domain or its custom domain. Universal Login partials, where a
 *   CAPTCHA widget is placed, are served from that host, so it is the host a real token carries.
 */
import type { CaptchaConfig } from './types';

const HOSTNAME_FORM = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const PORT_SUFFIX = /:[0-9]{1,5}$/;
/** Longer than any host name with a port: not worth reading. */
const MAX_RAW_LENGTH = 300;

/** A host name in the form providers report it, or undefined. Upper case and a trailing dot are normalised. */
export function normaliseHostname(raw: string): string | undefined {
  const host = raw.trim().toLowerCase().replace(/\.$/, '');
  return HOSTNAME_FORM.test(host) ? host : undefined;
}

/**
 * A host from an event field or a provider answer: a string, lower-cased, its port (if any)
 * dropped, in host name form; anything else (a number, an object, a URL, an IPv6 literal) is none.
 */
export function readHostname(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_RAW_LENGTH) return undefined;
  return normaliseHostname(value.trim().replace(PORT_SUFFIX, ''));
}

/**
 * The configuration a token is judged by for one sign-up: the hostnames named by
 * CAPTCHA_EXPECTED_HOSTNAMES when that secret names any, else the login's own host, else none
 * (a user created through the Dashboard or the Management API has no login host).
 */
export function expectHostnames(config: CaptchaConfig, loginHost: string | undefined): CaptchaConfig {
  if (config.expectedHostnames.length > 0) return { ...config, hostnameSource: 'secret' };
  if (loginHost === undefined) return { ...config, hostnameSource: 'no-login-host' };
  return { ...config, expectedHostnames: [loginHost], hostnameSource: 'login-host' };
}
