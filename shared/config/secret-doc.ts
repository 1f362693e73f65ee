/**
 * How a secret is documented: beside the code that parses it (each rule's module documents its
 * own settings); scripts/lib/secret-catalog.ts gathers them into the one catalogue that the docs'
 * table, the deploy and the consistency test read. Examples are placeholders, never credentials.
 */
export interface SecretDoc {
  name: string;
  /**
   * Who reads it: send = the phone guard (send-phone-message, custom-phone-provider and the Okta
   * hook server), signup = Pre-User-Registration, both = all of them, okta = the hook server only.
   */
  actions: 'send' | 'signup' | 'both' | 'okta';
  group: 'credentials' | 'delivery' | 'mode' | 'static rules' | 'velocity' | 'pumping' | 'lookup' | 'store and alerts' | 'captcha' | 'sign-up';
  meaning: string;
  default: string;
  example: string;
}
