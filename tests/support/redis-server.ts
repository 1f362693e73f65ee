/**
 * A real Redis for tests: either the server named by REDIS_URL, or a throwaway `redis-server`
 * spawned on a free port (no persistence, temp dir, killed on stop and on process exit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { RespClient } from './resp-client';

export interface RedisHandle {
  /** redis://127.0.0.1:port */
  readonly url: string;
  readonly port: number;
  /** True when the server came from REDIS_URL (not ours: stop() leaves it running, pause() is refused). */
  readonly external: boolean;
  /** Kills a spawned server (no-op for REDIS_URL). */
  stop(): Promise<void>;
  /** SIGSTOP: the server keeps its sockets open but answers nothing (a hung store). */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
}

const START_TIMEOUT_MS = 5000;
const REDIS_BINARY = 'redis-server';
const REQUIRE_ENV = 'TOLLGUARD_REQUIRE_REDIS';

function findOnPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function redisAvailable(): { available: boolean; reason: string } {
  const envUrl = process.env.REDIS_URL;
  if (envUrl) return { available: true, reason: `using REDIS_URL=${envUrl}` };
  const binary = findOnPath(REDIS_BINARY);
  if (binary) return { available: true, reason: `spawning ${binary}` };
  return { available: false, reason: `REDIS_URL is not set and ${REDIS_BINARY} is not on PATH` };
}

export function startRedis(): Promise<RedisHandle> {
  const envUrl = process.env.REDIS_URL;
  return envUrl ? useExternalRedis(envUrl) : spawnRedis();
}

// ---------------------------------------------------------------------------------------------
// REDIS_URL

async function useExternalRedis(url: string): Promise<RedisHandle> {
  await waitForPing(url, START_TIMEOUT_MS, () => undefined);
  const refuse = (what: string) => (): never => {
    throw new Error(`${what}() needs a spawned redis-server; it is not supported with REDIS_URL`);
  };
  return {
    url,
    port: Number(new URL(url).port || 6379),
    external: true,
    stop: async () => undefined,
    pause: refuse('pause'),
    resume: refuse('resume'),
  };
}

// ---------------------------------------------------------------------------------------------
// Spawned redis-server

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Makes sure no spawned server outlives the test process, even when a suite forgets stop(). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls PING until PONG; `exited` returns a reason when the server died meanwhile. */
async function waitForPing(url: string, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    const died = exited();
    if (died !== undefined) throw new Error(`redis-server for ${url} exited before answering PING: ${died}`);
    try {
      const client = await RespClient.connect(url, { timeoutMs: 1000 });
      const reply = await client.send(['PING']).finally(() => client.close());
      if (reply === 'PONG') return;
      lastError = `PING answered ${JSON.stringify(reply)}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await sleep(50);
  }
  throw new Error(`Redis at ${url} did not answer PING within ${timeoutMs} ms (${lastError})`);
}

/** Keeps the last few kB of the server's output for error messages. */
function captureOutput(child: ChildProcess): () => string {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output.trim();
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function spawnRedis(): Promise<RedisHandle> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollguard-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn(REDIS_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  installExitHook();
  const output = captureOutput(child);
  let exitReason: string | undefined;
  child.once('error', (err) => (exitReason = `spawn failed: ${err.message}`));
  child.once('exit', (code, signal) => {
    liveChildren.delete(child);
    exitReason ??= `exit code ${String(code)}, signal ${String(signal)}; output: ${output()}`;
  });
  const url = `redis://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    child.kill('SIGKILL');
    await waitForExit(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPing(url, START_TIMEOUT_MS, () => exitReason);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    port,
    external: false,
    stop,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
  };
}

// ---------------------------------------------------------------------------------------------
// Jest helper

const SKIP_BANNER = (reason: string, name: string) =>
  [
    '',
    '#'.repeat(78),
    `##  REDIS-BACKED TESTS SKIPPED: "${name}"`,
    `##  Reason: ${reason}.`,
    '##  Enable them: install redis-server (e.g. apt-get install redis-server)',
    '##  or set REDIS_URL=redis://host:port. CI sets TOLLGUARD_REQUIRE_REDIS=1 so they cannot be skipped.',
    '#'.repeat(78),
    '',
  ].join('\n');

/**
 * `describe` for suites that need a real Redis. Without one the suite is skipped with a loud
 * warning, unless TOLLGUARD_REQUIRE_REDIS=1, in which case it fails.
 */
export function describeWithRedis(name: string, fn: () => void): void {
  const status = redisAvailable();
  if (status.available) {
    describe(name, fn);
  } else if (process.env[REQUIRE_ENV] === '1') {
    describe(name, () => {
      it('needs a Redis server', () => {
        throw new Error(`${REQUIRE_ENV}=1 but no Redis is available: ${status.reason}. Install redis-server or set REDIS_URL.`);
      });
    });
  } else {
    console.warn(SKIP_BANNER(status.reason, name));
    describe.skip(name, fn);
  }
}
