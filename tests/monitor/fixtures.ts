/**
 * Generated fixture logs for the monitor tests: Auth0 log events (Management API shape, log
 * stream envelopes), Okta System Log events (Classic Engine and Identity Engine phone locations),
 * tollguard decision lines, and one scenario mixing legitimate traffic with every attack the
 * monitor must find. Deterministic (seeded).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { Random } from '../../scripts/sim/random';
import { mobileNumber, numberInRange } from '../../scripts/sim/numbers';
import { maskPhoneNumber } from '../../shared/phone/mask';
import { makeLogId } from '../support/management-api-logs';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** The end of the analysis window in the scenario. */
export const BASE = Date.parse('2025-03-10T12:00:00.000Z');

export type Format = 'auth0' | 'okta-classic' | 'okta-oie' | 'tollguard';
export type Outcome = 'sent' | 'failed' | 'blocked';

export interface SendSpec {
  at: number;
  format: Format;
  channel: 'sms' | 'voice';
  outcome: Outcome;
  userId: string;
  userName?: string;
  ip: string;
  ua: string;
  /** Full E.164 number (tollguard lines only get its masked form). */
  phone: string;
  ipCountry?: string;
  /** tollguard only: monitor mode, delivered but would have been blocked. */
  wouldBlock?: boolean;
}

let sequence = 0;

export function auth0Log(spec: SendSpec, seq = ++sequence): Record<string, unknown> {
  const type = `gd_send_${spec.channel}${spec.outcome === 'sent' ? '' : '_failure'}`;
  const details: Record<string, unknown> =
    spec.outcome === 'sent'
      ? { authenticator: { id: `sms|dev_${seq}`, type: 'phone', phone_number: spec.phone }, session_id: `s${seq}` }
      : {
          enrollment: { _id: `sms|dev_${seq}`, tenant: 'acme', user_id: spec.userId, phone_number: spec.phone, identifier: `sms|dev_${seq}`, name: 'sms' },
          provider_error: { errorCode: '30003', message: 'Unreachable destination handset' },
        };
  const log: Record<string, unknown> = {
    date: new Date(spec.at).toISOString(),
    type,
    description: spec.outcome === 'sent' ? 'SMS sent' : 'Error sending MFA SMS',
    client_id: 'cl1ent1d',
    client_name: 'Acme App',
    ip: spec.ip,
    user_agent: spec.ua,
    details,
    hostname: 'acme.eu.auth0.com',
    user_id: spec.userId,
    user_name: spec.userName ?? `${spec.userId.replace(/\W/g, '')}@example.com`,
    log_id: makeLogId(spec.at, seq),
    tenant_name: 'acme',
  };
  if (spec.ipCountry !== undefined) log['location_info'] = { country_code: spec.ipCountry, country_name: spec.ipCountry };
  return log;
}

/** An Auth0 log stream (custom webhook) event: `{log_id, data}`. */
export function logStreamEvent(log: Record<string, unknown>): Record<string, unknown> {
  return { log_id: log['log_id'], data: log };
}

export function oktaEvent(spec: SendSpec, seq = ++sequence): Record<string, unknown> {
  const classic = spec.format !== 'okta-oie';
  const parsed = parsePhoneNumberWithError(spec.phone);
  return {
    uuid: `0b9a1c3e-${String(seq).padStart(4, '0')}-11ee-9c2a-000000000000`,
    published: new Date(spec.at).toISOString(),
    eventType: spec.channel === 'sms' ? 'system.sms.send_phone_verification_message' : 'system.voice.send_phone_verification_call',
    version: '0',
    severity: 'INFO',
    displayMessage: spec.channel === 'sms' ? 'Send phone verification SMS message' : 'Send phone verification call',
    actor: { id: spec.userId, type: 'User', alternateId: spec.userName ?? `${spec.userId}@example.com`, displayName: 'Some One' },
    client: {
      userAgent: { rawUserAgent: spec.ua, os: 'Unknown', browser: 'UNKNOWN' },
      zone: 'null',
      device: 'Computer',
      ipAddress: spec.ip,
      geographicalContext: { city: 'Somewhere', state: null, country: spec.ipCountry ?? 'United States', postalCode: null, geolocation: { lat: 0, lon: 0 } },
    },
    outcome: { result: spec.outcome === 'sent' ? 'SUCCESS' : spec.outcome === 'blocked' ? 'DENY' : 'FAILURE', reason: null },
    target: classic ? [{ id: `mbl${seq}`, type: 'MobilePhone', alternateId: spec.phone, displayName: null }] : [],
    transaction: { type: 'WEB', id: `tx${seq}` },
    debugContext: { debugData: classic ? { requestUri: '/api/v1/authn/factors/sms/verify' } : { phoneNumber: spec.phone, countryCallingCode: parsed.countryCallingCode, smsProvider: 'TWILIO' } },
  };
}

export function tollguardLine(spec: SendSpec, withTimestamp = true): Record<string, unknown> {
  const parsed = parsePhoneNumberWithError(spec.phone);
  const outcome = spec.outcome === 'blocked' ? 'refused' : spec.outcome === 'failed' ? 'not_delivered' : spec.wouldBlock === true ? 'would_block_delivered' : 'delivered';
  const line: Record<string, unknown> = {
    tollguard: 'decision',
    version: 1,
    trigger: 'send-phone-message',
    mode: spec.wouldBlock === true ? 'monitor' : 'enforce',
    decision: spec.outcome === 'blocked' || spec.wouldBlock === true ? 'block' : 'allow',
    outcome,
    rules: spec.outcome === 'blocked' || spec.wouldBlock === true ? ['geo'] : [],
    reasons: spec.outcome === 'blocked' ? ['destination country is blocked'] : [],
    channel: spec.channel,
    otp_action: 'enrollment',
    to: maskPhoneNumber(parsed.number, parsed.countryCallingCode),
    country: parsed.country,
    ip: spec.ip,
    request_country: spec.ipCountry,
    user_id: spec.userId,
    timings_ms: { decide: 1.2 },
  };
  if (withTimestamp) line['at'] = new Date(spec.at).toISOString();
  return line;
}

/** An unrelated Auth0 event (a successful login). */
export function loginLog(at: number, random: Random, seq = ++sequence): Record<string, unknown> {
  return {
    date: new Date(at).toISOString(),
    type: 's',
    description: 'Successful login',
    connection: 'Username-Password-Authentication',
    client_id: 'cl1ent1d',
    client_name: 'Acme App',
    ip: random.ipv4(),
    user_agent: 'Chrome 120.0.0 / Mac OS X 10.15.7',
    details: { prompts: [], stats: { loginsCount: random.int(50) } },
    user_id: `auth0|u${random.int(100000)}`,
    user_name: `user${random.int(100000)}@example.com`,
    log_id: makeLogId(at, seq),
    tenant_name: 'acme',
  };
}

export function toRecord(spec: SendSpec): Record<string, unknown> {
  if (spec.format === 'auth0') return auth0Log(spec);
  if (spec.format === 'tollguard') return tollguardLine(spec);
  return oktaEvent(spec);
}

// ---------------------------------------------------------------------------------------------
// The scenario
// ---------------------------------------------------------------------------------------------

export interface Scenario {
  sends: SendSpec[];
  /** Who / what must be found. */
  expect: {
    attackerUser: string;
    attackerIp: string;
    oktaAttacker: string;
    tollguardUser: string;
    pumpRange: string;
    pumpCountry: string;
    pumpUsers: string[];
    sharedIp: string;
    sharedIpUsers: string[];
    failureHour: string;
    dripUser: string;
    legitUsers: string[];
  };
}

const COMMON_UAS = ['Chrome 120.0.0 / Mac OS X 10.15.7', 'Safari 17.1 / iOS 17.1', 'Firefox 121.0 / Windows 10'];

export function buildScenario(seed = 7): Scenario {
  const random = new Random(seed);
  const sends: SendSpec[] = [];
  const windowStart = BASE - DAY;

  // Legitimate users over 4 days: one number each, 1-3 sends, own IP, common browsers.
  const legitUsers: string[] = [];
  for (let index = 0; index < 120; index += 1) {
    const userId = `auth0|legit${String(index).padStart(3, '0')}`;
    legitUsers.push(userId);
    const phone = mobileNumber(random.pick(['US', 'GB', 'FR', 'DE']), random);
    const ip = random.ipv4();
    const ua = random.pick(COMMON_UAS);
    const count = 1 + random.int(3);
    for (let send = 0; send < count; send += 1) {
      sends.push({ at: BASE - 4 * DAY + Math.floor(random.next() * 4 * DAY) + 1, format: 'auth0', channel: 'sms', outcome: 'sent', userId, ip, ua, phone, ipCountry: 'US' });
    }
  }

  // One attacker account: 14 sends to 8 numbers in 3 high-risk countries, one IP, a script UA.
  const attackerUser = 'auth0|attacker-a';
  const attackerIp = '203.0.113.66';
  const attackerNumbers = [...Array.from({ length: 3 }, () => mobileNumber('SL', random)), ...Array.from({ length: 3 }, () => mobileNumber('GM', random)), ...Array.from({ length: 2 }, () => mobileNumber('LV', random))];
  for (let index = 0; index < 14; index += 1) {
    sends.push({
      at: windowStart + 2 * HOUR + index * 60_000,
      format: 'auth0',
      channel: index % 4 === 3 ? 'voice' : 'sms',
      outcome: index % 5 === 4 ? 'failed' : 'sent',
      userId: attackerUser,
      ip: attackerIp,
      ua: 'python-requests/2.31.0',
      phone: attackerNumbers[index % attackerNumbers.length] ?? '',
      ipCountry: 'NL',
    });
  }

  // Pumping: 30 fresh accounts, one SMS each, rotating IPs, all to one Sierra Leone range.
  const pumpRangePrefix = '+2323012';
  const pumpUsers: string[] = [];
  for (let index = 0; index < 30; index += 1) {
    const userId = `auth0|pump${String(index).padStart(2, '0')}`;
    pumpUsers.push(userId);
    sends.push({ at: windowStart + 6 * HOUR + index * 90_000, format: 'auth0', channel: 'sms', outcome: 'sent', userId, ip: random.ipv4(), ua: random.pick(COMMON_UAS), phone: numberInRange(pumpRangePrefix, random) });
  }

  // Many accounts behind one IP, each one SMS to Indonesia.
  const sharedIp = '198.51.100.99';
  const sharedIpUsers: string[] = [];
  for (let index = 0; index < 35; index += 1) {
    const userId = `auth0|shared${String(index).padStart(2, '0')}`;
    sharedIpUsers.push(userId);
    sends.push({ at: windowStart + 9 * HOUR + index * 45_000, format: 'auth0', channel: 'sms', outcome: 'sent', userId, ip: sharedIp, ua: random.pick(COMMON_UAS), phone: mobileNumber('ID', random) });
  }

  // A failure spike: one hour where most sends to the UK fail.
  const failureHourStart = BASE - 5 * HOUR;
  for (let index = 0; index < 24; index += 1) {
    sends.push({
      at: failureHourStart + 60_000 + index * 120_000,
      format: 'auth0',
      channel: 'sms',
      outcome: index % 4 === 0 ? 'sent' : 'failed',
      userId: `auth0|fail${String(index).padStart(2, '0')}`,
      ip: random.ipv4(),
      ua: random.pick(COMMON_UAS),
      phone: mobileNumber('GB', random),
    });
  }

  // A slow drip: one new number a day for 4 days.
  const dripUser = 'auth0|drip';
  for (let day = 0; day < 4; day += 1) {
    sends.push({ at: BASE - day * DAY - 3 * HOUR, format: 'auth0', channel: 'sms', outcome: 'sent', userId: dripUser, ip: '192.0.2.10', ua: COMMON_UAS[0] ?? '', phone: mobileNumber('FR', random) });
  }

  // An Okta actor: 12 sends to 5 numbers in 2 countries, Classic and Identity Engine formats.
  const oktaAttacker = '00uokta1attacker';
  const oktaNumbers = [mobileNumber('NG', random), mobileNumber('NG', random), mobileNumber('SO', random), mobileNumber('SO', random), mobileNumber('SO', random)];
  for (let index = 0; index < 12; index += 1) {
    sends.push({
      at: windowStart + 12 * HOUR + index * 30_000,
      format: index % 2 === 0 ? 'okta-classic' : 'okta-oie',
      channel: 'sms',
      outcome: index === 11 ? 'blocked' : 'sent',
      userId: oktaAttacker,
      userName: 'okta.attacker@example.com',
      ip: '203.0.113.200',
      ua: 'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0',
      phone: oktaNumbers[index % oktaNumbers.length] ?? '',
      ipCountry: 'Netherlands',
    });
  }

  // A user seen only in tollguard's decision lines: 12 attempts, half refused.
  const tollguardUser = 'auth0|tg-user';
  for (let index = 0; index < 12; index += 1) {
    sends.push({
      at: windowStart + 15 * HOUR + index * 60_000,
      format: 'tollguard',
      channel: 'sms',
      outcome: index % 2 === 0 ? 'blocked' : 'sent',
      userId: tollguardUser,
      ip: '203.0.113.150',
      ua: '',
      phone: mobileNumber(index % 2 === 0 ? 'PK' : 'US', random),
    });
  }

  sends.sort((a, b) => a.at - b.at);
  const pumpParsed = parsePhoneNumberWithError(`${pumpRangePrefix}0000`);
  return {
    sends,
    expect: {
      attackerUser,
      attackerIp,
      oktaAttacker,
      tollguardUser,
      pumpRange: `${pumpRangePrefix}xxxx`,
      pumpCountry: pumpParsed.country ?? 'SL',
      pumpUsers,
      sharedIp,
      sharedIpUsers,
      failureHour: new Date(failureHourStart).toISOString(),
      dripUser,
      legitUsers,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------------------------

/** Writes values as NDJSON or a JSON array, streaming (with backpressure). */
export async function writeJson(path: string, values: Iterable<unknown>, format: 'ndjson' | 'array' | 'pretty-values'): Promise<void> {
  const stream = createWriteStream(path);
  const write = async (text: string): Promise<void> => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
  let first = true;
  if (format === 'array') await write('[\n');
  for (const value of values) {
    if (format === 'array') await write(`${first ? '' : ',\n'}${JSON.stringify(value)}`);
    else if (format === 'ndjson') await write(`${JSON.stringify(value)}\n`);
    else await write(`${JSON.stringify(value, null, 2)}\n`);
    first = false;
  }
  if (format === 'array') await write('\n]\n');
  stream.end();
  await once(stream, 'finish');
}

/**
 * A large Auth0 JSON array export written fast (string templates, no per-event objects): `count`
 * events, every tenth an SMS send (from 2,000 users to 500 numbers), the rest logins.
 * Returns how many sends it wrote.
 */
export async function writeHugeAuth0Export(path: string, count: number): Promise<{ sends: number }> {
  const random = new Random(11);
  const numbers = Array.from({ length: 500 }, () => mobileNumber(random.pick(['US', 'GB', 'DE']), random));
  const stream = createWriteStream(path);
  let sends = 0;
  let buffer = '[\n';
  for (let index = 0; index < count; index += 1) {
    const date = new Date(BASE - DAY + Math.floor((index / count) * DAY) + 1).toISOString();
    const logId = `90020250309${String(index).padStart(45, '0')}`;
    const user = `auth0|bulk${index % 2000}`;
    const ip = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
    const common = `"date":"${date}","client_id":"cl1ent1d","client_name":"Acme App","ip":"${ip}","user_agent":"Chrome 120.0.0 / Mac OS X 10.15.7","user_id":"${user}","log_id":"${logId}","tenant_name":"acme"`;
    const item =
      index % 10 === 0
        ? `{"type":"gd_send_sms","description":"SMS sent",${common},"details":{"authenticator":{"id":"sms|dev_${index}","type":"phone","phone_number":"${numbers[index % numbers.length] ?? ''}"}}}`
        : `{"type":"s","description":"Successful login","connection":"Username-Password-Authentication",${common},"details":{"prompts":[],"stats":{"loginsCount":${index % 50}}}}`;
    if (index % 10 === 0) sends += 1;
    buffer += (index === 0 ? '' : ',\n') + item;
    if (buffer.length > 1 << 20) {
      if (!stream.write(buffer)) await once(stream, 'drain');
      buffer = '';
    }
  }
  stream.write(`${buffer}\n]\n`);
  stream.end();
  await once(stream, 'finish');
  return { sends };
}
