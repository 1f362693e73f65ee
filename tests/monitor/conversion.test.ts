/**
 * Issue 10 §4 (tenant logs): conversion per range and country. The extraction of sends and
 * verifications from each log kind, the join (MFA by number and by user + time, passwordless by
 * transaction and by user name, Okta by transaction), forged or partial verifications that must
 * convert and prove nothing, the maths (pending sends left out, suspect ranges), and the memory
 * bound under a flood of distinct prefixes.
 */
import { conversionFact, type SendFact, type VerificationFact } from '../../scripts/monitor/conversion-events';
import { computeConversion, ConversionTracker, DEFAULT_SUSPECT, joinVerifications, MAX_ROWS, NUMBER_JOIN_MS, unprovenCountries, USER_JOIN_MS } from '../../scripts/monitor/conversion';
import { parseFullNumber } from '../../scripts/monitor/phone';
import { gbNumbersInRange } from '../bundle/redis-helpers';
import { mfaSend, mfaSuccess, oktaMfaSuccess, oktaSmsSend, passwordLogin, passwordlessCodeSent, passwordlessLogin } from './conversion-fixtures';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2025-03-10T00:00:00.000Z');
const GOOD = '+44740013';
const BAD = '+44740012';

function tracker(records: readonly Record<string, unknown>[]): ConversionTracker {
  const tracked = new ConversionTracker();
  for (const record of records) {
    const found = conversionFact(record);
    if (found?.kind === 'send') tracked.addSend(found.fact);
    else if (found?.kind === 'verification') tracked.addVerification(found.fact);
  }
  return tracked;
}

function join(records: readonly Record<string, unknown>[]): ReturnType<typeof joinVerifications> {
  const tracked = tracker(records);
  return joinVerifications(tracked.sends, tracked.verifications);
}

describe('what the join reads from each log kind', () => {
  const [number] = gbNumbersInRange(GOOD, 1);

  test('an MFA send with the whole number is a send; masked or absent numbers give nothing to count', () => {
    expect(conversionFact(mfaSend({ at: T0, userId: 'auth0|a', phone: number }))).toMatchObject({ kind: 'send', fact: { flow: 'mfa', channel: 'sms', userId: 'auth0|a', number: { e164: number, country: 'GB' } } });
    expect(conversionFact(mfaSend({ at: T0, userId: 'auth0|a', phone: '+44 XXXX XX0001' }))).toBeUndefined();
    expect(conversionFact(mfaSend({ at: T0, userId: 'auth0|a' }))).toBeUndefined();
  });

  test('a phone MFA success is a phone claim, with its number or the tail a masked number shows; TOTP, push or e-mail successes are not phone verifications', () => {
    expect(conversionFact(mfaSuccess({ at: T0, userId: 'auth0|a', phone: number }))).toMatchObject({ kind: 'verification', fact: { claim: 'phone', number: { e164: number } } });
    expect(conversionFact(mfaSuccess({ at: T0, userId: 'auth0|a', phone: '+44XXXXXXXX01' }))).toMatchObject({ kind: 'verification', fact: { claim: 'phone', maskedTail: '01' } });
    expect(conversionFact(mfaSuccess({ at: T0, userId: 'auth0|a', phone: number }, 'gd_enrollment_complete'))).toMatchObject({ kind: 'verification', fact: { type: 'gd_enrollment_complete', number: { e164: number } } });
    for (const type of ['otp', 'push-notification', 'email', 'webauthn-roaming']) {
      expect(conversionFact(mfaSuccess({ at: T0, userId: 'auth0|a', authenticatorType: type }))).toBeUndefined();
    }
  });

  test('passwordless: cs with a phone is a send, s through the sms connection a verification; a password login is neither', () => {
    expect(conversionFact(passwordlessCodeSent({ at: T0, phone: number as string, transactionId: 'tx1' }))).toMatchObject({ kind: 'send', fact: { flow: 'passwordless', transactionId: 'tx1' } });
    expect(conversionFact(passwordlessLogin({ at: T0, phone: number as string, transactionId: 'tx1', userId: 'sms|1' }))).toMatchObject({ kind: 'verification', fact: { flow: 'passwordless', userId: 'sms|1', number: { e164: number } } });
    expect(conversionFact(passwordLogin(T0, 'auth0|a'))).toBeUndefined();
  });

  test('Okta: a send that went out is a send; auth_via_mfa by SMS or voice a claim, of unknown method only joinable on its transaction, by e-mail or failed nothing', () => {
    expect(conversionFact(oktaSmsSend({ at: T0, actorId: '00u1', transactionId: 'otx', phone: number }))).toMatchObject({ kind: 'send', fact: { flow: 'okta', userId: '00u1', transactionId: 'otx' } });
    expect(conversionFact(oktaMfaSuccess({ at: T0, actorId: '00u1', transactionId: 'otx', method: 'SMS' }))).toMatchObject({ kind: 'verification', fact: { claim: 'phone' } });
    expect(conversionFact(oktaMfaSuccess({ at: T0, actorId: '00u1', transactionId: 'otx' }))).toMatchObject({ kind: 'verification', fact: { claim: 'unknown' } });
    expect(conversionFact(oktaMfaSuccess({ at: T0, actorId: '00u1', transactionId: 'otx', method: 'EMAIL' }))).toBeUndefined();
    expect(conversionFact(oktaMfaSuccess({ at: T0, actorId: '00u1', transactionId: 'otx', method: 'SMS', outcome: 'FAILURE' }))).toBeUndefined();
  });
});

describe('the join', () => {
  const [ada, bob, other] = gbNumbersInRange(GOOD, 3, 10) as [string, string, string];

  test('MFA by number: every send to that number for that user in the hour before converts, and the number is proven for that user', () => {
    const result = join([
      mfaSend({ at: T0, userId: 'auth0|ada', phone: ada }),
      mfaSend({ at: T0 + MINUTE, userId: 'auth0|ada', phone: ada }),
      mfaSuccess({ at: T0 + 2 * MINUTE, userId: 'auth0|ada', phone: ada }),
    ]);
    expect(result.matched).toBe(1);
    expect([...result.converted].sort()).toEqual([0, 1]);
    expect(result.proofs).toEqual([{ e164: ada, userId: 'auth0|ada', country: 'GB', range: ada.slice(0, -4), channel: 'sms', opensNewNumber: false }]);
  });

  test('an enrolment completed opens the number (the conversion rule counts it as verified); a challenge succeeded does not', () => {
    const enrolled = join([mfaSend({ at: T0, userId: 'auth0|ada', phone: ada }), mfaSuccess({ at: T0 + MINUTE, userId: 'auth0|ada', phone: ada }, 'gd_enrollment_complete')]);
    expect(enrolled.proofs).toEqual([expect.objectContaining({ e164: ada, opensNewNumber: true })]);
    const challenged = join([mfaSend({ at: T0, userId: 'auth0|bob', phone: bob }), mfaSuccess({ at: T0 + MINUTE, userId: 'auth0|bob', phone: bob })]);
    expect(challenged.proofs).toEqual([expect.objectContaining({ e164: bob, opensNewNumber: false })]);
  });

  test('on the Unified Phone Experience (--unified-phone) an MFA challenge succeeded opens the number too; Okta and forged marks never do', () => {
    const records = [mfaSend({ at: T0, userId: 'auth0|bob', phone: bob }), mfaSuccess({ at: T0 + MINUTE, userId: 'auth0|bob', phone: bob })];
    const tracked = tracker(records);
    expect(joinVerifications(tracked.sends, tracked.verifications, { challengesOpenNumbers: true }).proofs).toEqual([expect.objectContaining({ e164: bob, opensNewNumber: true })]);
    expect(joinVerifications(tracked.sends, tracked.verifications, { challengesOpenNumbers: false }).proofs).toEqual([expect.objectContaining({ e164: bob, opensNewNumber: false })]);
    // A success for a number never sent to (or another user's) still proves nothing.
    const forged = tracker([mfaSend({ at: T0, userId: 'auth0|ada', phone: ada }), mfaSuccess({ at: T0 + MINUTE, userId: 'auth0|bob', phone: ada }), mfaSuccess({ at: T0 + MINUTE, userId: 'auth0|bob', phone: other })]);
    expect(joinVerifications(forged.sends, forged.verifications, { challengesOpenNumbers: true }).proofs).toEqual([]);
    // Okta challenges go to confirmed factors, which the Okta hook never counts as sent.
    const okta = tracker([oktaSmsSend({ at: T0, actorId: '00u1', phone: bob, transactionId: 'tx1' }), oktaMfaSuccess({ at: T0 + MINUTE, actorId: '00u1', transactionId: 'tx1', method: 'SMS' })]);
    expect(joinVerifications(okta.sends, okta.verifications, { challengesOpenNumbers: true }).proofs.map((proof) => proof.opensNewNumber)).toEqual([false]);
  });

  test('MFA by user and time when the success shows no usable number: one number in the last 10 minutes converts; two is ambiguous; a tail that disagrees is another number', () => {
    const matched = join([mfaSend({ at: T0, userId: 'auth0|ada', phone: ada }), mfaSuccess({ at: T0 + 3 * MINUTE, userId: 'auth0|ada', phone: '+44XXXXXXXX' + ada.slice(-2) })]);
    expect(matched.matched).toBe(1);
    expect(matched.proofs.map((proof) => proof.e164)).toEqual([ada]);

    const late = join([mfaSend({ at: T0, userId: 'auth0|ada', phone: ada }), mfaSuccess({ at: T0 + USER_JOIN_MS + 1, userId: 'auth0|ada' , authenticatorType: 'phone' })]);
    expect(late.unmatched).toEqual({ 'never-sent': 1 });

    const ambiguous = join([
      mfaSend({ at: T0, userId: 'auth0|ada', phone: ada }),
      mfaSend({ at: T0 + MINUTE, userId: 'auth0|ada', phone: other }),
      mfaSuccess({ at: T0 + 2 * MINUTE, userId: 'auth0|ada', authenticatorType: 'phone' }),
    ]);
    expect(ambiguous).toMatchObject({ matched: 0, unmatched: { ambiguous: 1 }, proofs: [] });

    const wrongTail = ada.slice(-2) === '99' ? '98' : '99';
    const tail = join([mfaSend({ at: T0, userId: 'auth0|ada', phone: ada }), mfaSuccess({ at: T0 + MINUTE, userId: 'auth0|ada', phone: `+44XXXXXXXX${wrongTail}` })]);
    expect(tail).toMatchObject({ matched: 0, unmatched: { 'other-number': 1 }, proofs: [] });
  });

  test('passwordless by transaction id, and by user name = phone when there is no transaction; the proof goes to the user who logged in', () => {
    const byTransaction = join([
      passwordlessCodeSent({ at: T0, phone: ada, transactionId: 'tx-ada' }),
      passwordlessLogin({ at: T0 + 2 * MINUTE, phone: ada, transactionId: 'tx-ada', userId: 'sms|ada', userName: 'ada' }),
    ]);
    expect(byTransaction).toMatchObject({ matched: 1, proofs: [{ e164: ada, userId: 'sms|ada' }] });
    const byName = join([passwordlessCodeSent({ at: T0, phone: bob }), passwordlessLogin({ at: T0 + MINUTE, phone: bob, userId: 'sms|bob' })]);
    expect(byName).toMatchObject({ matched: 1, proofs: [{ e164: bob, userId: 'sms|bob' }] });
  });

  test('Okta by transaction (a method-less success too), the actor must agree', () => {
    const result = join([
      oktaSmsSend({ at: T0, actorId: '00uada', transactionId: 'otx1', phone: ada }),
      oktaMfaSuccess({ at: T0 + MINUTE, actorId: '00uada', transactionId: 'otx1' }),
      oktaSmsSend({ at: T0, actorId: '00ubob', transactionId: 'otx2', phone: bob }),
      oktaMfaSuccess({ at: T0 + MINUTE, actorId: '00umallory', transactionId: 'otx2', method: 'SMS' }),
    ]);
    expect(result.matched).toBe(1);
    expect(result.proofs).toEqual([expect.objectContaining({ e164: ada, userId: '00uada' })]);
    expect(result.unmatched).toEqual({ 'other-user': 1 });
  });

  test('forged marks: a claim for a number never sent, for another user’s number, or before the send, converts and proves nothing', () => {
    const result = join([
      mfaSend({ at: T0, userId: 'auth0|ada', phone: ada }),
      mfaSuccess({ at: T0 + MINUTE, userId: 'auth0|mallory', phone: ada }),
      mfaSuccess({ at: T0 + MINUTE, userId: 'auth0|mallory', phone: other }),
      mfaSuccess({ at: T0 - MINUTE, userId: 'auth0|ada', phone: ada }),
      mfaSuccess({ at: T0 + NUMBER_JOIN_MS + MINUTE, userId: 'auth0|ada', phone: ada }),
      passwordlessLogin({ at: T0 + MINUTE, phone: bob, userId: 'sms|bob' }),
      oktaMfaSuccess({ at: T0 + MINUTE, actorId: '00ughost', transactionId: 'nothing', method: 'SMS' }),
    ]);
    expect(result.matched).toBe(0);
    expect(result.converted.size).toBe(0);
    expect(result.proofs).toEqual([]);
    expect(result.unmatched).toEqual({ 'other-user': 1, 'never-sent': 5 });
  });

  test('an Okta success of unknown method with no matching transaction is not a phone verification: neither matched nor unmatched', () => {
    expect(join([oktaMfaSuccess({ at: T0, actorId: '00u1', transactionId: 'otx' })])).toMatchObject({ matched: 0, unmatched: {} });
  });
});

describe('conversion maths', () => {
  /** `sent` sends to distinct numbers of a range, one per user, the first `verified` of them verified a minute later. */
  function rangeTraffic(range: string, sent: number, verified: number, start: number, first = 0): Record<string, unknown>[] {
    return gbNumbersInRange(range, sent, first).flatMap((phone, index) => {
      const userId = `auth0|${range}-${first + index}`;
      const at = start + index * MINUTE;
      const send = mfaSend({ at, userId, phone });
      return index < verified ? [send, mfaSuccess({ at: at + MINUTE, userId, phone })] : [send];
    });
  }
  const options = { start: T0 - 1, end: T0 + 24 * HOUR, thresholds: DEFAULT_SUSPECT };
  /** Later traffic elsewhere, verified: the data runs on past the hour in which sends are pending. */
  const later = (): Record<string, unknown>[] => rangeTraffic(GOOD, 1, 1, T0 + 5 * HOUR, 80);

  test('verified ÷ sent per range and country, lowest conversion with enough sends first; a collapsed range is suspect, a small one is not judged', () => {
    const records = [...rangeTraffic(GOOD, 20, 15, T0), ...rangeTraffic(BAD, 12, 0, T0), ...rangeTraffic('+44740014', 5, 0, T0), ...rangeTraffic(GOOD, 1, 1, T0 + 5 * HOUR, 50)];
    const { report, proofs } = computeConversion(tracker(records), options);
    expect(report.computed).toBe(true);
    expect(report.ranges.map((row) => [row.key, row.sent, row.pending, row.converted, row.conversion, row.suspect])).toEqual([
      [`${BAD}xxxx`, 12, 0, 0, 0, true],
      [`${GOOD}xxxx`, 21, 1, 15, 0.75, false],
      ['+44740014xxxx', 5, 0, 0, 0, false],
    ]);
    expect(report.suspectRanges).toEqual([expect.objectContaining({ key: `${BAD}xxxx`, prefix: '+44 740012', country: 'GB', numbers: 12, users: 12 })]);
    expect(report.countries).toEqual([expect.objectContaining({ key: 'GB', sent: 38, pending: 1, converted: 15, suspect: false })]);
    expect(report.totals).toMatchObject({ sent: 38, pending: 1, converted: 15, verifications: 16, matched: 16, unmatched: 0 });
    expect(report.totals.conversion).toBeCloseTo(15 / 37);
    // The last hour's send (and its verification) is pending: out of the maths, still proven.
    expect(proofs).toHaveLength(16);
    expect(report.provenNumbers[0]).toEqual({ masked: expect.stringMatching(/^\+44\d{3}\*+\d{2}$/), userId: expect.any(String), range: `${GOOD}xxxx`, country: 'GB' });
    expect(JSON.stringify(report)).not.toMatch(/\+44740\d{6}/);
  });

  test('unproven countries: those of the window with no number proven, only while the tenant\'s codes come back enough for a yardstick', () => {
    // 40 GB sends, 30 verified; 12 to Latvia (mobiles), none verified.
    const latvia = Array.from({ length: 12 }, (_, index) => mfaSend({ at: T0 + index * MINUTE, userId: `auth0|lv-${index}`, phone: `+3712${String(1000000 + index)}` }));
    const withLatvia = computeConversion(tracker([...rangeTraffic(GOOD, 40, 30, T0), ...latvia, ...later()]), options).report;
    expect(withLatvia.unprovenCountries).toEqual(['LV']);
    // Too few verifications to trust an absent proof (9 < 10): nothing is unproven.
    expect(computeConversion(tracker([...rangeTraffic(GOOD, 40, 8, T0), ...latvia, ...later()]), options).report.unprovenCountries).toEqual([]);
    // No verification at all: not computed, nothing unproven.
    expect(computeConversion(tracker(latvia), options).report.unprovenCountries).toEqual([]);
    // One Latvian proof and Latvia is proven.
    const oneProof = [...latvia, mfaSuccess({ at: T0 + 2 * MINUTE, userId: 'auth0|lv-1', phone: '+37121000001' })];
    expect(computeConversion(tracker([...rangeTraffic(GOOD, 40, 30, T0), ...oneProof, ...later()]), options).report.unprovenCountries).toEqual([]);
  });

  test('unprovenCountries (pure): the yardstick asks 30 decided sends, 10 converted, 10 %', () => {
    const enough = { sent: 40, pending: 0, converted: 10 };
    expect(unprovenCountries(['SE', 'GB', 'LV'], [{ country: 'GB' }, {}], enough)).toEqual(['LV', 'SE']);
    expect(unprovenCountries(['LV'], [], { sent: 29, pending: 0, converted: 10 })).toEqual([]);
    // Pending sends are not decided: 11 of 110 is the 10 % line.
    expect(unprovenCountries(['LV'], [], { sent: 140, pending: 30, converted: 11 })).toEqual(['LV']);
    expect(unprovenCountries(['LV'], [], { sent: 140, pending: 30, converted: 10 })).toEqual([]);
    expect(unprovenCountries(['LV'], [], { sent: 120, pending: 0, converted: 12 })).toEqual(['LV']);
    expect(unprovenCountries(['LV'], [], { sent: 120, pending: 0, converted: 9 })).toEqual([]);
    expect(unprovenCountries(['LV'], [], { sent: 200, pending: 0, converted: 19 })).toEqual([]);
  });

  test('the thresholds decide: 10 decided sends is enough, 9 is not; 10 % is the line', () => {
    const at = (sent: number, verified: number) => computeConversion(tracker([...rangeTraffic(BAD, sent, verified, T0), ...later()]), options).report.suspectRanges.length;
    expect(at(10, 0)).toBe(1);
    expect(at(9, 0)).toBe(0);
    expect(at(20, 1)).toBe(1);
    expect(at(20, 2)).toBe(0);
    expect(computeConversion(tracker([...rangeTraffic(BAD, 20, 2, T0), ...later()]), { ...options, thresholds: { minSends: 10, maxConversion: 0.2 } }).report.suspectRanges.length).toBe(1);
  });

  test('no verification in the input: conversion is not computed (a stream without success logs is not 0 %), nothing is suspect', () => {
    const { report, proofs } = computeConversion(tracker(rangeTraffic(BAD, 30, 0, T0)), options);
    expect(report).toMatchObject({ computed: false, suspectRanges: [], ranges: [] });
    expect(report.reason).toContain('no verification event');
    expect(proofs).toEqual([]);
  });

  test('forged verifications count as unmatched and never lift a range out of suspicion', () => {
    const records = [...rangeTraffic(BAD, 12, 0, T0), ...later(), ...gbNumbersInRange(BAD, 12).map((phone, index) => mfaSuccess({ at: T0 + index * MINUTE + 30_000, userId: `auth0|mallory-${index}`, phone }))];
    const { report, proofs } = computeConversion(tracker(records), options);
    expect(report.totals).toMatchObject({ matched: 1, unmatched: 12 });
    expect(report.unmatched).toEqual({ 'other-user': 12 });
    expect(report.suspectRanges.map((row) => row.key)).toEqual([`${BAD}xxxx`]);
    expect(proofs.map((proof) => proof.range)).toEqual([GOOD]);
  });

  test('sends in the last hour of the data are pending: left out of the maths, so a burst the logs end on is not judged before its users could verify', () => {
    const { report } = computeConversion(tracker(rangeTraffic(BAD, 30, 1, T0)), options);
    expect(report.ranges).toEqual([expect.objectContaining({ key: `${BAD}xxxx`, sent: 30, pending: 30, suspect: false })]);
    expect(report.ranges[0]?.conversion).toBeUndefined();
  });
});

describe('a flood of distinct prefixes', () => {
  test('the tracker keeps at most its bound of sends (the rest counted and noted), the report lists at most MAX_ROWS ranges, in bounded memory', () => {
    const limit = 50_000;
    const flood = new ConversionTracker({ sends: limit, verifications: 10 });
    const numbers = [...'23456789'].flatMap((lead) => Array.from({ length: 10_000 }, (_, index) => `+447${lead}${String(index).padStart(4, '0')}0000`)).slice(0, 60_000);
    const heapBefore = process.memoryUsage().heapUsed;
    for (const [index, e164] of numbers.entries()) {
      const number = parseFullNumber(e164);
      if (number === undefined) continue;
      const fact: SendFact = { at: T0 + index, flow: 'mfa', channel: 'sms', userId: `auth0|bot-${index}`, number };
      flood.addSend(fact);
    }
    for (let index = 0; index < 20; index += 1) {
      const fact: VerificationFact = { at: T0 + index, flow: 'mfa', type: 'gd_auth_succeed', userId: `auth0|bot-${index}`, claim: 'phone' };
      flood.addVerification(fact);
    }
    expect(flood.sends.length).toBe(limit);
    expect(flood.droppedSends).toBeGreaterThan(0);
    expect(flood.verifications.length).toBe(10);
    expect(flood.droppedVerifications).toBe(10);
    const { report } = computeConversion(flood, { start: T0 - 1, end: T0 + HOUR * 48, thresholds: DEFAULT_SUSPECT });
    expect(report.ranges.length).toBe(MAX_ROWS);
    expect(report.suspectRanges).toEqual([]);
    expect(report.notes.join(' ')).toMatch(/beyond the first 50000 were counted but not joined/);
    expect(report.notes.join(' ')).toMatch(/ranges; the 100 listed/);
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
    expect(heapGrowthMb).toBeLessThan(200);
  });
});
