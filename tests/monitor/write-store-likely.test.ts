/**
 * monitor --write-store and the send Action's likely factors (shared/rules/served-country.ts):
 * the logs' evidence that a code was used makes a likely proof whole, for its user only.
 */
import { writeStore } from '../../scripts/monitor/write-store';
import type { ProofCandidate } from '../../scripts/monitor/conversion';
import { countWindowKey } from '../../shared/store/counter-store';
import { MemoryStore } from '../../shared/store/memory-store';
import { GuardKeys, userTag } from '../../shared/store/keys';
import { COUNTRY_PROOF_WINDOW_MS, isFullyProvenFor, isProvenFor, proofValue } from '../../shared/feedback/proofs';
import { windowIndex } from '../../shared/engine/window-limit';

const NOW = Date.UTC(2026, 10, 12, 9, 30);
const NIGERIA = '+2348031234567';
const keys = new GuardKeys('t:monitor-likely');

function candidate(userId: string): ProofCandidate {
  return { e164: NIGERIA, userId, country: 'NG', range: '+234803123', channel: 'sms', opensNewNumber: false };
}

async function storedProof(store: MemoryStore): Promise<string | undefined> {
  const [answer] = await store.run(NOW, [{ kind: 'get', key: keys.proof(NIGERIA) }]);
  return answer?.kind === 'get' ? answer.value : undefined;
}

async function countryProofs(store: MemoryStore): Promise<string | undefined> {
  const [answer] = await store.run(NOW, [{ kind: 'get', key: countWindowKey(keys.countryProofs('NG'), windowIndex(NOW, COUNTRY_PROOF_WINDOW_MS)) }]);
  return answer?.kind === 'get' ? answer.value : undefined;
}

describe('monitor --write-store over a likely factor', () => {
  const options = (store: MemoryStore) => ({ store, keys, apply: true, now: NOW, blockMs: 3_600_000 });

  test("the user's code seen used: the likely proof becomes a proof, counted for its country once", async () => {
    const store = new MemoryStore(() => NOW);
    await store.put(keys.proof(NIGERIA), proofValue('auth0|ada', NOW - 3_600_000), 86_400_000);
    expect(isFullyProvenFor(await storedProof(store), 'auth0|ada')).toBe(false);
    const first = await writeStore([candidate('auth0|ada')], [], options(store));
    expect(first.proofs.map((proof) => proof.result)).toEqual(['proof-recorded']);
    expect(await storedProof(store)).toBe(userTag('auth0|ada'));
    expect(await countryProofs(store)).toBe('1');
    // Read again (a rerun over the same logs): nothing more.
    const again = await writeStore([candidate('auth0|ada')], [], options(store));
    expect(again.proofs.map((proof) => proof.result)).toEqual(['already-proven']);
    expect(await countryProofs(store)).toBe('1');
  });

  test("another user's likely proof on the number is neither taken over nor counted", async () => {
    const store = new MemoryStore(() => NOW);
    const mallory = proofValue('auth0|mallory', NOW - 60_000);
    await store.put(keys.proof(NIGERIA), mallory, 86_400_000);
    const result = await writeStore([candidate('auth0|ada')], [], options(store));
    expect(result.proofs.map((proof) => proof.result)).toEqual(['proven-for-other-user']);
    expect(await storedProof(store)).toBe(mallory);
    expect(isProvenFor(await storedProof(store), 'auth0|ada')).toBe(false);
    expect(await countryProofs(store)).toBeUndefined();
  });
});
