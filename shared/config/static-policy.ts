/**
 * Secrets → the static policy (rules 1-4). Every knob has a safe default. A bad value is reported
 * as a SecretError naming the secret, and the knob keeps its safe default, so a typo in the
 * dashboard never switches protection off nor stops every login.
 */
import type { NumberType } from 'libphonenumber-js/max';
import { SMS_HIGH_RISK_COUNTRIES, VOICE_EXTRA_HIGH_RISK_COUNTRIES } from '../data/high-risk-countries';
import type { CountryBlockSource, GeoChannelPolicy, GuardMode, StaticPolicy, VoiceAccessPolicy } from '../engine/types';
import { parseCidr, type CidrRange } from '../net/ip';
import { parsePrefix } from '../phone/prefix';
import {
  LINE_SEPARATORS,
  isUnset,
  parseBoolean,
  parseCountryList,
  parseEnum,
  parseList,
  type SecretValue,
} from './parsers';
import { PartialListError, SecretError } from './secret-error';

export type Secrets = Readonly<Record<string, SecretValue>>;

/** Collects SecretErrors and answers the fallback for the knob that failed. */
export class ConfigErrors {
  readonly errors: SecretError[] = [];

  add(error: SecretError): void {
    this.errors.push(error);
  }

  read<T>(parse: () => T, fallback: T): T {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof SecretError)) throw error;
      this.errors.push(error);
      // A list with some bad items keeps its good ones (T is then that list's type); with none
      // left, the knob's default applies (an allow-list's default is the empty list: allow nothing).
      return error instanceof PartialListError && error.valid.length > 0 ? (error.valid as T) : fallback;
    }
  }
}

export const GUARD_MODES: readonly GuardMode[] = ['enforce', 'monitor', 'off'];

export const ALL_LINE_TYPES: readonly NumberType[] = [
  'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL',
  'FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE',
];

export const DEFAULT_BLOCKED_LINE_TYPES: readonly NumberType[] = [
  'PREMIUM_RATE', 'SHARED_COST', 'UAN', 'PAGER', 'VOICEMAIL', 'PERSONAL_NUMBER', 'TOLL_FREE',
];

export function parseGuardMode(secrets: Secrets, errors: ConfigErrors): GuardMode {
  return errors.read(() => parseEnum('GUARD_MODE', secrets['GUARD_MODE'], 'enforce', GUARD_MODES), 'enforce');
}

export function parseStaticPolicy(secrets: Secrets, errors: ConfigErrors): StaticPolicy {
  return {
    mode: parseGuardMode(secrets, errors),
    blockedLineTypes: new Set(parseLineTypes(secrets, errors)),
    geo: parseGeo(secrets, errors),
    numbers: {
      allow: new Set(errors.read(() => parsePrefixList('GUARD_ALLOWED_NUMBERS', secrets['GUARD_ALLOWED_NUMBERS']), [])),
      block: new Set(errors.read(() => parsePrefixList('GUARD_BLOCKED_NUMBERS', secrets['GUARD_BLOCKED_NUMBERS']), [])),
    },
    network: {
      allow: errors.read(() => parseCidrList('GUARD_ALLOWED_IPS', secrets['GUARD_ALLOWED_IPS']), []),
      block: errors.read(() => parseCidrList('GUARD_BLOCKED_IPS', secrets['GUARD_BLOCKED_IPS']), []),
    },
    voiceAccess: parseVoiceAccess(secrets, errors),
  };
}

function parseLineTypes(secrets: Secrets, errors: ConfigErrors): NumberType[] {
  const raw = secrets['GUARD_BLOCKED_LINE_TYPES'];
  if (!isUnset(raw) && raw.trim().toLowerCase() === 'none') return [];
  return errors.read(
    () =>
      isUnset(raw)
        ? [...DEFAULT_BLOCKED_LINE_TYPES]
        : parseList('GUARD_BLOCKED_LINE_TYPES', raw, `"none" or line types from ${ALL_LINE_TYPES.join(', ')}`, (item) =>
            ALL_LINE_TYPES.find((type) => type === item.toUpperCase().replace(/-/g, '_')),
          ),
    [...DEFAULT_BLOCKED_LINE_TYPES],
  );
}

export function parsePrefixList(name: string, raw: SecretValue): string[] {
  return parseList(name, raw, 'comma-separated E.164 numbers or prefixes such as +447700900123, +882', parsePrefix, LINE_SEPARATORS);
}

export function parseCidrList(name: string, raw: SecretValue): CidrRange[] {
  return parseList(name, raw, 'IPv4 / IPv6 addresses or CIDR ranges such as 203.0.113.0/24 or 2001:db8::/32', parseCidr);
}

/**
 * An allow-list secret as read: unset, usable, or holding an entry that cannot be read. An unread
 * entry may be the one country the tenant's users live in, so allow-list mode is suspended (the
 * channel falls back to the block lists and the high-risk tier, never to allow-all) and the config
 * error, on every decision line, says so.
 */
export type AllowListRead =
  | { kind: 'unset' }
  | { kind: 'list'; countries: string[] }
  | { kind: 'unreadable'; readable: string[] };

export function readAllowList(secrets: Secrets, name: string, errors: ConfigErrors, consequence: string): AllowListRead {
  const raw = secrets[name];
  if (isUnset(raw)) return { kind: 'unset' };
  try {
    return { kind: 'list', countries: parseCountryList(name, raw) };
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    const readable = error instanceof PartialListError ? (error.valid as string[]) : [];
    errors.add(error instanceof PartialListError ? error.withConsequence(consequence) : withConsequence(error, consequence));
    return { kind: 'unreadable', readable };
  }
}

function withConsequence(error: SecretError, consequence: string): SecretError {
  error.message = `${error.message}; ${consequence}`;
  return error;
}

function parseGeo(secrets: Secrets, errors: ConfigErrors): Record<'sms' | 'voice', GeoChannelPolicy> {
  const countries = (name: string) => errors.read(() => parseCountryList(name, secrets[name]), []);
  const tierOn = errors.read(() => parseBoolean('GUARD_HIGH_RISK_TIER', secrets['GUARD_HIGH_RISK_TIER'], true), true);
  const exceptions = new Set(countries('GUARD_HIGH_RISK_EXCEPTIONS'));
  const allowNonGeographic = errors.read(
    () => parseBoolean('GUARD_ALLOW_NON_GEOGRAPHIC', secrets['GUARD_ALLOW_NON_GEOGRAPHIC'], false),
    false,
  );
  const fallbackNote = (channels: string) =>
    `allow-list mode is OFF for ${channels} until this is fixed: the block lists and the high-risk tier decide instead (the readable entries stay exempt from the tier)`;
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

function parseVoiceAccess(secrets: Secrets, errors: ConfigErrors): VoiceAccessPolicy {
  const mode = errors.read(
    () => parseEnum('GUARD_VOICE_ACCESS', secrets['GUARD_VOICE_ACCESS'], 'everyone', ['everyone', 'allowed-users'] as const),
    'everyone',
  );
  const names = (name: string, fallback: string[]) =>
    errors.read(
      () =>
        isUnset(secrets[name])
          ? fallback
          : parseList(name, secrets[name], 'names of letters, digits, and - _ . : |', (item) =>
              /^[\w.:|-]{1,100}$/.test(item) ? item : undefined,
            ),
      fallback,
    );
  return {
    mode,
    groups: new Set(names('GUARD_VOICE_GROUPS', ['voice-otp'])),
    groupClaims: names('GUARD_VOICE_GROUP_CLAIMS', ['groups', 'roles']),
  };
}
