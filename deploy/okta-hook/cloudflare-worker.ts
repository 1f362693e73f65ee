/**
 * The same hook app as a Cloudflare Worker (wrangler.toml beside this file; needs the
 * nodejs_compat flag for node:crypto and Buffer). Configuration comes from the Worker's
 * variables and secrets (`wrangler secret put OKTA_HOOK_AUTH_SECRET`), read per request and
 * built into a container once per configuration. Counters need Upstash here: the embedded store
 * lives in one isolate only.
 */
import { ContainerCache, buildSendContainer, type SendContainer } from '../../shared/send/container';
import { createOktaHookApp, type HookSetup } from '../../shared/okta/app';
import { hookConfigFromEnv } from '../../shared/okta/hook-config';

const print = (line: string) => console.log(line);
const containers = new ContainerCache<SendContainer>((secrets) => buildSendContainer(secrets, print));

function setupFrom(env: unknown): HookSetup {
  const config = hookConfigFromEnv(typeof env === 'object' && env !== null ? (env as Record<string, unknown>) : {});
  if (config.authSecret === undefined) return { problem: config.problem ?? 'OKTA_HOOK_AUTH_SECRET is unusable' };
  return { container: containers.get(config.secrets), authSecret: config.authSecret };
}

const app = createOktaHookApp({
  setup: (c) => setupFrom(c.env),
  log: print,
  // The Worker would be stopped after the answer; a delivery still under way is kept alive.
  background: (c, work) => {
    try {
      c.executionCtx.waitUntil(work);
    } catch {
      // No execution context (a plain fetch call outside the Workers runtime): nothing to keep alive.
    }
  },
});

export default app;
