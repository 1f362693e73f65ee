/** How the bench reads the requests of a decision off the wire, and how it prints the per-path table. */
import { batchShape, describeRequest, storePathSections, type PathRow } from '../../scripts/bench/store-paths';
import { renderSection } from '../../scripts/bench/format';
import type { StoreOp } from '../../shared/store/counter-store';
import { BATCH_SCRIPT, RAISE_UNTIL_SCRIPT, sha1 } from '../../shared/store/lua-scripts';
import { encodeBatch } from '../../shared/store/upstash-store';
import { compactLua } from '../../scripts/lib/lua-compact';

const OPS: StoreOp[] = [
  { kind: 'retry', key: 'p:t:retry:abc' },
  { kind: 'get', key: 'p:t:svc:sms:lock' },
  { kind: 'count', key: 'p:t:num:14155550142:w', window: 10, ttlMs: 7_260_000 },
  { kind: 'streak', key: 'p:t:num:14155550142:streak', resetMs: 900_000, ttlMs: 960_000 },
  { kind: 'rate', key: 'p:t:rng:1415555:rate', window: 10, alpha: 1 / 24, foldFloor: 8, ttlMs: 259_200_000, when: 'new-streak' },
  { kind: 'get', key: 'p:t:num:14155550142:proof' },
];

function command(name: 'EVAL' | 'EVALSHA', ops: readonly StoreOp[], script = BATCH_SCRIPT): string[] {
  const { keys, args } = encodeBatch(1_900_000_000_000, ops);
  return [name, name === 'EVAL' ? script : sha1(script), String(keys.length), ...keys, ...args];
}

test('a batch command is read back into its ops by kind, as the store encodes them, sent whole or by SHA', () => {
  const expected = { ops: { retry: 1, get: 2, count: 1, streak: 1, rate: 1 }, total: 6, keys: 7 };
  expect(batchShape(command('EVALSHA', OPS))).toEqual(expected);
  expect(batchShape(command('EVAL', OPS))).toEqual(expected);
  expect(batchShape(command('EVALSHA', []))).toEqual({ ops: { retry: 0, get: 0, count: 0, streak: 0, rate: 0 }, total: 0, keys: 0 });
});

test('anything but the batch script is not a batch; a garbled one is not read', () => {
  expect(batchShape(['SET', 'p:t:lookup:1415', 'x', 'PX', '1000'])).toBeUndefined();
  expect(batchShape(['EVALSHA', sha1(RAISE_UNTIL_SCRIPT), '1', 'k', '5', '60000'])).toBeUndefined();
  const garbled = command('EVALSHA', OPS);
  garbled[garbled.length - 1] = 'X';
  expect(batchShape([...garbled, 'Q'])).toBeUndefined();
});

test('each request is named by what it does', () => {
  expect(describeRequest(command('EVALSHA', OPS), 'p')).toBe('batch (6 ops)');
  expect(describeRequest(['EVALSHA', sha1(RAISE_UNTIL_SCRIPT), '1', 'p:t:rng:4474001:block', '5', '60000'], 'p')).toBe('raise-until (1 key)');
  expect(describeRequest(['EVAL', RAISE_UNTIL_SCRIPT, '2', 'a', 'b', '5', '6', '7', '8'], 'p')).toBe('raise-until (2 keys)');
  expect(describeRequest(['SET', 'p:t:num:14155550142:proof', 'tag', 'PX', '1'], 'p')).toBe('SET num:*:proof');
  expect(describeRequest(['SET', 'p:t:lookup:14155550142', '{}', 'PX', '1'], 'p')).toBe('SET lookup');
  expect(describeRequest(['PING'], 'p')).toBe('PING');
});

test('the compacted scripts the built bundles send are named like their sources', () => {
  const bundled = compactLua(BATCH_SCRIPT);
  expect(bundled).not.toBe(BATCH_SCRIPT);
  expect(describeRequest(command('EVALSHA', OPS, bundled), 'p')).toBe('batch (6 ops)');
  expect(describeRequest(command('EVAL', OPS, bundled), 'p')).toBe('batch (6 ops)');
  const raise = compactLua(RAISE_UNTIL_SCRIPT);
  expect(describeRequest(['EVALSHA', sha1(raise), '1', 'p:t:rng:4474001:block', '5', '60000'], 'p')).toBe('raise-until (1 key)');
  expect(describeRequest(['EVAL', raise, '2', 'a', 'b', '5', '6', '7', '8'], 'p')).toBe('raise-until (2 keys)');
  expect(describeRequest(['EVALSHA', sha1(`${BATCH_SCRIPT} `), '0', '1'], 'p')).toBe('EVALSHA');
});

function row(overrides: Partial<PathRow>): PathRow {
  return { path: 'allowed OTP', expected: 1, expectedWire: 1, line: 1, wire: 1, requests: ['batch (19 ops)'], why: 'the one batch', seen: 'delivered', expectedSeen: 'delivered', batch: undefined, ...overrides };
}

test('the per-path table shows the line and the wire, flags any path off its expected count or outcome, and work done after the line', () => {
  const ok = storePathSections({ store: 'redis', note: 'real Redis', rows: [row({}), row({ path: 'retry asked', expectedWire: 2, wire: 2, requests: ['batch (21 ops)', 'SET retry'] })] });
  const table = renderSection(ok[0]!);
  expect(table).toContain('| retry asked ');
  expect(table).toContain('1 (+1 after)');
  expect(table).toContain('batch (21 ops) + SET retry');
  expect(table).toContain('Every line matched the expected count and said what its path means.');

  const off = storePathSections({
    store: 'redis',
    note: 'real Redis',
    rows: [row({ path: 'range trip', expected: 2, line: 3, wire: 3 }), row({ path: 'wire only', wire: 2 }), row({ path: 'another rule refused it', seen: 'refused [prefix-anomaly]' })],
  });
  expect(off[0]!.notes).toContain('MISMATCH on: range trip; wire only; another rule refused it');
});

test('on the embedded store the wire column says n/a and the batch table is left out', () => {
  const sections = storePathSections({ store: 'embedded', note: 'embedded store (no Redis: none)', rows: [row({ wire: undefined, requests: [] })] });
  expect(sections).toHaveLength(1);
  expect(sections[0]!.rows[0]).toEqual(['allowed OTP', '1', '1', 'n/a', 'n/a', 'delivered', 'the one batch']);
});

test('the batch table lists every op kind of the typical decision and their total', () => {
  const batch = batchShape(command('EVALSHA', OPS));
  const [, ops] = storePathSections({ store: 'redis', note: 'real Redis', rows: [row({ batch })] });
  expect(ops!.rows.map((cells) => [cells[0], cells[1]])).toEqual([['count', '1'], ['rate', '1'], ['streak', '1'], ['get', '2'], ['retry', '1'], ['all', '6']]);
});
