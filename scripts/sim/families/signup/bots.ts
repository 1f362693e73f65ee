/**
 * The bot machinery shared by the bot families: bursts of sign-ups from a residential proxy pool
 * (geoip in the countries the operator picked), each with a CAPTCHA-farm token of a standard
 * score unless the family says otherwise. A family may bring its own addresses or countries.
 *
 * Every bot family draws (botTiming): perHour 30 – 500, hours 0.25 – 1.5 from hour 0.25 – 1.5,
 * ips 20 – 3000 residential proxies, geoip in two countries, and the CAPTCHA action its farm
 * submits: `signup` (the operator read the page) 60 %, the solver's default `verify` 25 %,
 * login / homepage / submit 15 %. A farm token is valid, for the tenant's login host, score 0.7
 * (two thirds) or 0.9, and passes Turnstile (a human solved it).
 */
import type { Random } from '../../random';
import type { SignupEvent, SignupWorld } from '../types';
import { HOUR, arrivals, intBetween, realBetween, spreadPool } from '../common';
import { farmAction, type SimToken } from './tokens';

export interface BotPlan {
  family: string;
  perHour: number;
  hours: number;
  startHour: number;
  /** Size of the residential proxy pool (unused when `ip` is given). */
  ips?: number;
  countries: readonly string[];
  email: (index: number) => string;
  token: () => SimToken;
  /** The client address of the index-th sign-up (default: one of `ips` residential proxies). */
  ip?: (index: number) => string;
  /** The geoip country of the index-th sign-up (default: one of `countries`). */
  requestCountry?: (index: number) => string;
}

export function botSignups(random: Random, world: SignupWorld, plan: BotPlan): SignupEvent[] {
  const pool = plan.ip === undefined ? spreadPool(random, plan.ips ?? 1) : [];
  const from = world.start + plan.startHour * HOUR;
  return arrivals(random, plan.perHour * world.scale, from, from + plan.hours * HOUR).map((at, index) => ({
    at, family: plan.family, legit: false, wave: 0, email: plan.email(index),
    ip: plan.ip?.(index) ?? random.pick(pool), country: plan.requestCountry?.(index) ?? random.pick(plan.countries), token: plan.token(),
  }));
}

/** A farm's token: valid, for the tenant's login host, with a score people often get, for the farm's action. */
export function farmToken(random: Random, world: SignupWorld, action: string): SimToken {
  return { kind: 'valid', score: random.pick([0.7, 0.7, 0.9]), hostname: world.loginHost, action };
}

export interface BotTiming {
  perHour: number;
  hours: number;
  startHour: number;
  ips: number;
  countries: string[];
  /** The CAPTCHA action the farm submits (see farmAction). */
  action: string;
}

/** The common draw of every bot family: when, how fast, from how many addresses, where, which CAPTCHA action. */
export function botTiming(random: Random): BotTiming {
  return {
    perHour: intBetween(random, 30, 500), hours: realBetween(random, 0.25, 1.5), startHour: realBetween(random, 0.25, 1.5), ips: intBetween(random, 20, 3000),
    countries: [random.pick(['US', 'GB', 'DE', 'FR', 'BR', 'IN']), random.pick(['US', 'NL', 'VN', 'ID', 'RU', 'PL'])],
    action: farmAction(random),
  };
}

/** The timing without the proxy pool, for families that bring their own addresses. */
export function timingWithoutPool(timing: BotTiming): Omit<BotTiming, 'ips'> {
  return { perHour: timing.perHour, hours: timing.hours, startHour: timing.startHour, countries: timing.countries, action: timing.action };
}
