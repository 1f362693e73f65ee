import { type Secrets } from '../../shared/config/static-policy';
import { formatWindowLimit, type WindowLimit } from '../../shared/config/dynamic-policy';
import type { Counters, DynamicFacts, DynamicRuleContext, WindowCount } from '../../shared/engine/dynamic-types';
import type { Channel } from '../../shared/engine/types';
import { SERVICE_CAP_RULE, checkServiceCap } from '../../shared/rules/service-cap';
import { GuardKeys } from '../../shared/store/keys';
import { NUMBERS, factsFor } from '../support/facts';
import { countersWith, dynamicFactsFor, policyOf } from '../support/dynamic-context';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The first millisecond of an hour window. */
const NOW = Date.UTC(2026, 10, 23, 12);
const keys = new GuardKeys('t:test');



function check(counters: Partial<Counters>, options: { channel?: Channel; secrets?: Secrets; now?: number } = {}) {
  const facts = factsFor(NUMBERS.US, { now: options.now ?? NOW, channel: options.channel ?? 'sms' });
  const input: DynamicFacts = dynamicFactsFor(facts);
  const context: DynamicRuleContext = { input, counters: countersWith(counters), policy: policyOf(options.secrets), keys };
  return checkServiceCap(context);
}

const n = (current: number, previous = 0): WindowCount => ({ current, previous });
/** The shipped caps (pinned in dynamic-policy.test.ts); the tests below follow them. */
const SMS_CAP = policyOf().serviceCap.sms as WindowLimit;
const VOICE_CAP = policyOf().serviceCap.voice as WindowLimit;
const iso = (ms: number) => new Date(ms).toISOString();

describe('service-cap', () => {
  test('the shipped caps are hourly, voice far below SMS', () => {
    expect(SMS_CAP.windowMs).toBe(HOUR);
    expect(VOICE_CAP.windowMs).toBe(HOUR);
    expect(VOICE_CAP.max).toBeLessThan(SMS_CAP.max);
  });

  test('under and exactly at the SMS cap passes', () => {
    expect(check({ service: n(1) })).toBeUndefined();
    expect(check({ service: n(SMS_CAP.max) })).toBeUndefined();
  });

  test('over the SMS cap blocks and records a 24 h tenant-wide SMS lock with an incident', () => {
    const over = SMS_CAP.max + 1;
    const outcome = check({ service: n(over) });
    const until = NOW + 24 * HOUR;
    expect(outcome?.finding.rule).toBe(SERVICE_CAP_RULE);
    expect(outcome?.finding.effect).toBe('block');
    expect(outcome?.finding.reason).toContain(`${over} attempts of sms tenant-wide, over the limit of ${formatWindowLimit(SMS_CAP)}`);
    expect(outcome?.finding.reason).toContain(`sms locked until ${iso(until)}`);
    expect(outcome?.writes).toHaveLength(1);
    const write = outcome?.writes?.[0];
    expect(write?.key).toBe(keys.serviceLock('sms'));
    expect(write?.key).toBe('t:test:svc:sms:lock');
    expect(write?.until).toBe(until);
    expect(write?.ttlMs).toBeGreaterThanOrEqual(24 * HOUR);
    expect(write?.incident).toContain('service cap tripped');
    expect(write?.incident).toContain('sms');
  });

  test('the cap uses the sliding estimate: 0.6 cap now + 0.9 cap in the previous hour is over half way through, under at 3/4', () => {
    const count = n(Math.round(0.6 * SMS_CAP.max), Math.round(0.9 * SMS_CAP.max));
    // 0.6 + 0.9 x 0.5 = 1.05 caps
    expect(check({ service: count }, { now: NOW + 30 * MINUTE })?.writes?.[0]?.until).toBe(NOW + 30 * MINUTE + 24 * HOUR);
    // 0.6 + 0.9 x 0.25 = 0.825 caps
    expect(check({ service: count }, { now: NOW + 45 * MINUTE })).toBeUndefined();
  });

  test('while the lock holds, every attempt on that channel is blocked, even with a tiny count', () => {
    const lockUntil = NOW + 3 * HOUR;
    for (const service of [n(1), n(0), undefined]) {
      const outcome = check({ serviceLockUntil: lockUntil, service });
      expect(outcome?.finding).toEqual({
        rule: SERVICE_CAP_RULE,
        effect: 'block',
        reason: `sms is locked tenant-wide until ${iso(lockUntil)} (service cap tripped)`,
      });
      expect(outcome?.writes ?? []).toEqual([]);
    }
  });

  test('a lock that has run out no longer blocks (the clock decides, not a key expiry)', () => {
    expect(check({ serviceLockUntil: NOW, service: n(1) })).toBeUndefined();
    expect(check({ serviceLockUntil: NOW - 1, service: n(1) })).toBeUndefined();
    expect(check({ serviceLockUntil: NOW + 1, service: n(1) })).toBeDefined();
  });

  test('the voice cap is separate from the SMS cap', () => {
    const over = VOICE_CAP.max + 1;
    expect(check({ service: n(VOICE_CAP.max) }, { channel: 'voice' })).toBeUndefined();
    const voice = check({ service: n(over) }, { channel: 'voice' });
    expect(voice?.finding.reason).toContain(`${over} attempts of voice tenant-wide, over the limit of ${formatWindowLimit(VOICE_CAP)}`);
    expect(voice?.writes?.map((write) => write.key)).toEqual([keys.serviceLock('voice')]);
    expect(voice?.writes?.[0]?.incident).toContain('voice');
    // the same count on SMS is under its own cap
    expect(check({ service: n(over) }, { channel: 'sms' })).toBeUndefined();
    expect(keys.serviceLock('voice')).not.toBe(keys.serviceLock('sms'));
  });

  test('GUARD_SERVICE_CAP_LOCKOUT=2h locks for 2 hours', () => {
    const outcome = check({ service: n(SMS_CAP.max + 1) }, { secrets: { GUARD_SERVICE_CAP_LOCKOUT: '2h' } });
    expect(outcome?.writes?.[0]?.until).toBe(NOW + 2 * HOUR);
    expect(outcome?.writes?.[0]?.ttlMs).toBeGreaterThanOrEqual(2 * HOUR);
    expect(outcome?.finding.reason).toContain(`sms locked until ${iso(NOW + 2 * HOUR)}`);
  });

  test('configured caps replace the defaults (1000/1h SMS, 100/1h voice), and off disables a channel\'s cap', () => {
    const secrets = { GUARD_SERVICE_CAP_SMS: '1000/1h', GUARD_SERVICE_CAP_VOICE: '100/1h' };
    expect(check({ service: n(1000) }, { secrets })).toBeUndefined();
    expect(check({ service: n(1001) }, { secrets })?.finding.reason).toContain('over the limit of 1000/1h');
    expect(check({ service: n(100) }, { secrets, channel: 'voice' })).toBeUndefined();
    expect(check({ service: n(101) }, { secrets, channel: 'voice' })?.finding.reason).toContain('over the limit of 100/1h');
    expect(check({ service: n(11) }, { secrets: { GUARD_SERVICE_CAP_SMS: '10/15m' } })?.finding.reason).toContain('10/15m');
    expect(check({ service: n(1_000_000) }, { secrets: { GUARD_SERVICE_CAP_SMS: 'off' } })).toBeUndefined();
    expect(check({ service: n(1_000_000) }, { channel: 'voice', secrets: { GUARD_SERVICE_CAP_VOICE: 'off' } })).toBeUndefined();
  });
});
