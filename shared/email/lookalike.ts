/**
 * Look-alike e-mail domains: gmаil.com with a Cyrillic 'а', уаһоо.com written wholly in Cyrillic,
 * gmai1.com, rnail.com, gmial.com, c0op.example, coop-login.example... Fake sign-ups use them to pass
 * as a big provider's users (or as the tenant's own people) while the mail goes to a server the
 * attacker controls.
 *
 * Checks, against targets compiled once (lookalikeTargets) from the protected domains (the big
 * providers, provider-domains.ts) and the tenant's own (allowed) domains:
 * 0. a protected domain, or a subdomain of one, is the real thing and never a look-alike (ymail.com
 *    is one letter from gmail.com and genuine: the provider list carries such siblings);
 * 1. skeleton: the domain, or one of its parent domains, reduced to its "skeleton" (homoglyphs of
 *    any script, 0 -> o, 1 -> l, rn -> m, vv -> w) equals a protected domain's skeleton. Applies to
 *    ASCII and to labels wholly in another script (аоӏ.com), not only to mixed ones;
 * 2. one edit: the registrable domain's skeleton is one insertion, deletion, substitution or
 *    adjacent transposition (Damerau) from a protected registrable domain's skeleton (gmial.com,
 *    gmai.com, yahooo.com, icloud.co). Only for names long enough that one edit is a typo rather
 *    than another word: see MIN_PROVIDER_NAME and MIN_TENANT_NAME;
 * 3. tenant brand: a hyphenated name with the tenant's name as one part and the tenant's suffix
 *    (coop-login.example, login-c0op.example for coop.example);
 * 4. mixed scripts: one label mixes Latin with Cyrillic / Greek / Armenian / Cherokee letters, or
 *    two such non-Latin scripts (the UTS #39 "moderately restrictive" idea, simplified). Latin
 *    with CJK scripts (Han, Hiragana, Katakana, Hangul, Bopomofo), or with one script that has no
 *    Latin look-alikes (Arabic, Thai, Devanagari...), is normal and passes.
 * A label in one script only (почта.рф) passes check 4; only checks 1-3 can flag it.
 * Skeletons are only ever compared with protected domains, never with one another, so rn -> m
 * cannot make two unrelated domains collide.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { domainAndParents, registrableDomain, type EmailFacts } from './address';

export { DEFAULT_PROTECTED_DOMAINS } from './provider-domains';

/**
 * Shortest provider name (the label before the public suffix) compared by one edit. Every string
 * one edit from a name of four letters or fewer is itself a word or brand in use (mail.com -> main,
 * maid, nail; live.com -> life, love; web.de -> wen, weg; qq, me, aol, gmx): one edit says nothing
 * there. From five letters (gmail, yahoo, naver) the neighbours under the same suffix are mostly
 * typos; the few genuine ones are listed providers or tenant exceptions. Measured in
 * tests/email/lookalike.test.ts against the ~13 700 domains of the two provider lists.
 */
export const MIN_PROVIDER_NAME = 5;
/**
 * Shortest tenant name compared by one edit. One lower: the tenant listed these domains itself,
 * impersonating them is the point of a squat (coopp.example for coop.example), and a neighbour
 * company is one GUARD_EMAIL_LOOKALIKE_EXCEPTIONS entry away.
 */
export const MIN_TENANT_NAME = 4;

/**
 * Provider names that are ordinary words or first names: their one-edit neighbours are other
 * people's real domains (emil.com, e-mail.com, iobox.com, online.nl, centrum.sk, roger.com), so
 * they are compared by skeleton only. Found by the measurement above.
 */
const WORD_NAMES: ReadonlySet<string> = new Set([
  'email', 'inbox', 'online', 'orange', 'alice', 'libero', 'virgilio', 'terra', 'rogers', 'charter', 'centrum',
  'freenet', 'telenet', 'skynet', 'sympatico', 'lycos',
]);

interface Target {
  /** As configured (shown in reasons). */
  name: string;
  /** Lower-case ASCII. */
  ascii: string;
}

interface NearTarget extends Target {
  /** Skeleton of the Unicode registrable domain. */
  skeleton: string;
}

interface BrandTarget extends Target {
  /** Skeleton of the name label (coop). */
  token: string;
  /** Public suffix in ASCII (example, co.uk). */
  suffix: string;
}

export interface LookalikeTargets {
  /** Protected domains in ASCII: they and their subdomains are never look-alikes. */
  genuine: ReadonlySet<string>;
  /** Skeleton of each protected domain (Unicode form) -> the domain; first entry wins. */
  bySkeleton: ReadonlyMap<string, Target>;
  /** Protected registrable domains compared by one edit. */
  near: readonly NearTarget[];
  /** Tenant names whose hyphenated squats are refused. */
  brands: readonly BrandTarget[];
}

/**
 * Compiles the targets once (per container): provider domains first (the big ones first: they win
 * a shared skeleton), then the tenant's. Entries are domain names in any case, Unicode or ASCII;
 * an entry that is not a domain name is skipped.
 */
export function lookalikeTargets(providerDomains: readonly string[], tenantDomains: readonly string[] = []): LookalikeTargets {
  const genuine = new Set<string>();
  const bySkeleton = new Map<string, Target>();
  const near: NearTarget[] = [];
  const brands: BrandTarget[] = [];
  const nearSeen = new Set<string>();
  const add = (entry: string, tenant: boolean) => {
    const name = entry.trim().toLowerCase().replace(/\.$/, '');
    const ascii = name === '' ? '' : domainToASCII(name);
    if (ascii === '') return;
    genuine.add(ascii);
    const target = { name, ascii };
    const key = skeleton(unicodeOf(ascii));
    if (!bySkeleton.has(key)) bySkeleton.set(key, target);
    if (!ascii.includes('.')) return;
    const registrable = registrableDomain(ascii);
    const registrableSkeleton = skeleton(unicodeOf(registrable));
    const { label, suffix } = splitName(registrableSkeleton);
    const length = [...label].length;
    const comparedByEdit = tenant ? length >= MIN_TENANT_NAME : length >= MIN_PROVIDER_NAME && !WORD_NAMES.has(label);
    if (comparedByEdit && !nearSeen.has(registrable)) {
      nearSeen.add(registrable);
      near.push({ ...target, skeleton: registrableSkeleton });
    }
    if (tenant && length >= MIN_TENANT_NAME && suffix !== '') brands.push({ ...target, token: label, suffix });
  };
  for (const entry of providerDomains) add(entry, false);
  for (const entry of tenantDomains) add(entry, true);
  return { genuine, bySkeleton, near, brands };
}

const compiled = new WeakMap<readonly string[], LookalikeTargets>();

/** Callers with a plain list (tests, tools) get it compiled once per list object. */
function targetsOf(targets: LookalikeTargets | readonly string[]): LookalikeTargets {
  if (!Array.isArray(targets)) return targets as LookalikeTargets;
  const list = targets as readonly string[];
  let found = compiled.get(list);
  if (found === undefined) {
    found = lookalikeTargets(list);
    compiled.set(list, found);
  }
  return found;
}

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
/** Letter pairs that read as one letter in most fonts (rnail -> mail, vveb -> web). */
const LETTER_PAIRS = /rn|vv/g;
const PAIR_READS_AS: Readonly<Record<string, string>> = { rn: 'm', vv: 'w' };

const NON_ASCII = /[^\x00-\x7f]/;
const COMBINING_MARKS = /\p{M}/gu;

/**
 * The skeleton of a domain: NFKC (fullwidth, mathematical, ligature forms), lower case, accents
 * stripped (NFD, marks removed: gmáil, gmаïl), then the confusables above, 0 -> o, 1 -> l, and
 * rn -> m, vv -> w. Two domains with the same skeleton look alike.
 */
export function skeleton(domain: string): string {
  const folded = domain.normalize('NFKC').toLowerCase().normalize('NFD').replace(COMBINING_MARKS, '');
  let mapped = '';
  for (const character of folded) mapped += CONFUSABLES[character] ?? DIGIT_SWAPS[character] ?? character;
  return mapped.replace(LETTER_PAIRS, (pair) => PAIR_READS_AS[pair] ?? pair);
}

/**
 * Why the address's domain is a look-alike, or undefined. `targets` is a compiled set
 * (lookalikeTargets) or a plain list of protected domains (all treated as providers).
 */
export function lookalikeReason(email: EmailFacts, targets: LookalikeTargets | readonly string[]): string | undefined {
  const compiledTargets = targetsOf(targets);
  const ascii = email.domain.toLowerCase();
  const spelt = unicodeOf(ascii);
  const unicode = NON_ASCII.test(email.unicodeDomain) ? email.unicodeDomain : spelt;
  // A protected domain (or a subdomain of one) spelt canonically is the real thing.
  const genuine = unicode === spelt && domainAndParents(ascii).some((candidate) => compiledTargets.genuine.has(candidate));
  if (genuine) return undefined;
  const looksLike = (target: Target) => `domain ${email.domain} looks like ${target.name}`;

  // 1. The domain and its parents of two labels or more (mail.gmаil.com is caught via gmаil.com).
  const labels = unicode.split('.');
  for (let index = 0; index + 2 <= labels.length; index += 1) {
    const target = compiledTargets.bySkeleton.get(skeleton(labels.slice(index).join('.')));
    if (target !== undefined) return looksLike(target);
  }

  // 2. One edit from a protected registrable domain.
  const registrableSkeleton = skeleton(unicodeOf(registrableDomain(ascii)));
  const near = compiledTargets.near.find((target) => withinOneEdit(registrableSkeleton, target.skeleton));
  if (near !== undefined) return looksLike(near);

  // 3. The tenant's name as one part of a hyphenated name under the tenant's suffix.
  const { label, suffix } = splitName(registrableSkeleton);
  const parts = label.split('-');
  if (parts.length >= 2) {
    const brand = compiledTargets.brands.find((target) => target.suffix === suffix && parts.includes(target.token));
    if (brand !== undefined) return looksLike(brand);
  }

  // 4. Mixed scripts within one label.
  if (!NON_ASCII.test(unicode)) return undefined;
  for (const label of labels) {
    const scripts = scriptsOf(label);
    if (isMixedScript(scripts)) {
      return `domain ${email.domain} has a label that mixes ${[...scripts].sort(latinFirst).join(' and ')} letters`;
    }
  }
  return undefined;
}

/**
 * Damerau distance at most one (optimal string alignment), in one pass: equal, or one
 * substitution, one adjacent transposition, or one insertion / deletion. Compares code points.
 */
export function withinOneEdit(a: string, b: string): boolean {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > 1) return false;
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start += 1;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) {
    endX -= 1;
    endY -= 1;
  }
  const restX = endX - start;
  const restY = endY - start;
  if (restX <= 1 && restY <= 1) return true;
  return restX === 2 && restY === 2 && x[start] === y[start + 1] && x[start + 1] === y[start];
}

/**
 * The Unicode form of a whole ASCII domain (never of one label: the host parser reads a lone 163 as
 * the IPv4 address 0.0.0.163). Itself when it is not a valid IDN.
 */
function unicodeOf(ascii: string): string {
  return ascii.includes('.') ? domainToUnicode(ascii) || ascii : ascii;
}

/** example.co.uk -> { label: example, suffix: co.uk }; a bare name has an empty suffix. */
function splitName(registrable: string): { label: string; suffix: string } {
  const dot = registrable.indexOf('.');
  return dot < 0 ? { label: registrable, suffix: '' } : { label: registrable.slice(0, dot), suffix: registrable.slice(dot + 1) };
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
