import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import {
  ActionTimeoutError,
  CACHE_LIMITS,
  createActionsCache,
  loadAction,
  packageNameOf,
  preUserRegistrationEvent,
  runPreUserRegistration,
  runSendPhoneMessage,
  sendPhoneMessageEvent,
  type LoadOptions,
} from './support/actions-runtime';

const REPO_ROOT = path.resolve(__dirname, '..');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let fixtureDir = '';
let fixtureCount = 0;

beforeAll(() => {
  fixtureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollguard-runtime-'));
});
afterAll(() => {
  fs.rmSync(fixtureDir, { recursive: true, force: true });
});

function writeFixture(code: string): string {
  fixtureCount += 1;
  const file = path.join(fixtureDir, `action-${fixtureCount}.js`);
  fs.writeFileSync(file, code);
  return file;
}

/** Fixtures live in a temp dir, so installed packages resolve from the repo. */
function load(code: string, options: LoadOptions = {}) {
  return loadAction(writeFixture(code), { resolveFrom: REPO_ROOT, ...options });
}

function manualClock(start = Date.UTC(2025, 0, 15, 12, 0, 0)) {
  let current = start;
  return {
    now: () => current,
    advance: (ms: number) => {
      current += ms;
    },
  };
}

describe('loading and warm reuse', () => {
  const COUNTER_ACTION = `
    let initRuns = 0;
    initRuns += 1;
    let calls = 0;
    console.log('module init');
    exports.onExecuteSendPhoneMessage = async (event, api) => {
      calls += 1;
      console.log('init=' + initRuns + ' call=' + calls);
    };
  `;

  it('runs module code once and reuses it across invocations', async () => {
    const action = load(COUNTER_ACTION);
    const runs = [];
    for (let i = 0; i < 5; i += 1) runs.push(await runSendPhoneMessage(action, sendPhoneMessageEvent()));

    expect(runs.map((run) => run.logs)).toEqual([1, 2, 3, 4, 5].map((call) => [`init=1 call=${call}`]));
    expect(runs.every((run) => run.error === undefined)).toBe(true);
    expect(action.initLogs).toEqual(['module init']);
    expect(action.loadMs).toBeGreaterThanOrEqual(0);
  });

  it('gives each loadAction call its own container', async () => {
    const file = writeFixture(COUNTER_ACTION);
    const first = loadAction(file);
    await runSendPhoneMessage(first, sendPhoneMessageEvent());
    const second = loadAction(file);

    expect((await runSendPhoneMessage(second, sendPhoneMessageEvent())).logs).toEqual(['init=1 call=1']);
    expect(second.cache).not.toBe(first.cache);
    expect(second.file).toBe(file);
  });

  it('reads the handler from a reassigned module.exports', async () => {
    const action = load(`
      "use strict";
      async function onExecuteSendPhoneMessage() { console.log('reassigned'); }
      module.exports = { onExecuteSendPhoneMessage };
    `);
    expect(Object.keys(action.exports)).toEqual(['onExecuteSendPhoneMessage']);
    expect((await runSendPhoneMessage(action, sendPhoneMessageEvent())).logs).toEqual(['reassigned']);
  });

  it('runs real esbuild cjs output that requires a declared package', async () => {
    const built = buildSync({
      stdin: {
        contents: `
          import type { SendPhoneMessageEvent } from '../shared/auth0/types';
          import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
          export const onExecuteSendPhoneMessage = async (event: SendPhoneMessageEvent) => {
            const phone = parsePhoneNumberFromString(event.message_options.recipient);
            console.log('valid=%s country=%s', phone?.isValid(), phone?.country);
          };
        `,
        loader: 'ts',
        resolveDir: REPO_ROOT,
      },
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node18',
      packages: 'external',
      write: false,
    });
    const code = built.outputFiles[0]?.text ?? '';
    expect(code).toContain('module.exports = __toCommonJS');

    const action = load(code, { allowedPackages: ['libphonenumber-js'] });
    const run = await runSendPhoneMessage(action, sendPhoneMessageEvent());
    expect(run.error).toBeUndefined();
    expect(run.logs).toEqual(['valid=true country=US']);
  });

  it('propagates an error thrown while the module initialises', () => {
    const init = () => load(`\nthrow new RangeError('init exploded');`);
    expect(init).toThrow(RangeError);
    expect(init).toThrow('init exploded');
  });

  it('keeps stack traces pointing at the file lines', async () => {
    const file = writeFixture(`"use strict";\nexports.onExecuteSendPhoneMessage = async () => {\n  throw new Error('line three');\n};\n`);
    const run = await runSendPhoneMessage(loadAction(file), sendPhoneMessageEvent());
    expect(run.error?.stack).toContain(`${file}:3:9`);
  });

  it('exposes Node globals and hides process.env', async () => {
    process.env.TOLLGUARD_RUNTIME_LEAK = 'leaked';
    try {
      const action = load(`
        exports.onExecuteSendPhoneMessage = async (event) => {
          const globalsPresent = [typeof fetch, typeof URL, typeof AbortController, typeof TextEncoder,
            typeof crypto.randomUUID, typeof setTimeout].every((type) => type === 'function');
          console.log('globals=%s', globalsPresent);
          console.log('env=%s secret=%s', process.env.TOLLGUARD_RUNTIME_LEAK, event.secrets.TWILIO_AUTH_TOKEN);
          console.log('cwd=%s', typeof process.cwd());
        };
      `);
      const run = await runSendPhoneMessage(action, sendPhoneMessageEvent({ secrets: { TWILIO_AUTH_TOKEN: 'tok' } }));
      expect(run.logs).toEqual(['globals=true', 'env=undefined secret=tok', 'cwd=string']);
    } finally {
      delete process.env.TOLLGUARD_RUNTIME_LEAK;
    }
  });

  it('shows the configured env only', async () => {
    const action = load(`exports.onExecuteSendPhoneMessage = async () => console.log(JSON.stringify(process.env));`, {
      env: { NODE_ENV: 'production' },
    });
    expect((await runSendPhoneMessage(action, sendPhoneMessageEvent())).logs).toEqual(['{"NODE_ENV":"production"}']);
  });

  it('gives every invocation its own copy of the event', async () => {
    const action = load(`
      exports.onExecuteSendPhoneMessage = async (event) => { event.message_options.text = 'tampered'; };
    `);
    const event = sendPhoneMessageEvent();
    await runSendPhoneMessage(action, event);
    expect(event.message_options.text).toBe('Your verification code is 123456');
  });
});

describe('console capture', () => {
  it('captures formatted lines per invocation and across the container', async () => {
    const action = load(`
      console.info('booting %s', 'v1');
      exports.onExecuteSendPhoneMessage = async (event) => {
        console.log('to %s via %s', event.message_options.recipient.slice(0, 5), event.message_options.message_type);
        console.warn({ rule: 'geo', blocked: true });
        console.error('count', 3);
        console.debug('done');
      };
    `);
    const spy = jest.spyOn(console, 'log');
    const sms = await runSendPhoneMessage(action, sendPhoneMessageEvent());
    const voice = await runSendPhoneMessage(action, sendPhoneMessageEvent({ message_options: { message_type: 'voice' } }));

    expect(sms.logs).toEqual(['to +1415 via sms', "{ rule: 'geo', blocked: true }", 'count 3', 'done']);
    expect(voice.logs[0]).toBe('to +1415 via voice');
    expect(action.initLogs).toEqual(['booting v1']);
    expect(action.allLogs).toEqual(['booting v1', ...sms.logs, ...voice.logs]);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('keeps logs of concurrent invocations apart', async () => {
    const action = load(`
      exports.onExecuteSendPhoneMessage = async (event) => {
        const id = event.message_options.code;
        console.log('start ' + id);
        await new Promise((resolve) => setTimeout(resolve, Number(event.secrets.DELAY_MS)));
        console.log('end ' + id);
      };
    `);
    const [slow, fast] = await Promise.all([
      runSendPhoneMessage(action, sendPhoneMessageEvent({ message_options: { code: '111111' }, secrets: { DELAY_MS: '40' } })),
      runSendPhoneMessage(action, sendPhoneMessageEvent({ message_options: { code: '222222' }, secrets: { DELAY_MS: '1' } })),
    ]);
    expect(slow.logs).toEqual(['start 111111', 'end 111111']);
    expect(fast.logs).toEqual(['start 222222', 'end 222222']);
    expect(action.allLogs).toHaveLength(4);
  });

  it('prints captured lines as well when echo is on', async () => {
    const action = load(`exports.onExecuteSendPhoneMessage = async () => console.warn('careful');`, { echo: true });
    const spy = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const run = await runSendPhoneMessage(action, sendPhoneMessageEvent());
    expect(run.logs).toEqual(['careful']);
    expect(spy).toHaveBeenCalledWith(expect.stringContaining('careful'));
    spy.mockRestore();
  });
});

describe('restricted require', () => {
  const requiring = (specifier: string) => `
    exports.onExecuteSendPhoneMessage = async () => { require(${JSON.stringify(specifier)}); };
  `;

  it('refuses an undeclared package like Auth0 does', async () => {
    const run = await runSendPhoneMessage(load(requiring('left-pad')), sendPhoneMessageEvent());
    expect(run.error?.message).toBe("Cannot find module 'left-pad'");
    expect(() => load(`require('left-pad');`)).toThrow("Cannot find module 'left-pad'");
  });

  it('refuses an installed package that is not declared', async () => {
    const run = await runSendPhoneMessage(load(requiring('ajv')), sendPhoneMessageEvent());
    expect(run.error?.message).toBe("Cannot find module 'ajv'");
  });

  it('refuses relative and protocol specifiers', async () => {
    for (const specifier of ['./helper', '../x', '/etc/passwd', 'actions:shared']) {
      const run = await runSendPhoneMessage(load(requiring(specifier)), sendPhoneMessageEvent());
      expect(run.error?.message).toBe(`Cannot find module '${specifier}'`);
    }
  });

  it('allows built-ins with and without the node: prefix', async () => {
    const action = load(`
      const { createHash } = require('node:crypto');
      const http = require('http');
      exports.onExecuteSendPhoneMessage = async () => {
        console.log(createHash('sha256').update('x').digest('hex').length, typeof http.request, typeof require('fs/promises').readFile);
      };
    `);
    const run = await runSendPhoneMessage(action, sendPhoneMessageEvent());
    expect(run.error).toBeUndefined();
    expect(run.logs).toEqual(['64 function function']);
  });

  it('allows a declared package and its subpaths', async () => {
    const action = load(
      `
      const Ajv = require('ajv');
      const Ajv2020 = require('ajv/dist/2020');
      exports.onExecuteSendPhoneMessage = async (event) => {
        const validate = new Ajv().compile({ type: 'object', required: ['recipient'] });
        console.log(validate(event.message_options), typeof Ajv2020);
      };
    `,
      { allowedPackages: ['ajv'] },
    );
    const run = await runSendPhoneMessage(action, sendPhoneMessageEvent());
    expect(run.error).toBeUndefined();
    expect(run.logs).toEqual(['true function']);
  });

  it('derives package names from specifiers', () => {
    expect(packageNameOf('libphonenumber-js/max')).toBe('libphonenumber-js');
    expect(packageNameOf('@upstash/redis')).toBe('@upstash/redis');
    expect(packageNameOf('@upstash/redis/nodejs')).toBe('@upstash/redis');
    expect(packageNameOf('@upstash')).toBeUndefined();
    expect(packageNameOf('./local')).toBeUndefined();
  });
});

describe('failures', () => {
  it('puts a thrown error into error, never rethrowing', async () => {
    const action = load(`
      exports.onExecuteSendPhoneMessage = async (event) => {
        if (event.message_options.message_type === 'voice') throw new TypeError('voice refused');
        throw new Error('sms refused: geo');
      };
    `);
    const sms = await runSendPhoneMessage(action, sendPhoneMessageEvent());
    const voice = await runSendPhoneMessage(action, sendPhoneMessageEvent({ message_options: { message_type: 'voice' } }));

    expect(sms.error).toBeInstanceOf(Error);
    expect(sms.error?.message).toBe('sms refused: geo');
    expect(voice.error).toBeInstanceOf(TypeError);
    expect(voice.error?.name).toBe('TypeError');
  });

  it('catches a synchronous throw from a non-async handler and non-Error values', async () => {
    const action = load(`
      exports.onExecuteSendPhoneMessage = (event) => {
        if (event.secrets.MODE === 'string') throw 'plain string';
        throw Object.assign(new Error('with code'), { code: 'E_GUARD' });
      };
    `);
    const coded = await runSendPhoneMessage(action, sendPhoneMessageEvent());
    const plain = await runSendPhoneMessage(action, sendPhoneMessageEvent({ secrets: { MODE: 'string' } }));
    expect(coded.error).toMatchObject({ message: 'with code', code: 'E_GUARD' });
    expect(plain.error?.message).toBe('plain string');
  });

  it('reports a missing handler export clearly', async () => {
    const action = load(`exports.somethingElse = () => undefined;`);
    const run = await runSendPhoneMessage(action, sendPhoneMessageEvent());
    expect(run.error?.message).toContain('dist file does not export onExecuteSendPhoneMessage');
    const registration = await runPreUserRegistration(action, preUserRegistrationEvent());
    expect(registration.error?.message).toContain('dist file does not export onExecutePreUserRegistration');
  });

  it('times out a slow invocation', async () => {
    const action = load(
      `exports.onExecuteSendPhoneMessage = async () => new Promise((resolve) => setTimeout(resolve, 500));`,
      { timeoutMs: 100 },
    );
    const run = await runSendPhoneMessage(action, sendPhoneMessageEvent());
    expect(run.error).toBeInstanceOf(ActionTimeoutError);
    expect(run.error?.message).toMatch(/timed out after 100 ms/);
    expect(run.durationMs).toBeGreaterThanOrEqual(90);
    expect(run.durationMs).toBeLessThan(450);
  });

  it('lets an invocation within the limit finish', async () => {
    const action = load(
      `exports.onExecuteSendPhoneMessage = async () => new Promise((resolve) => setTimeout(resolve, 20));`,
      { timeoutMs: 1000 },
    );
    expect((await runSendPhoneMessage(action, sendPhoneMessageEvent())).error).toBeUndefined();
  });
});

describe('api.cache', () => {
  it('stores and returns records with the default 15 minute TTL', () => {
    const clock = manualClock();
    const cache = createActionsCache(clock.now);
    const written = cache.set('k', 'v');

    expect(written).toEqual({ type: 'success', record: { value: 'v', expires_at: clock.now() + 15 * MINUTE } });
    clock.advance(15 * MINUTE - 1);
    expect(cache.get('k')).toEqual({ value: 'v', expires_at: clock.now() + 1 });
    clock.advance(1);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size()).toBe(0);
  });

  it('honours ttl and expires_at, taking the earlier of both', () => {
    const clock = manualClock();
    const cache = createActionsCache(clock.now);
    const start = clock.now();

    expect(cache.set('ttl', 'a', { ttl: 1000 })).toMatchObject({ record: { expires_at: start + 1000 } });
    expect(cache.set('abs', 'b', { expires_at: start + 5000 })).toMatchObject({ record: { expires_at: start + 5000 } });
    expect(cache.set('both', 'c', { ttl: 9000, expires_at: start + 3000 })).toMatchObject({
      record: { expires_at: start + 3000 },
    });
    clock.advance(1000);
    expect(cache.get('ttl')).toBeUndefined();
    expect(cache.get('abs')?.value).toBe('b');
  });

  it('returns copies, not live records', () => {
    const cache = createActionsCache();
    cache.set('k', 'v');
    const record = cache.get('k');
    if (record) record.value = 'changed';
    expect(cache.get('k')?.value).toBe('v');
  });

  it('limits keys to 64 bytes of UTF-8', () => {
    const cache = createActionsCache();
    expect(cache.set('k'.repeat(64), 'v').type).toBe('success');
    expect(cache.set('k'.repeat(65), 'v')).toEqual({ type: 'error', code: 'CacheKeySizeExceeded' });
    expect(cache.set('é'.repeat(33), 'v')).toEqual({ type: 'error', code: 'CacheKeySizeExceeded' });
  });

  it('limits values to 4096 bytes of UTF-8', () => {
    const cache = createActionsCache();
    expect(cache.set('a', 'x'.repeat(CACHE_LIMITS.maxValueBytes)).type).toBe('success');
    expect(cache.set('b', 'x'.repeat(4097))).toEqual({ type: 'error', code: 'CacheValueSizeExceeded' });
    expect(cache.set('c', '€'.repeat(1366))).toEqual({ type: 'error', code: 'CacheValueSizeExceeded' });
  });

  it('holds at most 20 entries', () => {
    const cache = createActionsCache();
    for (let i = 0; i < 20; i += 1) expect(cache.set(`key-${i}`, 'v').type).toBe('success');

    expect(cache.set('key-20', 'v')).toEqual({ type: 'error', code: 'CacheSizeExceeded' });
    expect(cache.set('key-0', 'overwritten').type).toBe('success');
    expect(cache.delete('key-1')).toEqual({ type: 'success' });
    expect(cache.set('key-20', 'v').type).toBe('success');
    expect(cache.size()).toBe(20);
  });

  it('counts expired entries as free space', () => {
    const clock = manualClock();
    const cache = createActionsCache(clock.now);
    for (let i = 0; i < 20; i += 1) cache.set(`key-${i}`, 'v', { ttl: 1000 });
    clock.advance(1000);
    expect(cache.set('fresh', 'v').type).toBe('success');
    expect(cache.size()).toBe(1);
  });

  it('holds at most 8192 bytes of keys plus values', () => {
    const cache = createActionsCache();
    const nearlyFull = 'x'.repeat(4095);
    expect(cache.set('a', nearlyFull).type).toBe('success');
    expect(cache.set('b', nearlyFull).type).toBe('success'); // exactly 8192 bytes
    expect(cache.set('c', 'x')).toEqual({ type: 'error', code: 'CacheSizeExceeded' });
    expect(cache.set('b', 'x'.repeat(4096))).toEqual({ type: 'error', code: 'CacheSizeExceeded' });
    expect(cache.get('b')?.value).toBe(nearlyFull);
    expect(cache.set('b', 'short').type).toBe('success');
    expect(cache.set('c', 'x').type).toBe('success');
  });

  it('rejects lifetimes that are not positive or exceed 24 hours', () => {
    const clock = manualClock();
    const cache = createActionsCache(clock.now);
    const invalid = { type: 'error', code: 'InvalidExpiry' };

    expect(cache.set('k', 'v', { ttl: 0 })).toEqual(invalid);
    expect(cache.set('k', 'v', { ttl: -5 })).toEqual(invalid);
    expect(cache.set('k', 'v', { ttl: Number.NaN })).toEqual(invalid);
    expect(cache.set('k', 'v', { ttl: 24 * HOUR + 1 })).toEqual(invalid);
    expect(cache.set('k', 'v', { expires_at: clock.now() + 24 * HOUR + 1 })).toEqual(invalid);
    expect(cache.set('k', 'v', { ttl: 24 * HOUR })).toMatchObject({ type: 'success' });
    expect(cache.set('k2', 'v', { expires_at: clock.now() + 24 * HOUR })).toMatchObject({ type: 'success' });
  });

  it('rejects an expires_at that has already passed', () => {
    const clock = manualClock();
    const cache = createActionsCache(clock.now);
    const expired = { type: 'error', code: 'ItemAlreadyExpired' };
    expect(cache.set('k', 'v', { expires_at: clock.now() - 1 })).toEqual(expired);
    expect(cache.set('k', 'v', { expires_at: clock.now() })).toEqual(expired);
    expect(cache.size()).toBe(0);
  });

  it('accepts only string values', () => {
    const cache = createActionsCache();
    const failed = { type: 'error', code: 'FailedToSetCacheRecord' };
    expect(cache.set('n', 42 as unknown as string)).toEqual(failed);
    expect(cache.set('o', { a: 1 } as unknown as string)).toEqual(failed);
    expect(cache.get('n')).toBeUndefined();
  });

  it('deletes, reports missing keys, and clears', () => {
    const cache = createActionsCache();
    cache.set('a', '1');
    cache.set('b', '2');
    expect(cache.delete('a')).toEqual({ type: 'success' });
    expect(cache.get('a')).toBeUndefined();
    expect(cache.delete('a')).toEqual({ type: 'error', code: 'CacheKeyDoesNotExist' });
    cache.clear();
    expect(cache.size()).toBe(0);
  });

  it('keeps a failed write from touching the existing record', () => {
    const cache = createActionsCache();
    cache.set('k', 'original');
    expect(cache.set('k', 'x'.repeat(5000)).type).toBe('error');
    expect(cache.get('k')?.value).toBe('original');
  });

  it('persists across invocations of one loaded action and follows its clock', async () => {
    const clock = manualClock();
    const action = load(
      `
      exports.onExecuteSendPhoneMessage = async (event, api) => {
        const seen = api.cache.get('last');
        console.log('seen=' + (seen ? seen.value : 'none'));
        const written = api.cache.set('last', event.message_options.code, { ttl: 60000 });
        console.log('write=' + written.type);
      };
    `,
      { now: clock.now },
    );
    const first = await runSendPhoneMessage(action, sendPhoneMessageEvent());
    const second = await runSendPhoneMessage(action, sendPhoneMessageEvent({ message_options: { code: '654321' } }));
    clock.advance(60_000);
    const third = await runSendPhoneMessage(action, sendPhoneMessageEvent());

    expect(first.logs).toEqual(['seen=none', 'write=success']);
    expect(second.logs).toEqual(['seen=123456', 'write=success']);
    expect(third.logs).toEqual(['seen=none', 'write=success']);
    expect(action.cache.get('last')).toEqual({ value: '123456', expires_at: clock.now() + 60_000 });
  });
});

describe('pre-user-registration', () => {
  it('captures a deny with reason and user message', async () => {
    const action = load(`
      exports.onExecutePreUserRegistration = async (event, api) => {
        if (event.request.geoip.countryCode === 'LV') api.access.deny('geo_blocked:LV', 'Sign-up is not available.');
      };
    `);
    const denied = await runPreUserRegistration(
      action,
      preUserRegistrationEvent({ request: { geoip: { countryCode: 'LV' } } }),
    );
    const allowed = await runPreUserRegistration(action, preUserRegistrationEvent());

    expect(denied.error).toBeUndefined();
    expect(denied.result?.denied).toEqual({ reason: 'geo_blocked:LV', userMessage: 'Sign-up is not available.' });
    expect(allowed.result?.denied).toBeUndefined();
  });

  it('counts only the first deny or validation error', async () => {
    const action = load(`
      exports.onExecutePreUserRegistration = async (event, api) => {
        if (event.secrets.ORDER === 'deny-first') {
          api.access.deny('first', 'Nope.');
          api.access.deny('second', 'Still nope.');
          api.validation.error('late', 'ignored');
        } else {
          api.validation.error('captcha_missing', 'Please complete the CAPTCHA');
          api.access.deny('after', 'ignored');
        }
      };
    `);
    const denyFirst = await runPreUserRegistration(action, preUserRegistrationEvent({ secrets: { ORDER: 'deny-first' } }));
    const validationFirst = await runPreUserRegistration(action, preUserRegistrationEvent());

    expect(denyFirst.result).toMatchObject({ denied: { reason: 'first', userMessage: 'Nope.' } });
    expect(denyFirst.result?.validationError).toBeUndefined();
    expect(validationFirst.result).toMatchObject({
      validationError: { code: 'captcha_missing', message: 'Please complete the CAPTCHA' },
    });
    expect(validationFirst.result?.denied).toBeUndefined();
  });

  it('aggregates metadata, null removing a key', async () => {
    const action = load(`
      exports.onExecutePreUserRegistration = async (event, api) => {
        const trust = { level: 'low', signals: ['captcha'] };
        api.user.setAppMetadata('tollguard', trust);
        trust.level = 'mutated after the call';
        api.user.setAppMetadata('temp', 1);
        api.user.setAppMetadata('temp', null);
        api.user.setAppMetadata('legacy', null);
        api.user.setUserMetadata('locale', 'en');
      };
    `);
    const run = await runPreUserRegistration(
      action,
      preUserRegistrationEvent({ user: { app_metadata: { legacy: true, kept: 'yes' } } }),
    );
    expect(run.result?.appMetadata).toEqual({ kept: 'yes', tollguard: { level: 'low', signals: ['captcha'] } });
    expect(run.result?.userMetadata).toEqual({ locale: 'en' });
  });

  it('keeps what was recorded when the handler throws after it', async () => {
    const action = load(`
      exports.onExecutePreUserRegistration = async (event, api) => {
        api.access.deny('bot', 'Nope.');
        throw new Error('bug after deny');
      };
    `);
    const run = await runPreUserRegistration(action, preUserRegistrationEvent());
    expect(run.error?.message).toBe('bug after deny');
    expect(run.result?.denied?.reason).toBe('bot');
  });

  it('shares the action cache with the registration api', async () => {
    const action = load(`
      exports.onExecutePreUserRegistration = async (event, api) => { api.cache.set('seen', event.user.email); };
    `);
    await runPreUserRegistration(action, preUserRegistrationEvent());
    expect(action.cache.get('seen')?.value).toBe('new.user@example.com');
  });
});

describe('event builders', () => {
  it('builds a realistic send-phone-message v2 event', () => {
    const event = sendPhoneMessageEvent();
    expect(event).toMatchObject({
      message_options: {
        action: 'enrollment',
        code: '123456',
        message_type: 'sms',
        text: 'Your verification code is 123456',
      },
      request: { ip: '198.51.100.7', method: 'POST', language: 'en', geoip: { countryCode: 'US' } },
      user: { app_metadata: {}, user_metadata: {} },
      tenant: { id: 'tollguard-test' },
      secrets: {},
    });
    expect(event.user?.user_id).toMatch(/^auth0\|/);
    expect(event.user?.email).toContain('@');
    expect(new Date(event.user?.created_at ?? '').toISOString()).toBe(event.user?.created_at);
    expect(new Date(event.user?.updated_at ?? '').toISOString()).toBe(event.user?.updated_at);
    expect(event.request.hostname).toBeTruthy();
    expect(event.request.user_agent).toBeTruthy();
    expect(event.client).toMatchObject({ client_id: expect.any(String), name: expect.any(String) });
    expect(event.transaction?.correlation_id).toBeTruthy();
    expect(parsePhoneNumberFromString(event.message_options.recipient)?.isValid()).toBe(true);
  });

  it('builds a realistic pre-user-registration v2 event', () => {
    const event = preUserRegistrationEvent();
    expect(event).toMatchObject({
      user: { email: 'new.user@example.com', app_metadata: {}, user_metadata: {} },
      request: { ip: '198.51.100.7', body: {}, geoip: { countryCode: 'US' } },
      connection: { name: 'Username-Password-Authentication', strategy: 'auth0' },
      tenant: { id: 'tollguard-test' },
      secrets: {},
    });
    expect(event.connection.id).toMatch(/^con_/);
    expect(event.user.user_id).toBeUndefined();
  });

  it('deep-merges overrides, keeping siblings', () => {
    const event = sendPhoneMessageEvent({
      message_options: { recipient: '+37120000000', message_type: 'voice' },
      request: { geoip: { countryCode: 'LV' } },
      secrets: { GUARD_MODE: 'monitor' },
    });
    expect(event.message_options).toMatchObject({ recipient: '+37120000000', message_type: 'voice', code: '123456' });
    expect(event.request.geoip).toMatchObject({ countryCode: 'LV', cityName: 'San Francisco' });
    expect(event.secrets).toEqual({ GUARD_MODE: 'monitor' });
  });

  it('removes keys whose override is undefined', () => {
    const event = sendPhoneMessageEvent({ message_options: { recipient: undefined }, user: undefined });
    expect('recipient' in event.message_options).toBe(false);
    expect('user' in event).toBe(false);
    expect(event.message_options.code).toBe('123456');
  });

  it('replaces arrays and builds fresh objects each call', () => {
    const scopes = ['openid'];
    const event = preUserRegistrationEvent({ transaction: { requested_scopes: scopes } });
    scopes.push('offline_access');
    expect(event.transaction?.requested_scopes).toEqual(['openid']);

    const first = sendPhoneMessageEvent();
    first.secrets.X = 'mutated';
    expect(sendPhoneMessageEvent().secrets).toEqual({});
  });
});
