/**
 * The counter store of the simulated send worlds: the Upstash REST database named by
 * UPSTASH_REDIS_REST_URL / _TOKEN when both are set, else a throwaway redis-server (REDIS_URL or
 * PATH) behind the Upstash shim, the same real parts the tests use. Both the built Action and the
 * monitor's feedback loop talk to it; without one the worlds run on the embedded store.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { redisAvailable, startRedis } from '../../tests/support/redis-server';

export interface SimStore {
  endpoint: { url: string; token: string };
  label: string;
  /** Drops what the shim recorded of past requests (a long run must not hold them all). */
  forget(): void;
  close(): Promise<void>;
}

export async function openSimStore(): Promise<SimStore | { why: string }> {
  const url = process.env['UPSTASH_REDIS_REST_URL'];
  const token = process.env['UPSTASH_REDIS_REST_TOKEN'];
  if (url && token) return { endpoint: { url, token }, label: 'upstash (UPSTASH_REDIS_REST_URL)', forget: () => undefined, close: async () => undefined };
  const available = redisAvailable();
  if (!available.available) return { why: available.reason };
  const redis = await startRedis();
  // The shim runs in a process of its own (shim-process.ts): a third of the run's wall time otherwise.
  const child = spawn(process.execPath, [...process.execArgv, path.join(__dirname, 'shim-process.ts'), redis.url], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await Promise.race([once(createInterface({ input: child.stdout }), 'line'), once(child, 'exit').then(() => ['exited'])])) as string[];
  let endpoint: { url: string; token: string };
  try {
    endpoint = JSON.parse(line ?? '') as { url: string; token: string };
  } catch {
    await redis.stop();
    return { why: `the Upstash shim process did not start (${line ?? 'no output'})` };
  }
  return {
    endpoint,
    label: `redis-server through the Upstash shim${redis.external ? ' (REDIS_URL)' : ''}`,
    forget: () => undefined,
    close: async () => {
      child.stdin?.end();
      await once(child, 'exit');
      await redis.stop();
    },
  };
}
