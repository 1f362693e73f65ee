/**
 * Okta telephony inline hook server (Okta Identity Engine): `node dist/okta-telephony-hook.js`
 * listens on PORT (default 8787; HOST default 0.0.0.0) and serves POST /okta/telephony-hook and
 * GET /healthz. Configuration: the Actions' secret names as environment variables, plus
 * OKTA_HOOK_AUTH_SECRET. Entry point only: the guard is shared/okta/app.ts.
 */
import { serve } from '@hono/node-server';
import { buildSendContainer } from '../shared/send/container';
import { createOktaHookApp } from '../shared/okta/app';
import { hookConfigFromEnv } from '../shared/okta/hook-config';
import { hookLine } from '../shared/okta/hook-handler';

const DEFAULT_PORT = 8787;
const print = (line: string) => console.log(line);

function fail(reason: string): never {
  console.error(hookLine('cannot-start', { reason }));
  process.exit(1);
}

function readPort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_PORT;
  const port = Number(raw.trim());
  if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`PORT is invalid: expected a port number from 0 to 65535, got ${JSON.stringify(raw.slice(0, 20))}`);
  return port;
}

function main(): void {
  const started = performance.now();
  const config = hookConfigFromEnv(process.env);
  if (config.authSecret === undefined) fail(config.problem ?? 'OKTA_HOOK_AUTH_SECRET is unusable');
  const authSecret = config.authSecret;
  const port = readPort(process.env['PORT']);
  const hostname = process.env['HOST']?.trim() || '0.0.0.0';
  // Built once: the environment of a process does not change.
  const container = buildSendContainer(config.secrets, print);
  const app = createOktaHookApp({ setup: () => ({ container, authSecret }), log: print });
  const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
    print(
      hookLine('listening', {
        port: info.port,
        host: hostname,
        mode: container.policy.mode,
        delivery: container.delivery.kind,
        store: container.guardFor('okta').storeKind,
        config_errors: container.configErrors.length > 0 ? container.configErrors : undefined,
        notes: config.notes.length > 0 ? config.notes : undefined,
        start_ms: Math.round((performance.now() - started) * 10) / 10,
      }),
    );
  });
  // A client that trickles its request must not hold a socket for long (Okta sends ~1 kB at
  // once); idle keep-alive connections from Okta stay open longer than a typical proxy's 60 s.
  if ('headersTimeout' in server) {
    server.headersTimeout = 5000;
    server.requestTimeout = 5000;
    server.keepAliveTimeout = 65_000;
  }
  server.on('error', (error: Error) => fail(`cannot listen on ${hostname}:${port}: ${error.message}`));
  const stop = (signal: string) => {
    print(hookLine('stopping', { signal }));
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main();
