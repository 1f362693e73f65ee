/**
 * A phone number of a high-risk-tier country at sign-up: low trust, unless the tenant serves the
 * country by the send Actions' own evidence (proven numbers there), read in the sign-up's batch.
 */
import { buildRegistrationContainer } from '../../shared/register/container';
import { handlePreUserRegistration } from '../../shared/register/registration-handler';
import { recordProof } from '../../shared/feedback/proofs';
import { MemoryStore } from '../../shared/store/memory-store';
import { GuardKeys, tenantKeyPrefix } from '../../shared/store/keys';
import type { PreUserRegistrationApi, PreUserRegistrationEvent } from '../../shared/auth0/types';
import { preUserRegistrationEvent } from '../support/actions-runtime';

const NOW = Date.UTC(2026, 10, 23, 12);
const TENANT = 'tollguard-test';

async function signUp(store: MemoryStore, phone: string | undefined, secrets: Record<string, string> = {}, country = 'US') {
  const container = { ...buildRegistrationContainer({ GUARD_KEY_PREFIX: 'sp', ...secrets }), store };
  const event = preUserRegistrationEvent({ user: { email: 'ada.okafor@gmail.com', ...(phone ? { phone_number: phone } : {}) }, request: { geoip: { countryCode: country } } }) as PreUserRegistrationEvent;
  const metadata: Record<string, unknown> = {};
  let denied: string | undefined;
  const api = {
    access: { deny: (reason: string) => { denied = reason; } },
    validation: { error: () => undefined },
    user: { setAppMetadata: (key: string, value: unknown) => { metadata[key] = value; }, setUserMetadata: () => undefined },
    cache: { get: () => undefined, set: () => ({ type: 'success' }), delete: () => ({ type: 'success' }) },
  } as unknown as PreUserRegistrationApi;
  const lines: string[] = [];
  await handlePreUserRegistration(event, api, { container, now: () => NOW, log: (line) => lines.push(line), tenant: TENANT });
  const line = JSON.parse(lines.find((text) => text.includes('"decision"')) ?? '{}') as Record<string, unknown>;
  return { denied, trust: (metadata['tollguard'] as { trust?: string } | undefined)?.trust, line };
}

test('a Nigerian number: low trust, naming the missing evidence; once the tenant has 3 proven numbers in NG it is a local number like any other', async () => {
  const store = new MemoryStore(() => NOW);
  const before = await signUp(store, '+2348031234567');
  expect(before.denied).toBeUndefined();
  expect(before.trust).toBe('low');
  expect(JSON.stringify(before.line['trust_reasons'])).toContain('0 of 3 proven numbers there');

  const keys = new GuardKeys(tenantKeyPrefix('sp', TENANT));
  for (const [index, user] of ['auth0|a', 'auth0|b', 'auth0|c'].entries()) {
    const e164 = `+23480312345${70 + index}`;
    await recordProof(store, keys, { e164, country: 'NG', range: e164.slice(0, -4), userId: user }, NOW);
  }
  const after = await signUp(store, '+2348031234999');
  expect(after.denied).toBeUndefined();
  expect(JSON.stringify(after.line['trust_reasons'] ?? [])).not.toContain('phone number');
});

test("the admin's own block list still refuses, evidence or not", async () => {
  const store = new MemoryStore(() => NOW);
  const blocked = await signUp(store, '+2348031234567', { GUARD_BLOCKED_COUNTRIES: 'NG' });
  expect(blocked.denied).toContain('geo');
});

test('a sign-up from a tier country: low trust until the tenant serves it, then standard', async () => {
  const store = new MemoryStore(() => NOW);
  expect((await signUp(store, undefined, {}, 'NG')).trust).toBe('low');
  const keys = new GuardKeys(tenantKeyPrefix('sp', TENANT));
  for (const [index, user] of ['auth0|a', 'auth0|b', 'auth0|c'].entries()) {
    const e164 = `+23480312345${70 + index}`;
    await recordProof(store, keys, { e164, country: 'NG', range: e164.slice(0, -4), userId: user }, NOW);
  }
  const served = await signUp(store, undefined, {}, 'NG');
  expect(JSON.stringify(served.line['trust_reasons'] ?? [])).not.toContain('sign-up from NG');
});
