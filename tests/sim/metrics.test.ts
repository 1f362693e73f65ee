/** Delivered-before-containment, median and worst, as docs/evaluation.md defines them; the sign-up summaries, targets and leak check. */
import { deliveredBeforeContainment, median, worst } from '../../scripts/sim/families/metrics';
import { formatSignupTables, signupTargets, summariseSignup } from '../../scripts/sim/families/report';
import { CAPTCHA_SECRET, checkLeaks, secretsOf, type SignupSeedResult } from '../../scripts/sim/families/run-signup';

const wave = (pattern: string) => [...pattern].map((char) => char === 'x');

test('delivered before containment: the delivered attempts before the first point from which >= 95 % of the rest are refused', () => {
  expect(deliveredBeforeContainment(wave('..x.x' + 'x'.repeat(10)))).toBe(3);
  // a leak early in a long refused tail is inside the 5 % allowance: containment starts before it
  expect(deliveredBeforeContainment(wave('..x.x' + 'x'.repeat(40)))).toBe(1);
  expect(deliveredBeforeContainment(wave('x'.repeat(10)))).toBe(0);
  // one late leak among many refusals does not undo containment
  expect(deliveredBeforeContainment(wave('...' + 'x'.repeat(5) + '.' + 'x'.repeat(30)))).toBe(3);
  // never contained: every delivered attempt counts
  expect(deliveredBeforeContainment(wave('.x.x.x.x'))).toBe(4);
  expect(deliveredBeforeContainment([])).toBe(0);
});

test('median and worst over seeds', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 2, 3])).toBe(2.5);
  expect(worst([0.99, 0.95, 0.97], false)).toEqual({ value: 0.95, index: 1 });
  expect(worst([3, Number.NaN, 7], true)).toEqual({ value: 7, index: 2 });
});

describe('sign-up summaries', () => {
  type Result = SignupSeedResult;
  const tally = (attempts: number, denied: number, lowTrust: number) => ({ attempts, denied, lowTrust, trusted: attempts - denied - lowTrust });
  const none = (attempts: number) => tally(attempts, 0, 0);
  const result = (family: string, kind: 'people' | 'bots', captcha: 'turnstile' | 'recaptcha-v3', seed: number, own: ReturnType<typeof tally>): Result => ({
    family, kind, captcha, seed, params: { seed }, rules: own.denied > 0 ? { captcha: own.denied } : {},
    tallies: { tollguard: own, none: none(own.attempts), 'ip-throttle': tally(own.attempts, 1, 0), 'disposable-list': none(own.attempts) },
  });
  const results: Result[] = [
    result('people-worldwide', 'people', 'turnstile', 1, tally(1000, 2, 100)),
    result('people-worldwide', 'people', 'turnstile', 2, tally(1000, 6, 50)),
    result('people-worldwide', 'people', 'turnstile', 3, tally(1000, 4, 10)),
    result('people-worldwide', 'people', 'recaptcha-v3', 1, tally(1000, 0, 0)),
    result('captcha-farm', 'bots', 'turnstile', 1, tally(100, 80, 10)),
    result('captcha-farm', 'bots', 'turnstile', 2, tally(200, 20, 10)),
  ];

  test('median and worst per family and provider, for tollguard and the baselines', () => {
    const summaries = summariseSignup(results, ['people-worldwide', 'captcha-farm'], ['turnstile', 'recaptcha-v3']);
    expect(summaries.map((summary) => `${summary.family}/${summary.captcha}`)).toEqual(['people-worldwide/turnstile', 'captcha-farm/turnstile', 'people-worldwide/recaptcha-v3']);
    const [people, bots] = summaries;
    expect(people?.metrics['people refused (denied)']?.['tollguard']).toEqual({ median: 0.004, worst: 0.006, worstSeed: 2 });
    expect(people?.metrics['people given low trust']?.['tollguard']).toEqual({ median: 0.05, worst: 0.1, worstSeed: 1 });
    expect(people?.metrics['people refused (denied)']?.['ip-throttle']?.worst).toBeCloseTo(0.001);
    expect(bots?.metrics['bots created standard+']?.['tollguard']).toEqual({ median: (0.1 + 0.85) / 2, worst: 0.85, worstSeed: 2 });
    expect(bots?.metrics['bots denied']?.['tollguard']).toEqual({ median: (0.8 + 0.1) / 2, worst: 0.1, worstSeed: 2 });
    expect(bots?.metrics['bots created standard+']?.['none']?.worst).toBe(1);
    expect(bots?.worstParams).toEqual({ seed: 2 });
  });

  test('targets: people refused <= 0.5 % on every seed, bots standard+ <= 15 %, each line marked', () => {
    const summaries = summariseSignup(results, ['people-worldwide', 'captcha-farm'], ['turnstile', 'recaptcha-v3']);
    expect(signupTargets(summaries).map(({ family, captcha, met }) => `${family}/${captcha}:${met}`)).toEqual(['people-worldwide/turnstile:false', 'captcha-farm/turnstile:false', 'people-worldwide/recaptcha-v3:true']);
    const text = formatSignupTables('t', summaries, ['tollguard', 'none'], { checked: 7, leaks: [] });
    expect(text).toContain('CAPTCHA Turnstile');
    expect(text).toContain('CAPTCHA reCAPTCHA v3');
    expect(text).toMatch(/people-worldwide +people refused \(denied\) +0\.40% \/ 0\.60% .* NOT MET \(target <= 0\.5% on every seed\)/);
    expect(text).toMatch(/people refused \(denied\) +0\.00% \/ 0\.00% .* met \(target/);
    expect(text).toContain('sign-up targets (tollguard, worst seed): 1 of 3 met');
    expect(text).toContain('NOT MET captcha-farm (Turnstile): bots created standard+ 85.00% on seed 2 (target <= 15%)');
    expect(text).toMatch(/leak check: 7 decisions, .*: met/);
    expect(formatSignupTables('t', summaries, ['tollguard'], { checked: 7, leaks: [{ family: 'x', captcha: 'turnstile', seed: 1, what: 'token' }] })).toMatch(/leak check: NOT MET, 1 of 7 decisions leaked \(token 1/);
  });
});

describe('leak check', () => {
  const event = { at: 0, family: 'f', legit: true, wave: 0, email: 'Anna.Smith+shop@Gmail.com', ip: '198.51.100.1', country: 'NG', phone: '+2348031234567', token: { kind: 'valid', score: 0.9, hostname: 'h' } } as const;
  const values = secretsOf(event, 'tok-123456');

  test('finds the token, the number with or without +, the local part in any case or as the canonical inbox, the secret', () => {
    expect(checkLeaks(['{"tollguard":"decision","email_domain":"gmail.com","phone":"+234803****567"}'], values)).toEqual([]);
    expect(checkLeaks(['x tok-123456 y'], values)).toEqual(['token']);
    expect(checkLeaks(['n=2348031234567'], values)).toEqual(['phone']);
    expect(checkLeaks(['anna.smith+shop'], values)).toEqual(['e-mail local part']);
    expect(checkLeaks(['inbox annasmith'], values)).toEqual(['e-mail local part']);
    expect(checkLeaks([`secret ${CAPTCHA_SECRET}`], values)).toEqual(['secret']);
  });

  test('short local parts and ones the domain contains are not searched (they would match by chance)', () => {
    expect(secretsOf({ ...event, email: 'ab@x.example', phone: undefined }, undefined).map(({ what }) => what)).toEqual(['secret']);
    expect(secretsOf({ ...event, email: '"mail"@mail-box.example', phone: undefined }, undefined).map(({ what }) => what)).toEqual(['secret']);
  });
});
