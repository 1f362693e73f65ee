/** The custom-phone-provider adapter: which otp_verify is an MFA challenge, and whose profile phone Auth0 verified. */
import { isMfaChallenge, readPhoneProviderEvent } from '../../shared/auth0/phone-provider-event';
import { customPhoneProviderEvent } from '../support/actions-runtime';

const NUMBER = '+2348031234567';

function read(overrides: { messageType?: 'otp_verify' | 'otp_enroll' | 'blocked_account'; strategy?: string | undefined; user?: Record<string, unknown> }) {
  const event = customPhoneProviderEvent({ notification: { recipient: '+234-803-123-4567', message_type: overrides.messageType ?? 'otp_verify' } }) as unknown as Record<string, unknown>;
  event['connection'] = overrides.strategy === undefined ? undefined : { id: 'con_1', name: 'c', strategy: overrides.strategy };
  event['user'] = overrides.user ?? { user_id: 'auth0|ada' };
  const result = readPhoneProviderEvent(event);
  if (!result.ok) throw new Error(result.reason);
  return result.request;
}

describe('isMfaChallenge', () => {
  test('a user on a non-passwordless connection, code to a number other than the profile phone', () => {
    expect(isMfaChallenge({ user_id: 'auth0|ada' }, 'auth0', NUMBER)).toBe(true);
    expect(isMfaChallenge({ user_id: 'auth0|ada', login_count: 3 }, 'auth0', NUMBER)).toBe(true);
    expect(isMfaChallenge({ user_id: 'google-oauth2|1', phone_number: '+14155552671' }, 'google-oauth2', NUMBER)).toBe(true);
  });

  test('no user, a passwordless SMS connection, an unknown connection, or the profile number itself: not one', () => {
    expect(isMfaChallenge({}, 'auth0', NUMBER)).toBe(false);
    expect(isMfaChallenge({ user_id: '' }, 'auth0', NUMBER)).toBe(false);
    expect(isMfaChallenge({ user_id: 'sms|1' }, 'sms', NUMBER)).toBe(false);
    expect(isMfaChallenge({ user_id: 'auth0|ada' }, undefined, NUMBER)).toBe(false);
    expect(isMfaChallenge({ user_id: 'auth0|ada', phone_number: '+234 803 123 4567' }, 'auth0', NUMBER)).toBe(false);
    expect(isMfaChallenge({ user_id: 'auth0|ada' }, 'auth0', undefined)).toBe(false);
  });

  test('a user who never completed a login has no factor yet (a factor is enrolled in a login that then completes)', () => {
    expect(isMfaChallenge({ user_id: 'auth0|ada', login_count: 0 }, 'auth0', NUMBER)).toBe(false);
    expect(isMfaChallenge({ user_id: 'auth0|ada', login_count: Number.NaN }, 'auth0', NUMBER)).toBe(false);
  });
});

describe('readPhoneProviderEvent: recipientIs and the verified profile phone', () => {
  test('only an otp_verify can be a likely factor, never a confirmed one (the event cannot tell for certain)', () => {
    expect(read({ strategy: 'auth0' }).recipientIs).toBe('likely-factor');
    expect(read({ strategy: 'auth0', messageType: 'otp_enroll' }).recipientIs).toBe('unconfirmed');
    expect(read({ strategy: 'auth0', messageType: 'blocked_account' }).recipientIs).toBe('unconfirmed');
    expect(read({ strategy: 'sms' }).recipientIs).toBe('unconfirmed');
    expect(read({ strategy: undefined }).recipientIs).toBe('unconfirmed');
  });

  test("phone_verified counts on a connection where Auth0 verifies phones (sms, database), never on a social or enterprise one", () => {
    const user = { user_id: 'sms|ada', phone_number: '+234 803 123 4567', phone_verified: true };
    expect(read({ strategy: 'sms', user }).user.verifiedPhone).toBe(NUMBER);
    expect(read({ strategy: 'auth0', user }).user.verifiedPhone).toBe(NUMBER);
    expect(read({ strategy: 'google-oauth2', user }).user.verifiedPhone).toBeUndefined();
    expect(read({ strategy: 'sms', user: { ...user, phone_verified: false } }).user.verifiedPhone).toBeUndefined();
    expect(read({ strategy: undefined, user }).user.verifiedPhone).toBeUndefined();
  });
});
