/**
 * Twilio error codes that matter on an OTP path, turned into reasons an admin can act on.
 * Codes and meanings from Twilio's error pages (see ../shared/reference/twilio.md).
 */
const VOICE_GEO = 'Twilio Voice Geo Permissions refuse this destination';
const PUMPING_PROTECTION = 'Twilio SMS Pumping Protection blocked this number';
const EXPLANATIONS: Readonly<Record<number, string>> = {
  20003: 'Twilio refused TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN',
  20404: 'Twilio does not know this resource (check the SIDs)',
  20429: 'Twilio rate-limited the request',
  21211: "Twilio says the 'To' number is invalid",
  21408: 'Twilio Messaging Geo Permissions refuse this country',
  21608: 'a Twilio trial account sends to verified numbers only',
  21612: 'Twilio cannot route from this sender there',
  21614: "Twilio says 'To' is not a mobile number",
  21215: VOICE_GEO,
  32205: VOICE_GEO,
  13227: VOICE_GEO,
  30450: PUMPING_PROTECTION,
  30453: PUMPING_PROTECTION,
  60200: 'Twilio Verify refused a request parameter',
  60203: 'Twilio Verify: too many attempts',
  60410: 'Twilio Verify Fraud Guard blocked this prefix',
  60605: 'Twilio Verify Geo Permissions refuse this destination',
};

export function explainTwilioCode(code: number | undefined): string | undefined {
  return code === undefined ? undefined : EXPLANATIONS[code];
}

/** A refusal or failure reported by Twilio, or a transport failure on the way to it. */
export class TwilioError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code: number | undefined,
    readonly kind: 'refused' | 'timeout' | 'network' | 'bad-response',
  ) {
    super(message);
    this.name = 'TwilioError';
  }
}
