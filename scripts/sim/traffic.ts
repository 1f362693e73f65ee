/**
 * Turns scenario waves into a time-ordered list of send attempts: Poisson arrivals (shaped by a
 * day curve for legitimate traffic), resends, users behind NAT and carrier-grade NAT, fake
 * accounts and rotating addresses for attacks.
 */
import type { AttackWave, LegitWave, Scenario } from './scenario';
import { mobileNumber, numberInRange } from './numbers';
import { Random } from './random';

export interface Attempt {
  at: number;
  wave: number;
  legit: boolean;
  channel: 'sms' | 'voice';
  recipient: string;
  userId: string;
  ip: string;
  requestCountry: string;
  appMetadata: Record<string, unknown>;
}

const HOUR = 3_600_000;

export function generateTraffic(scenario: Scenario): Attempt[] {
  const random = new Random(scenario.seed);
  const start = Date.parse(scenario.start);
  const attempts: Attempt[] = [];
  scenario.waves.forEach((wave, index) => {
    if (wave.kind === 'legit') legitTraffic(wave, index, start, random, attempts);
    else if (wave.kind === 'attack') attackTraffic(wave, index, start, random, attempts);
  });
  return attempts.sort((a, b) => a.at - b.at);
}

interface LegitUser {
  id: string;
  country: string;
  number: string;
  ip: string;
  voice: boolean;
}

/** More logins by day than by night: a smooth curve between 0.3x and 1.7x the mean rate. */
function dayCurve(at: number): number {
  const hour = new Date(at).getUTCHours() + new Date(at).getUTCMinutes() / 60;
  return 1 - 0.7 * Math.cos((2 * Math.PI * (hour - 3)) / 24);
}

function legitTraffic(wave: LegitWave, index: number, start: number, random: Random, out: Attempt[]): void {
  const users: LegitUser[] = [];
  const natPool = Array.from({ length: Math.max(1, Math.ceil((wave.users * wave.network.natShare) / wave.network.natUsersPerIp)) }, () => random.ipv4());
  const carrier = random.ipv4().split('.').slice(0, 3).join('.');
  const cgnatPool = Array.from({ length: Math.max(1, wave.network.cgnatIps) }, (_, i) => `${carrier}.${10 + i}`);
  const userAt = (slot: number): LegitUser => {
    let user = users[slot];
    if (user === undefined) {
      const country = random.weighted(wave.countries);
      const roll = random.next();
      const ip = roll < wave.network.natShare ? random.pick(natPool) : roll < wave.network.natShare + wave.network.cgnatShare ? random.pick(cgnatPool) : random.ipv4();
      user = { id: `auth0|w${index}u${slot}`, country, number: mobileNumber(country, random), ip, voice: random.next() < wave.voiceShare };
      users[slot] = user;
    }
    return user;
  };
  const from = start + wave.startHour * HOUR;
  const until = from + wave.hours * HOUR;
  const peak = wave.diurnal ? 1.7 : 1;
  for (let at = from + random.gap((wave.perHour * peak) / HOUR); at < until; at += random.gap((wave.perHour * peak) / HOUR)) {
    // Thinning: keep an arrival with probability curve/peak, which shapes the Poisson rate.
    if (wave.diurnal && random.next() > dayCurve(at) / peak) continue;
    const user = userAt(random.int(wave.users));
    const base = { wave: index, legit: true, channel: user.voice ? 'voice' : 'sms', recipient: user.number, userId: user.id, ip: user.ip, requestCountry: user.country, appMetadata: {} } as const;
    out.push({ ...base, at });
    if (random.next() < wave.resendRate) {
      const resendAt = at + random.between(20_000, 90_000);
      out.push({ ...base, at: resendAt });
      if (random.next() < wave.resendRate) out.push({ ...base, at: resendAt + random.between(60_000, 180_000) });
    }
  }
}

function attackTraffic(wave: AttackWave, index: number, start: number, random: Random, out: Attempt[]): void {
  const from = start + wave.startHour * HOUR;
  const until = from + wave.hours * HOUR;
  const singleIp = random.ipv4();
  const singleAccount = `auth0|attacker${index}`;
  let count = 0;
  for (let at = from + random.gap(wave.perHour / HOUR); at < until; at += random.gap(wave.perHour / HOUR)) {
    count += 1;
    out.push({
      at,
      wave: index,
      legit: false,
      channel: wave.channel,
      recipient: numberInRange(random.pick(wave.ranges), random),
      userId: wave.accounts === 'single' ? singleAccount : `auth0|w${index}fake${count}`,
      ip: wave.ips === 'single' ? singleIp : random.ipv4(),
      requestCountry: 'US',
      appMetadata: {},
    });
  }
}
