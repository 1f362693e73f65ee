/**
 * The optional Twilio Lookup rule on the built bundle: only for numbers that passed the cheaper
 * rules, answers cached in the counter store, refusals for risky line types and pumping scores,
 * and a Lookup outage that never blocks a login.
 */
import path from 'node:path';
import { buildActions } from '../../scripts/build';
import { ACTION_PACKAGES } from '../../scripts/lib/action-packages';
import { loadAction, runSendPhoneMessage, sendPhoneMessageEvent, type LoadedAction } from '../support/actions-runtime';
import { startTwilioServer, type TwilioTestServer } from '../support/twilio-server';
import { DIST_DIR, decisionLineOf } from './helpers';

let server: TwilioTestServer;

beforeAll(async () => {
  await buildActions({ quiet: true });
  server = await startTwilioServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

function secrets(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: server.accountSid,
    TWILIO_AUTH_TOKEN: server.authToken,
    TWILIO_FROM_NUMBER: '+15005550006',
    TWILIO_BASE_URL: server.url,
    GUARD_LOOKUP: 'both',
    ...extra,
  };
}

function load(): LoadedAction {
  return loadAction(path.join(DIST_DIR, 'send-phone-message.js'), { allowedPackages: ACTION_PACKAGES });
}

async function send(action: LoadedAction, recipient: string, extra: Record<string, string> = {}, user = 'auth0|lookup') {
  const event = sendPhoneMessageEvent({ message_options: { recipient, code: '482913' }, user: { user_id: user } });
  event.secrets = secrets(extra);
  const invocation = await runSendPhoneMessage(action, event);
  return { invocation, line: decisionLineOf(invocation) };
}

const lookups = () => server.requests.filter((request) => request.operation === 'lookup');

test('a low-risk mobile is looked up once, then served from the cache', async () => {
  const action = load();
  server.setLookup('+14155552671', { lineType: 'mobile', smsPumpingRiskScore: 3 });
  const first = await send(action, '+14155552671');
  expect(first.invocation.error).toBeUndefined();
  expect(first.line['lookup']).toBe('fetched');
  expect(lookups()).toHaveLength(1);
  expect(lookups()[0]?.query['Fields']).toBe('line_type_intelligence,sms_pumping_risk');
  expect(lookups()[0]?.violations).toEqual([]);
  const second = await send(action, '+14155552671', {}, 'auth0|lookup2');
  expect(second.invocation.error).toBeUndefined();
  expect(second.line['lookup']).toBe('cached');
  expect(lookups()).toHaveLength(1);
});

test('a high SMS pumping risk score refuses the message before any SMS is sent', async () => {
  const action = load();
  server.setLookup('+14155552672', { lineType: 'mobile', smsPumpingRiskScore: 93 });
  const { invocation, line } = await send(action, '+14155552672');
  expect(invocation.error?.message).toContain('twilio-lookup');
  expect(line.rules).toEqual(['twilio-lookup']);
  expect(line.reasons[0]).toContain('93');
  expect(server.requests.filter((request) => request.operation === 'message')).toHaveLength(0);
});

test('a risky line type refuses; GUARD_LOOKUP_BLOCKED_TYPES and GUARD_LOOKUP_MAX_RISK are honoured', async () => {
  server.setLookup('+14155552673', { lineType: 'nonFixedVoip', smsPumpingRiskScore: 50 });
  const defaults = await send(load(), '+14155552673');
  expect(defaults.invocation.error).toBeUndefined();
  const strict = await send(load(), '+14155552673', { GUARD_LOOKUP_BLOCKED_TYPES: 'nonFixedVoip, premium' });
  expect(strict.line.reasons[0]).toContain('nonFixedVoip');
  const lowRisk = await send(load(), '+14155552673', { GUARD_LOOKUP_MAX_RISK: '40' });
  expect(lowRisk.line.rules).toEqual(['twilio-lookup']);
});

test('numbers refused by a cheaper rule are never looked up (Lookup costs money)', async () => {
  const { line } = await send(load(), '+2348031234567');
  expect(line.rules).toEqual(['geo']);
  expect(lookups()).toHaveLength(0);
});

test('a Lookup outage or timeout lets the message through and says so', async () => {
  server.fault({ status: 503, code: 20503, message: 'Service unavailable', operation: 'lookup' });
  const down = await send(load(), '+14155552674');
  expect(down.invocation.error).toBeUndefined();
  expect(String(down.line['lookup_error'])).toContain('ignored');
  server.delay(2500, 1);
  const slow = await send(load(), '+14155552675', { TWILIO_TIMEOUT: '1s' });
  expect(slow.invocation.error).toBeUndefined();
  expect(String(slow.line['lookup_error'])).toContain('did not answer');
});

test('GUARD_LOOKUP=off (the default) makes no Lookup request', async () => {
  await send(load(), '+14155552676', { GUARD_LOOKUP: 'off' });
  expect(lookups()).toHaveLength(0);
});

test('a bad GUARD_LOOKUP value is reported by name and Lookup stays off', async () => {
  const { line } = await send(load(), '+14155552677', { GUARD_LOOKUP: 'always' });
  expect(JSON.stringify(line['config_errors'])).toContain('GUARD_LOOKUP');
  expect(lookups()).toHaveLength(0);
});

test('a cached answer without a package that is now asked for is fetched again', async () => {
  const action = load();
  server.setLookup('+14155552678', { lineType: 'mobile', smsPumpingRiskScore: 95 });
  const lineTypeOnly = await send(action, '+14155552678', { GUARD_LOOKUP: 'line-type' });
  expect(lineTypeOnly.invocation.error).toBeUndefined();
  const both = await send(action, '+14155552678', { GUARD_LOOKUP: 'both' }, 'auth0|lookup3');
  expect(both.line['lookup']).toBe('fetched');
  expect(both.line.rules).toEqual(['twilio-lookup']);
});
