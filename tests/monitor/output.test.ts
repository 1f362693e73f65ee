import fc from 'fast-check';
import { analyze, DEFAULT_THRESHOLDS, emptyInputSummary, type Report } from '../../scripts/monitor/analyze';
import { normalizeRecord, type SendEvent } from '../../scripts/monitor/events';
import { escapeHtml, guardNumbers, responseTable, terminalSafe, toHtml, toJson, toTable } from '../../scripts/monitor/output';
import { PhoneIdentity } from '../../scripts/monitor/phone';
import { buildWebhookPayload, executeResponse, planResponse } from '../../scripts/monitor/respond';
import { Random } from '../../scripts/sim/random';
import { mobileNumber } from '../../scripts/sim/numbers';
import { auth0Log, BASE, buildScenario, DAY, HOUR, oktaEvent, toRecord, tollguardLine, type SendSpec } from './fixtures';

function reportOf(records: readonly unknown[], salt = '22'.repeat(8)): Report {
  const identity = new PhoneIdentity(salt);
  const events: SendEvent[] = records.flatMap((record) => normalizeRecord(record, { identity })).flatMap((result) => (result.kind === 'send' ? [result.event] : []));
  return analyze(events, { ...emptyInputSummary(), sources: ['test'] }, { windowMs: DAY, until: BASE, thresholds: { ...DEFAULT_THRESHOLDS }, generatedAt: BASE });
}

const scenarioReport = reportOf(buildScenario().sends.map(toRecord));

describe('terminal table', () => {
  const table = toTable(scenarioReport);

  test('every section is there, with its count', () => {
    for (const title of ['FLAGGED ACTORS', 'FLAGGED USERS: 3', 'FLAGGED IPS', 'USERS WITH MANY NUMBERS (all loaded data): 1', 'RANGE SURGES', 'COUNTRY SURGES', 'FAILURE-RATE SPIKES (hours): 1', 'TOP USER AGENTS']) {
      expect(table).toContain(title);
    }
    expect(table).toContain('auth0|attacker-a');
    expect(table).toContain('+2323012xxxx');
  });

  test('columns are aligned: right-aligned numbers end at the header\'s edge', () => {
    const lines = table.split('\n');
    const start = lines.findIndex((line) => line.startsWith('FLAGGED USERS'));
    const header = lines[start + 1] ?? '';
    const edge = header.indexOf('sends') + 'sends'.length;
    const rows = lines.slice(start + 3, start + 6);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row[edge - 1]).toMatch(/\d/);
      expect(row[edge]).toBe(' ');
    }
  });

  test('the response list says clearly whether anything was changed', () => {
    expect(responseTable([], false)).toContain('DRY RUN: nothing was changed');
    expect(responseTable([], true)).toContain('applied');
  });
});

describe('hostile strings from the logs', () => {
  const evil: SendSpec = {
    at: BASE - HOUR,
    format: 'auth0',
    channel: 'sms',
    outcome: 'sent',
    userId: 'auth0|<img src=x onerror=alert(1)>',
    userName: 'x"><script>alert(1)</script>',
    ip: '198.51.100.66',
    ua: '\u001b[2J\u001b[31mred</td><script>alert(2)</script>\r\nforged line',
    phone: '+14155552671',
  };
  const report = reportOf(Array.from({ length: 12 }, (_, index) => auth0Log({ ...evil, at: BASE - index * 60_000 })));

  test('the terminal gets no control characters (no ANSI escapes, no forged lines)', () => {
    const table = toTable(report);
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(table.split('\n').some((line) => line.startsWith('forged line'))).toBe(false);
    expect(terminalSafe('a\u001b[31mb\nc')).toBe('a?[31mb?c');
  });

  test('the HTML escapes everything and carries no script or external resource', () => {
    const html = toHtml(report);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<[^>]*\s(src|href)=/i);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain("Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"");
    expect(escapeHtml(`<a href="x">'&`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;');
  });
});

describe('HTML report and JSON', () => {
  test('one inline SVG chart with a bar segment per non-empty bucket and outcome', () => {
    const html = toHtml(scenarioReport);
    expect(html.match(/<svg/g)).toHaveLength(1);
    const segments = scenarioReport.timeline.buckets.reduce((sum, bucket) => sum + [bucket.sent, bucket.failed, bucket.blocked].filter((value) => value > 0).length, 0);
    const bars = (html.match(/<rect (?!class="attack")[^>]*><title>/g) ?? []).length;
    expect(bars).toBe(segments);
    expect(segments).toBeGreaterThan(10);
    expect(html).toContain('Range surges');
  });

  test('JSON round-trips to the report', () => {
    expect(JSON.parse(toJson(scenarioReport))).toEqual(JSON.parse(JSON.stringify(scenarioReport)));
    expect(JSON.parse(toJson(scenarioReport, { response: [] }))).toHaveProperty('response', []);
  });

  test('the last guard masks a full number that slipped into any string, and leaves ranges and masked forms alone', () => {
    expect(guardNumbers('call +14155552671 now')).toBe('call +1415*****71 now');
    expect(guardNumbers('+1415555xxxx +1415*****71 +12345')).toBe('+1415555xxxx +1415*****71 +12345');
  });
});

test('property: no full phone number appears in the table, JSON, HTML, webhook payload or response record', async () => {
  const countries = ['US', 'GB', 'FR', 'DE', 'SL', 'LV', 'NG', 'ID', 'PK', 'GM', 'IN', 'BR'];
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 4, max: 14 }), async (seed, count) => {
      const random = new Random(seed);
      const phones = Array.from({ length: count }, () => mobileNumber(random.pick(countries), random));
      const records = phones.flatMap((phone, index) => {
        const at = BASE - (index + 1) * 600_000;
        const base: SendSpec = { at, format: 'auth0', channel: index % 3 === 0 ? 'voice' : 'sms', outcome: index % 4 === 0 ? 'failed' : 'sent', userId: 'auth0|fraudster', userName: phone, ip: '203.0.113.9', ua: `bot ${phone}`, phone };
        return [auth0Log(base), oktaEvent({ ...base, format: index % 2 === 0 ? 'okta-classic' : 'okta-oie', userId: '00ufraud' }), tollguardLine({ ...base, format: 'tollguard', outcome: 'blocked' })];
      });
      const report = reportOf(records, random.digits(16).replace(/./g, (digit) => 'abcdef0123456789'[Number(digit)] ?? '0'));
      expect(report.findings).toBeGreaterThan(0);
      const lines: string[] = [];
      const results = await executeResponse(planResponse(report, { action: 'block', allowList: new Set(), includeIpUsers: true }), {
        users: undefined,
        apply: false,
        concurrency: 1,
        retry: { maxRetries: 0, maxWaitMs: 0, now: () => BASE, sleep: async () => undefined },
        record: async (line) => void lines.push(line),
      });
      const outputs = [toTable(report), responseTable(results, false), toJson(report, { response: results }), toHtml(report, { users: results }), JSON.stringify(buildWebhookPayload(report, results, 'acme')), lines.join('')];
      for (const output of outputs) {
        for (const phone of phones) {
          expect(output).not.toContain(phone.slice(1));
        }
      }
    }),
    { numRuns: 15 },
  );
});
