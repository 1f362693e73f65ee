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
import { ipv6Rotation } from './ipv6-rotation';
import { plusVariants } from './plus-variants';
import { punycodeLookalike } from './punycode-lookalike';
import { headlessLowScore } from './headless-low-score';
import { domainSpread } from './domain-spread';
import { countryRotation } from './country-rotation';
import { slowDrip } from './slow-drip';

export const SIGNUP_FAMILIES: readonly SignupFamily[] = [
  peopleWorldwide, peopleBurst, gmailVariants, freshDisposable, lookalikeScript, typosquat, captchaFarm, foreignHostname, pumpingPhones,
  ipv6Rotation, plusVariants, punycodeLookalike, headlessLowScore, domainSpread, countryRotation, slowDrip,
];

/** Three hours of sign-ups for a tenant whose own domain is coop.example, login page login.coop.example. */
export function signupWorld(seed: number, scale: number): SignupWorld {
  const random = streamFor(seed, 'signup-world');
  return { seed, start: Date.UTC(2026, 10, 2 + random.int(20), 6 + random.int(8)), hours: 3, tenantDomain: 'coop.example', loginHost: 'login.coop.example', scale };
}
