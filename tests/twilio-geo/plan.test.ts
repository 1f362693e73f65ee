/**
 * The computed plan follows the Actions' policy: the same parser (parseStaticPolicy), the same
 * verdict per country as the geo rule, for the default tier, allow-list mode, block lists,
 * exceptions and the voice-only lists; it only tightens unless allowed to enable.
 */
import { getCountries, getExampleNumber, isSupportedCountry } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { SMS_HIGH_RISK_COUNTRIES, VOICE_EXTRA_HIGH_RISK_COUNTRIES } from '../../shared/data/high-risk-countries';
import type { Secrets } from '../../shared/config/static-policy';
import type { Channel } from '../../shared/engine/types';
import { checkGeo } from '../../shared/rules/geo';
import {
  computePlan,
  prefixCountries,
  rowChanges,
  type AccountSettings,
  type GeoPlan,
  type PlanInputs,
  type VoiceSwitches,
} from '../../scripts/twilio-geo/plan';
import { factsFor, policyFrom } from '../support/facts';

const COUNTRIES = getCountries() as string[];
const ALL_ON: VoiceSwitches = { low: true, special: true, tollFraud: true };

/** An account that allows everything: the plan's work is then exactly the policy's refusals. */
function openAccount(): AccountSettings {
  return {
    sms: COUNTRIES.map((country) => ({ country, enabled: true, message: '' })),
    voice: COUNTRIES.filter((c) => c !== 'CA').map((isoCode) => ({ isoCode, name: isoCode === 'US' ? 'United States/Canada' : isoCode, switches: ALL_ON })),
  };
}

function closedAccount(): AccountSettings {
  const open = openAccount();
  return {
    sms: open.sms.map((s) => ({ ...s, enabled: false })),
    voice: open.voice.map((v) => ({ ...v, switches: { low: false, special: false, tollFraud: false } })),
  };
}

function planFor(secrets: Secrets, settings = openAccount(), extra: Partial<PlanInputs> = {}): GeoPlan {
  const { policy, errors } = policyFrom(secrets);
  expect(errors).toEqual([]);
  return computePlan(settings, { policy, allowEnable: false, ...extra });
}

function smsOff(plan: GeoPlan): string[] {
  return plan.sms.filter((r) => !r.target).map((r) => r.country).sort();
}

function voiceOff(plan: GeoPlan): string[] {
  return plan.voice.filter((r) => !r.target.low && !r.target.special && !r.target.tollFraud).map((r) => r.country).sort();
}

const sorted = (list: readonly string[]) => [...list].sort();

describe('default policy', () => {
  const plan = planFor({});

  it('turns off SMS to exactly the high-risk tier', () => {
    expect(smsOff(plan)).toEqual(sorted(SMS_HIGH_RISK_COUNTRIES));
  });

  it('turns off voice to the tier plus the voice-only additions', () => {
    expect(voiceOff(plan)).toEqual(sorted([...SMS_HIGH_RISK_COUNTRIES, ...VOICE_EXTRA_HIGH_RISK_COUNTRIES]));
  });

  it('turns off toll-fraud and special-services numbers for every voice entry left on', () => {
    const left = plan.voice.filter((r) => r.target.low);
    expect(left.length).toBeGreaterThan(100);
    expect(left.every((r) => !r.target.tollFraud && !r.target.special)).toBe(true);
    expect(plan.voice.find((r) => r.country === 'GB')?.why).toBe('allowed');
  });

  it('marks the SMS countries Twilio refuses to change through the API as console-only', () => {
    const consoleOnly = plan.sms.filter((r) => r.consoleOnly && rowChanges(r)).map((r) => r.country).sort();
    expect(consoleOnly).toEqual(['AZ', 'BD', 'CU', 'DZ', 'IR', 'LK', 'NG', 'OM', 'PK', 'PS', 'SY', 'TJ', 'TN']);
  });

  it('notes that no learned list of served countries exists yet', () => {
    expect(plan.notes.join('\n')).toMatch(/detection that generalises/);
  });
});

describe('allow-list mode', () => {
  it('keeps only the listed countries and overrides the tier, as the Actions do', () => {
    const plan = planFor({ GUARD_ALLOWED_COUNTRIES: 'GB, DE, NG' });
    expect(plan.sms.filter((r) => r.target).map((r) => r.country).sort()).toEqual(['DE', 'GB', 'NG']);
    expect(plan.sms.find((r) => r.country === 'FR')?.why).toBe('not in GUARD_ALLOWED_COUNTRIES');
    expect(plan.voice.filter((r) => r.target.low).map((r) => r.country).sort()).toEqual(['DE', 'GB', 'NG']);
  });

  it('keeps the merged United States/Canada voice entry on when only Canada is allowed', () => {
    const plan = planFor({ GUARD_ALLOWED_COUNTRIES: 'CA' });
    const us = plan.voice.find((r) => r.country === 'US');
    expect(us?.target).toEqual({ low: true, special: false, tollFraud: false });
    expect(us?.why).toBe('CA in GUARD_ALLOWED_COUNTRIES');
    expect(plan.sms.find((r) => r.country === 'US')?.target).toBe(false);
  });

  it('lets a voice allow-list replace the general one for voice only', () => {
    const plan = planFor({ GUARD_ALLOWED_COUNTRIES: 'GB, FR', GUARD_VOICE_ALLOWED_COUNTRIES: 'GB' });
    expect(plan.sms.filter((r) => r.target).map((r) => r.country).sort()).toEqual(['FR', 'GB']);
    expect(plan.voice.filter((r) => r.target.low).map((r) => r.country)).toEqual(['GB']);
    expect(plan.voice.find((r) => r.country === 'FR')?.why).toBe('not in GUARD_VOICE_ALLOWED_COUNTRIES');
  });
});

describe('block lists and exceptions', () => {
  it('adds configured blocks to the tier; voice blocks apply to voice only', () => {
    const plan = planFor({ GUARD_BLOCKED_COUNTRIES: 'FR', GUARD_VOICE_BLOCKED_COUNTRIES: 'GB' });
    expect(plan.sms.find((r) => r.country === 'FR')).toMatchObject({ target: false, why: 'configured block list' });
    expect(plan.sms.find((r) => r.country === 'GB')?.target).toBe(true);
    expect(plan.voice.find((r) => r.country === 'GB')).toMatchObject({ target: { low: false, special: false, tollFraud: false }, why: 'configured block list' });
  });

  it('keeps an exempted tier country on, and turns the whole tier off switch into a plan with no tier', () => {
    const exempt = planFor({ GUARD_HIGH_RISK_EXCEPTIONS: 'KE, LV' });
    expect(exempt.sms.find((r) => r.country === 'KE')?.target).toBe(true);
    expect(exempt.voice.find((r) => r.country === 'LV')?.target.low).toBe(true);
    expect(smsOff(planFor({ GUARD_HIGH_RISK_TIER: 'off' }))).toEqual([]);
  });
});

describe('only tightening', () => {
  it('never turns a country on unless --allow-enable is given', () => {
    const plan = planFor({ GUARD_ALLOWED_COUNTRIES: 'GB' }, closedAccount());
    expect(plan.sms.some(rowChanges) || plan.voice.some(rowChanges)).toBe(false);
    expect(plan.sms.find((r) => r.country === 'GB')).toMatchObject({ target: false, heldBack: true });
    const enabling = planFor({ GUARD_ALLOWED_COUNTRIES: 'GB' }, closedAccount(), { allowEnable: true });
    expect(enabling.sms.filter(rowChanges).map((r) => r.country)).toEqual(['GB']);
    expect(enabling.voice.filter(rowChanges).map((r) => [r.country, r.target])).toEqual([['GB', { low: true, special: false, tollFraud: false }]]);
  });

  it('leaves special-services numbers alone when the policy lets premium numbers through', () => {
    const plan = planFor({ GUARD_BLOCKED_LINE_TYPES: 'none' });
    expect(plan.voice.find((r) => r.country === 'GB')?.target).toEqual({ low: true, special: true, tollFraud: false });
    expect(plan.notes.join('\n')).toMatch(/special numbers are left as they are/);
  });

  it('leaves a country with allow-listed numbers exactly as it is, and does not print the number', () => {
    const plan = planFor({ GUARD_ALLOWED_NUMBERS: '+2348031234567, +9725' });
    const ng = plan.sms.find((r) => r.country === 'NG');
    expect(ng).toMatchObject({ target: true, kept: true });
    expect(ng?.why).not.toContain('8031234567');
    expect(plan.voice.find((r) => r.country === 'NG')?.target).toEqual(ALL_ON);
    expect(plan.sms.find((r) => r.country === 'BD')?.target).toBe(false);
  });

  it('leaves an entry tollguard does not know as it is', () => {
    const settings = openAccount();
    settings.voice.push({ isoCode: 'XN', name: 'International Networks', switches: ALL_ON });
    const row = planFor({}, settings).voice.find((r) => r.country === 'XN');
    expect(row).toMatchObject({ target: ALL_ON, kept: true, why: 'not a country tollguard knows' });
  });

  it('turns off countries the tenant is not known to serve once a learned list is given (the seam)', () => {
    const plan = planFor({}, openAccount(), { served: { source: 'test list', countries: new Set(['GB', 'US']) } });
    expect(plan.sms.filter((r) => r.target).map((r) => r.country).sort()).toEqual(['GB', 'US']);
    expect(plan.sms.find((r) => r.country === 'FR')?.why).toBe('allowed, but not among the countries served (test list)');
  });

  it('says when GUARD_MODE leaves Twilio as the only filter, and plans the same', () => {
    const off = planFor({ GUARD_MODE: 'off' });
    expect(off.notes[0]).toMatch(/GUARD_MODE is off/);
    expect(smsOff(off)).toEqual(smsOff(planFor({})));
  });
});

describe('prefixCountries', () => {
  it('maps a number or a prefix to the regions it may fall in', () => {
    expect(prefixCountries('+2348031234567')).toEqual(['NG']);
    expect(prefixCountries('+1876')).toEqual(['JM']);
    expect(prefixCountries('+44').sort()).toEqual(['GB', 'GG', 'IM', 'JE']);
    expect(prefixCountries('+882')).toEqual([]);
  });
});

describe('the plan and the geo rule agree for every country', () => {
  const policies: Secrets[] = [
    {},
    { GUARD_ALLOWED_COUNTRIES: 'US, GB, DE, IN, BR' },
    { GUARD_BLOCKED_COUNTRIES: 'FR, IT', GUARD_VOICE_BLOCKED_COUNTRIES: 'ES', GUARD_HIGH_RISK_EXCEPTIONS: 'PH, KE' },
    { GUARD_ALLOWED_COUNTRIES: 'US, GB, NG', GUARD_VOICE_ALLOWED_COUNTRIES: 'US' },
    { GUARD_HIGH_RISK_TIER: 'off', GUARD_VOICE_BLOCKED_COUNTRIES: 'LV' },
  ];
  // Regions whose example number libphonenumber attributes to another region (AX -> FI, ...) are left out.
  const numbers = COUNTRIES.map((c) => [c, getExampleNumber(c as Parameters<typeof getExampleNumber>[0], examples)?.number] as const).filter(
    ([c, n]) => n !== undefined && isSupportedCountry(c) && factsFor(n).number.country === c,
  );

  it.each(policies.map((p) => [JSON.stringify(p), p] as const))('policy %s', (_name, secrets) => {
    expect(numbers.length).toBeGreaterThan(230);
    const plan = planFor(secrets);
    const { policy } = policyFrom(secrets);
    for (const [country, number] of numbers) {
      for (const channel of ['sms', 'voice'] as Channel[]) {
        const ruleAllows = checkGeo(factsFor(number ?? '', { channel }), policy) === undefined;
        const row = channel === 'sms' ? plan.sms.find((r) => r.country === country) : plan.voice.find((r) => r.country === (country === 'CA' ? 'US' : country));
        const planAllows = row?.channel === 'sms' ? row.target : row?.channel === 'voice' ? row.target.low : undefined;
        if (country === 'CA' && channel === 'voice') continue; // one entry with US: on if either is allowed
        expect([country, channel, planAllows]).toEqual([country, channel, ruleAllows]);
      }
    }
  });
});
