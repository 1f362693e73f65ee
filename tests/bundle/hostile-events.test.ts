/**
 * Events that are not plain JSON, handed to the BUILT phone Actions as they are (no structured
 * clone): a throwing getter, a proxy that throws on every trap, a huge sparse group list. Each
 * Action reads the event once through its snapshot, writes one decision line naming what it could
 * not read, and answers in time: never an unhandled rejection, never a blocked event loop.
 */
import * as path from 'node:path';
import { buildActions } from '../../scripts/build';
import { ACTION_PACKAGES } from '../../scripts/lib/action-packages';
import type { CustomPhoneProviderEvent, SendPhoneMessageEvent } from '../../shared/auth0/types';
import {
  customPhoneProviderEvent,
  loadAction,
  preUserRegistrationEvent,
  runCustomPhoneProvider,
  runPreUserRegistration,
  runSendPhoneMessage,
  sendPhoneMessageEvent,
} from '../support/actions-runtime';
import { DIST_DIR, decisionLineOf } from './helpers';

const SEND = path.join(DIST_DIR, 'send-phone-message.js');
const PROVIDER = path.join(DIST_DIR, 'custom-phone-provider.js');
const REGISTRATION = path.join(DIST_DIR, 'pre-user-registration.js');
const SECRETS = { TWILIO_DRY_RUN: 'true' };

beforeAll(async () => {
  await buildActions({ quiet: true });
});

const load = (file: string) => loadAction(file, { allowedPackages: ACTION_PACKAGES });

function hostileUser(kind: 'getter' | 'proxy' | 'sparse'): unknown {
  if (kind === 'getter') {
    return Object.defineProperty({ user_id: 'auth0|hostile' }, 'app_metadata', { enumerable: true, get() { throw new Error('getter exploded'); } });
  }
  if (kind === 'proxy') {
    return new Proxy({}, { get() { throw new Error('proxy trap'); }, ownKeys() { throw new Error('proxy trap'); }, getOwnPropertyDescriptor() { throw new Error('proxy trap'); } });
  }
  const groups: string[] = [];
  groups.length = 2 ** 32 - 1;
  groups[5] = 'voice-otp';
  return { user_id: 'auth0|sparse', app_metadata: { groups } };
}

describe.each(['getter', 'proxy', 'sparse'] as const)('a user object with a %s', (kind) => {
  test('send-phone-message: delivered, one decision line, the problem named (not the value)', async () => {
    const event = sendPhoneMessageEvent();
    event.secrets = { ...SECRETS, GUARD_VOICE_ACCESS: 'allowed-users' };
    (event as unknown as Record<string, unknown>)['user'] = hostileUser(kind);
    const started = performance.now();
    const invocation = await runSendPhoneMessage(load(SEND), event as SendPhoneMessageEvent, { clone: false });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(invocation.error).toBeUndefined();
    const line = decisionLineOf(invocation);
    expect(line).toMatchObject({ trigger: 'send-phone-message', outcome: 'delivered' });
    if (kind !== 'sparse') expect(line['event_problems']).toEqual(expect.arrayContaining([expect.stringMatching(/user/)]));
    expect(JSON.stringify(line)).not.toMatch(/exploded|trap/);
  });

  test('custom-phone-provider: delivered, one decision line, no drop', async () => {
    const event = customPhoneProviderEvent();
    event.secrets = SECRETS;
    (event as unknown as Record<string, unknown>)['user'] = hostileUser(kind);
    const invocation = await runCustomPhoneProvider(load(PROVIDER), event as CustomPhoneProviderEvent, { clone: false });
    expect(invocation.error).toBeUndefined();
    expect(invocation.result?.calls).toEqual([]);
    expect(decisionLineOf(invocation)).toMatchObject({ trigger: 'custom-phone-provider', outcome: 'delivered' });
  });
});

test('a voice OTP for a user whose sparse group list holds the voice group beyond the cap: a decision, in time', async () => {
  const event = sendPhoneMessageEvent({ message_options: { message_type: 'voice' } });
  event.secrets = { ...SECRETS, GUARD_VOICE_ACCESS: 'allowed-users' };
  (event as unknown as Record<string, unknown>)['user'] = hostileUser('sparse');
  const started = performance.now();
  const invocation = await runSendPhoneMessage(load(SEND), event, { clone: false });
  expect(performance.now() - started).toBeLessThan(2000);
  const line = decisionLineOf(invocation);
  // Index 5 is under the snapshot's cap: the user is in the voice group.
  expect(line.outcome).toBe('delivered');
});

describe('an event whose tenant getter throws', () => {
  const withThrowingTenant = <T extends object>(event: T): T =>
    Object.defineProperty(event, 'tenant', { enumerable: true, get() { throw new Error('tenant getter exploded'); } });

  test('send-phone-message: still decides and delivers, one decision line', async () => {
    const event = sendPhoneMessageEvent();
    event.secrets = SECRETS;
    const invocation = await runSendPhoneMessage(load(SEND), withThrowingTenant(event), { clone: false });
    expect(invocation.error).toBeUndefined();
    expect(decisionLineOf(invocation)).toMatchObject({ outcome: 'delivered', event_problems: [expect.stringMatching(/tenant/)] });
  });

  test('custom-phone-provider: still decides, no throw, no drop', async () => {
    const event = customPhoneProviderEvent();
    event.secrets = SECRETS;
    const invocation = await runCustomPhoneProvider(load(PROVIDER), withThrowingTenant(event), { clone: false });
    expect(invocation.error).toBeUndefined();
    expect(invocation.result?.calls).toEqual([]);
    expect(decisionLineOf(invocation).outcome).toBe('delivered');
  });

  test('pre-user-registration: still decides, the user is created', async () => {
    const event = preUserRegistrationEvent();
    event.secrets = {};
    const invocation = await runPreUserRegistration(load(REGISTRATION), withThrowingTenant(event), { clone: false });
    expect(invocation.error).toBeUndefined();
    expect(invocation.result?.denied).toBeUndefined();
    expect(decisionLineOf(invocation).outcome).toBe('allowed');
  });
});

test('a notification object behind a throwing proxy: dropped with a reason, nothing sent', async () => {
  const event = customPhoneProviderEvent();
  event.secrets = SECRETS;
  (event as unknown as Record<string, unknown>)['notification'] = new Proxy({}, { get() { throw new Error('proxy trap'); }, ownKeys() { throw new Error('proxy trap'); } });
  const invocation = await runCustomPhoneProvider(load(PROVIDER), event, { clone: false });
  expect(invocation.error).toBeUndefined();
  expect(invocation.result?.last).toEqual({ call: 'drop', reason: expect.stringMatching(/notification/) });
  expect(invocation.logs.some((log) => log.startsWith('[dry-run]'))).toBe(false);
});
