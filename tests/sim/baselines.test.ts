/** The baselines compute what they claim, on tiny hand-made traffic. */
import { auth0Builtin, disposableList, ipThrottle, runSendBaseline, runSignupBaseline, staticGeo, type SendLike } from '../../scripts/sim/baselines';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 2, 10);
const sms = (at: number, userId: string, country = 'US'): SendLike => ({ at, channel: 'sms', country, userId });

test('auth0-builtin: the 11th OTP of one user within a sliding hour is refused, the next hour is free again', () => {
  const events = [...Array.from({ length: 11 }, (_, i) => sms(T0 + i * 60_000, 'u1')), sms(T0 + 11 * 60_000, 'u2'), sms(T0 + HOUR + 11 * 60_000, 'u1')];
  expect(auth0Builtin(events)).toEqual([...Array(10).fill(false), true, false, false]);
});

test('auth0-builtin: the service cap locks every user out for its lockout once the hour count passes it', () => {
  const cap = { max: 3, windowMs: HOUR, lockoutMs: 24 * HOUR };
  const events = [sms(T0, 'a'), sms(T0 + 1, 'b'), sms(T0 + 2, 'c'), sms(T0 + 3, 'd'), sms(T0 + 5 * HOUR, 'e'), sms(T0 + 3 + 24 * HOUR, 'f')];
  expect(auth0Builtin(events, { max: 10, windowMs: HOUR }, cap)).toEqual([false, false, false, true, true, false]);
});

test('static-geo refuses the SMS tier, and for voice the tier plus its voice extras', () => {
  const events: SendLike[] = [sms(T0, 'a', 'PH'), sms(T0, 'a', 'US'), sms(T0, 'a', 'LV'), { at: T0, channel: 'voice', country: 'LV', userId: 'a' }, { at: T0, channel: 'voice', country: 'DE', userId: 'a' }];
  expect(staticGeo(events)).toEqual([true, false, false, true, false]);
  expect(runSendBaseline('none', events)).toEqual([false, false, false, false, false]);
});

test('ip-throttle is a token bucket per address', () => {
  const throttle = { maxAttempts: 2, rateMs: 1000 };
  const at = (ms: number, ip = '203.0.113.5') => ({ at: T0 + ms, ip, email: 'x@example.com' });
  expect(ipThrottle([at(0), at(1), at(2), at(3, '203.0.113.6'), at(1100), at(1200)], throttle)).toEqual([false, false, true, false, false, true]);
});

test('disposable-list refuses listed domains and their subdomains, nothing else', () => {
  const events = ['a@mailinator.com', 'b@x.mailinator.com', 'c@gmail.com', 'd@inbox1234now.xyz', 'E@MailInator.COM', '"f@g"@mailinator.com', '"h@mailinator.com"@gmail.com'].map((email) => ({ at: T0, ip: '198.51.100.1', email }));
  expect(disposableList(events)).toEqual([true, true, false, false, true, true, false]);
  expect(runSignupBaseline('none', events)).toEqual(events.map(() => false));
});
