/**
 * A real browser for the tests of the HTML report: Debian's `chromium` (CHROMIUM_PATH, or
 * /usr/bin/chromium), driven by playwright-core (a maintained client; it downloads nothing, it
 * only drives the given executable). Each launch has its own fresh profile directory, removed on
 * close.
 *
 * Without a browser the suite is skipped with a loud banner, unless CI is set (CI=true), in
 * which case it fails: .ci/run installs chromium, so a CI machine without it is a broken CI.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export function chromiumPath(): string {
  const configured = process.env['CHROMIUM_PATH'];
  return configured !== undefined && configured.trim() !== '' ? configured.trim() : '/usr/bin/chromium';
}

export function browserAvailable(): { available: boolean; reason: string } {
  const path = chromiumPath();
  return existsSync(path) ? { available: true, reason: '' } : { available: false, reason: `no chromium at ${path} (set CHROMIUM_PATH, or apt-get install chromium)` };
}

function inCi(): boolean {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** `describe` for suites that need chromium: skipped loudly without it, failed without it in CI. */
export function describeWithBrowser(name: string, fn: () => void): void {
  const status = browserAvailable();
  if (status.available) {
    describe(name, fn);
  } else if (inCi()) {
    describe(name, () => {
      it('needs chromium', () => {
        throw new Error(`CI is set but the browser tests cannot run: ${status.reason}. .ci/run installs it with apt-get.`);
      });
    });
  } else {
    console.warn(
      [
        '',
        '#'.repeat(78),
        `##  BROWSER TESTS SKIPPED: "${name}"`,
        `##  Reason: ${status.reason}.`,
        '##  Enable them: apt-get install chromium, or set CHROMIUM_PATH. With CI=true they fail instead.',
        '#'.repeat(78),
        '',
      ].join('\n'),
    );
    describe.skip(name, fn);
  }
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'tollguard-chromium-'));
  // A persistent context is how playwright takes a --user-data-dir: here a fresh, empty one.
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS] });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
