/**
 * The Okta hook's figures for `npm run bench` (scripts/bench.ts calls benchOktaHook()), measured
 * on the built server dist/okta-telephony-hook.js as a child process over loopback HTTP:
 * - bundle size (raw, gzip) and start time (spawn to listening, median of fresh processes);
 * - answer time p50 / p99 under sustained load (concurrency 20) with the local Twilio server, on
 *   the embedded store and on real Redis behind the Upstash shim;
 * - answer time p50 / p99 with a stalled store (fail open at GUARD_STORE_TIMEOUT).
 * Also runnable alone: `npx tsx scripts/bench-okta.ts`.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { OKTA_HOOK_BUNDLE, buildOktaHook } from './build-hook';
import { redisAvailable, startRedis } from '../tests/support/redis-server';
import { startTwilioServer, type TwilioTestServer } from '../tests/support/twilio-server';
import { startUpstashShim } from '../tests/support/upstash-shim';
import { usNumbersInDistinctRanges } from '../tests/bundle/redis-helpers';
import { commandOf, oktaRequest, postHook, startHook, type HookProcess } from '../tests/okta/support';

export interface LatencySummary {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
}

export interface LoadOptions {
  seconds: number;
  concurrency: number;
  /** The body of the n-th request. */
  body: (n: number) => unknown;
}

export interface LoadResult {
  summary: LatencySummary;
  /** Provider of each answered command (TWILIO, TOLLGUARD...), counted. */
  providers: Record<string, number>;
  /** Descriptions of the answers that were not one valid command (empty when all were). */
  problems: string[];
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export function summarise(samples: readonly number[], errors: number, seconds: number): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { requests: samples.length, errors, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? Number.NaN), perSecond: Math.round(samples.length / seconds) };
}

/** `concurrency` clients posting back to back for `seconds`; every answer is checked. */
export async function loadHook(hook: Pick<HookProcess, 'url'>, options: LoadOptions): Promise<LoadResult> {
  const samples: number[] = [];
  const providers: Record<string, number> = {};
  const problems: string[] = [];
  const end = performance.now() + options.seconds * 1000;
  let next = 0;
  const worker = async () => {
    while (performance.now() < end) {
      const n = next;
      next += 1;
      try {
        const reply = await postHook(hook, options.body(n));
        samples.push(reply.ms);
        const command = commandOf(reply);
        providers[command.provider] = (providers[command.provider] ?? 0) + 1;
      } catch (error) {
        problems.push(error instanceof Error ? error.message.slice(0, 200) : String(error));
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return { summary: summarise(samples, problems.length, elapsed), providers, problems };
}

/** Limits that a load of distinct users would trip are off: the load measures the answer path. */
export const LOAD_ENV: Readonly<Record<string, string>> = {
  GUARD_SERVICE_CAP_SMS: 'off',
  GUARD_PUMPING: 'off',
  GUARD_RESEND_DELAY: 'off',
  GUARD_LIMIT_NUMBER: 'off',
  GUARD_LIMIT_IP: 'off',
  GUARD_LIMIT_SUBNET: 'off',
};

const NUMBERS = usNumbersInDistinctRanges(400, 200);

/**
 * Mostly ordinary enrolments and verifications; one in ten an enrolment to a high-risk country
 * (refused; a verification there would be to an enrolled, so proven, number and go out).
 */
export function loadBody(n: number): unknown {
  const refused = n % 10 === 9;
  return oktaRequest({
    requestType: refused || n % 2 === 0 ? 'pre-enrollment' : 'mfa-verification',
    phoneNumber: refused ? '+2348031234567' : NUMBERS[n % NUMBERS.length],
    otpCode: String(100000 + (n % 900000)),
    msgTemplate: undefined,
    userId: `00uload${n}`,
    ipAddress: `198.51.${(n >> 8) % 256}.${n % 256}`,
  });
}

export function twilioEnv(twilio: TwilioTestServer): Record<string, string> {
  return { TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: twilio.authToken, TWILIO_FROM_NUMBER: '+15005550006', TWILIO_BASE_URL: twilio.url };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}

export async function benchOktaHook(options: { seconds?: number; concurrency?: number; quiet?: boolean } = {}): Promise<Record<string, unknown>> {
  const seconds = options.seconds ?? 5;
  const concurrency = options.concurrency ?? 20;
  const say = (line: string) => {
    if (!options.quiet) console.log(line);
  };
  await buildOktaHook({ quiet: true });
  const code = readFileSync(OKTA_HOOK_BUNDLE);
  const results: Record<string, unknown> = { bundle: { bytes: code.byteLength, gzipBytes: gzipSync(code).byteLength } };
  say(`okta hook bundle: ${code.byteLength} bytes (${gzipSync(code).byteLength} gzip), self-contained`);

  const starts: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const hook = await startHook({ TWILIO_DRY_RUN: 'true' });
    starts.push(hook.startMs);
    await hook.stop();
  }
  results['startMs'] = round(median(starts));
  say(`okta hook start (spawn to listening, median of 5): ${round(median(starts))} ms`);

  const twilio = await startTwilioServer();
  try {
    const embedded = await startHook({ ...twilioEnv(twilio), ...LOAD_ENV });
    const first = await postHook(embedded, loadBody(0));
    results['firstAnswerMs'] = round(first.ms);
    const load = await loadHook(embedded, { seconds, concurrency, body: loadBody });
    await embedded.stop();
    results['loadEmbedded'] = { ...load.summary, providers: load.providers };
    say(`okta hook under load, embedded store, local Twilio (c=${concurrency}, ${seconds}s): p50 ${load.summary.p50} ms, p99 ${load.summary.p99} ms, ${load.summary.perSecond}/s, errors ${load.summary.errors}`);

    if (redisAvailable().available) {
      const redis = await startRedis();
      const shim = await startUpstashShim({ redisUrl: redis.url, latencyMs: 20 });
      try {
        const store = { UPSTASH_REDIS_REST_URL: shim.url, UPSTASH_REDIS_REST_TOKEN: shim.token, GUARD_KEY_PREFIX: `bench-okta-${Date.now()}` };
        const onRedis = await startHook({ ...twilioEnv(twilio), ...LOAD_ENV, ...store });
        const redisLoad = await loadHook(onRedis, { seconds, concurrency, body: loadBody });
        await onRedis.stop();
        results['loadRedis20ms'] = { ...redisLoad.summary, providers: redisLoad.providers };
        say(`okta hook under load, Redis via shim +20 ms (c=${concurrency}, ${seconds}s): p50 ${redisLoad.summary.p50} ms, p99 ${redisLoad.summary.p99} ms, ${redisLoad.summary.perSecond}/s, errors ${redisLoad.summary.errors}`);

        shim.latencyMs = 10_000;
        const stalled = await startHook({ ...twilioEnv(twilio), ...LOAD_ENV, ...store });
        const stalledLoad = await loadHook(stalled, { seconds: Math.min(seconds, 3), concurrency, body: loadBody });
        await stalled.stop();
        results['loadStalledStore'] = { ...stalledLoad.summary, providers: stalledLoad.providers };
        say(`okta hook, stalled store (c=${concurrency}): p50 ${stalledLoad.summary.p50} ms, p99 ${stalledLoad.summary.p99} ms, errors ${stalledLoad.summary.errors}`);
      } finally {
        await shim.close();
        await redis.stop();
      }
    }
  } finally {
    await twilio.close();
  }
  return results;
}

if (require.main === module) {
  benchOktaHook().then(
    (results) => console.log(JSON.stringify(results, null, 2)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exit(1);
    },
  );
}
