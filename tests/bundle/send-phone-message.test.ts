/**
 * The BUILT send-phone-message bundle (dist/send-phone-message.js) in the local Actions runtime,
 * delivering through the local Twilio server: what Twilio would receive, what the decision log
 * says, what is refused before Twilio is reached, and that nothing secret is ever written.
 *
 * Velocity rules keep per-container counters, so every test loads its own container (a fresh
 * embedded store) and sends at most two messages in it, each to a different number, from a
 * different user and IP.
 */
import * as path from 'node:path';
import { buildActions } from '../../scripts/build';
import { ACTION_PACKAGES } from '../../scripts/lib/action-packages';
import type { SendPhoneMessageEvent } from '../../shared/auth0/types';
import {
  loadAction,
  runSendPhoneMessage,
  sendPhoneMessageEvent,
  type DeepPartial,
  type Invocation,
  type LoadedAction,
} from '../support/actions-runtime';
import { startTwilioServer, type RecordedTwilioRequest, type TwilioTestServer } from '../support/twilio-server';
import { DIST_DIR, SecrecyLedger, decisionLineOf, sayTexts, xmlProblems, type DecisionLine } from './helpers';

const BUNDLE = path.join(DIST_DIR, 'send-phone-message.js');

const CODE = '482913';
const TEXT = `Your verification code is ${CODE}`;
const SPOKEN_CODE = '4, 8, 2, 9, 1, 3';
const FROM = '+15005550006';
const VOICE_FROM = '+15005550009';
const MESSAGING_SERVICE_SID = 'MG' + '0123456789abcdef'.repeat(2);
const VERIFY_SERVICE_SID = 'VA' + 'fedcba9876543210'.repeat(2);
const WRONG_AUTH_TOKEN = 'wrong-auth-token-0123456789';

const US = '+14155552671';
const US_MASKED = '+1415*****71';
const NIGERIA = '+2348031234567';
const UK_PREMIUM = '+449098790000';
const LATVIA = '+37120123456';
const FRANCE = '+33612345678';

let server: TwilioTestServer;
const ledger = new SecrecyLedger();
let sendCount = 0;

beforeAll(async () => {
  await buildActions({ quiet: true });
  server = await startTwilioServer();
  ledger.forbid(CODE, 'OTP code');
  ledger.forbid(TEXT, 'message text');
  ledger.forbid(server.authToken, 'auth token');
  ledger.forbid(WRONG_AUTH_TOKEN, 'wrong auth token');
});
afterEach(() => server.reset());
afterAll(async () => {
  await server?.close();
});

// ---------------------------------------------------------------------------------------------
// Helpers

type Secrets = Record<string, string | undefined>;

/** Credentials for the local Twilio server, plus `extra` (an undefined value removes a secret). */
function twilioSecrets(extra: Secrets = {}): Secrets {
  const secrets: Secrets = {
    TWILIO_ACCOUNT_SID: server.accountSid,
    TWILIO_AUTH_TOKEN: server.authToken,
    TWILIO_FROM_NUMBER: FROM,
    TWILIO_BASE_URL: server.url,
    TWILIO_TIMEOUT: '2s',
  };
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete secrets[name];
    else secrets[name] = value;
  }
  return secrets;
}

/** A fresh container: module code run once, its own embedded counter store. */
function freshAction(): LoadedAction {
  const action = loadAction(BUNDLE, { allowedPackages: ACTION_PACKAGES });
  ledger.watch(action);
  return action;
}

interface EventSpec {
  to?: unknown;
  type?: string;
  secrets?: Secrets;
  overrides?: DeepPartial<SendPhoneMessageEvent>;
}

/** An event with the distinctive code and text, its own user and IP, and the given secrets. */
function makeEvent({ to = US, type = 'sms', secrets = twilioSecrets(), overrides = {} }: EventSpec = {}): SendPhoneMessageEvent {
  sendCount += 1;
  const event = sendPhoneMessageEvent({
    user: { user_id: `auth0|bundle-test-${sendCount}` },
    request: { ip: `198.51.100.${(sendCount % 250) + 1}` },
    ...overrides,
  });
  event.message_options = { ...event.message_options, code: CODE, text: TEXT };
  // Bad-input tests need values the typed event does not allow.
  const options = event.message_options as unknown as Record<string, unknown>;
  options['message_type'] = type;
  options['recipient'] = to;
  event.secrets = secrets;
  return event;
}

/** Runs one invocation and records it for the secrecy check at the end of the file. */
async function send(action: LoadedAction, event: SendPhoneMessageEvent): Promise<Invocation<void>> {
  const options: unknown = (event as unknown as Record<string, unknown>)['message_options'];
  if (typeof options === 'object' && options !== null) ledger.forbidRecipient((options as Record<string, unknown>)['recipient']);
  const invocation = await runSendPhoneMessage(action, event);
  ledger.record(invocation);
  return invocation;
}

/** One send on a fresh container. */
async function sendOnce(spec: EventSpec = {}): Promise<{ invocation: Invocation<void>; line: DecisionLine }> {
  const invocation = await send(freshAction(), makeEvent(spec));
  return { invocation, line: decisionLineOf(invocation) };
}

function onlyRequest(): RecordedTwilioRequest {
  expect(server.requests).toHaveLength(1);
  return server.requests[0] as RecordedTwilioRequest;
}

function expectDelivered(invocation: Invocation<void>, line: DecisionLine): void {
  expect(invocation.error).toBeUndefined();
  expect(line).toMatchObject({ decision: 'allow', outcome: 'delivered' });
}

/** A refusal is tollguard's own Error, thrown on purpose (never a TypeError from a crash). */
function expectRefusal(invocation: Invocation<void>): Error {
  expect(invocation.error).toBeDefined();
  const error = invocation.error as Error;
  expect(error.name).toBe('SendRefusedError');
  expect(error.message).toMatch(/^tollguard /);
  return error;
}

const messagesPath = () => `/2010-04-01/Accounts/${server.accountSid}/Messages.json`;
const callsPath = () => `/2010-04-01/Accounts/${server.accountSid}/Calls.json`;

// ---------------------------------------------------------------------------------------------

describe('SMS through Programmable Messaging', () => {
  test('with TWILIO_FROM_NUMBER: one spec-valid Messages request with To, From, Body, ValidityPeriod', async () => {
    const { invocation, line } = await sendOnce();

    expectDelivered(invocation, line);
    const request = onlyRequest();
    expect(request).toMatchObject({
      method: 'POST',
      path: messagesPath(),
      operation: 'message',
      auth: { username: server.accountSid, password: server.authToken },
      violations: [],
    });
    expect(request.params).toEqual({ To: US, From: FROM, Body: TEXT, ValidityPeriod: '600' });
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');

    expect(line).toMatchObject({
      tollguard: 'decision',
      trigger: 'send-phone-message',
      mode: 'enforce',
      channel: 'sms',
      to: US_MASKED,
      country: 'US',
      rules: [],
      reasons: [],
      delivery: { provider: 'twilio-messaging', status: 'queued' },
    });
    expect(line.delivery?.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(line.config_errors).toBeUndefined();
  });

  test('a formatted recipient goes to Twilio in E.164', async () => {
    const { invocation, line } = await sendOnce({ to: '+1 (415) 555-2672' });

    expectDelivered(invocation, line);
    expect(onlyRequest().params['To']).toBe('+14155552672');
    expect(line.to).toBe('+1415*****72');
  });

  test('TWILIO_SMS_VALIDITY_SECONDS sets ValidityPeriod', async () => {
    const { invocation, line } = await sendOnce({ secrets: twilioSecrets({ TWILIO_SMS_VALIDITY_SECONDS: '300' }) });

    expectDelivered(invocation, line);
    expect(onlyRequest().params['ValidityPeriod']).toBe('300');
  });

  test('with TWILIO_MESSAGING_SERVICE_SID: MessagingServiceSid is sent, From is not', async () => {
    const secrets = twilioSecrets({ TWILIO_FROM_NUMBER: undefined, TWILIO_MESSAGING_SERVICE_SID: MESSAGING_SERVICE_SID });
    const { invocation, line } = await sendOnce({ secrets });

    expectDelivered(invocation, line);
    const request = onlyRequest();
    expect(request).toMatchObject({ operation: 'message', violations: [] });
    expect(request.params).toEqual({ To: US, MessagingServiceSid: MESSAGING_SERVICE_SID, Body: TEXT, ValidityPeriod: '600' });
    expect(request.params).not.toHaveProperty('From');
    expect(line.delivery?.sid).toMatch(/^SM/);
  });
});

describe('voice through Programmable Voice', () => {
  function twimlOf(request: RecordedTwilioRequest): string {
    const twiml = request.params['Twiml'];
    expect(typeof twiml).toBe('string');
    return twiml as string;
  }

  test('a Calls request whose TwiML says the code digit by digit, three times', async () => {
    const { invocation, line } = await sendOnce({ type: 'voice' });

    expectDelivered(invocation, line);
    const request = onlyRequest();
    expect(request).toMatchObject({
      method: 'POST',
      path: callsPath(),
      operation: 'call',
      auth: { username: server.accountSid, password: server.authToken },
      violations: [],
    });
    expect(request.params).toMatchObject({ To: US, From: FROM });

    const twiml = twimlOf(request);
    expect(xmlProblems(twiml)).toEqual([]);
    expect(twiml).toMatch(/^<\?xml[^>]*\?>\s*<Response>[\s\S]*<\/Response>$/);
    expect(twiml).not.toContain(CODE);
    const says = sayTexts(twiml);
    expect(says).toHaveLength(3);
    expect(twiml.match(/<Say\b[^>]*>/g)).toHaveLength(3);
    for (const said of says) {
      expect(said).toContain(SPOKEN_CODE);
      expect(said).not.toContain(CODE);
      expect(said).not.toMatch(/\d\d/); // no two digits in a row: text-to-speech never reads a number
    }
    expect(twiml).toMatch(/<Say [^>]*language="en-US"/);

    expect(line).toMatchObject({ channel: 'voice', to: US_MASKED, delivery: { provider: 'twilio-voice' } });
    expect(line.delivery?.sid).toMatch(/^CA[0-9a-f]{32}$/);
  });

  test('TWILIO_VOICE_REPEAT=2 says it twice', async () => {
    const { invocation, line } = await sendOnce({ type: 'voice', secrets: twilioSecrets({ TWILIO_VOICE_REPEAT: '2' }) });

    expectDelivered(invocation, line);
    const twiml = twimlOf(onlyRequest());
    expect(xmlProblems(twiml)).toEqual([]);
    expect(sayTexts(twiml)).toEqual([expect.stringContaining(SPOKEN_CODE), expect.stringContaining(SPOKEN_CODE)]);
  });

  test('TWILIO_VOICE_FROM_NUMBER is the caller when set', async () => {
    const { invocation, line } = await sendOnce({ type: 'voice', secrets: twilioSecrets({ TWILIO_VOICE_FROM_NUMBER: VOICE_FROM }) });

    expectDelivered(invocation, line);
    expect(onlyRequest()).toMatchObject({ operation: 'call', params: { To: US, From: VOICE_FROM }, violations: [] });
  });

  test('voice with only a Messaging Service (no caller number) is a clear refusal, no call placed', async () => {
    const secrets = twilioSecrets({ TWILIO_FROM_NUMBER: undefined, TWILIO_MESSAGING_SERVICE_SID: MESSAGING_SERVICE_SID });
    const { invocation, line } = await sendOnce({ type: 'voice', secrets });

    expect(expectRefusal(invocation).message).toContain('TWILIO_VOICE_FROM_NUMBER');
    expect(server.requests).toHaveLength(0);
    expect(line).toMatchObject({ outcome: 'not_delivered' });
  });
});

describe('Twilio Verify', () => {
  const verifySecrets = () => twilioSecrets({ TWILIO_FROM_NUMBER: undefined, TWILIO_VERIFY_SERVICE_SID: VERIFY_SERVICE_SID });

  test.each([
    ['sms', 'sms'],
    ['voice', 'call'],
  ])('%s: a Verification with Channel %s and the event code as CustomCode', async (type, channel) => {
    const { invocation, line } = await sendOnce({ type, secrets: verifySecrets() });

    expectDelivered(invocation, line);
    const request = onlyRequest();
    expect(request).toMatchObject({
      method: 'POST',
      path: `/v2/Services/${VERIFY_SERVICE_SID}/Verifications`,
      operation: 'verification',
      auth: { username: server.accountSid, password: server.authToken },
      violations: [],
    });
    expect(request.params).toEqual({ To: US, Channel: channel, CustomCode: CODE });
    expect(line.delivery).toMatchObject({ provider: 'twilio-verify', status: 'pending' });
    expect(line.delivery?.sid).toMatch(/^VE[0-9a-f]{32}$/);
  });
});

describe('Twilio refusals and failures', () => {
  test('21408 (Geo Permissions): thrown error, log says not_delivered with the code and reason', async () => {
    // Twilio's real 21408 message names the destination number.
    server.fault({
      status: 400,
      code: 21408,
      message: `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${FRANCE}.`,
      operation: 'message',
    });
    const { invocation, line } = await sendOnce({ to: FRANCE });

    const error = expectRefusal(invocation);
    expect(error.message).toContain('Geo Permissions');
    expect(onlyRequest().operation).toBe('message');
    expect(line).toMatchObject({ decision: 'allow', outcome: 'not_delivered', twilio_code: 21408 });
    expect(line.delivery_error).toContain('Geo Permissions');
    expect(line.delivery).toBeUndefined();
  });

  test('30450 (SMS Pumping Protection): thrown error, log names pumping protection', async () => {
    server.fault({ status: 400, code: 30450, message: 'Message delivery - SMS Pumping Protection', operation: 'message' });
    const { invocation, line } = await sendOnce();

    expect(expectRefusal(invocation).message).toContain('SMS Pumping Protection');
    expect(line).toMatchObject({ outcome: 'not_delivered', twilio_code: 30450 });
    expect(line.delivery_error).toContain('SMS Pumping Protection');
  });

  test('an HTML 502 from a proxy: "not JSON"', async () => {
    server.fault({
      status: 502,
      code: 0,
      message: '',
      rawBody: '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>',
    });
    const { invocation, line } = await sendOnce();

    const error = expectRefusal(invocation);
    expect(error.message).toContain('not JSON');
    expect(error.message).toContain('502');
    expect(line.outcome).toBe('not_delivered');
    expect(line.delivery_error).toMatch(/HTTP 502 .*not JSON/);
    expect(line.twilio_code).toBeUndefined();
  });

  test('Twilio slower than TWILIO_TIMEOUT: the hard timeout ends the send', async () => {
    server.delay(1500, 1);
    const { invocation, line } = await sendOnce({ secrets: twilioSecrets({ TWILIO_TIMEOUT: '1s' }) });

    const error = expectRefusal(invocation);
    expect(error.message).toContain('did not answer within 1000 ms');
    expect(line.outcome).toBe('not_delivered');
    expect(line.delivery_error).toContain('did not answer within 1000 ms');
    // Correctness bound of the hard timeout (1000 ms), not a speed benchmark.
    expect(invocation.durationMs).toBeGreaterThanOrEqual(950);
    expect(invocation.durationMs).toBeLessThan(1400);
  });

  test.each([
    ['a wrong auth token', { TWILIO_AUTH_TOKEN: WRONG_AUTH_TOKEN }],
    ['a wrong (well-formed) account SID', { TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32) }],
  ])('credentials rejected (%s): reason names TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN', async (_name, extra) => {
    const { invocation, line } = await sendOnce({ secrets: twilioSecrets(extra) });

    const error = expectRefusal(invocation);
    expect(error.message).toContain('TWILIO_ACCOUNT_SID');
    expect(error.message).toContain('TWILIO_AUTH_TOKEN');
    expect(server.requests).toHaveLength(1);
    expect(line).toMatchObject({ outcome: 'not_delivered', twilio_code: 20003 });
  });
});

describe('static rules on the bundle', () => {
  test('a Nigerian number is refused by geo; nothing reaches Twilio', async () => {
    const { invocation, line } = await sendOnce({ to: NIGERIA });

    expect(expectRefusal(invocation).message).toContain('geo');
    expect(server.requests).toHaveLength(0);
    expect(line).toMatchObject({ decision: 'block', outcome: 'refused', mode: 'enforce', country: 'NG' });
    expect(line.rules).toContain('geo');
    expect(line.to).toBe('+234803*****67');
  });

  test('without the Upstash store no number goes on trial: GUARD_SERVED_TRIALS, even set, cannot open an unserved tier country', async () => {
    const { invocation, line } = await sendOnce({ to: NIGERIA, secrets: twilioSecrets({ GUARD_SERVED_TRIALS: '50/1d' }) });

    expectRefusal(invocation);
    expect(server.requests).toHaveLength(0);
    expect(line.rules).toEqual(['geo']);
    expect(line['store']).toBe('embedded');
    expect(line['evidence']).not.toHaveProperty('trial');
  });

  test('a UK premium-rate number is refused by line-type', async () => {
    const { invocation, line } = await sendOnce({ to: UK_PREMIUM });

    expectRefusal(invocation);
    expect(server.requests).toHaveLength(0);
    expect(line).toMatchObject({ decision: 'block', outcome: 'refused' });
    expect(line.rules).toContain('line-type');
  });

  test('Latvia: voice is refused, SMS is delivered', async () => {
    const voice = await sendOnce({ to: LATVIA, type: 'voice' });
    expectRefusal(voice.invocation);
    expect(voice.line).toMatchObject({ decision: 'block', outcome: 'refused', channel: 'voice', country: 'LV' });
    expect(voice.line.rules).toContain('geo');
    expect(server.requests).toHaveLength(0);

    const sms = await sendOnce({ to: LATVIA, type: 'sms' });
    expectDelivered(sms.invocation, sms.line);
    expect(onlyRequest()).toMatchObject({ operation: 'message', params: { To: LATVIA }, violations: [] });
  });

  test('GUARD_MODE=monitor: the Nigerian number is delivered and logged as would_block_delivered', async () => {
    const { invocation, line } = await sendOnce({ to: NIGERIA, secrets: twilioSecrets({ GUARD_MODE: 'monitor' }) });

    expect(invocation.error).toBeUndefined();
    expect(onlyRequest()).toMatchObject({ operation: 'message', params: { To: NIGERIA }, violations: [] });
    expect(line).toMatchObject({ mode: 'monitor', decision: 'block', outcome: 'would_block_delivered' });
    expect(line.rules).toContain('geo');
    expect(line.delivery?.sid).toMatch(/^SM/);
  });

  test('GUARD_MODE=off: delivered, no rule evaluated', async () => {
    const { invocation, line } = await sendOnce({ to: NIGERIA, secrets: twilioSecrets({ GUARD_MODE: 'off' }) });

    expect(invocation.error).toBeUndefined();
    expect(onlyRequest()).toMatchObject({ operation: 'message', params: { To: NIGERIA }, violations: [] });
    expect(line).toMatchObject({ mode: 'off', decision: 'allow', outcome: 'delivered', rules: [], reasons: [] });
    expect(line.rule_errors).toBeUndefined();
    expect(line['evaluated'] ?? []).toEqual([]);
  });
});

describe('GUARD_SILENT_REFUSAL: a shadow block for the legacy trigger', () => {
  test('true: a refused OTP returns without sending and without an error; the line says it was silent', async () => {
    const { invocation, line } = await sendOnce({ to: NIGERIA, secrets: twilioSecrets({ GUARD_SILENT_REFUSAL: 'true' }) });

    expect(invocation.error).toBeUndefined();
    expect(server.requests).toHaveLength(0);
    expect(line).toMatchObject({ decision: 'block', outcome: 'refused', refusal: 'silent', rules: ['geo'] });
  });

  test('unset (the default) and false: a refusal is an Error, as before', async () => {
    for (const secrets of [twilioSecrets(), twilioSecrets({ GUARD_SILENT_REFUSAL: 'false' })]) {
      const { invocation, line } = await sendOnce({ to: NIGERIA, secrets });
      expectRefusal(invocation);
      expect(line).toMatchObject({ outcome: 'refused', refusal: 'error' });
    }
  });

  test('silent refusal does not hide a delivery failure or an unreadable event', async () => {
    server.fault({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const failed = await sendOnce({ secrets: twilioSecrets({ GUARD_SILENT_REFUSAL: 'true' }) });
    expectRefusal(failed.invocation);
    expect(failed.line.outcome).toBe('not_delivered');
    const unreadable = await sendOnce({ type: 'fax', secrets: twilioSecrets({ GUARD_SILENT_REFUSAL: 'true' }) });
    expectRefusal(unreadable.invocation);
  });

  test('an invalid value is a config error naming the secret; refusals keep the default (an Error)', async () => {
    const { invocation, line } = await sendOnce({ to: NIGERIA, secrets: twilioSecrets({ GUARD_SILENT_REFUSAL: 'sometimes' }) });
    expectRefusal(invocation);
    expect(line.config_errors).toEqual(expect.arrayContaining([expect.stringContaining('GUARD_SILENT_REFUSAL')]));
  });
});

describe('bad input: a clear refusal, never a crash, nothing sent', () => {
  type BadCase = [name: string, event: () => SendPhoneMessageEvent, reason: RegExp];
  const cases: BadCase[] = [
    [
      'message_options missing',
      () => {
        const event = makeEvent();
        delete (event as unknown as Record<string, unknown>)['message_options'];
        return event;
      },
      /message_options is missing or not an object/,
    ],
    [
      'message_options a string',
      () => ({ ...makeEvent(), message_options: 'sms' as unknown as SendPhoneMessageEvent['message_options'] }),
      /message_options is missing or not an object/,
    ],
    ['message_type whatsapp', () => makeEvent({ type: 'whatsapp' }), /message_type "whatsapp" is neither sms nor voice/],
    ['recipient empty', () => makeEvent({ to: '' }), /recipient is empty/],
    [
      'recipient missing',
      () => {
        const event = makeEvent();
        delete (event.message_options as unknown as Record<string, unknown>)['recipient'];
        return event;
      },
      /recipient is missing/,
    ],
    ['recipient not a string', () => makeEvent({ to: 14155552671 }), /recipient is missing or not a string/],
    ['recipient "hello"', () => makeEvent({ to: 'hello' }), /recipient is not in E\.164 form/],
    ['recipient 5 000 characters', () => makeEvent({ to: '+1' + '4'.repeat(4998) }), /recipient is 5000 characters long/],
    ['recipient in Arabic-Indic digits', () => makeEvent({ to: '+١٤١٥٥٥٥٢٦٧١' }), /other than ASCII digits/],
    ['recipient without +', () => makeEvent({ to: '14155552673' }), /no leading \+/],
    [
      'code missing',
      () => {
        const event = makeEvent();
        delete (event.message_options as unknown as Record<string, unknown>)['code'];
        return event;
      },
      /code is missing or malformed/,
    ],
  ];

  test.each(cases)('%s', async (_name, build, reason) => {
    const invocation = await send(freshAction(), build());

    const error = expectRefusal(invocation);
    expect(server.requests).toHaveLength(0);
    const line = decisionLineOf(invocation);
    expect(line.outcome).toBe('refused');
    expect(line.reasons.join('; ')).toMatch(reason);
    expect(error.message).toMatch(/refused|cannot send/);
    expect(line.delivery).toBeUndefined();
  });

  test('an unparsable recipient is refused by number-sanity and logged only by its length', async () => {
    const { invocation, line } = await sendOnce({ to: 'hello' });
    expectRefusal(invocation);
    expect(line).toMatchObject({ decision: 'block', rules: ['number-sanity'], to: '<5 chars>' });
  });

  test.each([
    ['request.ip', { request: { ip: undefined } }],
    ['request.geoip', { request: { geoip: undefined } }],
  ] as const)('missing %s: a valid US number is still delivered', async (_name, overrides) => {
    const event = makeEvent({ overrides });
    const invocation = await send(freshAction(), event);
    const line = decisionLineOf(invocation);

    expectDelivered(invocation, line);
    expect(onlyRequest()).toMatchObject({ operation: 'message', params: { To: US }, violations: [] });
  });

  test('no request at all: a valid US number is still delivered', async () => {
    const event = makeEvent();
    delete (event as unknown as Record<string, unknown>)['request'];
    const invocation = await send(freshAction(), event);
    const line = decisionLineOf(invocation);

    expectDelivered(invocation, line);
    expect(line.ip).toBeUndefined();
    expect(line.request_country).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  test('no TWILIO_* secrets: an error naming TWILIO_ACCOUNT_SID', async () => {
    const { invocation, line } = await sendOnce({ secrets: {} });

    const error = expectRefusal(invocation);
    expect(error.message).toContain('TWILIO_ACCOUNT_SID');
    expect(server.requests).toHaveLength(0);
    expect(line.outcome).toBe('not_delivered');
    expect(line.delivery_error).toContain('TWILIO_ACCOUNT_SID');
  });

  test('no secrets object at all: the same clear error', async () => {
    const event = makeEvent();
    delete (event as unknown as Record<string, unknown>)['secrets'];
    const invocation = await send(freshAction(), event);

    expect(expectRefusal(invocation).message).toContain('TWILIO_ACCOUNT_SID');
    expect(server.requests).toHaveLength(0);
  });

  test('a malformed TWILIO_ACCOUNT_SID: an error naming it, nothing sent', async () => {
    const { invocation, line } = await sendOnce({ secrets: twilioSecrets({ TWILIO_ACCOUNT_SID: 'AC123-not-a-sid' }) });

    const error = expectRefusal(invocation);
    expect(error.message).toContain('TWILIO_ACCOUNT_SID');
    expect(error.message).not.toContain('TWILIO_AUTH_TOKEN');
    expect(server.requests).toHaveLength(0);
    expect(line.delivery_error).toContain('TWILIO_ACCOUNT_SID');
  });

  test('a malformed guard knob (GUARD_BLOCKED_COUNTRIES=Germny): delivered, config_errors names it', async () => {
    const { invocation, line } = await sendOnce({ secrets: twilioSecrets({ GUARD_BLOCKED_COUNTRIES: 'Germny' }) });

    expectDelivered(invocation, line);
    expect(onlyRequest()).toMatchObject({ operation: 'message', params: { To: US } });
    expect(line.config_errors).toEqual(expect.arrayContaining([expect.stringContaining('GUARD_BLOCKED_COUNTRIES')]));
  });

  test('GUARD_MODE=panic: config error naming GUARD_MODE, mode stays enforce', async () => {
    const action = freshAction();
    const secrets = twilioSecrets({ GUARD_MODE: 'panic' });

    const allowed = await send(action, makeEvent({ secrets }));
    const allowedLine = decisionLineOf(allowed);
    expectDelivered(allowed, allowedLine);
    expect(allowedLine.mode).toBe('enforce');
    expect(allowedLine.config_errors).toEqual(expect.arrayContaining([expect.stringContaining('GUARD_MODE')]));

    const blocked = await send(action, makeEvent({ to: NIGERIA, secrets }));
    expectRefusal(blocked);
    expect(decisionLineOf(blocked)).toMatchObject({ mode: 'enforce', decision: 'block', outcome: 'refused' });
    expect(server.requests).toHaveLength(1);
  });
});

describe('warm container', () => {
  test('module code runs once; a send after a refusal on the same container is delivered', async () => {
    const action = freshAction();
    const initLogs = action.initLogs;

    const refused = await send(action, makeEvent({ to: NIGERIA }));
    expectRefusal(refused);
    const delivered = await send(action, makeEvent({ to: US }));
    expectDelivered(delivered, decisionLineOf(delivered));

    expect(onlyRequest().params['To']).toBe(US);
    expect(action.initLogs).toEqual(initLogs);
  });
});

// Keep last: it checks what every test above wrote.
describe('secrecy across every invocation in this file', () => {
  test('no log line or thrown error contains the code, the text, a token, or a full number', () => {
    const counts = ledger.counts;
    expect(counts.actions).toBeGreaterThanOrEqual(30);
    expect(counts.errors).toBeGreaterThanOrEqual(20);
    expect(ledger.leaks()).toEqual([]);
  });

  test('every number in a decision line is masked', () => {
    const shown = ledger.decisionLines().flatMap((line) => (line.to === undefined ? [] : [line.to]));
    expect(shown.length).toBeGreaterThanOrEqual(30);
    for (const to of shown) expect(to).toMatch(/^(\+\d{2,7}\*{3,}\d{2}|<[^>]*>)$/);
    expect(shown).toContain(US_MASKED);
  });
});
