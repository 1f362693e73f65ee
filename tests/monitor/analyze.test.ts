import { analyze, DEFAULT_THRESHOLDS, emptyInputSummary, surgeThreshold, type Report } from '../../scripts/monitor/analyze';
import { normalizeRecord, type SendEvent } from '../../scripts/monitor/events';
import { PhoneIdentity } from '../../scripts/monitor/phone';
import { planRangeBlocks } from '../../scripts/monitor/range-block';
import { rankFindings } from '../../scripts/monitor/rank';
import { GuardKeys } from '../../shared/store/keys';
import { Random } from '../../scripts/sim/random';
import { mobileNumber, numberInRange } from '../../scripts/sim/numbers';
import { BASE, buildScenario, DAY, HOUR, toRecord, type SendSpec } from './fixtures';

const identity = new PhoneIdentity('11'.repeat(8));

function eventsOf(specs: readonly SendSpec[]): SendEvent[] {
  return specs.flatMap((spec) => normalizeRecord(toRecord(spec), { identity })).flatMap((result) => (result.kind === 'send' ? [result.event] : []));
}

function run(events: readonly SendEvent[], overrides: { windowMs?: number; until?: number; thresholds?: Partial<typeof DEFAULT_THRESHOLDS> } = {}): Report {
  return analyze(events, emptyInputSummary(), {
    windowMs: overrides.windowMs ?? DAY,
    until: overrides.until,
    thresholds: { ...DEFAULT_THRESHOLDS, ...overrides.thresholds },
    generatedAt: BASE + 1000,
  });
}

const send = (overrides: Partial<SendSpec>): SendSpec => ({
  at: BASE - HOUR,
  format: 'auth0',
  channel: 'sms',
  outcome: 'sent',
  userId: 'auth0|someone',
  ip: '192.0.2.1',
  ua: 'UA',
  phone: '+14155552671',
  ...overrides,
});

describe('the scenario: legitimate traffic and every kind of attack', () => {
  const scenario = buildScenario();
  const report = run(eventsOf(scenario.sends), { until: BASE });
  const expected = scenario.expect;
  const userIds = (rows: readonly { userId?: string }[]): string[] => rows.map((row) => row.userId ?? '-');

  test('the seed query: the attacker is flagged as an actor (user + IP + user agent) and as a user', () => {
    const actor = report.actors.find((row) => row.userId === expected.attackerUser);
    expect(actor).toMatchObject({ ip: expected.attackerIp, userAgent: 'python-requests/2.31.0', sends: 14, failed: 2, numbers: 8, countries: ['GM', 'LV', 'SL'], highRiskCountries: ['GM', 'LV', 'SL'] });
    expect(actor?.reasons).toEqual(['14 sends (≥ 10)', '8 distinct numbers (≥ 3)', '3 destination countries (≥ 2)']);
    expect(userIds(report.users).sort()).toEqual([expected.oktaAttacker, expected.attackerUser, expected.tollguardUser].sort());
  });

  test('legitimate users and users behind the shared IP are not flagged users; single-send pumping accounts are flagged only through their range', () => {
    const flagged = new Set([...userIds(report.users), ...userIds(report.actors), ...report.flaggedUsers.map((user) => user.userId)]);
    for (const user of [...expected.legitUsers, ...expected.sharedIpUsers]) expect(flagged.has(user)).toBe(false);
    const byGroups = new Set([...userIds(report.users), ...userIds(report.actors)]);
    for (const user of expected.pumpUsers) expect(byGroups.has(user)).toBe(false);
    const pumping = report.flaggedUsers.filter((user) => expected.pumpUsers.includes(user.userId ?? ''));
    expect(pumping).toHaveLength(expected.pumpUsers.length);
    for (const user of pumping) expect(user.reasons).toEqual([expect.stringContaining(`sent to surging range ${expected.pumpRange}`)]);
    expect(report.proposedBlockedNumbers).toEqual(['+232 3012']);
  });

  test('the pumping wave is a range surge and a country surge (high-risk: the floor is halved)', () => {
    const range = report.rangeSurges.find((row) => row.key === expected.pumpRange);
    expect(range).toMatchObject({ numbers: 30, sends: 30, users: 30, country: 'SL', highRisk: true, threshold: Math.ceil(DEFAULT_THRESHOLDS.surgeMin / 2) });
    expect(report.countrySurges.map((row) => row.key)).toContain(expected.pumpCountry);
    expect(report.rangeSurges.map((row) => row.key)).toEqual([expected.pumpRange]);
  });

  test('the shared IP is flagged; the users behind it are listed apart, to act on only on request', () => {
    const ip = report.ips.find((row) => row.ip === expected.sharedIp);
    expect(ip).toMatchObject({ users: 35, sends: 35, numbers: 35 });
    expect(report.ipUsers.map((user) => user.userId).sort()).toEqual(expect.arrayContaining(expected.sharedIpUsers));
    expect(report.ipUsers.every((user) => user.reasons.some((reason) => reason.includes('flagged IP')))).toBe(true);
  });

  test('the failure spike is found in its clock hour', () => {
    expect(report.failureSpikes).toHaveLength(1);
    // 24 spike sends, 18 of them failed, plus whatever legitimate traffic fell in that hour.
    expect(report.failureSpikes[0]).toMatchObject({ start: expected.failureHour, unsuccessful: 18 });
    expect(report.failureSpikes[0]?.sends).toBeGreaterThanOrEqual(24);
    expect(report.failureSpikes[0]?.share).toBeGreaterThan(0.5);
  });

  test('the slow drip is a user with many numbers over all the data, not in the window', () => {
    expect(userIds(report.manyNumbers)).toEqual([expected.dripUser]);
    expect(report.manyNumbers[0]?.numbers).toBe(4);
  });

  test('flagged users: Auth0 and tollguard users can be acted on, the Okta user cannot', () => {
    const byId = new Map(report.flaggedUsers.map((user) => [user.userId, user]));
    expect(byId.get(expected.attackerUser)?.blockable).toBe(true);
    expect(byId.get(expected.tollguardUser)?.blockable).toBe(true);
    expect(byId.get(expected.oktaAttacker)?.blockable).toBe(false);
    expect(byId.get(expected.dripUser)?.blockable).toBe(true);
  });

  test('totals, timeline and the number of findings agree', () => {
    const bucketSum = report.timeline.buckets.reduce((sum, bucket) => sum + bucket.sent + bucket.failed + bucket.blocked, 0);
    expect(bucketSum).toBe(report.totals.sends);
    expect(report.timeline.buckets).toHaveLength(25);
    expect(report.totals.sent + report.totals.failed + report.totals.blocked).toBe(report.totals.sends);
    expect(report.findings).toBe(report.actors.length + report.users.length + report.ips.length + report.manyNumbers.length + report.rangeSurges.length + report.countrySurges.length + report.failureSpikes.length);
    expect(report.history.previousWindows).toBe(2);
  });
});

describe('thresholds and the window', () => {
  test('sends: one below the threshold is not flagged, at the threshold it is', () => {
    const nine = Array.from({ length: 9 }, (_, index) => send({ at: BASE - index * 60_000 }));
    expect(run(eventsOf(nine)).users).toEqual([]);
    const ten = [...nine, send({ at: BASE - 20 * 60_000 })];
    expect(run(eventsOf(ten)).users.map((row) => row.reasons)).toEqual([['10 sends (≥ 10)']]);
  });

  test('distinct numbers and destination countries', () => {
    const two = eventsOf([send({ phone: '+14155552671' }), send({ phone: '+14155552672' })]);
    expect(run(two).users).toEqual([]);
    const three = eventsOf([send({ phone: '+14155552671' }), send({ phone: '+14155552672' }), send({ phone: '+14155552673' })]);
    expect(run(three).users[0]?.reasons).toEqual(['3 distinct numbers (≥ 3)']);
    const countries = eventsOf([send({ phone: '+14155552671' }), send({ phone: '+447400123456' })]);
    expect(run(countries).users[0]?.reasons).toEqual(['2 destination countries (≥ 2)']);
    expect(run(countries, { thresholds: { minCountries: 3 } }).users).toEqual([]);
  });

  test('the window is (end - window, end]: an event at its start is out, at its end in; --until cuts newer events', () => {
    const events = eventsOf([send({ at: BASE - DAY }), send({ at: BASE }), send({ at: BASE + HOUR })]);
    const report = run(events, { until: BASE });
    expect(report.totals.sends).toBe(1);
    expect(report.window).toEqual({ start: new Date(BASE - DAY).toISOString(), end: new Date(BASE).toISOString(), ms: DAY });
    expect(run(events).window.end).toBe(new Date(BASE + HOUR).toISOString());
  });

  test('no events: an empty report ending at the clock, no findings', () => {
    const report = run([]);
    expect(report.findings).toBe(0);
    expect(report.window.end).toBe(new Date(BASE + 1000).toISOString());
    expect(report.totals.sends).toBe(0);
  });
});

describe('surges against the baseline', () => {
  const random = new Random(5);
  /** `perDay[i]` distinct numbers in the range on day i before the window end (0 = the window). */
  function rangeTraffic(prefix: string, perDay: readonly number[]): SendSpec[] {
    return perDay.flatMap((count, day) =>
      Array.from({ length: count }, (_, index) => send({ at: BASE - day * DAY - 1000 - index * 1000, userId: `auth0|r${day}-${index}`, ip: `10.0.${day}.${index}`, phone: numberInRange(prefix, random) })),
    );
  }

  test('threshold: max(floor, ceil(factor x baseline + 3 x sqrt(baseline))), floor halved (range) or quartered (country) when high risk', () => {
    const t = { surgeMin: 10, countrySurgeMin: 20, surgeFactor: 3 };
    expect(surgeThreshold('range', 0, t, false)).toBe(10);
    expect(surgeThreshold('range', 0, t, true)).toBe(5);
    expect(surgeThreshold('country', 0, t, true)).toBe(5);
    expect(surgeThreshold('range', 12, t, false)).toBe(Math.ceil(36 + 3 * Math.sqrt(12)));
  });

  test('a busy range that stays at its usual level is not a surge; the same range rising past the threshold is', () => {
    // +1415555 (US, not high risk): 12 numbers a day for 3 days, then 14 or 60 in the window.
    const usual = run(eventsOf(rangeTraffic('+1415555', [14, 12, 12, 12, 1])), { until: BASE });
    expect(usual.history.previousWindows).toBe(3);
    expect(usual.rangeSurges).toEqual([]);
    const rising = run(eventsOf(rangeTraffic('+1415555', [60, 12, 12, 12, 1])), { until: BASE });
    // Default factor 4 (the Action's): ceil(4 x 12 + 3 x sqrt(12)) = 59; 60 numbers are more.
    expect(rising.rangeSurges).toEqual([expect.objectContaining({ key: '+1415555xxxx', prefix: '+1 415555', numbers: 60, baseline: 12, previousWindows: 3, threshold: 59, highRisk: false })]);
    expect(run(eventsOf(rangeTraffic('+1415555', [59, 12, 12, 12, 1])), { until: BASE }).rangeSurges).toEqual([]);
  });

  test('the partial window before the oldest complete one does not count in the baseline', () => {
    // 40 numbers on day 4 only partly covered: history starts inside it.
    const report = run(eventsOf(rangeTraffic('+1415555', [20, 0, 0, 0, 40])), { until: BASE });
    expect(report.history.previousWindows).toBe(3);
    expect(report.rangeSurges[0]).toMatchObject({ baseline: 0, threshold: DEFAULT_THRESHOLDS.surgeMin, numbers: 20 });
  });

  test('SMS and voice are counted apart, voice at half the floors, as the send Action counts them', () => {
    const calls = (prefix: string, count: number, day = 0): SendSpec[] =>
      Array.from({ length: count }, (_, index) => send({ channel: 'voice', at: BASE - day * DAY - 500 - index * 1000, userId: `auth0|v${day}-${index}`, ip: `10.9.${day}.${index}`, phone: numberInRange(prefix, random) }));
    // A served range's texts (12 a day, 14 in the window) do not hide 5 new numbers called: over the voice floor of 4.
    const hidden = run(eventsOf([...rangeTraffic('+1415555', [14, 12, 12, 12, 1]), ...calls('+1415555', 5)]), { until: BASE });
    expect(hidden.rangeSurges).toEqual([expect.objectContaining({ key: '+1415555xxxx', channel: 'voice', numbers: 5, baseline: 0, threshold: Math.ceil(DEFAULT_THRESHOLDS.surgeMin / 2), voice: 5 })]);
    // The callers are behind the surge; the residents who text the range are not.
    const behind = hidden.flaggedUsers.map((user) => user.userId ?? '');
    expect(behind.filter((id) => id.startsWith('auth0|v')).length).toBe(5);
    expect(behind.filter((id) => id.startsWith('auth0|r'))).toEqual([]);
    // 7 texts and 3 calls in a quiet range: under both floors, so no surge (10 together would have been over the SMS floor of 8).
    const mixed = run(eventsOf([...rangeTraffic('+1415556', [7, 0, 0, 0, 1]), ...calls('+1415556', 3)]), { until: BASE });
    expect(mixed.rangeSurges).toEqual([]);
    // A range surging on both channels is two rows, one prefix to block.
    const both = run(eventsOf([...rangeTraffic('+1415557', [10, 0, 0, 0, 1]), ...calls('+1415557', 6)]), { until: BASE });
    expect(both.rangeSurges.map((row) => [row.channel, row.numbers])).toEqual([['sms', 10], ['voice', 6]]);
    expect(both.proposedBlockedNumbers).toEqual(['+1 415557']);
    // One finding to act on, with a reason per channel.
    const ranges = rankFindings(both).filter((finding) => finding.kind === 'range-surge');
    expect(ranges).toHaveLength(1);
    expect(ranges[0]?.reasons).toEqual(['10 sms numbers > 8', 'also by call: 6 voice numbers > 4']);
    expect(planRangeBlocks(both.rangeSurges, { now: BASE, blockMs: HOUR, keys: new GuardKeys('t:x') }).map((plan) => plan.prefix)).toEqual(['+1 415557']);
  });

  test('a country where no number is proven meets the high-risk tier\'s quartered floor, as in the send Action', () => {
    // Latvia (outside the SMS tier): 6 new numbers in a quiet country, under the country floor of 20.
    const latvia = Array.from({ length: 6 }, (_, index) => send({ at: BASE - 1000 - index * 1000, userId: `auth0|lv${index}`, ip: `10.8.0.${index}`, phone: mobileNumber('LV', random) }));
    expect(run(eventsOf(latvia), { until: BASE }).countrySurges).toEqual([]);
    const unproven = analyze(eventsOf(latvia), emptyInputSummary(), { windowMs: DAY, until: BASE, thresholds: { ...DEFAULT_THRESHOLDS }, generatedAt: BASE, unprovenCountries: new Set(['LV']) });
    expect(unproven.countrySurges).toEqual([expect.objectContaining({ key: 'LV', channel: 'sms', numbers: 6, threshold: Math.ceil(DEFAULT_THRESHOLDS.countrySurgeMin / 4), highRisk: false, unproven: true })]);
    // Ranges keep their own floor: the unproven floor is a country's.
    expect(unproven.rangeSurges).toEqual([]);
  });

  test('users with many numbers over all data exclude users already flagged for numbers in the window', () => {
    const specs = ['+14155552671', '+14155552672', '+14155552673'].map((phone, index) => send({ phone, at: BASE - index * 60_000 }));
    const report = run(eventsOf(specs));
    expect(report.users).toHaveLength(1);
    expect(report.manyNumbers).toEqual([]);
    const spread = ['US', 'US', 'US'].map((country, index) => send({ phone: mobileNumber(country, random), at: BASE - index * 2 * DAY }));
    expect(run(eventsOf(spread)).manyNumbers).toHaveLength(1);
  });
});
