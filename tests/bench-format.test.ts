/** The tables `npm run bench` prints: padded Markdown, numbers right-aligned, the docs' digit grouping. */
import { grouped, ms, renderTable } from '../scripts/bench';
import { duration, renderSection } from '../scripts/bench/format';

test('figures are grouped by thousands and timings keep a readable precision', () => {
  expect(grouped(3_751_983)).toBe('3 751 983');
  expect(grouped(999)).toBe('999');
  expect(ms(0.0012)).toBe('0.001 ms');
  expect(ms(3.264)).toBe('3.26 ms');
  expect(ms(23.94)).toBe('23.9 ms');
  expect(ms(undefined)).toBe('n/a');
  expect(ms(Number.NaN)).toBe('n/a');
});

test('a table is valid Markdown, padded to its widest cell, with figure columns right-aligned', () => {
  const table = renderTable(['bundle', 'size', 'note'], [['`dist/a.js`', '96 521 B', 'libphonenumber-js'], ['`dist/okta.js`', '386 259 B', '']]);
  expect(table.split('\n')).toEqual([
    '| bundle         |      size | note              |',
    '| -------------- | --------: | ----------------- |',
    '| `dist/a.js`    |  96 521 B | libphonenumber-js |',
    '| `dist/okta.js` | 386 259 B |                   |',
  ]);
});

test('a column of figures with blanks stays right-aligned; an all-blank column does not', () => {
  const lines = renderTable(['figure', 'p99', 'blank'], [['start', '', ''], ['load', '945.1 ms', '']]).split('\n');
  expect(lines[1]).toBe('| ------ | -------: | ----- |');
  expect(lines[3]).toBe('| load   | 945.1 ms |       |');
});

test('durations read as TTLs do: seconds, minutes, hours, days; a key without a TTL says none', () => {
  expect(duration(45_000)).toBe('45 s');
  expect(duration(16 * 60_000)).toBe('16 min');
  expect(duration(2 * 3_600_000 + 60_000)).toBe('2 h 1 min');
  // A PTTL read a moment after the write rounds to the TTL that was set.
  expect(duration(3 * 86_400_000 - 150)).toBe('3 d');
  expect(duration(60 * 86_400_000 + 60_000)).toBe('60 d');
  expect(duration(86_400_000 + 12 * 3_600_000)).toBe('1 d 12 h');
  expect(duration(-1)).toBe('none');
});

test('a section prints its title, its table and its notes under it', () => {
  const text = renderSection({ title: 'Keys', header: ['family', 'keys'], rows: [['ip:*', '1 000']], notes: ['one line', 'another'] });
  expect(text.split('\n')).toEqual(['## Keys', '', '| family |  keys |', '| ------ | ----: |', '| ip:*   | 1 000 |', '', 'one line', 'another']);
  expect(renderSection({ title: 'Bare', header: ['a'], rows: [] })).toBe('## Bare\n\n| a   |\n| --- |');
});
