/**
 * Issue 9: the monitor and the send Action's prefix-anomaly rule share one piece of pumping maths
 * (ranges, surge thresholds, default floors and factor, the high-risk tier), so what the monitor
 * calls a surge is what the Action would have blocked in a window of the same length.
 */
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { analyze, DEFAULT_THRESHOLDS, emptyInputSummary } from '../../scripts/monitor/analyze';
import { normalizeRecord, type SendEvent } from '../../scripts/monitor/events';
import { PhoneIdentity } from '../../scripts/monitor/phone';
import { parseDynamicPolicy, type PumpingPolicy } from '../../shared/config/dynamic-policy';
import { ConfigErrors } from '../../shared/config/static-policy';
import { rangeIsAnomalous, rangeOf, countryIsAnomalous } from '../../shared/rules/prefix-anomaly';
import { BASE, HOUR, toRecord, type SendSpec } from './fixtures';

const identity = new PhoneIdentity('22'.repeat(8));
const actionPumping = parseDynamicPolicy({}, new ConfigErrors()).pumping as PumpingPolicy;

function eventsOf(specs: readonly SendSpec[]): SendEvent[] {
  return specs.flatMap((spec) => normalizeRecord(toRecord(spec), { identity })).flatMap((result) => (result.kind === 'send' ? [result.event] : []));
}

function sendTo(phone: string, at: number, index: number): SendSpec {
  return { at, format: 'auth0', channel: 'sms', outcome: 'sent', userId: `auth0|u${index}`, ip: `192.0.2.${index % 250}`, ua: 'UA', phone };
}

describe('one pumping maths for the Action and the monitor', () => {
  it('the monitor defaults are the Action defaults (range floor, country floor, factor)', () => {
    expect(DEFAULT_THRESHOLDS.surgeMin).toBe(actionPumping.rangeFloor);
    expect(DEFAULT_THRESHOLDS.countrySurgeMin).toBe(actionPumping.countryFloor);
    expect(DEFAULT_THRESHOLDS.surgeFactor).toBe(actionPumping.factor);
  });

  it.each(['+14155552671', '+447400123456', '+2348031234567', '+6834002'])('the monitor names the range of %s as the Action does', (phone) => {
    const parsed = parsePhoneNumberWithError(phone);
    const facts = identity.identify(phone);
    const actionRange = rangeOf(parsed.number, parsed.countryCallingCode, actionPumping.rangeDropDigits);
    expect(facts?.range?.replace(/x+$/, '')).toBe(actionRange);
    expect(facts?.rangePrefix?.replace(' ', '')).toBe(actionRange);
    expect(facts?.rangePrefix).toBe(`+${parsed.countryCallingCode} ${actionRange.slice(1 + parsed.countryCallingCode.length)}`);
  });

  it.each([
    ['a quiet range, US', '+1415555', 0],
    ['a quiet range, Nigeria (high risk)', '+234803123', 0],
    ['a range with a baseline, US', '+1415555', 3],
    ['a range with a baseline, Nigeria (high risk)', '+234803123', 2],
  ])('%s: the monitor flags exactly the counts the Action blocks', (_label, prefix, perWindowBaseline) => {
    const highRisk = prefix.startsWith('+234');
    const flaggedAt: number[] = [];
    const blockedAt: number[] = [];
    for (let current = 1; current <= 30; current += 1) {
      const specs: SendSpec[] = [];
      let index = 0;
      // Six previous 1 h windows with the baseline, then this window with `current` numbers.
      for (let window = 1; window <= 6; window += 1) {
        for (let k = 0; k < perWindowBaseline; k += 1) specs.push(sendTo(`${prefix}${9000 + window * 10 + k}`, BASE - window * HOUR - 60_000, index++));
      }
      for (let k = 0; k < current; k += 1) specs.push(sendTo(`${prefix}${1000 + k}`, BASE - 60_000, index++));
      const report = analyze(eventsOf(specs), emptyInputSummary(), { windowMs: HOUR, until: BASE, thresholds: { ...DEFAULT_THRESHOLDS }, generatedAt: BASE });
      if (report.rangeSurges.length > 0) flaggedAt.push(current);
      if (rangeIsAnomalous({ current, baseline: perWindowBaseline, windows: 6 }, actionPumping, highRisk)) blockedAt.push(current);
    }
    expect(blockedAt.length).toBeGreaterThan(0);
    expect(flaggedAt).toEqual(blockedAt);
  });

  it('a country surge uses the Action country threshold (floor divided by 4 for the high-risk tier)', () => {
    for (const current of [4, 5, 6, 20, 21]) {
      const specs: SendSpec[] = [];
      for (let k = 0; k < current; k += 1) specs.push(sendTo(`+23480${31000000 + k * 7919}`, BASE - 60_000, k));
      const report = analyze(eventsOf(specs), emptyInputSummary(), { windowMs: HOUR, until: BASE, thresholds: { ...DEFAULT_THRESHOLDS }, generatedAt: BASE });
      const action = countryIsAnomalous({ current, baseline: 0, windows: 0 }, actionPumping, true);
      expect([current, report.countrySurges.length > 0]).toEqual([current, action]);
    }
  });
});
