/**
 * The conversion counts' keys and windows: what the decision batch counts and reads, what a
 * refusal and a verification count, and that they meet on the same keys.
 */
import { ALL_COUNTRIES, conversionOps, readConversion, refusalOps, verificationOps } from '../../shared/feedback/conversion-counts';
import { MemoryStore } from '../../shared/store/memory-store';
import { GuardKeys } from '../../shared/store/keys';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const LAG = 10 * MINUTE;
const NOW = Date.UTC(2026, 10, 23, 12, 14);
const keys = new GuardKeys('t:test');
const windowOf = (ms: number, back = 0) => Math.floor(NOW / ms) - back;

test('an SMS decision counts this OTP (hour, lag window, day; tenant-wide day) and reads the rest and the hold: 15 ops, these keys', () => {
  const ops = conversionOps(keys, { country: 'GB', channel: 'sms' }, NOW, LAG);
  const get = (what: string, span: string, ms: number, back: number) => ({ kind: 'get', key: `t:test:cty:GB:sms:conv:${what}:${span}:${windowOf(ms, back)}` });
  expect(ops).toEqual([
    { kind: 'count', key: 't:test:cty:GB:sms:conv:sent:h', window: windowOf(HOUR), ttlMs: 2 * HOUR + MINUTE },
    { kind: 'count', key: 't:test:cty:GB:sms:conv:sent:f', window: windowOf(LAG), ttlMs: 2 * LAG + MINUTE },
    { kind: 'count', key: 't:test:cty:GB:sms:conv:sent:d', window: windowOf(DAY), ttlMs: 2 * DAY + MINUTE },
    { kind: 'count', key: 't:test:cty:ALL:sms:conv:sent:d', window: windowOf(DAY), ttlMs: 2 * DAY + MINUTE },
    get('refused', 'h', HOUR, 0),
    get('refused', 'h', HOUR, 1),
    get('refused', 'f', LAG, 0),
    get('refused', 'f', LAG, 1),
    get('verified', 'h', HOUR, 0),
    get('verified', 'h', HOUR, 1),
    get('refused', 'd', DAY, 1),
    get('verified', 'd', DAY, 1),
    { kind: 'get', key: `t:test:cty:ALL:sms:conv:refused:d:${windowOf(DAY, 1)}` },
    { kind: 'get', key: `t:test:cty:ALL:sms:conv:verified:d:${windowOf(DAY, 1)}` },
    { kind: 'get', key: 't:test:cty:GB:sms:conv:hold' },
  ]);
  expect(conversionOps(keys, { country: 'GB', channel: 'voice' }, NOW, LAG)).toHaveLength(21);
});

test('refusals and verifications land on the keys a decision reads, and the tenant-wide day; a day later they are yesterday', async () => {
  const store = new MemoryStore();
  const gb = { country: 'GB', channel: 'sms' as const };
  await store.run(NOW, conversionOps(keys, gb, NOW, LAG));
  await store.run(NOW, refusalOps(keys, gb, NOW, LAG));
  await store.run(NOW, verificationOps(keys, gb, NOW));
  await store.run(NOW, verificationOps(keys, { country: 'FR', channel: 'sms' }, NOW));
  const now = readConversion(await store.run(NOW + MINUTE, conversionOps(keys, gb, NOW + MINUTE, LAG)), NOW + MINUTE, LAG);
  expect(now).toMatchObject({
    sentHours: { current: 2, previous: 0 },
    sentRecent: { current: 2, previous: 0 },
    refusedHours: { current: 1, previous: 0 },
    refusedRecent: { current: 1, previous: 0 },
    verifiedHours: { current: 1, previous: 0 },
    recentElapsedMs: 5 * MINUTE,
    yesterday: { sent: 0, refused: 0, verified: 0 },
  });
  const tomorrow = NOW + DAY;
  const later = readConversion(await store.run(tomorrow, conversionOps(keys, gb, tomorrow, LAG)), tomorrow, LAG);
  expect(later.yesterday).toEqual({ sent: 2, refused: 1, verified: 1 });
  expect(later.tenantYesterday).toEqual({ sent: 2, refused: 1, verified: 2 });
  expect(later.sentHours).toEqual({ current: 1, previous: 0 });
  expect(ALL_COUNTRIES).toBe('ALL');
});

test('voice reads its country SMS and the tenant SMS yesterday too', async () => {
  const store = new MemoryStore();
  await store.run(NOW, verificationOps(keys, { country: 'GB', channel: 'sms' }, NOW));
  const tomorrow = NOW + DAY;
  const voice = readConversion(await store.run(tomorrow, conversionOps(keys, { country: 'GB', channel: 'voice' }, tomorrow, LAG)), tomorrow, LAG);
  expect(voice.countrySmsYesterday).toEqual({ sent: 0, refused: 0, verified: 1 });
  expect(voice.tenantSmsYesterday).toEqual({ sent: 0, refused: 0, verified: 1 });
  expect(voice.yesterday).toEqual({ sent: 0, refused: 0, verified: 0 });
});
