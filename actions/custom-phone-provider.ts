/**
 * Auth0 Action, trigger custom-phone-provider v1 (the Unified Phone Experience: MFA, passwordless
 * SMS, phone identifiers, account notices): decides whether this message may go out, then delivers
 * it through Twilio, or drops it silently. Entry point only; it never throws.
 */
import { tenantIdOf } from '../shared/auth0/event-fields';
import type { CustomPhoneProviderApi, CustomPhoneProviderEvent } from '../shared/auth0/types';
import { guardErrorLine } from '../shared/log/decision-log';
import { errorMessage } from '../shared/pipeline/guard-run';
import { ContainerCache, buildSendContainer } from '../shared/send/container';
import { handleCustomPhoneProvider, signalNotification } from '../shared/send/phone-provider-handler';

const print = (line: string) => console.log(line);
const containers = new ContainerCache((secrets) => buildSendContainer(secrets, print));

export const onExecuteCustomPhoneProvider = async (event: CustomPhoneProviderEvent, api: CustomPhoneProviderApi): Promise<void> => {
  let container;
  try {
    container = containers.get(event?.secrets ?? {});
  } catch (error) {
    const message = errorMessage(error);
    print(guardErrorLine('custom-phone-provider', 'refused', `could not start: ${message}`));
    signalNotification(api, { call: 'drop', reason: `tollguard could not start: ${message}` }, print, []);
    return;
  }
  const tenant = tenantIdOf(event);
  try {
    const verdict = await handleCustomPhoneProvider(event, { container, now: () => Date.now(), log: print, tenant });
    signalNotification(api, verdict, print, container.secretValues);
  } catch (error) {
    // Not reached by design (the pipeline catches rule failures); a last net so the trigger never throws.
    print(guardErrorLine('custom-phone-provider', 'refused', `guard failed: ${errorMessage(error)}`));
    signalNotification(api, { call: 'drop', reason: 'tollguard failed before it could decide' }, print, container.secretValues);
  }
};
