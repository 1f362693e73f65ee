/**
 * Unicode look-alike (homograph) e-mail domains: gmаil.com with a Cyrillic 'а', ɡmail.com with a
 * Latin script 'ɡ', gmаi1.com... Fake sign-ups use them to pass as a big provider's users (or as
 * the tenant's own domain) while the mail goes to a server the attacker controls.
 *
 * Two checks, on the Unicode form of the domain (ASCII domains are never flagged here):
 * 1. skeleton: the domain, or one of its parent domains, reduced to its "skeleton" equals a
 *    protected domain -> "looks like gmail.com";
 * 2. mixed scripts: one label mixes Latin with Cyrillic / Greek / Armenian / Cherokee letters, or
 *    two such non-Latin scripts (the UTS #39 "moderately restrictive" idea, simplified). Latin
 *    with CJK scripts (Han, Hiragana, Katakana, Hangul, Bopomofo), or with one script that has no
 *    Latin look-alikes (Arabic, Thai, Devanagari...), is normal and passes.
 * A label in one script only (почта.рф) passes check 2; it is flagged only by check 1.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import type { EmailFacts } from './address';

/** Big mail providers whose look-alikes are refused by default. */
export const DEFAULT_PROTECTED_DOMAINS: readonly string[] = [
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'yahoo.com', 'icloud.com', 'me.com',
  'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.de', 'web.de', 'yandex.com', 'mail.ru', 'qq.com', '163.com',
];

/**
 * Hand-picked confusables: lower-case letters of other scripts (and a few non-ASCII Latin ones)
 * that render like an ASCII letter or digit in common fonts. Not Unicode's confusables.txt: only the
 * usual suspects in homograph attacks. Upper-case forms are not needed: IDNA lower-cases domains.
 * Fullwidth and mathematical forms (ｇ, 𝐠), ligatures (ﬁ) and Roman numerals (ⅼ) are folded by
 * NFKC, and accents (gmáil, Cyrillic ї) are stripped, before this table is applied.
 */
const CONFUSABLES: Readonly<Record<string, string>> = {
  // Cyrillic
  'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j', 'ѕ': 's',
  'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'һ': 'h', 'ӏ': 'l', 'ь': 'b', 'б': '6', 'з': '3',
  // Greek
  'ο': 'o', 'α': 'a', 'ν': 'v', 'ρ': 'p', 'τ': 't', 'ι': 'i', 'κ': 'k', 'υ': 'u', 'χ': 'x', 'η': 'n',
  'ϲ': 'c', 'ϳ': 'j',
  // Armenian
  'օ': 'o', 'ս': 'u', 'հ': 'h', 'ո': 'n', 'ց': 'g', 'զ': 'q',
  // Latin letters outside ASCII (no decomposition, so stripping accents does not reach them)
  'ɡ': 'g', 'ı': 'i', 'ɩ': 'i', 'ɑ': 'a', 'ǀ': 'l', 'ł': 'l', 'ø': 'o', 'đ': 'd', 'ħ': 'h',
};

/** Digit / letter swaps (gmаi1 -> gmail); skeletons only ever compare whole domains with protected ones. */
const DIGIT_SWAPS: Readonly<Record<string, string>> = { '0': 'o', '1': 'l' };

const NON_ASCII = /[^\x00-\x7f]/;
const COMBINING_MARKS = /\p{M}/gu;

/**
 * The skeleton of a domain: NFKC (fullwidth, mathematical, ligature forms), lower case, accents
 * stripped (NFD, marks removed: gmáil, gmаïl), then the confusables above and 0 -> o, 1 -> l.
 * Two domains with the same skeleton look alike.
 */
export function skeleton(domain: string): string {
  const folded = domain.normalize('NFKC').toLowerCase().normalize('NFD').replace(COMBINING_MARKS, '');
  let mapped = '';
  for (const character of folded) mapped += CONFUSABLES[character] ?? DIGIT_SWAPS[character] ?? character;
  return mapped;
}

export function lookalikeReason(email: EmailFacts, protectedDomains: readonly string[]): string | undefined {
  const unicode = NON_ASCII.test(email.unicodeDomain) ? email.unicodeDomain : domainToUnicode(email.domain);
  if (!NON_ASCII.test(unicode)) return undefined;

  // skeleton -> the protected domain, as configured and in its canonical Unicode spelling
  const targets = new Map<string, { name: string; canonical: string }>();
  for (const entry of protectedDomains) {
    const name = entry.trim().toLowerCase();
    const canonical = domainToUnicode(domainToASCII(name)) || name;
    const key = skeleton(canonical);
    // First entry wins when two share a skeleton (the big providers come first in the policy).
    if (name !== '' && !targets.has(key)) targets.set(key, { name, canonical });
  }
  const labels = unicode.split('.');
  // The domain and its parents of two labels or more (mail.gmаil.com is caught via gmаil.com).
  for (let index = 0; index + 2 <= labels.length; index += 1) {
    const candidate = labels.slice(index).join('.');
    if (!NON_ASCII.test(candidate)) break;
    const target = targets.get(skeleton(candidate));
    if (target === undefined) continue;
    // A protected IDN itself (or a subdomain of it), spelt canonically, is the real thing.
    if (candidate === target.canonical) break;
    return `domain ${email.domain} looks like ${target.name}`;
  }

  for (const label of labels) {
    const scripts = scriptsOf(label);
    if (isMixedScript(scripts)) {
      return `domain ${email.domain} has a label that mixes ${[...scripts].sort(latinFirst).join(' and ')} letters`;
    }
  }
  return undefined;
}

/** Scripts told apart in labels; letters of any other script count as 'Other'. */
const SCRIPTS = [
  'Latin', 'Cyrillic', 'Greek', 'Armenian', 'Cherokee', 'Georgian', 'Hebrew', 'Arabic', 'Syriac', 'Thaana',
  'Devanagari', 'Bengali', 'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala',
  'Thai', 'Lao', 'Tibetan', 'Myanmar', 'Khmer', 'Ethiopic', 'Mongolian', 'Han', 'Hiragana', 'Katakana', 'Hangul',
  'Bopomofo',
] as const;
/** One alternation with a named group per script; digits, hyphens and marks (Common, Inherited) match nothing. */
const SCRIPT_PATTERN = new RegExp(
  `${SCRIPTS.map((script) => `(?<${script}>\\p{Script=${script}})`).join('|')}|(?<Other>\\p{L})`,
  'gu',
);
const CJK_SCRIPTS: ReadonlySet<string> = new Set(['Han', 'Hiragana', 'Katakana', 'Hangul', 'Bopomofo']);
/** Scripts with many letters that pass for Latin ones. */
const LATIN_LOOKALIKE_SCRIPTS: ReadonlySet<string> = new Set(['Cyrillic', 'Greek', 'Armenian', 'Cherokee']);

export function scriptsOf(label: string): Set<string> {
  const scripts = new Set<string>();
  for (const match of label.matchAll(SCRIPT_PATTERN)) {
    const groups = match.groups ?? {};
    const script = Object.keys(groups).find((name) => groups[name] !== undefined);
    if (script !== undefined) scripts.add(script);
  }
  return scripts;
}

function isMixedScript(scripts: ReadonlySet<string>): boolean {
  if (scripts.size <= 1) return false;
  const others = [...scripts].filter((script) => script !== 'Latin');
  if (others.every((script) => CJK_SCRIPTS.has(script))) return false;
  const [only] = others;
  return !(others.length === 1 && only !== undefined && scripts.has('Latin') && !LATIN_LOOKALIKE_SCRIPTS.has(only));
}

function latinFirst(a: string, b: string): number {
  if (a === b) return 0;
  if (a === 'Latin') return -1;
  if (b === 'Latin') return 1;
  return a < b ? -1 : 1;
}
