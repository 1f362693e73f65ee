import { ConfigErrors } from '../../shared/config/static-policy';
import { parseRegistrationPolicy } from '../../shared/register/registration-policy';
import { checkSignupCountry } from '../../shared/rules/signup-country';
import { judgeNewDomain } from '../../shared/rules/signup-new-domain';
import { judgeSurge, surgeLimit } from '../../shared/rules/signup-surge';
import { judgeSignupVelocity } from '../../shared/rules/signup-velocity';

describe('signup-country rule', () => {
  const open = { allowOnly: undefined, blocked: new Set(['KP']), refuseUnknown: false };
  const allowList = { allowOnly: new Set(['US', 'CA']), blocked: new Set<string>(), refuseUnknown: false };

  test('blocked countries are refused, others pass', () => {
    expect(checkSignupCountry('KP', open)).toMatchObject({ rule: 'signup-country', effect: 'block', reason: expect.stringContaining('KP') });
    expect(checkSignupCountry('FR', open)).toBeUndefined();
  });

  test('an allow-list refuses unlisted countries and names its secret', () => {
    expect(checkSignupCountry('US', allowList)).toBeUndefined();
    expect(checkSignupCountry('FR', allowList)?.reason).toContain('GUARD_SIGNUP_ALLOWED_COUNTRIES');
  });

  test('an unknown country passes unless an allow-list asks to refuse it', () => {
    expect(checkSignupCountry(undefined, open)).toBeUndefined();
    expect(checkSignupCountry(undefined, allowList)).toBeUndefined();
    expect(checkSignupCountry(undefined, { ...allowList, refuseUnknown: true })?.effect).toBe('block');
    expect(checkSignupCountry(undefined, { ...open, refuseUnknown: true })).toBeUndefined();
  });
});

describe('sign-up country secrets (issue 11)', () => {
  const policyOf = (secrets: Record<string, string>) => {
    const errors = new ConfigErrors();
    const policy = parseRegistrationPolicy(secrets, errors);
    return { country: policy.signupCountry, errors: errors.errors.map((error) => error.message) };
  };

  test.each(['USA', 'us', 'United States', 'USA, CAN'])('GUARD_SIGNUP_ALLOWED_COUNTRIES=%p accepts US sign-ups', (raw) => {
    const { country, errors } = policyOf({ GUARD_SIGNUP_ALLOWED_COUNTRIES: raw });
    expect(errors).toEqual([]);
    expect(checkSignupCountry('US', country)).toBeUndefined();
    expect(checkSignupCountry('FR', country)?.effect).toBe('block');
  });

  test('an unreadable entry suspends allow-list mode: block list and high-risk tier decide, loudly', () => {
    const { country, errors } = policyOf({ GUARD_SIGNUP_ALLOWED_COUNTRIES: 'NG, Untied States', GUARD_SIGNUP_BLOCKED_COUNTRIES: 'FRA', GUARD_SIGNUP_REFUSE_UNKNOWN_COUNTRY: 'true' });
    expect(errors).toEqual([expect.stringContaining('GUARD_SIGNUP_ALLOWED_COUNTRIES')]);
    expect(errors[0]).toContain('allow-list mode is OFF for sign-ups');
    expect(checkSignupCountry('US', country)).toBeUndefined();
    expect(checkSignupCountry('DE', country)).toBeUndefined();
    expect(checkSignupCountry('NG', country)).toBeUndefined();
    expect(checkSignupCountry('BD', country)?.effect).toBe('block');
    expect(checkSignupCountry('FR', country)?.effect).toBe('block');
    expect(checkSignupCountry(undefined, country)).toBeUndefined();
  });
});

describe('signup-velocity rule', () => {
  const HOUR = 3_600_000;
  const limits = {
    ip: { max: 10, windowMs: HOUR }, ipv6: { max: 1, windowMs: HOUR }, subnet: { max: 30, windowMs: HOUR }, mailbox: { max: 2, windowMs: 24 * HOUR }, domain: { max: 20, windowMs: HOUR },
    tenant: { max: 100, windowMs: HOUR }, denyFactor: 10,
  };
  const none = { ip: undefined, subnet: undefined, mailbox: undefined, domain: undefined, tenantAdmitted: undefined };
  const windowStart = Date.UTC(2026, 10, 23, 12);
  const passed = { now: windowStart, ipv6: false, domain: 'example.org', captchaPassed: true };
  const noCaptcha = { ...passed, captchaPassed: false };

  test('under every limit nothing happens; over the IP limit the account gets low trust, with the reason', () => {
    expect(judgeSignupVelocity({ ...none, ip: { current: 10, previous: 0 } }, limits, passed)).toEqual({ deny: undefined, lowTrust: [] });
    const over = judgeSignupVelocity({ ...none, ip: { current: 11, previous: 0 } }, limits, passed);
    expect(over.deny).toBeUndefined();
    expect(over.lowTrust).toEqual(['11 sign-ups from this IP, over the limit of 10/1h']);
  });

  test('far over a shared-address limit, only a sign-up without a passed CAPTCHA is refused', () => {
    const crowd = { ...none, subnet: { current: 301, previous: 0 } };
    expect(judgeSignupVelocity(crowd, limits, passed).deny).toBeUndefined();
    expect(judgeSignupVelocity(crowd, limits, passed).lowTrust[0]).toContain('subnet');
    const refused = judgeSignupVelocity(crowd, limits, noCaptcha).deny;
    expect(refused).toMatchObject({ rule: 'signup-velocity', effect: 'block' });
    expect(refused?.reason).toContain('without a passed CAPTCHA');
    expect(judgeSignupVelocity({ ...none, subnet: { current: 300, previous: 0 } }, limits, noCaptcha).deny).toBeUndefined();
    expect(judgeSignupVelocity(crowd, { ...limits, denyFactor: 1 }, noCaptcha).deny).toBeDefined();
  });

  test('an IPv6 /64 is one subscriber: its second sign-up in the hour gets low trust', () => {
    const six = { ...passed, ipv6: true };
    expect(judgeSignupVelocity({ ...none, ip: { current: 1, previous: 0 } }, limits, six).lowTrust).toEqual([]);
    expect(judgeSignupVelocity({ ...none, ip: { current: 2, previous: 0 } }, limits, six).lowTrust).toEqual(['2 sign-ups from this IPv6 /64, over the limit of 1/1h']);
  });

  test('a mailbox: the second sign-up gets low trust, the third is refused', () => {
    expect(judgeSignupVelocity({ ...none, mailbox: { current: 1, previous: 0 } }, limits, passed).lowTrust).toEqual([]);
    expect(judgeSignupVelocity({ ...none, mailbox: { current: 2, previous: 0 } }, limits, passed).lowTrust[0]).toContain('mailbox');
    expect(judgeSignupVelocity({ ...none, mailbox: { current: 1, previous: 1 } }, limits, passed).lowTrust[0]).toContain('mailbox');
    expect(judgeSignupVelocity({ ...none, mailbox: { current: 3, previous: 0 } }, limits, passed).deny?.reason).toContain('mailbox');
  });

  test('the tenant-wide limit counts admitted sign-ups: at the limit the next one is refused', () => {
    expect(judgeSignupVelocity({ ...none, tenantAdmitted: { current: 99, previous: 0 } }, limits, passed).deny).toBeUndefined();
    expect(judgeSignupVelocity({ ...none, tenantAdmitted: { current: 100, previous: 0 } }, limits, passed).deny?.reason).toContain('admitted tenant-wide');
  });

  test('the domain reason names the domain; counters not asked are ignored', () => {
    expect(judgeSignupVelocity({ ...none, domain: { current: 21, previous: 0 } }, limits, { ...passed, domain: 'tiny.example' }).lowTrust[0]).toContain('tiny.example');
    expect(judgeSignupVelocity(none, limits, { ...passed, domain: undefined })).toEqual({ deny: undefined, lowTrust: [] });
  });

  test('the previous window weighs in at the start of a window and fades out', () => {
    const counts = { ...none, subnet: { current: 10, previous: 40 } };
    expect(judgeSignupVelocity(counts, limits, { ...passed, now: windowStart }).lowTrust[0]).toContain('subnet');
    expect(judgeSignupVelocity(counts, limits, { ...passed, now: windowStart + 0.9 * HOUR }).lowTrust).toEqual([]);
  });
});

describe('signup-new-domain rule', () => {
  const policy = { handful: 5 };
  const young = { age: { current: 3, baseline: 0, windows: 2 }, days: { current: 6, previous: 0 }, network: { current: 1, previous: 0 }, tenantAge: { current: 1, baseline: 1, windows: 48 } };

  test('a domain first seen hours ago with more than a handful of sign-ups is refused', () => {
    expect(judgeNewDomain(young, policy, 'inbox1234box.com').deny).toMatchObject({ rule: 'signup-new-domain', reason: expect.stringContaining('inbox1234box.com') });
    const handful = judgeNewDomain({ ...young, days: { current: 5, previous: 0 } }, policy, 'inbox1234box.com');
    expect(handful.deny).toBeUndefined();
    expect(handful.lowTrust).toEqual(['inbox1234box.com is a domain first seen 2 h ago, with no history here yet']);
  });

  test('an established domain, colleagues from one network, and a tenant under a day old get in (the last two with low trust)', () => {
    expect(judgeNewDomain({ ...young, age: { current: 3, baseline: 1, windows: 24 } }, policy, 'acme.example')).toEqual({ deny: undefined, lowTrust: [] });
    const office = judgeNewDomain({ ...young, network: { current: 2, previous: 0 } }, policy, 'acme.example');
    expect(office.deny).toBeUndefined();
    expect(office.lowTrust[0]).toContain('colleagues');
    const fresh = judgeNewDomain({ ...young, tenantAge: { current: 1, baseline: 0, windows: 3 } }, policy, 'acme.example');
    expect(fresh.deny).toBeUndefined();
    expect(fresh.lowTrust[0]).toContain('under a day');
  });

  test('off, or counters not asked: nothing', () => {
    expect(judgeNewDomain(young, undefined, 'x.example')).toEqual({ deny: undefined, lowTrust: [] });
    expect(judgeNewDomain({ ...young, age: undefined }, policy, 'x.example')).toEqual({ deny: undefined, lowTrust: [] });
  });
});

describe('signup-surge rule', () => {
  const policy = { windowMs: 15 * 60_000, alpha: 1 / 8, floor: 12, factor: 3, holdMs: 3_600_000 };
  const now = Date.UTC(2026, 10, 23, 12);
  const scope = (current: number, baseline: number, heldUntil?: number) => ({ label: 'from VN', rate: { current, baseline, windows: 10 }, heldUntil, holdKey: 'k', floorScale: 1 });

  test('over max(floor, factor x baseline + 3 sqrt(baseline)) is a surge: low trust and a hold written', () => {
    expect(surgeLimit(0, 12, 3)).toBe(12);
    expect(surgeLimit(16, 12, 3)).toBe(60);
    const surge = judgeSurge([scope(13, 0)], policy, now);
    expect(surge.deny).toBeUndefined();
    expect(surge.lowTrust[0]).toContain('surge of sign-ups from VN');
    expect(surge.writes).toEqual([{ key: 'k', until: now + 3_600_000, ttlMs: 3_660_000 }]);
    expect(judgeSurge([scope(12, 0)], policy, now)).toEqual({ deny: undefined, lowTrust: [], writes: [] });
  });

  test('a standing hold keeps trust low after the rise, and is not rewritten while fresh', () => {
    expect(judgeSurge([scope(2, 4, now + 1000)], policy, now).lowTrust[0]).toContain('until');
    expect(judgeSurge([scope(13, 0, now + 3_000_000)], policy, now).writes).toEqual([]);
    expect(judgeSurge([scope(13, 0)], undefined, now).lowTrust).toEqual([]);
  });
});
