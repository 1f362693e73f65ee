/**
 * What a sign-up rule on the counter store concludes: a refusal, or reasons that the new account
 * gets low trust (it is created, with tighter OTP limits and no voice until proven), and any
 * standing state to record (a surge marked for its duration).
 */
import type { UntilWrite } from '../store/counter-store';
import type { Finding } from './types';

export interface SignupJudgement {
  deny: Finding | undefined;
  lowTrust: string[];
  writes?: UntilWrite[];
}
