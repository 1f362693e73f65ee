/**
 * Phone numbers in the monitor: a number read from a log is turned, once, into what the analysis
 * needs and nothing more: an opaque identity (a salted hash, for distinct counts), the masked form
 * tollguard logs use, its range (the number without its last 4 digits) and its country. The full
 * number never leaves this module, so no report, record or state file can contain one.
 */
import { createHash } from 'node:crypto';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { maskPhoneNumber } from '../../shared/phone/mask';
import { rangeLabel, rangeOf } from '../../shared/phone/ranges';

export interface NumberFacts {
  /** Opaque identity: equal for equal numbers within one salt, meaningless outside it. */
  key: string;
  /** `+1415*****71`: safe to print. */
  masked: string;
  /** The number without its last 4 digits (`+1415555`), or a masked number's visible prefix. */
  range: string | undefined;
  /**
   * The range as the send Action names it (`+1415555`): the E.164 prefix its prefix-anomaly rule
   * counts and blocks, with a space after the calling code (`+1 415555`): GUARD_BLOCKED_NUMBERS and
   * the store keys ignore it, and no guard mistakes it for a phone number. Only known for a full
   * number, never for a masked one.
   */
  rangePrefix?: string;
  /** ISO 3166-1 alpha-2 of the destination, when the number is valid and geographic. */
  country: string | undefined;
}

/**
 * The number's range, as the send Action computes it (shared/phone/ranges.ts), written with an
 * `x` per hidden digit (`+14155551234` → `+1415555xxxx`) so that it can never be mistaken for a
 * number.
 */
export function rangeOfE164(e164: string, callingCode: string): string | undefined {
  return rangeLabel(e164, callingCode);
}

/** `+1415555` → `+1 415555`. */
export function spacedPrefix(prefix: string, callingCode: string): string {
  return `+${callingCode} ${prefix.slice(1 + callingCode.length)}`;
}

/** The range of a masked number: its visible prefix (`+1415*****71` → `+1415xxxxxxx`). */
export function rangeOfMasked(masked: string): string | undefined {
  const star = masked.indexOf('*');
  if (!masked.startsWith('+') || star < 3) return undefined;
  const prefix = masked.slice(0, star);
  if (!/^\+\d+$/.test(prefix)) return undefined;
  return prefix + 'x'.repeat(masked.length - star);
}

/** `+` and 6+ digits not followed by another digit, `x` or `*` (ranges and masked forms are fine). */
const NUMBER_RUN = /\+\d{6,17}(?![\dx*])/g;

/** Masks every run in a free text that looks like a full international number. */
export function maskNumberRuns(text: string): string {
  return text.replace(NUMBER_RUN, (run) => maskLoose(run));
}

/** A string that is plausibly a phone number (so must be masked before it is shown). */
export function looksLikePhoneNumber(text: string): boolean {
  const compact = text.replace(/[\s().-]/g, '');
  return /^\+?\d{6,17}$/.test(compact);
}

/** A masked form for a string that looks like a number but may not parse (user names, bad input). */
export function maskLoose(text: string): string {
  const digits = text.replace(/\D/g, '');
  return maskPhoneNumber(`+${digits}`);
}

/** A valid number as the store keys need it. Only the conversion join holds one, to record a proof; no output carries it. */
export interface FullNumber {
  e164: string;
  callingCode: string;
  country: string | undefined;
}

/** A log's number shown masked (`+1 XXX-XXX-1234`, `+4479******12`): it identifies nothing. */
export function isMaskedNumber(raw: string): boolean {
  return /[xX*•#]/.test(raw);
}

/** The valid E.164 number a log field holds, or undefined (masked, invalid, not a number). */
export function parseFullNumber(raw: string, callingCodeHint?: string): FullNumber | undefined {
  const text = raw.trim();
  if (text.length === 0 || text.length > 40 || isMaskedNumber(text)) return undefined;
  return readNumber(text, callingCodeHint).number;
}

/**
 * The forms a log's number may stand for (as written with a +, or national with the calling code
 * of the event), tried in turn: the first valid one, and the last form tried (for an identity of
 * garbage that still has enough digits).
 */
function readNumber(text: string, callingCodeHint: string | undefined): { number: FullNumber | undefined; lastForm: string | undefined } {
  const digits = text.replace(/\D/g, '');
  if (digits.length < 6 || digits.length > 17) return { number: undefined, lastForm: undefined };
  const candidates = [`+${digits}`];
  if (!text.startsWith('+') && callingCodeHint !== undefined && /^\d{1,3}$/.test(callingCodeHint) && !digits.startsWith(callingCodeHint)) {
    candidates.unshift(`+${callingCodeHint}${digits}`);
  }
  for (const candidate of candidates) {
    try {
      const parsed = parsePhoneNumberWithError(candidate);
      if (parsed.isValid()) return { number: { e164: parsed.number, callingCode: parsed.countryCallingCode, country: parsed.country }, lastForm: candidate };
    } catch {
      // try the next form
    }
  }
  return { number: undefined, lastForm: candidates[candidates.length - 1] };
}

const MAX_CACHE = 50_000;

export class PhoneIdentity {
  private readonly cache = new Map<string, NumberFacts | null>();

  constructor(private readonly salt: string) {}

  /**
   * Facts about a raw number from a log. Invalid or unparseable input still gets an identity and
   * a masked form when it has enough digits (an attacker's garbage is still traffic), but no
   * country or range.
   */
  identify(raw: string, callingCodeHint?: string): NumberFacts | undefined {
    const text = raw.trim();
    if (text.length === 0 || text.length > 40) return undefined;
    const cacheKey = callingCodeHint === undefined ? text : `${callingCodeHint}:${text}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    const facts = this.compute(text, callingCodeHint);
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(cacheKey, facts ?? null);
    return facts;
  }

  /** Identity for a number only known masked (tollguard decision lines). */
  identifyMasked(masked: string): NumberFacts | undefined {
    const text = masked.trim();
    if (!/^\+[0-9*]{6,20}$/.test(text) || !text.includes('*')) return undefined;
    return { key: `m:${text}`, masked: text, range: rangeOfMasked(text), country: undefined };
  }

  private compute(text: string, callingCodeHint: string | undefined): NumberFacts | undefined {
    const { number, lastForm } = readNumber(text, callingCodeHint);
    if (number !== undefined) {
      const { e164, callingCode, country } = number;
      const range = rangeOfE164(e164, callingCode);
      const facts: NumberFacts = { key: this.hash(e164), masked: maskPhoneNumber(e164, callingCode), range, country };
      if (range !== undefined) facts.rangePrefix = spacedPrefix(rangeOf(e164, callingCode), callingCode);
      return facts;
    }
    if (lastForm === undefined) return undefined;
    return { key: this.hash(lastForm), masked: maskPhoneNumber(lastForm), range: undefined, country: undefined };
  }

  private hash(e164: string): string {
    return createHash('sha256').update(this.salt).update('\u0000').update(e164).digest('hex').slice(0, 20);
  }
}
