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

export function buildVoiceTwiml(script: VoiceScript): string {
  const spoken = spellOut(script.code);
  const sentence = script.text.includes(script.code)
    ? script.text.split(script.code).join(spoken)
    : `${script.text} ${spoken}`.trim();
  const attributes = [`language="${escapeXml(script.language)}"`];
  if (script.voice !== undefined) attributes.push(`voice="${escapeXml(script.voice)}"`);
  const say = `<Say ${attributes.join(' ')}>${escapeXml(sentence)}</Say>`;
  const rounds = Array.from({ length: script.repeat }, () => `${say}<Pause length="1"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="1"/>${rounds}</Response>`;
}

/** "4 8 1" with commas, which Twilio's text-to-speech reads with a short pause after each digit. */
export function spellOut(code: string): string {
  return Array.from(code).join(', ') + '.';
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
