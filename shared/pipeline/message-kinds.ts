/**
 * What each message kind is judged by. An OTP gets every rule. A notice (blocked account, password
 * changed or breached) carries no code and is not what pumpers ask for: resend delays, per-user and
 * per-IP OTP limits, pumping baselines and Lookup make no sense for it, so it keeps only the static
 * rules, the per-number limit and the service cap (it still counts toward both).
 */
import type { DynamicPolicy } from '../config/dynamic-policy';
import type { MessageKind } from './phone-request';

export function policyForKind(policy: DynamicPolicy, kind: MessageKind): DynamicPolicy {
  if (kind === 'otp') return policy;
  return {
    ...policy,
    limits: { number: policy.limits.number, user: undefined, userLowTrust: undefined, userNumbers: undefined, ip: undefined, subnet: undefined, country: undefined },
    resend: undefined,
    pumping: undefined,
    lookup: undefined,
  };
}
