import { checkNetworkZones } from '../../shared/rules/network-zones';
import { NUMBERS, factsFor, policyFrom } from '../support/facts';

describe('network-zone rule', () => {
  const { policy } = policyFrom({
    GUARD_BLOCKED_IPS: '203.0.113.0/24, 2001:db8:bad::/48',
    GUARD_ALLOWED_IPS: '198.51.100.0/24 2001:db8:1::/64',
  });

  test('IPv4 and IPv6 blocked zones refuse', () => {
    expect(checkNetworkZones(factsFor(NUMBERS.US, { ip: '203.0.113.9' }), policy)).toMatchObject({ effect: 'block', reason: expect.stringContaining('203.0.113.0/24') });
    expect(checkNetworkZones(factsFor(NUMBERS.US, { ip: '2001:db8:bad:1::5' }), policy)?.effect).toBe('block');
    expect(checkNetworkZones(factsFor(NUMBERS.US, { ip: '::ffff:203.0.113.200' }), policy)?.effect).toBe('block');
  });

  test('allowed zones are trusted, others pass', () => {
    expect(checkNetworkZones(factsFor(NUMBERS.US, { ip: '198.51.100.20' }), policy)?.effect).toBe('trust');
    expect(checkNetworkZones(factsFor(NUMBERS.US, { ip: '2001:db8:1::abcd' }), policy)?.effect).toBe('trust');
    expect(checkNetworkZones(factsFor(NUMBERS.US, { ip: '192.0.2.1' }), policy)).toBeUndefined();
  });

  test('a missing IP is not an error', () => {
    expect(checkNetworkZones({ ...factsFor(NUMBERS.US), ip: undefined }, policy)).toBeUndefined();
  });

  test('a bad CIDR is reported by secret name', () => {
    expect(policyFrom({ GUARD_BLOCKED_IPS: '10.0.0.0/33' }).errors[0]).toMatch(/GUARD_BLOCKED_IPS.*10\.0\.0\.0\/33/);
  });
});

test('a bad range in a zone list is reported and the good ranges still apply', () => {
  const { policy, errors } = policyFrom({ GUARD_BLOCKED_IPS: '198.51.100.0/24, 10.0.0.300' });
  expect(errors[0]).toContain('10.0.0.300');
  expect(checkNetworkZones(factsFor(NUMBERS.US, { ip: '198.51.100.9' }), policy)?.effect).toBe('block');
});
