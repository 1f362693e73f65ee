/**
 * readLoginClaim: which post-login events claim a verification, which only name a phone, and which
 * are none of tollguard's business (no line, no store call).
 */
import { readLoginClaim, type LoginClaim } from '../../shared/feedback/post-login-event';
import { postLoginEvent } from '../support/actions-runtime';

const NOW = Date.parse('2026-03-02T10:00:00.000Z');
const HOUR = 3_600_000;
const OPTIONS = { now: NOW, maxAgeMs: 2 * HOUR };
const at = (ms: number) => new Date(ms).toISOString();

function claimOf(overrides: Parameters<typeof postLoginEvent>[0] = {}, mutate?: (event: Record<string, unknown>) => void): LoginClaim {
  const event = postLoginEvent({ authentication: { methods: [{ name: 'sms', timestamp: at(NOW - 60_000) }] }, ...overrides }) as Record<string, unknown>;
  mutate?.(event);
  return readLoginClaim(JSON.parse(JSON.stringify(event)) as Record<string, unknown>, OPTIONS);
}

describe('a passwordless SMS login', () => {
  test('claims its number for its user', () => {
    const claim = claimOf();
    expect(claim).toMatchObject({ kind: 'claim', method: 'sms', strategy: 'sms', userId: 'sms|6650c1f0a1b2c3d4e5f60718' });
    expect(claim.kind === 'claim' && claim.number).toMatchObject({ e164: '+14155552671', country: 'US', callingCode: '1' });
  });

  test('a formatted number is normalised to E.164', () => {
    const claim = claimOf({ user: { phone_number: '+44 7911 123456' } });
    expect(claim.kind === 'claim' && claim.number.e164).toBe('+447911123456');
  });

  test('the newest sms entry decides the age: an old one beside a fresh one still claims', () => {
    const claim = claimOf({ authentication: { methods: [{ name: 'sms', timestamp: at(NOW - 5 * HOUR) }, { name: 'sms', timestamp: at(NOW - 10_000) }] } });
    expect(claim.kind).toBe('claim');
  });

  test('an sms sign-in older than the sent markers reach (a silent re-login of an earlier session) is stale', () => {
    const claim = claimOf({ authentication: { methods: [{ name: 'sms', timestamp: at(NOW - 3 * HOUR) }] } });
    expect(claim).toMatchObject({ kind: 'stale', method: 'sms' });
    expect(claim.kind === 'stale' && claim.reason).toMatch(/180 min old/);
  });

  test('a missing or unreadable timestamp does not decide: the store check still applies', () => {
    expect(claimOf({ authentication: { methods: [{ name: 'sms' }] } }).kind).toBe('claim');
    expect(claimOf({ authentication: { methods: [{ name: 'sms', timestamp: 'yesterday' }] } }).kind).toBe('claim');
  });
});

describe('logins that are none of the Action\'s business: no line, no store call', () => {
  test.each([
    ['a password login on a database connection', { authentication: { methods: [{ name: 'pwd', timestamp: at(NOW) }] }, connection: { strategy: 'auth0', name: 'Username-Password-Authentication' } }],
    ['a social login', { authentication: { methods: [{ name: 'federated', timestamp: at(NOW) }] }, connection: { strategy: 'google-oauth2', name: 'google-oauth2' } }],
    ['a completed MFA challenge (no number in the event)', { authentication: { methods: [{ name: 'pwd', timestamp: at(NOW) }, { name: 'mfa', timestamp: at(NOW), type: 'phone' }] }, connection: { strategy: 'auth0', name: 'db' } }],
    ['no authentication at all on a database connection', { authentication: undefined, connection: { strategy: 'auth0', name: 'db' } }],
  ])('%s', (_, overrides) => {
    expect(claimOf(overrides as Parameters<typeof postLoginEvent>[0])).toEqual({ kind: 'unrelated' });
  });

  test('a refresh-token exchange (the session methods are repeated, no code was entered)', () => {
    expect(claimOf({ transaction: { protocol: 'oauth2-refresh-token' } })).toEqual({ kind: 'unrelated' });
  });
});

describe('phone logins that prove nothing here: a line, no store call', () => {
  test.each([
    ['phone OTP by voice on a database connection', { authentication: { methods: [{ name: 'tel', timestamp: at(NOW) }] }, connection: { strategy: 'auth0' } }, /method tel is not a passwordless SMS login/],
    ['password reset by phone', { authentication: { methods: [{ name: 'phone_number', timestamp: at(NOW) }] }, connection: { strategy: 'auth0' } }, /method phone_number/],
    ['phone OTP by SMS on a database connection', { connection: { strategy: 'auth0' } }, /method sms on a auth0 connection/],
    ['an sms method with no connection', { connection: undefined }, /on a unnamed connection/],
    ['methods that are not an array, on the sms connection', { authentication: { methods: 'sms' } }, /methods is not an array/],
    ['methods missing, on the sms connection', { authentication: { methods: undefined } }, /methods is missing/],
    ['the sms connection without an sms method', { authentication: { methods: [{ name: 'mfa', type: 'phone' }] } }, /names no sms method/],
  ])('%s', (_, overrides, reason) => {
    const claim = claimOf(overrides as Parameters<typeof postLoginEvent>[0]);
    expect(claim.kind).toBe('not-a-phone-login');
    expect(claim.kind === 'not-a-phone-login' && claim.reason).toMatch(reason);
  });

  test.each([
    ['not a number', 'call me maybe', /not in E.164 form/],
    ['too short', '+1415555', /not a valid phone number|not a phone number/],
    ['a number type', 14155552671, /missing or not a string/],
    ['huge', `+1${'5'.repeat(10_000)}`, /characters long/],
    ['empty', '', /is empty/],
  ])('a phone_number that is %s', (_, phone, reason) => {
    const claim = claimOf({}, (event) => {
      (event['user'] as Record<string, unknown>)['phone_number'] = phone;
    });
    expect(claim).toMatchObject({ kind: 'not-a-phone-login', method: 'sms' });
    expect(claim.kind === 'not-a-phone-login' && claim.reason).toMatch(reason);
    // Never the value itself: its length or type only.
    expect(claim.kind === 'not-a-phone-login' && claim.to).toMatch(/^<.*>$/);
  });

  test('no user, or a user without an id: a proof belongs to one user', () => {
    const noUser = claimOf({}, (event) => delete event['user']);
    expect(noUser.kind === 'not-a-phone-login' && noUser.reason).toMatch(/event.user is missing/);
    const noId = claimOf({}, (event) => delete (event['user'] as Record<string, unknown>)['user_id']);
    expect(noId.kind === 'not-a-phone-login' && noId.reason).toMatch(/user_id is missing/);
    const emptyId = claimOf({ user: { user_id: '' } });
    expect(emptyId.kind).toBe('not-a-phone-login');
  });

  test('entries that are not objects are skipped, not trusted', () => {
    const claim = claimOf({ authentication: { methods: [null, 'sms', 42, { name: 7 }] as never } });
    expect(claim.kind === 'not-a-phone-login' && claim.reason).toMatch(/names no sms method/);
  });
});
