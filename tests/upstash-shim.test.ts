/**
 * The local Upstash REST shim in front of a real Redis, exercised with the real @upstash/redis
 * client and with raw fetch for each error shape of the SRH contract.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { Redis, type RedisConfigNodejs } from '@upstash/redis';
import { describeWithRedis, startRedis, type RedisHandle } from './support/redis-server';
import { RespClient, RespError, parseReply, type RespValue } from './support/resp-client';
import { startUpstashShim, type UpstashShim } from './support/upstash-shim';

/** Tests that stop or pause the server need a spawned one, not a shared REDIS_URL. */
const itSpawned = process.env.REDIS_URL ? it.skip : it;

let keySeq = 0;
const run = randomBytes(4).toString('hex');
const key = (name: string) => `shim-test:${run}:${++keySeq}:${name}`;

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

describe('RespClient parser (no server)', () => {
  const parseAll = (text: string): RespValue | undefined => parseReply(Buffer.from(text, 'binary'), 0)?.value;

  it('parses every RESP2 type, nested arrays and null bulk/array', () => {
    expect(parseAll('+OK\r\n')).toBe('OK');
    expect(parseAll(':-42\r\n')).toBe(-42);
    expect(parseAll('$-1\r\n')).toBeNull();
    expect(parseAll('*-1\r\n')).toBeNull();
    expect(parseAll('$3\r\na\r\n\r\n')).toEqual(Buffer.from('a\r\n'));
    const err = parseAll('-ERR boom\r\n');
    expect(err).toBeInstanceOf(RespError);
    expect((err as RespError).message).toBe('ERR boom');
    expect(parseAll('*3\r\n:1\r\n*2\r\n$1\r\nx\r\n$-1\r\n*0\r\n')).toEqual([1, [Buffer.from('x'), null], []]);
  });

  it('waits for the whole reply when bytes arrive piecemeal', () => {
    const whole = '*2\r\n$5\r\nhello\r\n:7\r\n';
    for (let cut = 0; cut < whole.length; cut++) {
      expect(parseReply(Buffer.from(whole.slice(0, cut)), 0)).toBeUndefined();
    }
    expect(parseReply(Buffer.from(whole), 0)?.next).toBe(whole.length);
  });
});

describeWithRedis('Upstash REST shim over a real Redis', () => {
  let redisServer: RedisHandle;
  let shim: UpstashShim;
  let raw: RespClient;

  const client = (opts: Partial<RedisConfigNodejs> = {}) =>
    new Redis({ url: shim.url, token: shim.token, retry: false, enableTelemetry: false, ...opts });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${shim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${shim.token}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const postJson = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await post(path, body, headers);
    return { status: res.status, body: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    redisServer = await startRedis();
    shim = await startUpstashShim({ redisUrl: redisServer.url });
    raw = await RespClient.connect(redisServer.url);
  });

  afterAll(async () => {
    raw?.close();
    await shim?.close();
    await redisServer?.stop();
  });

  beforeEach(() => {
    shim.latencyMs = 0;
    shim.fail = null;
    shim.dropConnections = false;
    shim.resetRequests();
  });

  describe('RespClient against Redis', () => {
    it('pipelines many commands and matches replies in order', async () => {
      const k = key('counter');
      const replies = await raw.sendPipeline(Array.from({ length: 200 }, () => ['INCR', k]));
      expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    });

    it('keeps bulk strings binary-safe and returns error replies as values', async () => {
      const k = key('bin');
      const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x80]);
      expect(await raw.send(['SET', k, bytes])).toBe('OK');
      expect(await raw.send(['GET', k])).toEqual(bytes);
      const err = await raw.send(['INCR', k]);
      expect(err).toBeInstanceOf(RespError);
      expect(await raw.send(['BLPOP', key('empty'), '0.01'])).toBeNull(); // null array
    });
  });

  describe('@upstash/redis, default base64 encoding and auto-pipelining', () => {
    it('round-trips non-ASCII and binary-looking strings', async () => {
      const redis = client();
      const values = ['héllo wörld ✓ 📞 +44 7700 900123', 'OK', 'aGVsbG8=', '\u0000\u0001\u00ff', 'line\r\nbreak'];
      for (const value of values) {
        const k = key('str');
        expect(await redis.set(k, value)).toBe('OK');
        expect(await redis.get<string>(k)).toBe(value);
      }
      expect(await redis.get(key('missing'))).toBeNull();
    });

    it('increments, hashes and expiries', async () => {
      const redis = client();
      const counter = key('n');
      expect(await redis.incr(counter)).toBe(1);
      expect(await redis.incrby(counter, 41)).toBe(42);
      const hash = key('h');
      expect(await redis.hset(hash, { a: 'x', b: 2 })).toBe(2);
      expect(await redis.hgetall(hash)).toEqual({ a: 'x', b: 2 });
      expect(await redis.expire(counter, 100)).toBe(1);
      const ttl = await redis.ttl(counter);
      expect(ttl).toBeGreaterThan(90);
      expect(ttl).toBeLessThanOrEqual(100);
      expect(await redis.ttl(key('none'))).toBe(-2);
    });

    it('pipeline() throws on an erroring command, or keeps errors inline with keepErrors', async () => {
      const redis = client();
      const text = key('text');
      const build = () => redis.pipeline().set(text, 'abc').incr(text).get(text);
      await expect(build().exec()).rejects.toThrow(/Command 2 \[ incr \] failed: ERR value is not an integer/);
      const kept = await build().exec({ keepErrors: true });
      expect(kept.map((r) => r.error)).toEqual([undefined, expect.stringMatching(/^ERR value is not an integer/), undefined]);
      expect(kept[2]?.result).toBe('abc');
    });

    it('multi() runs a transaction on /multi-exec', async () => {
      const redis = client();
      const k = key('tx');
      const results = await redis.multi().incr(k).incr(k).get(k).exec();
      expect(results).toEqual([1, 2, 2]);
      expect(shim.requests.map((r) => r.path)).toEqual(['/multi-exec']);
    });

    it('multi() with a command Redis refuses at queue time throws (EXECABORT)', async () => {
      const redis = client();
      const k = key('tx');
      const tx = redis.multi().set(k, 'v').hset(key('h'), {}); // ["hset", key]: wrong arity
      await expect(tx.exec()).rejects.toThrow(/EXECABORT/);
      expect(await redis.get(k)).toBeNull();
    });

    it('eval passes keys and args and returns nested arrays', async () => {
      const redis = client();
      const script = 'return {KEYS[1], ARGV[1], tonumber(ARGV[2]) + 1, {ARGV[1]}}';
      expect(await redis.eval(script, ['k:é'], ['ü', 41])).toEqual(['k:é', 'ü', 42, ['ü']]);
    });

    it('createScript().exec falls back from EVALSHA to EVAL on NOSCRIPT, also after SCRIPT FLUSH', async () => {
      const redis = client();
      const script = redis.createScript<number>(`return redis.call('INCRBY', KEYS[1], ARGV[1]) -- ${run}`);
      const k = key('script');
      const names = () => shim.requests.flatMap((r) => r.commands.map((c) => c[0]));

      expect(await script.exec([k], ['5'])).toBe(5);
      expect(names()).toEqual(['evalsha', 'eval']);
      shim.resetRequests();
      expect(await script.exec([k], ['5'])).toBe(10);
      expect(names()).toEqual(['evalsha']);

      expect(await raw.send(['SCRIPT', 'FLUSH'])).toBe('OK');
      shim.resetRequests();
      expect(await script.exec([k], ['1'])).toBe(11);
      expect(names()).toEqual(['evalsha', 'eval']);
    });

    it('evalsha of an unknown script surfaces NOSCRIPT; scriptLoad makes it work', async () => {
      const redis = client();
      const body = `return ARGV[1] .. '${run}'`;
      const sha = await redis.scriptLoad(body);
      expect(await redis.evalsha(sha, [], ['x'])).toBe(`x${run}`);
      await expect(redis.evalsha('0'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
    });

    it('batches same-tick commands into one /pipeline request; pipeline() is one request with N commands', async () => {
      const redis = client();
      const a = key('a');
      await Promise.all([redis.set(a, '1'), redis.incr(a), redis.incr(a)]);
      expect(shim.requests).toHaveLength(1);
      expect(shim.requests[0]?.commands).toEqual([['set', a, '1'], ['incr', a], ['incr', a]]);

      shim.resetRequests();
      await redis.pipeline().get(a).incr(a).ttl(a).exec();
      expect(shim.requests.map((r) => [r.path, r.commands.length])).toEqual([['/pipeline', 3]]);
    });

    it('records what the client sends: POST, exact application/json, bearer token, base64 encoding header', async () => {
      await client().get(key('x'));
      const headers = shim.requests[0]?.headers ?? {};
      expect(shim.requests[0]?.method).toBe('POST');
      expect(headers['content-type']).toBe('application/json');
      expect(headers.authorization).toBe(`Bearer ${shim.token}`);
      expect(headers['upstash-encoding']).toBe('base64');
    });
  });

  describe('@upstash/redis, other client settings', () => {
    it('responseEncoding: false gets plain UTF-8 strings (no Upstash-Encoding header)', async () => {
      const redis = client({ responseEncoding: false });
      const k = key('plain');
      const value = 'zürich ☎ 0x00';
      await redis.set(k, value);
      expect(await redis.get(k)).toBe(value);
      expect(await redis.eval('return {ARGV[1], 7}', [], [value])).toEqual([value, 7]);
      expect(shim.requests.every((r) => r.headers['upstash-encoding'] === undefined)).toBe(true);
    });

    it('without auto-pipelining a command is POST / and a Redis error becomes a thrown UpstashError', async () => {
      const redis = client({ enableAutoPipelining: false });
      const k = key('single');
      await redis.set(k, 'abc');
      await expect(redis.incr(k)).rejects.toThrow(/ERR value is not an integer/);
      expect(shim.requests.map((r) => r.path)).toEqual(['/', '/']);
    });
  });

  describe('failure simulation', () => {
    it('a wrong token makes the client throw', async () => {
      const redis = new Redis({ url: shim.url, token: 'wrong', retry: false });
      await expect(redis.get(key('x'))).rejects.toThrow(/Invalid token/);
    });

    it('fail answers every request with the given status and body', async () => {
      shim.fail = { status: 503, body: 'upstream down' };
      const res = await post('/', ['PING']);
      expect([res.status, await res.text()]).toEqual([503, 'upstream down']);
      await expect(client().get(key('x'))).rejects.toThrow(/upstream down/);
      expect(shim.requests).toHaveLength(2);
    });

    it('latencyMs delays every answer', async () => {
      const redis = client();
      await redis.get(key('warm'));
      shim.latencyMs = 80;
      const started = performance.now();
      await redis.get(key('slow'));
      expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    });

    it('dropped connections: retry:false still makes 2 attempts, retry:{retries:0} makes 1', async () => {
      shim.dropConnections = true;
      await expect(client().get(key('x'))).rejects.toThrow();
      expect(shim.requests).toHaveLength(2);
      shim.resetRequests();
      await expect(client({ retry: { retries: 0 } }).get(key('x'))).rejects.toThrow();
      expect(shim.requests).toHaveLength(1);
    });

    it('an unreachable Redis gives 500 "Unable to connect to the Redis server" and the client throws', async () => {
      const port = await closedPort();
      const orphan = await startUpstashShim({ redisUrl: `redis://127.0.0.1:${port}`, token: 't' });
      try {
        const res = await fetch(orphan.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
          body: '["PING"]',
        });
        expect(res.status).toBe(500);
        expect(((await res.json()) as { error: string }).error).toMatch(/Unable to connect to the Redis server/);
        const redis = new Redis({ url: orphan.url, token: 't', retry: false });
        await expect(redis.get('x')).rejects.toThrow(/Unable to connect to the Redis server/);
      } finally {
        await orphan.close();
      }
    });

    itSpawned('a Redis stopped mid-run gives 500 and the client throws', async () => {
      const own = await startRedis();
      const ownShim = await startUpstashShim({ redisUrl: own.url });
      try {
        const redis = new Redis({ url: ownShim.url, token: ownShim.token, retry: false });
        expect(await redis.set('k', 'v')).toBe('OK');
        await own.stop();
        await expect(redis.get('k')).rejects.toThrow(/Unable to connect to the Redis server/);
      } finally {
        await ownShim.close();
        await own.stop();
      }
    });

    itSpawned('a paused (hung) Redis times out with 500, and the shim reconnects after resume', async () => {
      const own = await startRedis();
      const ownShim = await startUpstashShim({ redisUrl: own.url, redisTimeoutMs: 300 });
      try {
        const redis = new Redis({ url: ownShim.url, token: ownShim.token, retry: false });
        await redis.set('k', 'v');
        own.pause();
        const started = performance.now();
        await expect(redis.get('k')).rejects.toThrow(/did not answer within 300 ms/);
        expect(performance.now() - started).toBeGreaterThanOrEqual(250);
        own.resume();
        expect(await redis.get('k')).toBe('v');
      } finally {
        own.resume();
        await ownShim.close();
        await own.stop();
      }
    });
  });

  describe('raw HTTP contract', () => {
    it('GET / answers a JSON welcome string', async () => {
      const res = await fetch(shim.url);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatch(/Serverless Redis HTTP/);
    });

    it('missing or malformed authorization → 400, wrong token → 401', async () => {
      const noAuth = await fetch(shim.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '["PING"]' });
      expect([noAuth.status, await noAuth.json()]).toEqual([400, { error: 'Missing/Invalid authorization header' }]);
      expect(await postJson('/', ['PING'], { authorization: `Token ${shim.token}` })).toEqual({
        status: 400,
        body: { error: 'Missing/Invalid authorization header' },
      });
      expect(await postJson('/', ['PING'], { authorization: 'Bearer nope' })).toEqual({
        status: 401,
        body: { error: 'Invalid token' },
      });
    });

    it('content type must be application/json (a charset parameter is accepted)', async () => {
      expect(await postJson('/', ['PING'], { 'content-type': 'text/plain' })).toEqual({
        status: 400,
        body: { error: 'Invalid content type. Expected application/json.' },
      });
      expect(await postJson('/', ['PING'], { 'content-type': 'application/json; charset=utf-8' })).toEqual({
        status: 200,
        body: { result: 'PONG' },
      });
    });

    it.each([
      ['/', { cmd: 'PING' }],
      ['/', []],
      ['/', ['SET', 'k', { nested: true }]],
      ['/', ['SET', 'k', true]],
      ['/', '["PING"'],
      ['/pipeline', ['PING']],
      ['/pipeline', [['PING'], 'PING']],
      ['/multi-exec', { a: 1 }],
    ])('bad body on %s (%j) → 400 Invalid command array', async (path, body) => {
      const { status, body: answer } = await postJson(path, body);
      expect(status).toBe(400);
      expect((answer as { error: string }).error).toMatch(/^Invalid command array/);
    });

    it('unknown paths and methods → 404', async () => {
      for (const res of [await post('/set/k/v', ['PING']), await fetch(`${shim.url}/pipeline`)]) {
        expect(res.status).toBe(404);
        expect(((await res.json()) as { error: string }).error).toMatch(/Endpoint not found/);
      }
    });

    it('a Redis error on POST / → 400 with the Redis message, never base64-encoded', async () => {
      expect(await postJson('/', ['NOSUCHCMD'], { 'upstash-encoding': 'base64' })).toEqual({
        status: 400,
        body: { error: expect.stringMatching(/^ERR unknown command 'NOSUCHCMD'/) },
      });
    });

    it('Upstash-Encoding: base64 encodes every string (even OK), recursively, leaving numbers and null', async () => {
      const k = key('enc');
      const enc = { 'upstash-encoding': 'base64' };
      expect(await postJson('/', ['SET', k, 'héllo'], enc)).toEqual({ status: 200, body: { result: b64('OK') } });
      expect(await postJson('/', ['GET', k], enc)).toEqual({ status: 200, body: { result: b64('héllo') } });
      expect(await postJson('/', ['STRLEN', k], enc)).toEqual({ status: 200, body: { result: 6 } });
      expect(await postJson('/', ['GET', key('none')], enc)).toEqual({ status: 200, body: { result: null } });
      const nested = await postJson('/', ['EVAL', "return {'a', 1, {'b', false}}", '0'], enc);
      expect(nested.body).toEqual({ result: [b64('a'), 1, [b64('b'), null]] });
    });

    it('base64 keeps the exact bytes of a non-UTF-8 value', async () => {
      const k = key('bytes');
      const bytes = Buffer.from([0xff, 0x00, 0xfe, 0xc3, 0x28]);
      await raw.send(['SET', k, bytes]);
      const { body } = await postJson('/', ['GET', k], { 'upstash-encoding': 'base64' });
      expect(Buffer.from((body as { result: string }).result, 'base64')).toEqual(bytes);
    });

    it('without the encoding header strings are plain UTF-8', async () => {
      const k = key('plain');
      expect(await postJson('/', ['SET', k, 'héllo'])).toEqual({ status: 200, body: { result: 'OK' } });
      expect(await postJson('/', ['GET', k])).toEqual({ status: 200, body: { result: 'héllo' } });
    });

    it('/pipeline answers 200 with Redis errors inline', async () => {
      const k = key('p');
      expect(await postJson('/pipeline', [['SET', k, 'x'], ['INCR', k], ['GET', k]])).toEqual({
        status: 200,
        body: [{ result: 'OK' }, { error: expect.stringMatching(/^ERR value is not an integer/) }, { result: 'x' }],
      });
    });

    it('/multi-exec: results, runtime errors inline, queue-time errors → 400 EXECABORT', async () => {
      const k = key('m');
      expect(await postJson('/multi-exec', [['SET', k, 'x'], ['INCR', k], ['GET', k]])).toEqual({
        status: 200,
        body: [{ result: 'OK' }, { error: expect.stringMatching(/^ERR value is not an integer/) }, { result: 'x' }],
      });
      const aborted = await postJson('/multi-exec', [['SET', k, 'y'], ['NOSUCHCMD']]);
      expect(aborted).toEqual({ status: 400, body: { error: expect.stringMatching(/^EXECABORT/) } });
      expect(await raw.send(['GET', k])).toEqual(Buffer.from('x'));
    });

    it('/multi-exec is not interleaved with concurrent requests', async () => {
      const k = key('atomic');
      const tx = Array.from({ length: 50 }, () => ['RPUSH', k, 'tx']);
      const [txReply] = await Promise.all([
        postJson('/multi-exec', tx),
        ...Array.from({ length: 20 }, () => postJson('/', ['RPUSH', k, 'other'])),
      ]);
      expect(txReply.status).toBe(200);
      const list = ((await raw.send(['LRANGE', k, '0', '-1'])) as Buffer[]).map(String);
      const first = list.indexOf('tx');
      expect(list.slice(first, first + 50)).toEqual(Array(50).fill('tx'));
    });

    it('refuses connection-state commands that would leak into other requests', async () => {
      const { status, body } = await postJson('/', ['MULTI']);
      expect(status).toBe(400);
      expect((body as { error: string }).error).toMatch(/does not support 'MULTI'/);
      expect(await postJson('/', ['PING'])).toEqual({ status: 200, body: { result: 'PONG' } });
    });
  });
});

/** A port on which nothing listens (briefly bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 1;
      server.close(() => resolve(port));
    });
  });
}
