/** Delivered-before-containment, median and worst, as docs/evaluation.md defines them. */
import { deliveredBeforeContainment, median, worst } from '../../scripts/sim/families/metrics';

const wave = (pattern: string) => [...pattern].map((char) => char === 'x');

test('delivered before containment: the delivered attempts before the first point from which >= 95 % of the rest are refused', () => {
  expect(deliveredBeforeContainment(wave('..x.x' + 'x'.repeat(10)))).toBe(3);
  // a leak early in a long refused tail is inside the 5 % allowance: containment starts before it
  expect(deliveredBeforeContainment(wave('..x.x' + 'x'.repeat(40)))).toBe(1);
  expect(deliveredBeforeContainment(wave('x'.repeat(10)))).toBe(0);
  // one late leak among many refusals does not undo containment
  expect(deliveredBeforeContainment(wave('...' + 'x'.repeat(5) + '.' + 'x'.repeat(30)))).toBe(3);
  // never contained: every delivered attempt counts
  expect(deliveredBeforeContainment(wave('.x.x.x.x'))).toBe(4);
  expect(deliveredBeforeContainment([])).toBe(0);
});

test('median and worst over seeds', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 2, 3])).toBe(2.5);
  expect(worst([0.99, 0.95, 0.97], false)).toEqual({ value: 0.95, index: 1 });
  expect(worst([3, Number.NaN, 7], true)).toEqual({ value: 7, index: 2 });
});
