/**
 * The CAPTCHA side of a simulated sign-up, for both providers the evaluation runs under.
 *
 * A token is drawn once per sign-up and replayed under each provider as that provider would
 * answer for the same visitor: reCAPTCHA v3 never challenges, it scores (so a headless bot gets a
 * valid token with a low score); Turnstile has no score, it passes or fails the visitor (people who
 * score low under reCAPTCHA, privacy browsers and shared networks, still pass it; a headless bot
 * that cannot solve it ends up with a token the verifier rejects). The action is the one the
 * widget was rendered with: `signup` on the tenant's page, whatever a farm chose elsewhere.
 *
 * `SimToken` extends the shared `TokenKind` with the action and the Turnstile outcome; it stays
 * assignable to it, so families return ordinary `SignupEvent`s.
 */
import type { Random } from '../../random';
import type { SignupWorld, TokenKind } from '../types';

export const SIGNUP_ACTION = 'signup';

export interface SimValidToken {
  kind: 'valid';
  /** The reCAPTCHA v3 score this visitor gets (Turnstile reports none). */
  score: number;
  hostname: string;
  /** The action the widget was rendered with (default `signup`). */
  action?: string;
  /** false: Turnstile does not pass this visitor (a headless bot); the token it sends is rejected. */
  solvesTurnstile?: boolean;
}

export type SimToken = SimValidToken | { kind: 'missing' } | { kind: 'invalid' };

export const CAPTCHA_PROVIDERS_SIMULATED = ['turnstile', 'recaptcha-v3'] as const;
export type SimCaptchaProvider = (typeof CAPTCHA_PROVIDERS_SIMULATED)[number];

/** What the local verifier must answer for this token under `provider` (undefined: an unknown token). */
export function verifierAnswer(token: TokenKind, provider: SimCaptchaProvider): { valid: boolean; score?: number; hostname?: string; action: string } | undefined {
  if (token.kind !== 'valid') return undefined;
  const extra = token as SimValidToken;
  const action = extra.action ?? SIGNUP_ACTION;
  if (provider === 'turnstile') return extra.solvesTurnstile === false ? { valid: false, action } : { valid: true, hostname: token.hostname, action };
  return { valid: true, score: token.score, hostname: token.hostname, action };
}

/** A person's token on the tenant's page: mostly 0.9, some 0.7, `lowShare` of them 0.1 or 0.3. */
export function personToken(random: Random, world: SignupWorld, lowShare: number): SimToken {
  const score = random.next() < lowShare ? random.pick([0.1, 0.3]) : random.next() < 0.75 ? 0.9 : 0.7;
  return { kind: 'valid', score, hostname: world.loginHost, action: SIGNUP_ACTION };
}

/**
 * The action a CAPTCHA farm submits: the page's own when the operator read it (`signup`), else the
 * solver service's default or another page's. Drawn once per family and seed.
 */
export function farmAction(random: Random): string {
  const roll = random.next();
  return roll < 0.6 ? SIGNUP_ACTION : roll < 0.85 ? 'verify' : random.pick(['login', 'homepage', 'submit']);
}
