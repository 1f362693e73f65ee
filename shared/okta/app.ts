/**
 * The hook as one Hono app: the same routes on Node (@hono/node-server), Cloudflare Workers and
 * any runtime with the Fetch API. Routing, the Authorization check before any body is read, and a
 * body size limit live here; the decision is hook-handler.ts.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { LogSink } from '../log/decision-log';
import { errorMessage } from '../pipeline/guard-run';
import type { SendContainer } from '../send/container';
import { errorAnswer, handleTelephonyHook, hookLine, isAuthorised } from './hook-handler';

export const HOOK_PATH = '/okta/telephony-hook';
export const HEALTH_PATH = '/healthz';
/** Okta's telephony requests are about 1 kB; nothing legitimate comes close to this. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface ReadySetup {
  container: SendContainer;
  authSecret: string;
}
export type HookSetup = ReadySetup | { problem: string };
type HookEnv = { Variables: { setup: ReadySetup } };

export interface OktaHookAppOptions {
  /** The container and secret for this request (Node: built once; a Worker: from its bindings). */
  setup: (c: Context<HookEnv>) => HookSetup;
  log: LogSink;
  now?: () => number;
  deadlineMs?: number;
  /** Keeps work alive after the answer (a Worker's waitUntil). */
  background?: (c: Context<HookEnv>, work: Promise<unknown>) => void;
}

export function createOktaHookApp(options: OktaHookAppOptions): Hono<HookEnv> {
  const app = new Hono<HookEnv>();
  const now = options.now ?? (() => Date.now());

  app.get(HEALTH_PATH, (c) => c.json({ status: 'ok' }));

  app.post(
    HOOK_PATH,
    async (c, next) => {
      const setup = options.setup(c);
      if ('problem' in setup) {
        options.log(hookLine('not-configured', { reason: setup.problem }));
        return c.json(errorAnswer(500, 'the tollguard hook is not configured', 'NOT_CONFIGURED').body, 500);
      }
      // Refused before the body is read: an unauthenticated caller costs one header comparison.
      if (!isAuthorised(c.req.header('authorization'), setup.authSecret)) {
        return c.json({ error: { errorSummary: 'missing or wrong Authorization header' } }, 401);
      }
      c.set('setup', setup);
      await next();
      return undefined;
    },
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json(errorAnswer(413, `the request body is over ${MAX_BODY_BYTES} bytes`, 'INVALID_REQUEST').body, 413),
    }),
    async (c) => {
      const setup = c.get('setup');
      const answer = await handleTelephonyHook(
        { authorization: c.req.header('authorization'), body: await c.req.text() },
        {
          container: setup.container,
          authSecret: setup.authSecret,
          now,
          log: options.log,
          deadlineMs: options.deadlineMs,
          background: options.background ? (work) => options.background?.(c, work) : undefined,
        },
      );
      return c.json(answer.body, answer.status as 200);
    },
  );

  app.all(HOOK_PATH, (c) => c.json({ error: { errorSummary: `use POST ${HOOK_PATH}` } }, 405, { allow: 'POST' }));
  app.notFound((c) => c.json({ error: { errorSummary: 'not found' } }, 404));
  app.onError((error, c) => {
    options.log(hookLine('server-error', { reason: errorMessage(error).slice(0, 300) }));
    return c.json(errorAnswer(500, 'tollguard failed before it could decide', 'GUARD_FAILED').body, 500);
  });
  return app;
}
