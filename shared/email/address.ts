/**
 * E-mail address parsing for the Pre-User-Registration Action. Pure and total: any input gives a
 * result, never an exception. An accepted address is split into its local part (kept as written)
 * and its domain in lower-case ASCII (IDN labels in punycode), plus the Unicode form and a
 * best-effort registrable domain for the disposable / look-alike checks.
 *
 * Deliberately stricter than RFC 5321/5322 where the extra forms only help abuse:
 * - quoted local parts ("john doe"@example.com) are accepted as written (printable ASCII inside
 *   the quotes; Auth0 accepts them, and refusing one refuses a person); IP-literal domains
 *   (user@[192.0.2.1]) are refused; so are single-label domains (user@localhost) and numeric top-level labels
 *   (user@192.0.2.1), which only ever name hosts, not mail providers;
 * - white space (outside quotes), control and invisible (format) characters are refused, since they hide
 *   characters from people reading the address (U+00AD, U+200B, bidi overrides...);
 * - a domain written with fullwidth or other compatibility characters (ｇｍａｉｌ.com, 𝐠𝐦𝐚𝐢𝐥.com,
 *   example。com) is refused: IDNA maps it onto another domain (gmail.com), so the same mailbox
 *   would get a second, differently spelled account.
 * Non-ASCII local parts (RFC 6531) and IDN domains (bücher.de) are accepted.
 */
import { domainToASCII, domainToUnicode } from 'node:url';

/** The mailbox as its provider sees it (gmail dots and +tags...): canonical.ts. */
export { canonicalMailbox } from './canonical';

export interface EmailFacts {
  /** The local part as written (case preserved: it is the mailbox owner's to interpret). */
  local: string;
  /** Lower-case ASCII; IDN labels in punycode (xn--bcher-kva.de). */
  domain: string;
  /** The domain in Unicode (bücher.de); equal to `domain` for ASCII domains. */
  unicodeDomain: string;
  /** Best effort without the Public Suffix List: mail.example.co.uk -> example.co.uk. ASCII. */
  registrableDomain: string;
}

export type EmailParseResult = { ok: true; email: EmailFacts } | { ok: false; reason: string };
export type DomainParseResult = { ok: true; domain: string } | { ok: false; reason: string };

const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;

/** Controls, format characters (invisible), unpaired surrogates, private use, unassigned. */
const INVISIBLE = /\p{C}/u;
const WHITE_SPACE = /[\s\p{Z}]/u;
/** RFC 5322 atext plus any non-ASCII character (RFC 6531); dots are checked separately. */
const LOCAL_CHARACTER = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\u{10FFFF}-]$/u;
/** Before IDNA: ASCII letters, digits, hyphen and dot, or any non-ASCII character. */
const BAD_DOMAIN_CHARACTER = /[^A-Za-z0-9.\u0080-\u{10FFFF}-]/u;
/** Ideographic full stops: IDNA reads them as '.' (U+FF0E is caught by the NFKC comparison). */
const IDEOGRAPHIC_STOP = /[\u3002\uFF61]/;
const LDH_LABEL = /^[a-z0-9-]+$/;
/** A last label the WHATWG host parser would read as (part of) an IPv4 address. */
const NUMERIC_LABEL = /^(?:[0-9]+|0x[0-9a-f]*)$/i;

/**
 * Common multi-part public suffixes (second-level registries under country-code TLDs). Best effort:
 * the full Public Suffix List is ~10 000 rules and would not earn its bytes in an Action bundle.
 */
const MULTI_PART_SUFFIXES: ReadonlySet<string> = new Set([
  // United Kingdom, Ireland
  'co.uk', 'org.uk', 'me.uk', 'ltd.uk', 'plc.uk', 'net.uk', 'ac.uk', 'gov.uk', 'sch.uk', 'nhs.uk',
  // Australia, New Zealand
  'com.au', 'net.au', 'org.au', 'edu.au', 'gov.au', 'asn.au', 'id.au',
  'co.nz', 'net.nz', 'org.nz', 'ac.nz', 'govt.nz', 'school.nz',
  // Japan, Korea, China, Taiwan, Hong Kong
  'co.jp', 'ne.jp', 'or.jp', 'ac.jp', 'go.jp', 'ad.jp', 'ed.jp', 'gr.jp', 'lg.jp',
  'co.kr', 'ne.kr', 'or.kr', 'ac.kr', 'go.kr', 're.kr',
  'com.cn', 'net.cn', 'org.cn', 'gov.cn', 'edu.cn', 'ac.cn',
  'com.tw', 'net.tw', 'org.tw', 'edu.tw', 'idv.tw',
  'com.hk', 'net.hk', 'org.hk', 'edu.hk', 'gov.hk',
  // South and South-East Asia
  'co.in', 'net.in', 'org.in', 'firm.in', 'gen.in', 'ind.in', 'ac.in', 'edu.in', 'gov.in', 'res.in',
  'com.sg', 'net.sg', 'org.sg', 'edu.sg', 'gov.sg',
  'com.my', 'net.my', 'org.my', 'edu.my',
  'co.id', 'or.id', 'ac.id', 'go.id', 'web.id', 'my.id',
  'co.th', 'in.th', 'ac.th', 'go.th', 'or.th',
  'com.vn', 'net.vn', 'edu.vn',
  'com.ph', 'net.ph', 'org.ph',
  'com.pk', 'net.pk', 'org.pk', 'com.bd', 'com.np', 'com.lk',
  // Middle East, Turkey
  'co.il', 'org.il', 'ac.il', 'gov.il', 'net.il',
  'com.tr', 'net.tr', 'org.tr', 'gov.tr', 'edu.tr',
  'com.sa', 'co.ae', 'net.ae', 'com.eg', 'com.qa', 'com.kw', 'com.jo', 'com.lb',
  // Europe
  'com.pl', 'net.pl', 'org.pl', 'co.at', 'or.at', 'com.ua', 'net.ua', 'org.ua',
  'com.gr', 'com.cy', 'com.mt', 'co.hu', 'com.pt', 'com.es', 'com.ro',
  // Americas
  'com.br', 'net.br', 'org.br', 'gov.br', 'edu.br', 'art.br', 'blog.br',
  'com.mx', 'net.mx', 'org.mx', 'gob.mx', 'edu.mx',
  'com.ar', 'net.ar', 'org.ar', 'gob.ar',
  'com.co', 'net.co', 'org.co', 'com.pe', 'org.pe', 'com.ve', 'com.ec', 'com.uy', 'com.py', 'com.bo',
  'com.gt', 'com.do', 'com.pr', 'com.sv', 'com.pa', 'co.cr',
  // Africa
  'co.za', 'org.za', 'net.za', 'gov.za', 'ac.za', 'web.za',
  'com.ng', 'org.ng', 'gov.ng', 'co.ke', 'or.ke', 'ac.ke', 'com.gh', 'co.tz', 'co.ug', 'co.zw', 'co.ma',
]);

export function parseEmail(raw: unknown): EmailParseResult {
  if (typeof raw !== 'string') return refuse('email is not a string');
  if (raw.length === 0) return refuse('email is empty');
  if (raw.length > MAX_ADDRESS_LENGTH) return refuse(`email is longer than ${MAX_ADDRESS_LENGTH} characters`);
  if (!raw.startsWith('"') && WHITE_SPACE.test(raw)) return refuse('email contains white space');
  if (INVISIBLE.test(raw)) return refuse('email contains control, invisible or invalid characters');

  const quotedEnd = raw.startsWith('"') ? closingQuote(raw) : undefined;
  if (raw.startsWith('"') && quotedEnd === undefined) return refuse('quoted local part is not closed');
  const at = quotedEnd === undefined ? raw.indexOf('@') : quotedEnd + 1;
  if (at < 0 || raw[at] !== '@') return refuse('email has no @');
  if (raw.indexOf('@', at + 1) >= 0) return refuse('email has more than one @');
  const local = raw.slice(0, at);
  const rawDomain = raw.slice(at + 1);
  // Inside quotes a space is part of the mailbox name (RFC 5321), and Auth0 accepts it; elsewhere
  // white space only hides characters.
  if (WHITE_SPACE.test(quotedEnd === undefined ? raw : rawDomain)) return refuse('email contains white space');
  if (quotedEnd !== undefined && /[^\x20-\x7e]/.test(local)) return refuse('quoted local part contains a character other than printable ASCII');
  if (local.length === 0) return refuse('local part is empty');
  if (rawDomain.length === 0) return refuse('domain is empty');

  const localProblem = checkLocalPart(local);
  if (localProblem !== undefined) return refuse(localProblem);
  if (rawDomain.startsWith('[')) return refuse('IP-literal domains ([192.0.2.1]) are not accepted');
  if (!rawDomain.includes('.') && !IDEOGRAPHIC_STOP.test(rawDomain) && !rawDomain.includes('\uFF0E')) {
    return refuse('domain has no dot (single-label domains are not accepted)');
  }
  const parsed = parseDomain(rawDomain);
  if (!parsed.ok) return parsed;
  const domain = parsed.domain;
  if (!domain.includes('.')) return refuse('domain has no dot (single-label domains are not accepted)');
  if (utf8Length(local) + 1 + domain.length > MAX_ADDRESS_LENGTH) {
    return refuse(`email is longer than ${MAX_ADDRESS_LENGTH} characters once the domain is in ASCII`);
  }
  return {
    ok: true,
    email: { local, domain, unicodeDomain: domainToUnicode(domain) || domain, registrableDomain: registrableDomain(domain) },
  };
}

/** The index of the quote that closes a quoted local part (backslash escapes honoured), if any. */
function closingQuote(raw: string): number | undefined {
  for (let index = 1; index < raw.length; index += 1) {
    const character = raw[index];
    if (character === '\\') index += 1;
    else if (character === '"') return index;
  }
  return undefined;
}

function checkLocalPart(local: string): string | undefined {
  if (utf8Length(local) > MAX_LOCAL_LENGTH) return `local part is longer than ${MAX_LOCAL_LENGTH} characters`;
  // A quoted local part: already checked for printable ASCII and its closing quote; dots and any
  // other character inside are the mailbox's own, and canonical forms never alter it.
  if (local.startsWith('"')) return local.length > 2 ? undefined : 'quoted local part is empty';
  for (const character of local) {
    if (character !== '.' && !LOCAL_CHARACTER.test(character)) {
      return `local part contains ${JSON.stringify(character)}, which needs quoting`;
    }
  }
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return 'local part starts or ends with a dot, or has two dots in a row';
  }
  return undefined;
}

/**
 * A host name (an e-mail domain, or an entry of a domain list) to lower-case ASCII, IDN labels in
 * punycode. Single-label names (`top`, to match a whole TLD in a list) are accepted here.
 * Characters the WHATWG host parser would rewrite (%, /, :, @...) never reach domainToASCII.
 */
export function parseDomain(raw: string): DomainParseResult {
  if (raw.length === 0) return refuse('domain is empty');
  if (raw.length > MAX_DOMAIN_LENGTH * 4) return refuse(`domain is longer than ${MAX_DOMAIN_LENGTH} characters`);
  if (raw.startsWith('[')) return refuse('IP-literal domains ([192.0.2.1]) are not accepted');
  if (WHITE_SPACE.test(raw)) return refuse('domain contains white space');
  if (INVISIBLE.test(raw)) return refuse('domain contains control, invisible or invalid characters');
  const bad = BAD_DOMAIN_CHARACTER.exec(raw);
  if (bad !== null) return refuse(`domain contains ${JSON.stringify(bad[0])}, which is not allowed in a host name`);

  const compatible = raw.normalize('NFKC');
  if (compatible !== raw.normalize('NFC') || IDEOGRAPHIC_STOP.test(raw)) {
    const meant = domainToASCII(compatible.replace(/[\u3002\uFF61]/g, '.'));
    const shown = meant !== '' && /^[a-z0-9.-]+$/.test(meant) ? ` (it stands for ${meant})` : '';
    return refuse(`domain is written with fullwidth or other compatibility characters${shown}`);
  }
  const labels = raw.split('.');
  if (labels.some((label) => label.length === 0)) {
    return refuse('domain has an empty label (a leading, trailing or doubled dot)');
  }
  if (NUMERIC_LABEL.test(labels[labels.length - 1] ?? '')) {
    return refuse('domain looks like an IP address (numeric top-level label)');
  }

  const ascii = domainToASCII(raw);
  if (ascii === '') return refuse('domain is not a valid internationalised domain name');
  if (ascii.length > MAX_DOMAIN_LENGTH) return refuse(`domain is longer than ${MAX_DOMAIN_LENGTH} characters`);
  const asciiLabels = ascii.split('.');
  for (const label of asciiLabels) {
    if (label.length === 0) return refuse('domain has an empty label (a leading, trailing or doubled dot)');
    if (label.length > MAX_LABEL_LENGTH) return refuse(`domain label is longer than ${MAX_LABEL_LENGTH} characters`);
    if (!LDH_LABEL.test(label)) return refuse('domain label contains characters other than letters, digits and hyphens');
    if (label.startsWith('-') || label.endsWith('-')) return refuse('domain label starts or ends with a hyphen');
  }
  if (NUMERIC_LABEL.test(asciiLabels[asciiLabels.length - 1] ?? '')) {
    return refuse('domain looks like an IP address (numeric top-level label)');
  }
  return { ok: true, domain: ascii };
}

/**
 * The registrable domain ("eTLD+1") of a lower-case ASCII domain: the last two labels, or three
 * when the last two are a known multi-part public suffix. A bare public suffix answers itself.
 */
export function registrableDomain(domain: string): string {
  const labels = domain.split('.');
  if (labels.length <= 2) return domain;
  const lastTwo = labels.slice(-2).join('.');
  return MULTI_PART_SUFFIXES.has(lastTwo) ? labels.slice(-3).join('.') : lastTwo;
}

/** The domain and each parent, most specific first: a.b.example.com, b.example.com, example.com, com. */
export function domainAndParents(domain: string): string[] {
  const labels = domain.split('.');
  return labels.map((_, index) => labels.slice(index).join('.'));
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
