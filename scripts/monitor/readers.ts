/**
 * Streaming readers for log files. A file is never read whole: bytes are decoded chunk by chunk
 * and split into records as they arrive, so memory holds one chunk and one record, whatever the
 * file size. Formats, detected from the first non-blank character (and the first line):
 * - `[` → a JSON array (Auth0 / Okta exports, saved Management API pages), split element by element;
 * - `{` and the first line is a complete value → NDJSON (log streams, tollguard lines), line by line;
 * - `{` otherwise → JSON values spanning lines (pretty-printed objects, an Okta event hook body);
 * - anything else → text lines (console output): tollguard decision JSON is picked out of each line.
 * `.gz` files are gunzipped on the fly; `-` is standard input. A bad line / element is counted
 * (with its line number, never its content: it may hold a phone number) and skipped; a file that
 * ends mid-value is reported truncated, with every complete record before it kept.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { extractDecisionJson, leadingTimestamp } from './events';
import { JsonSplitter, MAX_VALUE_CHARS, type SplitPiece } from './json-stream';

export type FileFormat = 'json-array' | 'ndjson' | 'json-values' | 'text' | 'empty';

export interface FileStats {
  name: string;
  format: FileFormat;
  /** Bytes consumed so far (compressed bytes for .gz). */
  bytes: number;
  records: number;
  errors: number;
  /** Line numbers of the first errors (content is never kept). */
  errorLines: number[];
  truncated: boolean;
  /** Text mode: lines without JSON, ignored. */
  ignoredLines: number;
}

export interface RawRecord {
  value: unknown;
  /** A timestamp from around the record (a text line's prefix), for tollguard lines without one. */
  fallbackAt?: number;
}

const MAX_ERROR_LINES = 10;
const DETECT_LIMIT = 1024 * 1024;

export function newFileStats(name: string): FileStats {
  return { name, format: 'empty', bytes: 0, records: 0, errors: 0, errorLines: [], truncated: false, ignoredLines: 0 };
}

/** The byte chunks of a file (gunzipped when it ends in .gz), or of stdin for `-`. */
export function openLogFile(path: string): AsyncIterable<Buffer | string> {
  if (path === '-') return process.stdin;
  const raw = createReadStream(path, { highWaterMark: 64 * 1024 });
  if (!path.endsWith('.gz')) return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

/** Records from a stream of bytes / text; `stats` is updated as reading goes. */
export async function* readRecords(chunks: AsyncIterable<Buffer | string>, stats: FileStats): AsyncGenerator<RawRecord> {
  const decoder = new TextDecoder('utf-8');
  let head = '';
  let reader: ChunkReader | undefined;
  for await (const chunk of chunks) {
    stats.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (reader === undefined) {
      head += text;
      const format = detectFormat(head, false);
      if (format === undefined) continue;
      stats.format = format;
      reader = makeReader(format, stats);
      yield* reader.push(head);
      head = '';
      continue;
    }
    yield* reader.push(text);
  }
  const tail = decoder.decode();
  if (reader === undefined) {
    head += tail;
    const format = detectFormat(head, true) ?? 'empty';
    stats.format = format;
    if (format === 'empty') return;
    reader = makeReader(format, stats);
    yield* reader.push(head);
  } else if (tail.length > 0) {
    yield* reader.push(tail);
  }
  yield* reader.end();
}

/** The format, or undefined when more text is needed to tell. */
export function detectFormat(head: string, atEnd: boolean): FileFormat | undefined {
  const first = head.search(/[^\s\ufeff]/);
  if (first < 0) return atEnd ? 'empty' : undefined;
  const char = head[first];
  if (char === '[') return 'json-array';
  if (char !== '{') return 'text';
  const newline = head.indexOf('\n', first);
  if (newline < 0 && !atEnd && head.length < DETECT_LIMIT) return undefined;
  const firstLine = head.slice(first, newline < 0 ? undefined : newline).trim();
  try {
    JSON.parse(firstLine);
    return 'ndjson';
  } catch {
    return 'json-values';
  }
}

interface ChunkReader {
  push(text: string): Generator<RawRecord>;
  end(): Generator<RawRecord>;
}

function makeReader(format: FileFormat, stats: FileStats): ChunkReader {
  if (format === 'json-array' || format === 'json-values') return new SplitReader(format === 'json-array' ? 'array' : 'values', stats);
  return new LineReader(format === 'ndjson' ? 'ndjson' : 'text', stats);
}

function recordError(stats: FileStats, line: number): void {
  stats.errors += 1;
  if (stats.errorLines.length < MAX_ERROR_LINES) stats.errorLines.push(line);
}

class SplitReader implements ChunkReader {
  private readonly splitter: JsonSplitter;

  constructor(mode: 'array' | 'values', private readonly stats: FileStats) {
    this.splitter = new JsonSplitter(mode);
  }

  *push(text: string): Generator<RawRecord> {
    for (const piece of this.splitter.push(text)) yield* this.parse(piece);
  }

  *end(): Generator<RawRecord> {
    const { pieces, end } = this.splitter.end();
    for (const piece of pieces) yield* this.parse(piece);
    this.stats.truncated = end.truncated;
    for (let index = 0; index < end.strayErrors; index += 1) recordError(this.stats, end.strayLines[index] ?? 0);
  }

  private *parse(piece: SplitPiece): Generator<RawRecord> {
    if (piece.text === undefined) {
      recordError(this.stats, piece.line);
      return;
    }
    try {
      const value: unknown = JSON.parse(piece.text);
      this.stats.records += 1;
      yield { value };
    } catch {
      recordError(this.stats, piece.line);
    }
  }
}

class LineReader implements ChunkReader {
  private pending = '';
  private line = 0;
  private skipping = false;

  constructor(private readonly mode: 'ndjson' | 'text', private readonly stats: FileStats) {}

  *push(text: string): Generator<RawRecord> {
    let from = 0;
    for (;;) {
      const newline = text.indexOf('\n', from);
      if (newline < 0) break;
      const part = text.slice(from, newline);
      from = newline + 1;
      this.line += 1;
      if (this.skipping) {
        this.skipping = false;
        this.pending = '';
        continue;
      }
      const line = this.pending.length > 0 ? this.pending + part : part;
      this.pending = '';
      yield* this.handle(line, false);
    }
    if (from < text.length && !this.skipping) {
      this.pending += text.slice(from);
      if (this.pending.length > MAX_VALUE_CHARS) {
        // A line longer than any record: drop it and skip to its end.
        this.pending = '';
        this.skipping = true;
        recordError(this.stats, this.line + 1);
      }
    }
  }

  *end(): Generator<RawRecord> {
    if (this.pending.length > 0 && !this.skipping) {
      this.line += 1;
      const line = this.pending;
      this.pending = '';
      yield* this.handle(line, true);
    }
  }

  private *handle(raw: string, last: boolean): Generator<RawRecord> {
    const line = raw.trim();
    if (line.length === 0) return;
    if (line.startsWith('{') || line.startsWith('[')) {
      try {
        const value: unknown = JSON.parse(line);
        this.stats.records += 1;
        yield { value };
        return;
      } catch {
        // fall through: maybe JSON embedded in text
      }
    }
    const decisions = line.includes('"tollguard"') ? extractDecisionJson(line) : [];
    if (decisions.length > 0) {
      const fallbackAt = leadingTimestamp(line);
      for (const value of decisions) {
        this.stats.records += 1;
        yield fallbackAt === undefined ? { value } : { value, fallbackAt };
      }
      return;
    }
    if (this.mode === 'text' && !line.startsWith('{') && !line.startsWith('[')) {
      this.stats.ignoredLines += 1;
      return;
    }
    recordError(this.stats, this.line);
    if (last) this.stats.truncated = true;
  }
}
