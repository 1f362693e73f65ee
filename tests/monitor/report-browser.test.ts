/**
 * Issue 11 §4: the HTML report during an attack, checked in a real browser (chromium through
 * playwright-core): it opens with "what to do now", ranks the findings (most urgent first, each
 * actor once), colours the chart's attack hours by finding, shows the time zone, and never breaks
 * an IP, a number or an id across lines; no horizontal overflow at a narrow and a wide viewport.
 * A full-page screenshot per viewport, and the page, are written to $TMPDIR/tollguard-monitor-report
 * (paths printed).
 */
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXIT_FINDINGS, main } from '../../scripts/monitor/cli';
import { FINDING_COLORS } from '../../scripts/monitor/output';
import { Random } from '../../scripts/sim/random';
import { mobileNumber } from '../../scripts/sim/numbers';
import { describeWithBrowser, launchBrowser, type Browser } from '../support/browser';
import { auth0Log, BASE, buildScenario, HOUR, writeJson, type SendSpec } from './fixtures';

const LONG_ID = 'google-oauth2|110248495921238986420';
const IPV6 = '2001:db8:85a3::8a2e:370:7334';

/** An attacker with a long user id behind an IPv6 address: 12 sends to 4 Gambian numbers. */
function longIdAttacker(): SendSpec[] {
  const random = new Random(41);
  const numbers = Array.from({ length: 4 }, () => mobileNumber('GM', random));
  return Array.from({ length: 12 }, (_, index) => ({
    at: BASE - 8 * HOUR + index * 120_000,
    format: 'auth0' as const,
    channel: index % 3 === 0 ? ('voice' as const) : ('sms' as const),
    outcome: 'sent' as const,
    userId: LONG_ID,
    ip: IPV6,
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
    phone: numbers[index % numbers.length] ?? '',
  }));
}

let dir: string;
let html: string;
let page: string;
const shotsDir = join(tmpdir(), 'tollguard-monitor-report');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tollguard-monitor-html-'));
  const scenario = buildScenario();
  const logs = join(dir, 'logs.json');
  await writeJson(logs, [...scenario.sends.filter((send) => send.format === 'auth0'), ...longIdAttacker()].map((spec) => auth0Log(spec)), 'array');
  page = join(dir, 'report.html');
  let stderr = '';
  const code = await main([logs, '--until', new Date(BASE).toISOString(), '--html', page, '--block', '--quiet'], {
    stdout: () => undefined,
    stderr: (text) => void (stderr += text),
    env: {},
    now: () => BASE + 60_000,
  });
  expect(stderr).toBe('');
  expect(code).toBe(EXIT_FINDINGS);
  html = await readFile(page, 'utf8');
  await mkdir(shotsDir, { recursive: true });
  // The page beside its screenshots, to look at by hand.
  await copyFile(page, join(shotsDir, 'report.html'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the HTML report, as markup', () => {
  test('opens with "what to do now", before the findings and the chart', () => {
    const now = html.indexOf('<h2>What to do now</h2>');
    expect(now).toBeGreaterThan(0);
    expect(now).toBeLessThan(html.indexOf('id="findings"'));
    expect(now).toBeLessThan(html.indexOf('<svg'));
    const steps = html.slice(now, html.indexOf('</ol>', now)).replace(/<[^>]+>/g, '');
    expect(steps).toContain('block range +2323012xxxx: add +232 3012 to GUARD_BLOCKED_NUMBERS');
    expect(steps).toContain('Dry run:');
    expect(steps).toContain('1 range block(s) skipped: no counter store');
  });

  test('each actor once: the attacker is one finding, not a user row plus an actor row; the 30 pumping accounts are in their range finding', () => {
    expect(html.match(/data-finding="F\d+" [^>]*>\s*<h3>[^\n]*auth0\|attacker-a/g) ?? []).toHaveLength(1);
    expect(html).not.toMatch(/<h3>[^\n]*auth0\|pump\d\d/);
    expect(html).toMatch(/range surge: <span class="tok">\+2323012xxxx<\/span>/);
  });

  test('ranked: high severity first, and within it the costlier finding first', () => {
    const order = [...html.matchAll(/<article class="finding sev-(\w+)" data-finding="(F\d+)"/g)].map((match) => [match[2], match[1]]);
    const severities = order.map(([, severity]) => ['high', 'medium', 'low'].indexOf(severity ?? ''));
    expect(severities).toEqual([...severities].sort((a, b) => a - b));
    expect(order[0]).toEqual(['F1', 'high']);
    const findings = html.slice(html.indexOf('id="findings"'));
    expect(findings.indexOf('range surge: <span class="tok">+2323012xxxx')).toBeLessThan(findings.indexOf('user: <span class="tok">auth0|attacker-a'));
    // The attacker's own flagged IP is part of its finding, not a second one.
    expect(findings).not.toMatch(/IP: <span class="tok">203\.0\.113\.66/);
    expect(findings).toContain('its IP <span class="tok">203.0.113.66</span> is flagged too');
    // The Sierra Leone country surge is the range's traffic: folded into the range finding.
    expect(findings).not.toMatch(/country surge: <span class="tok">SL/);
    expect(findings).toContain('also a country surge: SL');
  });

  test('the time zone is shown', () => {
    expect(html).toMatch(/Window <time>2025-03-09 12:00<\/time> – <time>2025-03-10 12:00<\/time> <strong>UTC<\/strong>/);
    expect(html).toContain('times in UTC');
  });
});

/**
 * Runs in the page (a string, as the project's TypeScript has no DOM types): the measures the
 * layout assertions need.
 */
const LAYOUT_PROBE = String.raw`(() => {
        const doc = document.documentElement;
        const findings = [...document.querySelectorAll('article.finding')].map((element) => {
          const rect = element.getBoundingClientRect();
          const style = getComputedStyle(element);
          return { id: element.dataset['finding'], left: rect.left, right: rect.right, width: rect.width, height: rect.height, visible: style.visibility !== 'hidden' && style.display !== 'none' };
        });
        const tokens = [...document.querySelectorAll('.tok')].map((element) => ({ text: element.textContent ?? '', lines: element.getClientRects().length, right: element.getBoundingClientRect().right, inScroll: element.closest('.scroll') !== null }));
        // Every IP, masked number, range and id in the text must be inside a .tok span.
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const loose = [];
        const pattern = /\+[\dx*]{4,}|\b\d{1,3}(?:\.\d{1,3}){3}\b|[A-Za-z0-9_-]+\|[A-Za-z0-9_-]+|2001:db8/;
        for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
          const parent = node.parentElement;
          if (parent === null || parent.closest('.tok, svg, title, style, head') !== null) continue;
          const match = pattern.exec(node.textContent ?? '');
          if (match !== null) loose.push(match[0]);
        }
        // Text that sticks out of its box (a long word in a list item or a finding card).
        const overflowing = [...document.querySelectorAll('header, #now, #now li, article.finding, article.finding *')]
          .filter((element) => element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).display !== 'inline')
          .map((element) => element.tagName.toLowerCase() + ': ' + (element.textContent ?? '').slice(0, 60));
        const now = document.querySelector('#now')?.getBoundingClientRect().top ?? -1;
        const firstFinding = document.querySelector('article.finding')?.getBoundingClientRect().top ?? -1;
        const attack = [...document.querySelectorAll('rect.attack')].map((rect) => ({ finding: rect.getAttribute('data-finding'), fill: rect.getAttribute('fill') }));
        const lanes = [...document.querySelectorAll('rect.lane')].map((rect) => rect.getAttribute('data-finding'));
        return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, innerWidth: window.innerWidth, findings, tokens, loose, overflowing, now, firstFinding, attack, lanes };
      })()`;

interface Layout {
  scrollWidth: number;
  clientWidth: number;
  innerWidth: number;
  findings: { id: string; left: number; right: number; width: number; height: number; visible: boolean }[];
  tokens: { text: string; lines: number; right: number; inScroll: boolean }[];
  loose: string[];
  overflowing: string[];
  now: number;
  firstFinding: number;
  attack: { finding: string | null; fill: string | null }[];
  lanes: (string | null)[];
}

describeWithBrowser('the HTML report in chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  test.each([
    ['narrow', 360, 740],
    ['wide', 1280, 900],
  ])('%s viewport (%i px): no horizontal overflow, every finding visible, no token broken, attack hours coloured', async (label, width, height) => {
    const tab = await browser.context.newPage();
    try {
      await tab.setViewportSize({ width, height });
      await tab.goto(pathToFileURL(page).href);
      const layout = (await tab.evaluate(LAYOUT_PROBE)) as Layout;
      const shot = join(shotsDir, `report-${label}-${width}.png`);
      await tab.screenshot({ path: shot, fullPage: true });
      console.log(`screenshot: ${shot}`);

      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth);
      expect(layout.overflowing).toEqual([]);
      expect(layout.findings.length).toBeGreaterThanOrEqual(5);
      for (const finding of layout.findings) {
        expect([finding.id, finding.visible, finding.width > 0 && finding.height > 0, finding.left >= 0, finding.right <= layout.innerWidth]).toEqual([finding.id, true, true, true, true]);
      }
      expect(layout.now).toBeGreaterThan(0);
      expect(layout.now).toBeLessThan(layout.firstFinding);

      const texts = layout.tokens.map((token) => token.text);
      for (const expected of [LONG_ID, IPV6, '+2323012xxxx', '+232 3012', 'auth0|attacker-a', '203.0.113.66']) expect(texts).toContain(expected);
      const broken = layout.tokens.filter((token) => token.lines !== 1);
      expect(broken).toEqual([]);
      // Outside the scrolling detail tables, no token sticks out of the page.
      expect(layout.tokens.filter((token) => !token.inScroll && token.right > layout.innerWidth)).toEqual([]);
      expect(layout.loose).toEqual([]);

      // F1 (the range surge, the most urgent) colours its hours in the chart, in its own colour.
      expect(layout.attack).toContainEqual({ finding: 'F1', fill: FINDING_COLORS[0] });
      expect(new Set(layout.lanes)).toEqual(new Set(layout.findings.slice(0, FINDING_COLORS.length).map((finding) => finding.id)));
    } finally {
      await tab.close();
    }
  }, 30_000);
});
