/**
 * Auth0 Action, trigger send-phone-message v2: decides whether this OTP SMS / voice call may go
 * out, then delivers it through Twilio or refuses it (a thrown Error). Entry point only.
 */
import { tenantIdOf } from '../shared/auth0/event-fields';
import type { SendPhoneMessageApi, SendPhoneMessageEvent } from '../shared/auth0/types';
import { guardErrorLine } from '../shared/log/decision-log';
import { ContainerCache, buildSendContainer } from '../shared/send/container';
import { handleSendPhoneMessage } from '../shared/send/send-handler';

const print = (line: string) => console.log(line);
const containers = new ContainerCache((secrets) => buildSendContainer(secrets, print));

export const onExecuteSendPhoneMessage = async (event: SendPhoneMessageEvent, _api: SendPhoneMessageApi): Promise<void> => {
  const container = containerOrExplain(() => containers.get(event?.secrets ?? {}));
  const tenant = tenantIdOf(event);
  await handleSendPhoneMessage(event, { container, now: () => Date.now(), log: print, tenant });
};

/** Without a container nothing can be delivered: say why in one log line and one clear error. */
function containerOrExplain<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    print(guardErrorLine('send-phone-message', 'not_delivered', `could not start: ${message}`));
    throw new Error(`tollguard could not start: ${message.slice(0, 300)}`);
  }
}
