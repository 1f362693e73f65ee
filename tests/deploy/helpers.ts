/**
 * Shared pieces of the deploy tests: running `npx tsx scripts/deploy.ts` the way a user does (as a
 * child process, with a chosen environment), a copy of the built dist/ that a test may tamper with,
 * and fake (obviously not real) credentials in the right shapes.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ManagementApiServer } from '../support/management-api';

export const ROOT = path.resolve(__dirname, '../..');
export const DIST = path.join(ROOT, 'dist');
export const BUNDLES = ['send-phone-message.js', 'custom-phone-provider.js', 'pre-user-registration.js', 'post-login.js'];

/** Fake credentials in the shapes the Actions accept; none is real. */
export const FAKE = {
  TWILIO_ACCOUNT_SID: 'AC' + '0e2e'.repeat(8),
  TWILIO_AUTH_TOKEN: 'e2e0not0a0real0twilio0token0000',
  TWILIO_FROM_NUMBER: '+15005550006',
  UPSTASH_REDIS_REST_URL: 'https://tollguard-e2e-not-real.upstash.io',
  // Characters that break naive YAML or keyword substitution: quotes, $&, #, backslash, ':' (a token
  // is printable ASCII without spaces; the deny message below carries ': ' and non-ASCII).
  UPSTASH_REDIS_REST_TOKEN: `e2e-"not-real"$&#hash\\back:'quoted'-token`,
  CAPTCHA_PROVIDER: 'turnstile',
  CAPTCHA_SECRET: '0x4AAAAAAAe2eNotARealTurnstileSecret',
  GUARD_MODE: 'monitor',
  GUARD_LIMIT_IP: '30/1h',
  GUARD_BLOCKED_COUNTRIES: 'RU, BY',
  GUARD_SIGNUP_LIMIT_IP: '5/1h',
  GUARD_SIGNUP_DENY_MESSAGE: "Sign-up refused: réessayez plus tard ✓ #1 'ok'",
  ALERT_WEBHOOK_URL: 'https://hooks.example.com/services/E2E-NOT-REAL',
} as const;

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment of one deploy: nothing inherited but PATH/HOME, so no developer secret leaks in. */
export function deployEnv(api: ManagementApiServer | undefined, certFile: string | undefined, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? os.tmpdir(),
    ...(certFile === undefined ? {} : { NODE_EXTRA_CA_CERTS: certFile }),
    ...(api === undefined ? {} : { AUTH0_DOMAIN: api.domain, AUTH0_CLIENT_ID: api.clientId, AUTH0_CLIENT_SECRET: api.clientSecret }),
    ...FAKE,
  };
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Runs `npx tsx scripts/deploy.ts <args>` in the repository, as a user would. */
export function runDeploy(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'scripts/deploy.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: Date.now() - started }));
  });
}

export function requireBuiltDist(): void {
  const missing = ['dependencies.json', ...BUNDLES].filter((file) => !existsSync(path.join(DIST, file)));
  if (missing.length > 0) throw new Error(`dist/ lacks ${missing.join(', ')}: run npm run build before the deploy tests`);
}

export interface DistCopy {
  dir: string;
  bundle(file: string): Buffer;
  cleanup(): void;
}

/**
 * A copy of the built dist/ in a temp dir, stamped one hour ahead so that it counts as newer than
 * every source (the deploy refuses a dist/ older than its sources; other people may be editing them
 * while the tests run). `tamper` rewrites one bundle.
 */
export function copyDist(tamper?: { file: string; edit: (code: string) => string }, stamp: Date = new Date(Date.now() + 3_600_000)): DistCopy {
  requireBuiltDist();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tollguard-dist-'));
  mkdirSync(dir, { recursive: true });
  for (const file of ['dependencies.json', ...BUNDLES]) {
    const target = path.join(dir, file);
    copyFileSync(path.join(DIST, file), target);
    if (tamper?.file === file) writeFileSync(target, tamper.edit(readFileSync(target, 'utf8')));
    utimesSync(target, stamp, stamp);
  }
  return {
    dir,
    bundle: (file) => readFileSync(path.join(dir, file)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
