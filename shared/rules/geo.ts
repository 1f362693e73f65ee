/**
 * The geo rule: per destination country and per channel, in the spirit of Twilio's Geo
 * Permissions. Allow-list mode refuses every country not listed; otherwise the configured block
 * list and the shipped high-risk tier refuse their countries. Voice is built stricter than SMS.
 */
import { SMS_HIGH_RISK_COUNTRIES, VOICE_EXTRA_HIGH_RISK_COUNTRIES } from '../data/high-risk-countries';
import { parseBoolean, parseCountryList } from '../config/parsers';
import type { SecretDoc } from '../config/secret-doc';
import { readAllowList, type AllowListRead, type ConfigErrors, type Secrets } from '../config/static-policy';
import type { CountryBlockSource, Finding, GeoChannelPolicy, SendFacts, StaticPolicy } from '../engine/types';

export const GEO_RULE = 'geo';

export function checkGeo(facts: SendFacts, policy: StaticPolicy): Finding | undefined {
  const channelPolicy = policy.geo[facts.channel];
  const country = facts.number.country;
  if (country === undefined) {
    if (!channelPolicy.blockNonGeographic) return undefined;
    return block(`+${facts.number.callingCode} numbers belong to no country, not allowed for ${facts.channel}`);
  }
  const blockSource = channelPolicy.blocked.get(country);
  if (blockSource !== undefined) {
    const finding = block(`${facts.channel} to ${country} is blocked (${blockSource})`);
    return blockSource === 'high-risk tier' ? { ...finding, liftable: true } : finding;
  }
  if (channelPolicy.allowOnly !== undefined && !channelPolicy.allowOnly.has(country)) {
    return block(`${facts.channel} to ${country} is not in ${channelPolicy.allowOnlySecret ?? 'the allowed countries'}`);
  }
  return undefined;
}

function block(reason: string): Finding {
  return { rule: GEO_RULE, effect: 'block', reason };
}

// Settings

export const GEO_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_HIGH_RISK_TIER', actions: 'both', group: 'static rules', meaning: 'Refuse the shipped high-risk destination countries (SMS list; voice adds more)', default: 'on', example: 'off' },
  { name: 'GUARD_HIGH_RISK_EXCEPTIONS', actions: 'both', group: 'static rules', meaning: 'Countries taken out of the high-risk tier (countries you serve)', default: 'none', example: 'PH, ID' },
  { name: 'GUARD_ALLOWED_COUNTRIES', actions: 'both', group: 'static rules', meaning: 'Allow-list mode: only these destination countries (both channels); replaces the tier. Codes (US, USA, UK) or English names; an unreadable entry suspends allow-list mode (tier and block lists apply) and is reported on every line', default: 'unset (all but blocked)', example: 'US, CA, GB' },
  { name: 'GUARD_BLOCKED_COUNTRIES', actions: 'both', group: 'static rules', meaning: 'Destination countries refused on both channels', default: 'none', example: 'RU, BY' },
  { name: 'GUARD_VOICE_ALLOWED_COUNTRIES', actions: 'send', group: 'static rules', meaning: 'Allow-list for voice only', default: 'GUARD_ALLOWED_COUNTRIES', example: 'US' },
  { name: 'GUARD_VOICE_BLOCKED_COUNTRIES', actions: 'send', group: 'static rules', meaning: 'Countries refused for voice only', default: 'none', example: 'LT, EE' },
  { name: 'GUARD_ALLOW_NON_GEOGRAPHIC', actions: 'both', group: 'static rules', meaning: 'Allow numbers of no country (+800, +870, +881, +882, +883)', default: 'false', example: 'true' },
];

export function parseGeoSettings(secrets: Secrets, errors: ConfigErrors): Record<'sms' | 'voice', GeoChannelPolicy> {
  const countries = (name: string) => errors.read(() => parseCountryList(name, secrets[name]), []);
  const tierOn = errors.read(() => parseBoolean('GUARD_HIGH_RISK_TIER', secrets['GUARD_HIGH_RISK_TIER'], true), true);
  const exceptions = new Set(countries('GUARD_HIGH_RISK_EXCEPTIONS'));
  const allowNonGeographic = errors.read(
    () => parseBoolean('GUARD_ALLOW_NON_GEOGRAPHIC', secrets['GUARD_ALLOW_NON_GEOGRAPHIC'], false),
    false,
  );
  const fallbackNote = (channels: string) =>
    `allow-list mode is OFF for ${channels} until fixed: block lists and the tier decide (readable entries stay exempt)`;
  const allowList = (name: string, consequence: string) => readAllowList(secrets, name, errors, consequence);
  const voiceAllowed = allowList('GUARD_VOICE_ALLOWED_COUNTRIES', fallbackNote('voice'));
  const allowed = allowList('GUARD_ALLOWED_COUNTRIES', fallbackNote(voiceAllowed.kind === 'unset' ? 'sms and voice' : 'sms'));
  const blocked = countries('GUARD_BLOCKED_COUNTRIES');
  const voiceBlocked = countries('GUARD_VOICE_BLOCKED_COUNTRIES');

  const smsTier = tierOn ? SMS_HIGH_RISK_COUNTRIES : [];
  const voiceTier = tierOn ? [...SMS_HIGH_RISK_COUNTRIES, ...VOICE_EXTRA_HIGH_RISK_COUNTRIES] : [];
  const voiceAllow = voiceAllowed.kind !== 'unset' ? voiceAllowed : allowed;
  const voiceAllowSource = voiceAllowed.kind !== 'unset' ? 'GUARD_VOICE_ALLOWED_COUNTRIES' : 'GUARD_ALLOWED_COUNTRIES';
  return {
    sms: channelPolicy(smsTier, exceptions, blocked, allowed, 'GUARD_ALLOWED_COUNTRIES', allowNonGeographic),
    voice: channelPolicy(voiceTier, exceptions, [...blocked, ...voiceBlocked], voiceAllow, voiceAllowSource, allowNonGeographic),
  };
}

function channelPolicy(
  tier: readonly string[],
  exceptions: ReadonlySet<string>,
  configuredBlocks: readonly string[],
  allow: AllowListRead,
  allowOnlySecret: string,
  allowNonGeographic: boolean,
): GeoChannelPolicy {
  const blocked = new Map<string, CountryBlockSource>();
  // An explicit allow-list is the admin's own choice of countries: it overrides the shipped tier.
  // When it cannot be read whole, the tier applies again, except to the countries it did name.
  if (allow.kind !== 'list') {
    const exempt = new Set([...exceptions, ...(allow.kind === 'unreadable' ? allow.readable : [])]);
    for (const country of tier) if (!exempt.has(country)) blocked.set(country, 'high-risk tier');
  }
  for (const country of configuredBlocks) blocked.set(country, 'configured block list');
  return {
    allowOnly: allow.kind === 'list' ? new Set(allow.countries) : undefined,
    allowOnlySecret: allow.kind === 'list' ? allowOnlySecret : undefined,
    blocked,
    blockNonGeographic: !allowNonGeographic,
  };
}

