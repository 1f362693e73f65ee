/**
 * The plan of `npm run twilio-geo`: from the Actions' parsed static policy and the settings Twilio
 * reports, the settings Twilio should have. Pure: no I/O, no clock.
 *
 * Per country Twilio reports, and per channel:
 * - the policy refuses the country (the same test as the geo rule, shared/rules/geo.ts): off;
 * - the policy allows it: left as it is, or turned on only with --allow-enable (the tool tightens);
 *   a voice entry left on loses its high-risk toll-fraud numbers, and its high-risk special
 *   numbers too when the policy refuses premium-rate and shared-cost numbers;
 * - GUARD_ALLOWED_NUMBERS holds numbers there (the Actions let those through every geo rule), or
 *   tollguard does not know the country: left exactly as it is.
 */
import { AsYouType, getCountries, getCountryCallingCode, isSupportedCountry } from 'libphonenumber-js/max';
import type { GeoChannelPolicy, StaticPolicy } from '../../shared/engine/types';
import { maskPhoneNumber } from '../../shared/phone/mask';

export type GeoChannel = 'sms' | 'voice';

export interface VoiceSwitches {
  low: boolean; // low_risk_numbers_enabled
  special: boolean; // high_risk_special_numbers_enabled
  tollFraud: boolean; // high_risk_tollfraud_numbers_enabled
}

export interface SmsSetting {
  country: string;
  enabled: boolean;
  /** Twilio's own note on the country, e.g. "High Risk Country". */
  message: string;
}

export interface VoiceSetting {
  isoCode: string;
  name: string;
  switches: VoiceSwitches;
}

export interface AccountSettings {
  sms: SmsSetting[];
  voice: VoiceSetting[];
}

/**
 * The countries the pumping detector has learned the tenant serves. The issue "detection that
 * generalises" has not landed, so nothing provides this yet (see served.ts). When given, a country
 * the policy allows but the tenant is not known to serve is turned off as well.
 */
export interface ServedCountries {
  source: string;
  countries: ReadonlySet<string>;
}

export interface PlanInputs {
  policy: StaticPolicy;
  served?: ServedCountries;
  allowEnable: boolean;
}

export interface SmsRow {
  channel: 'sms';
  country: string;
  now: boolean;
  target: boolean;
  why: string;
  /** The policy allows the country, Twilio has it off, and --allow-enable was not given. */
  heldBack: boolean;
  /** Left exactly as it is (allow-listed numbers there, or a country tollguard does not know). */
  kept: boolean;
  /** Twilio refuses API changes to this country (error 30649): only the Console can change it. */
  consoleOnly: boolean;
}

export interface VoiceRow {
  channel: 'voice';
  country: string;
  name: string;
  now: VoiceSwitches;
  target: VoiceSwitches;
  why: string;
  heldBack: boolean;
  kept: boolean;
}

export type PlanRow = SmsRow | VoiceRow;

export interface GeoPlan {
  sms: SmsRow[];
  voice: VoiceRow[];
  notes: string[];
}

/**
 * SMS countries whose Geo Permission only the Twilio Console can change; an API update is ignored
 * and answered with error 30649 (twilio.com/docs/api/errors/30649: the high-risk countries, and
 * Iran, Syria and Cuba, where Twilio does not deliver at all). Twilio also marks its high-risk
 * countries "High Risk Country" in the Geo Permissions answer; either marks a row console-only.
 */
export const SMS_CONSOLE_ONLY_COUNTRIES: ReadonlySet<string> = new Set([
  'BD', 'IL', 'NG', 'PK', 'PS', 'LK', 'AZ', 'TJ', 'OM', 'TN', 'DZ', 'IR', 'SY', 'CU',
]);
const HIGH_RISK_MESSAGE = /high risk/i;

/** Voice Dialing Permissions list some countries under one entry (spec example: US is "United States/Canada"). */
const VOICE_ENTRY_COUNTRIES: Readonly<Record<string, readonly string[]>> = { US: ['US', 'CA'] };

const OFF: VoiceSwitches = { low: false, special: false, tollFraud: false };

export function voiceIsOn(s: VoiceSwitches): boolean {
  return s.low || s.special || s.tollFraud;
}

export function sameSwitches(a: VoiceSwitches, b: VoiceSwitches): boolean {
  return a.low === b.low && a.special === b.special && a.tollFraud === b.tollFraud;
}

export function rowChanges(row: PlanRow): boolean {
  return row.channel === 'sms' ? row.now !== row.target : !sameSwitches(row.now, row.target);
}

interface Verdict {
  allowed: boolean;
  why: string;
}

/** The geo rule's answer for a country, with the reason it would log. */
export function countryVerdict(policy: GeoChannelPolicy, country: string): Verdict {
  const source = policy.blocked.get(country);
  if (source !== undefined) return { allowed: false, why: source };
  if (policy.allowOnly !== undefined && !policy.allowOnly.has(country)) {
    return { allowed: false, why: `not in ${policy.allowOnlySecret ?? 'the allowed countries'}` };
  }
  return { allowed: true, why: policy.allowOnly !== undefined ? `in ${policy.allowOnlySecret ?? 'the allowed countries'}` : 'allowed' };
}

/** The regions an allowed number or prefix may fall in; a short prefix keeps every region of its calling code. */
export function prefixCountries(prefix: string): string[] {
  const typing = new AsYouType();
  typing.input(prefix);
  const country = typing.getCountry();
  if (country !== undefined) return [country];
  const code = typing.getCallingCode();
  return code === undefined ? [] : getCountries().filter((c) => getCountryCallingCode(c) === code);
}

/** A short prefix (a range, not a subscriber) is shown whole; anything longer is masked like a number. */
function shownPrefix(prefix: string): string {
  return prefix.replace(/\D/g, '').length <= 7 ? prefix : maskPhoneNumber(prefix);
}

/** Country -> the (masked) allowed numbers or prefixes that keep it as it is. */
function allowListedCountries(policy: StaticPolicy): Map<string, string[]> {
  const byCountry = new Map<string, string[]>();
  for (const prefix of policy.numbers.allow) {
    for (const country of prefixCountries(prefix)) byCountry.set(country, [...(byCountry.get(country) ?? []), shownPrefix(prefix)]);
  }
  return byCountry;
}

interface Judged {
  kind: 'keep' | 'allow' | 'block';
  why: string;
}

function judge(countries: readonly string[], channelPolicy: GeoChannelPolicy, inputs: PlanInputs, allowListed: Map<string, string[]>): Judged {
  const unknown = countries.filter((c) => !isSupportedCountry(c));
  if (unknown.length === countries.length) return { kind: 'keep', why: 'not a country tollguard knows' };
  const listed = countries.flatMap((c) => allowListed.get(c) ?? []);
  if (listed.length > 0) return { kind: 'keep', why: `GUARD_ALLOWED_NUMBERS has ${listed.join(', ')} here` };
  const verdicts = countries.map((c) => ({ country: c, ...countryVerdict(channelPolicy, c) }));
  const allowed = verdicts.filter((v) => v.allowed);
  if (allowed.length === 0) {
    const reasons = [...new Set(verdicts.map((v) => v.why))];
    return { kind: 'block', why: reasons.join('; ') };
  }
  const served = inputs.served;
  if (served !== undefined && !allowed.some((v) => served.countries.has(v.country))) {
    return { kind: 'block', why: `allowed, but not among the countries served (${served.source})` };
  }
  const why = countries.length > 1 ? `${allowed.map((v) => v.country).join(', ')} ${allowed[0]?.why ?? 'allowed'}` : (allowed[0]?.why ?? 'allowed');
  return { kind: 'allow', why };
}

function smsRow(setting: SmsSetting, inputs: PlanInputs, allowListed: Map<string, string[]>): SmsRow {
  const judged = judge([setting.country], inputs.policy.geo.sms, inputs, allowListed);
  const now = setting.enabled;
  const target = judged.kind === 'block' ? false : judged.kind === 'keep' ? now : now || inputs.allowEnable;
  const consoleOnly = SMS_CONSOLE_ONLY_COUNTRIES.has(setting.country) || HIGH_RISK_MESSAGE.test(setting.message);
  const heldBack = judged.kind === 'allow' && !target;
  return { channel: 'sms', country: setting.country, now, target, why: judged.why, heldBack, kept: judged.kind === 'keep', consoleOnly };
}

/** Premium-rate and shared-cost numbers are what Twilio's "high-risk special numbers" switch covers. */
function policyRefusesSpecialNumbers(policy: StaticPolicy): boolean {
  return policy.blockedLineTypes.has('PREMIUM_RATE') && policy.blockedLineTypes.has('SHARED_COST');
}

function voiceRow(setting: VoiceSetting, inputs: PlanInputs, allowListed: Map<string, string[]>): VoiceRow {
  const countries = VOICE_ENTRY_COUNTRIES[setting.isoCode] ?? [setting.isoCode];
  const judged = judge(countries, inputs.policy.geo.voice, inputs, allowListed);
  const now = setting.switches;
  let target: VoiceSwitches;
  if (judged.kind === 'block') target = OFF;
  else if (judged.kind === 'keep') target = now;
  else {
    target = {
      low: now.low || inputs.allowEnable,
      special: policyRefusesSpecialNumbers(inputs.policy) ? false : now.special,
      tollFraud: false,
    };
  }
  const heldBack = judged.kind === 'allow' && !voiceIsOn(target);
  return { channel: 'voice', country: setting.isoCode, name: setting.name, now, target, why: judged.why, heldBack, kept: judged.kind === 'keep' };
}

export function computePlan(settings: AccountSettings, inputs: PlanInputs): GeoPlan {
  const allowListed = allowListedCountries(inputs.policy);
  const notes: string[] = [];
  if (inputs.policy.mode !== 'enforce') {
    notes.push(`GUARD_MODE is ${inputs.policy.mode}: the Actions refuse nothing now, so Twilio's settings are the only country filter; the plan follows the policy's lists all the same`);
  }
  if (!policyRefusesSpecialNumbers(inputs.policy)) {
    notes.push("GUARD_BLOCKED_LINE_TYPES lets premium-rate or shared-cost numbers through: voice high-risk special numbers are left as they are");
  }
  if (inputs.served === undefined) {
    notes.push('no learned list of served countries yet (issue "detection that generalises"): the plan follows the configured policy only');
  }
  return {
    sms: settings.sms.map((s) => smsRow(s, inputs, allowListed)),
    voice: settings.voice.map((v) => voiceRow(v, inputs, allowListed)),
    notes,
  };
}

/** The rows a write has to change (console-only SMS rows included: only Twilio's answer proves the refusal). */
export function pendingChanges(plan: GeoPlan): { sms: SmsRow[]; voice: VoiceRow[] } {
  return { sms: plan.sms.filter(rowChanges), voice: plan.voice.filter(rowChanges) };
}
