/**
 * Auth0 Action, trigger post-login v3: records successful passwordless SMS logins as proofs of the
 * number (verification feedback the send Actions cannot see). Entry point only; it never denies,
 * never changes a login, and never throws.
 */
import { tenantIdOf } from '../shared/auth0/event-fields';
import { writeFeedbackLine } from '../shared/feedback/feedback-log';
import { buildPostLoginContainer } from '../shared/feedback/post-login-container';
import type { PostLoginApi, PostLoginEvent } from '../shared/feedback/post-login-event';
import { handlePostLogin } from '../shared/feedback/post-login-handler';
import { errorMessage } from '../shared/pipeline/guard-run';
import { ContainerCache } from '../shared/send/container';

const print = (line: string) => console.log(line);
const containers = new ContainerCache(buildPostLoginContainer);

export const onExecutePostLogin = async (event: PostLoginEvent, _api: PostLoginApi): Promise<void> => {
  let container;
  try {
    container = containers.get(event?.secrets ?? {});
  } catch (error) {
    // Configuration we cannot even read records nothing, and the login goes on.
    const line = { tollguard: 'feedback', version: 1, at: new Date().toISOString(), trigger: 'post-login', mode: 'unknown', outcome: 'guard-error', reason: `could not start: ${errorMessage(error)}` } as const;
    writeFeedbackLine(print, line, []);
    return;
  }
  await handlePostLogin(event, { container, now: () => Date.now(), log: print, tenant: tenantIdOf(event) });
};
