/**
 * shared/email/canonical.ts: the mailbox as its provider sees it, for velocity and list keys.
 * Folds only what the provider documents; never merges two addresses the provider keeps apart.
 */
import fc from 'fast-check';
import { canonicalMailbox, parseEmail, type EmailFacts } from '../../shared/email/address';

function facts(raw: string): EmailFacts {
  const result = parseEmail(raw);
  if (!result.ok) throw new Error(`test address ${raw} is refused: ${result.reason}`);
  return result.email;
}

const key = (raw: string) => canonicalMailbox(facts(raw));

describe('Gmail: case, dots and +tags are ignored; googlemail.com is gmail.com', () => {
  test.each([
    ['John.Smith@gmail.com', 'johnsmith@gmail.com'],
    ['j.o.h.n.s.m.i.t.h+signup@GMail.COM', 'johnsmith@gmail.com'],
    ['johnsmith+a+b@gmail.com', 'johnsmith@gmail.com'],
    ['john.smith@googlemail.com', 'johnsmith@gmail.com'],
    ['JohnSmith+x@GoogleMail.com', 'johnsmith@gmail.com'],
  ])('%s -> %s', (raw, expected) => {
    expect(key(raw)).toBe(expected);
  });

  test('a leading + is not a tag separator (nothing would be left)', () => {
    expect(key('+abc@gmail.com')).toBe('+abc@gmail.com');
  });

  test('every dot and +tag variant of one Gmail address has one key', () => {
    const base = 'alicewonder';
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: base.length - 1, maxLength: base.length - 1 }), fc.stringMatching(/^[a-z0-9]{0,8}$/), fc.boolean(), (dots, tag, upper) => {
        let local = base[0] ?? '';
        for (let index = 1; index < base.length; index += 1) local += (dots[index - 1] ? '.' : '') + base[index];
        if (tag !== '') local += `+${tag}`;
        if (upper) local = local.toUpperCase();
        expect(key(`${local}@gmail.com`)).toBe('alicewonder@gmail.com');
      }),
    );
  });

  test('a Google Workspace domain is not Gmail: dots and tags stay', () => {
    expect(key('John.Smith+x@company.example')).toBe('John.Smith+x@company.example');
  });
});

describe('providers that deliver +tags to the base mailbox: lower case, tag dropped, dots kept', () => {
  test.each([
    ['Jane.Doe+shop@Outlook.com', 'jane.doe@outlook.com'],
    ['jane+x@hotmail.com', 'jane@hotmail.com'],
    ['jane+x@hotmail.co.uk', 'jane@hotmail.co.uk'],
    ['jane+x@live.com', 'jane@live.com'],
    ['jane+x@msn.com', 'jane@msn.com'],
    ['Jane+x@iCloud.com', 'jane@icloud.com'],
    ['jane+x@me.com', 'jane@me.com'],
    ['jane+x@mac.com', 'jane@mac.com'],
    ['Jane.Doe+x@proton.me', 'jane.doe@proton.me'],
    ['jane+x@protonmail.com', 'jane@protonmail.com'],
    ['jane+x@pm.me', 'jane@pm.me'],
    ['jane+x@fastmail.com', 'jane@fastmail.com'],
    ['jane+x@fastmail.fm', 'jane@fastmail.fm'],
  ])('%s -> %s', (raw, expected) => {
    expect(key(raw)).toBe(expected);
  });

  test('dots are part of these mailbox names: jane.doe and janedoe stay apart', () => {
    for (const domain of ['outlook.com', 'icloud.com', 'proton.me', 'fastmail.com']) {
      expect(key(`jane.doe@${domain}`)).not.toBe(key(`janedoe@${domain}`));
    }
  });

  test("Fastmail's subdomain addressing is the user's mailbox", () => {
    expect(key('shop@jane.fastmail.com')).toBe('jane@fastmail.com');
    expect(key('shop@jane.fastmail.com')).toBe(key('jane+shop@fastmail.com'));
    expect(key('shop@jane.fastmail.com')).not.toBe(key('shop@john.fastmail.com'));
  });

  test('each provider keeps its own domain (outlook.com and hotmail.com are separate mailboxes)', () => {
    expect(key('jane@outlook.com')).not.toBe(key('jane@hotmail.com'));
    expect(key('jane@proton.me')).not.toBe(key('jane@protonmail.com'));
  });
});

describe('every other domain: domain lower-cased, local part exactly as written', () => {
  test.each([
    ['John@Company.Example', 'John@company.example'],
    ['john.smith+tag@Company.Example', 'john.smith+tag@company.example'],
    ['john.smith@yahoo.com', 'john.smith@yahoo.com'],
    ['john-shopping@yahoo.com', 'john-shopping@yahoo.com'],
    ['jane+x@gmx.de', 'jane+x@gmx.de'],
    ['Jürgen@bücher.de', 'Jürgen@xn--bcher-kva.de'],
  ])('%s -> %s', (raw, expected) => {
    expect(key(raw)).toBe(expected);
  });
});

describe('never merges two addresses the provider keeps apart', () => {
  test.each([
    ['Yahoo dots are significant', 'john.smith@yahoo.com', 'johnsmith@yahoo.com'],
    ["Yahoo '-' disposable addresses are separate mailboxes", 'john-shop@yahoo.com', 'john@yahoo.com'],
    ['Yahoo keeps + as written', 'john+x@yahoo.com', 'john@yahoo.com'],
    ['a company server may be case-sensitive', 'John@company.example', 'john@company.example'],
    ['a company server may use + as an ordinary character', 'sales+eu@company.example', 'sales@company.example'],
    ['a company server may use dots', 'j.doe@company.example', 'jdoe@company.example'],
    ['Gmail and a Workspace domain', 'jdoe@gmail.com', 'jdoe@company.example'],
    ['Gmail and Outlook', 'jdoe@gmail.com', 'jdoe@outlook.com'],
    ['a subdomain is another mail domain', 'jdoe@mail.company.example', 'jdoe@company.example'],
  ])('%s: %s and %s', (_name, a, b) => {
    expect(key(a)).not.toBe(key(b));
  });

  test('a quoted local part is never altered ("a.b"@gmail.com stays as written)', () => {
    // parseEmail refuses quoted local parts before any key is built; hand-built facts keep them whole,
    // since inside quotes a dot or '+' is a literal character of another mailbox.
    const parsed = parseEmail('"a.b"@gmail.com');
    expect(parsed).toMatchObject({ ok: true, email: { local: '"a.b"', domain: 'gmail.com' } });
    if (parsed.ok) expect(canonicalMailbox(parsed.email)).toBe('"a.b"@gmail.com');
    const quoted: EmailFacts = { local: '"A.b+c"', domain: 'gmail.com', unicodeDomain: 'gmail.com', registrableDomain: 'gmail.com' };
    expect(canonicalMailbox(quoted)).toBe('"A.b+c"@gmail.com');
    expect(canonicalMailbox(quoted)).not.toBe(key('ab@gmail.com'));
  });

  test('distinct addresses at non-folding domains always keep distinct keys', () => {
    const local = fc.stringMatching(/^[A-Za-z0-9+_-]([A-Za-z0-9.+_-]{0,10}[A-Za-z0-9+_-])?$/).filter((text) => !text.includes('..'));
    fc.assert(
      fc.property(local, local, fc.constantFrom('company.example', 'yahoo.com', 'gmx.de', 'web.de', 'naver.com'), (a, b, domain) => {
        fc.pre(a !== b);
        expect(key(`${a}@${domain}`)).not.toBe(key(`${b}@${domain}`));
      }),
    );
  });
});

test('the key is total: every address parseEmail accepts has one, and canonicalising twice changes nothing', () => {
  for (const raw of ['a@gmail.com', 'A.B+c@googlemail.com', 'x+y@outlook.com', 'x@xn--80a1acny.xn--p1ai', 'Ω@例え.jp', 'a@b.fastmail.com']) {
    const once = key(raw);
    expect(once).toMatch(/^[^@]+@[a-z0-9.-]+$/);
    expect(key(once)).toBe(once);
  }
});
