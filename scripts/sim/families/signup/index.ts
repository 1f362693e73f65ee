/** The sign-up families, people first, and the tenant each seed simulates. */
import type { SignupFamily, SignupWorld } from '../types';
import { streamFor } from '../common';
import { peopleWorldwide } from './people-worldwide';
import { peopleBurst } from './people-burst';
import { gmailVariants } from './gmail-variants';
import { freshDisposable } from './fresh-disposable';
import { lookalikeScript } from './lookalike-script';
import { typosquat } from './typosquat';
import { captchaFarm } from './captcha-farm';
import { foreignHostname } from './foreign-hostname';
import { pumpingPhones } from './pumping-phones';

export const SIGNUP_FAMILIES: readonly SignupFamily[] = [
  peopleWorldwide, peopleBurst, gmailVariants, freshDisposable, lookalikeScript, typosquat, captchaFarm, foreignHostname, pumpingPhones,
];

/** Three hours of sign-ups for a tenant whose own domain is coop.example, login page login.coop.example. */
export function signupWorld(seed: number, scale: number): SignupWorld {
  const random = streamFor(seed, 'signup-world');
  return { seed, start: Date.UTC(2026, 10, 2 + random.int(20), 6 + random.int(8)), hours: 3, tenantDomain: 'coop.example', loginHost: 'login.coop.example', scale };
}
