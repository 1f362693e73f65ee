/**
 * The Cloudflare Worker bundle (dist/okta-hook-worker.mjs): the same Hono app behind the Workers
 * fetch interface, `fetch(request, env, ctx)`, with its configuration from `env` (the Worker's
 * bindings). No Workers runtime here: the bundle is loaded by a plain Node process (ES module,
 * Fetch API) and may import nothing but node:crypto (provided by Workers' nodejs_compat) and
 * reads no process.env.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { OKTA_WORKER_BUNDLE, buildOktaHook } from '../../scripts/build-hook';
import { AUTH_SECRET, oktaRequest } from './support';

const run = promisify(execFile);

beforeAll(async () => {
  await buildOktaHook({ quiet: true });
});

/** Calls the Worker's fetch once per request spec in a fresh Node process; answers status + body. */
async function callWorker(calls: { path: string; method?: string; auth?: string; body?: unknown }[], env: Record<string, string>): Promise<{ status: number; body: unknown; waitUntil: number }[]> {
  const script = `
    import worker from ${JSON.stringify(OKTA_WORKER_BUNDLE)};
    const calls = ${JSON.stringify(calls)};
    const env = ${JSON.stringify(env)};
    const out = [];
    for (const call of calls) {
      const waits = [];
      const ctx = { waitUntil: (p) => waits.push(p), passThroughOnException: () => {} };
      const headers = { 'content-type': 'application/json' };
      if (call.auth) headers.authorization = call.auth;
      const request = new Request('https://hook.example.com' + call.path, { method: call.method ?? 'POST', headers, body: call.body === undefined ? undefined : JSON.stringify(call.body) });
      const response = await worker.fetch(request, env, ctx);
      out.push({ status: response.status, body: await response.json(), waitUntil: waits.length });
    }
    process.stdout.write('RESULT ' + JSON.stringify(out) + '\\n');
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env['PATH'] ?? '' }, timeout: 20_000 });
  const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
  if (line === undefined) throw new Error(`the worker printed no result:\n${stdout}`);
  return JSON.parse(line.slice('RESULT '.length)) as { status: number; body: unknown; waitUntil: number }[];
}

test('the Worker bundle imports only node:crypto and never reads process.env', () => {
  const code = readFileSync(OKTA_WORKER_BUNDLE, 'utf8');
  const imports = [...code.matchAll(/from\s*"([^"]+)"/g)].map((match) => match[1]);
  expect([...new Set(imports)]).toEqual(['node:crypto']);
  expect(code).not.toMatch(/\brequire\(/);
  expect(code).not.toContain('process.env');
});

test('it answers Okta like the Node server: configuration from env, 401 without the header', async () => {
  const body = oktaRequest({ phoneNumber: '+14155552671', otpCode: '48213', msgTemplate: 'Your code is 48213' });
  const refused = oktaRequest({ phoneNumber: '+2348031234567' });
  const [health, sent, blocked, unauthorised] = await callWorker(
    [
      { path: '/healthz', method: 'GET' },
      { path: '/okta/telephony-hook', auth: AUTH_SECRET, body },
      { path: '/okta/telephony-hook', auth: AUTH_SECRET, body: refused },
      { path: '/okta/telephony-hook', body },
    ],
    { OKTA_HOOK_AUTH_SECRET: AUTH_SECRET, TWILIO_DRY_RUN: 'true' },
  );
  expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
  expect(sent?.status).toBe(200);
  expect(sent?.body).toMatchObject({ commands: [{ type: 'com.okta.telephony.action', value: [{ status: 'SUCCESSFUL', provider: 'TOLLGUARD_DRY_RUN' }] }] });
  expect(blocked?.body).toMatchObject({ commands: [{ value: [{ status: 'SUCCESSFUL', provider: 'TOLLGUARD', transactionMetadata: 'not sent: refused by tollguard (geo)' }] }] });
  expect(unauthorised?.status).toBe(401);
});

test('without OKTA_HOOK_AUTH_SECRET among its bindings it answers 500 (Okta then sends the code itself) and says why', async () => {
  const [reply] = await callWorker([{ path: '/okta/telephony-hook', auth: AUTH_SECRET, body: oktaRequest() }], { TWILIO_DRY_RUN: 'true' });
  expect(reply).toMatchObject({ status: 500, body: { error: { errorSummary: 'the tollguard hook is not configured' } } });
});
