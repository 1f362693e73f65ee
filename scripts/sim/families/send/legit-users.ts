/**
 * The people behind legitimate OTPs, shared by the legitimate send families: new users enrol
 * (most verify; those who do not resend once or twice like a human would, then give up), verified
 * users come back for later challenges from the same number, sometimes from another address.
 * Returning users come from the tenant's existing base (enrolled before the simulated span, about
 * one and a half returns each over the span) and from those who enrolled during it.
 * Users share home / office NAT and mobile carrier-grade NAT; a few are low-trust (no CAPTCHA at
 * sign-up), some high-trust. One session in twenty is requested from abroad (travel, roaming, a
 * VPN exit): geoip then names another country than the number's.
 */
import type { Random } from '../../random';
import { mobileNumber } from '../../numbers';
import type { SendEvent } from '../types';
import { MINUTE, subnetPool, spreadPool, trustMetadata } from '../common';

export interface PeopleModel {
  family: string;
  /** Session start times (ms), already shaped (diurnal or burst). */
  sessions: readonly number[];
  countries: Readonly<Record<string, number>>;
  /** Share of sessions that are a returning verified user (a later challenge). */
  returnShare: number;
  /** Probability that a given code is entered in time. */
  conversion: number;
  /** Probability of a resend although the code will be entered (late SMS). */
  lateResend: number;
  voiceShare: number;
  natShare: number;
  cgnatShare: number;
  lowTrustShare: number;
  highTrustShare: number;
}

/** Share of sessions whose request comes from another country than the number's. */
export const ABROAD_SHARE = 0.05;
const ABROAD = ['US', 'GB', 'DE', 'FR', 'ES', 'NL', 'AE'];

/**
 * Where a session is requested from: decided by a hash of the user and the time, not by the
 * traffic's random stream, so that the rest of the traffic draws exactly as before.
 */
export function sessionGeo(person: { id: string; country: string }, at: number): string {
  let hash = 2166136261;
  for (const char of `${person.id}@${Math.floor(at)}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  if (hash / 4294967296 >= ABROAD_SHARE) return person.country;
  const elsewhere = ABROAD.filter((country) => country !== person.country);
  return elsewhere[hash % elsewhere.length] ?? 'US';
}

interface Person {
  id: string;
  number: string;
  country: string;
  ip: string;
  voice: boolean;
  trust: 'low' | 'standard' | 'high';
}

export function peopleTraffic(random: Random, model: PeopleModel): SendEvent[] {
  const natPool = spreadPool(random, Math.max(4, Math.ceil(model.sessions.length * model.natShare / 25)));
  const carriers = [subnetPool(random, 8 + random.int(24)), subnetPool(random, 8 + random.int(24))];
  const addressFor = (): string => {
    const roll = random.next();
    if (roll < model.natShare) return random.pick(natPool);
    if (roll < model.natShare + model.cgnatShare) return random.pick(random.pick(carriers));
    return random.ipv4();
  };
  const existing: Array<Person | undefined> = new Array<Person | undefined>(Math.max(20, Math.ceil((model.sessions.length * model.returnShare) / 1.5)));
  const enrolled: Person[] = [];
  const out: SendEvent[] = [];
  let serial = 0;
  const newPerson = (): Person => {
    serial += 1;
    const country = random.weighted(model.countries as Record<string, number>);
    const trustRoll = random.next();
    return {
      id: `auth0|${model.family}-${serial}`,
      number: mobileNumber(country, random),
      country,
      ip: addressFor(),
      voice: random.next() < model.voiceShare,
      trust: trustRoll < model.lowTrustShare ? 'low' : trustRoll < model.lowTrustShare + model.highTrustShare ? 'high' : 'standard',
    };
  };
  for (const at of model.sessions) {
    const returning = random.next() < model.returnShare;
    let person: Person;
    if (returning) {
      const slot = random.int(existing.length + enrolled.length);
      person = slot < existing.length ? (existing[slot] ??= newPerson()) : (enrolled[slot - existing.length] as Person);
      if (random.next() < 0.3) person = { ...person, ip: addressFor() };
    } else {
      person = newPerson();
    }
    const base = {
      family: model.family, legit: true, wave: 0, channel: person.voice ? 'voice' : 'sms', recipient: person.number, country: person.country,
      userId: person.id, ip: person.ip, requestCountry: sessionGeo(person, at), appMetadata: trustMetadata(person.trust), enrollment: !returning,
    } as const;
    out.push({ ...base, at });
    let when = at;
    let entered = random.next() < model.conversion;
    let resends = !entered || random.next() < model.lateResend ? 1 : 0;
    // A human waits for the code, taps "resend", and at most tries twice more.
    while (resends > 0) {
      when += random.between(0.5 * MINUTE, 2.5 * MINUTE);
      out.push({ ...base, at: when });
      if (!entered) entered = random.next() < model.conversion;
      resends = !entered && when - at < 6 * MINUTE ? 1 : 0;
    }
    // The code entered is the last one sent, 20 s to 2.5 min after it (from the clock, not the
    // stream: the feedback loop must not shift the traffic's own draws).
    const last = out[out.length - 1];
    if (entered && last !== undefined) last.verifyDelayMs = 20_000 + (Math.floor(when) % 130_000);
    if (entered && !returning) enrolled.push(person);
  }
  return out;
}
