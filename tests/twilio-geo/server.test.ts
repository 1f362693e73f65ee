/**
 * The local Geo Permissions / Dialing Permissions server holds itself to the official descriptions:
 * it refuses what they refuse (schema and prose), answers what they describe, and models the
 * documented 30649 refusal and the factory settings.
 */
import {
  GEO_OPERATIONS,
  SMS_CONSOLE_ONLY,
  geoSpecExamples,
  geoSpecProblems,
  startTwilioGeoServer,
  type GeoOperation,
  type TwilioGeoServer,
} from '../support/twilio-geo-server';

type Json = Record<string, any>;

let tw: TwilioGeoServer;

beforeEach(async () => {
  tw = await startTwilioGeoServer();
});

afterEach(async () => {
  await tw.close();
});

function auth(user = tw.accountSid, pass = tw.authToken): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

async function call(method: string, path: string, form?: URLSearchParams | Record<string, string>, authorization = auth()): Promise<{ status: number; json: Json }> {
  const headers: Record<string, string> = { authorization };
  if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const body = form === undefined ? undefined : new URLSearchParams(form).toString();
  const response = await fetch(`${tw.url}${path}`, { method, headers, body });
  return { status: response.status, json: (await response.json()) as Json };
}

function permissions(...items: object[]): URLSearchParams {
  const form = new URLSearchParams();
  for (const item of items) form.append('Permissions', JSON.stringify(item));
  return form;
}

function bulk(items: object[]): Record<string, string> {
  return { UpdateRequest: JSON.stringify(items) };
}

const GB_ON = { iso_code: 'GB', low_risk_numbers_enabled: 'true', high_risk_special_numbers_enabled: 'false', high_risk_tollfraud_numbers_enabled: 'false' };

describe('the spec', () => {
  it.each(Object.keys(GEO_OPERATIONS) as GeoOperation[])('every example of %s validates against its own schema', (op) => {
    const examples = Object.entries(geoSpecExamples(op));
    expect(examples.length).toBeGreaterThan(0);
    for (const [, example] of examples) expect(geoSpecProblems(op, example)).toEqual([]);
  });

  it('refuses a Countries page whose items are not lists of countries', () => {
    expect(geoSpecProblems('voiceList', { content: [{ iso_code: 7 }], meta: {} })).not.toEqual([]);
    expect(geoSpecProblems('voiceBulkUpdate', { update_count: 'one', update_request: 'accepted' }, { complete: true })).not.toEqual([]);
  });
});

describe('factory settings', () => {
  it('sends SMS to the home country only and calls only its low-risk numbers', async () => {
    const sms = await call('GET', '/v1/Messaging/GeoPermissions');
    expect(sms.status).toBe(200);
    const on = (sms.json.permissions as Json[]).filter((p) => p.enabled).map((p) => p.country_code);
    expect(on).toEqual(['US']);
    expect(tw.voice('US')).toEqual({ low: true, special: false, tollFraud: false });
    expect([...tw.voiceState().values()].filter((v) => v.low || v.special || v.tollFraud)).toHaveLength(1);
  });

  it('filters Geo Permissions by a comma-separated CountryCode and marks Twilio high-risk countries', async () => {
    const { json } = await call('GET', '/v1/Messaging/GeoPermissions?CountryCode=PK,US');
    expect(json.permissions).toEqual([
      { country_code: 'PK', type: 'country', enabled: false, prefix: '+92', message: 'High Risk Country' },
      { country_code: 'US', type: 'country', enabled: true, prefix: '+1', message: '' },
    ]);
  });

  it('lists the United States and Canada as one voice entry, as the spec example does', async () => {
    const { json } = await call('GET', '/v1/DialingPermissions/Countries/US');
    expect(json).toMatchObject({ iso_code: 'US', name: 'United States/Canada', country_codes: ['+1'], continent: 'NORTH_AMERICA' });
    expect((await call('GET', '/v1/DialingPermissions/Countries/CA')).status).toBe(404);
  });
});

describe('authentication', () => {
  it('answers 401 with Twilio\'s error body to a wrong token, and accepts a configured API key', async () => {
    const refused = await call('GET', '/v1/Messaging/GeoPermissions', undefined, auth(tw.accountSid, 'wrong-token-wrong-token'));
    expect(refused).toEqual({ status: 401, json: { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 } });
    const keyed = await startTwilioGeoServer({ apiKey: { sid: 'SK' + 'a'.repeat(32), secret: 'key-secret-not-real-0001' } });
    try {
      const response = await fetch(`${keyed.url}/v1/Messaging/GeoPermissions`, { headers: { authorization: auth('SK' + 'a'.repeat(32), 'key-secret-not-real-0001') } });
      expect(response.status).toBe(200);
    } finally {
      await keyed.close();
    }
  });
});

describe('Messaging Geo Permissions update (PATCH)', () => {
  it('applies each permission and answers a result per country', async () => {
    const { status, json } = await call('PATCH', '/v1/Messaging/GeoPermissions', permissions({ country_code: 'GB', type: 'country', enabled: true }, { country_code: 'US', type: 'country', enabled: false }));
    expect(status).toBe(200);
    expect(json.permissions).toEqual([
      { country_code: 'GB', type: 'country', enabled: true, error_code: 0, error_messages: [] },
      { country_code: 'US', type: 'country', enabled: false, error_code: 0, error_messages: [] },
    ]);
    expect([tw.sms('GB'), tw.sms('US')]).toEqual([true, false]);
  });

  it('ignores console-only and unsupported countries with error 30649, and applies the rest (a partial failure)', async () => {
    tw.openEverything();
    const { json } = await call('PATCH', '/v1/Messaging/GeoPermissions', permissions(
      { country_code: 'PK', type: 'country', enabled: false },
      { country_code: 'IR', type: 'country', enabled: false },
      { country_code: 'KE', type: 'country', enabled: false },
    ));
    expect(json.permissions).toEqual([
      { country_code: 'PK', type: 'country', enabled: true, error_code: 30649, error_messages: ['High risk country permission cannot be updated'] },
      { country_code: 'IR', type: 'country', enabled: true, error_code: 30649, error_messages: ['Non-supported country permission cannot be updated'] },
      { country_code: 'KE', type: 'country', enabled: false, error_code: 0, error_messages: [] },
    ]);
    expect(SMS_CONSOLE_ONLY.every((c) => tw.sms(c) === true)).toBe(true);
  });

  it.each([
    ['no Permissions', new URLSearchParams({ Other: 'x' }), /missing required parameter Permissions/],
    ['a value that is not JSON', new URLSearchParams({ Permissions: 'GB=on' }), /Permissions\[0\] is not JSON/],
    ['an unknown field', permissions({ country_code: 'GB', type: 'country', enabled: true, prefix: '+44' }), /unknown field prefix/],
    ['enabled as a string', permissions({ country_code: 'GB', type: 'country', enabled: 'true' }), /enabled must be true or false/],
    ['another type', permissions({ country_code: 'GB', type: 'prefix', enabled: true }), /type must be "country"/],
    ['an unknown country', permissions({ country_code: 'ZZ', type: 'country', enabled: true }), /"ZZ" is not a country/],
    ['a country twice', permissions({ country_code: 'GB', type: 'country', enabled: true }, { country_code: 'GB', type: 'country', enabled: false }), /GB is given twice/],
  ])('refuses %s with 400 and changes nothing', async (_name, form, message) => {
    const { status, json } = await call('PATCH', '/v1/Messaging/GeoPermissions', form);
    expect(status).toBe(400);
    expect(json.message).toMatch(message);
    expect(tw.sms('GB')).toBe(false);
    expect(tw.requests[0]?.violations.length).toBeGreaterThan(0);
  });

  it('refuses a JSON body (the API takes form fields)', async () => {
    const response = await fetch(`${tw.url}/v1/Messaging/GeoPermissions`, {
      method: 'PATCH',
      headers: { authorization: auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ Permissions: [{ country_code: 'GB', type: 'country', enabled: true }] }),
    });
    expect(response.status).toBe(400);
  });

  it('serves no POST on Geo Permissions: the spec describes PATCH', async () => {
    const { status } = await call('POST', '/v1/Messaging/GeoPermissions', permissions({ country_code: 'GB', type: 'country', enabled: true }));
    expect(status).toBe(404);
  });
});

describe('Dialing Permissions', () => {
  it('pages through every country with next_page_url and honours the filters', async () => {
    const first = await call('GET', '/v1/DialingPermissions/Countries?PageSize=100');
    expect(first.json.content).toHaveLength(100);
    expect(first.json.meta).toMatchObject({ page: 0, page_size: 100, key: 'content', previous_page_url: null });
    const seen = [...(first.json.content as Json[])];
    let next = first.json.meta.next_page_url as string | null;
    while (next !== null) {
      const page = await call('GET', next.replace(tw.url, ''));
      seen.push(...(page.json.content as Json[]));
      next = page.json.meta.next_page_url;
    }
    expect(seen.map((c) => c.iso_code)).toEqual([...tw.voiceState().keys()]);
    const lowOn = await call('GET', '/v1/DialingPermissions/Countries?LowRiskNumbersEnabled=true');
    expect((lowOn.json.content as Json[]).map((c) => c.iso_code)).toEqual(['US']);
    const byCode = await call('GET', '/v1/DialingPermissions/Countries?CountryCode=%2B44');
    expect((byCode.json.content as Json[]).map((c) => c.iso_code)).toEqual(['GB', 'GG', 'IM', 'JE']);
  });

  it('refuses a page size over the spec maximum and unknown query parameters', async () => {
    expect((await call('GET', '/v1/DialingPermissions/Countries?PageSize=1001')).status).toBe(400);
    expect((await call('GET', '/v1/DialingPermissions/Countries?Foo=1')).json.message).toMatch(/unknown query parameter Foo/);
  });

  it('applies a bulk update in the documented form and counts the countries updated', async () => {
    const { status, json } = await call('POST', '/v1/DialingPermissions/BulkCountryUpdates', bulk([GB_ON, { ...GB_ON, iso_code: 'US', low_risk_numbers_enabled: 'false' }]));
    expect({ status, json }).toEqual({ status: 201, json: { update_count: 2, update_request: 'accepted' } });
    expect(tw.voice('GB')).toEqual({ low: true, special: false, tollFraud: false });
    expect(tw.voice('US')).toEqual({ low: false, special: false, tollFraud: false });
  });

  it('leaves a locked country alone and says so only through update_count (a partial failure)', async () => {
    tw.lockVoice('GB');
    const { json } = await call('POST', '/v1/DialingPermissions/BulkCountryUpdates', bulk([GB_ON, { ...GB_ON, iso_code: 'FR' }]));
    expect(json.update_count).toBe(1);
    expect([tw.voice('GB')?.low, tw.voice('FR')?.low]).toEqual([false, true]);
  });

  it.each([
    ['the spec request example\'s other field names', '[ { "iso_code": "GB", "low_risk_numbers": "Enabled", "high_risk_special_numbers":"Enabled", "high_risk_irsf_numbers": "Enabled" } ]', /unknown field low_risk_numbers/],
    ['JSON booleans', JSON.stringify([{ ...GB_ON, low_risk_numbers_enabled: true }]), /low_risk_numbers_enabled must be "true" or "false"/],
    ['a missing switch', JSON.stringify([{ iso_code: 'GB', low_risk_numbers_enabled: 'true' }]), /high_risk_special_numbers_enabled must be/],
    ['an unknown country', JSON.stringify([{ ...GB_ON, iso_code: 'CA' }]), /"CA" is not a dialing permissions country/],
    ['an empty list', '[]', /non-empty JSON array/],
    ['a country twice', JSON.stringify([GB_ON, GB_ON]), /GB is given twice/],
  ])('refuses %s with 400 and changes nothing', async (_name, updateRequest, message) => {
    const { status, json } = await call('POST', '/v1/DialingPermissions/BulkCountryUpdates', { UpdateRequest: updateRequest });
    expect(status).toBe(400);
    expect(json.message).toMatch(message);
    expect(tw.voice('GB')?.low).toBe(false);
  });

  it('serves the HighRiskSpecialPrefixes example for Latvia', async () => {
    const { json } = await call('GET', '/v1/DialingPermissions/Countries/LV/HighRiskSpecialPrefixes');
    expect(json.content).toEqual([{ prefix: '+37181' }, { prefix: '+3719000' }]);
  });

  it('shows a bulk update only after its delay when the account applies updates late', async () => {
    const late = await startTwilioGeoServer({ voiceApplyDelayMs: 150 });
    try {
      const response = await fetch(`${late.url}/v1/DialingPermissions/BulkCountryUpdates`, {
        method: 'POST',
        headers: { authorization: auth(late.accountSid, late.authToken), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(bulk([GB_ON])).toString(),
      });
      expect(response.status).toBe(201);
      expect(late.voice('GB')?.low).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(late.voice('GB')?.low).toBe(true);
    } finally {
      await late.close();
    }
  });
});
