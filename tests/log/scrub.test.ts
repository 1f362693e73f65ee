/**
 * The scrubber (shared/log/scrub.ts): each secret is removed in every form it takes on its way to
 * a log line: as typed, trimmed, JSON-escaped once or twice, cut at a pasted line break,
 * URL-normalised (lower-case host, percent-encoded user-info), user name or password alone.
 */
import { scrubText, secretForms } from '../../shared/log/scrub';

const line = (value: unknown) => JSON.stringify({ tollguard: 'decision', store_error: value });

describe('scrubText', () => {
  test('a token with a pasted line break, JSON-escaped in a decision line, is removed (issue 11)', () => {
    const token = 'AYmXAAIjcDE5Zm9vYmFy\nYmF6cXV4cXV1eDEyMzQ1Njc4OTA';
    const error = `Headers.append: "Bearer ${token}" is an invalid header value.`;
    const scrubbed = scrubText(line(error), [token]);
    expect(scrubbed).not.toContain('AYmXAAIjcDE5Zm9vYmFy');
    expect(scrubbed).not.toContain('YmF6cXV4cXV1eDEyMzQ1Njc4OTA');
    expect(scrubbed).toContain('[redacted]');
    // Twice escaped (an error quoting a JSON body, inside the JSON line).
    expect(scrubText(line(JSON.stringify({ error })), [token])).not.toMatch(/AYmXAAIj|YmF6cXV4/);
    // Each part alone, as an HTTP layer may print only the part before the break.
    expect(scrubText(line('token AYmXAAIjcDE5Zm9vYmFy rejected'), [token])).not.toContain('AYmXAAIj');
  });

  test('a webhook URL with user-info and an upper-case host, normalised by URL, is removed; so is its password alone (issue 11)', () => {
    const raw = 'https://alerts:Hunter2%2FSecret@HOOKS.Example.com/services/T000/B000';
    const normalised = new URL(raw).href;
    expect(normalised).not.toBe(raw);
    const texts = [
      `Request cannot be constructed from a URL that includes credentials: ${normalised}`,
      'password Hunter2%2FSecret',
      'password Hunter2/Secret',
      `posting to ${normalised.replace(/\/$/, '')}`,
    ];
    for (const text of texts) {
      const scrubbed = scrubText(line(text), [raw]);
      expect(scrubbed).not.toContain('Hunter2');
      expect(scrubbed).toContain('[redacted]');
    }
  });

  test('secrets with characters JSON escapes (quotes, backslashes, tabs) are removed from the serialised line', () => {
    const secret = 'p"a\\ss\tword-123';
    expect(scrubText(line(`bad ${secret}`), [secret])).not.toContain('ss\\\\tword');
    expect(scrubText(line(`bad ${secret}`), [secret])).toBe(line('bad [redacted]'));
  });

  test('short values and short fragments are left alone, so ordinary text survives', () => {
    expect(scrubText('code 12 sent', ['12'])).toBe('code 12 sent');
    // 'ab' and 'cd' are fragments shorter than 6 characters: not scrubbed on their own.
    expect(scrubText('ab cd', ['ab\ncd'])).toBe('ab cd');
    expect(secretForms('abcd')).toEqual(['abcd']);
  });

  test('the longest form is replaced first, so no tail of a secret is left behind', () => {
    const url = 'https://user:longpassword@example.com/hook?key=abcdef123456';
    const scrubbed = scrubText(`x ${new URL(url).href} y`, [url]);
    expect(scrubbed).toBe('x [redacted] y');
  });

  test('non-string entries in the list are ignored, never thrown on', () => {
    expect(scrubText('text', [undefined as unknown as string, 'text'])).toBe('[redacted]');
  });
});
