/**
 * Incremental record splitters for streamed NDJSON and CSV (RFC 4180). Pure: text goes in as it
 * arrives (any chunking), whole records come out with their original text, so a filter can
 * write a row back exactly as it was received.
 */
import { AppError } from './errors.js';

export interface RawRecord {
  /** The record's text without its line terminator. */
  text: string;
  /** The terminator as received (`\n`, `\r\n`, or '' for a last record without one). */
  eol: string;
  /** 1-based physical line the record starts on. */
  line: number;
}

/**
 * Longest record accepted, in bytes (UTF-16 units for text): a record that does not end within
 * this (an unterminated quote, a line without a newline) is refused instead of buffered. Real
 * rows are a few hundred bytes; 1 MiB leaves room for wide exports.
 */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** The 400 for a record that goes on past MAX_RECORD_BYTES. */
export function recordTooLong(line: number, max: number = MAX_RECORD_BYTES): AppError {
  return new AppError(
    'BOUNCER_ERR_VALIDATION',
    `line ${line}: record too long (more than ${max} bytes)`,
    { details: { field: 'body', line } },
  );
}

/**
 * Splits text into records at line ends. With `quoted` (CSV), a line end inside double quotes
 * does not end the record: a record ends where the count of `"` so far is even.
 *
 * Each character is looked at once: an unfinished record is kept as the chunks it came in (not
 * rescanned or re-concatenated per chunk), with its quote count, and refused once it passes
 * `maxRecord` (so memory holds at most one record plus one chunk).
 */
export class RecordSplitter {
  private parts: string[] = [];
  private partsLength = 0;
  private quotes = 0;
  private nextLine = 1;

  constructor(
    private readonly quoted: boolean,
    private readonly maxRecord: number = MAX_RECORD_BYTES,
  ) {}

  /** Records completed by this chunk, in order. Empty records (blank lines) are skipped. */
  push(chunk: string, out: RawRecord[] = []): RawRecord[] {
    let start = 0;
    let from = 0;
    // The next `"` at or after `from`: each quote is visited once, so a chunk costs O(length).
    let q = this.quoted ? chunk.indexOf('"') : -1;
    for (;;) {
      const nl = chunk.indexOf('\n', from);
      if (nl === -1) break;
      while (q !== -1 && q < nl) {
        this.quotes++;
        q = chunk.indexOf('"', q + 1);
      }
      if (this.quotes % 2 === 1) {
        from = nl + 1;
        if (this.partsLength + from - start > this.maxRecord) throw recordTooLong(this.nextLine);
        continue;
      }
      this.complete(chunk, start, nl, out);
      start = nl + 1;
      from = start;
    }
    // Quotes after the last line end belong to the record the next chunk continues.
    for (; q !== -1; q = chunk.indexOf('"', q + 1)) this.quotes++;
    if (start < chunk.length) {
      this.parts.push(start === 0 ? chunk : chunk.slice(start));
      this.partsLength += chunk.length - start;
      if (this.partsLength > this.maxRecord) throw recordTooLong(this.nextLine);
    }
    return out;
  }

  /** The last record when the input does not end with a line terminator. */
  end(out: RawRecord[] = []): RawRecord[] {
    if (this.partsLength > 0) {
      const rec = this.parts.join('');
      this.parts = [];
      this.partsLength = 0;
      this.quotes = 0;
      if (rec.trim() !== '') out.push({ text: rec, eol: '', line: this.nextLine });
    }
    return out;
  }

  private complete(chunk: string, start: number, nl: number, out: RawRecord[]): void {
    if (this.partsLength + nl - start > this.maxRecord) throw recordTooLong(this.nextLine);
    let raw = chunk.slice(start, nl);
    if (this.parts.length > 0) {
      this.parts.push(raw);
      raw = this.parts.join('');
      this.parts = [];
      this.partsLength = 0;
    }
    this.quotes = 0;
    const cr = raw.charCodeAt(raw.length - 1) === 13;
    const body = cr ? raw.slice(0, -1) : raw;
    const line = this.nextLine;
    this.nextLine += 1 + (this.quoted ? countNewlines(body) : 0);
    if (body.length === 0 || (body.charCodeAt(0) <= 32 && body.trim() === '')) return;
    out.push({ text: body, eol: cr ? '\r\n' : '\n', line });
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

export type CsvFields = { ok: true; fields: string[] } | { ok: false; error: string };

/** The fields of one CSV record (RFC 4180: `""` escapes a quote inside a quoted field). */
export function parseCsvRecord(text: string): CsvFields {
  if (!text.includes('"')) return { ok: true, fields: text.split(',') };
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) return { ok: false, error: 'unterminated quoted field' };
        value += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === text.length) return { ok: true, fields };
      if (text.charCodeAt(i) !== 44)
        return {
          ok: false,
          error: `unexpected character after a closing quote at column ${i + 1}`,
        };
      i++;
    } else {
      const comma = text.indexOf(',', i);
      const value = comma === -1 ? text.slice(i) : text.slice(i, comma);
      if (value.includes('"'))
        return {
          ok: false,
          error: `stray quote in an unquoted field at column ${i + 1 + value.indexOf('"')}`,
        };
      fields.push(value);
      if (comma === -1) return { ok: true, fields };
      i = comma + 1;
    }
  }
}

/**
 * A cell a spreadsheet would run as a formula (`= + - @`, or a leading tab or CR) gets a `'`
 * in front (OWASP CSV injection); `unescapeCsvCell` takes it off again on import, so an
 * export imports back as it was (`+15551234567` is exported as `'+15551234567`).
 */
export function csvCell(value: string): string {
  return csvField(FORMULA_START.test(value) ? `'${value}` : value);
}

export function unescapeCsvCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field, quoted only when it must be. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Index of `name` in a header row (exact, then case-insensitive and trimmed), or -1. */
export function columnIndex(header: readonly string[], name: string): number {
  const exact = header.indexOf(name);
  if (exact !== -1) return exact;
  const want = name.trim().toLowerCase();
  return header.findIndex((h) => h.trim().toLowerCase() === want);
}

export const RECORD_FORMATS = ['ndjson', 'csv'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** The record format of a Content-Type (parameters ignored), or null. */
export function formatOfContentType(contentType: string | undefined): RecordFormat | null {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (
    media === 'application/x-ndjson' ||
    media === 'application/ndjson' ||
    media === 'application/jsonl' ||
    media === 'application/x-jsonlines'
  )
    return 'ndjson';
  if (media === 'text/csv' || media === 'application/csv') return 'csv';
  return null;
}

export const CONTENT_TYPES: Record<RecordFormat, string> = {
  ndjson: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
};

/**
 * Pulls records from a stream of bytes or text, a batch at a time: the stream is only read as
 * fast as batches are taken, so a slow consumer slows the producer (backpressure) and memory
 * holds one batch plus one chunk.
 */
export class RecordReader {
  private readonly splitter: RecordSplitter;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly iterator: AsyncIterator<Uint8Array | string>;
  private pending: RawRecord[] = [];
  private done = false;

  constructor(input: AsyncIterable<Uint8Array | string>, format: RecordFormat) {
    this.splitter = new RecordSplitter(format === 'csv');
    this.iterator = input[Symbol.asyncIterator]();
  }

  /** Up to `max` records; an empty array at the end of the input. */
  async take(max: number): Promise<RawRecord[]> {
    while (this.pending.length < max && !this.done) {
      const r = await this.iterator.next();
      if (r.done) {
        this.done = true;
        this.splitter.push(this.decoder.decode(), this.pending);
        this.splitter.end(this.pending);
      } else {
        this.splitter.push(
          typeof r.value === 'string' ? r.value : this.decoder.decode(r.value, { stream: true }),
          this.pending,
        );
      }
    }
    if (this.pending.length <= max) {
      const all = this.pending;
      this.pending = [];
      return all;
    }
    return this.pending.splice(0, max);
  }
}
