/**
 * The local Management API the deploy tests run against behaves like the documented one where the
 * deploy depends on it: token audience, secrets never answered, a PATCH replacing the secret list,
 * deploy refused until built, bindings replaced whole and refused for undeployed Actions, payload
 * validation, and everything recorded. (Requests here trust the test certificate per request; TLS
 * verification stays on.)
 */
import https from 'node:https';
import { makeTestCertificate, startManagementApi, type ManagementApiServer, type TestCertificate } from '../support/management-api';

let cert: TestCertificate;
let api: ManagementApiServer;

beforeAll(async () => {
  cert = makeTestCertificate();
  api = await startManagementApi({ cert, buildAttempts: 1, seedActions: [{ name: 'theirs', trigger: 'post-login' }], seedBindings: { 'post-login': ['theirs'] } });
});

afterAll(async () => {
  await api.close();
  cert.cleanup();
});

interface Reply {
  status: number;
  body: any; // the JSON under test
}

function request(method: string, pathname: string, body?: unknown, token?: string, form = false): Promise<Reply> {
  const payload = body === undefined ? undefined : form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${api.url}${pathname}`,
      {
        method,
        ca: cert.cert,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }),
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function token(): Promise<string> {
  const reply = await request('POST', '/oauth/token', { grant_type: 'client_credentials', client_id: api.clientId, client_secret: api.clientSecret, audience: `https://${api.domain}/api/v2/` }, undefined, true);
  expect(reply.status).toBe(200);
  return reply.body.access_token as string;
}

const ACTION = {
  name: 'probe',
  code: 'exports.onExecuteSendPhoneMessage = async () => {};',
  runtime: 'node22',
  supported_triggers: [{ id: 'send-phone-message', version: 'v2' }],
  dependencies: [{ name: 'libphonenumber-js', version: '1.13.16' }],
  secrets: [
    { name: 'A', value: 'first' },
    { name: 'B', value: 'second' },
  ],
};

test('the token endpoint checks the client and the audience; the API wants the token', async () => {
  const wrongAudience = await request('POST', '/oauth/token', { grant_type: 'client_credentials', client_id: api.clientId, client_secret: api.clientSecret, audience: 'https://elsewhere/api/v2/' }, undefined, true);
  expect(wrongAudience.status).toBe(403);
  const wrongSecret = await request('POST', '/oauth/token', { grant_type: 'client_credentials', client_id: api.clientId, client_secret: 'nope', audience: `https://${api.domain}/api/v2/` }, undefined, true);
  expect(wrongSecret).toEqual({ status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } });
  expect((await request('GET', '/api/v2/actions/actions')).status).toBe(401);
});

test('actions: secrets are write-only, a PATCH replaces the list, deploy waits for built', async () => {
  const bearer = await token();
  const created = await request('POST', '/api/v2/actions/actions', ACTION, bearer);
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ name: 'probe', runtime: 'node22', status: 'pending', all_changes_deployed: false });
  expect(created.body.secrets.map((secret: { name: string }) => secret.name)).toEqual(['A', 'B']);
  expect(JSON.stringify(created.body)).not.toMatch(/first|second/);

  const early = await request('POST', `/api/v2/actions/actions/${created.body.id}/deploy`, undefined, bearer);
  expect(early.status).toBe(400);
  expect(early.body.message).toMatch(/must be in the 'built' state/);
  const deployed = await request('POST', `/api/v2/actions/actions/${created.body.id}/deploy`, undefined, bearer);
  expect(deployed.status).toBe(200);
  expect(deployed.body).toMatchObject({ action_id: created.body.id, deployed: true, number: 1, status: 'built' });

  const patched = await request('PATCH', `/api/v2/actions/actions/${created.body.id}`, { secrets: [{ name: 'B', value: 'changed' }] }, bearer);
  expect(patched.status).toBe(200);
  expect(patched.body.all_changes_deployed).toBe(false);
  const stored = api.state.actions.find((action) => action.name === 'probe');
  expect(stored?.secrets.map(({ name, value }) => ({ name, value }))).toEqual([{ name: 'B', value: 'changed' }]);

  const listed = await request('GET', '/api/v2/actions/actions?page=0&per_page=100', undefined, bearer);
  expect(listed.body).toMatchObject({ total: 2, page: 0, per_page: 100 });
  expect(listed.body.actions.map((action: { name: string }) => action.name).sort()).toEqual(['probe', 'theirs']);
});

test('actions: payloads the API refuses are refused and recorded', async () => {
  const bearer = await token();
  const cases: Array<[unknown, RegExp]> = [
    [{ ...ACTION, name: 'x1', deployed: true }, /Additional properties not allowed: deployed/],
    [{ ...ACTION, name: 'x2', supported_triggers: [{ id: 'send-phone-message', version: 'v9' }] }, /has no version v9/],
    [{ ...ACTION, name: 'x3', supported_triggers: [{ id: 'send-phone-message', version: 'v1' }] }, /runtime node22 is not supported by trigger send-phone-message v1/],
    [{ ...ACTION, name: 'x4', secrets: Array.from({ length: 31 }, (_, index) => ({ name: `S${index}`, value: 'v' })) }, /at most 30 secrets/],
    [{ ...ACTION, name: 'x5', dependencies: [{ name: 'a', version: '1' }].concat(Array.from({ length: 10 }, (_, index) => ({ name: `d${index}`, version: '1.0.0' }))) }, /at most 10 dependencies/],
    [{ ...ACTION, name: 'x6', secrets: [{ name: '', value: 'v' }] }, /value length must be between 1 and 128/],
  ];
  for (const [body, message] of cases) {
    const reply = await request('POST', '/api/v2/actions/actions', body, bearer);
    expect({ status: reply.status, message: reply.body.message }).toEqual({ status: 400, message: expect.stringMatching(message) });
  }
  const duplicate = await request('POST', '/api/v2/actions/actions', { ...ACTION, name: 'theirs' }, bearer);
  expect(duplicate.status).toBe(409);
  expect(api.requests.filter((recorded) => recorded.status === 400).length).toBeGreaterThanOrEqual(cases.length);
});

test('bindings: a PATCH replaces the whole list; an undeployed or mismatched Action cannot be bound', async () => {
  const bearer = await token();
  const draft = await request('POST', '/api/v2/actions/actions', { ...ACTION, name: 'undeployed-login', supported_triggers: [{ id: 'post-login', version: 'v3' }] }, bearer);
  expect(draft.status).toBe(201);
  const refused = await request('PATCH', '/api/v2/actions/triggers/post-login/bindings', { bindings: [{ ref: { type: 'action_name', value: 'undeployed-login' } }] }, bearer);
  expect(refused.body.message).toMatch(/must be deployed before it can be bound/);
  const wrongTrigger = await request('PATCH', '/api/v2/actions/triggers/post-login/bindings', { bindings: [{ ref: { type: 'action_name', value: 'probe' } }] }, bearer);
  expect(wrongTrigger.body.message).toMatch(/does not support trigger post-login/);

  const emptied = await request('PATCH', '/api/v2/actions/triggers/post-login/bindings', { bindings: [] }, bearer);
  expect(emptied.status).toBe(200);
  const listed = await request('GET', '/api/v2/actions/triggers/post-login/bindings', undefined, bearer);
  expect(listed.body).toMatchObject({ bindings: [], total: 0 });
});

test('guardian and attack protection validate their enums; a PATCH keeps unnamed fields', async () => {
  const bearer = await token();
  expect((await request('PUT', '/api/v2/guardian/factors/phone/selected-provider', { provider: 'carrier-pigeon' }, bearer)).status).toBe(400);
  expect((await request('PUT', '/api/v2/guardian/factors/phone/message-types', { message_types: ['sms', 'fax'] }, bearer)).status).toBe(400);
  expect((await request('PUT', '/api/v2/guardian/factors/phone/selected-provider', { provider: 'phone-message-hook' }, bearer)).body).toEqual({ provider: 'phone-message-hook' });
  const before = await request('GET', '/api/v2/attack-protection/suspicious-ip-throttling', undefined, bearer);
  const patched = await request('PATCH', '/api/v2/attack-protection/suspicious-ip-throttling', { stage: { 'pre-user-registration': { max_attempts: 5 } } }, bearer);
  expect(patched.body.allowlist).toEqual(before.body.allowlist);
  expect(patched.body.stage).toEqual({ 'pre-login': before.body.stage['pre-login'], 'pre-user-registration': { max_attempts: 5, rate: before.body.stage['pre-user-registration'].rate } });
  expect((await request('PATCH', '/api/v2/attack-protection/brute-force-protection', { enabled: true, shields: ['block'], bogus: 1 }, bearer)).status).toBe(400);
});

test('an endpoint it does not implement is answered 404 and flagged', async () => {
  const bearer = await token();
  const reply = await request('GET', '/api/v2/users', undefined, bearer);
  expect(reply.status).toBe(404);
  expect(api.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v2/users', unhandled: true, status: 404 });
});

describe('phone providers (Unified Phone Experience)', () => {
  const CUSTOM_ACTION = { ...ACTION, name: 'phone-provider-probe', code: 'exports.onExecuteCustomPhoneProvider = async () => {};', supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }] };
  const CUSTOM = { name: 'custom', disabled: false, configuration: { delivery_methods: ['text'] }, credentials: {} };

  test('a custom provider needs a deployed custom-phone-provider Action, and credentials', async () => {
    const bearer = await token();
    const early = await request('POST', '/api/v2/branding/phone/providers', CUSTOM, bearer);
    expect(early).toEqual({ status: 400, body: expect.objectContaining({ errorCode: 'custom_email_provider_deployed_action_not_found' }) });

    const created = await request('POST', '/api/v2/actions/actions', CUSTOM_ACTION, bearer);
    expect(created.status).toBe(201);
    const undeployed = await request('POST', '/api/v2/branding/phone/providers', CUSTOM, bearer);
    expect(undeployed.body.errorCode).toBe('custom_email_provider_deployed_action_not_found');
    await request('POST', `/api/v2/actions/actions/${created.body.id}/deploy`, undefined, bearer); // buildAttempts: 1
    expect((await request('POST', `/api/v2/actions/actions/${created.body.id}/deploy`, undefined, bearer)).status).toBe(200);

    const { credentials: _credentials, ...withoutCredentials } = CUSTOM;
    const missing = await request('POST', '/api/v2/branding/phone/providers', withoutCredentials, bearer);
    expect({ status: missing.status, message: missing.body.message }).toEqual({ status: 400, message: "Payload validation error: 'Missing required property: credentials'." });
    const badMethod = await request('POST', '/api/v2/branding/phone/providers', { ...CUSTOM, configuration: { delivery_methods: ['fax'] } }, bearer);
    expect(badMethod.status).toBe(400);
    const secretInConfig = await request('POST', '/api/v2/branding/phone/providers', { ...CUSTOM, configuration: { delivery_methods: ['text'], sid: 'AC1' } }, bearer);
    expect(secretInConfig.body.message).toMatch(/Additional properties not allowed: sid/);

    const provider = await request('POST', '/api/v2/branding/phone/providers', CUSTOM, bearer);
    expect(provider.status).toBe(201);
    expect(provider.body).toMatchObject({ name: 'custom', channel: 'phone', disabled: false, configuration: { delivery_methods: ['text'] } });
    expect(provider.body).not.toHaveProperty('credentials');
    expect((await request('POST', '/api/v2/branding/phone/providers', CUSTOM, bearer)).status).toBe(409);

    const patchedNoCredentials = await request('PATCH', `/api/v2/branding/phone/providers/${provider.body.id}`, withoutCredentials, bearer);
    expect(patchedNoCredentials.body.message).toMatch(/Missing required property: credentials/);
    const patched = await request('PATCH', `/api/v2/branding/phone/providers/${provider.body.id}`, { ...CUSTOM, configuration: { delivery_methods: ['text', 'voice'] } }, bearer);
    expect(patched.body.configuration).toEqual({ delivery_methods: ['text', 'voice'] });
    expect((await request('GET', '/api/v2/branding/phone/providers', undefined, bearer)).body).toEqual({ providers: [patched.body] });
  });

  test('one custom-phone-provider Action per tenant, never bound through triggers', async () => {
    const bearer = await token();
    const second = await request('POST', '/api/v2/actions/actions', { ...CUSTOM_ACTION, name: 'another-phone-provider' }, bearer);
    expect(second).toEqual({ status: 400, body: expect.objectContaining({ message: expect.stringMatching(/Only one action is allowed for the custom-phone-provider trigger/) }) });
    const bound = await request('PATCH', '/api/v2/actions/triggers/custom-phone-provider/bindings', { bindings: [{ ref: { type: 'action_name', value: 'phone-provider-probe' } }] }, bearer);
    expect(bound.status).toBe(400);
  });

  test('tenant settings answer phone_consolidated_experience only when the test sets it', async () => {
    const bearer = await token();
    expect((await request('GET', '/api/v2/tenants/settings?fields=phone_consolidated_experience&include_fields=true', undefined, bearer)).body).toEqual({});
    const unifiedCert = makeTestCertificate();
    const unified = await startManagementApi({ cert: unifiedCert, phoneConsolidatedExperience: true });
    try {
      const reply = await new Promise<Reply>((resolve, reject) => {
        const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: unified.clientId, client_secret: unified.clientSecret, audience: `https://${unified.domain}/api/v2/` }).toString();
        const req = https.request(`${unified.url}/oauth/token`, { method: 'POST', ca: unifiedCert.cert, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.end(form);
      });
      const settings = await new Promise<Reply>((resolve, reject) => {
        const req = https.request(`${unified.url}/api/v2/tenants/settings?fields=phone_consolidated_experience&include_fields=true`, { ca: unifiedCert.cert, headers: { authorization: `Bearer ${reply.body.access_token}` } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(settings.body).toEqual({ phone_consolidated_experience: true });
    } finally {
      await unified.close();
      unifiedCert.cleanup();
    }
  });
});
