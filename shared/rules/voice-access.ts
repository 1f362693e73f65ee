/**
 * The voice-access rule ("control Voice MFA per group"): when voice is limited to allowed users,
 * a voice OTP goes out only to users whose app_metadata marks them (`tollguard.voice: true`) or
 * names one of the configured groups / roles under one of the configured claims. Whatever the
 * mode, users the registration Action marked low-trust get no voice until they are proofed
 * (`tollguard.proofed: true`) or explicitly allowed, except to a number the platform itself saw
 * them prove: a challenge to a confirmed factor (enrolled with a code) or their phone_verified
 * profile number. A proven number is never the victim of a trust gate; per-number limits still apply.
 */
import { isUnset, parseEnum, parseList } from '../config/parsers';
import type { SecretDoc } from '../config/secret-doc';
import type { ConfigErrors, Secrets } from '../config/static-policy';
import type { Finding, SendFacts, StaticPolicy, VoiceAccessPolicy } from '../engine/types';
import { isProofed, readTrustTier } from '../trust';
import { eventProofOf } from './served-country';

export const VOICE_ACCESS_RULE = 'voice-access';

export function checkVoiceAccess(facts: SendFacts, policy: StaticPolicy): Finding | undefined {
  if (facts.channel !== 'voice') return undefined;
  const access = policy.voiceAccess;
  const metadata = facts.user.appMetadata;
  if (userMayUseVoice(metadata, access.groupClaims, access.groups)) return undefined;
  if (readTrustTier(metadata) === 'low' && !isProofed(metadata) && eventProofOf(facts) === undefined) {
    return { rule: VOICE_ACCESS_RULE, effect: 'block', reason: 'voice OTP is not available to low-trust users until they are proofed' };
  }
  if (access.mode === 'everyone') return undefined;
  return { rule: VOICE_ACCESS_RULE, effect: 'block', reason: 'voice OTP is limited to allowed users and groups' };
}

export function userMayUseVoice(
  appMetadata: Readonly<Record<string, unknown>>,
  groupClaims: readonly string[],
  groups: ReadonlySet<string>,
): boolean {
  const own = appMetadata['tollguard'];
  if (isRecord(own) && own['voice'] === true) return true;
  return groupClaims.some((claim) => namesOf(appMetadata[claim]).some((name) => groups.has(name)));
}

/**
 * Group and role lists are user data: only the first MAX_GROUP_ENTRIES entries are read, by index,
 * so a huge (or sparse, length 2^32 - 1) array costs at most that many reads.
 */
export const MAX_GROUP_ENTRIES = 100;

function namesOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  const names: string[] = [];
  const count = Math.min(value.length, MAX_GROUP_ENTRIES);
  for (let index = 0; index < count; index += 1) {
    const item: unknown = value[index];
    if (typeof item === 'string') names.push(item);
  }
  return names;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Settings

export const VOICE_ACCESS_SECRETS: readonly SecretDoc[] = [
  { name: 'GUARD_VOICE_ACCESS', actions: 'send', group: 'static rules', meaning: 'everyone, or allowed-users: voice only for users marked app_metadata.tollguard.voice=true or in a voice group', default: 'everyone', example: 'allowed-users' },
  { name: 'GUARD_VOICE_GROUPS', actions: 'send', group: 'static rules', meaning: 'Group or role names that may use voice', default: 'voice-otp', example: 'voice-otp, support' },
  { name: 'GUARD_VOICE_GROUP_CLAIMS', actions: 'send', group: 'static rules', meaning: 'app_metadata keys holding group / role names', default: 'groups, roles', example: 'authorization_groups' },
];

export function parseVoiceAccessSettings(secrets: Secrets, errors: ConfigErrors): VoiceAccessPolicy {
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
