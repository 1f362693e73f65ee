/**
 * The BUILT Okta hook server (dist/okta-telephony-hook.js) as a child process, over real HTTP,
 * delivering through the local Twilio server: Okta's sample requests, what Twilio receives, the
 * shadow block, Okta's error object on a failed delivery, the Authorization header, hostile
 * bodies, a stalled Twilio and the answer deadline, start-up refusals, the bundle running with no
 * node_modules, and no code, number or credential in any line the server writes.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OKTA_HOOK_BUNDLE, buildOktaHook } from '../../scripts/build-hook';
import { startTwilioServer, type TwilioTestServer } from '../support/twilio-server';
import { sayTexts } from '../bundle/helpers';
import {
  AUTH_SECRET,
  HOOK_PATH,
  OKTA_REFERENCE_SAMPLE,
  commandOf,
  oktaRequest,
  postHook,
  startHook,
  startHookExpectingExit,
  voiceVerificationSample,
  type HookProcess,
  type OktaRequestType,
} from './support';

const CODE = '739184';
const TEMPLATE = `Your Example code is ${CODE}`;
const FROM = '+15005550006';
const US = '+14155552671';
const US_FORMATTED = '+1 (415) 555-2671';
const GB = '+447400123456';
const NIGERIA = '+2348031234567';
/** Twilio's timeout inside the hook is 1.5 s; the answer deadline is 2.5 s; Okta's is 3 s. */
const OKTA_TIMEOUT_MS = 3000;

let twilio: TwilioTestServer;
const servers: HookProcess[] = [];
const allLines: string[] = [];
const forbidden = new Map<string, string>();

function forbid(value: string, what: string): void {
  forbidden.set(value, what);
}

async function hook(env: Record<string, string | undefined> = {}): Promise<HookProcess> {
  const server = await startHook({
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM_NUMBER: FROM,
    TWILIO_BASE_URL: twilio.url,
    ...env,
  });
  servers.push(server);
  return server;
}

function request(spec: { to?: string; type?: OktaRequestType; channel?: string; userId?: string; ip?: string } = {}): Record<string, unknown> {
  return oktaRequest({
    requestType: spec.type ?? 'pre-enrollment',
    phoneNumber: spec.to ?? US,
    deliveryChannel: spec.channel ?? 'SMS',
    otpCode: CODE,
    msgTemplate: TEMPLATE,
    userId: spec.userId ?? '00uyxxSknGtK8022w0g3',
    ipAddress: spec.ip ?? '198.51.100.7',
  });
}

beforeAll(async () => {
  await buildOktaHook({ quiet: true });
  twilio = await startTwilioServer();
  forbid(CODE, 'OTP code');
  forbid(TEMPLATE, 'message text');
  forbid(AUTH_SECRET, 'hook auth secret');
  forbid(twilio.authToken, 'Twilio auth token');
  for (const number of [US, GB, NIGERIA]) {
    forbid(number, 'phone number');
    forbid(number.slice(1), 'phone number digits');
  }
});
afterEach(() => twilio.reset());
afterAll(async () => {
  for (const server of servers) {
    await server.stop();
    allLines.push(...server.lines);
  }
  await twilio?.close();
  const leaks = allLines.flatMap((line) => [...forbidden].filter(([value]) => line.includes(value)).map(([, what]) => `${what} in: ${line.slice(0, 200)}`));
  expect(leaks).toEqual([]);
  expect(allLines.length).toBeGreaterThan(20);
});

describe('Okta requests through the built server', () => {
  let server: HookProcess;
  beforeAll(async () => {
    server = await hook();
  });

  test('it says how it started, and answers health checks', async () => {
    expect(server.listening).toMatchObject({ tollguard: 'hook', event: 'listening', mode: 'enforce', delivery: 'messaging', store: 'embedded' });
    expect(server.listening['notes']).toBeUndefined();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  test("Okta's reference sample (number 9876543210, not E.164): a shadow block, nothing sent", async () => {
    const reply = await postHook(server, OKTA_REFERENCE_SAMPLE);
    expect(commandOf(reply)).toMatchObject({ status: 'SUCCESSFUL', provider: 'TOLLGUARD', transactionMetadata: 'not sent: refused by tollguard (number-sanity)' });
    expect(twilio.requests).toEqual([]);
    const [line] = (await server.waitForDecisions(1)).slice(-1);
    expect(line).toMatchObject({ trigger: 'okta-telephony-hook', decision: 'block', outcome: 'refused', refusal: 'silent', rules: ['number-sanity'], message_type: 'pre-enrollment', otp_action: 'enrollment', user_id: '00uyxxSknGtK8022w0g3', ip: '127.0.0.1' });
  });

  test('a pre-enrolment SMS goes out through Twilio; Okta gets the Message SID as transactionId', async () => {
    const before = server.decisions().length;
    const reply = await postHook(server, request({ to: US_FORMATTED }));
    const command = commandOf(reply);
    expect(twilio.requests).toHaveLength(1);
    const sent = twilio.requests[0];
    expect(sent).toMatchObject({ operation: 'message', violations: [] });
    expect(sent?.params).toMatchObject({ To: US, From: FROM, Body: TEMPLATE });
    const line = (await server.waitForDecisions(before + 1))[before];
    expect(line).toMatchObject({ decision: 'allow', outcome: 'delivered', channel: 'sms', message_type: 'pre-enrollment', otp_action: 'enrollment', to: '+1415*****71', country: 'US', ip: '198.51.100.7', user_id: '00uyxxSknGtK8022w0g3' });
    expect(command).toMatchObject({ status: 'SUCCESSFUL', provider: 'TWILIO', transactionId: line?.delivery?.sid });
    expect(command.transactionId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(command.transactionMetadata).toMatch(/^Duration=\d+ms; tollguard allow$/);
  });

  test('a voice mfa-verification (channel "Voice") is a Twilio call reading the code digit by digit', async () => {
    const reply = await postHook(server, voiceVerificationSample(GB, CODE));
    const command = commandOf(reply);
    expect(command).toMatchObject({ status: 'SUCCESSFUL', provider: 'TWILIO' });
    expect(command.transactionId).toMatch(/^CA[0-9a-f]{32}$/);
    const call = twilio.requests[0];
    expect(call).toMatchObject({ operation: 'call', violations: [] });
    expect(call?.params['To']).toBe(GB);
    expect(sayTexts(String(call?.params['Twiml']))[0]).toBe('Your code is 7, 3, 9, 1, 8, 4.');
  });

  test.each([
    ['mfa-verification', 'second-factor-authentication', '+14155550140'],
    ['account-unlock', 'second-factor-authentication', '+14155550141'],
    ['password-reset', 'second-factor-authentication', '+14155550142'],
  ] as const)('%s is an OTP like any other (otp_action %s)', async (type, otpAction, to) => {
    const before = server.decisions().length;
    const reply = await postHook(server, request({ type, channel: 'voice call', to, userId: `00u-${type}` }));
    expect(commandOf(reply)).toMatchObject({ status: 'SUCCESSFUL', provider: 'TWILIO' });
    const line = (await server.waitForDecisions(before + 1))[before];
    expect(line).toMatchObject({ outcome: 'delivered', channel: 'voice', message_type: type, otp_action: otpAction });
  });

  test('a high-risk destination is refused as a shadow block: SUCCESSFUL for Okta, nothing sent, logged as refused', async () => {
    const before = server.decisions().length;
    const reply = await postHook(server, request({ to: NIGERIA }));
    expect(commandOf(reply)).toMatchObject({ status: 'SUCCESSFUL', provider: 'TOLLGUARD', transactionMetadata: 'not sent: refused by tollguard (geo)' });
    expect(commandOf(reply).transactionId).toMatch(/^tollguard-[0-9a-f-]{36}$/);
    expect(twilio.requests).toEqual([]);
    const line = (await server.waitForDecisions(before + 1))[before];
    expect(line).toMatchObject({ decision: 'block', outcome: 'refused', refusal: 'silent', rules: ['geo'], country: 'NG' });
  });

  test('Twilio refuses the message: Okta gets its error object (it may send the code itself)', async () => {
    twilio.fault({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    const before = server.decisions().length;
    const reply = await postHook(server, request({ to: '+14155550143', userId: '00u-fault1' }));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ error: { errorSummary: 'tollguard could not deliver the one-time code', errorCauses: [{ errorSummary: 'tollguard could not deliver the one-time code', reason: 'DELIVERY_FAILED', domain: 'external-service' }] } });
    const line = (await server.waitForDecisions(before + 1))[before];
    expect(line).toMatchObject({ decision: 'allow', outcome: 'not_delivered', twilio_code: 21610 });
  });

  test('Twilio 503: the error object says the provider was unavailable', async () => {
    twilio.fault({ status: 503, code: 20503, message: 'Service unavailable' });
    const reply = await postHook(server, request({ to: '+14155550144', userId: '00u-fault2' }));
    expect((reply.body as { error: { errorCauses: { reason: string }[] } }).error.errorCauses[0]?.reason).toBe('PROVIDER_UNAVAILABLE');
  });

  test('a stalled Twilio is cut at the hook timeout (1.5 s): answered well inside Okta 3 s', async () => {
    twilio.delay(10_000);
    const before = server.decisions().length;
    const reply = await postHook(server, request({ to: '+14155550145', userId: '00u-stall' }));
    expect(reply.ms).toBeLessThan(OKTA_TIMEOUT_MS - 500);
    expect(reply.ms).toBeGreaterThanOrEqual(1400);
    expect((reply.body as { error: { errorCauses: { reason: string }[] } }).error.errorCauses[0]?.reason).toBe('PROVIDER_UNAVAILABLE');
    const line = (await server.waitForDecisions(before + 1))[before];
    expect(line).toMatchObject({ outcome: 'not_delivered' });
    expect(String(line?.delivery_error)).toBe('Twilio did not answer within 1500 ms');
  });
});

describe('Authorization header', () => {
  let server: HookProcess;
  beforeAll(async () => {
    server = await hook();
  });

  test.each([
    ['missing', null],
    ['wrong', 'okta-hook-test-secret-0b5e1c7d9a2e'],
    ['a prefix of the secret', AUTH_SECRET.slice(0, -1)],
    ['the secret with more after it', `${AUTH_SECRET}x`],
    ['Bearer <secret>', `Bearer ${AUTH_SECRET}`],
  ])('%s: 401, nothing sent, no decision', async (_label, auth) => {
    const reply = await postHook(server, request(), { auth });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ error: { errorSummary: 'missing or wrong Authorization header' } });
    expect(twilio.requests).toEqual([]);
    expect(server.decisions()).toEqual([]);
  });

  test('a 5 MB body without the header is refused before it is read', async () => {
    const reply = await postHook(server, 'x'.repeat(5 * 1024 * 1024), { auth: null, raw: true });
    expect(reply.status).toBe(401);
  });
});

describe('hostile bodies (authenticated)', () => {
  let server: HookProcess;
  beforeAll(async () => {
    server = await hook();
  });

  test.each([
    ['not JSON', '{"eventType": "com.okta.telephony.provider", '],
    ['empty', ''],
    ['XML', '<xml/>'],
  ])('%s: 400 with an Okta error object, nothing sent', async (_label, body) => {
    const reply = await postHook(server, body, { raw: true });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: { errorSummary: 'the request body is not JSON' } });
    expect(twilio.requests).toEqual([]);
  });

  test('5 MB of JSON: 413, quickly, and the server keeps serving', async () => {
    const big = JSON.stringify({ ...request(), padding: 'x'.repeat(5 * 1024 * 1024) });
    const reply = await postHook(server, big, { raw: true });
    expect(reply.status).toBe(413);
    expect(reply.ms).toBeLessThan(2000);
    expect(commandOf(await postHook(server, request({ to: '+14155550146', userId: '00u-after-big' })))).toMatchObject({ provider: 'TWILIO' });
  });

  test('5 MB sent in chunks (no Content-Length): 413 too', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 80) return controller.close();
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${server.url}${HOOK_PATH}`, { method: 'POST', headers: { authorization: AUTH_SECRET, 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    await response.text();
  });

  const missing = (mutate: (body: Record<string, unknown>) => void): Record<string, unknown> => {
    const body = request();
    mutate(body);
    return body;
  };
  const profile = (body: Record<string, unknown>) => (body['data'] as Record<string, Record<string, unknown>>)['messageProfile'] as Record<string, unknown>;

  test.each([
    ['a JSON array', [request()], 'the request body is not a JSON object'],
    ['a JSON string', 'hello', 'the request body is not a JSON object'],
    ['no eventType', missing((b) => delete b['eventType']), 'eventType <undefined> is not com.okta.telephony.provider'],
    ['no data', missing((b) => delete b['data']), 'data is missing or not an object'],
    ['no messageProfile', missing((b) => delete (b['data'] as Record<string, unknown>)['messageProfile']), 'data.messageProfile is missing or not an object'],
    ['no otpCode', missing((b) => delete profile(b)['otpCode']), 'data.messageProfile.otpCode is missing or malformed (<undefined>)'],
    ['otpCode a number', missing((b) => (profile(b)['otpCode'] = 739184)), 'data.messageProfile.otpCode is missing or malformed (<number>)'],
    ['deliveryChannel an object', missing((b) => (profile(b)['deliveryChannel'] = { sms: true })), 'data.messageProfile.deliveryChannel <object> is neither SMS nor voice'],
    ['requestType null', missing((b) => (b['requestType'] = null)), 'requestType <null> is not a telephony request type Okta documents'],
  ])('%s: handed back to Okta (its error object), nothing sent by tollguard; the line says why', async (_label, body, reason) => {
    const before = server.decisions().length;
    const reply = await postHook(server, body);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ error: { errorSummary: 'tollguard cannot read this telephony request', errorCauses: [{ reason: 'INVALID_REQUEST' }] } });
    expect(twilio.requests).toEqual([]);
    const line = (await server.waitForDecisions(before + 1))[before];
    expect(line).toMatchObject({ decision: 'error', outcome: 'not_delivered', rules: ['event'], reasons: [reason] });
    expect(line?.['refusal']).toBeUndefined();
  });

  test.each([
    ['phoneNumber a number', 4155552671, '<number>'],
    ['phoneNumber an array', [US], '<object>'],
    ['phoneNumber 5 000 digits', `+1${'5'.repeat(4998)}`, '<5000 chars>'],
  ])('%s: refused by number-sanity, the number never logged', async (_label, phoneNumber, shown) => {
    const body = request();
    profile(body)['phoneNumber'] = phoneNumber;
    const before = server.decisions().length;
    expect(commandOf(await postHook(server, body))).toMatchObject({ provider: 'TOLLGUARD', transactionMetadata: 'not sent: refused by tollguard (number-sanity)' });
    const line = (await server.waitForDecisions(before + 1))[before];
    expect(line).toMatchObject({ outcome: 'refused', rules: ['number-sanity'], to: shown });
  });

  test('other methods and paths', async () => {
    const get = await fetch(`${server.url}${HOOK_PATH}`, { headers: { authorization: AUTH_SECRET } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    await get.text();
    const other = await fetch(`${server.url}/`, { method: 'POST', headers: { authorization: AUTH_SECRET }, body: '{}' });
    expect(other.status).toBe(404);
    await other.text();
  });
});

describe('limits keyed on Okta signals', () => {
  test("the per-user limit counts the Okta user id, across numbers", async () => {
    const server = await hook({ GUARD_LIMIT_USER: '2/1h' });
    const user = '00uLimitTest000000001';
    const numbers = ['+14155550150', '+14155550151', '+14155550152'];
    const answers = [];
    for (const [index, to] of numbers.entries()) answers.push(commandOf(await postHook(server, request({ to, type: 'mfa-verification', userId: user, ip: `198.51.100.${20 + index}` }))));
    expect(answers.map((answer) => answer.provider)).toEqual(['TWILIO', 'TWILIO', 'TOLLGUARD']);
    expect(answers[2]?.transactionMetadata).toBe('not sent: refused by tollguard (user-velocity)');
    expect(twilio.requests).toHaveLength(2);
    // Another Okta user is not affected.
    expect(commandOf(await postHook(server, request({ to: '+14155550153', userId: '00uOtherUser000000001' }))).provider).toBe('TWILIO');
  });

  test('requestType: pre-enrollment (where pumping happens) meets the low-trust per-user limit, mfa-verification the ordinary one', async () => {
    const server = await hook({ GUARD_LIMIT_USER: '10/1h', GUARD_LIMIT_USER_LOW_TRUST: '2/1h' });
    const send = async (type: OktaRequestType, user: string, last: number) =>
      commandOf(await postHook(server, request({ to: `+1415555${String(last).padStart(4, '0')}`, type, userId: user, ip: `198.51.100.${last % 200}` }))).provider;
    const enrolments = [await send('pre-enrollment', '00uEnrol0000000000001', 170), await send('pre-enrollment', '00uEnrol0000000000001', 171), await send('pre-enrollment', '00uEnrol0000000000001', 172)];
    expect(enrolments).toEqual(['TWILIO', 'TWILIO', 'TOLLGUARD']);
    const verifications = [await send('mfa-verification', '00uVerify000000000001', 180), await send('mfa-verification', '00uVerify000000000001', 181), await send('mfa-verification', '00uVerify000000000001', 182)];
    expect(verifications).toEqual(['TWILIO', 'TWILIO', 'TWILIO']);
  });

  test('the per-IP limit counts data.context.request.ipAddress', async () => {
    const server = await hook({ GUARD_LIMIT_IP: '1/1h' });
    const first = commandOf(await postHook(server, request({ to: '+14155550160', userId: '00u-ip-1', ip: '203.0.113.77' })));
    const second = commandOf(await postHook(server, request({ to: '+14155550161', userId: '00u-ip-2', ip: '203.0.113.77' })));
    expect([first.provider, second.provider]).toEqual(['TWILIO', 'TOLLGUARD']);
    expect(second.transactionMetadata).toBe('not sent: refused by tollguard (ip-velocity)');
  });

  test('monitor mode delivers what it would refuse and says so to Okta', async () => {
    const server = await hook({ GUARD_MODE: 'monitor' });
    const command = commandOf(await postHook(server, request({ to: NIGERIA })));
    expect(command).toMatchObject({ status: 'SUCCESSFUL', provider: 'TWILIO' });
    expect(command.transactionMetadata).toMatch(/tollguard block; monitor mode: would refuse \(geo\)$/);
    expect((await server.waitForDecisions(1))[0]).toMatchObject({ outcome: 'would_block_delivered' });
  });
});

describe('the answer deadline', () => {
  test('Lookup and the send both slow (2.8 s together): Okta gets PENDING at 2.5 s, the delivery still completes', async () => {
    const server = await hook({ GUARD_LOOKUP: 'line-type' });
    twilio.delay(1400, 2);
    const reply = await postHook(server, request({ to: '+14155550170', userId: '00u-deadline' }));
    expect(reply.ms).toBeGreaterThanOrEqual(2400);
    expect(reply.ms).toBeLessThan(OKTA_TIMEOUT_MS - 200);
    const command = commandOf(reply);
    expect(command).toMatchObject({ status: 'PENDING', provider: 'TWILIO', transactionMetadata: 'tollguard answered at its 2500 ms deadline; delivery not confirmed yet' });
    const [line] = await server.waitForDecisions(1, 3000);
    expect(line).toMatchObject({ outcome: 'delivered', lookup: 'fetched' });
    expect(server.lines.some((text) => text.includes('"event":"answered-at-deadline"'))).toBe(true);
    expect(twilio.requests.map((sent) => sent.operation)).toEqual(['lookup', 'message']);
  });
});

describe('start-up', () => {
  test('without OKTA_HOOK_AUTH_SECRET it refuses to start, naming the variable', async () => {
    const exit = await startHookExpectingExit({ OKTA_HOOK_AUTH_SECRET: undefined, TWILIO_DRY_RUN: 'true' });
    expect(exit.code).toBe(1);
    expect(exit.lines.join('\n')).toMatch(/"event":"cannot-start".*"reason":"OKTA_HOOK_AUTH_SECRET is missing: set it to the Authorization header value/);
  });

  test('with a short OKTA_HOOK_AUTH_SECRET it refuses to start, without quoting it', async () => {
    const exit = await startHookExpectingExit({ OKTA_HOOK_AUTH_SECRET: 'hunter2hunter', TWILIO_DRY_RUN: 'true' });
    expect(exit.code).toBe(1);
    expect(exit.lines.join('\n')).toMatch(/OKTA_HOOK_AUTH_SECRET is invalid: expected 16 to 1024 characters/);
    expect(exit.lines.join('\n')).not.toContain('hunter2hunter');
  });

  test('an invalid PORT is refused by name', async () => {
    const exit = await startHookExpectingExit({ PORT: 'eighty', TWILIO_DRY_RUN: 'true' });
    expect(exit.code).toBe(1);
    expect(exit.lines.join('\n')).toContain('PORT is invalid');
  });

  test('a timeout over the budget is replaced and the listening line says so', async () => {
    const server = await hook({ TWILIO_TIMEOUT: '10s' });
    expect(server.listening['notes']).toEqual(["TWILIO_TIMEOUT 10000 ms does not fit Okta's 3 s answer budget; the hook uses 1500 ms"]);
  });

  test('the bundle runs with node alone: copied to a directory with no node_modules', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tollguard-okta-bundle-'));
    try {
      const copy = path.join(dir, 'okta-telephony-hook.js');
      copyFileSync(OKTA_HOOK_BUNDLE, copy);
      const server = await startHook({ TWILIO_DRY_RUN: 'true' }, { bundle: copy, cwd: dir });
      servers.push(server);
      const command = commandOf(await postHook(server, request({ to: '+14155550180' })));
      expect(command).toMatchObject({ status: 'SUCCESSFUL', provider: 'TOLLGUARD_DRY_RUN' });
      expect(server.lines.some((line) => line.startsWith('[dry-run] would send sms to +1415*****80'))).toBe(true);
      console.log(`hook server start (spawn to listening, no node_modules): ${server.startMs.toFixed(0)} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
