import {
  LOOKUP_FIELDS,
  VERIFY_CHANNELS,
  specExamples,
  specParameterDescription,
  startTwilioServer,
  validateAgainstSpec,
  type TwilioOperation,
  type TwilioTestServer,
} from './support/twilio-server';

// Obviously fake identifiers in Twilio's formats.
const SERVICE_SID = 'VA' + '0'.repeat(31) + '2';
const MESSAGING_SERVICE_SID = 'MG' + '0'.repeat(31) + '3';
const TO = '+447700900123'; // UK drama range
const FROM = '+15005550006'; // Twilio's magic "valid From" test number

type Json = Record<string, any>;

interface Reply {
  status: number;
  text: string;
  json: Json;
  contentType: string | null;
  ms: number;
}

let tw: TwilioTestServer;

beforeAll(async () => {
  tw = await startTwilioServer();
});

afterAll(async () => {
  await tw.close();
});

beforeEach(() => tw.reset());

function basic(username: string, password: string): string {
  return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
}

const messagesPath = (account = tw.accountSid) => `/2010-04-01/Accounts/${account}/Messages.json`;
const callsPath = (account = tw.accountSid) => `/2010-04-01/Accounts/${account}/Calls.json`;
const verificationsPath = (service = SERVICE_SID) => `/v2/Services/${service}/Verifications`;
const lookupPath = (number: string, fields?: string) =>
  `/v2/PhoneNumbers/${encodeURIComponent(number)}` + (fields === undefined ? '' : `?Fields=${fields}`);

async function request(
  method: 'GET' | 'POST',
  path: string,
  opts: { form?: [string, string][]; body?: string; contentType?: string; auth?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  const auth = opts.auth === undefined ? basic(tw.accountSid, tw.authToken) : opts.auth;
  if (auth !== null) headers.Authorization = auth;
  let body: string | undefined = opts.body;
  if (opts.form) body = new URLSearchParams(opts.form).toString();
  if (method === 'POST') headers['Content-Type'] = opts.contentType ?? 'application/x-www-form-urlencoded';
  const started = performance.now();
  const res = await fetch(tw.url + path, { method, headers, body });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {
    // not JSON (rawBody faults)
  }
  return { status: res.status, text, json, contentType: res.headers.get('content-type'), ms };
}

const post = (path: string, form: [string, string][], opts: { auth?: string | null } = {}) =>
  request('POST', path, { form, ...opts });

const validMessage = (): [string, string][] => [
  ['To', TO],
  ['From', FROM],
  ['Body', 'Your code is 123456'],
];

function lastRequest() {
  const last = tw.requests[tw.requests.length - 1];
  if (!last) throw new Error('no request recorded');
  return last;
}

function expectSpecValid(operation: TwilioOperation, body: Json): void {
  expect(validateAgainstSpec(operation, body)).toEqual([]);
  expect(validateAgainstSpec(operation, body, { complete: true })).toEqual([]);
}

describe('valid requests get spec-valid answers', () => {
  test('message from a number: 201, echoed fields, recorded params and auth', async () => {
    const reply = await post(messagesPath(), [...validMessage(), ['ValidityPeriod', '300'], ['RiskCheck', 'enable']]);

    expect(reply.status).toBe(201);
    expectSpecValid('message', reply.json);
    expect(reply.json.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(reply.json).toMatchObject({
      status: 'queued',
      to: TO,
      from: FROM,
      body: 'Your code is 123456',
      account_sid: tw.accountSid,
      messaging_service_sid: null,
      price: null,
      num_segments: '1',
      direction: 'outbound-api',
    });
    expect(reply.json.date_created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);

    const recorded = lastRequest();
    expect(recorded).toMatchObject({
      method: 'POST',
      path: messagesPath(),
      operation: 'message',
      auth: { username: tw.accountSid, password: tw.authToken },
      params: { To: TO, From: FROM, Body: 'Your code is 123456', ValidityPeriod: '300', RiskCheck: 'enable' },
      violations: [],
    });
    expect(recorded.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  test('message through a Messaging Service with repeated MediaUrl', async () => {
    const reply = await post(messagesPath(), [
      ['To', TO],
      ['MessagingServiceSid', MESSAGING_SERVICE_SID],
      ['MediaUrl', 'https://example.com/a.png'],
      ['MediaUrl', 'https://example.com/b.png'],
    ]);

    expect(reply.status).toBe(201);
    expectSpecValid('message', reply.json);
    expect(reply.json).toMatchObject({ from: null, messaging_service_sid: MESSAGING_SERVICE_SID, num_media: '2' });
    expect(lastRequest().params.MediaUrl).toEqual(['https://example.com/a.png', 'https://example.com/b.png']);
  });

  test('a long UCS-2 body is counted in 67-character segments', async () => {
    const body = 'Ваш код 123456 '.repeat(6); // 90 Cyrillic-mixed characters -> UCS-2
    const reply = await post(messagesPath(), [['To', TO], ['From', FROM], ['Body', body]]);
    expect(reply.status).toBe(201);
    expect(reply.json.num_segments).toBe('2');
  });

  test('call with inline TwiML', async () => {
    const twiml = '<Response><Say loop="2">Your code is 1 2 3 4 5 6</Say></Response>';
    const reply = await post(callsPath(), [['To', TO], ['From', FROM], ['Twiml', twiml], ['Timeout', '30']]);

    expect(reply.status).toBe(201);
    expectSpecValid('call', reply.json);
    expect(reply.json.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(reply.json).toMatchObject({ status: 'queued', to: TO, from: FROM, price: null });
    expect(lastRequest()).toMatchObject({ operation: 'call', params: { Twiml: twiml, Timeout: '30' }, violations: [] });
  });

  test('verification', async () => {
    const reply = await post(verificationsPath(), [['To', TO], ['Channel', 'sms'], ['CustomCode', '123456']]);

    expect(reply.status).toBe(201);
    expectSpecValid('verification', reply.json);
    expect(reply.json.sid).toMatch(/^VE[0-9a-f]{32}$/);
    expect(reply.json).toMatchObject({ status: 'pending', to: TO, channel: 'sms', service_sid: SERVICE_SID, valid: false });
    expect(reply.json.date_created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(lastRequest()).toMatchObject({ operation: 'verification', params: { CustomCode: '123456' }, violations: [] });
  });

  test('lookup answers what setLookup configured; packages not requested are null', async () => {
    tw.setLookup(TO, { lineType: 'nonFixedVoip', smsPumpingRiskScore: 87, carrierRiskCategory: 'high' });
    const reply = await request('GET', lookupPath(TO, 'line_type_intelligence,sms_pumping_risk'));

    expect(reply.status).toBe(200);
    expectSpecValid('lookup', reply.json);
    expect(reply.json.line_type_intelligence.type).toBe('nonFixedVoip');
    expect(reply.json.sms_pumping_risk.sms_pumping_risk_score).toBe(87);
    expect(reply.json.sms_pumping_risk.carrier_risk_category).toBe('high');
    expect(reply.json).toMatchObject({ phone_number: TO, country_code: 'GB', calling_country_code: '44', valid: true });
    for (const pkg of ['caller_name', 'sim_swap', 'call_forwarding', 'line_status', 'identity_match', 'reassigned_number']) {
      expect(reply.json[pkg]).toBeNull();
    }
    expect(lastRequest()).toMatchObject({
      method: 'GET',
      operation: 'lookup',
      query: { Fields: 'line_type_intelligence,sms_pumping_risk' },
      params: {},
      violations: [],
    });
  });

  test('lookup defaults: a valid mobile with a low risk score; only requested packages are filled', async () => {
    const onlyRisk = await request('GET', lookupPath(TO, 'sms_pumping_risk'));
    expectSpecValid('lookup', onlyRisk.json);
    expect(onlyRisk.json.line_type_intelligence).toBeNull();
    expect(onlyRisk.json.sms_pumping_risk).toMatchObject({ sms_pumping_risk_score: 5, carrier_risk_category: 'low' });

    const onlyLineType = await request('GET', lookupPath(TO, 'line_type_intelligence'));
    expect(onlyLineType.json.line_type_intelligence.type).toBe('mobile');
    expect(onlyLineType.json.sms_pumping_risk).toBeNull();

    const basicLookup = await request('GET', lookupPath(TO));
    expectSpecValid('lookup', basicLookup.json);
    expect(basicLookup.json).toMatchObject({ valid: true, line_type_intelligence: null, sms_pumping_risk: null });
  });
});

describe('authentication', () => {
  test('wrong password -> 401 with Twilio error 20003', async () => {
    const reply = await post(messagesPath(), validMessage(), { auth: basic(tw.accountSid, 'wrong') });
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual({
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
    expect(lastRequest().auth).toEqual({ username: tw.accountSid, password: 'wrong' });
  });

  test('no credentials -> 401', async () => {
    const reply = await request('GET', lookupPath(TO), { auth: null });
    expect(reply.status).toBe(401);
    expect(reply.json.code).toBe(20003);
    expect(lastRequest().auth).toBeNull();
  });

  test('the AccountSid in the path must be the authenticated account', async () => {
    const other = 'AC' + 'f'.repeat(32);
    const reply = await post(messagesPath(other), validMessage());
    expect(reply.status).toBe(401);
    expect(reply.json.code).toBe(20003);
  });
});

describe('invalid requests are recorded and answered 400', () => {
  async function violationsOf(path: string, form: [string, string][]): Promise<{ reply: Reply; violations: string[] }> {
    const reply = await post(path, form);
    expect(reply.status).toBe(400);
    expect(reply.json.status).toBe(400);
    expect(reply.json.more_info).toBe(`https://www.twilio.com/docs/errors/${reply.json.code}`);
    const { violations } = lastRequest();
    expect(violations.length).toBeGreaterThan(0);
    expect(reply.json.message).toBe(violations.join('; '));
    return { reply, violations };
  }

  test('missing To', async () => {
    const { reply, violations } = await violationsOf(messagesPath(), [['From', FROM], ['Body', 'hi']]);
    expect(violations).toEqual(['missing required parameter To']);
    expect(reply.json.code).toBe(21604);
  });

  test('unknown parameter', async () => {
    const { violations } = await violationsOf(messagesPath(), [...validMessage(), ['Priority', 'high']]);
    expect(violations).toEqual(['unknown parameter Priority']);
  });

  test('a parameter name with the wrong case is unknown too', async () => {
    const { violations } = await violationsOf(messagesPath(), [['to', TO], ['From', FROM], ['Body', 'hi']]);
    expect(violations).toEqual(expect.arrayContaining(['missing required parameter To', 'unknown parameter to']));
  });

  test('message with neither From nor MessagingServiceSid', async () => {
    const { reply, violations } = await violationsOf(messagesPath(), [['To', TO], ['Body', 'hi']]);
    expect(violations).toEqual(['a message needs From or MessagingServiceSid']);
    expect(reply.json.code).toBe(21603);
  });

  test('message with no Body, MediaUrl or ContentSid', async () => {
    const { violations } = await violationsOf(messagesPath(), [['To', TO], ['From', FROM]]);
    expect(violations).toEqual(['a message needs Body, MediaUrl or ContentSid']);
  });

  test('Body over 1600 characters', async () => {
    const { violations } = await violationsOf(messagesPath(), [['To', TO], ['From', FROM], ['Body', 'x'.repeat(1601)]]);
    expect(violations).toEqual(['parameter Body is 1601 characters, at most 1600 allowed']);
  });

  test('enum, integer and SID-pattern violations from the schema', async () => {
    const { violations } = await violationsOf(messagesPath(), [
      ...validMessage(),
      ['RiskCheck', 'off'],
      ['ValidityPeriod', 'five minutes'],
      ['MessagingServiceSid', 'MG123'],
    ]);
    expect(violations).toEqual(
      expect.arrayContaining([
        'parameter RiskCheck must be one of enable, disable',
        'parameter ValidityPeriod must be integer',
        expect.stringMatching(/^parameter MessagingServiceSid must NOT have fewer than 34 characters/),
      ]),
    );
  });

  test('a scalar parameter sent twice', async () => {
    const { violations } = await violationsOf(messagesPath(), [...validMessage(), ['To', '+447700900999']]);
    expect(violations).toEqual(['parameter To given more than once']);
  });

  test('a JSON body instead of a form', async () => {
    const reply = await request('POST', messagesPath(), {
      body: JSON.stringify({ To: TO, From: FROM, Body: 'hi' }),
      contentType: 'application/json',
    });
    expect(reply.status).toBe(400);
    expect(lastRequest().violations).toEqual(
      expect.arrayContaining(['Content-Type must be application/x-www-form-urlencoded, got application/json']),
    );
  });

  test('call without Url, Twiml or ApplicationSid', async () => {
    const { violations } = await violationsOf(callsPath(), [['To', TO], ['From', FROM]]);
    expect(violations).toEqual(['a call needs Url, Twiml or ApplicationSid']);
  });

  test('call missing From (required by the spec)', async () => {
    const { reply, violations } = await violationsOf(callsPath(), [['To', TO], ['Url', 'https://example.com/twiml']]);
    expect(violations).toEqual(['missing required parameter From']);
    expect(reply.json.code).toBe(21213);
  });

  test('Twiml over 4000 characters', async () => {
    const twiml = `<Response><Say>${'1 '.repeat(2000)}</Say></Response>`;
    const { violations } = await violationsOf(callsPath(), [['To', TO], ['From', FROM], ['Twiml', twiml]]);
    expect(violations).toEqual([`parameter Twiml is ${twiml.length} characters, at most 4000 allowed`]);
  });

  test('verification: missing Channel, bad CustomCode, bad ServiceSid', async () => {
    const { reply, violations } = await violationsOf(verificationsPath('VA123'), [['To', TO], ['CustomCode', '12']]);
    expect(violations).toEqual(
      expect.arrayContaining([
        'missing required parameter Channel',
        'parameter CustomCode must be 4 to 10 characters',
        expect.stringMatching(/^path parameter ServiceSid must/),
      ]),
    );
    expect(reply.json.code).toBe(60200);
  });

  test('verification: Channel outside the documented list', async () => {
    const { violations } = await violationsOf(verificationsPath(), [['To', TO], ['Channel', 'telegram']]);
    expect(violations).toEqual([`parameter Channel must be one of ${VERIFY_CHANNELS.join(', ')}`]);
  });

  test('lookup: a Fields value outside the documented list, and an unknown query parameter', async () => {
    const reply = await request('GET', lookupPath(TO, 'line_type_intelligence,carrier') + '&Type=carrier');
    expect(reply.status).toBe(400);
    expect(lastRequest().violations).toEqual(
      expect.arrayContaining([
        'unknown query parameter Type',
        expect.stringMatching(/^query parameter Fields has unknown value carrier/),
      ]),
    );
  });

  test('unknown paths -> 404 20404, recorded as unknown', async () => {
    const reply = await request('GET', '/2010-04-01/Accounts.json');
    expect(reply.status).toBe(404);
    expect(reply.json).toMatchObject({ code: 20404, status: 404 });
    expect(lastRequest().operation).toBe('unknown');
  });
});

describe('faults and delays', () => {
  test('a fault for messages is answered once, then service is normal', async () => {
    tw.fault({ status: 400, code: 21408, message: 'Permission to send an SMS has not been enabled', operation: 'message' });

    const call = await post(callsPath(), [['To', TO], ['From', FROM], ['Url', 'https://example.com/t']]);
    expect(call.status).toBe(201); // the fault is only for messages

    const faulted = await post(messagesPath(), validMessage());
    expect(faulted.status).toBe(400);
    expect(faulted.json).toEqual({
      code: 21408,
      message: 'Permission to send an SMS has not been enabled',
      more_info: 'https://www.twilio.com/docs/errors/21408',
      status: 400,
    });
    expect(lastRequest()).toMatchObject({ operation: 'message', violations: [] });

    const next = await post(messagesPath(), validMessage());
    expect(next.status).toBe(201);
    expect(tw.requests).toHaveLength(3);
  });

  test('times: a fault can apply to several requests', async () => {
    tw.fault({ status: 429, code: 20429, message: 'Too Many Requests', times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(messagesPath(), validMessage())).status);
    expect(statuses).toEqual([429, 429, 201]);
  });

  test('rawBody: an HTML page from a proxy', async () => {
    const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    tw.fault({ status: 502, code: 0, message: '', rawBody: html });
    const reply = await post(messagesPath(), validMessage());
    expect(reply.status).toBe(502);
    expect(reply.text).toBe(html);
    expect(reply.contentType).toMatch(/^text\/html/);
  });

  test('delay holds the next answer, then answers are fast again', async () => {
    tw.delay(150);
    const slow = await post(messagesPath(), validMessage());
    expect(slow.status).toBe(201);
    expect(slow.ms).toBeGreaterThanOrEqual(140);

    const fast = await post(messagesPath(), validMessage());
    expect(fast.ms).toBeLessThan(140);
  });

  test('a fault can be slow too', async () => {
    tw.fault({ status: 503, code: 20503, message: 'Service Unavailable', delayMs: 150 });
    const reply = await request('GET', lookupPath(TO));
    expect(reply.status).toBe(503);
    expect(reply.ms).toBeGreaterThanOrEqual(140);
  });

  test('close() does not wait for a held answer', async () => {
    const own = await startTwilioServer({ accountSid: 'AC' + 'e'.repeat(32), authToken: 'another-fake-token' });
    own.delay(20_000);
    const pending = fetch(`${own.url}/v2/PhoneNumbers/${encodeURIComponent(TO)}`, {
      headers: { Authorization: basic(own.accountSid, own.authToken) },
    }).then(
      () => 'answered',
      () => 'failed',
    );
    while (own.requests.length === 0) await new Promise((r) => setTimeout(r, 5));

    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await pending).toBe('failed');
  });

  test('reset clears requests, faults, delays and lookups', async () => {
    await request('GET', '/nowhere');
    tw.setLookup(TO, { lineType: 'landline' });
    tw.fault({ status: 500, code: 20500, message: 'boom' });
    tw.delay(5000);
    tw.reset();
    expect(tw.requests).toEqual([]);

    const reply = await request('GET', lookupPath(TO, 'line_type_intelligence'));
    expect(reply.status).toBe(200);
    expect(reply.ms).toBeLessThan(1000);
    expect(reply.json.line_type_intelligence.type).toBe('mobile');
    expect(tw.requests).toHaveLength(1);
  });
});

describe('validateAgainstSpec', () => {
  test.each(['message', 'call', 'verification', 'lookup'] as const)(
    'every %s example in the spec validates',
    (operation) => {
      const examples = Object.entries(specExamples(operation));
      expect(examples.length).toBeGreaterThan(0);
      for (const [name, example] of examples) {
        expect({ name, errors: validateAgainstSpec(operation, example) }).toEqual({ name, errors: [] });
      }
    },
  );

  test('rejects wrong bodies', () => {
    expect(validateAgainstSpec('message', { sid: 5 })).toEqual(['/sid must be string']);
    expect(validateAgainstSpec('message', { sid: 'XX' + '0'.repeat(32) })).toEqual([
      expect.stringMatching(/^\/sid must match pattern/),
    ]);
    expect(validateAgainstSpec('message', { status: 'sent-ish' })[0]).toMatch(/^\/status must be one of queued/);
    expect(validateAgainstSpec('message', { error_code: '21408' })).toEqual(['/error_code must be integer']);
    expect(validateAgainstSpec('message', { date_created: '2023-08-24T05:01:45Z' })).toEqual([
      '/date_created must match format "date-time-rfc-2822"',
    ]);
    expect(validateAgainstSpec('call', { status: 'ringing-ish' })[0]).toMatch(/^\/status must be one of/);
    expect(validateAgainstSpec('verification', { channel: 'auto' })[0]).toMatch(/^\/channel must be one of/);
    expect(validateAgainstSpec('verification', { send_code_attempts: 'none' })).toEqual([
      '/send_code_attempts must be array',
    ]);
    expect(validateAgainstSpec('lookup', { valid: 'yes' })).toEqual(['/valid must be boolean']);
    expect(validateAgainstSpec('lookup', { sms_pumping_risk: { sms_pumping_risk_score: '61' } })).toEqual([
      '/sms_pumping_risk/sms_pumping_risk_score must be integer',
    ]);
    expect(validateAgainstSpec('lookup', { validation_errors: ['TOO_WEIRD'] })[0]).toMatch(
      /^\/validation_errors\/0 must be one of TOO_SHORT/,
    );
  });

  test('complete mode also demands every documented field and nothing else', () => {
    const [example] = Object.values(specExamples('message'));
    const { uri: _dropped, ...incomplete } = example as Json;
    expect(validateAgainstSpec('message', incomplete)).toEqual([]);
    expect(validateAgainstSpec('message', incomplete, { complete: true })).toEqual([
      "(body) must have required property 'uri'",
    ]);
    expect(validateAgainstSpec('message', { ...(example as Json), extra: 1 }, { complete: true })).toEqual([
      '(body) has undocumented field extra',
    ]);
  });

  test('the prose-only lists match the spec text', () => {
    const fields = specParameterDescription('lookup', 'Fields');
    expect(fields).toContain(`Possible values are ${LOOKUP_FIELDS.join(', ')}.`);
    const channel = specParameterDescription('verification', 'Channel');
    for (const c of VERIFY_CHANNELS) expect(channel).toContain(c === 'email' ? '`email`' : c);
    expect(specParameterDescription('call', 'Twiml')).toContain('Max 4000 characters');
    expect(specParameterDescription('message', 'Body')).toContain('up to 1,600 characters');
  });
});
