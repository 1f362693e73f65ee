/**
 * The Okta request adapter, the hook configuration and the Authorization check, in process: every
 * form Okta's documentation shows for channels, request types and numbers, hostile bodies that
 * become reasons (never exceptions), reasons that never quote the code or the number, and the
 * timeouts held inside Okta's 3 s.
 */
import { ANSWER_DEADLINE_MS, HOOK_STORE_TIMEOUT_MS, HOOK_TWILIO_TIMEOUT_MS, hookConfigFromEnv, parseHookAuthSecret } from '../../shared/okta/hook-config';
import { isAuthorised } from '../../shared/okta/hook-handler';
import { oktaChannel, oktaRequestType, readOktaTelephonyEvent } from '../../shared/okta/telephony-event';
import type { PhoneMessageRequest } from '../../shared/pipeline/phone-request';
import { OKTA_REFERENCE_SAMPLE, oktaRequest, voiceVerificationSample } from './support';

function accepted(body: unknown): PhoneMessageRequest {
  const read = readOktaTelephonyEvent(body);
  if (!read.ok) throw new Error(`expected the request to be read, got: ${read.reason}`);
  return read.request;
}

function refusedReason(body: unknown): string {
  const read = readOktaTelephonyEvent(body);
  if (read.ok) throw new Error('expected the request to be unreadable');
  return read.reason;
}

describe('Okta request → phone request', () => {
  test("Okta's reference sample: pre-enrolment SMS with the org template, user id and IP", () => {
    const request = accepted(OKTA_REFERENCE_SAMPLE);
    expect(request).toMatchObject({
      trigger: 'okta-telephony-hook',
      channel: 'sms',
      kind: 'otp',
      otpAction: 'enrollment',
      messageType: 'pre-enrollment',
      code: '11111',
      text: '(HOOK)Your code is 11111',
      // Not E.164: left as sent, so the number-sanity rule refuses it with its own reason.
      recipient: '9876543210',
      user: { id: '00uyxxSknGtK8022w0g3', appMetadata: {} },
      requestCountry: undefined,
    });
    expect(request.ip?.text).toBe('127.0.0.1');
  });

  test('a voice mfa-verification as captured from an integrator org', () => {
    const request = accepted(voiceVerificationSample('+14155552671', '482913'));
    expect(request).toMatchObject({ channel: 'voice', otpAction: 'second-factor-authentication', messageType: 'mfa-verification', code: '482913', recipient: '+14155552671' });
    expect(request.ip?.text).toBe('203.0.113.54');
  });

  test.each([
    ['SMS', 'sms'], ['sms', 'sms'], [' Sms ', 'sms'], ['TEXT', 'sms'],
    ['voice call', 'voice'], ['Voice', 'voice'], ['VOICE_CALL', 'voice'], ['CALL', 'voice'], ['voice-call', 'voice'],
  ])('deliveryChannel %j is %s', (raw, channel) => {
    expect(oktaChannel(raw)).toBe(channel);
    expect(accepted(oktaRequest({ deliveryChannel: raw })).channel).toBe(channel);
  });

  test.each([['email'], ['WhatsApp'], [''], [42], [null], [['SMS']], ['S'.repeat(40)]])('deliveryChannel %j is refused with a reason', (raw) => {
    expect(oktaChannel(raw)).toBeUndefined();
    expect(refusedReason(oktaRequest({ deliveryChannel: raw }))).toMatch(/deliveryChannel .* is neither SMS nor voice/);
  });

  test.each([
    ['com.okta.user.telephony.pre-enrollment', 'pre-enrollment', 'enrollment'],
    ['com.okta.user.telephony.mfa-verification', 'mfa-verification', 'second-factor-authentication'],
    ['com.okta.user.telephony.account-unlock', 'account-unlock', 'second-factor-authentication'],
    ['com.okta.user.telephony.password-reset', 'password-reset', 'second-factor-authentication'],
    ['password-reset', 'password-reset', 'second-factor-authentication'],
    // A type Okta adds later is still guarded as an OTP.
    ['com.okta.user.telephony.profile-update', 'profile-update', 'unknown'],
  ])('requestType %s → %s / %s', (raw, name, otpAction) => {
    expect(oktaRequestType(raw)).toEqual({ name, otpAction });
    const request = { ...oktaRequest(), requestType: raw };
    expect(accepted(request)).toMatchObject({ kind: 'otp', messageType: name, otpAction });
  });

  test.each([[undefined], [7], ['com.example.other'], ['com.okta.user.telephony.' + 'x'.repeat(80)]])('requestType %j is refused', (raw) => {
    expect(refusedReason({ ...oktaRequest(), requestType: raw })).toMatch(/^requestType .* is not a telephony request type/);
  });

  test.each([
    ['+1 (415) 555-2671', '+14155552671'],
    ['+1-415-555-2671', '+14155552671'],
    ['0014155552671', '+14155552671'],
    ['+44 (0) 7400 123456', '+447400123456'],
    [' +14155552671 ', '+14155552671'],
    ['9876543210', '9876543210'],
  ])('phoneNumber %j is read as %j', (raw, recipient) => {
    expect(accepted(oktaRequest({ phoneNumber: raw })).recipient).toBe(recipient);
  });

  test('a template without the code is replaced (the SMS must carry the code); a missing one too', () => {
    expect(accepted(oktaRequest({ otpCode: '5071', msgTemplate: 'Your code is ready' })).text).toBe('Your verification code is 5071');
    const request = oktaRequest({ otpCode: '5071' });
    delete ((request['data'] as Record<string, Record<string, unknown>>)['messageProfile'] as Record<string, unknown>)['msgTemplate'];
    expect(accepted(request).text).toBe('Your verification code is 5071');
  });

  test('no replay id: every call counts, the same Okta event sent again included', () => {
    expect(accepted(oktaRequest({ eventId: 'evt-1', phoneNumber: '+14155552671' })).notificationId).toBeUndefined();
  });

  test('user id and IP of the wrong type or size are dropped, not trusted', () => {
    const request = oktaRequest({ userId: 'u'.repeat(65) });
    ((request['data'] as Record<string, Record<string, Record<string, unknown>>>)['context'] as Record<string, Record<string, unknown>>)['request']!['ipAddress'] = ['10.0.0.1'];
    const read = accepted(request);
    expect(read.user.id).toBeUndefined();
    expect(read.ip).toBeUndefined();
  });

  test.each([
    ['not an object', 'hello', /^the request body is not a JSON object$/],
    ['an array', [oktaRequest()], /^the request body is not a JSON object$/],
    ['null', null, /^the request body is not a JSON object$/],
    ['another event type', { ...oktaRequest(), eventType: 'com.okta.oauth2.tokens.transform' }, /^eventType "com.okta.oauth2.toke" is not com.okta.telephony.provider$/],
    ['no data', { ...oktaRequest(), data: undefined }, /^data is missing/],
    ['data a string', { ...oktaRequest(), data: 'x' }, /^data is missing/],
    ['no messageProfile', { ...oktaRequest(), data: { context: {} } }, /^data.messageProfile is missing/],
  ])('a body that is %s is refused with a reason', (_label, body, reason) => {
    expect(refusedReason(body)).toMatch(reason);
  });

  test.each([[undefined], [11111], [''], ['12 34'], ['1'.repeat(17)], [{ code: '1' }]])('otpCode %j is refused, without quoting it', (code) => {
    const request = oktaRequest();
    ((request['data'] as Record<string, Record<string, unknown>>)['messageProfile'] as Record<string, unknown>)['otpCode'] = code;
    const reason = refusedReason(request);
    expect(reason).toMatch(/^data.messageProfile.otpCode is missing or malformed/);
    if (typeof code === 'string' && code.length > 0) expect(reason).not.toContain(code);
    if (typeof code === 'number') expect(reason).not.toContain(String(code));
  });

  test('a template over 1 600 characters is refused', () => {
    expect(refusedReason(oktaRequest({ msgTemplate: `Your code is 11111 ${'x'.repeat(1600)}` }))).toMatch(/msgTemplate is 1619 characters/);
  });
});

describe('hook configuration', () => {
  test('only the guard names are read; Twilio and store timeouts are held inside the answer budget', () => {
    const config = hookConfigFromEnv({ PATH: '/bin', HOME: '/root', CAPTCHA_SECRET: 'x', TWILIO_DRY_RUN: 'true', GUARD_MODE: 'monitor', OKTA_HOOK_AUTH_SECRET: 'a'.repeat(32) });
    expect(config.secrets).toEqual({ TWILIO_DRY_RUN: 'true', GUARD_MODE: 'monitor', TWILIO_TIMEOUT: `${HOOK_TWILIO_TIMEOUT_MS}ms` });
    expect(config.notes).toEqual([]);
    expect(config.authSecret).toBe('a'.repeat(32));
    expect(HOOK_TWILIO_TIMEOUT_MS + HOOK_STORE_TIMEOUT_MS).toBeLessThan(ANSWER_DEADLINE_MS);
    expect(ANSWER_DEADLINE_MS).toBeLessThanOrEqual(2500);
  });

  test('a longer or unreadable timeout is replaced and said so; a shorter one is kept', () => {
    const long = hookConfigFromEnv({ TWILIO_TIMEOUT: '5s', GUARD_STORE_TIMEOUT: '2s' });
    expect(long.secrets).toMatchObject({ TWILIO_TIMEOUT: '1500ms', GUARD_STORE_TIMEOUT: '500ms' });
    expect(long.notes).toEqual([
      "TWILIO_TIMEOUT 5000 ms does not fit Okta's 3 s answer budget; the hook uses 1500 ms",
      "GUARD_STORE_TIMEOUT 2000 ms does not fit Okta's 3 s answer budget; the hook uses 500 ms",
    ]);
    const bad = hookConfigFromEnv({ TWILIO_TIMEOUT: 'soon' });
    expect(bad.secrets['TWILIO_TIMEOUT']).toBe('1500ms');
    expect(bad.notes[0]).toMatch(/^secret TWILIO_TIMEOUT is invalid: .*; the hook uses 1500 ms$/);
    const short = hookConfigFromEnv({ TWILIO_TIMEOUT: '800ms', GUARD_STORE_TIMEOUT: '150ms' });
    expect(short.secrets).toMatchObject({ TWILIO_TIMEOUT: '800ms', GUARD_STORE_TIMEOUT: '150ms' });
    expect(short.notes).toEqual([]);
  });

  test.each([
    [undefined, /^OKTA_HOOK_AUTH_SECRET is missing/],
    ['   ', /^OKTA_HOOK_AUTH_SECRET is missing/],
    ['short-secret', /^OKTA_HOOK_AUTH_SECRET is invalid: expected 16 to 1024 characters .*, got 12$/],
    ['a-long-enough-secret\u0000x', /^OKTA_HOOK_AUTH_SECRET is invalid: expected printable ASCII/],
  ])('auth secret %j is refused with a reason naming it (and never quoting it)', (raw, problem) => {
    const parsed = parseHookAuthSecret(raw);
    expect(parsed.value).toBeUndefined();
    expect(parsed.problem).toMatch(problem);
    if (raw !== undefined && raw.trim() !== '') expect(parsed.problem).not.toContain(raw);
  });

  test('"Basic <base64>" (what Okta shows for basic auth) is a usable secret, trimmed', () => {
    expect(parseHookAuthSecret(' Basic YWRtaW46c3VwZXJzZWNyZXQ= \n').value).toBe('Basic YWRtaW46c3VwZXJzZWNyZXQ=');
  });
});

describe('Authorization check', () => {
  const secret = 'Basic YWRtaW46c3VwZXJzZWNyZXQ=';
  test.each([
    [secret, true],
    [` ${secret} `, true],
    [undefined, false],
    [null, false],
    ['', false],
    ['Basic YWRtaW46c3VwZXJzZWNyZXQ', false],
    [`${secret}=`, false],
    ['basic YWRtaW46c3VwZXJzZWNyZXQ=', false],
    [secret.repeat(100), false],
  ])('%j → %s', (header, ok) => {
    expect(isAuthorised(header, secret)).toBe(ok);
  });
});
