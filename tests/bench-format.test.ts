/** The tables `npm run bench` prints: padded Markdown, numbers right-aligned, the docs' digit grouping. */
import { grouped, ms, renderTable } from '../scripts/bench';

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
