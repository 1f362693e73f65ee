/** The key-growth bench: its flood, its key families, its ledger of the embedded store, and that a flood's keys go once their TTLs pass. */
import { parsePhoneNumber } from 'libphonenumber-js/max';
import {
  AFTER_FLOOD,
  FLOOD_COUNTRIES,
  KeyLedgerStore,
  countByFamily,
  floodOnMemory,
  floodSends,
  floodSizes,
  keyFamily,
  keyGrowthSections,
} from '../../scripts/bench/key-growth';
import { renderSection } from '../../scripts/bench/format';

const HOUR = 3_600_000;

test('key families: values become *, window indices go, IPv6 stays one key, enrolments name their user', () => {
  const cases: Array<[string, string]> = [
    ['p:t:num:4915123456789:w:493012', 'num:*:w'],
    ['p:t:num:4915123456789:streak', 'num:*:streak'],
    ['p:t:num:4915123456789:sent:493012', 'num:*:sent'],
    ['p:t:num:4915123456789:enrol:Zm9vYmFy:12', 'num:*:enrol:*'],
    ['p:t:num:4915123456789:proof', 'num:*:proof'],
    ['p:t:rng:4474001:rate', 'rng:*:rate'],
    ['p:t:rng:4474001:voice:rate', 'rng:*:voice:rate'],
    ['p:t:rng:447400:block', 'rng:*:block'],
    ['p:t:cty:NG:voice:rate', 'cty:*:voice:rate'],
    ['p:t:cty:NG:proofs:20', 'cty:*:proofs'],
    ['p:t:ip:2001:db8::1:493012', 'ip:*'],
    ['p:t:net:198.51.100.0/24:493012', 'net:*'],
    ['p:t:user:aGFzaGVk:493012', 'user:*'],
    ['p:t:svc:sms:w:493012', 'svc:sms:w'],
    ['p:t:svc:all:rate', 'svc:all:rate'],
    ['other:t:num:1:w', 'other'],
  ];
  for (const [key, family] of cases) expect([key, keyFamily(key, 'p')]).toEqual([key, family]);
  expect(Object.fromEntries(countByFamily(['p:t:ip:1.2.3.4:1', 'p:t:ip:1.2.3.5:1', 'p:t:svc:all:rate'], 'p'))).toEqual({ 'ip:*': 2, 'svc:all:rate': 1 });
});

test('the flood: distinct valid numbers over many countries and ranges, new users and IPs, evenly over its span, the same for a seed', () => {
  const options = { seed: 3, startAt: Date.UTC(2031, 0, 1), spanMs: 2 * HOUR, voiceShare: 0.2, enrolmentShare: 0.7 };
  const sends = floodSends(2000, options);
  expect(sends).toHaveLength(2000);
  expect(new Set(sends.map((send) => send.recipient)).size).toBe(2000);
  expect(new Set(sends.map((send) => send.userId)).size).toBe(2000);
  expect(new Set(sends.map((send) => send.ip)).size).toBeGreaterThan(1990);
  const countries = new Set(sends.map((send) => parsePhoneNumber(send.recipient).country));
  // Regions sharing a calling code (+1, +7, +44...) can parse as their main country: most, not all, show.
  expect(countries.size).toBeGreaterThan(FLOOD_COUNTRIES.length * 0.8);
  // Ranges: the number without its last four digits.
  expect(new Set(sends.map((send) => send.recipient.slice(0, -4))).size).toBeGreaterThan(1800);
  expect(sends.every((send) => parsePhoneNumber(send.recipient).isValid())).toBe(true);
  expect(sends[0]!.at).toBe(options.startAt);
  expect(sends.at(-1)!.at).toBeLessThan(options.startAt + options.spanMs);
  expect(sends.every((send, index) => index === 0 || send.at >= sends[index - 1]!.at)).toBe(true);
  const voice = sends.filter((send) => send.channel === 'voice').length / sends.length;
  const enrolments = sends.filter((send) => send.action === 'enrollment').length / sends.length;
  expect(voice).toBeGreaterThan(0.15);
  expect(voice).toBeLessThan(0.25);
  expect(enrolments).toBeGreaterThan(0.65);
  expect(enrolments).toBeLessThan(0.75);
  expect(floodSends(50, options)).toEqual(sends.slice(0, 50).map((send, index) => ({ ...send, at: options.startAt + Math.floor((index * options.spanMs) / 50) })));
});

test('the ledger store answers as the MemoryStore and knows which keys live, expiring them with the clock', async () => {
  let now = Date.UTC(2031, 0, 1);
  const store = new KeyLedgerStore(() => now);
  const results = await store.run(now, [
    { kind: 'count', key: 'p:t:num:1:w', window: 7, ttlMs: 2 * HOUR },
    { kind: 'streak', key: 'p:t:num:1:streak', resetMs: 900_000, ttlMs: 960_000 },
    { kind: 'get', key: 'p:t:num:1:proof' },
  ]);
  expect(results[0]).toEqual({ kind: 'count', current: 1, previous: 0 });
  await store.raiseUntil([{ key: 'p:t:rng:1:block', until: now + HOUR, ttlMs: HOUR }]);
  await store.raiseUntil([{ key: 'p:t:rng:1:block', until: now + 1, ttlMs: 10 * HOUR }]); // lower: nothing written
  await store.put('p:t:lookup:1', '{}', 3 * HOUR);
  expect(store.liveKeys().sort()).toEqual(['p:t:lookup:1', 'p:t:num:1:streak', 'p:t:num:1:w:7', 'p:t:rng:1:block']);
  now += 30 * 60_000;
  expect(store.liveKeys().sort()).toEqual(['p:t:lookup:1', 'p:t:num:1:w:7', 'p:t:rng:1:block']);
  now += 2 * HOUR;
  expect(store.liveKeys()).toEqual(['p:t:lookup:1']);
  expect(store.writtenKeys()).toHaveLength(4);
});

test('a replayed batch writes no key (the retry token was taken)', async () => {
  const now = Date.UTC(2031, 0, 1);
  const store = new KeyLedgerStore(() => now);
  await store.put('p:t:retry:n', '1', HOUR);
  await store.run(now, [
    { kind: 'retry', key: 'p:t:retry:n' },
    { kind: 'count', key: 'p:t:num:1:w', window: 7, ttlMs: 2 * HOUR },
  ]);
  expect(store.liveKeys()).toEqual(['p:t:retry:n']);
});

test('a small flood through the send pipeline leaves keys of every per-value family, and none once their TTLs have passed', async () => {
  const sends = floodSends(300, { seed: 5, startAt: Date.UTC(2031, 0, 1), spanMs: HOUR, voiceShare: 0.2, enrolmentShare: 1 });
  const memory = await floodOnMemory(sends, new Set([100, 300]), 100);
  expect(memory.tally.decisions).toBe(300);
  expect(memory.tally.outcomes['no decision line']).toBeUndefined();
  const labels = memory.counts.map((count) => count.label);
  expect(labels).toEqual(['after 100', 'after 300', ...AFTER_FLOOD.map(([label]) => label)]);
  const end = memory.counts[1]!;
  for (const family of ['num:*:w', 'num:*:sent', 'num:*:streak', 'num:*:enrol:*', 'user:*', 'ip:*', 'net:*', 'rng:*:rate']) {
    expect([family, end.families[family] ?? 0]).toEqual([family, expect.any(Number)]);
    expect(end.families[family]).toBeGreaterThan(0);
  }
  // One of each per-decision family per decision at most.
  expect(end.families['num:*:w']).toBeLessThanOrEqual(300);
  expect(memory.writtenAtRedisSize?.families['num:*:w']).toBe(100);
  const after = Object.fromEntries(memory.counts.map((count) => [count.label, count.total]));
  expect(after['+4 d']).toBe(end.families['num:*:enrol:*']); // only the 60-day enrolment markers are left
  expect(after['+61 d']).toBe(0);
  const sections = keyGrowthSections(memory, 'skipped: no redis-server', sends);
  expect(sections).toHaveLength(2);
  expect(renderSection(sections[0]!)).toContain('| all keys ');
  expect(sections[1]!.rows).toEqual([['Redis figures', 'skipped: no redis-server']]);
});

test('flood sizes come from the environment, with a clear error for a bad value', () => {
  expect(floodSizes({})).toEqual({ decisions: 100_000, redis: 10_000 });
  expect(floodSizes({ BENCH_FLOOD_DECISIONS: '5000', BENCH_FLOOD_REDIS: '9000' })).toEqual({ decisions: 5000, redis: 5000 });
  expect(() => floodSizes({ BENCH_FLOOD_DECISIONS: '1e5x' })).toThrow('BENCH_FLOOD_DECISIONS must be a whole number from 1 to 1 000 000, not "1e5x"');
  expect(() => floodSizes({ BENCH_FLOOD_REDIS: '0' })).toThrow('BENCH_FLOOD_REDIS');
});
