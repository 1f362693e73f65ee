/**
 * The pre-user-registration flow: cheap offline checks first (e-mail, network zones, sign-up
 * country, the phone number with the send Action's rules), then the CAPTCHA verification and the
 * sign-up counters, concurrently. A refusal is api.access.deny(reason for the logs, generic user
 * message); an accepted user gets app_metadata.tollguard with what was learned and a trust tier.
 * One JSON log line per decision; never the token, the e-mail's local part or a full number.
 */
import { snapshotEvent } from '../auth0/event-snapshot';
import type { PreUserRegistrationApi, PreUserRegistrationEvent } from '../auth0/types';
import { verifyCaptcha } from '../captcha/verify';
import { parseEmail, type EmailFacts } from '../email/address';
import { canonicalMailbox } from '../email/canonical';
import { matchingDomain } from '../email/email-rule';
import { isMailProvider } from '../email/providers';
import { runStaticRules } from '../engine/static-rules';
import { runSignupRules } from '../engine/signup-rules';
import { STATIC_RULES } from '../rules/registry';
import { SIGNUP_RULES } from '../rules/signup-registry';
import { GUARD_ERROR_RULE, type Finding } from '../engine/types';
import { guardErrorLine, scrubText, writeDecisionLog, type LogSink } from '../log/decision-log';
import { maskPhoneNumber } from '../phone/mask';
import { GEO_RULE } from '../rules/geo';
import { checkRecipient } from '../rules/number-sanity';
import type { UntilWrite } from '../store/counter-store';
import { GuardKeys, SignupKeys, tenantKeyPrefix } from '../store/keys';
import { describeStoreError, runBatch, storeUnavailableFinding, withTimeout } from '../store/store-call';
import { TRUST_METADATA_KEY, trustTierFor, type SignupEvidence } from '../trust';
import { runCaptchaStep, type CaptchaStepResult, type Verifier } from './captcha-step';
import type { RegistrationContainer } from './container';
import { readRegistrationEvent, type RegistrationRequest } from './registration-event';
import { errorMessage, failModeFinding, lineBase, roundMs } from '../pipeline/guard-run';
import { denialMessage } from './user-messages';
import { admittedOps, judgeSignupCounters, planSignupBatch, type SignupCounterAnswers } from './signup-counters';

export interface RegistrationDependencies {
  container: RegistrationContainer;
  now: () => number;
  log: LogSink;
  tenant: string;
  verify?: Verifier;
}

interface StoreOutcome {
  answers: SignupCounterAnswers | undefined;
  error: string | undefined;
  ms: number;
}

export async function handlePreUserRegistration(
  event: PreUserRegistrationEvent,
  api: PreUserRegistrationApi,
  deps: RegistrationDependencies,
): Promise<void> {
  try {
    await decideRegistration(event, api, deps);
  } catch (error) {
    // A bug in the guard must not stop sign-ups (unless the tenant chose to fail closed).
    const message = errorMessage(error);
    const closed = deps.container.dynamicPolicy.failMode === 'closed';
    deps.log(guardErrorLine('pre-user-registration', closed ? 'denied' : 'allowed', `guard failed: ${message}`, { fail_mode: deps.container.dynamicPolicy.failMode }));
    if (closed) api.access.deny(`tollguard: ${GUARD_ERROR_RULE}: the sign-up checks failed and GUARD_FAIL_MODE is closed`, denialMessage(undefined, deps.container.registration.denyMessage));
  }
}

async function decideRegistration(event: PreUserRegistrationEvent, api: PreUserRegistrationApi, deps: RegistrationDependencies): Promise<void> {
  const startedAt = performance.now();
  const { container } = deps;
  const mode = container.staticPolicy.mode;
  const snapshot = snapshotEvent(event);
  const request = readRegistrationEvent(snapshot.event);
  const now = deps.now();
  const base = {
    ...lineBase(mode, now, container.configErrors),
    trigger: 'pre-user-registration',
    event_problems: snapshot.problems.length > 0 ? snapshot.problems : undefined,
  } as const;
  const token = request.body?.[container.registration.captchaTokenField];
  const scrub: string[] = [...container.secretValues, ...(typeof token === 'string' ? [token] : []), ...(typeof request.phone === 'string' ? [request.phone] : [])];
  if (mode === 'off') {
    writeDecisionLog(deps.log, { ...base, decision: 'allow', outcome: 'allowed', rules: [], reasons: [] }, scrub);
    return;
  }

  const email = request.email === undefined || request.email === null ? undefined : parseEmail(request.email);
  const emailFacts = email?.ok ? email.email : undefined;
  const offline = offlineFindings(request, email, container);
  const blockedOffline = offline.findings.some((finding) => finding.effect === 'block');
  const keys = new SignupKeys(tenantKeyPrefix(container.dynamicPolicy.keyPrefix, deps.tenant));
  const countedDomain = emailFacts !== undefined && isCountedDomain(emailFacts, container) ? emailFacts.registrableDomain : undefined;
  const mailbox = emailFacts === undefined ? undefined : canonicalMailbox(emailFacts);
  // The request's country refused only by the shipped tier lowers trust unless the tenant serves it.
  const tierRequestCountry =
    request.requestCountry !== undefined && container.staticPolicy.geo.sms.blocked.get(request.requestCountry) === 'high-risk tier' ? request.requestCountry : undefined;
  const evidenceCountries = [offline.tierPhone?.country, tierRequestCountry].filter((country): country is string => country !== undefined);
  const [captcha, store] = await Promise.all([
    blockedOffline ? Promise.resolve(undefined) : safeCaptcha(request, container, deps.verify ?? verifyCaptcha),
    countSignup(request, mailbox, countedDomain, evidenceCountries, container, keys, now, deps.tenant),
  ]);
  const counters =
    store.answers === undefined
      ? undefined
      : judgeSignupCounters(store.answers, container.registration, keys, { now, ipv6: request.ip?.version === 6, domain: countedDomain, captchaPassed: captcha?.evidence === 'pass', country: request.requestCountry });

  const findings = [...offline.findings, ...(captcha?.finding ? [captcha.finding] : []), ...(counters?.deny ? [counters.deny] : [])];
  const blocks = findings.filter((finding) => finding.effect === 'block');
  const failClosed = container.dynamicPolicy.failMode === 'closed';
  if (store.error !== undefined && failClosed) {
    blocks.push(storeUnavailableFinding(store.error));
  }
  const ruleFailure = failModeFinding(offline.ruleErrors, container.dynamicPolicy.failMode, 'a sign-up rule');
  if (ruleFailure !== undefined) blocks.push(ruleFailure);
  if (offline.phoneE164 !== undefined) scrub.push(offline.phoneE164, offline.phoneE164.slice(1));
  // A country the tenant refuses SMS to (the tier minus its exceptions, or its own block list).
  const servedProofs = container.dynamicPolicy.servedProofs;
  const requestCountryServed = tierRequestCountry !== undefined && servedProofs !== undefined && (store.answers?.countryProofs.get(tierRequestCountry) ?? 0) >= servedProofs;
  const signupCountryHighRisk = request.requestCountry !== undefined && container.staticPolicy.geo.sms.blocked.has(request.requestCountry) && !requestCountryServed;
  const lowTrustReasons = [
    ...(signupCountryHighRisk ? [`sign-up from ${request.requestCountry}, a country the phone Actions refuse SMS to`] : []),
    ...offline.lowTrust,
    ...tierPhoneReasons(offline.tierPhone, store.answers?.countryProofs.get(offline.tierPhone?.country ?? ''), servedProofs),
    ...(counters?.lowTrust ?? []),
  ];
  const evidence: SignupEvidence = {
    captcha: captcha?.evidence ?? 'not-configured',
    captchaScore: captcha?.score,
    signupCountryHighRisk,
    phoneChecked: offline.phoneChecked,
    lowTrustReasons,
  };
  // In monitor mode a sign-up that would have been refused is let in, but never trusted.
  const trust = blocks.length > 0 ? 'low' : trustTierFor(evidence);
  const denied = blocks.length > 0 && mode === 'enforce';
  const after = denied || store.answers === undefined ? undefined : await recordAdmission(container, keys, now, mailbox, counters?.writes ?? []);
  writeDecisionLog(
    deps.log,
    {
      ...base,
      decision: blocks.length > 0 ? 'block' : 'allow',
      outcome: denied ? 'denied' : blocks.length > 0 ? 'would_deny_allowed' : 'allowed',
      rules: blocks.map((finding) => finding.rule),
      reasons: blocks.map((finding) => finding.reason),
      rule_errors: offline.ruleErrors.length > 0 ? offline.ruleErrors : undefined,
      trust: denied ? undefined : trust,
      trust_reasons: !denied && lowTrustReasons.length > 0 ? lowTrustReasons : undefined,
      counter_rules: counters !== undefined && counters.rules.length > 0 ? counters.rules : undefined,
      captcha: captcha === undefined ? undefined : { outcome: captcha.evidence, provider: container.captcha?.provider, score: captcha.score, note: captcha.note },
      email_domain: emailFacts?.domain,
      phone: offline.maskedPhone,
      country: request.requestCountry,
      ip: request.ip?.text,
      connection: request.connectionName,
      client_id: request.clientId,
      store: 'kind' in container.store ? container.store.kind : 'unusable',
      store_ms: roundMs(store.ms + (after?.ms ?? 0)),
      store_error: store.error ?? after?.error,
      timings_ms: { decide: roundMs(performance.now() - startedAt) },
    },
    scrub,
  );
  if (denied) {
    const reason = scrubText(`tollguard: ${blocks.map((finding) => `${finding.rule}: ${finding.reason}`).join('; ')}`, scrub);
    api.access.deny(reason.slice(0, 1000), denialMessage(request.language, container.registration.denyMessage));
    return;
  }
  api.user.setAppMetadata(TRUST_METADATA_KEY, {
    version: 1,
    trust,
    signup_at: new Date(now).toISOString(),
    signup_country: request.requestCountry ?? null,
    captcha: { outcome: evidence.captcha, provider: container.captcha?.provider ?? null, score: evidence.captchaScore ?? null },
    phone_checked: evidence.phoneChecked,
  });
}

interface OfflineResult {
  findings: Finding[];
  /** Reasons for low trust found offline. */
  lowTrust: string[];
  /** A phone number the shipped high-risk tier alone refuses: low trust unless the tenant serves its country. */
  tierPhone: { country: string; reason: string } | undefined;
  ruleErrors: string[];
  phoneChecked: boolean;
  maskedPhone: string | undefined;
  phoneE164: string | undefined;
}

function offlineFindings(
  request: RegistrationRequest,
  email: ReturnType<typeof parseEmail> | undefined,
  container: RegistrationContainer,
): OfflineResult {
  const signup = runSignupRules(
    { email, ip: request.ip, requestCountry: request.requestCountry },
    { email: container.email, network: container.staticPolicy.network, signupCountry: container.registration.signupCountry },
    SIGNUP_RULES,
  );
  const findings: Finding[] = [...signup.findings];
  const add = (finding: Finding | undefined) => {
    if (finding !== undefined) findings.push(finding);
  };
  const lowTrust: string[] = [];
  let tierPhone: OfflineResult['tierPhone'];
  let phoneChecked = false;
  let maskedPhone: string | undefined;
  let phoneE164: string | undefined;
  const ruleErrors: string[] = signup.errors.map((error) => `${error.rule}: ${error.message}`);
  if (request.phone !== undefined && request.phone !== null && request.phone !== '') {
    const recipient = checkRecipient(request.phone);
    if ('finding' in recipient) {
      add({ ...recipient.finding, reason: `phone number: ${recipient.finding.reason}` });
    } else {
      phoneChecked = true;
      phoneE164 = recipient.number.e164;
      maskedPhone = maskPhoneNumber(recipient.number.e164, recipient.number.callingCode);
      // The send Action's number rules, as for an SMS; the IP was checked above.
      const run = runStaticRules(
        { now: 0, channel: 'sms', otpAction: 'enrollment', recipientIs: 'unconfirmed', number: recipient.number, ip: undefined, requestCountry: request.requestCountry, user: { id: undefined, appMetadata: {} } },
        container.staticPolicy,
        STATIC_RULES,
      );
      for (const finding of run.findings) {
        if (finding.effect !== 'block') continue;
        // The shipped tier is about SMS cost, and no SMS goes out at sign-up: a local number of a
        // country the tenant has not opened is a reason for low trust; the send Actions decide each OTP.
        const country = recipient.number.country;
        const tierOnly = finding.rule === GEO_RULE && country !== undefined && container.staticPolicy.geo.sms.blocked.get(country) === 'high-risk tier';
        if (tierOnly) {
          tierPhone = { country, reason: `phone number: ${finding.reason}` };
          continue;
        }
        else add({ ...finding, reason: `phone number: ${finding.reason}` });
      }
      ruleErrors.push(...run.errors.map((error) => `${error.rule}: ${error.message}`));
    }
  }
  return { findings, lowTrust, tierPhone, ruleErrors, phoneChecked, maskedPhone, phoneE164 };
}

async function safeCaptcha(request: RegistrationRequest, container: RegistrationContainer, verify: Verifier): Promise<CaptchaStepResult> {
  try {
    return await runCaptchaStep(request, container.captcha, container.captchaMisconfigured, container.registration, verify);
  } catch (error) {
    const message = (error as { message?: unknown } | null)?.message;
    return { evidence: 'error', score: undefined, finding: undefined, verdict: undefined, note: `CAPTCHA step failed: ${typeof message === 'string' ? message : String(error)}` };
  }
}

/**
 * A phone number of a high-risk-tier country gives low trust, unless the tenant serves that country
 * by the send Actions' own evidence (GUARD_SERVED_PROOFS numbers proven there): then it is a
 * local number like any other.
 */
function tierPhoneReasons(tierPhone: OfflineResult['tierPhone'], proofs: number | undefined, needed: number | undefined): string[] {
  if (tierPhone === undefined) return [];
  if (needed !== undefined && (proofs ?? 0) >= needed) return [];
  return [`${tierPhone.reason}; ${proofs ?? 0} of ${needed ?? 'no'} proven numbers there (the tenant does not serve it yet)`];
}

/** Public mail providers and the tenant's allowed domains are not counted per domain. */
function isCountedDomain(email: EmailFacts, container: RegistrationContainer): boolean {
  if (isMailProvider(email.registrableDomain) || isMailProvider(email.domain)) return false;
  return matchingDomain(email.domain, container.email.allowedDomains) === undefined;
}

/** One store round trip: every sign-up counter the policy asks for (see signup-counters.ts). */
async function countSignup(
  request: RegistrationRequest,
  mailbox: string | undefined,
  countedDomain: string | undefined,
  evidenceCountries: readonly string[],
  container: RegistrationContainer,
  keys: SignupKeys,
  now: number,
  tenant: string,
): Promise<StoreOutcome> {
  const started = performance.now();
  const plan = planSignupBatch(
    { ip: request.ip, mailbox, countedDomain, country: request.requestCountry, evidenceCountries },
    container.registration,
    keys,
    now,
    new GuardKeys(tenantKeyPrefix(container.dynamicPolicy.keyPrefix, tenant)),
  );
  if (plan.ops.length === 0) return { answers: undefined, error: undefined, ms: 0 };
  const answer = await runBatch(container.store, now, plan.ops, container.dynamicPolicy.storeTimeoutMs);
  if (!answer.ok) return { answers: undefined, error: answer.problem, ms: performance.now() - started };
  return { answers: plan.read(answer.results), error: undefined, ms: performance.now() - started };
}

/**
 * After a sign-up is let in: count it against the tenant-wide limit and record a surge that just
 * rose, concurrently, under the store deadline. A failure is logged; the decision stands.
 */
async function recordAdmission(
  container: RegistrationContainer,
  keys: SignupKeys,
  now: number,
  mailbox: string | undefined,
  writes: readonly UntilWrite[],
): Promise<{ ms: number; error: string | undefined }> {
  const store = container.store;
  const ops = admittedOps(container.registration, keys, now, mailbox);
  if (!('kind' in store) || (ops.length === 0 && writes.length === 0)) return { ms: 0, error: undefined };
  const started = performance.now();
  const timeoutMs = container.dynamicPolicy.storeTimeoutMs;
  const [counted, raised] = await Promise.allSettled([
    ops.length === 0 ? Promise.resolve() : runBatch(store, now, ops, timeoutMs).then((answer) => (answer.ok ? undefined : Promise.reject(new Error(answer.problem)))),
    writes.length === 0 ? Promise.resolve() : withTimeout(store.raiseUntil(writes), timeoutMs),
  ]);
  const failure = [counted, raised].find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  return { ms: performance.now() - started, error: failure === undefined ? undefined : `after admission: ${describeStoreError(failure.reason, timeoutMs)}` };
}
