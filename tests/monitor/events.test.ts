import fc from 'fast-check';
import { extractDecisionJson, leadingTimestamp, normalizeRecord, parseTime, type Normalized, type SendEvent } from '../../scripts/monitor/events';
import { PhoneIdentity, rangeOfE164, rangeOfMasked } from '../../scripts/monitor/phone';
import { Random } from '../../scripts/sim/random';
import { mobileNumber } from '../../scripts/sim/numbers';
import { auth0Log, BASE, logStreamEvent, oktaEvent, tollguardLine, type SendSpec } from './fixtures';

const identity = new PhoneIdentity('0123456789abcdef');

function normalize(value: unknown, fallbackAt?: number): Normalized[] {
  return normalizeRecord(value, { identity, fallbackAt });
}

function onlySend(value: unknown, fallbackAt?: number): SendEvent {
  const results = normalize(value, fallbackAt);
  expect(results).toHaveLength(1);
  const result = results[0];
  if (result?.kind !== 'send') throw new Error(`expected a send event, got ${JSON.stringify(result)}`);
  return result.event;
}

const spec: SendSpec = {
  at: BASE,
  format: 'auth0',
  channel: 'sms',
  outcome: 'sent',
  userId: 'auth0|abc123',
  ip: '198.51.100.7',
  ua: 'Chrome 120.0.0 / Mac OS X 10.15.7',
  phone: '+14155552671',
  ipCountry: 'US',
};

describe('Auth0 log events', () => {
  test('gd_send_sms: the phone from details.authenticator, masked; range, country, requester country', () => {
    const event = onlySend(auth0Log(spec));
    expect(event).toMatchObject({
      at: BASE,
      source: 'auth0',
      channel: 'sms',
      outcome: 'sent',
      ok: true,
      userId: 'auth0|abc123',
      ip: '198.51.100.7',
      userAgent: 'Chrome 120.0.0 / Mac OS X 10.15.7',
      numberMasked: '+1415*****71',
      range: '+1415555xxxx',
      country: 'US',
      ipCountry: 'US',
      type: 'gd_send_sms',
    });
    expect(event.numberKey).toMatch(/^[0-9a-f]{20}$/);
    expect(JSON.stringify(event)).not.toContain('4155552671');
  });

  test('failures carry the phone in details.enrollment; voice types map to voice', () => {
    const failure = onlySend(auth0Log({ ...spec, outcome: 'failed' }));
    expect(failure).toMatchObject({ type: 'gd_send_sms_failure', outcome: 'failed', ok: false, numberMasked: '+1415*****71' });
    const voice = onlySend(auth0Log({ ...spec, channel: 'voice' }));
    expect(voice).toMatchObject({ type: 'gd_send_voice', channel: 'voice', outcome: 'sent' });
    const voiceFailure = onlySend(auth0Log({ ...spec, channel: 'voice', outcome: 'failed' }));
    expect(voiceFailure).toMatchObject({ type: 'gd_send_voice_failure', channel: 'voice', outcome: 'failed' });
  });

  test('the same number gets the same key, another number another key; another salt another key', () => {
    const a = onlySend(auth0Log(spec));
    const b = onlySend(auth0Log({ ...spec, outcome: 'failed' }));
    const c = onlySend(auth0Log({ ...spec, phone: '+14155552672' }));
    expect(a.numberKey).toBe(b.numberKey);
    expect(c.numberKey).not.toBe(a.numberKey);
    const other = normalizeRecord(auth0Log(spec), { identity: new PhoneIdentity('fedcba9876543210') })[0];
    expect(other?.kind === 'send' && other.event.numberKey).not.toBe(a.numberKey);
  });

  test('a user name that is a phone number is masked', () => {
    const event = onlySend(auth0Log({ ...spec, userName: '+14155552671' }));
    expect(event.userName).toBe('+1415*****71');
  });

  test('missing fields: no phone, no user, no ip still make a send event, without those fields', () => {
    const event = onlySend({ type: 'gd_send_sms', date: new Date(BASE).toISOString(), details: {}, log_id: '1' });
    expect(event).toEqual({ at: BASE, source: 'auth0', channel: 'sms', outcome: 'sent', ok: true, type: 'gd_send_sms' });
  });

  test('a send without a date is skipped as no-timestamp; an unknown or other type is counted by type', () => {
    expect(normalize({ type: 'gd_send_sms', details: {} })).toEqual([{ kind: 'skipped', reason: 'no-timestamp', type: 'gd_send_sms' }]);
    expect(normalize({ type: 's', date: '2025-01-01T00:00:00Z' })).toEqual([{ kind: 'skipped', reason: 'other-type', type: 's' }]);
    expect(normalize({ type: 'gd_send_carrier_pigeon', date: '2025-01-01T00:00:00Z' })).toEqual([{ kind: 'skipped', reason: 'other-type', type: 'gd_send_carrier_pigeon' }]);
    expect(normalize({ hello: 'world' })).toEqual([{ kind: 'skipped', reason: 'unrecognised', type: '(no type)' }]);
    expect(normalize(42)).toEqual([{ kind: 'skipped', reason: 'unrecognised', type: '(number)' }]);
    expect(normalize(null)).toEqual([{ kind: 'skipped', reason: 'unrecognised', type: '(null)' }]);
  });

  test('wrongly typed fields are ignored, not trusted', () => {
    const event = onlySend({ type: 'gd_send_sms', date: new Date(BASE).toISOString(), user_id: 42, ip: ['x'], details: { authenticator: { phone_number: 14155552671 } }, location_info: 'US' });
    expect(event).toEqual({ at: BASE, source: 'auth0', channel: 'sms', outcome: 'sent', ok: true, type: 'gd_send_sms' });
  });

  test('envelopes: log-stream {log_id, data}, a Management API page {logs}, an array', () => {
    const log = auth0Log(spec);
    expect(onlySend(logStreamEvent(log)).type).toBe('gd_send_sms');
    const page = normalize({ start: 0, limit: 50, length: 2, total: 2, logs: [log, auth0Log({ ...spec, outcome: 'failed' })] });
    expect(page.map((result) => (result.kind === 'send' ? result.event.type : result.type))).toEqual(['gd_send_sms', 'gd_send_sms_failure']);
    expect(normalize([log, { type: 's', date: '2025-01-01T00:00:00Z' }]).map((result) => result.kind)).toEqual(['send', 'skipped']);
  });
});

describe('Okta System Log events', () => {
  const okta: SendSpec = { ...spec, format: 'okta-classic', userId: '00u1abcd', userName: 'jane@example.com', ipCountry: 'United States' };

  test('Classic Engine: the phone in target[] (MobilePhone alternateId)', () => {
    const event = onlySend(oktaEvent(okta));
    expect(event).toMatchObject({
      source: 'okta',
      channel: 'sms',
      outcome: 'sent',
      userId: '00u1abcd',
      userName: 'jane@example.com',
      ip: '198.51.100.7',
      numberMasked: '+1415*****71',
      country: 'US',
      ipCountry: 'United States',
      type: 'system.sms.send_phone_verification_message',
    });
  });

  test('Identity Engine: the phone in debugContext.debugData.phoneNumber; the same number, the same key', () => {
    const classic = onlySend(oktaEvent(okta));
    const oie = onlySend(oktaEvent({ ...okta, format: 'okta-oie' }));
    expect(oie.numberKey).toBe(classic.numberKey);
    expect(oie.numberMasked).toBe('+1415*****71');
  });

  test('Identity Engine without a + on the number uses countryCallingCode', () => {
    const event = oktaEvent({ ...okta, format: 'okta-oie' });
    (event['debugContext'] as { debugData: Record<string, unknown> }).debugData['phoneNumber'] = '4155552671';
    expect(onlySend(event)).toMatchObject({ numberMasked: '+1415*****71', country: 'US' });
  });

  test('outcome.result: FAILURE is a failure, DENY a block; voice calls are voice', () => {
    expect(onlySend(oktaEvent({ ...okta, outcome: 'failed' })).outcome).toBe('failed');
    expect(onlySend(oktaEvent({ ...okta, outcome: 'blocked' })).outcome).toBe('blocked');
    expect(onlySend(oktaEvent({ ...okta, channel: 'voice' }))).toMatchObject({ channel: 'voice', type: 'system.voice.send_phone_verification_call' });
  });

  test('an event hook delivery {data: {events: [...]}} is unwrapped; other Okta types are counted', () => {
    const results = normalize({ eventType: 'com.okta.event_hook', data: { events: [oktaEvent(okta), { eventType: 'user.session.start', published: '2025-01-01T00:00:00Z' }] } });
    expect(results.map((result) => (result.kind === 'send' ? 'send' : result.type))).toEqual(['send', 'user.session.start']);
  });
});

describe('tollguard decision lines', () => {
  const line: SendSpec = { ...spec, format: 'tollguard', outcome: 'blocked' };

  test('a refused line is a block, with the masked number as identity and its visible prefix as range', () => {
    const event = onlySend(tollguardLine(line));
    expect(event).toMatchObject({
      source: 'tollguard',
      outcome: 'blocked',
      ok: false,
      numberKey: 'm:+1415*****71',
      numberMasked: '+1415*****71',
      range: '+1415xxxxxxx',
      country: 'US',
      userId: 'auth0|abc123',
      rules: ['geo'],
      type: 'tollguard:refused',
    });
  });

  test('outcomes: delivered, would_block_delivered (monitor mode), not_delivered', () => {
    expect(onlySend(tollguardLine({ ...line, outcome: 'sent' }))).toMatchObject({ outcome: 'sent', type: 'tollguard:delivered' });
    expect(onlySend(tollguardLine({ ...line, outcome: 'sent', wouldBlock: true }))).toMatchObject({ outcome: 'sent', wouldBlock: true });
    expect(onlySend(tollguardLine({ ...line, outcome: 'failed' }))).toMatchObject({ outcome: 'failed', type: 'tollguard:not_delivered' });
  });

  test.each(['custom-phone-provider', 'okta-telephony-hook'])('a %s line reads like a send-phone-message line (one pipeline, one format)', (trigger) => {
    const legacy = onlySend(tollguardLine(line));
    expect(onlySend({ ...tollguardLine(line), trigger, refusal: 'silent', message_kind: 'otp' })).toEqual(legacy);
  });

  test('a line without a timestamp takes the one around it, or is skipped', () => {
    const bare = tollguardLine(line, false);
    expect(normalize(bare)).toEqual([{ kind: 'skipped', reason: 'no-timestamp', type: 'tollguard:refused' }]);
    expect(onlySend(bare, BASE - 5).at).toBe(BASE - 5);
  });

  test('embedded as a string in another record (Actions console output), with that record\'s date', () => {
    const wrapped = { date: new Date(BASE - 1000).toISOString(), type: 'actions_console', details: { logs: `starting\n${JSON.stringify(tollguardLine(line, false))}\ndone` } };
    const event = onlySend(wrapped);
    expect(event).toMatchObject({ at: BASE - 1000, source: 'tollguard', outcome: 'blocked' });
  });

  test('registration lines and incomplete lines are skipped', () => {
    expect(normalize({ tollguard: 'decision', trigger: 'pre-user-registration', outcome: 'refused' })).toEqual([{ kind: 'skipped', reason: 'other-type', type: 'tollguard:pre-user-registration' }]);
    expect(normalize({ tollguard: 'decision', trigger: 'send-phone-message', decision: 'error', outcome: 'refused', rules: ['event'] })).toEqual([{ kind: 'skipped', reason: 'incomplete', type: 'tollguard:refused' }]);
  });

  test('extractDecisionJson finds every decision in a text, and nothing in text that only mentions tollguard', () => {
    const a = JSON.stringify(tollguardLine(line));
    const b = JSON.stringify(tollguardLine({ ...line, outcome: 'sent' }));
    expect(extractDecisionJson(`x ${a} y ${b} {"tollguard":"decision", broken`)).toHaveLength(2);
    expect(extractDecisionJson('the "tollguard" project')).toEqual([]);
  });
});

describe('helpers', () => {
  test('parseTime: ISO, epoch ms, epoch seconds, {$date}; rubbish is undefined', () => {
    expect(parseTime('2025-03-10T12:00:00.000Z')).toBe(BASE);
    expect(parseTime(BASE)).toBe(BASE);
    expect(parseTime(BASE / 1000)).toBe(BASE);
    expect(parseTime({ $date: '2025-03-10T12:00:00.000Z' })).toBe(BASE);
    for (const bad of ['yesterday', '', -1, {}, [], null, '2025-13-45T99:00:00Z']) expect(parseTime(bad)).toBeUndefined();
  });

  test('leadingTimestamp reads a text line prefix', () => {
    expect(leadingTimestamp('2025-03-10T12:00:00.000Z INFO {...}')).toBe(BASE);
    expect(leadingTimestamp('[2025-03-10 12:00:00] x')).toBe(BASE);
    expect(leadingTimestamp('INFO 2025-03-10T12:00:00Z')).toBeUndefined();
  });

  test('ranges: a number without its last 4 digits, x for each hidden digit', () => {
    expect(rangeOfE164('+14155552671', '1')).toBe('+1415555xxxx');
    expect(rangeOfMasked('+1415*****71')).toBe('+1415xxxxxxx');
    expect(rangeOfMasked('+*****')).toBeUndefined();
  });

  test('property: no normalised event holds the digits of the full number it came from', () => {
    const random = new Random(3);
    const countries = ['US', 'GB', 'FR', 'DE', 'SL', 'LV', 'NG', 'ID', 'IN', 'BR'];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: countries.length - 1 }), fc.integer({ min: 0, max: 2 }), (countryIndex, formatIndex) => {
        const phone = mobileNumber(countries[countryIndex] ?? 'US', random);
        const format = (['auth0', 'okta-classic', 'okta-oie'] as const)[formatIndex] ?? 'auth0';
        const raw = format === 'auth0' ? auth0Log({ ...spec, phone, userName: phone }) : oktaEvent({ ...spec, format, phone, userName: phone });
        const text = JSON.stringify(normalize(raw));
        return !text.includes(phone.slice(1)) && !text.includes(phone.slice(-8));
      }),
      { numRuns: 60 },
    );
  });
});
