/**
 * The sign-up's counters: one store batch planned from what the sign-up is (its IP, mailbox,
 * domain, request country) and read back by meaning, then the rules that judge them. Pure apart
 * from the store call in the handler, so a plan can be checked exactly.
 *
 * The tenant-wide limit and the mailbox count admitted sign-ups only: the batch reads their
 * windows without counting (two gets each), and `admittedOps` counts one after the decision let the
 * user in (a person whose first tries were refused, say for an expired CAPTCHA, is not penalised).
 * The send Actions' served-country evidence (proofs per country) is read for the countries whose
 * high-risk tier would lower trust: the phone's and the request's.
 */
import type { RateCount, WindowCount } from '../engine/dynamic-types';
import type { SignupJudgement } from '../engine/signup-counters';
import { windowIndex } from '../engine/window-limit';
import { subnetOf, type IpAddress } from '../net/ip';
import { judgeNewDomain, type NewDomainCounts } from '../rules/signup-new-domain';
import { judgeSurge } from '../rules/signup-surge';
import { judgeSignupVelocity, type SignupVelocityCounts } from '../rules/signup-velocity';
import { countWindowKey, type StoreOp, type StoreResult } from '../store/counter-store';
import type { GuardKeys, SignupKeys } from '../store/keys';
import { countOf, countryProofOps } from '../feedback/proofs';
import type { RegistrationPolicy } from './registration-policy';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Long enough for a domain's or the tenant's age to outlive the day that makes it established. */
const AGE_TTL_MS = 30 * DAY;

export interface SignupSubject {
  ip: IpAddress | undefined;
  /** The mailbox as its provider reads it (shared/email canonical form), if the address parsed. */
  mailbox: string | undefined;
  /** The registrable domain, when it is counted (not a public provider, not an allowed domain). */
  countedDomain: string | undefined;
  /** The request's country (geoip), or undefined. */
  country: string | undefined;
  /** Countries the shipped high-risk tier would lower trust for (the phone's, the request's): their served evidence is read. */
  evidenceCountries?: readonly string[] | undefined;
}

export interface SignupCounterAnswers {
  velocity: SignupVelocityCounts;
  newDomain: NewDomainCounts;
  surgeCountry: RateCount | undefined;
  surgeTenant: RateCount | undefined;
  surgeCountryUntil: number | undefined;
  surgeTenantUntil: number | undefined;
  /** Numbers proven in each evidence country (the send Actions' served-country evidence). */
  countryProofs: Map<string, number>;
}

export interface SignupPlan {
  ops: StoreOp[];
  read(results: readonly StoreResult[]): SignupCounterAnswers;
}

type Reader = (results: readonly StoreResult[], answers: SignupCounterAnswers) => void;

export function planSignupBatch(subject: SignupSubject, policy: RegistrationPolicy, keys: SignupKeys, now: number, evidenceKeys?: GuardKeys): SignupPlan {
  const ops: StoreOp[] = [];
  const readers: Reader[] = [];
  const limits = policy.limits;
  const take = <T extends StoreResult['kind']>(index: number, results: readonly StoreResult[], kind: T): Extract<StoreResult, { kind: T }> | undefined => {
    const result = results[index];
    return result?.kind === kind ? (result as Extract<StoreResult, { kind: T }>) : undefined;
  };
  const count = (key: string, windowMs: number, store: (answers: SignupCounterAnswers, count: WindowCount) => void) => {
    const index = ops.push({ kind: 'count', key, window: windowIndex(now, windowMs), ttlMs: 2 * windowMs + MINUTE }) - 1;
    readers.push((results, answers) => {
      const result = take(index, results, 'count');
      if (result) store(answers, { current: result.current, previous: result.previous });
    });
  };
  const rate = (key: string, windowMs: number, alpha: number, foldFloor: number, ttlMs: number, store: (answers: SignupCounterAnswers, rate: RateCount) => void) => {
    const index = ops.push({ kind: 'rate', key, window: windowIndex(now, windowMs), alpha, foldFloor, ttlMs, when: 'always' }) - 1;
    readers.push((results, answers) => {
      const result = take(index, results, 'rate');
      if (result) store(answers, { current: result.current, baseline: result.baseline, windows: result.windows });
    });
  };
  const until = (key: string, store: (answers: SignupCounterAnswers, until: number) => void) => {
    const index = ops.push({ kind: 'get', key }) - 1;
    readers.push((results, answers) => {
      const value = Number(take(index, results, 'get')?.value ?? '0');
      store(answers, Number.isFinite(value) ? value : 0);
    });
  };

  // An IPv6 /64 is one subscriber's site (addresses inside it are free to rotate): it is counted
  // as one address, and its /48 as the subnet.
  const ip = subject.ip;
  const ipLimit = ip?.version === 6 ? limits.ipv6 : limits.ip;
  if (ip && ipLimit) count(keys.ip(ip.version === 6 ? subnetOf(ip, 24, 64) : ip.text), ipLimit.windowMs, (answers, value) => { answers.velocity.ip = value; });
  if (ip && limits.subnet) count(keys.subnet(subnetOf(ip, 24, 48)), limits.subnet.windowMs, (answers, value) => { answers.velocity.subnet = value; });
  if (subject.mailbox && limits.mailbox) {
    // Read without counting (this attempt included in the answer); counted once admitted.
    const window = windowIndex(now, limits.mailbox.windowMs);
    const current = ops.push({ kind: 'get', key: countWindowKey(keys.mailbox(subject.mailbox), window) }) - 1;
    const previous = ops.push({ kind: 'get', key: countWindowKey(keys.mailbox(subject.mailbox), window - 1) }) - 1;
    readers.push((results, answers) => {
      answers.velocity.mailbox = { current: countOf(take(current, results, 'get')?.value) + 1, previous: countOf(take(previous, results, 'get')?.value) };
    });
  }
  const domain = subject.countedDomain;
  if (domain && limits.domain) count(keys.domain(domain), limits.domain.windowMs, (answers, value) => { answers.velocity.domain = value; });
  if (domain && policy.newDomain) {
    rate(keys.domainAge(domain), HOUR, 1 / 24, 1, AGE_TTL_MS, (answers, value) => { answers.newDomain.age = value; });
    count(keys.domainDay(domain), DAY, (answers, value) => { answers.newDomain.days = value; });
    if (subject.ip) count(keys.domainNetwork(domain, subnetOf(subject.ip)), DAY, (answers, value) => { answers.newDomain.network = value; });
  }
  if (policy.newDomain) rate(keys.tenantAge(), HOUR, 1 / 24, 1, AGE_TTL_MS, (answers, value) => { answers.newDomain.tenantAge = value; });
  if (limits.tenant) {
    const window = windowIndex(now, limits.tenant.windowMs);
    const current = ops.push({ kind: 'get', key: countWindowKey(keys.tenant(), window) }) - 1;
    const previous = ops.push({ kind: 'get', key: countWindowKey(keys.tenant(), window - 1) }) - 1;
    readers.push((results, answers) => {
      answers.velocity.tenantAdmitted = { current: countOf(take(current, results, 'get')?.value), previous: countOf(take(previous, results, 'get')?.value) };
    });
  }
  for (const country of new Set(subject.evidenceCountries ?? [])) {
    if (evidenceKeys === undefined) break;
    const gets = countryProofOps(evidenceKeys, country, now);
    const first = ops.length;
    ops.push(...gets);
    readers.push((results, answers) => {
      answers.countryProofs.set(country, gets.reduce((sum, _, index) => sum + countOf(take(first + index, results, 'get')?.value), 0));
    });
  }
  const surge = policy.surge;
  if (surge) {
    const ttlMs = Math.max(DAY, (3 * surge.windowMs) / surge.alpha);
    const country = subject.country ?? 'ZZ';
    rate(keys.surgeRate(country), surge.windowMs, surge.alpha, surge.floor, ttlMs, (answers, value) => { answers.surgeCountry = value; });
    until(keys.surgeUntil(country), (answers, value) => { answers.surgeCountryUntil = value; });
    rate(keys.surgeRate('all'), surge.windowMs, surge.alpha, surge.floor * 3, ttlMs, (answers, value) => { answers.surgeTenant = value; });
    until(keys.surgeUntil('all'), (answers, value) => { answers.surgeTenantUntil = value; });
  }

  return {
    ops,
    read(results) {
      const answers = emptyAnswers();
      for (const reader of readers) reader(results, answers);
      return answers;
    },
  };
}

/** After an admission: the ops that count it against the tenant-wide limit and its mailbox's (none if those are off). */
export function admittedOps(policy: RegistrationPolicy, keys: SignupKeys, now: number, mailbox: string | undefined): StoreOp[] {
  const ops: StoreOp[] = [];
  const counted = (key: string, windowMs: number) => ops.push({ kind: 'count', key, window: windowIndex(now, windowMs), ttlMs: 2 * windowMs + MINUTE });
  const { tenant, mailbox: mailboxLimit } = policy.limits;
  if (tenant !== undefined) counted(keys.tenant(), tenant.windowMs);
  if (mailbox !== undefined && mailboxLimit !== undefined) counted(keys.mailbox(mailbox), mailboxLimit.windowMs);
  return ops;
}

export interface SignupCounterContext {
  now: number;
  ipv6: boolean;
  domain: string | undefined;
  captchaPassed: boolean;
  country: string | undefined;
}

/** Every counter rule over the answers, merged: the first refusal, all low-trust reasons, all writes. */
export function judgeSignupCounters(
  answers: SignupCounterAnswers,
  policy: RegistrationPolicy,
  keys: SignupKeys,
  context: SignupCounterContext,
): SignupJudgement & { rules: string[] } {
  const velocity = judgeSignupVelocity(answers.velocity, policy.limits, context);
  const newDomain = context.domain === undefined ? { deny: undefined, lowTrust: [] } : judgeNewDomain(answers.newDomain, policy.newDomain, context.domain);
  const surge = judgeSurge(
    [
      { label: `from ${context.country ?? 'an unknown country'}`, rate: answers.surgeCountry, heldUntil: answers.surgeCountryUntil, holdKey: keys.surgeUntil(context.country ?? 'ZZ'), floorScale: 1 },
      { label: 'tenant-wide', rate: answers.surgeTenant, heldUntil: answers.surgeTenantUntil, holdKey: keys.surgeUntil('all'), floorScale: 3 },
    ],
    policy.surge,
    context.now,
  );
  const judgements: Array<[string, SignupJudgement]> = [['signup-velocity', velocity], ['signup-new-domain', newDomain], ['signup-surge', surge]];
  const deny = judgements.map(([, judgement]) => judgement.deny).find((finding) => finding !== undefined);
  return {
    deny,
    lowTrust: judgements.flatMap(([, judgement]) => judgement.lowTrust),
    writes: surge.writes ?? [],
    rules: judgements.filter(([, judgement]) => judgement.deny !== undefined || judgement.lowTrust.length > 0).map(([rule]) => rule),
  };
}

function emptyAnswers(): SignupCounterAnswers {
  return {
    velocity: { ip: undefined, subnet: undefined, mailbox: undefined, domain: undefined, tenantAdmitted: undefined },
    newDomain: { age: undefined, days: undefined, network: undefined, tenantAge: undefined },
    surgeCountry: undefined,
    surgeTenant: undefined,
    surgeCountryUntil: undefined,
    surgeTenantUntil: undefined,
    countryProofs: new Map(),
  };
}
