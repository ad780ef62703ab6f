import { BouncerError, errorFromResponse } from './errors.js';
import { buildUrl, deadline, headers, withRetries, type Transport } from './http.js';
import type { FilterOptions, FilterStream, FilterSummary } from './types.js';

export type FilterInput<T> = AsyncIterable<T> | Iterable<T>;

/** Lines are batched into request chunks of about this size (the body streams chunk by chunk). */
const REQUEST_CHUNK_CHARS = 64 * 1024;

const isAsync = <T>(input: FilterInput<T>): input is AsyncIterable<T> =>
  typeof (input as AsyncIterable<T>)[Symbol.asyncIterator] === 'function';

/** An iterator that is its own iterable (a generator) can be read once; an array can be read again. */
function isOneShot<T>(input: FilterInput<T>): boolean {
  const it = isAsync(input) ? input[Symbol.asyncIterator]() : input[Symbol.iterator]();
  return (it as unknown) === input;
}

/** The request body: one JSON value per line, pulled from the input only as fast as it is sent. */
function ndjsonBody<T>(input: FilterInput<T>, onItem: () => void): ReadableStream<Uint8Array> {
  const asyncIt = isAsync(input) ? input[Symbol.asyncIterator]() : null;
  const syncIt = isAsync(input) ? null : input[Symbol.iterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk = '';
      while (chunk.length < REQUEST_CHUNK_CHARS) {
        // No await per item for a synchronous input: a microtask per row is most of the cost.
        const next = syncIt ? syncIt.next() : await asyncIt!.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        onItem();
        chunk += `${JSON.stringify(next.value)}\n`;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      syncIt?.return?.();
      await asyncIt?.return?.();
    },
  });
}

function parseLine(line: string, lineNo: number): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    throw new BouncerError('BOUNCER_CLIENT_PROTOCOL', `Answer line ${lineNo} is not JSON`, {
      cause: err,
    });
  }
}

function asSummary(value: unknown): FilterSummary | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const s = (value as { summary?: unknown }).summary;
  return typeof s === 'object' && s !== null && typeof (s as FilterSummary).total === 'number'
    ? (s as FilterSummary)
    : null;
}

/**
 * Rows of an NDJSON answer, a batch per network chunk (one await per chunk, not per row); the
 * final line, the summary, goes to `onSummary` instead.
 */
async function* answerBatches<R>(
  body: ReadableStream<Uint8Array>,
  onSummary: (s: FilterSummary) => void,
): AsyncGenerator<R[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  // One line behind: only the last line is the summary (a row may itself have a `summary` field).
  let pending: string | null = null;
  let lineNo = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const lines = done
        ? [rest + decoder.decode()]
        : (rest + decoder.decode(value, { stream: true })).split('\n');
      rest = done ? '' : (lines.pop() ?? '');
      const batch: R[] = [];
      for (const line of lines) {
        if (line.trim() === '') continue;
        if (pending !== null) batch.push(parseLine(pending, lineNo) as R);
        pending = line;
        lineNo += 1;
      }
      if (batch.length > 0) yield batch;
      if (done) break;
    }
  } finally {
    reader.releaseLock();
  }
  const summary = pending === null ? null : asSummary(parseLine(pending, lineNo));
  if (!summary)
    throw new BouncerError(
      'BOUNCER_CLIENT_PROTOCOL',
      'The filter answer ended without its summary line (connection cut?)',
    );
  onSummary(summary);
}

/** Rows one by one from batches: `for await` then costs a resolved promise per row. */
function rowsOf<R>(batches: AsyncGenerator<R[]>): AsyncIterator<R> {
  let batch: R[] = [];
  let i = 0;
  return {
    async next(): Promise<IteratorResult<R>> {
      while (i >= batch.length) {
        const n = await batches.next();
        if (n.done) return { done: true, value: undefined };
        batch = n.value;
        i = 0;
      }
      return { done: false, value: batch[i++] as R };
    },
    // `break` in a for-await loop lands here: finish the generator so it cancels the request.
    async return(): Promise<IteratorResult<R>> {
      await batches.return([]);
      return { done: true, value: undefined };
    },
  };
}

/**
 * `POST /v1/filter` with the input streamed up as NDJSON and the answer streamed back. The
 * timeout covers the wait for the answer's headers; the stream itself runs as long as it needs
 * (pass a `signal` to bound it). A failed attempt is retried (5xx, network) only while no answer
 * byte has been read and the input can be replayed: arrays can, a generator that has already
 * given items cannot.
 */
export function filterStream<T, R>(
  t: Transport,
  input: FilterInput<T>,
  opts: FilterOptions,
): FilterStream<R> {
  let settle!: { resolve: (s: FilterSummary) => void; reject: (e: unknown) => void };
  const summary = new Promise<FilterSummary>((resolve, reject) => (settle = { resolve, reject }));
  summary.catch(() => undefined); // a caller that only iterates must not see an unhandled rejection
  const url = buildUrl(t.baseUrl, '/v1/filter', {
    scope: opts.scope,
    purpose: opts.purpose,
    include: opts.includeSuppressed ? 'suppressed' : undefined,
    field: opts.field,
  });
  const oneShot = isOneShot(input);
  let taken = 0;
  let iterated = false;

  async function* run(): AsyncGenerator<R[]> {
    const ac = new AbortController();
    const onAbort = (): void => ac.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await withRetries(
        t,
        opts.signal,
        async () => {
          const d = deadline(t.timeoutMs, ac.signal);
          try {
            const r = await t.fetch(url, {
              method: 'POST',
              headers: headers(t, {
                'content-type': 'application/x-ndjson',
                accept: 'application/x-ndjson',
              }),
              body: ndjsonBody(input, () => (taken += 1)),
              duplex: 'half',
              // The deadline's signal stops firing once the headers are in; ac stops the stream later.
              signal: AbortSignal.any([d.signal, ac.signal]),
            } as RequestInit);
            if (!r.ok) throw await errorFromResponse(r);
            if (!r.body)
              throw new BouncerError('BOUNCER_CLIENT_PROTOCOL', 'The filter answer has no body', {
                status: r.status,
              });
            return r;
          } catch (err) {
            throw opts.signal?.aborted
              ? new BouncerError('BOUNCER_CLIENT_ABORTED', 'The call was aborted by the caller', {
                  cause: err,
                })
              : d.why(err);
          } finally {
            d.clear();
          }
        },
        () => !(oneShot && taken > 0),
      );
      yield* answerBatches<R>(res.body!, settle.resolve);
    } catch (err) {
      const e =
        opts.signal?.aborted && !(err instanceof BouncerError)
          ? new BouncerError('BOUNCER_CLIENT_ABORTED', 'The call was aborted by the caller', {
              cause: err,
            })
          : err;
      settle.reject(e);
      throw e;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      // Stopped early (break, error): stop the upload and the answer.
      ac.abort();
      settle.reject(
        new BouncerError('BOUNCER_CLIENT_ABORTED', 'The filter answer was not read to its end'),
      );
    }
  }

  return {
    summary,
    [Symbol.asyncIterator]() {
      if (iterated) throw new Error('A filter answer can be iterated only once');
      iterated = true;
      return rowsOf(run());
    },
  };
}
