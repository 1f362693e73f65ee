/**
 * The counter store of the simulated send worlds: the Upstash REST database named by
 * UPSTASH_REDIS_REST_URL / _TOKEN when both are set, else a throwaway redis-server (REDIS_URL or
 * PATH) behind the Upstash shim, the same real parts the tests use. Both the built Action and the
 * monitor's feedback loop talk to it; without one the worlds run on the embedded store.
 */
import { redisAvailable, startRedis } from '../../tests/support/redis-server';
import { startUpstashShim } from '../../tests/support/upstash-shim';

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
  const shim = await startUpstashShim({ redisUrl: redis.url });
  return {
    endpoint: { url: shim.url, token: shim.token },
    label: `redis-server through the Upstash shim${redis.external ? ' (REDIS_URL)' : ''}`,
    forget: () => shim.resetRequests(),
    close: async () => {
      await shim.close();
      await redis.stop();
    },
  };
}
