/**
 * `npm start [-- --trigger send-phone-message|custom-phone-provider]`: builds the Actions, then runs
 * a handful of realistic OTPs (ordinary logins and obvious attacks) through a built send Action in
 * the local Actions runtime, on the embedded defaults, with Twilio in dry-run mode, then sign-ups
 * through the registration Action, then Okta requests through the built telephony hook server.
 * No credentials needed. TOLLGUARD_ECHO=1 also prints each
 * decision's JSON log line.
 */
import { join } from 'node:path';
import { DIST, buildActions } from './build';
import { loadAction, preUserRegistrationEvent, runPreUserRegistration } from '../tests/support/actions-runtime';
import { DEFAULT_HOSTNAME, startCaptchaServer } from '../tests/support/captcha-servers';
import { ACTION_PACKAGES } from './lib/action-packages';
import { runOktaDemo } from './okta-demo';
import { bundleOf, sendOtp, takeTriggerFlag, type SendTrigger } from './sim/phone-trigger';

interface Scenario {
  label: string;
  recipient: string;
  channel?: 'sms' | 'voice';
  /** A login challenges a confirmed factor; everything else (and all pumping) is an enrolment. */
  login?: boolean;
  ip?: string;
  appMetadata?: Record<string, unknown>;
}

const SCENARIOS: Scenario[] = [
  { label: 'login, US mobile, SMS', recipient: '+14155552671', login: true },
  { label: 'enrolment, German mobile, SMS', recipient: '+4915112345678', ip: '192.0.2.44' },
  { label: 'login, UK mobile, voice call', recipient: '+447400123456', channel: 'voice', login: true },
  { label: 'pumping: Nigerian range (high-risk tier)', recipient: '+2348031234567', ip: '203.0.113.9' },
  { label: 'toll fraud: UK premium-rate number', recipient: '+449098790000' },
  { label: 'toll fraud: voice to Latvia', recipient: '+37120123456', channel: 'voice' },
  { label: 'international network number (+882)', recipient: '+88234567890' },
  { label: 'malformed recipient (no +)', recipient: '4155552671' },
  { label: 'hostile recipient (5 000 characters)', recipient: '+1' + '5'.repeat(4998) },
];

const echo = process.env['TOLLGUARD_ECHO'] === '1';

async function main(): Promise<void> {
  const { trigger, rest, problem } = takeTriggerFlag(process.argv.slice(2));
  if (problem !== undefined || rest.length > 0) {
    console.error(`start: ${problem ?? `unknown argument ${JSON.stringify(rest[0])}`}`);
    process.exit(2);
  }
  await buildActions();
  await sends(trigger);
  await signUps();
  await runOktaDemo({ build: false });
  console.log(echo ? '' : '\nEach decision is also one JSON log line; run with TOLLGUARD_ECHO=1 to see them.');
}

async function sends(trigger: SendTrigger): Promise<void> {
  const action = loadAction(bundleOf(trigger), { allowedPackages: ACTION_PACKAGES, echo: false });
  console.log(`\nloaded dist/${trigger}.js in ${action.loadMs.toFixed(1)} ms; Twilio dry run, embedded defaults\n`);
  for (const [index, scenario] of SCENARIOS.entries()) {
    const invocation = await sendOtp(
      action,
      trigger,
      { recipient: scenario.recipient, channel: scenario.channel ?? 'sms', enrollment: scenario.login !== true, code: String(480_000 + index), ip: scenario.ip ?? '198.51.100.7', requestCountry: 'US', appMetadata: scenario.appMetadata ?? {} },
      { TWILIO_DRY_RUN: 'true' },
    );
    const decision = invocation.logs.map(parseDecision).find((line) => line !== undefined);
    const dryRun = invocation.logs.find((line) => line.startsWith('[dry-run]'));
    const verdict = invocation.refused ? 'REFUSED ' : 'SENT    ';
    console.log(`${verdict} ${scenario.label}`);
    if (decision) {
      const reasons = (decision['reasons'] as string[]).join('; ') || 'no rule fired';
      console.log(`         ${decision['channel']} to ${decision['to']} (${decision['country'] ?? '?'}): ${reasons}  [${JSON.stringify(decision['timings_ms'])}]`);
    }
    if (dryRun) console.log(`         ${dryRun}`);
    if (echo) echoDecisions(invocation.logs);
  }
}

/** The decision lines exactly as the Action wrote them (masked numbers, no codes). */
function echoDecisions(logs: readonly string[]): void {
  for (const line of logs) if (parseDecision(line) !== undefined) console.log(`         ${line}`);
}

interface SignUpScenario {
  label: string;
  email: string;
  token?: unknown;
  ip?: string;
  phone?: string;
}

/** The Pre-User-Registration Action with a local Turnstile-compatible verifier. */
async function signUps(): Promise<void> {
  const captcha = await startCaptchaServer('turnstile', { secret: 'local-demo-secret' });
  captcha.setToken('solved-by-a-person', { valid: true });
  const action = loadAction(join(DIST, 'pre-user-registration.js'), { allowedPackages: ACTION_PACKAGES });
  const secrets = { CAPTCHA_PROVIDER: 'turnstile', CAPTCHA_SECRET: 'local-demo-secret', CAPTCHA_VERIFY_URL: captcha.url, GUARD_SIGNUP_LIMIT_IP: '3/1h' };
  const scenarios: SignUpScenario[] = [
    { label: 'person, solved CAPTCHA', email: 'ana.lima@gmail.com', token: 'solved-by-a-person' },
    { label: 'old app without the CAPTCHA field', email: 'joe@example.net' },
    { label: 'bot: forged CAPTCHA token', email: 'x1@example.org', token: 'forged-token' },
    { label: 'bot: token field is a list', email: 'x2@example.org', token: ['a', 'b'] },
    { label: 'bot: disposable e-mail', email: 'kz81@mailinator.com', token: 'solved-by-a-person' },
    { label: 'bot: look-alike of gmail.com (Cyrillic a)', email: 'support@gm\u0430il.com' },
    { label: 'phone in a high-risk country (low trust: the phone Actions decide its OTPs)', email: 'y@example.org', phone: '+2348031234567' },
    { label: 'burst from one IP (4th of 3/1h: low trust; refused only far over, without a CAPTCHA)', email: 'b1@example.org', ip: '203.0.113.7' },
  ];
  console.log(`\nloaded dist/pre-user-registration.js in ${action.loadMs.toFixed(1)} ms; local Turnstile-compatible verifier\n`);
  for (const [index, scenario] of scenarios.entries()) {
    const runs = index === scenarios.length - 1 ? 4 : 1;
    let last;
    for (let run = 0; run < runs; run += 1) {
      const event = preUserRegistrationEvent({ user: { email: scenario.email.replace('@', `+${run}@`), phone_number: scenario.phone }, request: { ip: scenario.ip ?? `198.51.100.${10 + index}`, hostname: DEFAULT_HOSTNAME } });
      event.secrets = secrets;
      if (scenario.token !== undefined) event.request.body = { 'ulp-captcha-token': scenario.token };
      last = await runPreUserRegistration(action, event);
    }
    const outcome = last?.result;
    const decision = last?.logs.map(parseDecision).find((line) => line !== undefined);
    const trust = (outcome?.appMetadata['tollguard'] as { trust?: string } | undefined)?.trust;
    console.log(`${outcome?.denied ? 'DENIED  ' : 'CREATED '} ${scenario.label}${trust ? ` (trust ${trust})` : ''}`);
    const reasons = (decision?.['reasons'] as string[] | undefined)?.join('; ');
    if (reasons) console.log(`         ${reasons}`);
    if (outcome?.denied) console.log(`         user sees: "${outcome.denied.userMessage}"`);
    if (echo && last) echoDecisions(last.logs);
  }
  await captcha.close();
}

function parseDecision(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as Record<string, unknown>;
    return value['tollguard'] === 'decision' ? value : undefined;
  } catch {
    return undefined;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
