/**
 * `npm run bench`: tollguard's size and speed figures, measured on the built bundles, printed as
 * tables (docs/benchmarks.md quotes them) and written to .bench/results.json:
 * - every bundle in dist/: size, gzip size, cold load time (fresh Node processes);
 * - decision time p50 / p99: the static engine alone, then each built phone Action on the embedded
 *   store, on real Redis behind the local Upstash shim, and on that shim with 20 ms added;
 * - store requests and Redis commands per decision, keys per 1 000 decisions;
 * - store requests per decision path (scripts/bench/store-paths.ts): normal, resend, blocks, proofs,
 *   Lookup, provider retries, each from the built Actions' decision lines and counted on the wire;
 * - key growth under a flood of distinct prefixes (scripts/bench/key-growth.ts): live keys by family
 *   per 100 000 decisions and as the TTLs pass, and the TTL of every key on Redis;
 * - the `twilio` SDK against tollguard's lean REST client: bundle size, load time, first send;
 * - the Okta hook server (scripts/bench-okta.ts): start time, answer time under load.
 * Timings depend on the machine and its load (printed in the header); counts do not.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { DIST, ROOT, buildActions } from './build';
import { ACTION_PACKAGES } from './lib/action-packages';
import {
  customPhoneProviderEvent,
  loadAction,
  runCustomPhoneProvider,
  runSendPhoneMessage,
  sendPhoneMessageEvent,
  type LoadedAction,
} from '../tests/support/actions-runtime';
import { redisAvailable, startRedis } from '../tests/support/redis-server';
import { startUpstashShim } from '../tests/support/upstash-shim';
import { RespClient } from '../tests/support/resp-client';
import { startTwilioServer } from '../tests/support/twilio-server';
import { runStaticRules } from '../shared/engine/static-rules';
import { STATIC_RULES } from '../shared/rules/registry';
import { NUMBERS, factsFor, policyFrom } from '../tests/support/facts';
import { Random } from './sim/random';
import { mobileNumber } from './sim/numbers';
import { benchOktaHook } from './bench-okta';
import { grouped, ms, renderSection, type BenchSection } from './bench/format';
import { benchStorePaths, storePathSections } from './bench/store-paths';
import { benchKeyGrowth, floodSizes, keyGrowthSections } from './bench/key-growth';

export { grouped, ms, renderTable, type BenchSection } from './bench/format';

const OUT = join(ROOT, '.bench');
const STORE_LATENCY_MS = 20;
const PHONE_TRIGGERS = ['send-phone-message', 'custom-phone-provider'] as const;
type PhoneTrigger = (typeof PHONE_TRIGGERS)[number];

interface Summary {
  p50: number;
  p99: number;
  mean: number;
}

interface DecisionRun {
  decide: Summary;
  handler: Summary;
  samples: number;
}

const results: Record<string, unknown> = {};
const sections: BenchSection[] = [];

function printSection(section: BenchSection): void {
  console.log(`\n${renderSection(section)}`);
}

// ------------------------------------------------------------------------------------------------
// Measuring

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), mean: round(samples.reduce((a, b) => a + b, 0) / samples.length) };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}

/** Milliseconds until `script` (given `file`) prints its own measurement, in a fresh Node process: the median of `runs`. */
function coldMs(script: string, runs = 7): number {
  return median(Array.from({ length: runs }, () => Number(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env: { ...process.env, PORT: '0', HOST: '127.0.0.1' } }).toString())));
}

function coldRequireMs(file: string, runs = 7): number {
  return coldMs(`const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`, runs);
}

/** An ES module bundle (the Worker): time of its dynamic import in Node. */
function coldImportMs(file: string, runs = 7): number {
  return coldMs(`const t=process.hrtime.bigint();import(${JSON.stringify(`file://${file}`)}).then(()=>process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6)))`, runs);
}

/** The hook server starts listening when required: time until its "listening" line (port 0, loopback). */
function coldListenMs(file: string, runs = 7): number {
  const env = `process.env.OKTA_HOOK_AUTH_SECRET='bench-placeholder-auth-value-0123456789';process.env.TWILIO_DRY_RUN='true';`;
  return coldMs(
    `${env}const t=process.hrtime.bigint();console.log=(l)=>{if(String(l).includes('"event":"listening"')){process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));process.exit(0)}};require(${JSON.stringify(file)})`,
    runs,
  );
}

function decisionMs(invocationLogs: readonly string[]): number | undefined {
  const line = invocationLogs.find((entry) => entry.startsWith('{"tollguard":"decision"'));
  if (line === undefined) return undefined;
  return (JSON.parse(line) as { timings_ms?: { decide?: number } }).timings_ms?.decide;
}

/** One ordinary OTP (random mobile number, IP and user) through the built Action of `trigger`. */
async function runOnce(action: LoadedAction, trigger: PhoneTrigger, index: number, random: Random, secrets: Record<string, string>): Promise<{ logs: string[]; durationMs: number }> {
  const recipient = mobileNumber(random.pick(['US', 'GB', 'DE', 'FR', 'ES']), random);
  const request = { ip: random.ipv4() };
  const user = { user_id: `auth0|bench${index}` };
  // A distinct code per message: custom-phone-provider treats a repeated notification as a retry.
  const code = String(100_000 + (index % 900_000));
  if (trigger === 'send-phone-message') {
    const event = sendPhoneMessageEvent({ message_options: { recipient, message_type: 'sms', code, text: `Your code is ${code}` }, request, user });
    event.secrets = secrets;
    return runSendPhoneMessage(action, event);
  }
  const event = customPhoneProviderEvent({ notification: { recipient, delivery_method: 'text', message_type: 'otp_verify', code, as_text: `Your code is ${code}` }, request, user });
  event.secrets = secrets;
  return runCustomPhoneProvider(action, event);
}

const WARM_UP = 20;

async function benchDecisions(action: LoadedAction, trigger: PhoneTrigger, secrets: Record<string, string>, count: number): Promise<DecisionRun> {
  const random = new Random(7);
  const decide: number[] = [];
  const handler: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const invocation = await runOnce(action, trigger, i, random, secrets);
    if (i < WARM_UP) continue;
    const decided = decisionMs(invocation.logs);
    if (decided !== undefined) decide.push(decided);
    handler.push(invocation.durationMs);
  }
  return { decide: summary(decide), handler: summary(handler), samples: decide.length };
}

// ------------------------------------------------------------------------------------------------
// Sections

interface BundleFigures {
  file: string;
  bytes: number;
  gzip_bytes: number;
  cold_load_ms: number;
  load: 'require' | 'import' | 'require until listening';
  dependencies: string[] | 'self-contained';
}

async function benchBundles(): Promise<void> {
  const built = await buildActions({ quiet: true });
  const dependencies = new Map(built.map((action) => [`${action.name}.js`, action.dependencies.map((dep) => `${dep.name}@${dep.version}`)]));
  const files = readdirSync(DIST)
    .filter((name) => /\.(c?js|mjs)$/.test(name))
    .sort((a, b) => Number(dependencies.has(b)) - Number(dependencies.has(a)) || a.localeCompare(b));
  const figures: BundleFigures[] = files.map((name) => {
    const file = join(DIST, name);
    const code = readFileSync(file);
    const load: BundleFigures['load'] = name.endsWith('.mjs') ? 'import' : dependencies.has(name) ? 'require' : 'require until listening';
    const coldLoad = load === 'import' ? coldImportMs(file) : load === 'require' ? coldRequireMs(file) : coldListenMs(file);
    return { file: `dist/${name}`, bytes: statSync(file).size, gzip_bytes: gzipSync(code).length, cold_load_ms: coldLoad, load, dependencies: dependencies.get(name) ?? 'self-contained' };
  });
  results['bundles'] = figures;
  sections.push({
    title: 'Bundles',
    header: ['bundle', 'size', 'gzip', 'cold load', 'npm dependencies (installed by Auth0)'],
    rows: figures.map((bundle) => [
      `\`${bundle.file}\``,
      `${grouped(bundle.bytes)} B`,
      `${grouped(bundle.gzip_bytes)} B`,
      ms(bundle.cold_load_ms),
      bundle.dependencies === 'self-contained' ? 'none: self-contained' : bundle.dependencies.join(', ') || 'none',
    ]),
    notes: [
      'Cold load: median of 7 fresh Node processes, with the bundle\'s npm dependencies. Actions: `require`;',
      'the Okta hook server: `require` until its "listening" line (port 0, loopback); the Worker: `import()` in Node.',
      'Auth0 asks for Action code under 100 000 B; npm dependencies are installed by Auth0 and not counted.',
    ],
  });
}

function benchStatic(): Summary {
  const { policy } = policyFrom({});
  const facts = [NUMBERS.US, NUMBERS.GB_MOBILE, NUMBERS.DE, NUMBERS.NG, NUMBERS.GB_PREMIUM].map((number) => factsFor(number));
  const samples: number[] = [];
  for (let i = 0; i < 20_000; i += 1) {
    const started = performance.now();
    runStaticRules(facts[i % facts.length]!, policy, STATIC_RULES);
    samples.push(performance.now() - started);
  }
  return summary(samples.slice(1000));
}

interface StoreFigures {
  requests_per_decision: number;
  redis_commands_per_decision: number;
  keys_per_1000_decisions: number;
  decision_ms_local_redis: DecisionRun;
  decision_ms_store_20ms_away: DecisionRun;
}

/** Per trigger, on one real Redis (flushed between triggers, so keys are counted from empty). */
async function benchStore(actions: Record<PhoneTrigger, LoadedAction>): Promise<Record<PhoneTrigger, StoreFigures> | string> {
  const availability = redisAvailable();
  if (!availability.available) return `skipped: ${availability.reason}`;
  const redis = await startRedis();
  const shim = await startUpstashShim({ redisUrl: redis.url });
  const resp = await RespClient.connect(redis.url);
  const measured: Partial<Record<PhoneTrigger, StoreFigures>> = {};
  try {
    const commandCalls = async () => {
      const info = String(await resp.send(['INFO', 'commandstats']));
      return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    };
    const dbsize = async () => Number(await resp.send(['DBSIZE']));
    for (const trigger of PHONE_TRIGGERS) {
      const action = actions[trigger];
      const secrets = { TWILIO_DRY_RUN: 'true', UPSTASH_REDIS_REST_URL: shim.url, UPSTASH_REDIS_REST_TOKEN: shim.token, GUARD_KEY_PREFIX: `bench-${trigger}`, GUARD_STORE_TIMEOUT: '2s' };
      shim.latencyMs = 0;
      await benchDecisions(action, trigger, secrets, 25);
      const decisions = 1000 + WARM_UP;
      shim.resetRequests();
      const keysBefore = await dbsize();
      const callsBefore = await commandCalls();
      const local = await benchDecisions(action, trigger, secrets, decisions);
      const callsAfter = await commandCalls();
      const requests = shim.requests.length;
      const keysAfter = await dbsize();
      shim.latencyMs = STORE_LATENCY_MS;
      const remote = await benchDecisions(action, trigger, secrets, 220);
      measured[trigger] = {
        requests_per_decision: Math.round((requests / decisions) * 1000) / 1000,
        // INFO itself is one command call.
        redis_commands_per_decision: Math.round(((callsAfter - callsBefore - 1) / decisions) * 100) / 100,
        keys_per_1000_decisions: Math.round((keysAfter - keysBefore) / (decisions / 1000)),
        decision_ms_local_redis: local,
        decision_ms_store_20ms_away: remote,
      };
    }
  } finally {
    resp.close();
    await shim.close();
    await redis.stop();
  }
  return measured as Record<PhoneTrigger, StoreFigures>;
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
    const sdkVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'twilio', 'package.json'), 'utf8')) as { version: string }).version;
    const figures = {
      sdk: {
        version: sdkVersion,
        bundle_bytes: statSync(sdkBundle).size,
        require_ms: coldRequireMs(sdkBundle),
        first_send_ms: await firstSend(sdkBundle, `m.send(${JSON.stringify(server.url)},${JSON.stringify(server.accountSid)},${JSON.stringify(server.authToken)},'+14155552671')`),
      },
      lean_action: {
        bundle_bytes: statSync(leanFile).size,
        require_ms: coldRequireMs(leanFile),
        first_send_ms: await firstSend(leanFile, `(console.log=()=>{},m.onExecuteSendPhoneMessage(${leanEvent},{cache:{}}))`),
      },
    };
    results['twilio_client'] = figures;
    sections.push({
      title: 'Twilio SDK or lean client',
      header: ['', 'bundle', 'cold require', 'first send (cold process, local Twilio server)'],
      rows: [
        [`\`twilio\` SDK ${figures.sdk.version} (esbuild, minified, \`messages.create\` only)`, `${grouped(figures.sdk.bundle_bytes)} B`, ms(figures.sdk.require_ms), ms(figures.sdk.first_send_ms)],
        ['the whole send-phone-message Action, lean `fetch` client', `${grouped(figures.lean_action.bundle_bytes)} B`, ms(figures.lean_action.require_ms), ms(figures.lean_action.first_send_ms)],
      ],
      notes: [`The SDK bundle alone is ${(figures.sdk.bundle_bytes / 100_000).toFixed(1)} times Auth0's 100 000 B Action budget.`],
    });
  } finally {
    await server.close();
  }
}

const OKTA_SECONDS = 5;
const OKTA_CONCURRENCY = 20;

/** The Okta hook server's figures, measured by scripts/bench-okta.ts over loopback HTTP. */
async function benchOktaSection(): Promise<void> {
  const figures = await benchOktaHook({ seconds: OKTA_SECONDS, concurrency: OKTA_CONCURRENCY, quiet: true });
  results['okta_hook'] = figures;
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
  const load = (name: string, label: string): string[] | undefined => {
    const value = figures[name];
    if (typeof value !== 'object' || value === null) return undefined;
    const run = value as Record<string, unknown>;
    return [label, ms(number(run['p50'])), ms(number(run['p99'])), String(number(run['perSecond']) ?? 'n/a'), String(number(run['errors']) ?? 'n/a')];
  };
  const rows = [
    ['start: spawn to listening (median of 5)', ms(number(figures['startMs'])), '', '', ''],
    ['first answer of a fresh server (embedded store, local Twilio)', ms(number(figures['firstAnswerMs'])), '', '', ''],
    load('loadEmbedded', 'under load: embedded store, local Twilio'),
    load('loadRedis20ms', `under load: Redis via the shim, ${STORE_LATENCY_MS} ms added`),
    load('loadStalledStore', 'under load: stalled store (fails open at the store timeout)'),
  ].filter((row): row is string[] => row !== undefined);
  sections.push({
    title: 'Okta telephony hook server (dist/okta-telephony-hook.js, loopback HTTP)',
    header: ['figure', 'p50 / time', 'p99', 'answers/s', 'errors'],
    rows,
    notes: [`Load: ${OKTA_CONCURRENCY} clients posting back to back for ${OKTA_SECONDS} s (the stalled store: 3 s); one request in ten goes to a high-risk country (refused).`],
  });
}

// ------------------------------------------------------------------------------------------------

function machineLine(): string {
  const [one, five] = loadavg();
  return `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), load average ${one?.toFixed(2)} (1 min) / ${five?.toFixed(2)} (5 min)`;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const startLine = machineLine();
  results['machine_at_start'] = startLine;
  await benchBundles();

  const staticEngine = benchStatic();
  const actions = Object.fromEntries(
    PHONE_TRIGGERS.map((trigger) => [trigger, loadAction(join(DIST, `${trigger}.js`), { allowedPackages: ACTION_PACKAGES, retainLogs: false })]),
  ) as Record<PhoneTrigger, LoadedAction>;
  const embedded = {} as Record<PhoneTrigger, DecisionRun>;
  for (const trigger of PHONE_TRIGGERS) embedded[trigger] = await benchDecisions(actions[trigger], trigger, { TWILIO_DRY_RUN: 'true', GUARD_KEY_PREFIX: `bench-embedded-${trigger}` }, 2020);
  const store = await benchStore(actions);
  results['static_engine_ms'] = staticEngine;
  results['decision_ms_embedded_store'] = embedded;
  results['store'] = store;

  const row = (label: string, run: Summary, invocation?: Summary) => [label, ms(run.p50), ms(run.p99), invocation ? ms(invocation.p50) : 'n/a'];
  const decisionRows = [row('static rules alone (in process, no I/O)', staticEngine)];
  for (const trigger of PHONE_TRIGGERS) decisionRows.push(row(`${trigger}, embedded store`, embedded[trigger].decide, embedded[trigger].handler));
  if (typeof store !== 'string') {
    for (const trigger of PHONE_TRIGGERS) decisionRows.push(row(`${trigger}, Redis via the Upstash shim`, store[trigger].decision_ms_local_redis.decide, store[trigger].decision_ms_local_redis.handler));
    for (const trigger of PHONE_TRIGGERS) {
      decisionRows.push(row(`${trigger}, Redis via the shim, ${STORE_LATENCY_MS} ms added`, store[trigger].decision_ms_store_20ms_away.decide, store[trigger].decision_ms_store_20ms_away.handler));
    }
  }
  sections.push({
    title: 'Decision time',
    header: ['path', 'decide p50', 'decide p99', 'whole invocation p50'],
    rows: decisionRows,
    notes: [
      '"decide" is the `timings_ms.decide` of each decision line (Twilio in dry run); the whole invocation adds',
      'event reading, the log line and the local Actions runtime. Static rules: 19 000 runs; embedded store: 2 000 OTPs;',
      `Redis: 1 000 OTPs; ${STORE_LATENCY_MS} ms added: 200 OTPs; each after ${WARM_UP} warm-up calls. Every OTP goes to a new number.`,
    ],
  });
  sections.push(
    typeof store === 'string'
      ? { title: 'Counter store', header: ['figure', 'value'], rows: [['store figures', store]] }
      : {
          title: 'Counter store (real Redis behind the local Upstash REST shim)',
          header: ['figure', ...PHONE_TRIGGERS],
          rows: [
            ['store requests per decision', ...PHONE_TRIGGERS.map((trigger) => String(store[trigger].requests_per_decision))],
            ['Redis commands per decision (the script\'s, plus the EVAL / EVALSHA)', ...PHONE_TRIGGERS.map((trigger) => String(store[trigger].redis_commands_per_decision))],
            ['keys per 1 000 decisions (all-new numbers, users and IPs)', ...PHONE_TRIGGERS.map((trigger) => grouped(store[trigger].keys_per_1000_decisions))],
          ],
        },
  );
  const paths = await benchStorePaths();
  results['store_paths'] = paths;
  sections.push(...storePathSections(paths));
  const growth = await benchKeyGrowth(floodSizes(process.env));
  results['key_growth'] = { memory: growth.memory, redis: growth.redis };
  sections.push(...keyGrowthSections(growth.memory, growth.redis, growth.sends));
  await benchTwilioClients();
  await benchOktaSection();

  const endLine = machineLine();
  results['machine_at_end'] = endLine;
  writeFileSync(join(OUT, 'results.json'), JSON.stringify(results, null, 2) + '\n');

  console.log('# npm run bench');
  console.log(`\nat start: ${startLine}\nat end:   ${endLine}`);
  console.log('Timings vary with the machine and its load; sizes and counts do not.');
  for (const section of sections) printSection(section);
  console.log('\nAll figures: .bench/results.json');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
}
