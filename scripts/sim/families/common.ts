/**
 * Small helpers the family generators share: seeded streams, parameter draws, Poisson arrivals,
 * phone ranges, address pools. Pure apart from the PRNG they are handed.
 */
import { parsePhoneNumber } from 'libphonenumber-js/max';
import { Random } from '../random';
import { mobileNumber, numberInRange } from '../numbers';

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/** A stream of its own for each (seed, name): adding a family never shifts another's draws. */
export function streamFor(seed: number, name: string): Random {
  let hash = 2166136261 ^ seed;
  for (let index = 0; index < name.length; index += 1) hash = Math.imul(hash ^ name.charCodeAt(index), 16777619);
  return new Random(hash >>> 0);
}

export function intBetween(random: Random, min: number, max: number): number {
  return min + random.int(max - min + 1);
}

/** Rounded to 3 significant digits so the reported parameters stay readable. */
export function realBetween(random: Random, min: number, max: number): number {
  return Number(random.between(min, max).toPrecision(3));
}

export function pickSome<T>(random: Random, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(random.int(pool.length), 1)[0] as T);
  return out;
}

/** Poisson arrival times of `perHour` between `from` and `until` (ms). */
export function arrivals(random: Random, perHour: number, from: number, until: number): number[] {
  const out: number[] = [];
  if (perHour <= 0) return out;
  for (let at = from + random.gap(perHour / HOUR); at < until; at += random.gap(perHour / HOUR)) out.push(at);
  return out;
}

/** More logins by day than by night: between 0.3x and 1.7x the mean, peak at 15:00 UTC shifted by `shiftHours`. */
export function dayCurve(at: number, shiftHours = 0): number {
  const date = new Date(at);
  const hour = date.getUTCHours() + date.getUTCMinutes() / 60;
  return 1 - 0.7 * Math.cos((2 * Math.PI * (hour - 3 - shiftHours)) / 24);
}

/** Diurnal arrivals by thinning a Poisson process of the peak rate. */
export function diurnalArrivals(random: Random, perHour: number, from: number, until: number, shiftHours = 0): number[] {
  return arrivals(random, perHour * 1.7, from, until).filter((at) => random.next() <= dayCurve(at, shiftHours) / 1.7);
}

/** A number range as the pumping rule names it: the number without its last 4 digits. */
export function rangeOfNumber(e164: string): string {
  return e164.slice(0, -4);
}

export function countryOf(e164: string): string {
  try {
    return parsePhoneNumber(e164).country ?? 'ZZ';
  } catch {
    return 'ZZ';
  }
}

export interface Range {
  prefix: string;
  country: string;
}

/**
 * `count` consecutive ranges (prefix, prefix+1, ...) starting at the range of a random mobile of
 * `country`: what an attacker who knows the 4-digit range rule spreads over. Ranges in which no
 * valid number exists are skipped.
 */
export function adjacentRanges(random: Random, country: string, count: number): Range[] {
  const first = rangeOfNumber(mobileNumber(country, random));
  const head = first.slice(0, 1 + Math.max(1, first.length - 5));
  let tail = Number(first.slice(head.length));
  const width = first.length - head.length;
  const out: Range[] = [];
  for (let tries = 0; out.length < count && tries < count * 3; tries += 1, tail += 1) {
    const prefix = head + String(tail % 10 ** width).padStart(width, '0');
    try {
      const sample = numberInRange(prefix, random);
      if (sample.length - prefix.length === 4) out.push({ prefix, country: countryOf(sample) });
    } catch {
      // no valid number in this block: the attacker moves on
    }
  }
  return out;
}

/** A valid number in the range (its 4 free digits random). */
export function numberIn(random: Random, range: Range): string {
  return numberInRange(range.prefix, random);
}

/** `size` addresses in one /24 (a carrier-grade NAT pool, a proxy subnet). */
export function subnetPool(random: Random, size: number): string[] {
  const base = random.ipv4().split('.').slice(0, 3).join('.');
  return Array.from({ length: Math.max(1, Math.min(254, size)) }, (_, index) => `${base}.${1 + index}`);
}

/** `size` addresses spread over the Internet (a residential proxy network). */
export function spreadPool(random: Random, size: number): string[] {
  return Array.from({ length: Math.max(1, size) }, () => random.ipv4());
}

export function trustMetadata(tier: 'low' | 'standard' | 'high'): Record<string, unknown> {
  return { tollguard: { trust: tier } };
}
