/**
 * The attacker's machinery, shared by the attack families: waves of new numbers spread over
 * chosen ranges (round-robin, so each range stays as flat as the attacker wants, or at random),
 * optional human-looking resends to each number, fresh or aged accounts, and a proxy pool that may
 * sit in the destination country.
 */
import type { Random } from '../../random';
import type { SendEvent } from '../types';
import { HOUR, MINUTE, arrivals, numberIn, trustMetadata, type Range } from '../common';

export interface AttackWavePlan {
  family: string;
  wave: number;
  from: number;
  until: number;
  /** New numbers per hour (resends come on top). */
  perHour: number;
  ranges: readonly Range[];
  order: 'round-robin' | 'random';
  voiceShare: number;
  /** Resends per number, each 0.5 – 2.5 min after the previous one. */
  resends: number;
  /** fresh: one new account per number; pool: that many (aged) accounts take turns. */
  accounts: number | 'fresh';
  trust: 'low' | 'standard' | 'high';
  ips: readonly string[];
  /** The request's geoip is the destination country (in-country proxies); otherwise `requestCountry`. */
  inCountry: boolean;
  requestCountry: string;
  /** Each number asked for as an otp_verify the account never enrolled (SendEvent.unconfirmedChallenge). */
  asChallenge?: boolean;
}

export function attackWave(random: Random, plan: AttackWavePlan): SendEvent[] {
  const out: SendEvent[] = [];
  arrivals(random, plan.perHour, plan.from, plan.until).forEach((at, index) => {
    const range = plan.order === 'round-robin' ? (plan.ranges[index % plan.ranges.length] as Range) : random.pick(plan.ranges);
    const account = plan.accounts === 'fresh' ? `auth0|${plan.family}-w${plan.wave}-${index}` : `auth0|${plan.family}-aged-${random.int(plan.accounts)}`;
    const base = {
      family: plan.family, legit: false, wave: plan.wave, channel: random.next() < plan.voiceShare ? 'voice' : 'sms', recipient: numberIn(random, range),
      country: range.country, userId: account, ip: random.pick(plan.ips), requestCountry: plan.inCountry ? range.country : plan.requestCountry,
      // Always an enrolment: a pumped number is new to the account, and the platform sends a
      // challenge only to a factor the account already confirmed with a code (an aged account
      // that pumps a new number enrols it first).
      appMetadata: trustMetadata(plan.trust), enrollment: plan.asChallenge !== true,
      ...(plan.asChallenge === true ? { unconfirmedChallenge: true } : {}),
    } as const;
    out.push({ ...base, at });
    let when = at;
    for (let resend = 0; resend < plan.resends; resend += 1) {
      when += random.between(0.5 * MINUTE, 2.5 * MINUTE);
      out.push({ ...base, at: when });
    }
  });
  return out;
}

/** `count` waves of `hours` each, `gapHours` apart, from the world's attack start. */
export function waveTimes(start: number, fromHour: number, count: number, hours: number, gapHours: number): Array<{ from: number; until: number }> {
  return Array.from({ length: count }, (_, wave) => {
    const from = start + (fromHour + wave * (hours + gapHours)) * HOUR;
    return { from, until: from + hours * HOUR };
  });
}
