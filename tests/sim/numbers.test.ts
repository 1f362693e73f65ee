/** The simulator's numbers are mobiles of the country asked for, also where a calling code is shared. */
import { parsePhoneNumber } from 'libphonenumber-js/max';
import { mobileNumber } from '../../scripts/sim/numbers';
import { Random } from '../../scripts/sim/random';
import { HOME_MARKETS } from '../../scripts/sim/families/send';

// Members of shared calling codes (+1, +7, +44, +47, +61) beside the home markets.
const COUNTRIES = [...HOME_MARKETS, 'CA', 'US', 'JM', 'PR', 'KZ', 'RU', 'GB', 'JE', 'NO', 'AU'];

test.each([...new Set(COUNTRIES)])('mobileNumber(%s) gives valid mobiles of that very country', (country) => {
  const random = new Random(7);
  for (let index = 0; index < 50; index += 1) {
    const parsed = parsePhoneNumber(mobileNumber(country, random));
    expect(parsed.isValid()).toBe(true);
    expect(parsed.country).toBe(country);
    expect(['MOBILE', 'FIXED_LINE_OR_MOBILE']).toContain(parsed.getType());
  }
});
