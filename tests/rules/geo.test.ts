import { checkGeo } from '../../shared/rules/geo';
import { NUMBERS, factsFor, policyFrom } from '../support/facts';

describe('geo rule', () => {
  test('default tier blocks high-risk SMS destinations and lets ordinary ones through', () => {
    const { policy } = policyFrom();
    expect(checkGeo(factsFor(NUMBERS.NG), policy)).toMatchObject({ rule: 'geo', effect: 'block', reason: expect.stringContaining('high-risk tier') });
    expect(checkGeo(factsFor(NUMBERS.US), policy)).toBeUndefined();
    expect(checkGeo(factsFor(NUMBERS.DE), policy)).toBeUndefined();
  });

  test('voice is stricter than SMS: Latvia is allowed for SMS but not for voice', () => {
    const { policy } = policyFrom();
    expect(checkGeo(factsFor(NUMBERS.LV, { channel: 'sms' }), policy)).toBeUndefined();
    expect(checkGeo(factsFor(NUMBERS.LV, { channel: 'voice' }), policy)?.effect).toBe('block');
  });

  test('every country blocked for SMS by default is blocked for voice too', () => {
    const { policy } = policyFrom();
    for (const country of policy.geo.sms.blocked.keys()) expect(policy.geo.voice.blocked.has(country)).toBe(true);
    expect(policy.geo.voice.blocked.size).toBeGreaterThan(policy.geo.sms.blocked.size);
  });

  test('exceptions lift a country out of the tier; turning the tier off lifts all', () => {
    expect(checkGeo(factsFor(NUMBERS.BD), policyFrom({ GUARD_HIGH_RISK_EXCEPTIONS: 'bd' }).policy)).toBeUndefined();
    expect(checkGeo(factsFor(NUMBERS.NG), policyFrom({ GUARD_HIGH_RISK_EXCEPTIONS: 'bd' }).policy)?.effect).toBe('block');
    expect(checkGeo(factsFor(NUMBERS.NG), policyFrom({ GUARD_HIGH_RISK_TIER: 'off' }).policy)).toBeUndefined();
  });

  test('configured block list applies to both channels, the voice block list to voice only', () => {
    const { policy } = policyFrom({ GUARD_BLOCKED_COUNTRIES: 'DE', GUARD_VOICE_BLOCKED_COUNTRIES: 'FR' });
    expect(checkGeo(factsFor(NUMBERS.DE), policy)?.reason).toContain('configured block list');
    expect(checkGeo(factsFor(NUMBERS.DE, { channel: 'voice' }), policy)?.effect).toBe('block');
    expect(checkGeo(factsFor(NUMBERS.FR), policy)).toBeUndefined();
    expect(checkGeo(factsFor(NUMBERS.FR, { channel: 'voice' }), policy)?.effect).toBe('block');
  });

  test('allow-list mode refuses every unlisted country and names the secret', () => {
    const { policy } = policyFrom({ GUARD_ALLOWED_COUNTRIES: 'US,GB,NG' });
    expect(checkGeo(factsFor(NUMBERS.US), policy)).toBeUndefined();
    expect(checkGeo(factsFor(NUMBERS.DE), policy)?.reason).toContain('GUARD_ALLOWED_COUNTRIES');
    // The admin's own allow-list overrides the shipped tier.
    expect(checkGeo(factsFor(NUMBERS.NG), policy)).toBeUndefined();
  });

  test('voice allow-list narrows voice without touching SMS', () => {
    const { policy } = policyFrom({ GUARD_ALLOWED_COUNTRIES: 'US,GB', GUARD_VOICE_ALLOWED_COUNTRIES: 'US' });
    expect(checkGeo(factsFor(NUMBERS.GB_MOBILE), policy)).toBeUndefined();
    expect(checkGeo(factsFor(NUMBERS.GB_MOBILE, { channel: 'voice' }), policy)?.reason).toContain('GUARD_VOICE_ALLOWED_COUNTRIES');
    expect(checkGeo(factsFor(NUMBERS.US, { channel: 'voice' }), policy)).toBeUndefined();
  });

  test('a country both allowed and blocked is blocked', () => {
    const { policy } = policyFrom({ GUARD_ALLOWED_COUNTRIES: 'US,DE', GUARD_BLOCKED_COUNTRIES: 'DE' });
    expect(checkGeo(factsFor(NUMBERS.DE), policy)?.effect).toBe('block');
  });

  test('non-geographic numbers are refused unless allowed', () => {
    const facts = factsFor(NUMBERS.US);
    const nonGeographic = { ...facts, number: { ...facts.number, country: undefined, callingCode: '882' } };
    expect(checkGeo(nonGeographic, policyFrom().policy)?.reason).toContain('+882');
    expect(checkGeo(nonGeographic, policyFrom({ GUARD_ALLOW_NON_GEOGRAPHIC: 'true' }).policy)).toBeUndefined();
  });

  test('a malformed country list is reported by name and the tier stays on', () => {
    const { policy, errors } = policyFrom({ GUARD_BLOCKED_COUNTRIES: 'US, Germny' });
    expect(errors).toEqual([expect.stringContaining('GUARD_BLOCKED_COUNTRIES')]);
    expect(errors[0]).toContain('Germny');
    expect(checkGeo(factsFor(NUMBERS.NG), policy)?.effect).toBe('block');
  });
});

describe('a typo in a country list never loosens protection, nor locks a country out (issue 11)', () => {
  test.each(['USA', 'UK', 'us', 'United States', 'usa, gbr', 'United Kingdom, USA'])('GUARD_ALLOWED_COUNTRIES=%p lets US or GB OTPs out', (raw) => {
    const { policy, errors } = policyFrom({ GUARD_ALLOWED_COUNTRIES: raw });
    expect(errors).toEqual([]);
    const allowed = [NUMBERS.US, NUMBERS.GB_MOBILE].filter((number) => checkGeo(factsFor(number), policy) === undefined);
    expect(allowed.length).toBeGreaterThan(0);
    expect(checkGeo(factsFor(NUMBERS.DE), policy)?.reason).toContain('is not in GUARD_ALLOWED_COUNTRIES');
  });

  test('an unreadable allow-list entry suspends allow-list mode: the tier and block lists decide, loudly', () => {
    const { policy, errors } = policyFrom({ GUARD_ALLOWED_COUNTRIES: 'NG, Untied States', GUARD_BLOCKED_COUNTRIES: 'FR' });
    expect(errors).toEqual([expect.stringContaining('GUARD_ALLOWED_COUNTRIES')]);
    expect(errors[0]).toContain('"Untied States"');
    expect(errors[0]).toContain('allow-list mode is OFF for sms and voice');
    // The country the admin meant is not locked out...
    expect(checkGeo(factsFor(NUMBERS.US), policy)).toBeUndefined();
    expect(checkGeo(factsFor(NUMBERS.DE), policy)).toBeUndefined();
    // ...the readable entry keeps its exemption from the tier, the rest of the tier and the block list apply.
    expect(checkGeo(factsFor(NUMBERS.NG), policy)).toBeUndefined();
    expect(checkGeo(factsFor(NUMBERS.BD), policy)?.reason).toContain('high-risk tier');
    expect(checkGeo(factsFor(NUMBERS.FR), policy)?.reason).toContain('configured block list');
    expect(checkGeo(factsFor(NUMBERS.LV, { channel: 'voice' }), policy)?.reason).toContain('high-risk tier');
  });

  test('an allow-list with no readable item never means allow-all: the tier applies', () => {
    const { policy } = policyFrom({ GUARD_ALLOWED_COUNTRIES: 'Untied States' });
    expect(checkGeo(factsFor(NUMBERS.US), policy)).toBeUndefined();
    expect(checkGeo(factsFor(NUMBERS.NG), policy)?.effect).toBe('block');
  });

  test('an unreadable voice allow-list suspends only the voice allow-list', () => {
    const { policy, errors } = policyFrom({ GUARD_ALLOWED_COUNTRIES: 'US', GUARD_VOICE_ALLOWED_COUNTRIES: 'US, Canda' });
    expect(errors).toEqual([expect.stringContaining('allow-list mode is OFF for voice')]);
    expect(checkGeo(factsFor(NUMBERS.DE, { channel: 'sms' }), policy)?.reason).toContain('is not in GUARD_ALLOWED_COUNTRIES');
    expect(checkGeo(factsFor(NUMBERS.DE, { channel: 'voice' }), policy)).toBeUndefined();
    expect(checkGeo(factsFor(NUMBERS.NG, { channel: 'voice' }), policy)?.reason).toContain('high-risk tier');
  });

  test('block lists, voice lists and exceptions take the same spellings', () => {
    const { policy, errors } = policyFrom({ GUARD_BLOCKED_COUNTRIES: 'deu', GUARD_VOICE_BLOCKED_COUNTRIES: 'France', GUARD_HIGH_RISK_EXCEPTIONS: 'NGA, Bangladesh' });
    expect(errors).toEqual([]);
    expect(checkGeo(factsFor(NUMBERS.DE), policy)?.reason).toContain('configured block list');
    expect(checkGeo(factsFor(NUMBERS.FR, { channel: 'sms' }), policy)).toBeUndefined();
    expect(checkGeo(factsFor(NUMBERS.FR, { channel: 'voice' }), policy)?.effect).toBe('block');
    expect(checkGeo(factsFor(NUMBERS.NG), policy)).toBeUndefined();
    expect(checkGeo(factsFor(NUMBERS.BD), policy)).toBeUndefined();
  });

  test('a block list keeps its good items', () => {
    const { policy } = policyFrom({ GUARD_BLOCKED_COUNTRIES: 'DE, Germny' });
    expect(checkGeo(factsFor(NUMBERS.DE), policy)?.effect).toBe('block');
  });
});
