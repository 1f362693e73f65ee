import { runStaticRules } from '../../shared/engine/static-rules';
import { STATIC_RULES } from '../../shared/rules/registry';
import { NUMBERS, factsFor, policyFrom } from '../support/facts';

describe('static decision engine', () => {
  test('collects every block reason, in rule order', () => {
    const { policy } = policyFrom({ GUARD_BLOCKED_IPS: '198.51.100.0/24', GUARD_VOICE_ACCESS: 'allowed-users' });
    const run = runStaticRules(factsFor(NUMBERS.NG, { channel: 'voice' }), policy, STATIC_RULES);
    expect(run.findings.map((finding) => finding.rule)).toEqual(['geo', 'network-zone', 'voice-access']);
    expect(run.errors).toEqual([]);
  });

  test('an allow-listed number skips the number rules but not the network zones', () => {
    const { policy } = policyFrom({ GUARD_ALLOWED_NUMBERS: NUMBERS.NG, GUARD_BLOCKED_IPS: '203.0.113.0/24' });
    const trusted = runStaticRules(factsFor(NUMBERS.NG), policy, STATIC_RULES);
    expect(trusted.findings).toEqual([expect.objectContaining({ rule: 'number-list', effect: 'trust' })]);
    expect(trusted.evaluated).not.toContain('geo');
    const fromBadNetwork = runStaticRules(factsFor(NUMBERS.NG, { ip: '203.0.113.5' }), policy, STATIC_RULES);
    expect(fromBadNetwork.findings.map((finding) => finding.effect)).toEqual(['trust', 'block']);
  });

  test('a rule that throws is recorded as an error, and the other rules still run', () => {
    const { policy } = policyFrom();
    const broken = { ...policy, geo: undefined as never };
    const run = runStaticRules(factsFor(NUMBERS.GB_PREMIUM), broken, STATIC_RULES);
    expect(run.errors).toEqual([expect.objectContaining({ rule: 'geo' })]);
    expect(run.findings.map((finding) => finding.rule)).toEqual(['line-type']);
  });

  test('a clean number passes with no findings', () => {
    const run = runStaticRules(factsFor(NUMBERS.US), policyFrom().policy, STATIC_RULES);
    expect(run.findings).toEqual([]);
    expect(run.evaluated).toEqual(['number-list', 'line-type', 'geo', 'network-zone', 'voice-access']);
  });
});
