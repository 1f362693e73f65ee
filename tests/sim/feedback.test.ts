/**
 * The simulator's feedback loop: the monitor's own join and writer, run every 5 simulated minutes
 * over the OTPs the Action delivered, write proofs and conversion counts only for codes entered,
 * and only once their time has come.
 */
import { MONITOR_EVERY_MS, MonitorFeedback } from '../../scripts/sim/feedback';
import { MemoryStore } from '../../shared/store/memory-store';
import { GuardKeys, tenantKeyPrefix, userTag } from '../../shared/store/keys';
import { countWindowKey } from '../../shared/store/counter-store';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 10, 5, 10, 1);
const keys = new GuardKeys(tenantKeyPrefix('sim', 'tenant'));

async function read(store: MemoryStore, key: string): Promise<string | undefined> {
  const [result] = await store.run(T0, [{ kind: 'get', key }]);
  return result?.kind === 'get' ? result.value : undefined;
}

test('an entered code becomes a proof at the first monitor run after it; a code never entered, or an OTP never delivered, proves nothing', async () => {
  const store = new MemoryStore();
  const loop = new MonitorFeedback(store, 'sim', 'tenant');
  loop.delivered({ at: T0, channel: 'sms', recipient: '+447400123456', userId: 'auth0|ada', enrollment: true, verifiedAt: T0 + 2 * MINUTE });
  loop.delivered({ at: T0, channel: 'sms', recipient: '+447400123457', userId: 'auth0|pumped', enrollment: true, verifiedAt: undefined });
  loop.delivered({ at: T0, channel: 'sms', recipient: '+447400123458', userId: 'auth0|bob', enrollment: false, verifiedAt: T0 + MINUTE });
  await loop.runUntil(T0 + MINUTE);
  // The first run is at 10:05: nothing is written before it.
  expect(await read(store, keys.proof('+447400123456'))).toBeUndefined();
  await loop.runUntil(T0 + 4 * MINUTE + 1);
  expect(loop.stats).toMatchObject({ verifications: 2, proofsRecorded: 2, errors: 0 });
  expect(await read(store, keys.proof('+447400123456'))).toBe(userTag('auth0|ada'));
  expect(await read(store, keys.proof('+447400123458'))).toBe(userTag('auth0|bob'));
  expect(await read(store, keys.proof('+447400123457'))).toBeUndefined();
  // Only the enrolment counts as a verified new number for the conversion rule.
  const hour = Math.floor((T0 + 4 * MINUTE) / HOUR);
  expect(await read(store, countWindowKey(keys.conversion('GB', 'sms', 'verified', 'h'), hour))).toBe('1');
  expect(MONITOR_EVERY_MS).toBe(5 * MINUTE);
});

test('a verification due later waits for its run; a run with nothing due writes nothing', async () => {
  const store = new MemoryStore();
  const loop = new MonitorFeedback(store, 'sim', 'tenant');
  loop.delivered({ at: T0, channel: 'voice', recipient: '+447400123459', userId: 'auth0|cy', enrollment: true, verifiedAt: T0 + 7 * MINUTE });
  await loop.runUntil(T0 + 6 * MINUTE);
  expect(loop.stats.proofsRecorded).toBe(0);
  await loop.runUntil(T0 + 10 * MINUTE);
  expect(loop.stats).toMatchObject({ runs: 1, proofsRecorded: 1 }); // the 10:10 run (the loop starts at the first run after its first call)
  const hour = Math.floor((T0 + 9 * MINUTE) / HOUR);
  expect(await read(store, countWindowKey(keys.conversion('GB', 'voice', 'verified', 'h'), hour))).toBe('1');
});

test('for the Custom Phone Provider Action (the monitor with --unified-phone) a challenge\'s code counts as verified too', async () => {
  const store = new MemoryStore();
  const loop = new MonitorFeedback(store, 'sim', 'tenant', true);
  loop.delivered({ at: T0, channel: 'sms', recipient: '+447400123458', userId: 'auth0|bob', enrollment: false, verifiedAt: T0 + MINUTE });
  await loop.runUntil(T0 + MINUTE);
  await loop.runUntil(T0 + 4 * MINUTE + 1);
  const hour = Math.floor((T0 + 4 * MINUTE) / HOUR);
  expect(await read(store, keys.proof('+447400123458'))).toBe(userTag('auth0|bob'));
  expect(await read(store, countWindowKey(keys.conversion('GB', 'sms', 'verified', 'h'), hour))).toBe('1');
});
