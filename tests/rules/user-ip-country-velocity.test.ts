import { type Secrets } from '../../shared/config/static-policy';
import { formatWindowLimit, type WindowLimit } from '../../shared/config/dynamic-policy';
import type { Counters, DynamicFacts, DynamicRuleContext, WindowCount } from '../../shared/engine/dynamic-types';
import { COUNTRY_VELOCITY_RULE, checkCountryVelocity } from '../../shared/rules/country-velocity';
import { IP_VELOCITY_RULE, checkIpVelocity } from '../../shared/rules/ip-velocity';
import { USER_VELOCITY_RULE, checkUserVelocity } from '../../shared/rules/user-velocity';
import { GuardKeys } from '../../shared/store/keys';
import { NUMBERS, factsFor } from '../support/facts';
import { countersWith, dynamicFactsFor, policyOf } from '../support/dynamic-context';

/** The first millisecond of an hour window: the previous window would count in full, so tests keep it 0. */
const NOW = Date.UTC(2026, 10, 23, 12);



function contextFor(
  counters: Partial<Counters>,
  options: { secrets?: Secrets; appMetadata?: Record<string, unknown>; recipient?: string } = {},
): DynamicRuleContext {
  const facts = factsFor(options.recipient ?? NUMBERS.US, { now: NOW, appMetadata: options.appMetadata ?? {} });
  const input: DynamicFacts = dynamicFactsFor(facts);
  return { input, counters: countersWith(counters), policy: policyOf(options.secrets ?? {}), keys: new GuardKeys('t:test') };
}

const n = (current: number): WindowCount => ({ current, previous: 0 });
const LOW_TRUST = { tollguard: { trust: 'low' } };

describe('user-velocity', () => {
  test('a standard user may have 10 per hour; the 11th is refused', () => {
    expect(checkUserVelocity(contextFor({ user: n(10) }))).toBeUndefined();
    expect(checkUserVelocity(contextFor({ user: n(11) }))?.finding).toEqual({
      rule: USER_VELOCITY_RULE,
      effect: 'block',
      reason: '11 attempts for this user, over the limit of 10/1h',
    });
  });

  test('app_metadata.tollguard.trust = low is read as a low-trust user', () => {
    expect(contextFor({}, { appMetadata: LOW_TRUST }).input.trust).toBe('low');
    expect(contextFor({}, { appMetadata: { tollguard: { trust: 'standard' } } }).input.trust).toBe('standard');
    expect(contextFor({}).input.trust).toBeUndefined();
  });

  test('a low-trust user is refused at the 5th attempt (4/1h), while a standard user at 5 passes', () => {
    expect(checkUserVelocity(contextFor({ user: n(4) }, { appMetadata: LOW_TRUST }))).toBeUndefined();
    expect(checkUserVelocity(contextFor({ user: n(5) }, { appMetadata: LOW_TRUST }))?.finding).toEqual({
      rule: USER_VELOCITY_RULE,
      effect: 'block',
      reason: '5 attempts for this low-trust user, over the limit of 4/1h',
    });
    expect(checkUserVelocity(contextFor({ user: n(5) }))).toBeUndefined();
    expect(checkUserVelocity(contextFor({ user: n(5) }, { appMetadata: { tollguard: { trust: 'standard' } } }))).toBeUndefined();
  });

  test('high-trust users get the standard limit', () => {
    const high = { appMetadata: { tollguard: { trust: 'high' } } };
    expect(checkUserVelocity(contextFor({ user: n(10) }, high))).toBeUndefined();
    expect(checkUserVelocity(contextFor({ user: n(11) }, high))).toBeDefined();
  });

  test('the limits are configurable', () => {
    const secrets = { GUARD_LIMIT_USER: '3/1h', GUARD_LIMIT_USER_LOW_TRUST: '1/1h' };
    expect(checkUserVelocity(contextFor({ user: n(4) }, { secrets }))?.finding.reason).toContain('3/1h');
    expect(checkUserVelocity(contextFor({ user: n(2) }, { secrets, appMetadata: LOW_TRUST }))?.finding.reason).toContain('1/1h');
  });

  test('GUARD_LIMIT_USER=off lifts the standard limit', () => {
    expect(checkUserVelocity(contextFor({ user: n(10_000) }, { secrets: { GUARD_LIMIT_USER: 'off' } }))).toBeUndefined();
  });

  test('a user may enrol 3 new numbers a day (GUARD_LIMIT_USER_NUMBERS); the 4th is refused, naming the limit', () => {
    const numbers = (current: number) => ({ current, baseline: 0, windows: 0 });
    expect(checkUserVelocity(contextFor({ userNumbers: numbers(3) }))).toBeUndefined();
    const fourth = checkUserVelocity(contextFor({ userNumbers: numbers(4) }));
    expect(fourth?.finding).toMatchObject({ rule: USER_VELOCITY_RULE, effect: 'block', reason: '4 new numbers enrolled by this user, over the limit of 3/1d' });
    expect(checkUserVelocity(contextFor({ userNumbers: numbers(4) }, { secrets: { GUARD_LIMIT_USER_NUMBERS: 'off' } }))).toBeUndefined();
  });

  test('no user counter (no user id) means no finding', () => {
    expect(checkUserVelocity(contextFor({}, { appMetadata: LOW_TRUST }))).toBeUndefined();
  });
});

describe('ip-velocity', () => {
  /** The shipped limits (pinned in dynamic-policy.test.ts): per IP, and a wider one per subnet. */
  const IP = policyOf().limits.ip as WindowLimit;
  const SUBNET = policyOf().limits.subnet as WindowLimit;

  test('the subnet limit is the wider one', () => {
    expect(SUBNET.max).toBeGreaterThan(IP.max);
  });

  test('up to the IP limit passes; one more is refused with a reason naming the IP limit', () => {
    expect(checkIpVelocity(contextFor({ ip: n(IP.max), subnet: n(IP.max) }))).toBeUndefined();
    expect(checkIpVelocity(contextFor({ ip: n(IP.max + 1), subnet: n(IP.max + 1) }))?.finding).toEqual({
      rule: IP_VELOCITY_RULE,
      effect: 'block',
      reason: `${IP.max + 1} attempts from this IP, over the limit of ${formatWindowLimit(IP)}`,
    });
  });

  test('up to the subnet limit passes; one more is refused with a reason naming the subnet', () => {
    expect(checkIpVelocity(contextFor({ ip: n(2), subnet: n(SUBNET.max) }))).toBeUndefined();
    expect(checkIpVelocity(contextFor({ ip: n(2), subnet: n(SUBNET.max + 1) }))?.finding).toEqual({
      rule: IP_VELOCITY_RULE,
      effect: 'block',
      reason: `${SUBNET.max + 1} attempts from this subnet, over the limit of ${formatWindowLimit(SUBNET)}`,
    });
  });

  test('configured limits: GUARD_LIMIT_IP=30/1h, GUARD_LIMIT_SUBNET=120/1h', () => {
    const secrets = { GUARD_LIMIT_IP: '30/1h', GUARD_LIMIT_SUBNET: '120/1h' };
    expect(checkIpVelocity(contextFor({ ip: n(30), subnet: n(120) }, { secrets }))).toBeUndefined();
    expect(checkIpVelocity(contextFor({ ip: n(31), subnet: n(31) }, { secrets }))?.finding.reason).toBe('31 attempts from this IP, over the limit of 30/1h');
    expect(checkIpVelocity(contextFor({ ip: n(1), subnet: n(121) }, { secrets }))?.finding.reason).toBe('121 attempts from this subnet, over the limit of 120/1h');
  });

  test('when both are over, the IP reason is given', () => {
    expect(checkIpVelocity(contextFor({ ip: n(SUBNET.max + 1), subnet: n(SUBNET.max + 1) }))?.finding.reason).toContain('from this IP');
  });

  test('GUARD_LIMIT_IP=off keeps the subnet limit, and the other way round', () => {
    const ipOff = { secrets: { GUARD_LIMIT_IP: 'off' } };
    const subnetOff = { secrets: { GUARD_LIMIT_SUBNET: 'off' } };
    expect(checkIpVelocity(contextFor({ ip: n(SUBNET.max), subnet: n(SUBNET.max) }, ipOff))).toBeUndefined();
    expect(checkIpVelocity(contextFor({ ip: n(SUBNET.max), subnet: n(SUBNET.max + 1) }, ipOff))?.finding.reason).toContain('subnet');
    expect(checkIpVelocity(contextFor({ ip: n(IP.max + 1), subnet: n(100_000) }, subnetOff))?.finding.reason).toContain('from this IP');
    expect(checkIpVelocity(contextFor({ ip: n(IP.max), subnet: n(100_000) }, subnetOff))).toBeUndefined();
  });

  test('no IP counters (no IP, or an allowed network zone) means no finding', () => {
    expect(checkIpVelocity(contextFor({}))).toBeUndefined();
  });
});

describe('country-velocity', () => {
  test('off by default: any count passes', () => {
    expect(policyOf().limits.country).toBeUndefined();
    expect(checkCountryVelocity(contextFor({ country: n(1_000_000) }))).toBeUndefined();
  });

  test('GUARD_LIMIT_COUNTRY=50/1h: 50 pass, the 51st is refused with the country named', () => {
    const secrets = { GUARD_LIMIT_COUNTRY: '50/1h' };
    expect(checkCountryVelocity(contextFor({ country: n(50) }, { secrets }))).toBeUndefined();
    expect(checkCountryVelocity(contextFor({ country: n(51) }, { secrets }))?.finding).toEqual({
      rule: COUNTRY_VELOCITY_RULE,
      effect: 'block',
      reason: '51 attempts to US, over the limit of 50/1h',
    });
    expect(checkCountryVelocity(contextFor({ country: n(51) }, { secrets, recipient: NUMBERS.DE }))?.finding.reason).toContain('to DE');
  });
});
