/**
 * Simulation scenarios are JSON data files (scripts/scenarios/*.json): a time span and a list of
 * traffic waves, legitimate or attack. This module reads and validates them.
 */
import { readFileSync } from 'node:fs';

export interface NetworkModel {
  /** Share of users behind a home/office NAT shared with `natUsersPerIp` others. */
  natShare: number;
  natUsersPerIp: number;
  /** Share of users behind one mobile carrier's carrier-grade NAT: `cgnatIps` addresses in one /24. */
  cgnatShare: number;
  cgnatIps: number;
}

export interface LegitWave {
  label: string;
  kind: 'legit';
  startHour: number;
  hours: number;
  perHour: number;
  diurnal: boolean;
  /** Destination countries with relative weights. */
  countries: Record<string, number>;
  voiceShare: number;
  /** Probability that a login needs a resend (and, squared, a second one). */
  resendRate: number;
  users: number;
  network: NetworkModel;
}

export interface AttackWave {
  label: string;
  kind: 'attack';
  startHour: number;
  hours: number;
  perHour: number;
  channel: 'sms' | 'voice';
  /** Number ranges attacked (E.164 prefixes); each attempt picks one and fills random digits. */
  ranges: string[];
  /** `fresh`: a new fake account per attempt; `single`: one account does it all. */
  accounts: 'fresh' | 'single';
  /** `rotating`: a new address from a large pool each time; `single`: one address. */
  ips: 'rotating' | 'single';
}

/** Sign-up traffic through the Pre-User-Registration Action. */
export interface SignupWave {
  label: string;
  kind: 'signup';
  /** People (true) or bots (false). */
  legit: boolean;
  startHour: number;
  hours: number;
  perHour: number;
  /** personal: big mail providers; company: many small domains; small-domain: one small domain; disposable; lookalike. */
  email: 'personal' | 'company' | 'small-domain' | 'disposable' | 'lookalike';
  /** Share of attempts with each kind of CAPTCHA token. */
  tokens: Partial<Record<'valid' | 'missing' | 'invalid' | 'list', number>>;
  /** residential: a new address each; subnet: addresses in one /24; single: one address. */
  ips: 'residential' | 'subnet' | 'single';
}

export type Wave = LegitWave | AttackWave | SignupWave;

export interface Scenario {
  name: string;
  description: string;
  start: string;
  hours: number;
  seed: number;
  /** Extra Action secrets for this scenario (on top of Twilio dry-run). */
  secrets: Record<string, string>;
  waves: Wave[];
}

export interface PriceTable {
  currency: string;
  sms: Record<string, number>;
  voice: Record<string, number>;
}

export function loadScenario(file: string): Scenario {
  const value = JSON.parse(readFileSync(file, 'utf8')) as Scenario;
  const problems: string[] = [];
  if (typeof value.name !== 'string') problems.push('name must be a string');
  if (Number.isNaN(Date.parse(value.start))) problems.push('start must be an ISO date');
  if (!(value.hours > 0)) problems.push('hours must be positive');
  if (!Array.isArray(value.waves) || value.waves.length === 0) problems.push('waves must be a non-empty array');
  for (const [index, wave] of (value.waves ?? []).entries()) {
    if (wave.kind !== 'legit' && wave.kind !== 'attack' && wave.kind !== 'signup') problems.push(`waves[${index}].kind must be legit, attack or signup`);
    if (!(wave.perHour > 0)) problems.push(`waves[${index}].perHour must be positive`);
    if (wave.kind === 'attack' && (!Array.isArray(wave.ranges) || wave.ranges.some((range) => !/^\+\d{2,12}$/.test(range)))) {
      problems.push(`waves[${index}].ranges must be E.164 prefixes`);
    }
  }
  if (problems.length > 0) throw new Error(`scenario ${file}: ${problems.join('; ')}`);
  return { ...value, secrets: value.secrets ?? {}, description: value.description ?? '', seed: value.seed ?? 1 };
}

export function loadPrices(file: string): PriceTable {
  return JSON.parse(readFileSync(file, 'utf8')) as PriceTable;
}

export function priceOf(prices: PriceTable, channel: 'sms' | 'voice', country: string | undefined): number {
  const table = prices[channel];
  return (country !== undefined ? table[country] : undefined) ?? table['default'] ?? 0;
}
