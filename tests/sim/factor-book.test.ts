/**
 * The simulator's factor book: a person whose enrolment the guard refused has no factor to be
 * challenged on, so their next visit is an enrolment again; people enrolled before the span keep
 * their factors.
 */
import { FactorBook } from '../../scripts/sim/families/run-send';
import type { SendEvent } from '../../scripts/sim/families/types';

function event(overrides: Partial<SendEvent>): SendEvent {
  return {
    at: 0, family: 't', legit: true, wave: 0, channel: 'sms', recipient: '+447400123456', country: 'GB', userId: 'auth0|ada',
    ip: '198.51.100.7', requestCountry: 'GB', appMetadata: {}, enrollment: false, ...overrides,
  };
}

test('a person enrolled before the span is challenged as drawn', () => {
  expect(new FactorBook().isEnrolment(event({}))).toBe(false);
});

test('an enrolment refused (or delivered but never entered) leaves no factor: the next visit enrols again', () => {
  const book = new FactorBook();
  book.enrolmentSent(event({ enrollment: true, verifyDelayMs: 30_000 }), false);
  expect(book.isEnrolment(event({}))).toBe(true);
  const other = new FactorBook();
  other.enrolmentSent(event({ enrollment: true }), true);
  expect(other.isEnrolment(event({}))).toBe(true);
});

test('an enrolment delivered and entered confirms the factor for that user and number only', () => {
  const book = new FactorBook();
  book.enrolmentSent(event({ enrollment: true }), true);
  book.enrolmentSent(event({ enrollment: true, verifyDelayMs: 30_000 }), true);
  expect(book.isEnrolment(event({}))).toBe(false);
  // An enrolment event stays one; another number of the same user is not confirmed by it.
  expect(book.isEnrolment(event({ enrollment: true }))).toBe(true);
  book.enrolmentSent(event({ enrollment: true, recipient: '+447400123457' }), false);
  expect(book.isEnrolment(event({ recipient: '+447400123457' }))).toBe(true);
});
