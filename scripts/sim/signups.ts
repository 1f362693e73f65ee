/**
 * Sign-up traffic for the simulator: people and bots with valid, missing, forged or malformed
 * CAPTCHA tokens, personal, company, disposable and look-alike e-mail domains, from homes, one
 * subnet, or one address. Valid tokens are registered with the local CAPTCHA server.
 * Every sign-up comes from the login page on SCENARIO_LOGIN_HOST (the host the local verifier
 * reports by default): the replay puts it in the event's `request.hostname`.
 */
import type { Scenario, SignupWave } from './scenario';
import { Random } from './random';
import { DEFAULT_HOSTNAME } from '../../tests/support/captcha-servers';

/** The login page's host in scenario mode: the one the local verifier's tokens are issued for. */
export const SCENARIO_LOGIN_HOST = DEFAULT_HOSTNAME;

export interface SignupAttempt {
  at: number;
  wave: number;
  legit: boolean;
  email: string;
  ip: string;
  /** The login page's host (`request.hostname` of the event). */
  hostname: string;
  token: 'valid' | 'missing' | 'invalid' | 'list';
  tokenValue: string;
}

const HOUR = 3_600_000;
const PROVIDERS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'gmx.de', 'proton.me'];
const DISPOSABLE = ['mailinator.com', 'guerrillamail.com', 'yopmail.com', '10minutemail.com'];
const LOOKALIKES = ['gm\u0430il.com', 'outl\u043eok.com', 'y\u0430hoo.com'];

export function generateSignups(scenario: Scenario): SignupAttempt[] {
  const random = new Random(scenario.seed + 7);
  const start = Date.parse(scenario.start);
  const out: SignupAttempt[] = [];
  let serial = 0;
  scenario.waves.forEach((wave, index) => {
    if (wave.kind !== 'signup') return;
    const subnet = random.ipv4().split('.').slice(0, 3).join('.');
    const single = random.ipv4();
    const smallDomain = `startup-${random.digits(4)}.example`;
    const from = start + wave.startHour * HOUR;
    const until = from + wave.hours * HOUR;
    for (let at = from + random.gap(wave.perHour / HOUR); at < until; at += random.gap(wave.perHour / HOUR)) {
      serial += 1;
      const token = random.weighted(wave.tokens as Record<string, number>) as SignupAttempt['token'];
      out.push({
        at,
        wave: index,
        legit: wave.legit,
        email: `u${serial}.${random.digits(3)}@${domainFor(wave, random, smallDomain)}`,
        ip: wave.ips === 'single' ? single : wave.ips === 'subnet' ? `${subnet}.${1 + random.int(254)}` : random.ipv4(),
        hostname: SCENARIO_LOGIN_HOST,
        token,
        tokenValue: `sim-token-${serial}-${random.digits(8)}`,
      });
    }
  });
  return out.sort((a, b) => a.at - b.at);
}

function domainFor(wave: SignupWave, random: Random, smallDomain: string): string {
  switch (wave.email) {
    case 'personal':
      return random.pick(PROVIDERS);
    case 'company':
      return `company-${random.digits(5)}.example`;
    case 'small-domain':
      return smallDomain;
    case 'disposable':
      return random.pick(DISPOSABLE);
    case 'lookalike':
      return random.pick(LOOKALIKES);
  }
}
