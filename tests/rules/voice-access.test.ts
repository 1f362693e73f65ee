import { MAX_GROUP_ENTRIES, checkVoiceAccess } from '../../shared/rules/voice-access';
import { NUMBERS, factsFor, policyFrom } from '../support/facts';

describe('voice-access rule', () => {
  const limited = policyFrom({ GUARD_VOICE_ACCESS: 'allowed-users', GUARD_VOICE_GROUPS: 'voice-otp, support' }).policy;

  test('everyone may use voice by default', () => {
    expect(checkVoiceAccess(factsFor(NUMBERS.US, { channel: 'voice' }), policyFrom().policy)).toBeUndefined();
  });

  test('when limited, users without a mark or group are refused voice but keep SMS', () => {
    expect(checkVoiceAccess(factsFor(NUMBERS.US, { channel: 'voice' }), limited)).toMatchObject({ rule: 'voice-access', effect: 'block' });
    expect(checkVoiceAccess(factsFor(NUMBERS.US, { channel: 'sms' }), limited)).toBeUndefined();
  });

  test('a group or role under a configured claim, or the tollguard mark, grants voice', () => {
    const voice = (appMetadata: Record<string, unknown>) => checkVoiceAccess(factsFor(NUMBERS.US, { channel: 'voice', appMetadata }), limited);
    expect(voice({ groups: ['staff', 'support'] })).toBeUndefined();
    expect(voice({ roles: 'voice-otp' })).toBeUndefined();
    expect(voice({ tollguard: { voice: true } })).toBeUndefined();
    expect(voice({ tollguard: { voice: 'true' } })?.effect).toBe('block');
    expect(voice({ groups: ['staff'], department: 'support' })?.effect).toBe('block');
    expect(voice({ groups: [7, null, { name: 'support' }] })?.effect).toBe('block');
  });

  test('a huge sparse group list is read only up to its first entries, by index (issue 11)', () => {
    let reads = 0;
    const target: unknown[] = ['staff'];
    target.length = 2 ** 32 - 1;
    const groups = new Proxy(target, {
      get(object, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads += 1;
        return Reflect.get(object, key, receiver) as unknown;
      },
    });
    const outcome = checkVoiceAccess(factsFor(NUMBERS.US, { channel: 'voice', appMetadata: { groups } }), limited);
    expect(outcome?.effect).toBe('block');
    expect(reads).toBeLessThanOrEqual(MAX_GROUP_ENTRIES);
    // An entry within the bound still grants voice; one beyond it is not looked at.
    const late = Array.from({ length: MAX_GROUP_ENTRIES + 1 }, (_, index) => (index === MAX_GROUP_ENTRIES ? 'support' : 'staff'));
    expect(checkVoiceAccess(factsFor(NUMBERS.US, { channel: 'voice', appMetadata: { groups: late } }), limited)?.effect).toBe('block');
    late[MAX_GROUP_ENTRIES - 1] = 'support';
    expect(checkVoiceAccess(factsFor(NUMBERS.US, { channel: 'voice', appMetadata: { groups: late } }), limited)).toBeUndefined();
  });

  test('a low-trust user gets no voice until proofed, except to a number the platform saw them prove', () => {
    const lowTrust = { tollguard: { trust: 'low' } };
    const enrolment = factsFor(NUMBERS.US, { channel: 'voice', appMetadata: lowTrust });
    expect(checkVoiceAccess(enrolment, policyFrom().policy)).toMatchObject({ rule: 'voice-access', effect: 'block', reason: 'voice OTP is not available to low-trust users until they are proofed' });
    expect(checkVoiceAccess(factsFor(NUMBERS.US, { channel: 'voice', appMetadata: { tollguard: { trust: 'low', proofed: true } } }), policyFrom().policy)).toBeUndefined();
    // A challenge to a factor confirmed with its enrolment code, and the user's own phone_verified number, pass.
    const challenge = { ...enrolment, otpAction: 'second-factor-authentication' as const, recipientIs: 'confirmed-factor' as const };
    expect(checkVoiceAccess(challenge, policyFrom().policy)).toBeUndefined();
    expect(checkVoiceAccess({ ...enrolment, user: { ...enrolment.user, verifiedPhone: enrolment.number.e164 } }, policyFrom().policy)).toBeUndefined();
    // Another verified number, or a likely factor (an inference), does not.
    expect(checkVoiceAccess({ ...enrolment, user: { ...enrolment.user, verifiedPhone: '+14155550000' } }, policyFrom().policy)?.effect).toBe('block');
    expect(checkVoiceAccess({ ...challenge, recipientIs: 'likely-factor' }, policyFrom().policy)?.effect).toBe('block');
    // The proof lifts the trust gate only: under allowed-users the user still needs a mark or group.
    expect(checkVoiceAccess(challenge, limited)).toMatchObject({ effect: 'block', reason: 'voice OTP is limited to allowed users and groups' });
  });

  test('claims are configurable', () => {
    const custom = policyFrom({ GUARD_VOICE_ACCESS: 'allowed-users', GUARD_VOICE_GROUP_CLAIMS: 'department' }).policy;
    expect(checkVoiceAccess(factsFor(NUMBERS.US, { channel: 'voice', appMetadata: { department: 'voice-otp' } }), custom)).toBeUndefined();
    expect(checkVoiceAccess(factsFor(NUMBERS.US, { channel: 'voice', appMetadata: { groups: ['voice-otp'] } }), custom)?.effect).toBe('block');
  });

  test('an unknown access mode is reported and voice stays open to everyone (the documented default)', () => {
    const { policy, errors } = policyFrom({ GUARD_VOICE_ACCESS: 'admins' });
    expect(errors[0]).toContain('GUARD_VOICE_ACCESS');
    expect(policy.voiceAccess.mode).toBe('everyone');
  });
});

test('enum secrets accept _ for - (allowed_users)', () => {
  const { policy, errors } = policyFrom({ GUARD_VOICE_ACCESS: 'allowed_users' });
  expect(errors).toEqual([]);
  expect(policy.voiceAccess.mode).toBe('allowed-users');
});
