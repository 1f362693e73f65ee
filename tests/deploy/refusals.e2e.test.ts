/**
 * `npx tsx scripts/deploy.ts` refuses, in one message and before any request, an environment with
 * missing or bad values and a dist/ that must not ship (stale, a keyword or a credential inside, a
 * package it does not declare). Each case runs against a live local Management API that must see
 * no request at all; a rejected Management API credential fails at the token, before any change.
 */
import { makeTestCertificate, startManagementApi, type ManagementApiServer, type TestCertificate } from '../support/management-api';
import { FAKE, copyDist, deployEnv, runDeploy, type DistCopy, type RunResult } from './helpers';

const TIMEOUT = 120_000;
let cert: TestCertificate;
let api: ManagementApiServer;
const copies: DistCopy[] = [];

beforeAll(async () => {
  cert = makeTestCertificate();
  api = await startManagementApi({ cert });
});

afterAll(async () => {
  await api.close();
  for (const copy of copies) copy.cleanup();
  cert.cleanup();
});

beforeEach(() => api.clearRequests());

function dist(tamper?: Parameters<typeof copyDist>[0], stamp?: Date): string {
  const copy = copyDist(tamper, stamp);
  copies.push(copy);
  return copy.dir;
}

function expectRefusal(result: RunResult, patterns: RegExp[]): void {
  const output = `exit ${result.status}\n${result.stdout}\n${result.stderr}`;
  expect({ status: result.status, output }).toEqual({ status: 1, output: expect.stringMatching(/deploy: refusing to deploy; \d+ problems? to fix:/) });
  for (const pattern of patterns) expect(output).toMatch(pattern);
  expect(result.stderr).toMatch(/nothing was sent/);
  expect(api.requests).toEqual([]);
}

test(
  'missing and bad values: one message listing all of them, no request',
  async () => {
    const env = deployEnv(api, cert.certFile, {
      AUTH0_CLIENT_SECRET: undefined,
      TWILIO_AUTH_TOKEN: undefined,
      TWILIO_FROM_NUMBER: undefined,
      UPSTASH_REDIS_REST_TOKEN: undefined,
      TWILIO_ACCOUNT_SID: 'AC-not-a-sid',
      GUARD_MODE: 'strict',
      TOLLGUARD_PHONE_EXPERIENCE: 'upe',
    });
    const result = await runDeploy(['--dist', dist()], env);
    expectRefusal(result, [
      /refusing to deploy; 7 problems/,
      /AUTH0_CLIENT_SECRET is not set/,
      /TWILIO_ACCOUNT_SID is invalid/,
      /TWILIO_AUTH_TOKEN is missing/,
      /set one of TWILIO_FROM_NUMBER, TWILIO_MESSAGING_SERVICE_SID or TWILIO_VERIFY_SERVICE_SID/,
      /UPSTASH_REDIS_REST_TOKEN/,
      /GUARD_MODE is invalid/,
      /TOLLGUARD_PHONE_EXPERIENCE must be legacy or unified \(got "upe"\)/,
    ]);
  },
  TIMEOUT,
);

test(
  'no Upstash: refused unless --allow-embedded-store',
  async () => {
    const env = deployEnv(api, cert.certFile, { UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined, AUTH0_CLIENT_ID: undefined });
    const directory = dist();
    expectRefusal(await runDeploy(['--dist', directory], env), [/--allow-embedded-store/, /AUTH0_CLIENT_ID is not set/]);
    // With the flag only the (deliberately) missing client id remains.
    const allowed = await runDeploy(['--allow-embedded-store', '--dist', directory], env);
    expectRefusal(allowed, [/refusing to deploy; 1 problem to fix/, /AUTH0_CLIENT_ID is not set/]);
    expect(allowed.stderr).not.toMatch(/UPSTASH/);
  },
  TIMEOUT,
);

test(
  'a bundle with a keyword placeholder left in it is refused',
  async () => {
    const directory = dist({ file: 'send-phone-message.js', edit: (code) => `${code}\nconst token = "##TWILIO_AUTH_TOKEN##";\n` });
    expectRefusal(await runDeploy(['--dist', directory], deployEnv(api, cert.certFile)), [/send-phone-message.js contains ##TWILIO_AUTH_TOKEN##/]);
  },
  TIMEOUT,
);

test(
  'unified checks the custom-phone-provider bundle it ships (and legacy does not ship it)',
  async () => {
    const directory = dist({ file: 'custom-phone-provider.js', edit: (code) => `${code}\nconst token = "@@TWILIO_AUTH_TOKEN@@";\n` });
    expectRefusal(await runDeploy(['--dist', directory], deployEnv(api, cert.certFile, { TOLLGUARD_PHONE_EXPERIENCE: 'unified', AUTH0_CLIENT_ID: undefined })), [
      /refusing to deploy; 2 problems/,
      /custom-phone-provider.js contains @@TWILIO_AUTH_TOKEN@@/,
    ]);
    const legacy = await runDeploy(['--dist', directory], deployEnv(api, cert.certFile, { AUTH0_CLIENT_ID: undefined }));
    expectRefusal(legacy, [/refusing to deploy; 1 problem to fix/, /AUTH0_CLIENT_ID is not set/]);
  },
  TIMEOUT,
);

test(
  "a bundle with the environment's credential inside is refused without printing it",
  async () => {
    const directory = dist({ file: 'pre-user-registration.js', edit: (code) => `${code}\nconst key = ${JSON.stringify(FAKE.CAPTCHA_SECRET)};\n` });
    const result = await runDeploy(['--dist', directory], deployEnv(api, cert.certFile));
    expectRefusal(result, [/pre-user-registration.js contains the value of CAPTCHA_SECRET/]);
    expect(result.stdout + result.stderr).not.toContain(FAKE.CAPTCHA_SECRET);
  },
  TIMEOUT,
);

test(
  'a bundle with a hard-coded Twilio Account SID is refused',
  async () => {
    const directory = dist({ file: 'send-phone-message.js', edit: (code) => `${code}\nconst sid = "AC${'4f'.repeat(16)}";\n` });
    expectRefusal(await runDeploy(['--dist', directory], deployEnv(api, cert.certFile)), [/Twilio Account SID/]);
  },
  TIMEOUT,
);

test(
  'a stale dist/ and an undeclared package are refused',
  async () => {
    const directory = dist({ file: 'send-phone-message.js', edit: (code) => `${code}\nrequire("left-pad");\n` }, new Date(0));
    expectRefusal(await runDeploy(['--dist', directory], deployEnv(api, cert.certFile)), [/is older than .*: run npm run build/, /requires left-pad, which .*dependencies.json does not declare/]);
  },
  TIMEOUT,
);

test(
  'a rejected Management API credential fails at the token request, before any change',
  async () => {
    const result = await runDeploy(['--dist', dist()], deployEnv(api, cert.certFile, { AUTH0_CLIENT_SECRET: 'wrong-secret-not-real' }));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/could not get a Management API token .* \(401 Unauthorized\)/);
    expect(result.stderr).not.toContain('wrong-secret-not-real');
    expect(api.requests.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual(['POST /oauth/token 401']);
  },
  TIMEOUT,
);
