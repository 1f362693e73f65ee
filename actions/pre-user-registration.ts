/**
 * Auth0 Action, trigger pre-user-registration v2: keeps bots and fake accounts out before they
 * can ask for OTPs, and tags each new user with a trust level. Entry point only.
 */
import { tenantIdOf } from '../shared/auth0/event-fields';
import type { PreUserRegistrationApi, PreUserRegistrationEvent } from '../shared/auth0/types';
import { guardErrorLine } from '../shared/log/decision-log';
import { buildRegistrationContainer } from '../shared/register/container';
import { handlePreUserRegistration } from '../shared/register/registration-handler';
import { ContainerCache } from '../shared/send/container';

const containers = new ContainerCache(buildRegistrationContainer);

export const onExecutePreUserRegistration = async (event: PreUserRegistrationEvent, api: PreUserRegistrationApi): Promise<void> => {
  let container;
  try {
    container = containers.get(event?.secrets ?? {});
  } catch (error) {
    // Configuration we cannot even read must not stop sign-ups: let them in, untagged, and say so.
    const message = error instanceof Error ? error.message : String(error);
    console.log(guardErrorLine('pre-user-registration', 'allowed', `could not start: ${message}`));
    return;
  }
  const tenant = tenantIdOf(event);
  await handlePreUserRegistration(event, api, { container, now: () => Date.now(), log: (line) => console.log(line), tenant });
};
