/**
 * The BUILT custom-phone-provider bundle (dist/custom-phone-provider.js) in the local Actions
 * runtime, delivering through the local Twilio server: what Twilio receives, when the Action drops
 * or asks for a retry, how notices differ from OTPs, every bad input of the trigger, and that no
 * code, text or full number reaches a log line, a drop reason or an error.
 */
import * as path from 'node:path';
import { buildActions } from '../../scripts/build';
import { ACTION_PACKAGES } from '../../scripts/lib/action-packages';
import type { CustomPhoneProviderEvent } from '../../shared/auth0/types';
import {
  customPhoneProviderEvent,
  loadAction,
  runCustomPhoneProvider,
  type Invocation,
  type LoadedAction,
  type NotificationOutcome,
} from '../support/actions-runtime';
import { startTwilioServer, type TwilioTestServer } from '../support/twilio-server';
import { DIST_DIR, SecrecyLedger, decisionLineOf, sayTexts, type DecisionLine } from './helpers';

const BUNDLE = path.join(DIST_DIR, 'custom-phone-provider.js');

const CODE = '739104';
const TEXT = `Your Example login code is ${CODE}`;
const VOICE_TEXT = `Hello. Your Example login code is ${CODE}. Goodbye.`;
const NOTICE_TEXT = 'Your Example account was blocked after too many attempts. Contact support.';
const FROM = '+15005550006';
const US = '+14155552671';
const US_HYPHENATED = '+1-415-555-2671';
const NIGERIA = '+2348031234567';

let server: TwilioTestServer;
const ledger = new SecrecyLedger();
let eventCount = 0;

beforeAll(async () => {
  await buildActions({ quiet: true });
  server = await startTwilioServer();
  ledger.forbid(CODE, 'OTP code');
  ledger.forbid(TEXT, 'message text');
  ledger.forbid(server.authToken, 'auth token');
});
afterEach(() => server.reset());
afterAll(async () => {
  await server?.close();
  expect(ledger.leaks()).toEqual([]);
});

type Secrets = Record<string, string | undefined>;

function twilioSecrets(extra: Secrets = {}): Record<string, string> {
  const secrets: Secrets = {
    TWILIO_ACCOUNT_SID: server.accountSid,
    TWILIO_AUTH_TOKEN: server.authToken,
    TWILIO_FROM_NUMBER: FROM,
    TWILIO_BASE_URL: server.url,
    TWILIO_TIMEOUT: '1s',
    ...extra,
  };
  return Object.fromEntries(Object.entries(secrets).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function freshAction(): LoadedAction {
  const action = loadAction(BUNDLE, { allowedPackages: ACTION_PACKAGES });
  ledger.watch(action);
  return action;
}

interface Spec {
  to?: unknown;
  method?: unknown;
  type?: unknown;
  code?: unknown;
  text?: unknown;
  voice?: unknown;
  secrets?: Record<string, string>;
  userId?: string;
  ip?: string;
}

/** A notification with the distinctive code and text, by default its own user and IP. */
function makeEvent(spec: Spec = {}): CustomPhoneProviderEvent {
  eventCount += 1;
  const event = customPhoneProviderEvent({
    user: { user_id: spec.userId ?? `sms|cpp-test-${eventCount}` },
    request: { ip: spec.ip ?? `198.51.100.${(eventCount % 250) + 1}` },
  });
  const notification = event.notification as unknown as Record<string, unknown>;
  notification['recipient'] = 'to' in spec ? spec.to : US_HYPHENATED;
  notification['delivery_method'] = 'method' in spec ? spec.method : 'text';
  notification['message_type'] = 'type' in spec ? spec.type : 'otp_verify';
  notification['as_text'] = 'text' in spec ? spec.text : TEXT;
  notification['as_voice'] = 'voice' in spec ? spec.voice : VOICE_TEXT;
  if ('code' in spec) {
    if (spec.code === undefined) delete notification['code'];
    else notification['code'] = spec.code;
  } else {
    notification['code'] = CODE;
  }
  event.secrets = spec.secrets ?? twilioSecrets();
  return event;
}

async function run(action: LoadedAction, event: CustomPhoneProviderEvent): Promise<{ invocation: Invocation<NotificationOutcome>; line: DecisionLine }> {
  ledger.forbidRecipient(event.notification?.recipient);
  const invocation = await runCustomPhoneProvider(action, event);
  ledger.record(invocation);
  for (const call of invocation.result?.calls ?? []) ledger.record({ logs: [call.reason], durationMs: 0 });
  return { invocation, line: decisionLineOf(invocation) };
}

const runOnce = async (spec: Spec = {}) => run(freshAction(), makeEvent(spec));

function expectDelivered({ invocation, line }: { invocation: Invocation<NotificationOutcome>; line: DecisionLine }): void {
  expect(invocation.error).toBeUndefined();
  expect(invocation.result?.calls).toEqual([]);
  expect(line).toMatchObject({ trigger: 'custom-phone-provider', decision: 'allow', outcome: 'delivered' });
}

function expectDropped({ invocation, line }: { invocation: Invocation<NotificationOutcome>; line: DecisionLine }, reason: RegExp): void {
  expect(invocation.error).toBeUndefined();
  expect(invocation.result?.last?.call).toBe('drop');
  expect(invocation.result?.last?.reason).toMatch(reason);
  expect(line.trigger).toBe('custom-phone-provider');
}

describe('delivery', () => {
  test("an OTP to Auth0's hyphenated recipient form goes to Twilio in E.164; no drop, no retry", async () => {
    const sent = await runOnce();
    expectDelivered(sent);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ operation: 'message', violations: [] });
    expect(server.requests[0]?.params).toEqual({ To: US, From: FROM, Body: TEXT, ValidityPeriod: '600' });
    expect(sent.line).toMatchObject({ channel: 'sms', message_type: 'otp_verify', message_kind: 'otp', otp_action: 'second-factor-authentication', to: '+1415*****71', client_id: expect.any(String), connection: 'sms' });
  });

  test.each([
    ['+1 (415) 555-2671'],
    ['001-415-555-2671'],
    ['+1.415.555.2671'],
  ])('the recipient form %s is normalised and delivered', async (to) => {
    const sent = await runOnce({ to });
    expectDelivered(sent);
    expect(server.requests[0]?.params['To']).toBe(US);
  });

  test("voice reads the rendered as_voice text with the code spelled out", async () => {
    const sent = await runOnce({ method: 'voice', type: 'otp_enroll' });
    expectDelivered(sent);
    expect(sent.line).toMatchObject({ channel: 'voice', otp_action: 'enrollment' });
    const twiml = String(server.requests[0]?.params['Twiml']);
    expect(sayTexts(twiml)[0]).toBe('Hello. Your Example login code is 7, 3, 9, 1, 0, 4.. Goodbye.');
    expect(twiml).not.toContain(CODE);
  });

  test('a Twilio timeout, a 429 and a 503 ask Auth0 to retry; a permanent refusal drops', async () => {
    server.delay(1500);
    const timeout = await runOnce();
    expect(timeout.invocation.result?.last).toEqual({ call: 'retry', reason: expect.stringMatching(/did not answer within 1000 ms/) });
    expect(timeout.line).toMatchObject({ outcome: 'not_delivered', retry: true });

    server.fault({ status: 429, code: 20429, message: 'Too Many Requests' });
    expect((await runOnce()).invocation.result?.last?.call).toBe('retry');
    server.fault({ status: 503, code: 20503, message: 'Service Unavailable' });
    expect((await runOnce()).invocation.result?.last?.call).toBe('retry');

    server.fault({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const permanent = await runOnce();
    expect(permanent.invocation.result?.last).toEqual({ call: 'drop', reason: expect.stringMatching(/'To' number is invalid/) });
    expect(permanent.line).toMatchObject({ outcome: 'not_delivered' });
    expect(permanent.line['retry']).toBeUndefined();
  });
});

describe('refusals are silent drops', () => {
  test('a high-risk destination is dropped with the rule named; Twilio is never called', async () => {
    const sent = await runOnce({ to: NIGERIA });
    expectDropped(sent, /^tollguard refused this sms OTP \(geo: /);
    expect(server.requests).toHaveLength(0);
    expect(sent.line).toMatchObject({ decision: 'block', outcome: 'refused', refusal: 'silent', rules: ['geo'], country: 'NG' });
  });

  test('a number on GUARD_BLOCKED_NUMBERS: the drop reason names the rule, never the number', async () => {
    const sent = await runOnce({ secrets: twilioSecrets({ GUARD_BLOCKED_NUMBERS: US }) });
    expectDropped(sent, /^tollguard refused this sms OTP \(number-list: /);
    const reason = sent.invocation.result?.last?.reason ?? '';
    expect(reason).not.toContain('4155552671');
    expect(reason).toContain('[redacted]');
    expect(server.requests).toHaveLength(0);
  });

  test('monitor mode delivers what it would have dropped', async () => {
    const sent = await runOnce({ to: NIGERIA, secrets: twilioSecrets({ GUARD_MODE: 'monitor' }) });
    expect(sent.invocation.result?.calls).toEqual([]);
    expect(sent.line).toMatchObject({ decision: 'block', outcome: 'would_block_delivered' });
    expect(server.requests).toHaveLength(1);
  });

  test('an unusable configuration drops (nothing can be sent) and says why', async () => {
    const sent = await runOnce({ secrets: { TWILIO_ACCOUNT_SID: 'not-a-sid' } });
    expectDropped(sent, /tollguard cannot deliver/);
    expect(sent.line.outcome).toBe('not_delivered');
  });
});

describe('notices carry no code and meet only the static rules, the per-number limit and the service cap', () => {
  test.each(['blocked_account', 'change_password', 'password_breach'])('%s is delivered as text without a code', async (type) => {
    const sent = await runOnce({ type, code: undefined, text: NOTICE_TEXT });
    expectDelivered(sent);
    expect(server.requests[0]?.params['Body']).toBe(NOTICE_TEXT);
    expect(sent.line).toMatchObject({ message_kind: 'notice', message_type: type });
  });

  test('a voice notice reads the text', async () => {
    const sent = await runOnce({ method: 'voice', type: 'password_breach', code: undefined, voice: NOTICE_TEXT });
    expectDelivered(sent);
    expect(sayTexts(String(server.requests[0]?.params['Twiml']))[0]).toBe(NOTICE_TEXT);
  });

  test('one user gets more notices than the per-user OTP limit allows, to different numbers; the same number hits its own limit', async () => {
    const action = freshAction();
    const secrets = twilioSecrets({ GUARD_LIMIT_USER: '2/1h', GUARD_LIMIT_NUMBER: '3/1h' });
    for (let i = 0; i < 4; i += 1) {
      const sent = await run(action, makeEvent({ to: `+1415555${2680 + i}`, type: 'password_breach', code: undefined, text: `${NOTICE_TEXT} ${i}`, secrets, userId: 'sms|notices' }));
      expectDelivered(sent);
    }
    // OTPs of the same user meet the per-user limit (2 per hour).
    const otps = [];
    for (let i = 0; i < 3; i += 1) otps.push(await run(action, makeEvent({ to: `+1415555${2690 + i}`, secrets, userId: 'sms|notices' })));
    expect(otps.map((sent) => sent.line.outcome)).toEqual(['delivered', 'delivered', 'refused']);
    // The per-number limit still applies to notices.
    const same = [];
    for (let i = 0; i < 4; i += 1) same.push(await run(action, makeEvent({ to: '+14155552699', type: 'blocked_account', code: undefined, text: `${NOTICE_TEXT} #${i}`, secrets })));
    expect(same.map((sent) => sent.line.outcome)).toEqual(['delivered', 'delivered', 'delivered', 'refused']);
    expect(same[3]?.line.rules).toEqual(['number-velocity']);
  });

  test('a notice to a blocked country is refused like an OTP', async () => {
    const sent = await runOnce({ to: NIGERIA, type: 'change_password', code: undefined, text: NOTICE_TEXT });
    expectDropped(sent, /^tollguard refused this sms notice \(geo: /);
  });
});

describe('retries are not counted twice', () => {
  test('a retried notification (same event again) does not move the per-number count; a new code does', async () => {
    const action = freshAction();
    const secrets = twilioSecrets({ GUARD_LIMIT_NUMBER: '2/1h', GUARD_RESEND_DELAY: 'off' });
    const event = makeEvent({ secrets });
    server.fault({ status: 503, code: 20503, message: 'Service Unavailable', times: 3 });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const retried = await run(action, structuredClone(event));
      expect(retried.invocation.result?.last?.call).toBe('retry');
      expect(retried.line['replay']).toBe(attempt === 0 ? undefined : true);
    }
    expectDelivered(await run(action, structuredClone(event)));
    // One notification counted once: a second one fits under 2/1h, a third does not.
    const second = makeEvent({ secrets, code: '551177', text: 'Your Example login code is 551177' });
    expectDelivered(await run(action, second));
    const third = await run(action, makeEvent({ secrets, code: '662288', text: 'Your Example login code is 662288' }));
    expectDropped(third, /number-velocity/);
  });
});

describe('bad input: a clear log line, a drop with a reason, never a throw, never a send', () => {
  test.each<[string, Spec, RegExp]>([
    ['no recipient', { to: undefined }, /recipient is missing/],
    ['a non-string recipient', { to: 14155552671 }, /recipient is missing or not a string/],
    ['a recipient that is not a number', { to: '+1-415-CALL-NOW' }, /not a valid|characters other than/],
    ['an unknown delivery_method', { method: 'whatsapp' }, /delivery_method "whatsapp" is neither text nor voice/],
    ['an unknown message_type', { type: 'otp_magic' }, /message_type "otp_magic" is not one tollguard knows/],
    ['a missing code on an OTP type', { code: undefined }, /code is missing or malformed for otp_verify/],
    ['a 2 MB as_text', { text: 'x'.repeat(2 * 1024 * 1024) }, /as_text is longer than the 1600 characters a phone message may carry/],
  ])('%s', async (_name, spec, reason) => {
    const sent = await runOnce(spec);
    expectDropped(sent, reason);
    expect(sent.invocation.result?.last?.reason.length).toBeLessThanOrEqual(1024);
    expect(server.requests).toHaveLength(0);
    expect(['error', 'block']).toContain(sent.line.decision);
    expect(sent.line.outcome).toBe('refused');
  });

  test('an event that is not an object, or has no notification, is dropped', async () => {
    for (const event of [null, { secrets: twilioSecrets() }, { notification: 'text', secrets: twilioSecrets() }]) {
      const invocation = await runCustomPhoneProvider(freshAction(), event as unknown as CustomPhoneProviderEvent);
      expect(invocation.error).toBeUndefined();
      expect(invocation.result?.last?.call).toBe('drop');
    }
    expect(server.requests).toHaveLength(0);
  });

  test('api.notification missing or throwing: a guard-error line, no unhandled error', async () => {
    for (const api of [{ cache: undefined }, { notification: { drop: () => { throw new Error('boom'); }, retry: () => undefined } }, undefined, null]) {
      const invocation = await runCustomPhoneProvider(freshAction(), makeEvent({ to: NIGERIA }), { api });
      expect(invocation.error).toBeUndefined();
      const lines = invocation.logs.map((text) => JSON.parse(text) as Record<string, unknown>);
      expect(lines.map((line) => line['outcome'])).toEqual(['refused', 'refused']);
      expect(lines[1]).toMatchObject({ rules: ['guard-error'], reasons: [expect.stringMatching(/could not call api.notification.drop/)] });
    }
    expect(server.requests).toHaveLength(0);
  });
});
