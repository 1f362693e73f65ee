/**
 * The post-login feedback flow: a passwordless SMS login proves that its user received the code
 * tollguard let through, so the number is recorded as proven (shared/feedback/proofs.ts), and its
 * country and range get one more proven number.
 *
 * A claim is only taken when the store shows an OTP sent to the number within the last 1 to 2 hours
 * (`sent` markers, counted by the send Actions) and the number is not proven for another user. One
 * batch reads the proof and the markers; a new proof costs one more request (a put and a batch at
 * once). Logins that name no phone cost nothing: no store call, no line. Nothing here can stop a
 * login: every failure becomes a line, and the api is never called.
 */
import { snapshotEvent } from '../auth0/event-snapshot';
import { errorMessage, roundMs } from '../pipeline/guard-run';
import { maskPhoneNumber } from '../phone/mask';
import { rangeOf } from '../phone/ranges';
import { GuardKeys, tenantKeyPrefix } from '../store/keys';
import { describeStoreError, runBatch, withTimeout } from '../store/store-call';
import type { StoreResult } from '../store/counter-store';
import { loggedUserId, writeFeedbackLine, type FeedbackLine, type FeedbackOutcome } from './feedback-log';
import type { PostLoginContainer } from './post-login-container';
import { readLoginClaim, type LoginClaim } from './post-login-event';
import { SENT_WINDOW_MS, countOf, isFullyProvenFor, isProvenFor, recordProof, sentMarkerOps } from './proofs';

export interface PostLoginDependencies {
  container: PostLoginContainer;
  now: () => number;
  log: (line: string) => void;
  tenant: string;
}

/** What the Action concluded; the line it wrote says the same. */
export interface FeedbackResult {
  outcome: FeedbackOutcome | 'unrelated' | 'off';
  storeRequests: number;
}

/** The sent markers reach back two windows: a sign-in older than that names an OTP they forgot. */
const MAX_CLAIM_AGE_MS = 2 * SENT_WINDOW_MS;

export async function handlePostLogin(event: unknown, deps: PostLoginDependencies): Promise<FeedbackResult> {
  try {
    return await recordVerification(event, deps);
  } catch (error) {
    // Not reached by design; a last net so that a bug never reaches the login.
    writeFeedbackLine(deps.log, { ...lineBase(deps), outcome: 'guard-error', reason: `guard failed: ${errorMessage(error)}` }, deps.container.secretValues);
    return { outcome: 'guard-error', storeRequests: 0 };
  }
}

async function recordVerification(event: unknown, deps: PostLoginDependencies): Promise<FeedbackResult> {
  const { container } = deps;
  if (container.mode === 'off') return { outcome: 'off', storeRequests: 0 };
  const now = deps.now();
  const snapshot = snapshotEvent(event);
  const claim = readLoginClaim(snapshot.event, { now, maxAgeMs: MAX_CLAIM_AGE_MS });
  if (claim.kind === 'unrelated') return { outcome: 'unrelated', storeRequests: 0 };

  const base: FeedbackLine = {
    ...lineBase(deps, now),
    outcome: 'not-a-phone-login',
    reason: '',
    method: claim.method,
    strategy: claim.strategy,
    event_problems: snapshot.problems.length > 0 ? snapshot.problems : undefined,
  };
  const write = (fields: Partial<FeedbackLine> & { outcome: FeedbackOutcome; reason: string }, storeRequests = 0): FeedbackResult => {
    writeFeedbackLine(deps.log, { ...base, ...fields }, [...container.secretValues, ...secretFormsOf(claim)]);
    return { outcome: fields.outcome, storeRequests };
  };

  if (claim.kind === 'not-a-phone-login') return write({ outcome: 'not-a-phone-login', reason: claim.reason, to: claim.to });
  const numberFields = { to: maskPhoneNumber(claim.number.e164), country: claim.number.country, user_id: loggedUserId(claim.userId) };
  if (claim.kind === 'stale') return write({ ...numberFields, outcome: 'not-sent-recently', reason: claim.reason });

  const store = container.store;
  const storeName = 'kind' in store ? store.kind : undefined;
  const keys = new GuardKeys(tenantKeyPrefix(container.keyPrefix, deps.tenant));
  const { e164 } = claim.number;
  const started = performance.now();
  const answer = await runBatch(store, now, [{ kind: 'get', key: keys.proof(e164) }, ...sentMarkerOps(keys, e164, now)], container.storeTimeoutMs);
  const storeFields = () => ({ ...numberFields, store: storeName, store_ms: roundMs(performance.now() - started) });
  if (!answer.ok) {
    const requests = 'kind' in store ? 1 : 0;
    return write({ ...storeFields(), outcome: 'store-error', reason: 'the store could not be read: nothing recorded', store_requests: requests, store_error: answer.problem }, requests);
  }
  const [proof, ...markers] = answer.results.map(valueOf);
  if (isFullyProvenFor(proof, claim.userId)) {
    return write({ ...storeFields(), outcome: 'already-proven', reason: 'the number is already proven for this user', store_requests: 1 }, 1);
  }
  if (markers.every((marker) => countOf(marker) === 0)) {
    return write({ ...storeFields(), outcome: 'not-sent-recently', reason: 'tollguard sent no OTP to this number in the last 1 to 2 hours: not a verification it can count', store_requests: 1 }, 1);
  }
  if (proof !== undefined && !isProvenFor(proof, claim.userId)) {
    return write({ ...storeFields(), outcome: 'proven-for-other-user', reason: 'the number is proven for another user: a proof belongs to one user, the claim is not taken', store_requests: 1 }, 1);
  }
  const range = rangeOf(e164, claim.number.callingCode, container.rangeDropDigits);
  try {
    if (!('kind' in store)) throw new Error(store.problem);
    await withTimeout(recordProof(store, keys, { e164, country: claim.number.country, range, userId: claim.userId, channel: 'sms', opensNewNumber: true }, now), container.storeTimeoutMs);
  } catch (error) {
    return write({ ...storeFields(), outcome: 'store-error', reason: 'the proof could not be recorded', store_requests: 3, store_error: describeStoreError(error, container.storeTimeoutMs) }, 3);
  }
  return write({ ...storeFields(), outcome: 'recorded', reason: 'a passwordless SMS login to a number tollguard sent an OTP to: proven for this user', store_requests: 3 }, 3);
}

function lineBase(deps: PostLoginDependencies, now = deps.now()): Omit<FeedbackLine, 'outcome' | 'reason'> {
  const { container } = deps;
  return {
    tollguard: 'feedback',
    version: 1,
    at: new Date(now).toISOString(),
    trigger: 'post-login',
    mode: container.mode,
    config_errors: container.configErrors.length > 0 ? [...container.configErrors] : undefined,
  };
}

function valueOf(result: StoreResult): string | undefined {
  return result.kind === 'get' ? result.value : undefined;
}

/** The forms of the claimed number that must never reach a line (the line holds its mask). */
function secretFormsOf(claim: LoginClaim): string[] {
  if (claim.kind !== 'claim' && claim.kind !== 'stale') return [];
  const { e164 } = claim.number;
  return [e164, e164.slice(1), ...(claim.kind === 'claim' ? [claim.raw.trim()] : [])];
}
