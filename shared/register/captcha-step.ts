/**
 * The CAPTCHA step of a sign-up: find the token in the `ulp-` field, refuse malformed ones without
 * asking the provider, apply the missing-token policy (by connection or client), verify the rest,
 * and turn the provider's verdict into evidence for the trust tier or a refusal. The token must
 * carry a host named by CAPTCHA_EXPECTED_HOSTNAMES, else the login's own host (request.hostname);
 * with neither (Dashboard or Management API sign-ups) the hostname is not checked.
 */
import { expectHostnames } from '../captcha/hostname';
import type { CaptchaConfig, CaptchaVerdict } from '../captcha/types';
import type { Finding } from '../engine/types';
import type { SignupEvidence } from '../trust';
import type { RegistrationRequest } from './registration-event';
import type { RegistrationPolicy } from './registration-policy';

export const CAPTCHA_RULE = 'captcha';
/** Real tokens are a few hundred to ~2 000 characters; anything far longer is not one. */
const MAX_TOKEN_LENGTH = 4096;
/** A passing score this close to the minimum is marginal: the user gets in, with low trust. */
const MARGIN = 0.2;

export interface CaptchaStepResult {
  evidence: SignupEvidence['captcha'];
  score: number | undefined;
  finding: Finding | undefined;
  verdict: CaptchaVerdict | undefined;
  note: string;
}

export type Verifier = (token: string, remoteIp: string | undefined, config: CaptchaConfig) => Promise<CaptchaVerdict>;

export async function runCaptchaStep(
  request: RegistrationRequest,
  config: CaptchaConfig | undefined,
  misconfigured: boolean,
  policy: RegistrationPolicy,
  verify: Verifier,
): Promise<CaptchaStepResult> {
  if (config === undefined) {
    if (misconfigured) return unavailable('CAPTCHA is misconfigured (see config_errors)', policy, undefined);
    return result('not-configured', 'no CAPTCHA provider configured');
  }
  const token = request.body?.[policy.captchaTokenField];
  if (token === undefined || token === null || token === '') return missingToken(request, policy);
  if (typeof token !== 'string') return refused(`the ${policy.captchaTokenField} field is a ${Array.isArray(token) ? 'list' : typeof token}, not a token`);
  if (token.length > MAX_TOKEN_LENGTH) return refused(`the CAPTCHA token is ${token.length} characters long, not a real token`);

  const verdict = await verify(token, request.ip?.text, expectHostnames(config, request.hostname));
  if (verdict.outcome === 'fail' && verdict.lowScore === true && policy.lowScore === 'low-trust') {
    return { evidence: 'marginal', score: verdict.score, finding: undefined, verdict, note: `CAPTCHA ${verdict.provider}: ${verdict.reason}: allowed with low trust (CAPTCHA_LOW_SCORE low-trust)` };
  }
  if (verdict.outcome === 'fail') return { ...refused(`CAPTCHA ${verdict.provider}: ${verdict.reason}`), verdict };
  if (verdict.outcome === 'error') return unavailable(`CAPTCHA ${verdict.provider} unavailable: ${verdict.reason}`, policy, verdict);
  const marginal = verdict.score !== undefined && verdict.score < config.minScore + MARGIN;
  // The reason says which hostname and action checks applied (and when the provider returned no action).
  return { evidence: marginal ? 'marginal' : 'pass', score: verdict.score, finding: undefined, verdict, note: `CAPTCHA ${verdict.provider} ${verdict.reason}` };
}

/** The provider could not give an answer: CAPTCHA_FAIL_MODE decides. */
function unavailable(problem: string, policy: RegistrationPolicy, verdict: CaptchaVerdict | undefined): CaptchaStepResult {
  const note = `${problem} (CAPTCHA_FAIL_MODE ${policy.captchaFailMode})`;
  if (policy.captchaFailMode === 'closed') return { ...refused(note), verdict };
  return { evidence: policy.captchaFailMode === 'open' ? 'not-configured' : 'error', score: undefined, finding: undefined, verdict, note };
}

function missingToken(request: RegistrationRequest, policy: RegistrationPolicy): CaptchaStepResult {
  const exempt = [request.connectionName, request.clientId].some((id) => id !== undefined && policy.tokenOptionalFor.has(id));
  if (exempt) return result('not-configured', 'no CAPTCHA token; this connection or client needs none (CAPTCHA_OPTIONAL_FOR)');
  switch (policy.missingToken) {
    case 'deny':
      return refused(`no CAPTCHA token in ${policy.captchaTokenField} (CAPTCHA_MISSING_TOKEN deny)`);
    case 'allow':
      return result('not-configured', 'no CAPTCHA token (CAPTCHA_MISSING_TOKEN allow)');
    case 'low-trust':
      return result('missing', 'no CAPTCHA token: allowed with low trust (CAPTCHA_MISSING_TOKEN low-trust)');
  }
}

function result(evidence: SignupEvidence['captcha'], note: string): CaptchaStepResult {
  return { evidence, score: undefined, finding: undefined, verdict: undefined, note };
}

function refused(reason: string): CaptchaStepResult {
  return { evidence: 'error', score: undefined, finding: { rule: CAPTCHA_RULE, effect: 'block', reason }, verdict: undefined, note: reason };
}
