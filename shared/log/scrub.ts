/**
 * The last guard of every log line: each secret is removed in every form it can take on the way
 * to a line, not only as typed. A value reaches a line escaped (JSON.stringify of an error that
 * quotes it, once or twice when the error quotes a JSON body), cut at a line break (a pasted
 * token with a newline is split by the HTTP layer), normalised as a URL (new URL() lower-cases
 * the host and percent-encodes the user-info), or as its user name or password alone.
 */

const REDACTED = '[redacted]';
/** Whole forms shorter than this are ordinary text (a two-digit code would eat every number). */
const MIN_FORM = 4;
/** A fragment of a secret (a part between line breaks, a URL password) must be longer to count. */
const MIN_PART = 6;

/** Every form of `secret` that may appear in a log line, longest first. */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>();
  const whole = (value: string | undefined) => {
    if (value !== undefined && value.length >= MIN_FORM) forms.add(value);
  };
  const part = (value: string | undefined) => {
    if (value !== undefined && value.length >= MIN_PART) forms.add(value);
  };
  const trimmed = secret.trim();
  whole(secret);
  whole(trimmed);
  for (const piece of secret.split(/[\r\n]+/)) part(piece.trim());
  for (const url of urlForms(trimmed)) {
    whole(url.href);
    whole(url.href.replace(/\/$/, ''));
    part(url.username);
    part(url.password);
    part(safeDecode(url.username));
    part(safeDecode(url.password));
  }
  part(encodeURIComponent(trimmed));
  for (const form of [...forms]) {
    const escaped = jsonEscape(form);
    whole(escaped);
    whole(jsonEscape(escaped));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces every form of each secret by [redacted]. */
export function scrubText(text: string, secretsToScrub: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of secretsToScrub) {
    if (typeof secret === 'string' && secret.length >= MIN_FORM) for (const form of secretForms(secret)) forms.add(form);
  }
  let scrubbed = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    if (scrubbed.includes(form)) scrubbed = scrubbed.split(form).join(REDACTED);
  }
  return scrubbed;
}

function urlForms(value: string): URL[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return [];
  try {
    return [new URL(value)];
  } catch {
    return [];
  }
}

function jsonEscape(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
