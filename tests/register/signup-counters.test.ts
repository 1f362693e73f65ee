/**
 * The sign-up's store batch: which counters a sign-up asks for, how answers are read back, and
 * how the counter rules' verdicts merge (the plan is pure; the store contract covers the ops).
 */
import { ConfigErrors } from '../../shared/config/static-policy';
import { parseIp } from '../../shared/net/ip';
import { parseRegistrationPolicy } from '../../shared/register/registration-policy';
import { admittedOps, judgeSignupCounters, planSignupBatch } from '../../shared/register/signup-counters';
import { MemoryStore } from '../../shared/store/memory-store';
import { GuardKeys, SignupKeys } from '../../shared/store/keys';

const NOW = Date.UTC(2026, 10, 23, 12, 5);
const policyOf = (secrets: Record<string, string> = {}) => parseRegistrationPolicy(secrets, new ConfigErrors());
const keys = new SignupKeys('t:tenant');
const subject = { ip: parseIp('203.0.113.9'), mailbox: 'johnsmith@gmail.com', countedDomain: 'acme.example', country: 'VN' };

describe('the sign-up batch plan', () => {
  test('a full sign-up asks for every counter once, in one batch, and reads the tenant-wide windows without counting', () => {
    const plan = planSignupBatch(subject, policyOf(), keys, NOW);
    const kinds = plan.ops.map((op) => `${op.kind}:${op.key.replace('t:tenant:signup:', '')}`);
    expect(kinds).toEqual([
      'count:ip:203.0.113.9',
      'count:net:203.0.113.0/24',
      expect.stringMatching(/^get:box:[A-Za-z0-9_-]+:\d+$/),
      expect.stringMatching(/^get:box:[A-Za-z0-9_-]+:\d+$/),
      'count:dom:acme.example',
      'rate:dom:acme.example:age',
      'count:dom:acme.example:day',
      expect.stringMatching(/^count:dom:acme.example:net:/),
      'rate:all:age',
      expect.stringMatching(/^get:all:\d+$/),
      expect.stringMatching(/^get:all:\d+$/),
      'rate:surge:VN:rate',
      'get:surge:VN:until',
      'rate:surge:all:rate',
      'get:surge:all:until',
    ]);
    expect(JSON.stringify(plan.ops)).not.toContain('johnsmith');
  });

  test('an IPv6 client is counted by its /64 (against the IPv6 limit) and its /48', () => {
    const plan = planSignupBatch({ ...subject, ip: parseIp('2001:db8:1:2:a:b:c:d') }, policyOf(), keys, NOW);
    expect(plan.ops.slice(0, 2).map((op) => op.key.replace('t:tenant:signup:', ''))).toEqual(['ip:2001:db8:1:2::/64', 'net:2001:db8:1::/48']);
  });

  test("a tier phone's country: the send Actions' country proofs are read (two gets under their own keys)", () => {
    const evidence = new GuardKeys('t:tenant');
    const plan = planSignupBatch({ ...subject, evidenceCountries: ['NG', 'NG'] }, policyOf(), keys, NOW, evidence);
    expect(plan.ops.map((op) => op.key).filter((key) => key.includes(':proofs:'))).toEqual([
      `t:tenant:cty:NG:proofs:${Math.floor(NOW / (30 * 24 * 3_600_000))}`,
      `t:tenant:cty:NG:proofs:${Math.floor(NOW / (30 * 24 * 3_600_000)) - 1}`,
    ]);
  });

  test('a provider address (no counted domain), no IP and everything off: only what is left', () => {
    const off = policyOf({ GUARD_SIGNUP_LIMIT_IP: 'off', GUARD_SIGNUP_LIMIT_SUBNET: 'off', GUARD_SIGNUP_LIMIT_MAILBOX: 'off', GUARD_SIGNUP_LIMIT_TENANT: 'off', GUARD_SIGNUP_NEW_DOMAIN_LIMIT: 'off', GUARD_SIGNUP_SURGE: 'off' });
    expect(planSignupBatch({ ...subject, countedDomain: undefined }, off, keys, NOW).ops).toEqual([]);
    expect(admittedOps(off, keys, NOW, 'johnsmith@gmail.com')).toEqual([]);
    const unknownCountry = planSignupBatch({ ip: undefined, mailbox: undefined, countedDomain: undefined, country: undefined }, policyOf(), keys, NOW);
    expect(unknownCountry.ops.map((op) => op.key)).toContain('t:tenant:signup:surge:ZZ:rate');
  });

  test('answers are read back by meaning; admitted sign-ups are what the tenant-wide limit sees', async () => {
    const store = new MemoryStore();
    const policy = policyOf({ GUARD_SIGNUP_LIMIT_TENANT: '2/1h' });
    const decide = async () => {
      const plan = planSignupBatch(subject, policy, keys, NOW);
      const answers = plan.read(await store.run(NOW, plan.ops));
      return { answers, verdict: judgeSignupCounters(answers, policy, keys, { now: NOW, ipv6: false, domain: 'acme.example', captchaPassed: true, country: 'VN' }) };
    };
    const first = await decide();
    expect(first.answers.velocity.ip).toEqual({ current: 1, previous: 0 });
    expect(first.answers.velocity.tenantAdmitted).toEqual({ current: 0, previous: 0 });
    expect(first.answers.newDomain.days).toEqual({ current: 1, previous: 0 });
    expect(first.answers.surgeCountry).toMatchObject({ current: 1 });
    // Refused or not, nothing counts against the tenant until admittedOps ran.
    expect((await decide()).answers.velocity.tenantAdmitted?.current).toBe(0);
    await store.run(NOW, admittedOps(policy, keys, NOW, subject.mailbox));
    await store.run(NOW, admittedOps(policy, keys, NOW, subject.mailbox));
    const full = await decide();
    expect(full.answers.velocity.tenantAdmitted?.current).toBe(2);
    expect(full.verdict.deny?.reason).toContain('admitted tenant-wide');
    expect(full.verdict.rules).toContain('signup-velocity');
  });

  test('a refused attempt does not count against its mailbox: only admittedOps counts it', async () => {
    const store = new MemoryStore();
    const policy = policyOf();
    const read = async () => {
      const plan = planSignupBatch(subject, policy, keys, NOW);
      return plan.read(await store.run(NOW, plan.ops)).velocity.mailbox;
    };
    expect(await read()).toEqual({ current: 1, previous: 0 });
    expect(await read()).toEqual({ current: 1, previous: 0 });
    await store.run(NOW, admittedOps(policy, keys, NOW, subject.mailbox));
    expect(await read()).toEqual({ current: 2, previous: 0 });
  });

  test('the verdicts merge: low-trust reasons of every rule, the surge hold to write, the rules named', () => {
    const policy = policyOf();
    const answers = planSignupBatch(subject, policy, keys, NOW).read([]);
    answers.velocity.ip = { current: 11, previous: 0 };
    answers.surgeCountry = { current: 40, baseline: 2, windows: 12 };
    const verdict = judgeSignupCounters(answers, policy, keys, { now: NOW, ipv6: false, domain: 'acme.example', captchaPassed: true, country: 'VN' });
    expect(verdict.deny).toBeUndefined();
    expect(verdict.lowTrust).toEqual([expect.stringContaining('from this IP'), expect.stringContaining('surge of sign-ups from VN')]);
    expect(verdict.rules).toEqual(['signup-velocity', 'signup-surge']);
    expect(verdict.writes).toEqual([{ key: 't:tenant:signup:surge:VN:until', until: NOW + 1_800_000, ttlMs: 1_860_000 }]);
  });
});
