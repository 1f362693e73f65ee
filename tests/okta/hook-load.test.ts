/**
 * A bounded load on the BUILT Okta hook server over loopback: 5 s of 20 clients posting back to
 * back (enrolments and verifications, one in ten to a high-risk country), delivering through the
 * local Twilio server. Asserts correctness only (every request answered with one valid command,
 * the refused ones sent nowhere, one decision line per request); the p50 / p99 answer times are
 * printed, and speed goals live in `npm run bench` (scripts/bench-okta.ts).
 */
import { LOAD_ENV, loadBody, loadHook, twilioEnv } from '../../scripts/bench-okta';
import { buildOktaHook } from '../../scripts/build-hook';
import { startTwilioServer, type TwilioTestServer } from '../support/twilio-server';
import { startHook, type HookProcess } from './support';

const SECONDS = 5;
const CONCURRENCY = 20;

let twilio: TwilioTestServer;
let server: HookProcess;

beforeAll(async () => {
  await buildOktaHook({ quiet: true });
  twilio = await startTwilioServer();
  server = await startHook({ ...twilioEnv(twilio), ...LOAD_ENV });
});
afterAll(async () => {
  await server?.stop();
  await twilio?.close();
});

test(`${SECONDS} s of ${CONCURRENCY} concurrent Okta requests: all answered, none in error`, async () => {
  const load = await loadHook(server, { seconds: SECONDS, concurrency: CONCURRENCY, body: loadBody });
  const { summary, providers, problems } = load;
  console.log(`Okta hook load (loopback, c=${CONCURRENCY}, ${SECONDS} s, local Twilio, embedded store): ${summary.requests} requests, ${summary.perSecond}/s, p50 ${summary.p50} ms, p99 ${summary.p99} ms, max ${summary.max} ms, errors ${summary.errors}`);
  expect(problems).toEqual([]);
  expect(summary.requests).toBeGreaterThanOrEqual(CONCURRENCY);
  // Every tenth request goes to Nigeria: refused without a send; the rest go out through Twilio.
  const refused = Math.floor(summary.requests / 10);
  expect(providers['TOLLGUARD']).toBeGreaterThanOrEqual(refused - CONCURRENCY);
  expect(providers['TOLLGUARD']).toBeLessThanOrEqual(refused + CONCURRENCY);
  expect(providers['TWILIO']).toBe(summary.requests - (providers['TOLLGUARD'] ?? 0));
  expect(twilio.requests.filter((sent) => sent.operation === 'message' && sent.violations.length === 0)).toHaveLength(providers['TWILIO'] ?? -1);
  const lines = await server.waitForDecisions(summary.requests, 10_000);
  expect(lines).toHaveLength(summary.requests);
  expect(lines.filter((line) => line.outcome === 'refused').every((line) => line.rules.includes('geo'))).toBe(true);
}, 60_000);
