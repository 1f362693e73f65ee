/**
 * `npm run bench`: the speed and size figures of the README, measured on the built bundles.
 * - bundle size, cold module load time (fresh Node processes);
 * - decision time p50 / p99: the static engine alone, the built Action on the embedded store, and
 *   on real Redis behind the local Upstash shim with 20 ms of added latency;
 * - store requests and Redis commands per decision, keys per 1 000 decisions;
 * - the `twilio` SDK against tollguard's lean REST client: bundle size, load time, first send.
 * Results are printed and written to .bench/results.json.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { DIST, ROOT, buildActions } from './build';
import { ACTION_PACKAGES } from './lib/action-packages';
import { loadAction, runSendPhoneMessage, sendPhoneMessageEvent, type LoadedAction } from '../tests/support/actions-runtime';
import { redisAvailable, startRedis } from '../tests/support/redis-server';
import { startUpstashShim } from '../tests/support/upstash-shim';
import { RespClient } from '../tests/support/resp-client';
import { startTwilioServer } from '../tests/support/twilio-server';
import { runStaticRules } from '../shared/engine/static-rules';
import { STATIC_RULES } from '../shared/rules/registry';
import { NUMBERS, factsFor, policyFrom } from '../tests/support/facts';
import { Random } from './sim/random';
import { mobileNumber } from './sim/numbers';

const OUT = join(ROOT, '.bench');
const results: Record<string, unknown> = {};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(samples: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), mean: round(samples.reduce((a, b) => a + b, 0) / samples.length) };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}

/** Milliseconds to `require` a file in a fresh Node process (median of `runs`). */
function coldRequireMs(file: string, runs = 7, extra = ''): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});${extra}process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  return median(Array.from({ length: runs }, () => Number(execFileSync(process.execPath, ['-e', script], { cwd: ROOT }).toString())));
}

function decisionMs(invocationLogs: readonly string[]): number | undefined {
  const line = invocationLogs.find((entry) => entry.startsWith('{"tollguard":"decision"'));
  if (line === undefined) return undefined;
  const timings = (JSON.parse(line) as { timings_ms?: { decide?: number } }).timings_ms;
  return timings?.decide;
}

async function benchDecisions(action: LoadedAction, secrets: Record<string, string>, count: number): Promise<{ decide: ReturnType<typeof summary>; handler: ReturnType<typeof summary> }> {
  const random = new Random(7);
  const countries = ['US', 'GB', 'DE', 'FR', 'ES'];
  const decide: number[] = [];
  const handler: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const event = sendPhoneMessageEvent({
      message_options: { recipient: mobileNumber(random.pick(countries), random), message_type: 'sms' },
      request: { ip: random.ipv4() },
      user: { user_id: `auth0|bench${i}` },
    });
    event.secrets = secrets;
    const invocation = await runSendPhoneMessage(action, event);
    const ms = decisionMs(invocation.logs);
    if (ms !== undefined && i >= 20) decide.push(ms);
    if (i >= 20) handler.push(invocation.durationMs);
  }
  return { decide: summary(decide), handler: summary(handler) };
}

async function benchStatic(): Promise<void> {
  const { policy } = policyFrom({});
  const facts = [NUMBERS.US, NUMBERS.GB_MOBILE, NUMBERS.DE, NUMBERS.NG, NUMBERS.GB_PREMIUM].map((number) => factsFor(number));
  const samples: number[] = [];
  for (let i = 0; i < 20_000; i += 1) {
    const started = performance.now();
    runStaticRules(facts[i % facts.length]!, policy, STATIC_RULES);
    samples.push(performance.now() - started);
  }
  results['static_engine_ms'] = summary(samples.slice(1000));
}

async function benchStore(action: LoadedAction): Promise<void> {
  const availability = redisAvailable();
  if (!availability.available) {
    console.warn(`store benchmarks skipped: ${availability.reason}`);
    results['store'] = `skipped: ${availability.reason}`;
    return;
  }
  const redis = await startRedis();
  const shim = await startUpstashShim({ redisUrl: redis.url });
  const resp = await RespClient.connect(redis.url);
  try {
    const secrets = { TWILIO_DRY_RUN: 'true', UPSTASH_REDIS_REST_URL: shim.url, UPSTASH_REDIS_REST_TOKEN: shim.token, GUARD_KEY_PREFIX: 'bench', GUARD_STORE_TIMEOUT: '2s' };
    await benchDecisions(action, secrets, 25);
    const commandCalls = async () => {
      const info = String(await resp.send(['INFO', 'commandstats']));
      return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    };
    const dbsize = async () => Number(await resp.send(['DBSIZE']));
    const decisions = 1000;
    shim.resetRequests();
    const keysBefore = await dbsize();
    const callsBefore = await commandCalls();
    const local = await benchDecisions(action, secrets, decisions + 20);
    const callsAfter = await commandCalls();
    const requests = shim.requests.length;
    // INFO itself is one command call.
    results['store'] = {
      requests_per_decision: requests / (decisions + 20),
      redis_commands_per_decision: Math.round(((callsAfter - callsBefore - 1) / (decisions + 20)) * 100) / 100,
      keys_per_1000_decisions: Math.round(((await dbsize()) - keysBefore) / ((decisions + 20) / 1000)),
      decision_ms_local_redis: local.decide,
    };
    shim.latencyMs = 20;
    const remote = await benchDecisions(action, secrets, 220);
    (results['store'] as Record<string, unknown>)['decision_ms_store_20ms_away'] = remote.decide;
  } finally {
    resp.close();
    await shim.close();
    await redis.stop();
  }
}

async function benchTwilioClients(): Promise<void> {
  const server = await startTwilioServer();
  try {
    const sdkEntry = join(OUT, 'twilio-sdk-entry.js');
    writeFileSync(
      sdkEntry,
      `const twilio = require('twilio');
exports.send = async (baseUrl, sid, token, to) => {
  const client = twilio(sid, token);
  client.api.baseUrl = baseUrl;
  return client.messages.create({ to, from: '+15005550006', body: 'Your code is 000000', validityPeriod: 600 });
};\n`,
    );
    const sdkBundle = join(OUT, 'twilio-sdk-bundle.js');
    await build({ entryPoints: [sdkEntry], outfile: sdkBundle, bundle: true, platform: 'node', target: ['node18'], format: 'cjs', minify: true, logLevel: 'silent', nodePaths: [join(ROOT, 'node_modules')] });
    const sdkBytes = execFileSync(process.execPath, ['-e', `process.stdout.write(String(require('fs').statSync(${JSON.stringify(sdkBundle)}).size))`]).toString();
    // Asynchronous children: the Twilio test server answers from this process's event loop.
    const run = promisify(execFile);
    const firstSend = async (file: string, call: string) => {
      const samples: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const script = `const t=process.hrtime.bigint();const m=require(${JSON.stringify(file)});${call}.then(()=>process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6)))`;
        samples.push(Number((await run(process.execPath, ['-e', script], { cwd: ROOT })).stdout));
      }
      return median(samples);
    };
    const leanFile = join(DIST, 'send-phone-message.js');
    const leanSecrets = JSON.stringify({ TWILIO_ACCOUNT_SID: server.accountSid, TWILIO_AUTH_TOKEN: server.authToken, TWILIO_FROM_NUMBER: '+15005550006', TWILIO_BASE_URL: server.url });
    const leanEvent = `{message_options:{action:'enrollment',code:'000000',message_type:'sms',recipient:'+14155552671',text:'Your code is 000000'},request:{ip:'198.51.100.7'},user:{user_id:'auth0|b',app_metadata:{}},tenant:{id:'bench'},secrets:${leanSecrets}}`;
    const silenceLogs = 'console.log=()=>{},';
    results['twilio_client'] = {
      sdk: {
        bundle_bytes: Number(sdkBytes),
        require_ms: coldRequireMs(sdkBundle),
        first_send_ms: await firstSend(sdkBundle, `m.send(${JSON.stringify(server.url)},${JSON.stringify(server.accountSid)},${JSON.stringify(server.authToken)},'+14155552671')`),
      },
      lean_action: {
        bundle_bytes: Number(execFileSync(process.execPath, ['-e', `process.stdout.write(String(require('fs').statSync(${JSON.stringify(leanFile)}).size))`]).toString()),
        require_ms: coldRequireMs(leanFile),
        first_send_ms: await firstSend(leanFile, `(${silenceLogs}m.onExecuteSendPhoneMessage(${leanEvent},{cache:{}}))`),
      },
    };
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const built = await buildActions({ quiet: true });
  for (const action of built) {
    const code = execFileSync(process.execPath, ['-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(action.file)}))`]);
    results[`bundle_${action.name}`] = {
      bytes: action.bytes,
      gzip_bytes: gzipSync(code).length,
      dependencies: action.dependencies.map((dep) => `${dep.name}@${dep.version}`),
      cold_require_ms: coldRequireMs(action.file),
    };
  }
  await benchStatic();
  const action = loadAction(join(DIST, 'send-phone-message.js'), { allowedPackages: ACTION_PACKAGES, retainLogs: false });
  results['action_embedded_store'] = await benchDecisions(action, { TWILIO_DRY_RUN: 'true', GUARD_KEY_PREFIX: 'bench-embedded' }, 2020);
  await benchStore(action);
  await benchTwilioClients();
  writeFileSync(join(OUT, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify(results, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
