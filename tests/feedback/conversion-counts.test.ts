/**
 * The conversion counts' keys and windows: what the decision batch counts and reads, what a
 * refusal and a verification count, and that they meet on the same keys.
 */
import { ALL_COUNTRIES, conversionOps, readConversion, refusalOps, sentOps, verificationOps } from '../../shared/feedback/conversion-counts';
import { MemoryStore } from '../../shared/store/memory-store';
import { GuardKeys } from '../../shared/store/keys';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const LAG = 10 * MINUTE;
const NOW = Date.UTC(2026, 10, 23, 12, 14);
const keys = new GuardKeys('t:test');
const windowOf = (ms: number, back = 0) => Math.floor(NOW / ms) - back;

test('an SMS decision counts this OTP (hour, lag window, day; tenant-wide day) and reads the rest, the hold, today\'s refused and verified and the domestic attempts: 21 ops, these keys', () => {
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
    get('refused', 'd', DAY, 0),
    get('verified', 'd', DAY, 0),
    get('dom', 'f', LAG, 0),
    get('dom', 'f', LAG, 1),
    get('dom', 'h', HOUR, 0),
    get('dom', 'h', HOUR, 1),
  ]);
  expect(conversionOps(keys, { country: 'GB', channel: 'voice' }, NOW, LAG)).toHaveLength(28);
  // A request from inside GB counts its attempt there instead of reading the counts: two ops.
  const domestic = conversionOps(keys, { country: 'GB', channel: 'sms', domestic: true }, NOW, LAG);
  expect(domestic.slice(0, 17)).toEqual(ops.slice(0, 17));
  expect(domestic.slice(17)).toEqual([
    { kind: 'count', key: 't:test:cty:GB:sms:conv:dom:f', window: windowOf(LAG), ttlMs: 2 * LAG + MINUTE },
    { kind: 'count', key: 't:test:cty:GB:sms:conv:dom:h', window: windowOf(HOUR), ttlMs: 2 * HOUR + MINUTE },
  ]);
});

test('the domestic attempts: counted by a request from inside the country (in the batch, or with its sent when the batch peeked), read by any other', async () => {
  const store = new MemoryStore();
  const gb = { country: 'GB', channel: 'sms' as const };
  const fromGb = { ...gb, domestic: true };
  await store.run(NOW, conversionOps(keys, fromGb, NOW, LAG));
  await store.run(NOW, conversionOps(keys, fromGb, NOW, LAG, 'peek'));
  await store.run(NOW, conversionOps(keys, { country: 'NG', channel: 'sms', domestic: true }, NOW, LAG, 'read'));
  // The peeked one is counted with its sent once admitted (or refused).
  await store.run(NOW, sentOps(keys, fromGb, NOW, LAG));
  // Read from abroad: the two domestic attempts to GB, not this one; the NG one is NG's.
  expect(readConversion(await store.run(NOW, conversionOps(keys, gb, NOW, LAG)), NOW, LAG).domesticRecent).toEqual({ current: 2, previous: 0 });
  const voiceFromAbroad = readConversion(await store.run(NOW, conversionOps(keys, { country: 'GB', channel: 'voice' }, NOW, LAG)), NOW, LAG);
  expect(voiceFromAbroad.domesticRecent).toEqual({ current: 0, previous: 0 });
  expect(voiceFromAbroad.countrySmsYesterday).toEqual({ sent: 0, refused: 0, verified: 0 });
  // Counted at home: this one is the third; a lag later it is the previous window's.
  expect(readConversion(await store.run(NOW, conversionOps(keys, fromGb, NOW, LAG)), NOW, LAG, 'count', true).domesticRecent).toEqual({ current: 3, previous: 0 });
  expect(readConversion(await store.run(NOW + LAG, conversionOps(keys, gb, NOW + LAG, LAG)), NOW + LAG, LAG).domesticRecent).toEqual({ current: 0, previous: 3 });
  // A peeked one reads as counted, like its sent.
  const voiceAtHome = readConversion(await store.run(NOW, conversionOps(keys, { country: 'GB', channel: 'voice', domestic: true }, NOW, LAG, 'peek')), NOW, LAG, 'peek', true);
  expect(voiceAtHome.domesticRecent).toEqual({ current: 1, previous: 0 });
  expect(voiceAtHome.countrySmsYesterday).toEqual({ sent: 0, refused: 0, verified: 0 });
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

/** Two stores that each counted one OTP an hour ago, and its verification: one to count in, one to read or peek in. */
async function twoStoresWithAnHourAgo(scope: { country: string; channel: 'sms' }): Promise<[MemoryStore, MemoryStore]> {
  const stores: [MemoryStore, MemoryStore] = [new MemoryStore(), new MemoryStore()];
  for (const store of stores) {
    await store.run(NOW - HOUR, conversionOps(keys, scope, NOW - HOUR, LAG));
    await store.run(NOW - HOUR, verificationOps(keys, scope, NOW - HOUR));
  }
  return stores;
}

test("a tier country's OTP is read, not counted: it reads as this OTP counted, and sentOps afterwards leaves the store as a counting batch would", async () => {
  const ng = { country: 'NG', channel: 'sms' as const };
  const [counting, reading] = await twoStoresWithAnHourAgo(ng);
  const readOps = conversionOps(keys, ng, NOW, LAG, 'read');
  expect(readOps).toHaveLength(26);
  expect(readOps.filter((op) => op.kind !== 'get').map((op) => op.key)).toEqual(['t:test:cty:NG:sms:conv:tried:h', 't:test:cty:NG:sms:conv:tried:f']);
  const counted = readConversion(await counting.run(NOW, conversionOps(keys, ng, NOW, LAG)), NOW, LAG);
  const read = readConversion(await reading.run(NOW, readOps), NOW, LAG, 'read');
  const { triedHours, triedRecent, ...readCounts } = read;
  expect(readCounts).toEqual(counted);
  // The attempts, refused ones included, are what a pace is measured on.
  expect(triedHours).toEqual({ current: 1, previous: 0 });
  expect(triedRecent).toEqual({ current: 1, previous: 0 });
  expect(read.today).toEqual({ sent: 2, refused: 0, verified: 1 });
  // Admitted: counted now; the next decision reads the same in both stores.
  await reading.run(NOW, sentOps(keys, ng, NOW, LAG));
  const next = NOW + MINUTE;
  expect(readConversion(await reading.run(next, conversionOps(keys, ng, next, LAG)), next, LAG)).toEqual(readConversion(await counting.run(next, conversionOps(keys, ng, next, LAG)), next, LAG));
  // Refused: nothing was counted, so nothing needs a refusal count.
  expect(readConversion(await new MemoryStore().run(NOW, readOps), NOW, LAG, 'read').sentHours).toEqual({ current: 1, previous: 0 });
});

test("a likely factor's OTP outside the tier is peeked at: the counts read as if counted, with no attempt counted and nothing written", async () => {
  const gb = { country: 'GB', channel: 'sms' as const };
  const [counting, peeking] = await twoStoresWithAnHourAgo(gb);
  const peekOps = conversionOps(keys, gb, NOW, LAG, 'peek');
  expect(peekOps).toHaveLength(24);
  expect(peekOps.every((op) => op.kind === 'get')).toBe(true);
  const counted = readConversion(await counting.run(NOW, conversionOps(keys, gb, NOW, LAG)), NOW, LAG);
  const peeked = readConversion(await peeking.run(NOW, peekOps), NOW, LAG, 'peek');
  expect(peeked).toEqual(counted);
  expect(peeked.triedHours).toBeUndefined();
  // Nothing was written: a second peek reads the same.
  expect(readConversion(await peeking.run(NOW, peekOps), NOW, LAG, 'peek')).toEqual(peeked);
  // Voice reads the SMS yesterdays after the peeked section too.
  const voice = readConversion(await peeking.run(NOW + DAY, conversionOps(keys, { country: 'GB', channel: 'voice' }, NOW + DAY, LAG, 'peek')), NOW + DAY, LAG, 'peek');
  expect(voice.countrySmsYesterday).toEqual({ sent: 1, refused: 0, verified: 1 });
});

test("voice reads the same country's SMS hold; SMS reads none", async () => {
  const store = new MemoryStore();
  const voiceFirst = readConversion(await store.run(NOW, conversionOps(keys, { country: 'GB', channel: 'voice' }, NOW, LAG)), NOW, LAG);
  expect(voiceFirst.smsHoldUntil).toBe(0);
  await store.raiseUntil([{ key: keys.conversionHold('GB', 'sms'), until: NOW + HOUR, ttlMs: 2 * HOUR }]);
  const voice = readConversion(await store.run(NOW, conversionOps(keys, { country: 'GB', channel: 'voice' }, NOW, LAG)), NOW, LAG);
  expect(voice.smsHoldUntil).toBe(NOW + HOUR);
  expect(voice.holdUntil).toBe(0);
  const sms = readConversion(await store.run(NOW, conversionOps(keys, { country: 'GB', channel: 'sms' }, NOW, LAG)), NOW, LAG);
  expect(sms.smsHoldUntil).toBeUndefined();
  expect(sms.holdUntil).toBe(NOW + HOUR);
});
