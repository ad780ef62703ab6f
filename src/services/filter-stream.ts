import { validationError } from '../core/errors.js';
import { columnIndex, csvField, parseCsvRecord, RecordReader, type RawRecord, type RecordFormat } from '../core/records.js';
import type { FilterCriteria, FilterDecision, RecipientFilter } from './filter-recipients.js';

/** Rows decided per round trip to the index; the unit of memory and of backpressure. */
export const FILTER_CHUNK_ROWS = 5_000;

export interface FilterStreamOptions extends FilterCriteria {
  format: RecordFormat;
  /** Write every row with its decision instead of only the allowed ones. */
  includeSuppressed?: boolean;
  /** CSV: the recipient column (default `email`). */
  column?: string;
  /** NDJSON: the recipient field (default `address`; `email`, `phone` are tried when absent). */
  field?: string;
}

export interface FilterSummary {
  total: number;
  allowed: number;
  suppressed: number;
  invalid: number;
  by_reason: Record<string, number>;
}

export interface FilterStream {
  /** Output text in chunks (rows in input order, in the input's format). */
  rows: AsyncGenerator<string>;
  /** Complete once `rows` has been consumed to the end. */
  summary: FilterSummary;
}

/** `obj`: the line is a JSON object; `str`: a bare JSON string. */
type Row = { rec: RawRecord; recipient: string | null; error: string | null; obj: boolean; str?: boolean };

function ndjsonRow(rec: RawRecord, field: string): Row {
  let value: unknown;
  try {
    value = JSON.parse(rec.text);
  } catch (err) {
    return { rec, recipient: null, error: `line ${rec.line}: malformed JSON (${(err as Error).message})`, obj: false };
  }
  if (typeof value === 'string') return { rec, recipient: value, error: null, obj: false, str: true };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { rec, recipient: null, error: `line ${rec.line}: expected a JSON object or string`, obj: false };
  const o = value as Record<string, unknown>;
  const v = field === 'address' && o.address === undefined ? (o.email ?? o.phone) : o[field];
  if (typeof v !== 'string') return { rec, recipient: null, error: `line ${rec.line}: field "${field}" is missing or not a string`, obj: true };
  return { rec, recipient: v, error: null, obj: true };
}

function csvRow(rec: RawRecord, col: number, column: string): Row {
  const text = rec.text;
  if (!text.includes('"')) {
    // Unquoted record: find the field without splitting the whole record.
    let from = 0;
    for (let i = 0; i < col && from !== -1; i++) from = text.indexOf(',', from) + 1 || -1;
    if (from !== -1) {
      const end = text.indexOf(',', from);
      return { rec, recipient: end === -1 ? text.slice(from) : text.slice(from, end), error: null, obj: false };
    }
  }
  const parsed = parseCsvRecord(rec.text);
  if (!parsed.ok) return { rec, recipient: null, error: `line ${rec.line}: ${parsed.error}`, obj: false };
  const v = parsed.fields[col];
  if (v === undefined) return { rec, recipient: null, error: `line ${rec.line}: ${parsed.fields.length} fields, no column "${column}"`, obj: false };
  return { rec, recipient: v, error: null, obj: false };
}

/** NDJSON annotation: the original object text with a `bouncer` member spliced in. */
function annotateJson(row: Row, d: FilterDecision): string {
  const b = JSON.stringify(d);
  const text = row.rec.text;
  if (row.obj) {
    const close = text.lastIndexOf('}');
    const open = text.indexOf('{');
    const empty = text.slice(open + 1, close).trim() === '';
    return `${text.slice(0, close)}${empty ? '' : ','}"bouncer":${b}${text.slice(close)}`;
  }
  if (row.str) return `{"address":${text.trim()},"bouncer":${b}}`;
  return `{"raw":${JSON.stringify(text)},"bouncer":${b}}`;
}

function annotateCsv(row: Row, d: FilterDecision): string {
  const detail = d.status === 'suppressed' ? d.reason : d.status === 'invalid' ? csvField(d.error) : '';
  return `${row.rec.text},${d.status},${detail}`;
}

/**
 * Filter a stream of NDJSON or CSV rows against the suppression list, chunk by chunk. For CSV the
 * header is read before this resolves, so a missing recipient column is a 400 before any output.
 */
export async function openFilterStream(filter: RecipientFilter, input: AsyncIterable<Uint8Array | string>, opts: FilterStreamOptions): Promise<FilterStream> {
  const reader = new RecordReader(input, opts.format);
  const summary: FilterSummary = { total: 0, allowed: 0, suppressed: 0, invalid: 0, by_reason: {} };
  const field = opts.field ?? 'address';
  const column = opts.column ?? 'email';
  let header: RawRecord | null = null;
  let col = -1;
  if (opts.format === 'csv') {
    header = (await reader.take(1))[0] ?? null;
    if (header) {
      const h = parseCsvRecord(header.text);
      col = h.ok ? columnIndex(h.fields, column) : -1;
      if (col === -1) throw validationError('column', `the CSV header has no column "${column}"`);
    }
  }
  const include = opts.includeSuppressed ?? false;
  async function* rows(): AsyncGenerator<string> {
    if (header) yield include ? `${header.text},bouncer_status,bouncer_reason${header.eol || '\n'}` : `${header.text}${header.eol || '\n'}`;
    for (;;) {
      const batch = await reader.take(FILTER_CHUNK_ROWS);
      if (batch.length === 0) return;
      const parsed = batch.map((rec) => (opts.format === 'csv' ? csvRow(rec, col, column) : ndjsonRow(rec, field)));
      const decisions = await filter.decide(parsed.map((r) => (r.error === null ? r.recipient : null)), opts);
      let out = '';
      for (let i = 0; i < parsed.length; i++) {
        const row = parsed[i]!;
        const d: FilterDecision = row.error !== null ? { status: 'invalid', error: row.error } : decisions[i]!;
        summary.total++;
        if (d.status === 'allowed') summary.allowed++;
        else if (d.status === 'suppressed') {
          summary.suppressed++;
          summary.by_reason[d.reason] = (summary.by_reason[d.reason] ?? 0) + 1;
        } else summary.invalid++;
        if (include) out += (opts.format === 'csv' ? annotateCsv(row, d) : annotateJson(row, d)) + (row.rec.eol || '\n');
        else if (d.status === 'allowed') out += row.rec.text + (row.rec.eol || '\n');
      }
      if (out.length > 0) yield out;
    }
  }
  return { rows: rows(), summary };
}
