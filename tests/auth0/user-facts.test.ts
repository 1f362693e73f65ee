/** The profile phone is evidence only where Auth0 itself verified it. */
import { userFacts } from '../../shared/auth0/event-fields';

describe('userFacts: the verified profile phone', () => {
  const base = { user_id: 'auth0|ada', phone_number: '+234 803 123 4567', phone_verified: true };

  test('a passwordless SMS or database identity: the number, as + and digits', () => {
    expect(userFacts({ ...base, identities: [{ provider: 'sms' }] }).verifiedPhone).toBe('+2348031234567');
    expect(userFacts({ ...base, identities: [{ provider: 'auth0' }] }).verifiedPhone).toBe('+2348031234567');
  });

  test('an identity provider asserting phone_verified, no identities, unverified or not international: nothing', () => {
    expect(userFacts({ ...base, identities: [{ provider: 'oidc' }, { provider: 'samlp' }] }).verifiedPhone).toBeUndefined();
    expect(userFacts(base).verifiedPhone).toBeUndefined();
    expect(userFacts({ ...base, phone_verified: false, identities: [{ provider: 'sms' }] }).verifiedPhone).toBeUndefined();
    expect(userFacts({ ...base, phone_number: '0803 123 4567', identities: [{ provider: 'sms' }] }).verifiedPhone).toBeUndefined();
    expect(userFacts({ ...base, phone_number: '+44 (0)20 7946 0958', identities: [{ provider: 'sms' }] }).verifiedPhone).toBeUndefined();
  });
});
