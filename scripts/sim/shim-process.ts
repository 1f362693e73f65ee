/**
 * The Upstash shim in a process of its own (`tsx scripts/sim/shim-process.ts <redis-url>`): the
 * simulator's event loop then runs only the Action and the monitor, and the shim's HTTP work runs
 * beside it on the other core. Prints one JSON line `{"url","token"}` once listening; exits when
 * its parent closes stdin.
 */
import { startUpstashShim } from '../../tests/support/upstash-shim';

async function main(): Promise<void> {
  const redisUrl = process.argv[2];
  if (redisUrl === undefined) throw new Error('usage: shim-process.ts <redis-url>');
  const shim = await startUpstashShim({ redisUrl });
  // Nothing reads the recorded requests here: drop them as they come.
  setInterval(() => shim.resetRequests(), 1000).unref();
  process.stdout.write(`${JSON.stringify({ url: shim.url, token: shim.token })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void shim.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
