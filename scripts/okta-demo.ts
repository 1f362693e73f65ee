/**
 * `npm start`, Okta part (scripts/start.ts calls runOktaDemo()): starts the built hook server
 * dist/okta-telephony-hook.js on a free loopback port with the local Twilio server, posts Okta's
 * telephony hook requests (the reference sample, an enrolment, a voice verification, a pumping
 * attempt) and prints what Okta gets back. No credentials needed. Run alone:
 * `npx tsx scripts/okta-demo.ts`.
 */
import { buildOktaHook } from './build-hook';
import { startTwilioServer } from '../tests/support/twilio-server';
import { OKTA_REFERENCE_SAMPLE, commandOf, oktaRequest, postHook, startHook, voiceVerificationSample } from '../tests/okta/support';

interface DemoRequest {
  label: string;
  body: unknown;
}

const REQUESTS: DemoRequest[] = [
  { label: "Okta's reference sample (phone 9876543210, not E.164)", body: OKTA_REFERENCE_SAMPLE },
  { label: 'pre-enrolment, US mobile, SMS', body: oktaRequest({ phoneNumber: '+1 415 555 2671', otpCode: '48213', msgTemplate: 'Your Example code is 48213', ipAddress: '198.51.100.7' }) },
  { label: 'mfa-verification, UK mobile, voice', body: voiceVerificationSample('+447400123456', '90517') },
  { label: 'pumping: enrolment to a Nigerian range', body: oktaRequest({ phoneNumber: '+2348031234567', otpCode: '11223', ipAddress: '203.0.113.9' }) },
];

export async function runOktaDemo(options: { build?: boolean } = {}): Promise<void> {
  if (options.build !== false) await buildOktaHook({ quiet: true });
  const twilio = await startTwilioServer();
  const hook = await startHook({
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM_NUMBER: '+15005550006',
    TWILIO_BASE_URL: twilio.url,
  });
  try {
    console.log(`\nOkta telephony hook: node dist/okta-telephony-hook.js listening on ${hook.url} (started in ${hook.startMs.toFixed(0)} ms); local Twilio server, embedded store\n`);
    for (const request of REQUESTS) {
      const sentBefore = twilio.requests.length;
      const linesBefore = hook.decisions().length;
      const reply = await postHook(hook, request.body);
      const command = commandOf(reply);
      const sent = twilio.requests.length > sentBefore ? twilio.requests[twilio.requests.length - 1]?.operation : undefined;
      const [line] = (await hook.waitForDecisions(linesBefore + 1)).slice(linesBefore);
      console.log(`${sent ? 'SENT    ' : 'REFUSED '} ${request.label}`);
      console.log(`         Okta gets ${reply.status} ${command.status} provider=${command.provider} transactionId=${command.transactionId} (${reply.ms.toFixed(0)} ms)`);
      console.log(`         ${command.transactionMetadata}`);
      if (line) console.log(`         decision: ${line.decision} ${line.outcome} ${line.channel ?? ''} to ${line.to ?? '?'} (${line.country ?? '?'})${line.rules.length > 0 ? `: ${line.reasons.join('; ')}` : ''}`);
    }
    console.log('\nA refusal answers SUCCESSFUL without sending (a shadow block): Okta would send the code itself if the hook failed.');
  } finally {
    await hook.stop();
    await twilio.close();
  }
}

if (require.main === module) {
  runOktaDemo().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
}
