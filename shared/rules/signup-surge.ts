/**
 * The signup-surge rule: a rise of sign-ups no ordinary day explains, from one request country or
 * tenant-wide, lowers the trust of the accounts created while it lasts. They can still sign up (a
 * marketing campaign looks the same from here); they get tighter OTP limits and no voice until
 * proven. A CAPTCHA farm passes every per-sign-up check, and this is where it shows.
 *
 * Sign-ups are counted in 15-minute windows with an exponentially weighted baseline of the past
 * two hours (the counter store's rate op). A window over
 *   max(floor, ceil(factor x baseline + 3 x sqrt(baseline)))
 * (the floor times 3 tenant-wide) marks a surge, held for GUARD_SIGNUP_SURGE_HOLD after its last
 * rise. The same maths as the pumping detector (shared/engine/surge-threshold.ts).
 */
import { isUnset, parseDurationMs, parseEnum, parseInteger, parseNumber } from '../config/parsers';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import type { RateCount } from '../engine/dynamic-types';
import type { SignupJudgement } from '../engine/signup-counters';
import { thresholdOver } from '../engine/surge-threshold';

export const SIGNUP_SURGE_RULE = 'signup-surge';

export interface SurgePolicy {
  windowMs: number;
  alpha: number;
  floor: number;
  factor: number;
  holdMs: number;
}

export interface SurgeScopeCounts {
  /** 'country XX' or 'tenant-wide'. */
  label: string;
  rate: RateCount | undefined;
  heldUntil: number | undefined;
  /** The key of this scope's hold, written when it rises. */
  holdKey: string;
  /** Multiplies the floor (tenant-wide traffic is many countries'). */
  floorScale: number;
}

/** A scope's surge limit: the pumping detector's formula (shared/engine/surge-threshold.ts). */
export const surgeLimit = thresholdOver;

export function judgeSurge(scopes: readonly SurgeScopeCounts[], policy: SurgePolicy | undefined, now: number): SignupJudgement {
  const judgement: SignupJudgement = { deny: undefined, lowTrust: [], writes: [] };
  if (policy === undefined) return judgement;
  for (const scope of scopes) {
    const limit = scope.rate === undefined ? Infinity : surgeLimit(scope.rate.baseline, policy.floor * scope.floorScale, policy.factor);
    const held = scope.heldUntil ?? 0;
    if (scope.rate !== undefined && scope.rate.current > limit) {
      judgement.lowTrust.push(`surge of sign-ups ${scope.label}: ${scope.rate.current} in ${policy.windowMs / 60_000} min (baseline ${scope.rate.baseline.toFixed(1)}, limit ${limit})`);
      if (held < now + policy.holdMs / 2) judgement.writes?.push({ key: scope.holdKey, until: now + policy.holdMs, ttlMs: policy.holdMs + 60_000 });
    } else if (held > now) {
      judgement.lowTrust.push(`surge of sign-ups ${scope.label} until ${new Date(held).toISOString()}`);
    }
  }
  return judgement;
}

// Settings

export const SIGNUP_SURGE_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_SIGNUP_SURGE', actions: 'signup', group: 'sign-up', meaning: 'A surge of sign-ups (per request country, and tenant-wide) gives the accounts created during it low trust', default: 'on', example: 'off' },
  { name: 'GUARD_SIGNUP_SURGE_FLOOR', actions: 'signup', group: 'sign-up', meaning: 'Sign-ups per 15 minutes from one country that are never a surge (x3 tenant-wide)', default: '12', example: '30' },
  { name: 'GUARD_SIGNUP_SURGE_FACTOR', actions: 'signup', group: 'sign-up', meaning: 'How many times its baseline a country may rise before it is a surge', default: '3', example: '5' },
  { name: 'GUARD_SIGNUP_SURGE_HOLD', actions: 'signup', group: 'sign-up', meaning: 'How long new accounts keep getting low trust after the last rise', default: '30m', example: '3h' },
];

const HOUR = 3_600_000;

export function parseSurgeSettings(secrets: Secrets, errors: ConfigErrors): SurgePolicy | undefined {
  const toggle = secrets['GUARD_SIGNUP_SURGE'];
  if (!isUnset(toggle) && errors.read(() => parseEnum('GUARD_SIGNUP_SURGE', toggle, 'on', ['on', 'off'] as const), 'on') === 'off') return undefined;
  return {
    windowMs: 15 * 60_000,
    alpha: 1 / 8,
    floor: errors.read(() => parseInteger('GUARD_SIGNUP_SURGE_FLOOR', secrets['GUARD_SIGNUP_SURGE_FLOOR'], 12, { min: 1, max: 1_000_000 }), 12),
    factor: errors.read(() => parseNumber('GUARD_SIGNUP_SURGE_FACTOR', secrets['GUARD_SIGNUP_SURGE_FACTOR'], 3, { min: 1.2, max: 100 }), 3),
    holdMs: errors.read(() => parseDurationMs('GUARD_SIGNUP_SURGE_HOLD', secrets['GUARD_SIGNUP_SURGE_HOLD'], HOUR / 2, { minMs: 5 * 60_000, maxMs: 7 * 24 * HOUR }), HOUR / 2),
  };
}
