/**
 * Voice TwiML that reads the code slowly, digit by digit, and repeats it: each digit is its own
 * sentence-sized chunk separated by pauses, so text-to-speech never reads "123456" as a number.
 */
export interface VoiceScript {
  /** The Auth0-rendered message text; the code inside it is replaced by the spelled-out digits. */
  text: string;
  code: string;
  language: string;
  voice: string | undefined;
  repeat: number;
}

/** Twilio's limit on inline TwiML (the `Twiml` parameter of a call). */
export const MAX_TWIML_LENGTH = 4000;

export function buildVoiceTwiml(script: VoiceScript): string {
  // A notice (no code) is read as it is.
  const spoken = script.code.length > 0 ? spellOut(script.code) : script.text;
  const sentence =
    script.code.length === 0
      ? script.text
      : script.text.includes(script.code)
      ? script.text.split(script.code).join(spoken)
      : `${script.text} ${spoken}`.trim();
  // A long tenant template must not push the call over Twilio's limit: repeat less, then
  // fall back to the code alone, which always fits.
  for (let repeat = script.repeat; repeat >= 1; repeat -= 1) {
    const twiml = render(sentence, repeat, script);
    if (twiml.length <= MAX_TWIML_LENGTH) return twiml;
  }
  return render(spoken, script.repeat, script);
}

function render(sentence: string, repeat: number, script: VoiceScript): string {
  const attributes = [`language="${escapeXml(script.language)}"`];
  if (script.voice !== undefined) attributes.push(`voice="${escapeXml(script.voice)}"`);
  const say = `<Say ${attributes.join(' ')}>${escapeXml(sentence)}</Say>`;
  const rounds = Array.from({ length: repeat }, () => `${say}<Pause length="1"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="1"/>${rounds}</Response>`;
}

/** "4 8 1" with commas, which Twilio's text-to-speech reads with a short pause after each digit. */
export function spellOut(code: string): string {
  return Array.from(code).join(', ') + '.';
}

export function escapeXml(text: string): string {
  return text
    // Characters XML 1.0 forbids (controls, lone surrogates) would make Twilio reject the TwiML.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
