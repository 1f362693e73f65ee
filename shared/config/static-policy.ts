/**
 * Secrets → the static policy (rules 1-4), assembled from each rule's own settings parser (in its
 * module under shared/rules). Every knob has a safe default. A bad value is reported as a
 * SecretError naming the secret, and the knob keeps its safe default, so a typo in the dashboard
 * never switches protection off nor stops every login.
 */
import type { GuardMode, StaticPolicy } from '../engine/types';
import { parseGeoSettings } from '../rules/geo';
import { parseLineTypeSettings } from '../rules/line-type';
import { parseNetworkZoneSettings } from '../rules/network-zones';
import { parseNumberListSettings } from '../rules/number-lists';
import { parseVoiceAccessSettings } from '../rules/voice-access';
import { isUnset, parseCountryList, parseEnum, type SecretValue } from './parsers';
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

export function parseGuardMode(secrets: Secrets, errors: ConfigErrors): GuardMode {
  return errors.read(() => parseEnum('GUARD_MODE', secrets['GUARD_MODE'], 'enforce', GUARD_MODES), 'enforce');
}

export function parseStaticPolicy(secrets: Secrets, errors: ConfigErrors): StaticPolicy {
  return {
    mode: parseGuardMode(secrets, errors),
    blockedLineTypes: new Set(parseLineTypeSettings(secrets, errors)),
    geo: parseGeoSettings(secrets, errors),
    numbers: parseNumberListSettings(secrets, errors),
    network: parseNetworkZoneSettings(secrets, errors),
    voiceAccess: parseVoiceAccessSettings(secrets, errors),
  };
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

