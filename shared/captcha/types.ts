/**
 * CAPTCHA verification: the configuration parsed from secrets and the verdict handed to the
 * Pre-User-Registration rules. Every provider's score is normalised to "human-likeness"
 * (0 = surely a bot, 1 = surely human) so one threshold works for all of them.
 */

export type CaptchaProvider = 'recaptcha-v3' | 'recaptcha-enterprise' | 'hcaptcha' | 'turnstile';

export const CAPTCHA_PROVIDERS: readonly CaptchaProvider[] = ['recaptcha-v3', 'recaptcha-enterprise', 'hcaptcha', 'turnstile'];

export type HostnameSource = 'secret' | 'login-host' | 'no-login-host';

export interface CaptchaConfig {
  provider: CaptchaProvider;
  /** v3 / hCaptcha / Turnstile secret key; the Google Cloud API key for reCAPTCHA Enterprise. */
  secret: string;
  /** Required for Enterprise (event.siteKey); sent as `sitekey` to hCaptcha when set. */
  siteKey: string | undefined;
  /** Required for Enterprise (the Google Cloud project of the assessment). */
  projectId: string | undefined;
  /** The provider's documented endpoint unless overridden (tests point it at a local server). */
  verifyUrl: string;
  timeoutMs: number;
  /** 0..1 in human-likeness for every provider. */
  minScore: number;
  /** Empty = hostnames are not checked. Lower-case. */
  expectedHostnames: string[];
  /**
   * Who named expectedHostnames (set per sign-up by expectHostnames, see hostname.ts): the secret
   * CAPTCHA_EXPECTED_HOSTNAMES, or the login's own host because the secret names none, or nobody
   * because the event had no login host. Absent: as parsed from the secret alone.
   */
  hostnameSource?: HostnameSource;
  /** Checked where the provider returns an action. */
  expectedAction: string | undefined;
}

export interface CaptchaVerdict {
  /** error = provider unreachable / slow / 5xx / non-JSON / unexpected shape, or our own
   * configuration refused by the provider: the caller's fail mode decides. */
  outcome: 'pass' | 'fail' | 'error';
  provider: CaptchaProvider;
  /** Normalised human-likeness 0..1 (hCaptcha's risk score inverted), undefined if the provider gave none. */
  score: number | undefined;
  /** For logs; never contains the token or the secret. */
  reason: string;
  hostname: string | undefined;
  action: string | undefined;
  /** A fail only because the score is under CAPTCHA_MIN_SCORE (the token itself is genuine, for this host and action). */
  lowScore?: boolean;
}
