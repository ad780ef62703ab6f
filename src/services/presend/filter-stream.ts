import { RecordReader, type RawRecord, type RecordFormat } from '../../core/records.js';
import { openCsvFilterStream } from './filter-csv.js';
import {
  countDecision,
  emptySummary,
  type FilterCriteria,
  type FilterDecision,
  type FilterSummary,
  type RecipientFilter,
} from './filter-recipients.js';

export type { FilterSummary } from './filter-recipients.js';

/**
 * NDJSON rows decided per look at the index; the unit of memory and of backpressure. Small
 * enough that a batch's parsed rows die young instead of filling the old generation.
 */
export const FILTER_CHUNK_ROWS = 1_000;

export interface FilterStreamOptions extends FilterCriteria {
  format: RecordFormat;
  /** Write every row with its decision instead of only the allowed ones. */
  includeSuppressed?: boolean;
  /** CSV: the recipient column (default `email`). */
  column?: string;
  /** NDJSON: the recipient field (default `address`; `email`, `phone` are tried when absent). */
  field?: string;
}

export interface FilterStream {
  /** Output in chunks (rows in input order, in the input's format). */
  rows: AsyncGenerator<string | Buffer>;
  /** Complete once `rows` has been consumed to the end. */
  summary: FilterSummary;
}

/** `obj`: the line is a JSON object; `str`: a bare JSON string. */
type Row = {
  rec: RawRecord;
  recipient: string | null;
  error: string | null;
  obj: boolean;
  str?: boolean;
};

function ndjsonRow(rec: RawRecord, field: string): Row {
  let value: unknown;
  try {
    value = JSON.parse(rec.text);
  } catch (err) {
    return {
      rec,
      recipient: null,
      error: `line ${rec.line}: malformed JSON (${(err as Error).message})`,
      obj: false,
    };
  }
  if (typeof value === 'string')
    return { rec, recipient: value, error: null, obj: false, str: true };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      rec,
      recipient: null,
      error: `line ${rec.line}: expected a JSON object or string`,
      obj: false,
    };
  const o = value as Record<string, unknown>;
  const v = field === 'address' && o.address === undefined ? (o.email ?? o.phone) : o[field];
  if (typeof v !== 'string')
    return {
      rec,
      recipient: null,
      error: `line ${rec.line}: field "${field}" is missing or not a string`,
      obj: true,
    };
  return { rec, recipient: v, error: null, obj: true };
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

/**
 * Filter a stream of NDJSON or CSV rows against the suppression list, chunk by chunk. For CSV the
 * header is read before this resolves, so a missing recipient column is a 400 before any output.
 */
export async function openFilterStream(
  filter: RecipientFilter,
  input: AsyncIterable<Uint8Array | string>,
  opts: FilterStreamOptions,
): Promise<FilterStream> {
  if (opts.format === 'csv') return openCsvFilterStream(filter, input, opts);
  const reader = new RecordReader(input, 'ndjson');
  const summary = emptySummary();
  const field = opts.field ?? 'address';
  const include = opts.includeSuppressed ?? false;
  async function* rows(): AsyncGenerator<string> {
    for (;;) {
      const batch = await reader.take(FILTER_CHUNK_ROWS);
      if (batch.length === 0) return;
      const ctx = await filter.prepare(opts);
      let out = '';
      for (const rec of batch) {
        const row = ndjsonRow(rec, field);
        const d: FilterDecision =
          row.error !== null
            ? { status: 'invalid', error: row.error }
            : filter.decideOne(row.recipient, ctx);
        countDecision(summary, d);
        if (include) out += annotateJson(row, d) + (rec.eol || '\n');
        else if (d.status === 'allowed') out += rec.text + (rec.eol || '\n');
      }
      if (out.length > 0) yield out;
    }
  }
  return { rows: rows(), summary };
}
