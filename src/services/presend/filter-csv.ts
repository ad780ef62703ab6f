import { validationError } from '../../core/errors.js';
import {
  columnIndex,
  csvField,
  MAX_RECORD_BYTES,
  parseCsvRecord,
  recordTooLong,
  type RawRecord,
} from '../../core/records.js';
import {
  countDecision,
  emptySummary,
  type DecisionContext,
  type FilterDecision,
  type FilterSummary,
  type RecipientFilter,
} from './filter-recipients.js';
import type { FilterStream, FilterStreamOptions } from './filter-stream.js';

/** Rows decided between two refreshes of the index. */
export const CSV_REFRESH_ROWS = 5_000;

const NL = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
const EMPTY = Buffer.alloc(0);
const NEWLINE = Buffer.from('\n');

/** The recipient of one CSV record given as text: the field in `col`, or why there is none. */
function csvRecipient(
  rec: RawRecord,
  col: number,
  column: string,
): { recipient: string; error: null } | { recipient: null; error: string } {
  const text = rec.text;
  if (!text.includes('"')) {
    // Unquoted record: find the field without splitting the whole record.
    let from = 0;
    for (let i = 0; i < col && from !== -1; i++) from = text.indexOf(',', from) + 1 || -1;
    if (from !== -1) {
      const end = text.indexOf(',', from);
      return { recipient: end === -1 ? text.slice(from) : text.slice(from, end), error: null };
    }
  }
  const parsed = parseCsvRecord(text);
  if (!parsed.ok) return { recipient: null, error: `line ${rec.line}: ${parsed.error}` };
  const v = parsed.fields[col];
  if (v === undefined)
    return {
      recipient: null,
      error: `line ${rec.line}: ${parsed.fields.length} fields, no column "${column}"`,
    };
  return { recipient: v, error: null };
}

/** Where one record lies in the buffer: its text, its terminator, the physical lines it spans. */
interface Span {
  textEnd: number;
  next: number;
  extraLines: number;
}

/** How far the scan of a record that the buffer ends inside got, so it resumes there. */
interface Pending {
  from: number;
  quotes: number;
  extraLines: number;
}

/**
 * The record starting at `start` when it contains double quotes (RFC 4180: a line end inside
 * quotes does not end it; the record ends where the count of `"` so far is even), its scan
 * resumed from `p`. A Pending when the buffer ends first and more input may come; at the end of
 * the input, the rest is the record.
 */
function quotedSpan(buf: Buffer, start: number, final: boolean, p?: Pending): Span | Pending {
  let quotes = p?.quotes ?? 0;
  let extraLines = p?.extraLines ?? 0;
  for (let i = p?.from ?? start; i < buf.length; i++) {
    const c = buf[i];
    if (c === QUOTE) quotes++;
    else if (c === NL) {
      if (quotes % 2 === 0)
        return { textEnd: i > start && buf[i - 1] === CR ? i - 1 : i, next: i + 1, extraLines };
      extraLines++;
    }
  }
  return final
    ? { textEnd: buf.length, next: buf.length, extraLines }
    : { from: buf.length, quotes, extraLines };
}

const isSpan = (s: Span | Pending): s is Span => 'next' in s;

/**
 * CSV records straight from the bytes received. Unquoted rows whose recipient is a simple email
 * address (nearly all of a mailing list) are decided and passed on without being decoded: the
 * allowed ones go out as slices of the input. Every other row (quotes, non-ASCII, phone numbers,
 * anything unusual) is decoded and takes the general path. Either way the decisions, the line
 * numbers and the output are those of the text-based reader (RecordSplitter + parseCsvRecord).
 */
class CsvScanner {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** The scan of the record at `pos`, when an earlier buffer ended inside it. */
  private pending: Pending | null = null;
  /** Physical line the next record starts on. */
  line = 1;
  final = false;
  private readonly source: AsyncIterator<Uint8Array | string>;

  constructor(input: AsyncIterable<Uint8Array | string>) {
    this.source = input[Symbol.asyncIterator]();
  }

  /** Read until the first bytes can be told from a byte order mark (then dropped, as TextDecoder does). */
  async start(): Promise<void> {
    while (this.buf.length < 3 && !this.final) await this.read();
    if (this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) this.pos = 3;
  }

  /** Append the next chunk of input (or note its end). */
  async read(): Promise<void> {
    const r = await this.source.next();
    if (r.done) {
      this.final = true;
      return;
    }
    const chunk =
      typeof r.value === 'string'
        ? Buffer.from(r.value, 'utf8')
        : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    if (this.pending) this.pending.from -= this.pos;
    this.buf =
      this.pos === this.buf.length ? chunk : Buffer.concat([this.buf.subarray(this.pos), chunk]);
    this.pos = 0;
  }

  /** The next non-blank record as text (the header), or null when more input is needed or there is none. */
  nextText(): RawRecord | null {
    for (;;) {
      const start = this.pos;
      if (start >= this.buf.length) return null;
      const span = this.span(start);
      if (!span) return null;
      const line = this.line;
      this.line += 1 + span.extraLines;
      this.pos = span.next;
      const text = this.buf.toString('utf8', start, span.textEnd);
      if (text.trim() !== '')
        return { text, eol: this.buf.toString('latin1', span.textEnd, span.next), line };
    }
  }

  /**
   * The record at `start` (resuming an earlier scan), or null when it goes on past the buffer.
   * A record longer than MAX_RECORD_BYTES is refused, so the buffer never holds more.
   */
  private span(start: number): Span | null {
    const s = quotedSpan(this.buf, start, this.final, this.pending ?? undefined);
    this.pending = null;
    if (!isSpan(s)) {
      if (s.from - start > MAX_RECORD_BYTES) throw recordTooLong(this.line);
      this.pending = s;
      return null;
    }
    if (s.textEnd - start > MAX_RECORD_BYTES) throw recordTooLong(this.line);
    return s;
  }

  get done(): boolean {
    return this.final && this.pos >= this.buf.length;
  }

  /**
   * Decide every complete record in the buffer; `emit` gets each one's bytes and decision
   * (null: a blank line, skipped). Returns the number of records decided. Three passes: find the
   * records and their recipient fields (memchr-speed searches for line ends, commas and quotes),
   * decide the simple ones as a batch, then go through them in order.
   */
  drain(
    col: number,
    column: string,
    filter: RecipientFilter,
    ctx: DecisionContext,
    emit: Emit,
  ): number {
    const buf = this.buf;
    const n = buf.length;
    let pos = this.pos;
    let count = 0;
    let candidates = 0;
    // Never rescan a record an earlier buffer ended inside: its scan resumes where it stopped.
    const from = this.pending?.from ?? pos;
    let nextQuote = buf.indexOf(QUOTE, from);
    let nextComma = buf.indexOf(COMMA, from);
    const r = this.records;
    while (pos < n) {
      const start = pos;
      const nl = this.pending ? -1 : buf.indexOf(NL, start);
      const lineEnd = nl === -1 ? n : nl;
      let textEnd: number;
      let next: number;
      let extraLines = 0;
      let kind: number;
      let fStart = start;
      let fEnd = -1;
      if (this.pending || (nextQuote !== -1 && nextQuote < lineEnd)) {
        const span = this.span(start);
        if (!span) break;
        ({ textEnd, next, extraLines } = span);
        kind = SLOW;
        nextQuote = buf.indexOf(QUOTE, next);
      } else {
        if (nl === -1 && !this.final) {
          if (n - start > MAX_RECORD_BYTES) throw recordTooLong(this.line);
          // No quote in it so far: the scan resumes at the end of this buffer.
          this.pending = { from: n, quotes: 0, extraLines: 0 };
          break;
        }
        if (lineEnd - start > MAX_RECORD_BYTES) throw recordTooLong(this.line);
        textEnd = nl > start && buf[nl - 1] === CR ? nl - 1 : lineEnd;
        next = nl === -1 ? n : nl + 1;
        kind = textEnd === start ? BLANK : buf[start]! > 32 ? FAST : SLOW;
        if (kind === FAST) {
          for (let k = 0; k < col; k++) {
            if (nextComma === -1 || nextComma >= textEnd) {
              kind = SLOW;
              break;
            }
            fStart = nextComma + 1;
            nextComma = buf.indexOf(COMMA, fStart);
          }
          fEnd = nextComma === -1 || nextComma > textEnd ? textEnd : nextComma;
        }
      }
      if (nextComma !== -1 && nextComma < next) nextComma = buf.indexOf(COMMA, next);
      r.ensure(count + 1);
      r.start[count] = start;
      r.textEnd[count] = textEnd;
      r.next[count] = next;
      r.line[count] = this.line;
      r.kind[count] = kind;
      if (kind === FAST) {
        r.candidate[count] = candidates;
        r.fStart[candidates] = fStart;
        r.fEnd[candidates] = fEnd;
        candidates++;
      }
      this.line += 1 + extraLines;
      count++;
      pos = next;
    }
    this.pos = pos;
    const fast = this.decisions;
    if (candidates > 0) filter.decideEmailBytes(buf, r.fStart, r.fEnd, candidates, ctx, fast);
    let decided = 0;
    for (let i = 0; i < count; i++) {
      const start = r.start[i]!;
      const textEnd = r.textEnd[i]!;
      const next = r.next[i]!;
      const kind = r.kind[i];
      if (kind === BLANK) {
        emit(buf, start, textEnd, next, null);
        continue;
      }
      let d = kind === FAST ? fast[r.candidate[i]!]! : null;
      if (d === null) {
        const text = buf.toString('utf8', start, textEnd);
        if (text.trim() === '') {
          emit(buf, start, textEnd, next, null);
          continue;
        }
        const rec = csvRecipient({ text, eol: '', line: r.line[i]! }, col, column);
        d =
          rec.error !== null
            ? { status: 'invalid', error: rec.error }
            : filter.decideOne(rec.recipient, ctx);
      }
      decided++;
      emit(buf, start, textEnd, next, d);
    }
    return decided;
  }

  private readonly records = new RecordTable();
  private readonly decisions: Array<FilterDecision | null> = [];
}

type Emit = (
  buf: Buffer,
  start: number,
  textEnd: number,
  next: number,
  d: FilterDecision | null,
) => void;

const BLANK = 0;
const FAST = 1;
const SLOW = 2;

/** Scratch columns for the records of one buffer, reused and grown as needed. */
class RecordTable {
  start = new Int32Array(1024);
  textEnd = new Int32Array(1024);
  next = new Int32Array(1024);
  line = new Float64Array(1024);
  kind = new Uint8Array(1024);
  candidate = new Int32Array(1024);
  fStart = new Int32Array(1024);
  fEnd = new Int32Array(1024);

  ensure(n: number): void {
    if (n <= this.start.length) return;
    const size = this.start.length * 2;
    const grown = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.start = grown(this.start);
    this.textEnd = grown(this.textEnd);
    this.next = grown(this.next);
    this.line = grown(this.line);
    this.kind = grown(this.kind);
    this.candidate = grown(this.candidate);
    this.fStart = grown(this.fStart);
    this.fEnd = grown(this.fEnd);
  }
}

function annotation(d: FilterDecision): string {
  return d.status === 'suppressed'
    ? `,suppressed,${d.reason}`
    : d.status === 'invalid'
      ? `,invalid,${csvField(d.error)}`
      : ',allowed,';
}

/**
 * POST /v1/filter and `bouncer filter` for CSV: the header is read (and the recipient column
 * found, else a 400) before this resolves; the rows then stream through in input order, the
 * allowed ones (or all, annotated) written back byte for byte.
 */
export async function openCsvFilterStream(
  filter: RecipientFilter,
  input: AsyncIterable<Uint8Array | string>,
  opts: FilterStreamOptions,
): Promise<FilterStream> {
  const scanner = new CsvScanner(input);
  const summary: FilterSummary = emptySummary();
  const column = opts.column ?? 'email';
  const include = opts.includeSuppressed ?? false;
  let header: RawRecord | null = null;
  await scanner.start();
  while (!header && !scanner.done) {
    header = scanner.nextText();
    if (!header && !scanner.final) await scanner.read();
    else if (!header) break;
  }
  let col = -1;
  if (header) {
    const h = parseCsvRecord(header.text);
    col = h.ok ? columnIndex(h.fields, column) : -1;
    if (col === -1) throw validationError('column', `the CSV header has no column "${column}"`);
  }

  // Output of the current buffer. Without annotations, allowed rows are runs of the input
  // copied as they are: `run` is the start of the current run, `runEnd` its end.
  let out: Buffer[] = [];
  let run = -1;
  let runEnd = -1;
  let runBuf: Buffer = EMPTY;
  const flush = (): void => {
    if (run !== -1 && runEnd > run) out.push(runBuf.subarray(run, runEnd));
    run = -1;
  };
  const emit: Emit = (buf, start, textEnd, next, d) => {
    if (d !== null) countDecision(summary, d);
    if (include) {
      if (d !== null)
        out.push(
          buf.subarray(start, textEnd),
          Buffer.from(
            `${annotation(d)}${next > textEnd ? buf.toString('latin1', textEnd, next) : '\n'}`,
          ),
        );
      return;
    }
    if (d === null || d.status !== 'allowed') {
      flush();
      return;
    }
    if (run === -1 || runBuf !== buf || runEnd !== start) {
      flush();
      run = start;
      runBuf = buf;
    }
    runEnd = next;
    // The last record without a line terminator gets one, as every other row has.
    if (next === textEnd) {
      flush();
      out.push(NEWLINE);
    }
  };

  async function* rows(): AsyncGenerator<string | Buffer> {
    if (!header) return;
    // Sent with the first rows, so a first record past the limit fails before any output.
    let head: Buffer | null = Buffer.from(
      include
        ? `${header.text},bouncer_status,bouncer_reason${header.eol || '\n'}`
        : `${header.text}${header.eol || '\n'}`,
    );
    let ctx = await filter.prepare(opts);
    let sinceRefresh = 0;
    while (!scanner.done) {
      if (sinceRefresh >= CSV_REFRESH_ROWS) {
        ctx = await filter.prepare(opts);
        sinceRefresh = 0;
      }
      sinceRefresh += scanner.drain(col, column, filter, ctx, emit);
      flush();
      if (out.length > 0) {
        // A copy: the answer must not pin (or depend on) the input's buffers.
        const chunk = Buffer.concat(head ? [head, ...out] : out);
        head = null;
        out = [];
        yield chunk;
      }
      if (!scanner.done) await scanner.read();
    }
    if (head) yield head;
  }
  return { rows: rows(), summary };
}
