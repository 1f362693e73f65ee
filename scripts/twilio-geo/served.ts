/**
 * Where the countries the tenant is known to serve will come from. The pumping detector is to
 * learn them (issue "detection that generalises"), which has not landed: until it does, this
 * answers `undefined` and the plan follows the configured policy alone. When it lands, read the
 * learned set here (from the same store and key prefix the Actions use) and return it with a
 * `source` that names where it came from; computePlan then also turns off the countries the
 * policy allows but the tenant does not serve.
 */
import type { Secrets } from '../../shared/config/static-policy';
import type { ServedCountries } from './plan';

export async function learnedServedCountries(_secrets: Secrets): Promise<ServedCountries | undefined> {
  return undefined;
}
