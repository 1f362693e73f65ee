/**
 * The bot machinery shared by the bot families: bursts of sign-ups from a residential proxy pool
 * (geoip in the countries the operator picked), each with a CAPTCHA-farm token of a standard
 * score unless the family says otherwise.
 */
import type { Random } from '../../random';
import type { SignupEvent, SignupWorld, TokenKind } from '../types';
import { HOUR, arrivals, intBetween, realBetween, spreadPool } from '../common';

export interface BotPlan {
  family: string;
  perHour: number;
  hours: number;
  startHour: number;
  ips: number;
  countries: readonly string[];
  email: (index: number) => string;
  token: () => TokenKind;
}

export function botSignups(random: Random, world: SignupWorld, plan: BotPlan): SignupEvent[] {
  const pool = spreadPool(random, plan.ips);
  const from = world.start + plan.startHour * HOUR;
  return arrivals(random, plan.perHour * world.scale, from, from + plan.hours * HOUR).map((at, index) => ({
    at, family: plan.family, legit: false, wave: 0, email: plan.email(index), ip: random.pick(pool), country: random.pick(plan.countries), token: plan.token(),
  }));
}

/** A farm's token: valid, for the tenant's login host, with a score people often get. */
export function farmToken(random: Random, world: SignupWorld): TokenKind {
  return { kind: 'valid', score: random.pick([0.7, 0.7, 0.9]), hostname: world.loginHost };
}

/** The common draw of every bot family: when, how fast, from how many addresses, where. */
export function botTiming(random: Random): { perHour: number; hours: number; startHour: number; ips: number; countries: string[] } {
  return {
    perHour: intBetween(random, 30, 500), hours: realBetween(random, 0.25, 1.5), startHour: realBetween(random, 0.25, 1.5), ips: intBetween(random, 20, 3000),
    countries: [random.pick(['US', 'GB', 'DE', 'FR', 'BR', 'IN']), random.pick(['US', 'NL', 'VN', 'ID', 'RU', 'PL'])],
  };
}
