/**
 * shared/delivery/twiml.ts: the voice OTP TwiML reads the code digit by digit, escapes the text,
 * repeats the message, and never carries the code as a contiguous run of digits.
 */
import fc from 'fast-check';
import { sayTexts } from './bundle/helpers';
import { MAX_TWIML_LENGTH, buildVoiceTwiml, escapeXml, spellOut, type VoiceScript } from '../shared/delivery/twiml';

const HEADER = '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="1"/>';

function script(overrides: Partial<VoiceScript> = {}): VoiceScript {
  return { text: 'Your verification code is 482913', code: '482913', language: 'en-US', voice: undefined, repeat: 1, ...overrides };
}


describe('spellOut', () => {
  test('digits separated by ", " and a final full stop', () => {
    expect(spellOut('482913')).toBe('4, 8, 2, 9, 1, 3.');
    expect(spellOut('7')).toBe('7.');
    expect(spellOut('0000')).toBe('0, 0, 0, 0.');
  });
});

describe('escapeXml', () => {
  test('escapes the five XML special characters', () => {
    expect(escapeXml(`Tom & Jerry <b> "x" 'y'`)).toBe('Tom &amp; Jerry &lt;b&gt; &quot;x&quot; &apos;y&apos;');
    expect(escapeXml('&amp;')).toBe('&amp;amp;');
    expect(escapeXml('plain text 123')).toBe('plain text 123');
  });
});

describe('buildVoiceTwiml', () => {
  test('the whole document for one round', () => {
    expect(buildVoiceTwiml(script())).toBe(
      `${HEADER}<Say language="en-US">Your verification code is 4, 8, 2, 9, 1, 3.</Say><Pause length="1"/></Response>`,
    );
  });

  test('every occurrence of the code in the text is replaced by the spelled-out digits', () => {
    const twiml = buildVoiceTwiml(script({ text: '482913 is your code. Again: 482913' }));
    expect(sayTexts(twiml)).toEqual(['4, 8, 2, 9, 1, 3. is your code. Again: 4, 8, 2, 9, 1, 3.']);
  });

  test('text without the code gets the spelled-out digits appended', () => {
    expect(sayTexts(buildVoiceTwiml(script({ text: 'Your verification code is' })))).toEqual([
      'Your verification code is 4, 8, 2, 9, 1, 3.',
    ]);
    expect(sayTexts(buildVoiceTwiml(script({ text: '' })))).toEqual(['4, 8, 2, 9, 1, 3.']);
    expect(sayTexts(buildVoiceTwiml(script({ text: 'Code:' })))).toEqual(['Code: 4, 8, 2, 9, 1, 3.']);
  });

  test.each([1, 2, 3, 5])('repeat %p gives that many Say elements, each followed by a pause', (repeat) => {
    const twiml = buildVoiceTwiml(script({ repeat }));
    const say = '<Say language="en-US">Your verification code is 4, 8, 2, 9, 1, 3.</Say><Pause length="1"/>';
    expect(twiml).toBe(`${HEADER}${say.repeat(repeat)}</Response>`);
    expect(sayTexts(twiml)).toHaveLength(repeat);
  });

  test('text is XML-escaped', () => {
    const twiml = buildVoiceTwiml(script({ text: `Tom & Jerry <b> "quoted" it's 482913` }));
    expect(twiml).toContain('>Tom &amp; Jerry &lt;b&gt; &quot;quoted&quot; it&apos;s 4, 8, 2, 9, 1, 3.</Say>');
    expect(twiml).not.toContain('<b>');
    expect(twiml).not.toContain('Tom & Jerry');
    expect(sayTexts(twiml)).toEqual([`Tom & Jerry <b> "quoted" it's 4, 8, 2, 9, 1, 3.`]);
  });

  test('language and voice attributes, escaped; no voice attribute without a voice', () => {
    expect(buildVoiceTwiml(script({ language: 'fr-FR', voice: 'Polly.Celine' }))).toContain('<Say language="fr-FR" voice="Polly.Celine">');
    expect(buildVoiceTwiml(script({ language: 'en-GB' }))).toContain('<Say language="en-GB">');
    expect(buildVoiceTwiml(script())).not.toContain('voice=');
    const hostile = buildVoiceTwiml(script({ language: 'en"><Hangup/>', voice: `a'b&c` }));
    expect(hostile).toContain('<Say language="en&quot;&gt;&lt;Hangup/&gt;" voice="a&apos;b&amp;c">');
    expect(hostile).not.toContain('<Hangup/>');
  });

  test('the code never appears as a contiguous run of digits', () => {
    for (const text of ['Your code is 482913', '482913', 'Code 482913482913 now', 'no code here', '']) {
      const twiml = buildVoiceTwiml(script({ text, repeat: 3 }));
      expect(twiml).not.toContain('482913');
    }
  });

  test('a typical Auth0 voice message at the maximum repeat (5) stays far below Twilio\'s 4000-character Twiml limit', () => {
    const twiml = buildVoiceTwiml(
      script({ text: 'Your verification code for My Application is 48291374. It expires in 5 minutes.', code: '48291374', voice: 'Polly.Joanna-Neural', repeat: 5 }),
    );
    expect(twiml.length).toBeLessThan(1200);
  });

  describe('properties', () => {
    const code = fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), minLength: 4, maxLength: 10 });
    const surrounding = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('0', '1', '9', ' ', '&', '<', '>', '"', "'", 'a'), maxLength: 40 }),
    );
    const voiceScript = fc
      .record({
        code,
        before: surrounding,
        after: surrounding,
        includeCode: fc.boolean(),
        repeat: fc.integer({ min: 1, max: 5 }),
        voice: fc.option(fc.constantFrom('Polly.Joanna', 'man', 'alice'), { nil: undefined }),
      })
      .map(({ code: c, before, after, includeCode, repeat, voice }) => ({
        code: c,
        text: includeCode ? `${before}${c}${after}` : `${before}${after}`,
        language: 'en-US',
        voice,
        repeat,
      }));

    test('the raw code never appears as a contiguous run; it is spoken in every round', () => {
      fc.assert(
        fc.property(voiceScript, (s) => {
          const twiml = buildVoiceTwiml(s);
          expect(twiml).not.toContain(s.code);
          const texts = sayTexts(twiml);
          expect(texts).toHaveLength(s.repeat);
          for (const spoken of texts) {
            expect(spoken).toContain(spellOut(s.code));
            expect(spoken).not.toContain(s.code);
          }
        }),
      );
    });

    test('well-formed: the text content holds no raw markup and every & starts an entity', () => {
      fc.assert(
        fc.property(voiceScript, fc.string({ unit: 'binary', maxLength: 60 }), (s, extra) => {
          const twiml = buildVoiceTwiml({ ...s, text: s.text + extra });
          expect(twiml.startsWith(HEADER)).toBe(true);
          expect(twiml.endsWith('<Pause length="1"/></Response>')).toBe(true);
          const body = twiml.slice(HEADER.length, -'</Response>'.length);
          const elements = body.match(/<Say [^<>]*>[^<>]*<\/Say><Pause length="1"\/>/g) ?? [];
          expect(elements).toHaveLength(s.repeat);
          expect(elements.join('')).toBe(body);
          for (const element of elements) {
            const content = element.slice(element.indexOf('>') + 1, element.indexOf('</Say>'));
            expect(content).not.toMatch(/["']/);
            expect(content.replace(/&(amp|lt|gt|quot|apos);/g, '')).not.toContain('&');
          }
          // The text around the code survives escaping unchanged.
          // (Characters XML forbids are dropped, so compare with them removed.)
          const xmlForbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
          const withoutCode = (s.text + extra).replace(xmlForbidden, '').split(s.code);
          const spoken = sayTexts(twiml)[0] ?? '';
          for (const piece of withoutCode) expect(spoken).toContain(piece.trim());
        }),
      );
    });
  });
});

describe('buildVoiceTwiml stays within Twilio limits', () => {
  const base = { code: '482913', language: 'en-US', voice: undefined };

  test('a long template repeats less, and never exceeds 4000 characters', () => {
    const text = `Your code is 482913. ${'Please listen carefully. '.repeat(60)}`;
    const twiml = buildVoiceTwiml({ ...base, text, repeat: 3 });
    expect(twiml.length).toBeLessThanOrEqual(MAX_TWIML_LENGTH);
    expect(twiml).toContain(spellOut('482913'));
    expect((twiml.match(/<Say /g) ?? []).length).toBe(2);
  });

  test('a text too long for even one round falls back to the code alone, repeated', () => {
    const twiml = buildVoiceTwiml({ ...base, text: '&'.repeat(1600), repeat: 3 });
    expect(twiml.length).toBeLessThanOrEqual(MAX_TWIML_LENGTH);
    expect(sayTexts(twiml)).toEqual([spellOut('482913'), spellOut('482913'), spellOut('482913')]);
  });

  test('PROPERTY: any text up to 1600 characters and any repeat gives TwiML within the limit', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1600 }), fc.integer({ min: 1, max: 5 }), (text, repeat) => {
        expect(buildVoiceTwiml({ ...base, text, repeat }).length).toBeLessThanOrEqual(MAX_TWIML_LENGTH);
      }),
      { numRuns: 50 },
    );
  });
});
