/**
 * An incremental JSON splitter: text goes in chunk by chunk, the source text of each complete
 * top-level value comes out (or, for a top-level array, of each element), ready for JSON.parse.
 * Only the value being read is held in memory, never the whole input. It tracks structure only
 * (brackets, strings, escapes); JSON.parse does the validation, so one bad element is one error
 * and the next element still parses.
 *
 * Modes:
 * - `array`: `[ {...}, {...} ]` (an export, a Management API page). Several arrays in a row
 *   (`[...][...]`, pages appended to one file) are read as one.
 * - `values`: objects / arrays one after another, separated by whitespace: NDJSON, and
 *   pretty-printed values spanning lines. Recovery: a value that is still open when a line starts
 *   with `{` or `[` (pretty printers indent nested values, so a value starting in column 0 is a new
 *   top-level one), or whose string meets a raw newline (not allowed in JSON), is reported broken
 *   and reading goes on with the next value. Text between values that cannot start one is skipped
 *   to the end of its line and counted.
 */
export type SplitMode = 'array' | 'values';

export interface SplitPiece {
  /** The value's JSON text; undefined when the value was broken or too large. */
  text: string | undefined;
  /** 1-based line where the value starts. */
  line: number;
  problem?: 'broken' | 'oversized';
}

export interface SplitEnd {
  /** The input ended inside a value (or inside an array that was never closed). */
  truncated: boolean;
  /** Lines of stray text skipped between values. */
  strayErrors: number;
  /** Their line numbers (the first 10). */
  strayLines: number[];
}

export const MAX_VALUE_CHARS = 16 * 1024 * 1024;

/** Inside a string only quotes, backslashes and newlines matter; outside, brackets too. */
const STRING_SPECIAL = /["\\\n]/g;
const STRUCTURE_SPECIAL = /["{}[\]\n]/g;

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

export class JsonSplitter {
  private readonly base: number;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Inside the top-level array (array mode). */
  private inArray = false;
  private inValue = false;
  /** The value is a primitive (array elements only). */
  private primitive = false;
  private parts: string[] = [];
  private size = 0;
  private oversized = false;
  private valueLine = 1;
  private line = 1;
  private atLineStart = true;
  private skippingToEol = false;
  private strayErrors = 0;
  private readonly strayLines: number[] = [];

  constructor(private readonly mode: SplitMode) {
    this.base = mode === 'array' ? 1 : 0;
  }

  push(chunk: string): SplitPiece[] {
    const out: SplitPiece[] = [];
    let valueStart = this.inValue ? 0 : -1;

    for (let index = 0; index < chunk.length; index += 1) {
      // Fast path: inside a value, jump to the next character that matters.
      if (this.inValue && !this.primitive && !this.skippingToEol && !this.escaped) {
        const pattern = this.inString ? STRING_SPECIAL : STRUCTURE_SPECIAL;
        pattern.lastIndex = index;
        const match = pattern.exec(chunk);
        if (match === null) {
          if (index < chunk.length) this.atLineStart = false;
          break;
        }
        if (match.index > index) this.atLineStart = false;
        index = match.index;
      }
      const char = chunk.charCodeAt(index);
      const lineStart = this.atLineStart;
      this.atLineStart = char === NEWLINE;
      if (char === NEWLINE) this.line += 1;

      if (this.skippingToEol) {
        if (char === NEWLINE) this.skippingToEol = false;
        continue;
      }

      if (this.inValue) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (char === BACKSLASH) this.escaped = true;
          else if (char === QUOTE) this.inString = false;
          else if (char === NEWLINE && this.mode === 'values') {
            this.finish(chunk, valueStart, index, out, 'broken');
            valueStart = -1;
          }
          continue;
        }
        if (this.primitive) {
          if (char === COMMA || char === CLOSE_BRACKET || isSpace(char)) {
            this.finish(chunk, valueStart, index, out);
            valueStart = -1;
            if (char === CLOSE_BRACKET) this.closeArray();
          } else if (char === QUOTE) {
            this.inString = true;
          }
          continue;
        }
        if (lineStart && this.mode === 'values' && (char === OPEN_BRACE || char === OPEN_BRACKET)) {
          // An unfinished value, then a new one starting in column 0: the first one was cut short.
          this.finish(chunk, valueStart, index, out, 'broken');
          valueStart = this.start(index, char);
          continue;
        }
        if (char === QUOTE) this.inString = true;
        else if (char === OPEN_BRACE || char === OPEN_BRACKET) this.depth += 1;
        else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
          this.depth -= 1;
          if (this.depth <= this.base) {
            this.finish(chunk, valueStart, index + 1, out);
            valueStart = -1;
          }
        }
        continue;
      }

      // Between values.
      if (isSpace(char) || char === 0xfeff) continue;
      if (this.mode === 'array') {
        if (!this.inArray) {
          if (char === OPEN_BRACKET) {
            this.inArray = true;
            this.depth = 1;
          } else {
            this.stray();
          }
          continue;
        }
        if (char === COMMA) continue;
        if (char === CLOSE_BRACKET) {
          this.closeArray();
          continue;
        }
      } else if (char !== OPEN_BRACE && char !== OPEN_BRACKET) {
        this.stray();
        continue;
      }
      valueStart = this.start(index, char);
    }
    if (this.inValue && valueStart >= 0) this.keep(chunk.slice(valueStart));
    return out;
  }

  end(): { pieces: SplitPiece[]; end: SplitEnd } {
    const pieces: SplitPiece[] = [];
    let truncated = false;
    if (this.inValue) {
      if (this.primitive && !this.inString) this.finish('', 0, 0, pieces);
      else {
        truncated = true;
        this.reset();
      }
    }
    if (this.mode === 'array' && this.inArray) truncated = true;
    return { pieces, end: { truncated, strayErrors: this.strayErrors, strayLines: this.strayLines } };
  }

  private start(index: number, char: number): number {
    this.inValue = true;
    this.valueLine = this.line;
    if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      this.primitive = false;
      this.depth = this.base + 1;
    } else {
      this.primitive = true;
      this.inString = char === QUOTE;
    }
    return index;
  }

  private stray(): void {
    this.strayErrors += 1;
    if (this.strayLines.length < 10) this.strayLines.push(this.line);
    this.skippingToEol = true;
  }

  private closeArray(): void {
    this.inArray = false;
    this.depth = 0;
  }

  private keep(part: string): void {
    if (this.oversized) return;
    this.size += part.length;
    if (this.size > MAX_VALUE_CHARS) {
      this.oversized = true;
      this.parts = [];
      return;
    }
    this.parts.push(part);
  }

  private finish(chunk: string, start: number, end: number, out: SplitPiece[], problem?: 'broken'): void {
    if (problem === undefined && start >= 0 && end > start) this.keep(chunk.slice(start, end));
    const finalProblem = problem ?? (this.oversized ? 'oversized' : undefined);
    out.push(finalProblem === undefined ? { text: this.parts.join(''), line: this.valueLine } : { text: undefined, line: this.valueLine, problem: finalProblem });
    this.reset();
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
    this.oversized = false;
    this.inValue = false;
    this.primitive = false;
    this.inString = false;
    this.escaped = false;
    this.depth = this.mode === 'array' && this.inArray ? 1 : 0;
  }
}

function isSpace(char: number): boolean {
  return char === 0x20 || char === NEWLINE || char === 0x0d || char === 0x09;
}
